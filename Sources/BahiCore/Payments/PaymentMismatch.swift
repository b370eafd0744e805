/// Money that went wrong, named, with the refund it makes due: what finance works through.
public struct PaymentMismatch: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Captured for an order already cancelled (or expired unpaid): the whole amount is due back.
        case paidAfterCancel = "paid_after_cancel"
        /// A second capture for an order already paid: the second amount is due back.
        case doubleCharge = "double_charge"
        /// The captured amount is not the order's total: any excess is due back.
        case amountMismatch = "amount_mismatch"
        /// A payment that matched no order (by the gateway's order id or the receipt).
        case orphanPayment = "orphan_payment"
        /// Captured longer ago than the gateway's settlement cycle, and no settled line for it.
        case capturedNotSettled = "captured_not_settled"
        /// The gateway settled another amount than the payment's (or its credit is not amount − fee).
        case settledAmountMismatch = "settled_amount_mismatch"
        /// The gateway's fee (its GST aside) is above the rate agreed for the method.
        case feeAboveAgreed = "fee_above_agreed"
        /// A refund still pending past the days a refund should take.
        case refundStuck = "refund_stuck"
        /// COD cash collected at delivery and not remitted within the courier's cycle.
        case codDeliveredNotRemitted = "cod_delivered_not_remitted"
        /// The courier remitted less than it collected, once its deductions are counted.
        case codShortRemitted = "cod_short_remitted"

        /// The kinds a capture reveals as it happens (the rest are found by the reconciliation checks).
        public static let onCaptureKinds: [Kind] = [.paidAfterCancel, .doubleCharge, .amountMismatch, .orphanPayment]
    }

    public enum Status: String, Sendable, CaseIterable { case open, resolved }

    public var id: String
    public var kind: Kind
    /// What it is about: a payment (`pay_`), a refund (`rfd_`), or an order (`ord_`, a short remittance).
    public var subjectID: String
    public var orderID: String?
    public var paymentID: String?
    public var amountPaise: Int64
    public var expectedPaise: Int64?
    public var refundDuePaise: Int64
    public var status: Status
    public var note: String?
    public var resolvedBy: String?
    public var resolvedAt: Int64?
    /// When the money moved (captured, refund asked, COD collected): ages count from it.
    public var occurredAt: Int64
    public var createdAt: Int64

    /// Whole days from `occurredAt` to `now`.
    public func ageDays(at now: Int64) -> Int64 { max(0, now - occurredAt) / 86_400_000 }

    /// What a capture means for its order, decided from the order as it stood before the
    /// money arrived: at most one mismatch, the most serious first. Pure, so every case is a
    /// line of a table test.
    ///
    /// - `cancelled`: the order was cancelled (a cancel, or an unpaid order's time ran out).
    /// - `paidBefore`: what earlier captures had already paid on it.
    public static func onCapture(amountPaise: Int64, orderTotalPaise: Int64, paidBeforePaise: Int64, cancelled: Bool)
        -> (kind: Kind, refundDuePaise: Int64)? {
        if cancelled { return (.paidAfterCancel, amountPaise) }
        if paidBeforePaise >= orderTotalPaise, orderTotalPaise > 0 || paidBeforePaise > 0 { return (.doubleCharge, amountPaise) }
        let after = paidBeforePaise + amountPaise
        if after > orderTotalPaise { return (.amountMismatch, after - orderTotalPaise) }
        // The first capture short of the total: a buyer charged the wrong amount. (A second
        // partial capture that completes the total is a split payment, not a mismatch.)
        if paidBeforePaise == 0, amountPaise < orderTotalPaise { return (.amountMismatch, 0) }
        return nil
    }
}
