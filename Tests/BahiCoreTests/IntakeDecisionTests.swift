import Testing
import BahiCore

/// The state a new order starts in, as a table of cases.
@Suite struct IntakeDecisionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method: PaymentMethod
        var paid: Bool
        var risk: Int
        var expected: IntakeDecision
        var testDescription: String { name }
    }

    static let now: Int64 = 1_800_000_000_000
    static let total: Int64 = 99_800
    /// Threshold 60, payment window 30 minutes (the defaults).
    static let policy = OrderPolicy()

    static let cases: [Case] = [
        Case(name: "prepaid and paid", method: .prepaid, paid: true, risk: 0,
             expected: IntakeDecision(status: .confirmed, paymentStatus: .paid, paidPaise: total)),
        Case(name: "prepaid, payment pending", method: .prepaid, paid: false, risk: 0,
             expected: IntakeDecision(status: .pendingPayment, paymentStatus: .unpaid, paymentExpiresAt: now + 30 * 60_000)),
        Case(name: "prepaid ignores risk", method: .prepaid, paid: true, risk: 100,
             expected: IntakeDecision(status: .confirmed, paymentStatus: .paid, paidPaise: total)),
        Case(name: "COD, low risk", method: .cod, paid: false, risk: 59,
             expected: IntakeDecision(status: .confirmed, paymentStatus: .codPending)),
        Case(name: "COD at the threshold", method: .cod, paid: false, risk: 60,
             expected: IntakeDecision(status: .onHold, paymentStatus: .codPending, holdReason: .codVerification)),
        Case(name: "COD, high risk", method: .cod, paid: false, risk: 95,
             expected: IntakeDecision(status: .onHold, paymentStatus: .codPending, holdReason: .codVerification)),
        Case(name: "COD never counts as paid", method: .cod, paid: true, risk: 0,
             expected: IntakeDecision(status: .confirmed, paymentStatus: .codPending)),
    ]

    @Test(arguments: cases) func decides(_ c: Case) {
        let decision = IntakeDecision.decide(method: c.method, paid: c.paid, riskScore: c.risk, totalPaise: Self.total, policy: Self.policy, now: Self.now)
        #expect(decision == c.expected)
    }

    @Test func thresholdAndWindowComeFromThePolicy() {
        var policy = OrderPolicy()
        policy.riskHoldThreshold = 101
        policy.paymentExpiryMilliseconds = 5_000
        #expect(IntakeDecision.decide(method: .cod, paid: false, riskScore: 100, totalPaise: 1, policy: policy, now: 0).status == .confirmed)
        #expect(IntakeDecision.decide(method: .prepaid, paid: false, riskScore: 0, totalPaise: 1, policy: policy, now: 10).paymentExpiresAt == 5_010)
    }
}
