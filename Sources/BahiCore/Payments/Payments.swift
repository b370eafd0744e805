import BahiJSON
public import BahiStore

/// Recording payments from any source — a gateway's webhook, finance by hand — as one kind of
/// record, merged by `PaymentState`, each status reached announced once; keeping verified
/// gateway events once each; and the mismatches money can fall into.
public enum Payments {
    /// One report of a payment, in the gateways' common words.
    public struct Report: Sendable, Equatable {
        public var gateway: String?
        public var gatewayPaymentID: String?
        public var gatewayOrderID: String?
        public var receipt: String?
        public var method: PaymentInstrument?
        public var state: PaymentState

        public init(gateway: String?, gatewayPaymentID: String?, gatewayOrderID: String? = nil, receipt: String? = nil,
                    method: PaymentInstrument? = nil, state: PaymentState) {
            self.gateway = gateway
            self.gatewayPaymentID = gatewayPaymentID
            self.gatewayOrderID = gatewayOrderID
            self.receipt = receipt
            self.method = method
            self.state = state
        }
    }

    /// What recording a report did: the payment after it, its state before (nil when new).
    public struct Change: Sendable, Equatable {
        public var payment: Payment
        public var before: PaymentState?
        public var isNew: Bool { before == nil }
        /// Whether its status moved (a new payment's did).
        public var statusChanged: Bool { before?.status != payment.state.status }
    }

    /// The stored payment a gateway reported under this id, if any.
    public static func find(_ db: any Database, gateway: String, gatewayPaymentID: String) throws -> Payment? {
        try PaymentRecords.payment(db, gateway: gateway, gatewayPaymentID: gatewayPaymentID)
    }

    public static func get(_ db: any Database, id: String) throws -> Payment? {
        try PaymentRecords.payment(db, id: id)
    }

    /// An order's payments, oldest first.
    public static func payments(_ db: any Database, orderID: String) throws -> [Payment] {
        try PaymentRecords.payments(db, orderID: orderID)
    }

    /// Records a report: a new payment is stored for `orderID` (nil: an orphan); a payment the
    /// gateway id already names is merged with it (conditional on the state read, so a
    /// concurrent report reruns on PostgreSQL). A status reached for the first time appends its
    /// `payment.*` event.
    public static func record(_ db: any Database, _ report: Report, orderID: String?, actor: String?, now: Int64) throws -> Change {
        let payment = Payment(
            id: EntityID.make(.payment, milliseconds: UInt64(max(0, now))), orderID: orderID, gateway: report.gateway,
            gatewayPaymentID: report.gatewayPaymentID, gatewayOrderID: report.gatewayOrderID, receipt: report.receipt, method: report.method,
            state: report.state, actor: actor, createdAt: now, updatedAt: now)
        // The insert first: most reports are a payment's first (one statement, where reading
        // first cost two); `ON CONFLICT DO NOTHING` says when the gateway's id is already stored.
        if try PaymentRecords.insert(db, payment) {
            try announce(db, payment, actor: actor, now: now)
            return Change(payment: payment, before: nil)
        }
        guard let gateway = report.gateway, let gatewayPaymentID = report.gatewayPaymentID,
              let existing = try PaymentRecords.payment(db, gateway: gateway, gatewayPaymentID: gatewayPaymentID) else {
            // The conflict's row is gone again: another transaction moved it meanwhile.
            throw db.concurrentChange(DomainError(.versionMismatch, "Payment \(report.gatewayPaymentID ?? payment.id) changed while this report was recorded."))
        }
        let merged = existing.state.merged(with: report.state)
        let method = existing.method ?? report.method
        guard merged != existing.state || method != existing.method else { return Change(payment: existing, before: existing.state) }
        guard try PaymentRecords.update(db, id: existing.id, from: existing.state, to: merged, method: report.method, now: now) else {
            throw db.concurrentChange(DomainError(.versionMismatch, "Payment \(existing.id) changed while this report was recorded."))
        }
        var after = existing
        after.state = merged
        after.method = method
        after.updatedAt = now
        if merged.status != existing.state.status { try announce(db, after, actor: actor, now: now) }
        return Change(payment: after, before: existing.state)
    }

    private static func announce(_ db: any Database, _ p: Payment, actor: String?, now: Int64) throws {
        var o = JSONObject()
        o["payment_id"] = .string(p.id)
        o["order_id"] = .optional(p.orderID)
        o["gateway"] = .optional(p.gateway)
        o["gateway_payment_id"] = .optional(p.gatewayPaymentID)
        o["method"] = .optional(p.method?.rawValue)
        o["amount_paise"] = .int(p.state.amountPaise)
        o["fee_paise"] = p.state.feePaise.map(JSONValue.int) ?? .null
        o["tax_paise"] = p.state.taxPaise.map(JSONValue.int) ?? .null
        o["status"] = .string(p.state.status.rawValue)
        o["error_code"] = .optional(p.state.errorCode)
        try EventLog.append(db, NewEvent(PaymentEvents.definition(for: p.state.status), entityID: p.id, payload: o), actor: actor, at: now)
    }

    // MARK: gateway events

    /// Whether a gateway event with this identity was kept before: a repeat changes nothing.
    public static func isKept(_ db: any Database, gateway: String, eventID: String) throws -> Bool {
        try PaymentRecords.eventKept(db, gateway: gateway, eventID: eventID)
    }

    /// Keeps a verified gateway event (its raw body) with the payment it moved, once its
    /// effect is known: one INSERT, where keeping it first and linking the payment afterwards
    /// cost an INSERT and an UPDATE of the same row. The caller asked `isKept` first in this
    /// transaction; if the identity is stored by now, a concurrent delivery of the same event
    /// committed first (PostgreSQL), and the transaction runs again to find it kept.
    public static func keep(_ db: any Database, gateway: String, eventID: String, type: String, paymentID: String?, body: String, now: Int64) throws {
        guard try PaymentRecords.insertEvent(db, gateway: gateway, eventID: eventID, type: type, paymentID: paymentID, body: body, at: now) else {
            throw db.concurrentChange(DomainError(.versionMismatch, "Gateway event \(eventID) was kept by another delivery meanwhile."))
        }
    }

    /// The gateway events that moved a payment, oldest first.
    public static func events(_ db: any Database, paymentID: String) throws -> [(eventID: String, type: String, receivedAt: Int64)] {
        try PaymentRecords.events(db, paymentID: paymentID)
    }

    // MARK: mismatches

    /// Records a mismatch (once per kind and payment) and announces it; nil when this payment
    /// already had one of that kind.
    @discardableResult
    public static func recordMismatch(
        _ db: any Database, kind: PaymentMismatch.Kind, payment: Payment, expectedPaise: Int64?, refundDuePaise: Int64, actor: String?, now: Int64
    ) throws -> PaymentMismatch? {
        let m = PaymentMismatch(
            id: EntityID.make(.mismatch, milliseconds: UInt64(max(0, now))), kind: kind, subjectID: payment.id, orderID: payment.orderID,
            paymentID: payment.id, amountPaise: payment.state.amountPaise, expectedPaise: expectedPaise, refundDuePaise: max(0, refundDuePaise),
            status: .open, note: nil, resolvedBy: nil, resolvedAt: nil, occurredAt: payment.createdAt, createdAt: now)
        return try recordMismatch(db, m, actor: actor, now: now) ? m : nil
    }

    /// Stores `m` (once per kind and subject) and announces it; false when its subject already had one of its kind.
    static func recordMismatch(_ db: any Database, _ m: PaymentMismatch, actor: String?, now: Int64) throws -> Bool {
        guard try PaymentRecords.insertMismatch(db, m) else { return false }
        var o = JSONObject()
        o["mismatch_id"] = .string(m.id)
        o["kind"] = .string(m.kind.rawValue)
        o["subject_id"] = .string(m.subjectID)
        o["order_id"] = .optional(m.orderID)
        o["payment_id"] = .optional(m.paymentID)
        o["amount_paise"] = .int(m.amountPaise)
        o["expected_paise"] = m.expectedPaise.map(JSONValue.int) ?? .null
        o["refund_due_paise"] = .int(m.refundDuePaise)
        try EventLog.append(db, NewEvent(PaymentEvents.mismatchFound, entityID: m.id, payload: o), actor: actor, at: now)
        return true
    }

    public static func mismatches(_ db: any Database, orderID: String) throws -> [PaymentMismatch] {
        try PaymentRecords.mismatches(db, orderID: orderID)
    }

    /// Mismatches, newest first (open ones only, or all), before the id `before`.
    public static func mismatches(_ db: any Database, openOnly: Bool, before: String?, limit: Int) throws -> [PaymentMismatch] {
        try PaymentRecords.mismatches(db, openOnly: openOnly, before: before, limit: limit)
    }

    /// Resolves an open mismatch with a note (it stays, resolved, in the history).
    public static func resolve(_ db: any Database, id: String, note: String, actor: String?, now: Int64) throws -> PaymentMismatch {
        guard let m = try PaymentRecords.mismatch(db, id: id) else { throw DomainError.notFound("mismatch", id) }
        guard m.status == .open else { throw DomainError(.invalidTransition, "Mismatch \(id) is already resolved.") }
        guard try PaymentRecords.resolve(db, id: id, note: note, actor: actor, at: now) else {
            throw db.concurrentChange(DomainError(.invalidTransition, "Mismatch \(id) is already resolved."))
        }
        guard let resolved = try PaymentRecords.mismatch(db, id: id) else { throw DomainError.notFound("mismatch", id) }
        try announceResolved(db, resolved, actor: actor, now: now)
        return resolved
    }

    /// Resolves the open mismatch of `kind` about `subjectID` because the money it missed has
    /// arrived (`note` says how); false when none was open.
    static func clear(_ db: any Database, kind: PaymentMismatch.Kind, subjectID: String, note: String, now: Int64) throws -> Bool {
        guard try ReconciliationRecords.resolve(db, kind: kind, subjectID: subjectID, note: note, actor: ReconciliationChecks.actor, at: now) else { return false }
        guard let m = try PaymentRecords.mismatch(db, kind: kind, subjectID: subjectID) else { return true }
        try announceResolved(db, m, actor: ReconciliationChecks.actor, now: now)
        return true
    }

    private static func announceResolved(_ db: any Database, _ m: PaymentMismatch, actor: String?, now: Int64) throws {
        var o = JSONObject()
        o["mismatch_id"] = .string(m.id)
        o["kind"] = .string(m.kind.rawValue)
        o["subject_id"] = .string(m.subjectID)
        o["note"] = .string(m.note ?? "")
        try EventLog.append(db, NewEvent(PaymentEvents.mismatchResolved, entityID: m.id, payload: o), actor: actor, at: now)
    }
}
