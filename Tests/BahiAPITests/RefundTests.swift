import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON

/// Refunds on a live API (both stores) against local stubs speaking Razorpay's and Cashfree's
/// refund wire format: what is sent, what each answer does, payouts for COD, webhooks.
@Suite struct RefundTests {
    /// A stub gateway on 127.0.0.1 (the webhook tests' receiver: it records and answers a script).
    static func withGateway<T>(_ body: (WebhookReceiver, Int) async throws -> T) async throws -> T {
        try await withStub(WebhookReceiver(), body)
    }

    static func configure(_ port: Int) -> (inout BahiConfiguration) -> Void {
        { config in
            config.secrets.razorpayKeyID = "rzp_test_key"
            config.secrets.razorpayKeySecret = "rzp_test_secret"
            config.secrets.cashfreeAppID = "cf_app"
            config.payments.razorpayAPIURL = "http://127.0.0.1:\(port)"
            config.payments.cashfreeAPIURL = "http://127.0.0.1:\(port)/pg"
        }
    }

    static func json(_ status: HTTPStatus, _ body: String) -> WebhookReceiver.Answer {
        WebhookReceiver.Answer(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    static func razorpayRefund(_ id: String, payment: String, amount: Int64, status: String) -> String {
        #"{"id":"\#(id)","entity":"refund","amount":\#(amount),"currency":"INR","payment_id":"\#(payment)","notes":{},"receipt":null,"acquirer_data":{"arn":null},"created_at":1597078866,"batch_id":null,"status":"\#(status)","speed_processed":"normal","speed_requested":"normal"}"#
    }

    /// A prepaid order paid 49,900 paise through Razorpay (`pay_<ref>`); its id.
    static func paidByRazorpay(_ w: OrderWorld, _ ref: String) async throws -> String {
        try await w.stock("TEE", 10)
        let id = await w.placed(orderJSON(ref, payment: #"{"method":"prepaid","gateway":"razorpay","gateway_order_id":"order_\#(ref)","status":"pending"}"#))
        let paid = await w.post("/v1/orders/\(id)/payments", #"{"amount_paise":49900,"gateway":"razorpay","gateway_payment_id":"pay_\#(ref)"}"#)
        #expect(paid.status == .created, "\(paid.text)")
        return id
    }

    static func refund(_ w: OrderWorld, _ orderID: String, _ body: String) async -> HTTPResponse {
        await send(w.api, .post, "/v1/orders/\(orderID)/refunds", key: w.finance, body: body)
    }

    @Test func razorpayIsAskedWithBasicAuthTheIdempotencyKeyAndTheExactAmount() async throws {
        try await Self.withGateway { stub, port in
            try await withOrders(configure: Self.configure(port)) { w in
                let order = try await Self.paidByRazorpay(w, "RF-1")
                stub.script([Self.json(.ok, Self.razorpayRefund("rfnd_1", payment: "pay_RF-1", amount: 12_345, status: "processed"))])
                let done = await Self.refund(w, order, #"{"amount_paise":12345,"reason":"damaged in transit","lines":[{"sku":"TEE","qty":1}]}"#)
                #expect(done.status == .created, "\(done.text)")
                #expect(done.str("status") == "processed" && done.str("gateway_refund_id") == "rfnd_1" && done.str("gateway") == "razorpay")
                let refundID = try #require(done.str("id"))
                #expect(done.headers["Location"] == "/v1/refunds/\(refundID)")
                let sent = try #require(stub.received.first)
                #expect(sent.path == "/v1/payments/pay_RF-1/refund")
                #expect(sent.headers["Authorization"] == "Basic " + Base64.encode(Array("rzp_test_key:rzp_test_secret".utf8)))
                #expect(sent.headers["X-Refund-Idempotency"] == refundID)
                #expect(sent.json?["amount"] == .int(12_345) && sent.json?["receipt"] == .string(refundID) && sent.json?["speed"] == .string("normal"))
                // The gateway refuses (400): failed, and the amount is refundable again.
                stub.script([Self.json(.badRequest, #"{"error":{"code":"BAD_REQUEST_ERROR","description":"The refund amount provided is greater than amount captured","source":"business","step":"payment_initiation","reason":"input_validation_failed","metadata":{}}}"#)])
                let refused = await Self.refund(w, order, #"{"amount_paise":37555,"reason":"customer"}"#)
                #expect(refused.status == .created && refused.str("status") == "failed", "\(refused.text)")
                #expect(refused.str("error")?.contains("greater than amount captured") == true)
                stub.script([Self.json(.ok, Self.razorpayRefund("rfnd_3", payment: "pay_RF-1", amount: 37_555, status: "pending"))])
                let rest = await Self.refund(w, order, #"{"amount_paise":37555,"reason":"customer"}"#)
                #expect(rest.status == .created && rest.str("status") == "pending" && rest.str("gateway_refund_id") == "rfnd_3", "\(rest.text)")
                // Nothing left: refused before the gateway is asked, naming what remains.
                let before = stub.received.count
                let over = await Self.refund(w, order, #"{"amount_paise":1,"reason":"customer"}"#)
                #expect(over.status == .conflict && over.code == "refund_exceeds_captured" && over.num("refundable_paise") == 0, "\(over.text)")
                #expect(stub.received.count == before)
                let listed = await send(w.api, .get, "/v1/orders/\(order)/refunds", key: w.finance)
                #expect(listed.list("data").map { $0["status"]?.text } == ["processed", "failed", "pending"])
                #expect(listed.list("data").first?["lines"]?[0]?["sku"]?.text == "TEE")
                // A webhook moves the pending one; one Bahi never asked for is recorded too.
                let processed = #"{"entity":"event","account_id":"acc_1","event":"refund.processed","contains":["refund","payment"],"payload":{"refund":{"entity":\#(Self.razorpayRefund("rfnd_3", payment: "pay_RF-1", amount: 37_555, status: "processed"))}},"created_at":1597734071}"#
                let hook = await GatewayWebhookTests.postRazorpay(w, processed, eventID: "evt_rf_1")
                #expect(hook.status == .ok && hook.json?["status"]?.text == "processed" && hook.json?["refund_id"]?.text == rest.str("id"), "\(hook.text)")
                #expect(await send(w.api, .get, "/v1/refunds/\(rest.str("id") ?? "")", key: w.finance).str("status") == "processed")
            }
        }
    }

    @Test func aGatewayThatCannotBeReachedLeavesTheRefundPendingAndSafeToRetry() async throws {
        // A port nothing listens on: the stub started and stopped.
        let stub = WebhookReceiver()
        let port = try stub.start()
        await stub.stop()
        try await withOrders(configure: Self.configure(port)) { w in
            let order = try await Self.paidByRazorpay(w, "RF-2")
            let r = await Self.refund(w, order, #"{"amount_paise":1000,"reason":"customer"}"#)
            #expect(r.status == .created && r.str("status") == "pending", "\(r.text)")
            #expect(r.str("error")?.contains("could not be reached") == true && r.str("error")?.contains("same idempotency key") == true)
            let over = await Self.refund(w, order, #"{"amount_paise":48901,"reason":"customer"}"#)
            #expect(over.code == "refund_exceeds_captured", "the pending refund still holds its amount")
        }
    }

    @Test func aGatewayWithoutCredentialsIsRefusedBeforeAnythingIsWritten() async throws {
        try await withOrders { w in
            let order = try await Self.paidByRazorpay(w, "RF-3")
            let r = await Self.refund(w, order, #"{"amount_paise":1000,"reason":"customer"}"#)
            #expect(r.status == .conflict && r.code == "gateway_not_configured", "\(r.text)")
            #expect(await send(w.api, .get, "/v1/orders/\(order)/refunds", key: w.finance).list("data").isEmpty)
            #expect(try await w.eventTypes(order).filter { $0.hasPrefix("refund.") }.isEmpty)
        }
    }

    @Test func cashfreeIsSentTheExactRupeeText() async throws {
        try await Self.withGateway { stub, port in
            try await withOrders(configure: Self.configure(port)) { w in
                try await w.stock("TEE", 10)
                let order = await w.placed(orderJSON("CF-1", payment: #"{"method":"prepaid","gateway":"cashfree","gateway_order_id":"order_CF_1","status":"pending"}"#))
                let body = #"{"data":{"order":{"order_id":"order_CF_1","order_amount":499.00,"order_currency":"INR"},"payment":{"cf_payment_id":"5114910","payment_status":"SUCCESS","payment_amount":499.00,"payment_currency":"INR"}},"event_time":"2025-01-15T11:16:10+05:30","type":"PAYMENT_SUCCESS_WEBHOOK"}"#
                let now = String(WallClock.milliseconds())
                let signature = CashfreeSignature.signature(secret: "cf_test_secret", timestamp: now, body: Array(body.utf8))
                let paid = await send(w.api, .post, "/v1/webhooks/cashfree", headers: [("x-webhook-signature", signature), ("x-webhook-timestamp", now)], body: body)
                #expect(paid.json?["status"]?.text == "processed" && paid.json?["mismatch"] == .null, "\(paid.text)")
                stub.script([Self.json(.ok, #"{"cf_payment_id":5114910,"cf_refund_id":"88001","refund_id":"x","order_id":"order_CF_1","entity":"refund","refund_amount":499.00,"refund_currency":"INR","refund_status":"SUCCESS","refund_arn":"ARN9"}"#)])
                let r = await Self.refund(w, order, #"{"amount_paise":49900,"reason":"customer"}"#)
                #expect(r.status == .created && r.str("status") == "processed" && r.str("gateway_refund_id") == "88001" && r.str("arn") == "ARN9", "\(r.text)")
                let sent = try #require(stub.received.first)
                #expect(sent.path == "/pg/orders/order_CF_1/refunds")
                #expect(String(decoding: sent.body, as: UTF8.self) == #"{"refund_amount":499.00,"refund_id":"\#(r.str("id") ?? "")","refund_note":"customer"}"#)
                #expect(sent.headers["x-client-id"] == "cf_app" && sent.headers["x-client-secret"] == "cf_test_secret" && sent.headers["x-api-version"] == "2023-08-01")
            }
        }
    }

    @Test func refundedLinesMustBeTheOrdersAndNoMoreThanOrdered() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            let order = await w.placed(orderJSON("COD-LN", lines: [("TEE", 2, 49900, 0)], payment: codPayment))
            #expect(await w.post("/v1/orders/\(order)/payments", #"{"amount_paise":99800}"#).status == .created)
            let payee = #""beneficiary":{"name":"Asha Patel","account_number":"50100234567890","ifsc":"HDFC0001234"}"#
            let unknown = await Self.refund(w, order, #"{"amount_paise":100,"reason":"returned","lines":[{"sku":"MUG","qty":1}],\#(payee)}"#)
            #expect(unknown.status.code == 422 && unknown.fieldErrors["lines[0].sku"] == "unknown_line", "\(unknown.text)")
            let tooMany = await Self.refund(w, order, #"{"amount_paise":100,"reason":"returned","lines":[{"sku":"TEE","qty":2},{"sku":"TEE","qty":1}],\#(payee)}"#)
            #expect(tooMany.status.code == 422 && tooMany.fieldErrors["lines[1].qty"] == "exceeds_ordered", "\(tooMany.text)")
            let shape = await Self.refund(w, order, #"{"amount_paise":100,"reason":"returned","lines":[{"sku":"TEE"},7],\#(payee)}"#)
            #expect(shape.status.code == 400 && shape.fieldErrors["lines[0].qty"] == "required" && shape.fieldErrors["lines[1]"] == "invalid_type", "\(shape.text)")
            let refunds = try await w.app.store.read { db in try Refunds.refunds(db, orderID: order) }
            #expect(refunds.isEmpty, "a refused refund leaves no trace")
            let ok = await Self.refund(w, order, #"{"amount_paise":49900,"reason":"returned","lines":[{"sku":"TEE","qty":1}],\#(payee)}"#)
            #expect(ok.status == .created, "\(ok.text)")
        }
    }

    @Test func aCODRefundIsAPayoutWithTheAccountMaskedEverywhere() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            let order = await w.placed(orderJSON("COD-RF", payment: codPayment))
            #expect(await w.post("/v1/orders/\(order)/payments", #"{"amount_paise":49900}"#).status == .created)
            let missing = await Self.refund(w, order, #"{"amount_paise":1234,"reason":"returned"}"#)
            #expect(missing.status.code == 422 && missing.fieldErrors["beneficiary"] == "required", "\(missing.text)")
            let bad = await Self.refund(w, order, #"{"amount_paise":1234,"reason":"returned","beneficiary":{"name":"Asha","account_number":"12AB","ifsc":"HDFC1234567"}}"#)
            #expect(bad.status.code == 422 && bad.fieldErrors["beneficiary.account_number"] == "invalid" && bad.fieldErrors["beneficiary.ifsc"] == "invalid")
            let account = "50100234567890"
            let r = await Self.refund(w, order, #"{"amount_paise":1234,"reason":"returned","beneficiary":{"name":"Asha Patel","account_number":"\#(account)","ifsc":"HDFC0001234"}}"#)
            #expect(r.status == .created && r.str("status") == "pending" && r.str("gateway") == "payout", "\(r.text)")
            #expect(r.str("beneficiary.account_masked") == "XXXXXX7890" && !r.text.contains(account))
            let id = try #require(r.str("id"))
            let csv = await send(w.api, .get, "/v1/refunds/payouts.csv?status=pending", key: w.finance)
            #expect(csv.status == .ok && csv.text == "beneficiary_name,account_masked,ifsc,amount_rupees,refund_id,order_id\r\nAsha Patel,XXXXXX7890,HDFC0001234,12.34,\(id),\(order)\r\n", "\(csv.text)")
            let paid = await send(w.api, .post, "/v1/refunds/\(id)/mark-paid", key: w.finance, body: #"{"utr":"HDFCN52026120412345"}"#)
            #expect(paid.status == .ok && paid.str("status") == "processed" && paid.str("utr") == "HDFCN52026120412345", "\(paid.text)")
            #expect(await send(w.api, .post, "/v1/refunds/\(id)/mark-paid", key: w.finance, body: #"{"utr":"HDFCN52026120412345"}"#).status == .ok)
            #expect(await send(w.api, .post, "/v1/refunds/\(id)/mark-paid", key: w.finance, body: #"{"utr":"OTHER123456"}"#).status == .conflict)
            #expect(await send(w.api, .get, "/v1/refunds/payouts.csv", key: w.finance).text.split(separator: "\r\n").count == 1, "no longer pending")
            #expect(try await w.eventTypes(order).filter { $0.hasPrefix("refund.") } == ["refund.created", "refund.processed"])
            // The whole number is nowhere: not in events, not in any refund column.
            let leaks = try await w.app.store.read { db in
                try db.queryFirst("SELECT COUNT(*) AS n FROM events WHERE payload LIKE ?1", ["%\(account)%"]) { row -> Int64 in try row["n"] } ?? -1
            }
            #expect(leaks == 0)
            let stored = try await w.app.store.read { db in try Refunds.get(db, id: id) }
            #expect(stored.map { "\($0)" }?.contains(account) == false)
        }
    }
}
