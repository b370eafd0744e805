import Testing
import BahiCore
import BahiStore
import BahiJSON

/// Payments recorded from any source, merged whatever the order and repetition of their
/// reports, carried to their orders, and the money that went wrong named — on every store.
@Suite struct PaymentDomainTests {
    static let now = OrderDomainTests.now

    /// Every ordering of `items` (n! of them).
    static func permutations<T>(_ items: [T]) -> [[T]] {
        guard items.count > 1 else { return [items] }
        var all: [[T]] = []
        for (i, item) in items.enumerated() {
            var rest = items
            rest.remove(at: i)
            for tail in permutations(rest) { all.append([item] + tail) }
        }
        return all
    }

    static let reports: [PaymentState] = [
        PaymentState(status: .pending, amountPaise: 99_800),
        PaymentState(status: .failed, amountPaise: 99_800, errorCode: "BAD_REQUEST_ERROR", errorDescription: "Payment failed"),
        PaymentState(status: .authorized, amountPaise: 99_800),
        PaymentState(status: .captured, amountPaise: 99_800, feePaise: 2_356, taxPaise: 359),
        PaymentState(status: .failed, amountPaise: 99_800, errorCode: "GATEWAY_ERROR", errorDescription: "Timed out"),
    ]

    @Test func everyOrderAndRepetitionOfOnePaymentsReportsEndsTheSame() {
        let expected = PaymentState(status: .captured, amountPaise: 99_800, feePaise: 2_356, taxPaise: 359)
        var checked = 0
        for order in Self.permutations(Self.reports) {
            // Each permutation, and each again with its reports repeated (at least once).
            for repeated in [order, order + order.reversed(), order.flatMap { [$0, $0] }] {
                let merged = repeated.dropFirst().reduce(repeated[0]) { $0.merged(with: $1) }
                #expect(merged == expected, "\(repeated.map(\.status))")
                checked += 1
            }
        }
        #expect(checked == 360)
        // Failed alone: the same error whichever failure came last.
        let failures = [Self.reports[1], Self.reports[4]]
        #expect(failures[0].merged(with: failures[1]) == failures[1].merged(with: failures[0]))
        // Nothing moves a captured payment back.
        #expect(expected.merged(with: Self.reports[1]).status == .captured)
    }

    @Test func aCaptureNamesWhatWentWrongWithItsOrder() {
        typealias K = PaymentMismatch.Kind
        let table: [(amount: Int64, total: Int64, paidBefore: Int64, cancelled: Bool, expect: (K, Int64)?)] = [
            (99_800, 99_800, 0, false, nil),                          // exactly the total
            (99_800, 99_800, 0, true, (.paidAfterCancel, 99_800)),    // cancelled (or expired) first
            (99_800, 99_800, 99_800, false, (.doubleCharge, 99_800)), // a second capture
            (100_000, 99_800, 0, false, (.amountMismatch, 200)),      // more than the total: the excess is due
            (50_000, 99_800, 0, false, (.amountMismatch, 0)),         // less: nothing due back
            (49_800, 99_800, 50_000, false, nil),                     // the second half of a split payment
            (60_000, 99_800, 50_000, false, (.amountMismatch, 10_200)),
            (0, 0, 0, false, nil),
        ]
        for row in table {
            let found = PaymentMismatch.onCapture(amountPaise: row.amount, orderTotalPaise: row.total, paidBeforePaise: row.paidBefore, cancelled: row.cancelled)
            #expect(found?.kind == row.expect?.0 && found?.refundDuePaise == row.expect?.1, "\(row)")
        }
    }

    /// A prepaid order waiting for its money, with the gateway's order id `gatewayOrderID`.
    static func waiting(_ db: any Database, ref: String, gatewayOrderID: String) throws -> Order {
        var draft = OrderDomainTests.draft(ref, paid: false)
        draft.gatewayOrderID = gatewayOrderID
        let placed = try PlaceOrderFlow.place(db, draft: draft, policy: OrderDomainTests.policy, actor: "t", now: now)
        #expect(placed.order.status == .pendingPayment)
        return placed.order
    }

    static func report(_ paymentID: String, order: String?, _ status: PaymentState.Status, amount: Int64 = 99_800) -> Payments.Report {
        Payments.Report(gateway: "razorpay", gatewayPaymentID: paymentID, gatewayOrderID: order, method: .upi,
                        state: PaymentState(status: status, amountPaise: amount, feePaise: status == .captured ? 2_356 : nil))
    }

    @Test func gatewayReportsInAnyOrderConfirmTheOrderOnceAndAnnounceEachStatusOnce() async throws {
        try await onEveryStore { store in
            // The same four reports in six orders, each against its own order: all end alike.
            let sequences: [[PaymentState.Status]] = [
                [.pending, .authorized, .captured, .failed], [.failed, .captured, .captured, .authorized],
                [.captured, .failed, .pending, .authorized], [.authorized, .failed, .captured, .pending],
                [.failed, .pending, .authorized, .captured], [.captured, .captured, .captured, .failed],
            ]
            try await store.write { db in try OrderDomainTests.seed(db, stock: 100) }
            for (n, sequence) in sequences.enumerated() {
                let (order, payment) = try await store.write { db -> (Order, Payment) in
                    let order = try Self.waiting(db, ref: "P-\(n)", gatewayOrderID: "order_P\(n)")
                    var last: PaymentFlow.Outcome?
                    for status in sequence {
                        last = try PaymentFlow.apply(db, Self.report("pay_G\(n)", order: "order_P\(n)", status), orderID: nil, actor: nil, now: Self.now + 1)
                    }
                    return (try #require(try OrderDetails.find(db, id: order.id, history: false)), try #require(last).payment)
                }
                #expect(payment.orderID == order.id)
                #expect(payment.state.status == .captured && payment.state.feePaise == 2_356, "\(sequence)")
                #expect(order.status == .confirmed && order.paymentStatus == .paid && order.paidPaise == 99_800, "\(sequence)")
                let types = try await store.read { db in
                    try EventLog.list(db, after: 0, type: "payment.*", limit: 1000).filter { $0.entityID == payment.id }.map(\.type)
                }
                #expect(Set(types).count == types.count, "each status announced once: \(types)")
                #expect(types.last == "payment.captured" || types.contains("payment.captured"))
                let mismatches = try await store.read { db in try Payments.mismatches(db, orderID: order.id) }
                #expect(mismatches.isEmpty, "\(sequence): \(mismatches.map(\.kind))")
            }
        }
    }

    @Test func moneyThatWentWrongIsNamedWithTheRefundDue() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try OrderDomainTests.seed(db, stock: 100)
                // Paid after cancel.
                let cancelled = try Self.waiting(db, ref: "M-1", gatewayOrderID: "order_M1")
                _ = try CancelOrderFlow.cancel(db, id: cancelled.id, reason: .customer, note: nil, actor: "t", now: Self.now + 1)
                let late = try PaymentFlow.apply(db, Self.report("pay_M1", order: "order_M1", .captured), orderID: nil, actor: nil, now: Self.now + 2)
                #expect(late.mismatch?.kind == .paidAfterCancel && late.mismatch?.refundDuePaise == 99_800)
                #expect(try #require(try OrderDetails.find(db, id: cancelled.id, history: false)).status == .cancelled, "nothing moves a cancelled order back")
                // A double charge: two payments captured for one order.
                let double = try Self.waiting(db, ref: "M-2", gatewayOrderID: "order_M2")
                let first = try PaymentFlow.apply(db, Self.report("pay_M2a", order: "order_M2", .captured), orderID: nil, actor: nil, now: Self.now + 3)
                #expect(first.mismatch == nil)
                let second = try PaymentFlow.apply(db, Self.report("pay_M2b", order: "order_M2", .captured), orderID: nil, actor: nil, now: Self.now + 4)
                #expect(second.mismatch?.kind == .doubleCharge && second.mismatch?.refundDuePaise == 99_800)
                #expect(try #require(try OrderDetails.find(db, id: double.id, history: false)).paidPaise == 199_600)
                // The wrong amount.
                let wrong = try Self.waiting(db, ref: "M-3", gatewayOrderID: "order_M3")
                let short = try PaymentFlow.apply(db, Self.report("pay_M3", order: "order_M3", .captured, amount: 90_000), orderID: nil, actor: nil, now: Self.now + 5)
                #expect(short.mismatch?.kind == .amountMismatch && short.mismatch?.expectedPaise == 99_800 && short.mismatch?.refundDuePaise == 0)
                #expect(try #require(try OrderDetails.find(db, id: wrong.id, history: false)).status == .pendingPayment, "a short payment confirms nothing")
                // An orphan: no order has this gateway order id; kept, not dropped.
                let orphan = try PaymentFlow.apply(db, Self.report("pay_M4", order: "order_NOBODY", .captured), orderID: nil, actor: nil, now: Self.now + 6)
                #expect(orphan.payment.orderID == nil && orphan.mismatch?.kind == .orphanPayment && orphan.mismatch?.refundDuePaise == 99_800)
                // The same report again finds nothing new.
                let again = try PaymentFlow.apply(db, Self.report("pay_M2b", order: "order_M2", .captured), orderID: nil, actor: nil, now: Self.now + 7)
                #expect(again.mismatch == nil && !again.created)
                // Resolved with a note, and kept.
                let resolved = try Payments.resolve(db, id: try #require(second.mismatch?.id), note: "Refunded pay_M2b by hand", actor: "fin", now: Self.now + 8)
                #expect(resolved.status == .resolved && resolved.note == "Refunded pay_M2b by hand")
                #expect(throws: DomainError.self) { try Payments.resolve(db, id: resolved.id, note: "again", actor: "fin", now: Self.now + 9) }
                let open = try Payments.mismatches(db, openOnly: true, before: nil, limit: 10)
                #expect(Set(open.map(\.kind)) == [.paidAfterCancel, .amountMismatch, .orphanPayment])
            }
        }
    }

    @Test func aCaptureAndACancelRacingForOneOrderEndInOneConsistentState() async throws {
        try await onEveryStore { store in
            try await store.write { db in try OrderDomainTests.seed(db, stock: 100) }
            for n in 0..<8 {
                let order = try await store.write { db in try Self.waiting(db, ref: "R-\(n)", gatewayOrderID: "order_R\(n)") }
                // Two webhooks (a repeat of the capture) and a cancel, at once.
                async let capture1: PaymentFlow.Outcome = store.write { db in
                    try PaymentFlow.apply(db, Self.report("pay_R\(n)", order: "order_R\(n)", .captured), orderID: nil, actor: nil, now: Self.now + 1)
                }
                async let capture2: PaymentFlow.Outcome = store.write { db in
                    try PaymentFlow.apply(db, Self.report("pay_R\(n)", order: "order_R\(n)", .captured), orderID: nil, actor: nil, now: Self.now + 1)
                }
                async let cancel: Result<Order, any Error> = { () async -> Result<Order, any Error> in
                    do {
                        return .success(try await store.write { db in
                            try CancelOrderFlow.cancel(db, id: order.id, reason: .customer, note: nil, actor: "t", now: Self.now + 1)
                        })
                    } catch { return .failure(error) }
                }()
                _ = try await (capture1, capture2)
                _ = await cancel
                try await store.read { db in
                    let final = try #require(try OrderDetails.find(db, id: order.id, history: false))
                    let payments = try Payments.payments(db, orderID: order.id)
                    #expect(payments.count == 1 && payments[0].state.status == .captured)
                    #expect(final.paidPaise == 99_800, "the capture counted once")
                    let mismatches = try Payments.mismatches(db, orderID: order.id).map(\.kind)
                    if final.status == .cancelled {
                        // Cancelled first: the money is due back — or cancelled after it was paid (refund_due).
                        #expect(mismatches == [.paidAfterCancel] || (mismatches.isEmpty && final.refundDue), "\(mismatches)")
                    } else {
                        #expect(final.status == .confirmed && mismatches.isEmpty)
                    }
                }
            }
        }
    }

    @Test func codCashCollectedOnDeliveryIsRecordedOncePerParcel() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try OrderDomainTests.seed(db, stock: 10)
                let placed = try PlaceOrderFlow.place(db, draft: OrderDomainTests.draft("COD-1", method: .cod, paid: false), policy: OrderDomainTests.policy,
                                                      actor: "t", now: Self.now)
                #expect(placed.order.paymentStatus == .codPending)
                let first = try PaymentFlow.codCollected(db, orderID: placed.order.id, amountPaise: placed.order.totals.totalPaise,
                                                         reference: "AWB123", actor: "courier", now: Self.now + 1)
                #expect(first.created && first.payment.method == .cod && first.mismatch == nil)
                let again = try PaymentFlow.codCollected(db, orderID: placed.order.id, amountPaise: placed.order.totals.totalPaise,
                                                         reference: "AWB123", actor: "courier", now: Self.now + 2)
                #expect(!again.created && again.payment.id == first.payment.id)
                let order = try #require(try OrderDetails.find(db, id: placed.order.id, history: false))
                #expect(order.paymentStatus == .codCollected && order.paidPaise == placed.order.totals.totalPaise)
            }
        }
    }
}
