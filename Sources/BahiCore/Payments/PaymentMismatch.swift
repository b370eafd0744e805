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
    }

    public enum Status: String, Sendable, CaseIterable { case open, resolved }

    public var id: String
    public var kind: Kind
    public var orderID: String?
    public var paymentID: String
    public var amountPaise: Int64
    public var expectedPaise: Int64?
    public var refundDuePaise: Int64
    public var status: Status
    public var note: String?
    public var resolvedBy: String?
    public var resolvedAt: Int64?
    public var createdAt: Int64

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
