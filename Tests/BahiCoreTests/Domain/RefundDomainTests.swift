import Testing
import BahiCore
import BahiStore
import BahiJSON

/// Refunds on every store: the ceiling holds under concurrency, a failure gives its amount
/// back exactly once, gateways' reports move refunds up their ladder; and the pure pieces
/// (the gateways' wire format, the beneficiary's check).
@Suite struct RefundDomainTests {
    static let now = OrderDomainTests.now

    /// A prepaid order with one Razorpay payment of 99,800 paise captured; its id and the payment.
    static func captured(_ db: any Database, ref: String) throws -> (order: String, payment: Payment) {
        let order = try PaymentDomainTests.waiting(db, ref: ref, gatewayOrderID: "order_\(ref)")
        let outcome = try PaymentFlow.apply(db, PaymentDomainTests.report("pay_\(ref)", order: "order_\(ref)", .captured), orderID: nil, actor: nil, now: now + 1)
        return (order.id, outcome.payment)
    }

    static func refunded(_ store: any DataStore, _ paymentID: String) async throws -> Int64 {
        try await store.read { db in try #require(try Payments.get(db, id: paymentID)).refundedPaise }
    }

    @Test func sixteenConcurrentRefundsNeverTakeMoreThanWasCaptured() async throws {
        try await onEveryStore { store in
            try await store.write { db in try OrderDomainTests.seed(db, stock: 100) }
            let (order, payment) = try await store.write { db in try Self.captured(db, ref: "C-1") }
            let results = await withTaskGroup(of: Result<Refund, DomainError>?.self) { group in
                for n in 0..<16 {
                    group.addTask {
                        do {
                            return .success(try await store.write(rerunnable: true) { db in
                                try RefundFlow.open(db, orderID: order, Refunds.Request(amountPaise: 10_000, reason: "race \(n)"), gateways: ["razorpay"],
                                                    actor: "t", now: Self.now + 10 + Int64(n))
                            })
                        } catch let error as DomainError {
                            return .failure(error)
                        } catch {
                            Issue.record("unexpected \(error)")
                            return nil
                        }
                    }
                }
                var all: [Result<Refund, DomainError>?] = []
                for await r in group { all.append(r) }
                return all
            }
            let succeeded = results.compactMap { if case .success(let r)? = $0 { r } else { nil } }
            let refused = results.compactMap { if case .failure(let e)? = $0 { e } else { nil } }
            #expect(succeeded.count == 9 && refused.count == 7)
            #expect(refused.allSatisfy { $0.code == .refundExceedsCaptured })
            #expect(refused.contains { $0.details.contains { $0.key == "refundable_paise" && $0.json == "9800" } }, "names what remains")
            #expect(try await Self.refunded(store, payment.id) == 90_000)
            let stored = try await store.read { db in try Refunds.refunds(db, orderID: order) }
            #expect(stored.count == 9 && stored.allSatisfy { $0.status == .pending && $0.idempotencyKey == $0.id })
        }
    }

    @Test func aFailedRefundGivesItsAmountBackOnceHoweverOftenTheFailureIsReported() async throws {
        try await onEveryStore { store in
            try await store.write { db in try OrderDomainTests.seed(db, stock: 100) }
            let (order, payment) = try await store.write { db in try Self.captured(db, ref: "F-1") }
            let open = { (amount: Int64) in
                try await store.write(rerunnable: true) { db in
                    try RefundFlow.open(db, orderID: order, Refunds.Request(amountPaise: amount, reason: "damaged"), gateways: ["razorpay"], actor: "t", now: Self.now + 5)
                }
            }
            // Refused by the gateway's API answer, twice.
            let first = try await open(30_000)
            #expect(try await Self.refunded(store, payment.id) == 30_000)
            for _ in 0..<2 {
                let after = try await store.write(rerunnable: true) { db in
                    try Refunds.recordAnswer(db, id: first.id, .refused("Razorpay refused the refund (400): BAD_REQUEST_ERROR"), actor: "t", now: Self.now + 6)
                }
                #expect(after.status == .failed)
            }
            #expect(try await Self.refunded(store, payment.id) == 0)
            // Accepted pending, then failed by two webhooks (one a repeat), then processed (too late).
            let second = try await open(20_000)
            _ = try await store.write(rerunnable: true) { db in
                try Refunds.recordAnswer(db, id: second.id, .accepted(gatewayRefundID: "rfnd_F2", status: .pending, arn: nil), actor: "t", now: Self.now + 7)
            }
            let failedReport = GatewayEvent.RefundUpdate(gatewayRefundID: "rfnd_F2", gatewayPaymentID: "pay_F-1", amountPaise: 20_000, status: .failed)
            for report in [failedReport, failedReport, GatewayEvent.RefundUpdate(gatewayRefundID: "rfnd_F2", gatewayPaymentID: "pay_F-1", amountPaise: 20_000, status: .processed)] {
                let moved = try await store.write(rerunnable: true) { db in try Refunds.applyReported(db, gateway: "razorpay", report, now: Self.now + 8) }
                #expect(moved?.status == .failed && moved?.id == second.id)
            }
            #expect(try await Self.refunded(store, payment.id) == 0)
            // A processed refund never moves back, and a failure after it gives nothing back.
            let third = try await open(99_800)
            _ = try await store.write(rerunnable: true) { db in
                try Refunds.recordAnswer(db, id: third.id, .accepted(gatewayRefundID: "rfnd_F3", status: .processed, arn: nil), actor: "t", now: Self.now + 9)
            }
            let late = try await store.write(rerunnable: true) { db in
                try Refunds.applyReported(db, gateway: "razorpay", GatewayEvent.RefundUpdate(gatewayRefundID: "rfnd_F3", gatewayPaymentID: "pay_F-1", amountPaise: 99_800, status: .failed), now: Self.now + 10)
            }
            #expect(late?.status == .processed)
            #expect(try await Self.refunded(store, payment.id) == 99_800)
            let types = try await store.read { db in try EventLog.list(db, after: 0, type: "refund.*", limit: 100).map(\.type) }
            #expect(types.filter { $0 == "refund.failed" }.count == 2, "one per failed refund: \(types)")
            #expect(types.filter { $0 == "refund.created" }.count == 3 && types.filter { $0 == "refund.processed" }.count == 1)
        }
    }

    @Test func aRefundBahiNeverAskedForIsRecordedForItsPayment() async throws {
        try await onEveryStore { store in
            try await store.write { db in try OrderDomainTests.seed(db, stock: 100) }
            let (order, payment) = try await store.write { db in try Self.captured(db, ref: "D-1") }
            // Made on the dashboard: created pending, then processed, the created one delivered twice.
            let pending = GatewayEvent.RefundUpdate(gatewayRefundID: "rfnd_D1", gatewayPaymentID: "pay_D-1", amountPaise: 5_000, status: .pending)
            let processed = GatewayEvent.RefundUpdate(gatewayRefundID: "rfnd_D1", gatewayPaymentID: "pay_D-1", amountPaise: 5_000, status: .processed, arn: "ARN123")
            for report in [pending, processed, pending] {
                _ = try await store.write(rerunnable: true) { db in try Refunds.applyReported(db, gateway: "razorpay", report, now: Self.now + 3) }
            }
            let refunds = try await store.read { db in try Refunds.refunds(db, orderID: order) }
            #expect(refunds.count == 1 && refunds.first?.status == .processed && refunds.first?.arn == "ARN123" && refunds.first?.gatewayRefundID == "rfnd_D1")
            #expect(try await Self.refunded(store, payment.id) == 5_000)
            // A payment Bahi does not know: nothing recorded.
            let unknown = try await store.write(rerunnable: true) { db in
                try Refunds.applyReported(db, gateway: "razorpay", GatewayEvent.RefundUpdate(gatewayRefundID: "rfnd_X", gatewayPaymentID: "pay_NOBODY", amountPaise: 100, status: .processed), now: Self.now + 4)
            }
            #expect(unknown == nil)
        }
    }

    @Test func theGatewaysWireFormatIsExact() throws {
        #expect(GatewayRefundRequest.rupees(49_900) == "499.00" && GatewayRefundRequest.rupees(5) == "0.05" && GatewayRefundRequest.rupees(123_456) == "1234.56")
        let razorpay = GatewayRefundRequest.razorpay(apiURL: "https://api.razorpay.com/", keyID: "rzp_test_k", keySecret: "s3cret", gatewayPaymentID: "pay_29QQoUBi66xm2f",
                                                     refundID: "rfd_01JB8Z6Y1R7S8T9V0W1X2Y3Z4A", amountPaise: 49_900)
        #expect(razorpay.url == "https://api.razorpay.com/v1/payments/pay_29QQoUBi66xm2f/refund")
        #expect(String(decoding: razorpay.body, as: UTF8.self) == #"{"amount":49900,"speed":"normal","notes":{"bahi_refund_id":"rfd_01JB8Z6Y1R7S8T9V0W1X2Y3Z4A"},"receipt":"rfd_01JB8Z6Y1R7S8T9V0W1X2Y3Z4A"}"#)
        #expect(razorpay.headers.contains { $0.name == "Authorization" && $0.value == "Basic " + Base64.encode(Array("rzp_test_k:s3cret".utf8)) })
        let cashfree = GatewayRefundRequest.cashfree(apiURL: "https://api.cashfree.com/pg", appID: "app", clientSecret: "cs", gatewayOrderID: "order OFR/2",
                                                     refundID: "rfd_X", amountPaise: 49_900, note: "damaged")
        #expect(cashfree.url == "https://api.cashfree.com/pg/orders/order%20OFR%2F2/refunds")
        #expect(String(decoding: cashfree.body, as: UTF8.self) == #"{"refund_amount":499.00,"refund_id":"rfd_X","refund_note":"damaged"}"#)
        // Answers.
        let entity = #"{"id":"rfnd_FP8QHiV938haTz","entity":"refund","amount":49900,"currency":"INR","payment_id":"pay_29QQoUBi66xm2f","notes":[],"receipt":null,"acquirer_data":{"arn":null},"created_at":1597078866,"batch_id":null,"status":"processed","speed_processed":"normal","speed_requested":"normal"}"#
        #expect(GatewayRefundAnswer.razorpay(status: 200, body: Array(entity.utf8)) == .accepted(gatewayRefundID: "rfnd_FP8QHiV938haTz", status: .processed, arn: nil))
        let refusal = #"{"error":{"code":"BAD_REQUEST_ERROR","description":"The refund amount provided is greater than amount captured","source":"business","step":"payment_initiation","reason":"input_validation_failed","metadata":{}}}"#
        #expect(GatewayRefundAnswer.razorpay(status: 400, body: Array(refusal.utf8))
                == .refused("Razorpay refused the refund (400): BAD_REQUEST_ERROR: The refund amount provided is greater than amount captured"))
        if case .unknown = GatewayRefundAnswer.razorpay(status: 502, body: []) {} else { Issue.record("a 5xx says nothing certain") }
        let cf = #"{"cf_payment_id":789727431,"cf_refund_id":"11325632","refund_id":"rfd_X","order_id":"order_OFR_2","refund_amount":499.00,"refund_currency":"INR","entity":"refund","refund_status":"PENDING"}"#
        #expect(GatewayRefundAnswer.cashfree(status: 200, body: Array(cf.utf8)) == .accepted(gatewayRefundID: "11325632", status: .pending, arn: nil))
    }

    @Test func aBeneficiaryIsCheckedAndOnlyItsLastFourDigitsKept() throws {
        let ok = try RefundBeneficiary.checked(name: " Asha Patel ", accountNumber: "0012 3456 7890 1234", ifsc: "hdfc0001234").get()
        #expect(ok == RefundBeneficiary(name: "Asha Patel", accountMasked: "XXXXXX1234", ifsc: "HDFC0001234"))
        guard case .failure(let error) = RefundBeneficiary.checked(name: "", accountNumber: "12345678", ifsc: "HDFC1001234") else {
            Issue.record("accepted a bad beneficiary")
            return
        }
        #expect(Set(error.problems.map(\.field)) == ["beneficiary.name", "beneficiary.account_number", "beneficiary.ifsc"])
        #expect(!error.description.contains("12345678"))
        for (code, valid) in [("SBIN0000001", true), ("SBIN000000", false), ("SBI10000001", false), ("SBIN0ABC12D", true), ("sbin0000001", false)] {
            #expect(RefundBeneficiary.isIFSC(code) == valid, "\(code)")
        }
    }
}
