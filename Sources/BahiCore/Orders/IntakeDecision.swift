/// The state a new order starts in, decided from what is known at intake: how it is paid,
/// whether the money is in, its RTO risk and the seller's rules. A pure function, so the
/// rules are tested as a table and intake only stores what this says.
public struct IntakeDecision: Sendable, Equatable {
    /// Where the order starts: confirmed, pending_payment or on_hold.
    public var status: OrderStatus
    /// Where its money starts: paid, unpaid or cod_pending.
    public var paymentStatus: PaymentStatus
    /// Why it waits, when it starts on hold.
    public var holdReason: HoldReason?
    /// When an unpaid prepaid order is cancelled for want of payment.
    public var paymentExpiresAt: Int64?
    /// What the order counts as paid: its total when the gateway already captured it.
    public var paidPaise: Int64

    /// A decision as stated (tests write the expected ones out).
    public init(status: OrderStatus, paymentStatus: PaymentStatus, holdReason: HoldReason? = nil, paymentExpiresAt: Int64? = nil, paidPaise: Int64 = 0) {
        self.status = status
        self.paymentStatus = paymentStatus
        self.holdReason = holdReason
        self.paymentExpiresAt = paymentExpiresAt
        self.paidPaise = paidPaise
    }

    /// - prepaid and paid: confirmed, paid, the total counted as paid;
    /// - prepaid not yet paid: pending_payment, unpaid, expiring after the policy's window;
    /// - COD scoring at least the policy's threshold: on_hold for COD verification;
    /// - other COD: confirmed, cod_pending.
    public static func decide(method: PaymentMethod, paid: Bool, riskScore: Int, totalPaise: Int64, policy: OrderPolicy, now: Int64) -> IntakeDecision {
        switch method {
        case .prepaid where paid:
            IntakeDecision(status: .confirmed, paymentStatus: .paid, paidPaise: totalPaise)
        case .prepaid:
            IntakeDecision(status: .pendingPayment, paymentStatus: .unpaid, paymentExpiresAt: now + policy.paymentExpiryMilliseconds)
        case .cod where riskScore >= policy.riskHoldThreshold:
            IntakeDecision(status: .onHold, paymentStatus: .codPending, holdReason: .codVerification)
        case .cod:
            IntakeDecision(status: .confirmed, paymentStatus: .codPending)
        }
    }
}
