import BahiJSON
public import BahiStore
import Synchronization

/// The checks that name money which went quiet or came short: payments captured and not
/// settled within the gateway's cycle, settled at another amount, charged above the agreed
/// fee; refunds stuck pending; COD cash delivered and not remitted, or remitted short. Each
/// finding is stored once (per kind and subject) as a mismatch and announced; a finding whose
/// money has since arrived is resolved by the checks themselves, with what cleared it, and
/// stays in the history.
///
/// Why reads and writes are apart: the checks read across many rows, and on SQLite the writer
/// is one thread, so the scan runs on a reader and only the findings are written (each insert
/// conditional on the kind and subject, so two nodes or two runs at once record each once; a
/// finding cleared between the read and the write is resolved by the next run).
public enum ReconciliationChecks {
    /// What one run did.
    public struct Outcome: Sendable, Equatable {
        /// Mismatches recorded, by kind.
        public var found: [PaymentMismatch.Kind: Int] = [:]
        /// Mismatches the money cleared.
        public var resolved = 0
        public var foundTotal: Int { found.values.reduce(0, +) }
    }

    /// Rows one check looks at per run; the rest wait for the next run.
    public static let limit = 10_000
    /// Who the checks resolve a mismatch as.
    public static let actor = "reconciliation"

    struct Findings: Sendable {
        var mismatches: [PaymentMismatch] = []
        var cleared: [(kind: PaymentMismatch.Kind, subjectID: String, note: String)] = []
    }

    /// What the checks find as of `now`, read from one snapshot.
    static func find(_ db: any Database, policy: ReconciliationPolicy, now: Int64) throws -> Findings {
        var f = Findings()
        let day: Int64 = 86_400_000
        func add(_ kind: PaymentMismatch.Kind, _ c: ReconciliationRecords.Candidate, expected: Int64? = nil, refundDue: Int64 = 0) {
            f.mismatches.append(PaymentMismatch(
                id: EntityID.make(.mismatch, milliseconds: UInt64(max(0, now))), kind: kind, subjectID: c.subjectID, orderID: c.orderID,
                paymentID: c.paymentID, amountPaise: c.amount, expectedPaise: expected, refundDuePaise: refundDue, status: .open, note: nil,
                resolvedBy: nil, resolvedAt: nil, occurredAt: c.occurredAt, createdAt: now))
        }
        for gateway in ReconciliationPolicy.settlingGateways {
            let cutoff = now - Int64(policy.settlementDays(for: gateway)) * day
            for c in try ReconciliationRecords.capturedNotSettled(db, gateway: gateway, cutoff: cutoff, limit: limit) { add(.capturedNotSettled, c) }
        }
        for c in try ReconciliationRecords.refundsStuck(db, cutoff: now - Int64(policy.refundStuckDays) * day, limit: limit) { add(.refundStuck, c) }
        for c in try ReconciliationRecords.codNotRemitted(db, cutoff: now - Int64(policy.codRemittanceDays) * day, limit: limit) {
            add(.codDeliveredNotRemitted, c)
        }
        for line in try ReconciliationRecords.settledPayments(db, unnamedAs: .settledAmountMismatch, limit: limit) {
            guard let m = ReconciliationPolicy.settledMismatch(paymentAmount: line.paymentAmount, lineAmount: line.amount, fee: line.fee, credit: line.credit) else { continue }
            add(.settledAmountMismatch, .init(subjectID: line.paymentID, orderID: line.orderID, paymentID: line.paymentID, amount: m.amount,
                                              occurredAt: line.paymentCreatedAt), expected: m.expected)
        }
        if !policy.feeBasisPoints.isEmpty {
            for line in try ReconciliationRecords.settledPayments(db, unnamedAs: .feeAboveAgreed, limit: limit) {
                let charged = line.fee - line.tax
                guard let agreed = policy.agreedFee(amountPaise: line.amount, method: line.method ?? line.paymentMethod), charged > agreed else { continue }
                add(.feeAboveAgreed, .init(subjectID: line.paymentID, orderID: line.orderID, paymentID: line.paymentID, amount: charged,
                                           occurredAt: line.paymentCreatedAt), expected: agreed)
            }
        }
        for order in try ReconciliationRecords.remittedOrders(db) {
            let short = ReconciliationPolicy.shortRemitted(collected: order.collected, deductions: order.deductions, net: order.net)
            if let short, !order.named {
                add(.codShortRemitted, .init(subjectID: order.orderID, orderID: order.orderID, paymentID: order.paymentID, amount: short.amount,
                                             occurredAt: order.collectedAt), expected: short.expected)
            } else if short == nil, order.named {
                f.cleared.append((.codShortRemitted, order.orderID, "remitted in full"))
            }
        }
        for c in try ReconciliationRecords.cleared(db) {
            guard let kind = PaymentMismatch.Kind(rawValue: c.kind) else { continue }
            f.cleared.append((kind, c.subjectID, c.note))
        }
        return f
    }

    /// Runs the checks as of `now`: reads with `read`, records findings and clearances with
    /// `write` (batches of 1,000, each its own transaction).
    public static func run(
        policy: ReconciliationPolicy, now: Int64,
        read: @Sendable (@escaping @Sendable (any Database) throws -> Void) async throws -> Void,
        write: @Sendable (@escaping @Sendable (any Database) throws -> Void) async throws -> Void
    ) async throws -> Outcome {
        final class Box: Sendable { let value = Mutex<Findings>(Findings()); let outcome = Mutex<Outcome>(Outcome()) }
        let box = Box()
        try await read { db in
            let found = try find(db, policy: policy, now: now)
            box.value.withLock { $0 = found }
        }
        let findings = box.value.withLock { $0 }
        for start in stride(from: 0, to: findings.mismatches.count, by: 1_000) {
            let batch = Array(findings.mismatches[start..<min(findings.mismatches.count, start + 1_000)])
            try await write { db in
                var found: [PaymentMismatch.Kind: Int] = [:]
                for m in batch where try Payments.recordMismatch(db, m, actor: actor, now: now) { found[m.kind, default: 0] += 1 }
                box.outcome.withLock { o in for (k, n) in found { o.found[k, default: 0] += n } }
            }
        }
        for start in stride(from: 0, to: findings.cleared.count, by: 1_000) {
            let batch = Array(findings.cleared[start..<min(findings.cleared.count, start + 1_000)])
            try await write { db in
                var resolved = 0
                for c in batch where try Payments.clear(db, kind: c.kind, subjectID: c.subjectID, note: c.note, now: now) { resolved += 1 }
                box.outcome.withLock { $0.resolved += resolved }
            }
        }
        return box.outcome.withLock { $0 }
    }
}
