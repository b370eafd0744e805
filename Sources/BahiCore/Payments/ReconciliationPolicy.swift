/// What the seller agreed with gateways and couriers, against which the reconciliation checks
/// judge the money: how long each gateway takes to settle, the fee agreed per method, how
/// long a refund may stay pending, and how long a courier may keep COD cash.
///
/// Why a value, not configuration read inside the checks: the checks are pure over it, so a
/// test states the agreement next to the figures it expects.
public struct ReconciliationPolicy: Sendable, Equatable {
    /// Days after capture a gateway settles (T+N); a payment older than this and not settled is
    /// `captured_not_settled`. Gateways not listed use `defaultSettlementDays`.
    public var settlementDays: [String: Int]
    /// T+3: Razorpay's default cycle is T+2 working days, so three calendar days rarely cry wolf.
    public var defaultSettlementDays: Int
    /// The agreed fee per method in basis points of the amount, GST aside (200 = 2 %). A method
    /// not listed is not checked, so no agreement means no `fee_above_agreed`.
    public var feeBasisPoints: [String: Int]
    /// Days a refund may stay pending before it is `refund_stuck` (gateways: 5–7 working days).
    public var refundStuckDays: Int
    /// Days after delivery a courier may keep COD cash before it is `cod_delivered_not_remitted`
    /// (Shiprocket remits D+8).
    public var codRemittanceDays: Int

    public init(settlementDays: [String: Int] = [:], defaultSettlementDays: Int = 3, feeBasisPoints: [String: Int] = [:],
                refundStuckDays: Int = 7, codRemittanceDays: Int = 8) {
        self.settlementDays = settlementDays
        self.defaultSettlementDays = defaultSettlementDays
        self.feeBasisPoints = feeBasisPoints
        self.refundStuckDays = refundStuckDays
        self.codRemittanceDays = codRemittanceDays
    }

    /// The gateways whose settlements are checked.
    public static let settlingGateways = ["razorpay", "cashfree", "payu"]

    public func settlementDays(for gateway: String) -> Int { settlementDays[gateway] ?? defaultSettlementDays }

    /// The fee agreed for `amount` paid by `method`, GST aside, rounded up to the paisa (a
    /// gateway rounding its fee up is not overcharging); nil when no rate is agreed for it.
    public func agreedFee(amountPaise: Int64, method: String?) -> Int64? {
        guard let method, let bps = feeBasisPoints[method.lowercased()] else { return nil }
        let product = amountPaise.multipliedReportingOverflow(by: Int64(bps))
        guard !product.overflow else { return nil }
        return (product.partialValue + 9_999) / 10_000
    }

    /// What a settled payment line reveals, decided from the line and the payment it settles:
    /// the settled amount is not the payment's, or the credit is not amount − fee. Pure.
    public static func settledMismatch(paymentAmount: Int64, lineAmount: Int64, fee: Int64, credit: Int64) -> (amount: Int64, expected: Int64)? {
        if lineAmount != paymentAmount { return (lineAmount, paymentAmount) }
        if credit != lineAmount - fee { return (credit, lineAmount - fee) }
        return nil
    }

    /// A remittance is short when what was paid is less than what was collected less what the
    /// courier says it deducted. Pure.
    public static func shortRemitted(collected: Int64, deductions: Int64, net: Int64) -> (amount: Int64, expected: Int64)? {
        let expected = collected - deductions
        return net < expected ? (net, expected) : nil
    }
}
