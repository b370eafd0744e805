public import BahiStore

/// "Where is my money": for a period, what was sold, captured and collected, what gateways
/// settled (and kept as fees and their GST), what was refunded, what couriers remitted, what
/// has still not reached the bank — and every mismatch whose money moved in the period, open
/// or resolved, with its age.
///
/// The rule for a period: every figure counts money by when it moved — an order by when it was
/// placed, a payment by when Bahi first heard of it, a settlement by when it settled, a refund
/// by when it was processed (or asked, while pending), a remittance by its date, a mismatch by
/// when its money moved. Ages and "outstanding" are judged at `asOf` (when the report was
/// asked for), so last month's report shows what of last month's money is still missing today.
public struct ReconciliationReport: Sendable, Equatable {
    public struct Settled: Sendable, Equatable {
        /// Payments settled, at their amount.
        public var grossPaise: Int64 = 0
        /// The gateways' fees, GST included, and the GST inside them.
        public var feesPaise: Int64 = 0
        public var feeTaxPaise: Int64 = 0
        /// Refunds the gateways took back from settlements.
        public var refundsPaise: Int64 = 0
        /// What reached the bank: credits less debits.
        public var netPaise: Int64 = 0
        public var lines: Int64 = 0

        public init(grossPaise: Int64 = 0, feesPaise: Int64 = 0, feeTaxPaise: Int64 = 0, refundsPaise: Int64 = 0, netPaise: Int64 = 0, lines: Int64 = 0) {
            (self.grossPaise, self.feesPaise, self.feeTaxPaise, self.refundsPaise, self.netPaise, self.lines) = (grossPaise, feesPaise, feeTaxPaise, refundsPaise, netPaise, lines)
        }
    }

    public struct Refunds: Sendable, Equatable {
        public var processedPaise: Int64 = 0
        public var processed: Int64 = 0
        public var pendingPaise: Int64 = 0
        public var pending: Int64 = 0

        public init(processedPaise: Int64 = 0, processed: Int64 = 0, pendingPaise: Int64 = 0, pending: Int64 = 0) {
            (self.processedPaise, self.processed, self.pendingPaise, self.pending) = (processedPaise, processed, pendingPaise, pending)
        }
    }

    public struct Remitted: Sendable, Equatable {
        /// The COD cash the remittances cover, what couriers deducted (freight, COD charge, early
        /// COD fee, reversals), and the net paid to the seller.
        public var codPaise: Int64 = 0
        public var deductionsPaise: Int64 = 0
        public var netPaise: Int64 = 0
        public var rows: Int64 = 0

        public init(codPaise: Int64 = 0, deductionsPaise: Int64 = 0, netPaise: Int64 = 0, rows: Int64 = 0) {
            (self.codPaise, self.deductionsPaise, self.netPaise, self.rows) = (codPaise, deductionsPaise, netPaise, rows)
        }
    }

    /// COD cash collected and not remitted, by whole days since delivery.
    public struct AgeingBucket: Sendable, Equatable {
        public var label: String
        public var minDays: Int64
        /// nil: no upper bound.
        public var maxDays: Int64?
        public var orders: Int64 = 0
        public var amountPaise: Int64 = 0
    }

    /// One kind's mismatches: all of them, the open ones, and what is open of them.
    public struct KindTotal: Sendable, Equatable {
        public var count: Int64 = 0
        public var open: Int64 = 0
        public var openAmountPaise: Int64 = 0
        public var openRefundDuePaise: Int64 = 0

        public init(count: Int64 = 0, open: Int64 = 0, openAmountPaise: Int64 = 0, openRefundDuePaise: Int64 = 0) {
            (self.count, self.open, self.openAmountPaise, self.openRefundDuePaise) = (count, open, openAmountPaise, openRefundDuePaise)
        }
    }

    public var from: Int64
    public var to: Int64
    public var asOf: Int64
    public var sales: OrderQueries.Sales
    public var prepaidCapturedPaise: Int64 = 0
    public var prepaidPayments: Int64 = 0
    public var codCollectedPaise: Int64 = 0
    public var codPayments: Int64 = 0
    public var settled = Settled()
    public var refunds = Refunds()
    public var remitted = Remitted()
    /// Captured in the period and not settled; collected in the period and not remitted.
    public var outstandingPrepaidPaise: Int64 = 0
    public var outstandingCODPaise: Int64 = 0
    public var outstandingPaise: Int64 { outstandingPrepaidPaise + outstandingCODPaise }
    public var codAgeing: [AgeingBucket]
    public var mismatches: [PaymentMismatch] = []
    /// Every kind, including those with none (so a zero is stated, not left out).
    public var byKind: [(kind: PaymentMismatch.Kind, total: KindTotal)] {
        PaymentMismatch.Kind.allCases.map { kind in
            var t = KindTotal()
            for m in mismatches where m.kind == kind {
                t.count += 1
                if m.status == .open {
                    t.open += 1
                    t.openAmountPaise += m.amountPaise
                    t.openRefundDuePaise += m.refundDuePaise
                }
            }
            return (kind, t)
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.from == b.from && a.to == b.to && a.asOf == b.asOf && a.sales == b.sales && a.prepaidCapturedPaise == b.prepaidCapturedPaise
            && a.prepaidPayments == b.prepaidPayments && a.codCollectedPaise == b.codCollectedPaise && a.codPayments == b.codPayments
            && a.settled == b.settled && a.refunds == b.refunds && a.remitted == b.remitted && a.outstandingPrepaidPaise == b.outstandingPrepaidPaise
            && a.outstandingCODPaise == b.outstandingCODPaise && a.codAgeing == b.codAgeing && a.mismatches == b.mismatches
    }

    /// The COD ageing buckets: within the courier's cycle (0–8 days), then 9–15, 16–30, over 30.
    public static func emptyAgeing() -> [AgeingBucket] {
        [AgeingBucket(label: "0-8", minDays: 0, maxDays: 8), AgeingBucket(label: "9-15", minDays: 9, maxDays: 15),
         AgeingBucket(label: "16-30", minDays: 16, maxDays: 30), AgeingBucket(label: "31+", minDays: 31, maxDays: nil)]
    }

    /// Puts `amount` collected `days` ago into its bucket. Pure.
    public static func age(_ buckets: inout [AgeingBucket], days: Int64, amountPaise: Int64) {
        guard let i = buckets.firstIndex(where: { days >= $0.minDays && ($0.maxDays.map { days <= $0 } ?? true) }) else { return }
        buckets[i].orders += 1
        buckets[i].amountPaise += amountPaise
    }

    /// The Payments domain's part of a report for [from, to) as of `asOf`; `sales` comes from
    /// the Orders domain (the flow that builds a whole report passes it in).
    public static func build(_ db: any Database, from: Int64, to: Int64, asOf: Int64, sales: OrderQueries.Sales) throws -> ReconciliationReport {
        var r = ReconciliationReport(from: from, to: to, asOf: asOf, sales: sales, codAgeing: emptyAgeing())
        let c = try ReconciliationRecords.captured(db, from: from, to: to)
        (r.prepaidCapturedPaise, r.prepaidPayments, r.codCollectedPaise, r.codPayments) = (c.prepaid, c.prepaidCount, c.cod, c.codCount)
        (r.outstandingPrepaidPaise, r.outstandingCODPaise) = (c.prepaidUnsettled, c.codUnremitted)
        let s = try ReconciliationRecords.settled(db, from: from, to: to)
        r.settled = Settled(grossPaise: s.gross, feesPaise: s.fees, feeTaxPaise: s.tax, refundsPaise: s.refunds, netPaise: s.net, lines: s.lines)
        let f = try ReconciliationRecords.refunds(db, from: from, to: to)
        r.refunds = Refunds(processedPaise: f.processed, processed: f.processedCount, pendingPaise: f.pending, pending: f.pendingCount)
        let m = try ReconciliationRecords.remitted(db, from: from, to: to)
        r.remitted = Remitted(codPaise: m.cod, deductionsPaise: m.deductions, netPaise: m.net, rows: m.rows)
        for cash in try ReconciliationRecords.codUnremitted(db, from: from, to: to) {
            age(&r.codAgeing, days: max(0, asOf - cash.collectedAt) / 86_400_000, amountPaise: cash.amount)
        }
        r.mismatches = try ReconciliationRecords.mismatches(db, from: from, to: to)
        return r
    }
}
