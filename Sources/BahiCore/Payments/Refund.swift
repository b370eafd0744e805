/// Money given back to a buyer against one payment: asked through Bahi (a gateway's refund
/// API, or a bank payout the seller makes for a COD order) or reported by a gateway that made
/// it on its own (an auto-refund of an uncaptured payment, one made on its dashboard).
public struct Refund: Sendable, Equatable {
    /// Where a refund stands.
    ///
    /// Why a one-way ladder and not a merge by rank: `failed` gives the amount back to the
    /// payment, so it may only follow `pending` (a processed refund has left the account and
    /// cannot fail afterwards), and neither end state moves again. Reports in any order and any
    /// number of repeats then change a refund at most once out of `pending`.
    public enum Status: String, Sendable, CaseIterable {
        case pending, processed, failed

        /// Whether a refund at `self` may move to `next` (false for staying put).
        public func canMove(to next: Status) -> Bool { self == .pending && next != .pending }
    }

    /// Who sends the money: a gateway (`razorpay`, `cashfree`) or the seller's own bank
    /// transfer (`payout`: COD orders and payments entered by hand without a gateway).
    public static let payoutGateway = "payout"

    public var id: String
    public var orderID: String?
    public var paymentID: String
    public var gateway: String
    public var gatewayRefundID: String?
    public var amountPaise: Int64
    public var reason: String
    /// The lines refunded, as JSON text, when the caller named them.
    public var linesJSON: String?
    public var status: Status
    /// What the gateway deduplicates our request by: the refund's own id.
    public var idempotencyKey: String
    public var arn: String?
    public var utr: String?
    public var beneficiary: RefundBeneficiary?
    public var error: String?
    public var actor: String?
    public var createdAt: Int64
    public var updatedAt: Int64

    /// Whether the seller pays this one by bank transfer (and marks it paid with a UTR).
    public var isPayout: Bool { gateway == Self.payoutGateway }
}
