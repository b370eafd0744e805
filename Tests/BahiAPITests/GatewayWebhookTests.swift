import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON

/// The gateways' webhooks on a live API (both stores): verified over raw bytes before any
/// parsing, refused without storing anything, deduplicated, carried to the order.
@Suite struct GatewayWebhookTests {
    static let razorpaySecret = "whsec_bahi_test"

    static func configure(_ config: inout BahiConfiguration) {
        // The old secret and the new one, as during a rotation.
        config.secrets.razorpayWebhookSecret = "old_secret_retired, \(razorpaySecret)"
        config.secrets.cashfreeClientSecret = "cf_test_secret"
        config.secrets.payuSalt = "secret"
        config.secrets.payuMerchantKey = "merchant_id"
    }

    /// A Razorpay `payment.*` event for `gatewayOrderID`, compact, as Razorpay sends it.
    static func razorpayPayment(_ paymentID: String, order gatewayOrderID: String, status: String, amount: Int, event: String? = nil) -> String {
        #"{"entity":"event","account_id":"acc_BFQ7uQEaa7j2z7","event":"\#(event ?? "payment.\(status)")","contains":["payment"],"payload":{"payment":{"entity":{"id":"\#(paymentID)","entity":"payment","amount":\#(amount),"currency":"INR","status":"\#(status)","order_id":"\#(gatewayOrderID)","method":"upi","captured":\#(status == "captured"),"notes":[],"fee":\#(status == "captured" ? "1178" : "null"),"tax":\#(status == "captured" ? "180" : "null"),"created_at":1567674599}}},"created_at":1567674606}"#
    }

    static func postRazorpay(_ w: OrderWorld, _ body: String, eventID: String, secret: String = razorpaySecret) async -> HTTPResponse {
        let signature = RazorpaySignature.webhookSignature(secret: secret, body: Array(body.utf8))
        return await send(w.api, .post, "/v1/webhooks/razorpay", headers: [("X-Razorpay-Signature", signature), ("X-Razorpay-Event-Id", eventID)], body: body)
    }

    static func gatewayEventCount(_ w: OrderWorld) async throws -> Int64 {
        try await w.app.store.read { db in try db.queryFirst("SELECT COUNT(*) AS n FROM gateway_events", []) { row -> Int64 in try row["n"] } ?? 0 }
    }

    @Test func razorpayCapturesConfirmTheOrderOnceWhateverTheOrderAndRepeats() async throws {
        try await withOrders(configure: Self.configure) { w in
            try await w.stock("TEE", 10)
            let placed = await w.place(orderJSON("RZP-1", payment: #"{"method":"prepaid","gateway":"razorpay","gateway_order_id":"order_RZP1","status":"pending"}"#))
            #expect(placed.str("status") == "pending_payment")
            let id = try #require(placed.str("id"))
            let total = try #require(placed.num("totals.total_paise"))
            // failed, then captured (a late authorisation), then the failure again, then the capture again.
            let failed = Self.razorpayPayment("pay_R1", order: "order_RZP1", status: "failed", amount: Int(total))
            let captured = Self.razorpayPayment("pay_R1", order: "order_RZP1", status: "captured", amount: Int(total))
            let first = await Self.postRazorpay(w, failed, eventID: "evt_rzp_1")
            #expect(first.status == .ok && first.json?["status"]?.text == "processed", "\(first.text)")
            #expect(await w.order(id).str("status") == "pending_payment")
            let capture = await Self.postRazorpay(w, captured, eventID: "evt_rzp_2")
            #expect(capture.json?["status"]?.text == "processed" && capture.json?["mismatch"] == .null)
            #expect(await Self.postRazorpay(w, failed, eventID: "evt_rzp_3").json?["status"]?.text == "processed")
            #expect(await Self.postRazorpay(w, captured, eventID: "evt_rzp_2").json?["status"]?.text == "duplicate")
            let order = await w.order(id)
            #expect(order.str("status") == "confirmed" && order.str("payment.status") == "paid" && order.num("payment.paid_paise") == total)
            let payments = await send(w.api, .get, "/v1/orders/\(id)/payments", key: w.finance)
            #expect(payments.status == .ok)
            #expect(payments.str("data.0.status") == "captured" && payments.num("data.0.fee_paise") == 1178 && payments.num("data.0.tax_paise") == 180)
            #expect(payments.list("data.0.events").count == 3, "three distinct gateway events moved it")
            let kept = try await Self.gatewayEventCount(w)
            #expect(kept == 3)
        }
    }

    @Test func aBadSignatureIsRefusedAndStoresNothing() async throws {
        try await withOrders(configure: Self.configure) { w in
            let body = Self.razorpayPayment("pay_BAD", order: "order_NONE", status: "captured", amount: 100)
            let wrongSecret = await Self.postRazorpay(w, body, eventID: "evt_bad_1", secret: "not_the_secret")
            #expect(wrongSecret.status.code == 401 && wrongSecret.code == "invalid_signature")
            // A byte changed after signing.
            let signature = RazorpaySignature.webhookSignature(secret: Self.razorpaySecret, body: Array(body.utf8))
            let tampered = body.replacingOccurrences(of: #""amount":100"#, with: #""amount":900"#)
            let refused = await send(w.api, .post, "/v1/webhooks/razorpay", headers: [("X-Razorpay-Signature", signature), ("X-Razorpay-Event-Id", "evt_bad_2")], body: tampered)
            #expect(refused.status.code == 401)
            #expect(await send(w.api, .post, "/v1/webhooks/razorpay", body: body).status.code == 401, "no signature at all")
            let kept = try await Self.gatewayEventCount(w)
            #expect(kept == 0)
            #expect(w.app.gatewayRejections.withLock { $0["razorpay"] } == 3)
            // The old secret of a rotation still verifies.
            let old = await Self.postRazorpay(w, body, eventID: "evt_old", secret: "old_secret_retired")
            #expect(old.status == .ok && old.json?["mismatch"]?.text == "orphan_payment", "\(old.text)")
        }
    }

    @Test func anUnconfiguredGatewayAsksToBeRetried() async throws {
        try await withOrders(configure: { $0.secrets.razorpayWebhookSecret = "" }) { w in
            let response = await Self.postRazorpay(w, Self.razorpayPayment("pay_X", order: "order_X", status: "captured", amount: 100), eventID: "evt_x")
            #expect(response.status.code == 503 && response.code == "gateway_not_configured")
            #expect(!response.text.contains(Self.razorpaySecret))
        }
    }

    @Test func cashfreeIsVerifiedOverTimestampAndRawBytesWithRupeesConvertedExactly() async throws {
        try await withOrders(configure: Self.configure) { w in
            // The reference's body: 2.00 and 1.00 rupees, written as Cashfree writes them.
            let body = #"{"data":{"order":{"order_id":"order_OFR_2","order_amount":2.00,"order_currency":"INR"},"payment":{"cf_payment_id":"1453002795","payment_status":"SUCCESS","payment_amount":1.00,"payment_currency":"INR"}},"event_time":"2025-01-15T11:16:10+05:30","type":"PAYMENT_SUCCESS_WEBHOOK"}"#
            let now = String(WallClock.milliseconds())
            let signature = CashfreeSignature.signature(secret: "cf_test_secret", timestamp: now, body: Array(body.utf8))
            let ok = await send(w.api, .post, "/v1/webhooks/cashfree", headers: [("x-webhook-signature", signature), ("x-webhook-timestamp", now)], body: body)
            #expect(ok.status == .ok && ok.json?["mismatch"]?.text == "orphan_payment", "\(ok.text)")
            let paymentID = try #require(ok.json?["payment_id"]?.text)
            let amount = try await w.app.store.read { db in try Payments.get(db, id: paymentID)?.state.amountPaise }
            #expect(amount == 100)
            // Re-serialised (2.00 → 2.0) the signature no longer holds; a stale timestamp is refused.
            let reserialised = body.replacingOccurrences(of: "2.00", with: "2.0")
            #expect(await send(w.api, .post, "/v1/webhooks/cashfree", headers: [("x-webhook-signature", signature), ("x-webhook-timestamp", now)], body: reserialised).status.code == 401)
            let stale = String(WallClock.milliseconds() - 600_000)
            let staleSignature = CashfreeSignature.signature(secret: "cf_test_secret", timestamp: stale, body: Array(body.utf8))
            #expect(await send(w.api, .post, "/v1/webhooks/cashfree", headers: [("x-webhook-signature", staleSignature), ("x-webhook-timestamp", stale)], body: body).status.code == 401)
        }
    }

    @Test func payuFormsAreVerifiedByTheReverseHashAndPendingIsNotPaid() async throws {
        try await withOrders(configure: Self.configure) { w in
            // The reference fixture (activemerchant's), URL-encoded as a browser would post it.
            let fields: [(String, String)] = [
                ("mihpayid", "403993715508030204"), ("mode", "CC"), ("status", "success"), ("unmappedstatus", "captured"), ("key", "merchant_id"),
                ("txnid", "4ba4afe87f7e73468f2a"), ("amount", "10.00"), ("productinfo", "Product Info"), ("firstname", "Payu-Admin"),
                ("email", "test@example.com"), ("udf1", ""), ("udf2", ""), ("udf3", ""), ("udf4", ""), ("udf5", ""),
                ("hash", "d6a5544072d036dc422d1c6393a8da75233d5e30ffc848f11682f121d67cd80c0d4fed1067b99918b5a377b7dcf1c8c9c79975abdf9f444692b35bf34d494105"),
            ]
            func form(_ fields: [(String, String)]) -> String {
                fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
            }
            let headers = [("Content-Type", "application/x-www-form-urlencoded")]
            let ok = await send(w.api, .post, "/v1/webhooks/payu", headers: headers, body: form(fields))
            #expect(ok.status == .ok && ok.json?["status"]?.text == "processed", "\(ok.text)")
            let paymentID = try #require(ok.json?["payment_id"]?.text)
            let stored = try await w.app.store.read { db in try Payments.get(db, id: paymentID) }
            #expect(stored?.state.amountPaise == 1000 && stored?.state.status == .captured && stored?.method == .card)
            // The status changed to pending without the hash: refused.
            let forged = fields.map { $0.0 == "status" ? ("status", "pending") : $0 }
            #expect(await send(w.api, .post, "/v1/webhooks/payu", headers: headers, body: form(forged)).status.code == 401)
        }
    }

    @Test func mismatchesAreListedAndResolvedWithANote() async throws {
        try await withOrders(configure: Self.configure) { w in
            try await w.stock("TEE", 10)
            let placed = await w.place(orderJSON("RZP-2", payment: #"{"method":"prepaid","gateway":"razorpay","gateway_order_id":"order_RZP2","status":"pending"}"#))
            let id = try #require(placed.str("id"))
            #expect(await send(w.api, .post, "/v1/orders/\(id)/cancel", key: w.admin, body: #"{"reason":"customer"}"#).status == .ok)
            let late = await Self.postRazorpay(w, Self.razorpayPayment("pay_LATE", order: "order_RZP2", status: "captured", amount: 49_900), eventID: "evt_late")
            #expect(late.json?["mismatch"]?.text == "paid_after_cancel", "\(late.text)")
            let open = await send(w.api, .get, "/v1/reconciliation/mismatches", key: w.finance)
            #expect(open.list("data").count == 1 && open.str("data.0.kind") == "paid_after_cancel" && open.num("data.0.refund_due_paise") == 49_900)
            let mismatch = try #require(open.str("data.0.id"))
            #expect(await send(w.api, .post, "/v1/reconciliation/mismatches/\(mismatch)/resolve", key: w.finance, body: #"{"note":""}"#).status.code == 422)
            let resolved = await send(w.api, .post, "/v1/reconciliation/mismatches/\(mismatch)/resolve", key: w.finance, body: #"{"note":"Refunded on the Razorpay dashboard"}"#)
            #expect(resolved.status == .ok && resolved.str("status") == "resolved")
            #expect(await send(w.api, .get, "/v1/reconciliation/mismatches", key: w.finance).list("data").isEmpty)
            #expect(await send(w.api, .get, "/v1/reconciliation/mismatches?status=all", key: w.finance).list("data").count == 1, "kept in the history")
            #expect(await send(w.api, .post, "/v1/reconciliation/mismatches/\(mismatch)/resolve", key: w.finance, body: #"{"note":"again"}"#).status == .conflict)
        }
    }
}
