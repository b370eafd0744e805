import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// The reconciliation report on a hand-built month — the thirty days to the moment the test
/// runs (the import route runs the checks at the wall clock's now, so the month must end now):
/// every figure below was worked out by hand from the story in `aHandBuiltMonth` (in terms of
/// T, one order's total), and the checks and the report must agree with it on both stores.
@Suite struct ReconciliationReportTests {
    static let day: Int64 = 86_400_000

    /// Times in the month that ends at `asOf`.
    struct Month {
        let asOf = Int64(WallClock.milliseconds())
        /// n whole days (and an hour) before `asOf`: an age of exactly n days.
        func daysAgo(_ n: Int64) -> Int64 { asOf - n * ReconciliationReportTests.day - 3_600_000 }
        var from: Int64 { asOf - 30 * ReconciliationReportTests.day }
        /// The period's end: a minute past `asOf`, so everything dated before it is inside.
        var to: Int64 { asOf + 60_000 }
        func placed(_ ref: String, payment: String, phone: Int) -> String {
            orderJSON(ref, payment: payment, phone: "+91 98250 \(10000 + phone)")
                .replacingOccurrences(of: "2026-11-22T06:15:00Z", with: Timestamps.rfc3339(milliseconds: daysAgo(29)))
        }
    }

    static func capture(_ w: OrderWorld, order: String?, id: String, amount: Int64, method: PaymentInstrument, at: Int64, gatewayOrderID: String? = nil) async throws {
        _ = try await w.app.write { db in
            try PaymentFlow.apply(db, Payments.Report(gateway: "razorpay", gatewayPaymentID: id, gatewayOrderID: gatewayOrderID, method: method,
                                                      state: PaymentState(status: .captured, amountPaise: amount)),
                                  orderID: order, actor: "test", now: at)
        }
    }

    static func collect(_ w: OrderWorld, order: String, amount: Int64, awb: String, at: Int64) async throws {
        _ = try await w.app.write { db in try PaymentFlow.codCollected(db, orderID: order, amountPaise: amount, reference: awb, actor: "courier", now: at) }
    }

    static func payout(_ w: OrderWorld, order: String, amount: Int64, at: Int64) async throws -> Refund {
        try await w.app.write { db in
            try RefundFlow.open(db, orderID: order, Refunds.Request(amountPaise: amount, reason: "returned",
                                                                    beneficiary: RefundBeneficiary(name: "Asha Patel", accountMasked: "XXXXXX1234", ifsc: "HDFC0001234")),
                                gateways: [], actor: "test", now: at)
        }
    }

    static func seconds(_ ms: Int64) -> String { String(ms / 1000) }

    static func post(_ w: OrderWorld, _ csv: String, kind: String) async -> HTTPResponse {
        await send(w.api, .post, "/v1/reconciliation/imports?kind=\(kind)", key: w.finance, headers: [("Content-Type", "text/csv")], body: csv)
    }

    /// An import without the route's checks after it (the test runs them itself, at its own time).
    static func imported(_ w: OrderWorld, _ csv: String, kind: SettlementImport.Kind) async throws -> SettlementImport.Report {
        let app = w.app
        return try await SettlementImport.run(SettlementImport.parse(Array(csv.utf8), kind: kind), importID: EntityID.make(.importBatch),
                                              courier: "shiprocket", actor: "test", write: { body in try await app.write(body) })
    }

    @Test func aHandBuiltMonth() async throws {
        try await withOrders(configure: { config in
            config.reconciliation.feeBpsCard = 200
            config.reconciliation.feeBpsUPI = 0
            config.reconciliation.checkIntervalSeconds = 0
        }) { w in
            let m = Month()
            try await w.stock("TEE", 50)
            // Prepaid orders O1–O5 and O10, COD orders O6–O9, all placed 29 days ago.
            var o: [Int: String] = [:]
            var total: Int64 = 0
            for n in [1, 2, 3, 4, 5, 10] {
                let placed = await w.place(m.placed("NOV-\(n)", payment: pendingPayment, phone: n))
                o[n] = try #require(placed.str("id"), "\(placed.text)")
                total = try #require(placed.num("totals.total_paise"))
            }
            for n in [6, 7, 8, 9] {
                let placed = await w.place(m.placed("NOV-\(n)", payment: codPayment, phone: n))
                o[n] = try #require(placed.str("id"), "\(placed.text)")
            }
            let T = total
            #expect((await w.post("/v1/orders/\(o[10]!)/cancel", #"{"reason":"customer"}"#)).status == .ok)

            // Captures (Razorpay): O1 and O2 twenty days ago, O3 yesterday, O4 fifteen, O5 ten days ago;
            // a payment matching no order five days ago; the cancelled O10 paid two days ago.
            try await Self.capture(w, order: o[1], id: "pay_NOV1", amount: T, method: .card, at: m.daysAgo(20))
            try await Self.capture(w, order: o[2], id: "pay_NOV2", amount: T, method: .card, at: m.daysAgo(20))
            try await Self.capture(w, order: o[3], id: "pay_NOV3", amount: T, method: .upi, at: m.daysAgo(1))
            try await Self.capture(w, order: o[4], id: "pay_NOV4", amount: T, method: .upi, at: m.daysAgo(15))
            try await Self.capture(w, order: o[5], id: "pay_NOV5", amount: T, method: .card, at: m.daysAgo(10))
            try await Self.capture(w, order: nil, id: "pay_ORPHAN", amount: 12_345, method: .upi, at: m.daysAgo(5), gatewayOrderID: "order_nobody")
            try await Self.capture(w, order: o[10], id: "pay_NOV10", amount: T, method: .card, at: m.daysAgo(2))
            // COD cash: O6 twenty days ago, O7 three, O8 twelve; O9 thirty-five (back-dated before the
            // month began, to prove the period's edge).
            try await Self.collect(w, order: o[6]!, amount: T, awb: "AWB6", at: m.daysAgo(20))
            try await Self.collect(w, order: o[7]!, amount: T, awb: "AWB7", at: m.daysAgo(3))
            try await Self.collect(w, order: o[8]!, amount: T, awb: "AWB8", at: m.daysAgo(12))
            try await Self.collect(w, order: o[9]!, amount: T, awb: "AWB9", at: m.daysAgo(35))
            // Refunds (bank payouts, COD orders): 100 rupees on O8 nine days ago, still pending;
            // 50 rupees on O7 three days ago, paid two days ago.
            _ = try await Self.payout(w, order: o[8]!, amount: 10_000, at: m.daysAgo(9))
            let paid = try await Self.payout(w, order: o[7]!, amount: 5_000, at: m.daysAgo(3))
            _ = try await w.app.write { db in try Refunds.markPaid(db, id: paid.id, utr: "UTR0000077", actor: "test", now: m.daysAgo(2)) }

            // Razorpay settles O1 (the agreed 2 % + GST on card), O4 100 paise short (UPI, no fee),
            // and O5 with 5 rupees above the agreed fee.
            let agreed = (T * 200 + 9_999) / 10_000
            let gst1 = agreed * 18 / 100, fee1 = agreed + gst1
            let charged5 = agreed + 500
            let gst5 = charged5 * 18 / 100, fee5 = charged5 + gst5
            let recon = """
                entity_id,type,debit,credit,amount,currency,fee,tax,on_hold,settled,created_at,settled_at,settlement_id,settlement_utr,order_id,order_receipt,payment_id,method
                pay_NOV1,payment,0,\(T - fee1),\(T),INR,\(fee1),\(gst1),0,1,\(Self.seconds(m.daysAgo(20))),\(Self.seconds(m.daysAgo(18))),setl_N1,UTRN1,,,,card
                pay_NOV4,payment,0,\(T - 100),\(T - 100),INR,0,0,0,1,\(Self.seconds(m.daysAgo(15))),\(Self.seconds(m.daysAgo(12))),setl_N2,UTRN2,,,,upi
                pay_NOV5,payment,0,\(T - fee5),\(T),INR,\(fee5),\(gst5),0,1,\(Self.seconds(m.daysAgo(10))),\(Self.seconds(m.daysAgo(8))),setl_N3,UTRN3,,,,card
                """
            #expect(try await Self.imported(w, recon, kind: .razorpaySettlements).applied == 3)
            // The courier remits O8 two days ago: T less 50 rupees freight and a 36-rupee COD charge,
            // and 10 rupees short of that.
            let ref8 = "NOV-8"
            let remittance = """
                remittance_id,utr,remittance_date,awb,channel_order_id,cod_amount,freight_deducted,cod_charge,early_cod_fee,reversal_amount,net_remitted
                REM-N1,UTRR1,\(Self.seconds(m.daysAgo(2))),AWB8,\(ref8),\(GatewayRefundRequest.rupees(T)),50.00,36.00,0,0,\(GatewayRefundRequest.rupees(T - 8_600 - 1_000))
                """
            let remitted = try await Self.imported(w, remittance, kind: .codRemittance)
            #expect(remitted.applied == 1 && remitted.ordersRemitted == 1, "\(remitted)")

            // The checks at the month's end, by the agreement configured above.
            let policy = w.app.configuration.reconciliation.policy
            let store = w.app.store
            let app = w.app
            let run = try await ReconciliationChecks.run(policy: policy, now: m.asOf,
                                                         read: { body in try await store.read(body) }, write: { body in try await app.write(body) })
            #expect(run.found == [.capturedNotSettled: 2, .settledAmountMismatch: 1, .feeAboveAgreed: 1, .refundStuck: 1,
                                  .codDeliveredNotRemitted: 2, .codShortRemitted: 1], "\(run)")
            // Run again: nothing new (each is named once).
            let again = try await ReconciliationChecks.run(policy: policy, now: m.asOf,
                                                           read: { body in try await store.read(body) }, write: { body in try await app.write(body) })
            #expect(again.foundTotal == 0 && again.resolved == 0)
            let asked = await w.post("/v1/reconciliation/checks", key: w.finance)
            #expect(asked.status == .ok && asked.num("found_total") == 0 && asked.num("found.refund_stuck") == 0, "\(asked.text)")

            let from = m.from, to = m.to
            let r = try await w.app.store.read { db in try ReconciliationReportFlow.report(db, from: from, to: to, asOf: m.asOf) }
            // Sales: ten orders placed, O10 cancelled.
            #expect(r.sales == OrderQueries.Sales(orders: 9, totalPaise: 9 * T, prepaidPaise: 5 * T, codPaise: 4 * T, cancelledOrders: 1, cancelledPaise: T))
            // Captured: O1–O5, O10 and the orphan; COD collected in the month: O6, O7, O8 (O9's was before it).
            #expect(r.prepaidCapturedPaise == 6 * T + 12_345 && r.prepaidPayments == 7)
            #expect(r.codCollectedPaise == 3 * T && r.codPayments == 3)
            #expect(r.settled == .init(grossPaise: 3 * T - 100, feesPaise: fee1 + fee5, feeTaxPaise: gst1 + gst5, refundsPaise: 0,
                                       netPaise: (T - fee1) + (T - 100) + (T - fee5), lines: 3))
            #expect(r.refunds == .init(processedPaise: 5_000, processed: 1, pendingPaise: 10_000, pending: 1))
            #expect(r.remitted == .init(codPaise: T, deductionsPaise: 8_600, netPaise: T - 9_600, rows: 1))
            // Not in the bank: O2, O3, O10 and the orphan unsettled; O6 and O7 unremitted.
            #expect(r.outstandingPrepaidPaise == 3 * T + 12_345 && r.outstandingCODPaise == 2 * T && r.outstandingPaise == 5 * T + 12_345)
            #expect(r.codAgeing.map { [$0.orders, $0.amountPaise] } == [[1, T], [0, 0], [1, T], [0, 0]], "O7 at 3 days, O6 at 20")

            // Mismatches whose money moved in the month (O9's earlier cash is named, but not here).
            let kinds = Dictionary(grouping: r.mismatches, by: \.kind).mapValues(\.count)
            #expect(kinds == [.capturedNotSettled: 2, .settledAmountMismatch: 1, .feeAboveAgreed: 1, .refundStuck: 1, .codDeliveredNotRemitted: 1,
                              .codShortRemitted: 1, .paidAfterCancel: 1, .orphanPayment: 1], "\(kinds)")
            func one(_ kind: PaymentMismatch.Kind, _ subject: String? = nil) -> PaymentMismatch? {
                r.mismatches.first { $0.kind == kind && (subject == nil || $0.subjectID == subject) }
            }
            let p2 = try #require(try await w.app.store.read { db in try Payments.find(db, gateway: "razorpay", gatewayPaymentID: "pay_NOV2") })
            #expect(one(.capturedNotSettled, p2.id)?.ageDays(at: m.asOf) == 20)
            #expect(one(.settledAmountMismatch).map { [$0.amountPaise, $0.expectedPaise ?? -1] } == [T - 100, T])
            #expect(one(.feeAboveAgreed).map { [$0.amountPaise, $0.expectedPaise ?? -1, $0.ageDays(at: m.asOf)] } == [charged5, agreed, 10])
            #expect(one(.refundStuck).map { [$0.amountPaise, $0.ageDays(at: m.asOf)] } == [10_000, 9])
            #expect(one(.codDeliveredNotRemitted)?.orderID == o[6] && one(.codDeliveredNotRemitted)?.ageDays(at: m.asOf) == 20)
            #expect(one(.codShortRemitted).map { [$0.amountPaise, $0.expectedPaise ?? -1] } == [T - 9_600, T - 8_600] && one(.codShortRemitted)?.subjectID == o[8])
            #expect(one(.paidAfterCancel)?.refundDuePaise == T && one(.orphanPayment)?.refundDuePaise == 12_345)
            let totals = Dictionary(uniqueKeysWithValues: r.byKind.map { ($0.kind, $0.total) })
            #expect(totals[.capturedNotSettled] == .init(count: 2, open: 2, openAmountPaise: T + 12_345, openRefundDuePaise: 0))
            #expect(totals[.amountMismatch] == .init(), "every kind is stated, zeros included")

            // O2's money arrives: the import's own checks resolve its mismatch, which stays in the history.
            let late = """
                entity_id,type,debit,credit,amount,currency,fee,tax,on_hold,settled,created_at,settled_at,settlement_id,settlement_utr,order_id,order_receipt,payment_id,method
                pay_NOV2,payment,0,\(T - fee1),\(T),INR,\(fee1),\(gst1),0,1,\(Self.seconds(m.daysAgo(20))),\(Self.seconds(m.daysAgo(0))),setl_N9,UTRN9,,,,card
                """
            let settledLate = await Self.post(w, late, kind: "razorpay_settlements")
            #expect(settledLate.num("mismatches_resolved") == 1, "\(settledLate.text)")
            let after = try await w.app.store.read { db in try ReconciliationReportFlow.report(db, from: from, to: to, asOf: m.asOf) }
            let resolved = after.mismatches.first { $0.kind == .capturedNotSettled && $0.subjectID == p2.id }
            #expect(resolved?.status == .resolved && resolved?.resolvedBy == "reconciliation" && resolved?.note?.contains("setl_N9") == true)
            #expect(after.outstandingPrepaidPaise == 2 * T + 12_345 && after.settled.lines == 4)

            // The same report over HTTP, as JSON and as CSV.
            let period = "from=\(Timestamps.rfc3339(milliseconds: m.from))&to=\(Timestamps.rfc3339(milliseconds: m.to))"
            let json = await w.get("/v1/reconciliation/report?\(period)", key: w.finance)
            #expect(json.status == .ok && json.num("totals.sales_paise") == 9 * T && json.num("totals.outstanding_paise") == 4 * T + 12_345, "\(json.text)")
            #expect(json.list("mismatches").count == 9 && json.list("mismatch_totals").count == PaymentMismatch.Kind.allCases.count)
            let csv = await w.get("/v1/reconciliation/report?\(period)&format=csv", key: w.finance)
            #expect(csv.status == .ok && csv.headers["Content-Type"]?.hasPrefix("text/csv") == true)
            #expect(csv.text.contains("total,sales_paise,\(9 * T),") && csv.text.contains("mismatch,cod_short_remitted,\(T - 9_600),"), "\(csv.text)")
            #expect((await w.get("/v1/reconciliation/report?from=2026-11-31", key: w.finance)).status.code == 400)
            #expect((await w.get("/v1/reconciliation/report?from=2026-11-30&to=2026-11-01", key: w.finance)).status.code == 400)
            #expect((await w.get("/v1/reconciliation/report", key: w.warehouse)).status.code == 403)
        }
    }

    @Test func theChecksRunOnATimerOnTheNodeHoldingTheirLease() async throws {
        try await withOrders(configure: { $0.reconciliation.checkIntervalSeconds = 1 }) { w in
            try await w.stock("TEE", 5)
            let id = await w.placed(orderJSON("TIMER-1", payment: codPayment))
            try await Self.collect(w, order: id, amount: 49_900, awb: "AWB-T1", at: Int64(WallClock.milliseconds()) - 10 * Self.day)
            let maintenance = Maintenance(w.app, node: "node-r").start()
            let deadline = ContinuousClock.now + .seconds(20)
            var found: [PaymentMismatch] = []
            while found.isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                found = try await w.app.store.read { db in try Payments.mismatches(db, orderID: id) }
            }
            maintenance.cancel()
            await maintenance.value
            #expect(found.map(\.kind) == [.codDeliveredNotRemitted] && found.first?.ageDays(at: Int64(WallClock.milliseconds())) == 10)
            let holder = try await w.app.store.read { db in try Leases.holder(db, name: Maintenance.reconciliationLease, now: Int64(WallClock.milliseconds())) }
            #expect(holder == nil, "given up when the node stopped")
        }
    }

    @Test func periodsAreIndianDays() {
        #expect(ReconciliationPeriod.dayStart("2026-11-01") == 1_793_471_400_000, "2026-10-31T18:30:00Z")
        #expect(ReconciliationPeriod.dayStart("2026-02-29") == nil && ReconciliationPeriod.dayStart("2026-1-01") == nil)
        #expect(ReconciliationPeriod.day(1_793_471_400_000) == "2026-11-01" && ReconciliationPeriod.day(1_793_471_399_999) == "2026-10-31")
        #expect(ReconciliationPeriod.monthStart(containing: 1_795_000_000_000) == ReconciliationPeriod.dayStart("2026-11-01"))
    }

    @Test func theAgreedFeeRoundsUpAndShortRemittancesCountDeductions() {
        let policy = ReconciliationPolicy(feeBasisPoints: ["card": 200])
        #expect(policy.agreedFee(amountPaise: 49_999, method: "card") == 1_000, "999.98 rounds up")
        #expect(policy.agreedFee(amountPaise: 49_999, method: "upi") == nil, "no agreement, no check")
        #expect(ReconciliationPolicy.shortRemitted(collected: 10_000, deductions: 1_000, net: 9_000) == nil)
        #expect(ReconciliationPolicy.shortRemitted(collected: 10_000, deductions: 1_000, net: 8_999).map { [$0.amount, $0.expected] } == [8_999, 9_000])
        #expect(ReconciliationPolicy.settledMismatch(paymentAmount: 100, lineAmount: 100, fee: 3, credit: 97) == nil)
        #expect(ReconciliationPolicy.settledMismatch(paymentAmount: 100, lineAmount: 100, fee: 3, credit: 96).map { [$0.amount, $0.expected] } == [96, 97])
        var buckets = ReconciliationReport.emptyAgeing()
        for days: Int64 in [0, 8, 9, 15, 16, 30, 31, 400] { ReconciliationReport.age(&buckets, days: days, amountPaise: 1) }
        #expect(buckets.map(\.orders) == [2, 2, 2, 2])
    }
}
