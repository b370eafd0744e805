import BahiJSON
public import BahiStore

/// Refunds on the Payments domain: opening one against the payment with the most left to
/// refund, recording what the gateway answered or later reported, payouts marked paid.
///
/// Why the amount is reserved first: a gateway is called over the network, which must never
/// happen inside a write transaction, so a refund is asked in three steps — reserve and store
/// it `pending` (one transaction), call the gateway (none), record the answer (another). The
/// reservation is one conditional UPDATE on the payment row, so however many requests race,
/// the refunds asked never exceed what was captured; a refund that fails gives its amount
/// back exactly once (its move out of `pending` is conditional too).
public enum Refunds {
    /// What a caller asks to give back.
    /// A line a refund gives money back for: which SKU of the order, and how many.
    public struct Line: Sendable, Equatable {
        public var sku: String
        public var qty: Int64
        public init(sku: String, qty: Int64) { self.sku = sku; self.qty = qty }
    }

    public struct Request: Sendable, Equatable {
        public var amountPaise: Int64
        public var reason: String
        /// The lines refunded, when named (checked against the order by `RefundFlow`).
        public var lines: [Line]?
        /// Where a payout goes (required when the refund is a payout, refused otherwise).
        public var beneficiary: RefundBeneficiary?

        public init(amountPaise: Int64, reason: String, lines: [Line]? = nil, beneficiary: RefundBeneficiary? = nil) {
            self.amountPaise = amountPaise
            self.reason = reason
            self.lines = lines
            self.beneficiary = beneficiary
        }

        /// The lines as stored: a JSON array of {sku, qty}.
        var linesJSON: String? {
            lines.map { JSONValue.array($0.map { .object(["sku": .string($0.sku), "qty": .int($0.qty)]) }).encodedText }
        }
    }

    /// What a gateway said to a refund request, in its API's answer.
    public enum Answer: Sendable, Equatable {
        /// The gateway took it: its refund id and where it stands (it may already be failed).
        case accepted(gatewayRefundID: String, status: Refund.Status, arn: String?)
        /// The gateway refused it (a 4xx): nothing was refunded, the amount is refundable again.
        case refused(String)
        /// No answer that says what happened (refused connection, timeout, a 5xx, an unreadable
        /// body): the refund stays pending with the reason; asking again with the same
        /// idempotency key cannot refund twice.
        case unknown(String)
    }

    /// Payments whose `refunded_paise` is not what their refunds that did not fail add up to,
    /// or exceeds what they took: one sentence each, for `bahi check`. The ceiling rests on
    /// that column (one conditional UPDATE reserves a refund's amount), so a drift would let a
    /// refund through that the money does not cover, or refuse one it does.
    public static func ceilingProblems(_ db: any Database) throws -> [String] {
        try PaymentRecords.refundedMismatches(db).map { m in
            m.refunded > m.amount
                ? "payment \(m.id) has refunded \(m.refunded) paise of \(m.amount) taken"
                : "payment \(m.id) has refunded_paise \(m.refunded) but its refunds that did not fail add up to \(m.asked)"
        }
    }

    public static func get(_ db: any Database, id: String) throws -> Refund? {
        try PaymentRecords.refund(db, id: id)
    }

    /// An order's refunds, oldest first.
    public static func refunds(_ db: any Database, orderID: String) throws -> [Refund] {
        try PaymentRecords.refunds(db, orderID: orderID)
    }

    /// Payout refunds at `status` (pending: the transfers still to make), oldest first.
    public static func payouts(_ db: any Database, status: Refund.Status) throws -> [Refund] {
        try PaymentRecords.payouts(db, status: status)
    }

    /// The columns of the payouts file, in order.
    public static let payoutColumns = ["beneficiary_name", "account_masked", "ifsc", "amount_rupees", "refund_id", "order_id"]

    /// Payouts at `status` as CSV for the person making the transfers: the name, the masked
    /// account (they have the whole number from the buyer), the IFSC, rupees with two decimals.
    public static func payoutsCSV(_ db: any Database, status: Refund.Status) throws -> [UInt8] {
        var csv = CSVWriter(capacity: 4096)
        csv.row(payoutColumns)
        for refund in try PaymentRecords.payouts(db, status: status) {
            csv.append(refund.beneficiary?.name ?? "")
            csv.append(refund.beneficiary?.accountMasked ?? "")
            csv.append(refund.beneficiary?.ifsc ?? "")
            csv.append(GatewayRefundRequest.rupees(refund.amountPaise))
            csv.append(refund.id)
            csv.append(refund.orderID ?? "")
            csv.endRow()
        }
        return csv.bytes
    }

    /// Opens a refund against `orderID`'s captured payment with the most left to refund
    /// (transaction 1): chooses who pays it back — a payout for a COD order or a payment with
    /// no gateway, else the payment's gateway, which must be in `gateways` (those with
    /// credentials) — reserves the amount, stores the refund `pending` and announces it.
    /// Everything is checked before anything is written: a refusal leaves no trace.
    public static func open(
        _ db: any Database, orderID: String, orderIsCOD: Bool, _ request: Request, gateways: Set<String>, actor: String?, now: Int64
    ) throws -> Refund {
        let captured = try PaymentRecords.payments(db, orderID: orderID).filter { $0.state.status == .captured }
        guard let payment = captured.max(by: { ($0.refundablePaise, $1.id) < ($1.refundablePaise, $0.id) }),
              payment.refundablePaise >= request.amountPaise else {
            throw exceeds(orderID: orderID, requested: request.amountPaise, remaining: captured.map(\.refundablePaise).max() ?? 0)
        }
        let payout = orderIsCOD || payment.gateway == nil || payment.gateway == "cod"
        let gateway = payout ? Refund.payoutGateway : (payment.gateway ?? Refund.payoutGateway)
        if payout {
            guard request.beneficiary != nil else {
                throw DomainError.invalid("beneficiary", "required",
                                          "This refund is a bank payout (a COD order, or a payment with no gateway): give the buyer's name, account_number and ifsc.")
            }
        } else {
            guard request.beneficiary == nil else {
                throw DomainError.invalid("beneficiary", "invalid", "Payment \(payment.id) is refunded through \(gateway), to the buyer's original method: no bank account is needed.")
            }
            guard gateways.contains(gateway) else {
                throw DomainError(.gatewayNotConfigured,
                                  "Payment \(payment.id) was made through \(gateway), and this server cannot refund through \(gateway) (no API credentials configured, or no refund support). Nothing was written.",
                                  details: [DomainError.Detail(key: "gateway", json: JSONValue.string(gateway).encodedText)])
            }
        }
        guard try PaymentRecords.reserveRefund(db, paymentID: payment.id, amountPaise: request.amountPaise) else {
            // Another transaction took from the payment after it was read: decide again on what it left.
            throw db.concurrentChange(exceeds(orderID: orderID, requested: request.amountPaise, remaining: payment.refundablePaise))
        }
        let id = EntityID.make(.refund, milliseconds: UInt64(max(0, now)))
        let refund = Refund(
            id: id, orderID: orderID, paymentID: payment.id, gateway: gateway, gatewayRefundID: nil, amountPaise: request.amountPaise,
            reason: request.reason, linesJSON: request.linesJSON, status: .pending, idempotencyKey: id, arn: nil, utr: nil,
            beneficiary: payout ? request.beneficiary : nil, error: nil, actor: actor, createdAt: now, updatedAt: now)
        guard try PaymentRecords.insertRefund(db, refund) else {
            throw DomainError(.corruptRow, "Refund \(id) could not be stored.")
        }
        try announce(db, refund, actor: actor, now: now)
        return refund
    }

    static func exceeds(orderID: String, requested: Int64, remaining: Int64) -> DomainError {
        DomainError(.refundExceedsCaptured,
                    "Refunding \(requested) paise is more than order \(orderID) has left to refund on any one payment: \(remaining) paise.",
                    details: [DomainError.Detail(key: "refundable_paise", json: String(remaining))])
    }

    /// Records the gateway's answer to the request for refund `id` (transaction 2).
    public static func recordAnswer(_ db: any Database, id: String, _ answer: Answer, actor: String?, now: Int64) throws -> Refund {
        guard let refund = try PaymentRecords.refund(db, id: id) else { throw DomainError.notFound("refund", id) }
        switch answer {
        case .accepted(let gatewayRefundID, let status, let arn):
            return try move(db, refund, to: status, gatewayRefundID: gatewayRefundID, arn: arn, utr: nil, error: nil, actor: actor, now: now)
        case .refused(let reason):
            return try move(db, refund, to: .failed, gatewayRefundID: nil, arn: nil, utr: nil, error: reason, actor: actor, now: now)
        case .unknown(let reason):
            guard refund.status == .pending else { return refund }
            let error = "\(reason) — the refund stays pending; asking again sends the same idempotency key (\(refund.idempotencyKey)), so it cannot be refunded twice."
            try PaymentRecords.noteRefund(db, id: id, gatewayRefundID: nil, arn: nil, error: error, now: now)
            var after = refund
            after.error = error
            after.updatedAt = now
            return after
        }
    }

    /// Marks a payout paid with the transfer's UTR. The same UTR again answers the refund as
    /// it is; a failed refund, another UTR, or a gateway refund is refused.
    public static func markPaid(_ db: any Database, id: String, utr: String, actor: String?, now: Int64) throws -> Refund {
        guard let refund = try PaymentRecords.refund(db, id: id) else { throw DomainError.notFound("refund", id) }
        guard refund.isPayout else {
            throw DomainError(.invalidTransition, "Refund \(id) goes through \(refund.gateway); only a payout is marked paid by hand.")
        }
        if refund.status == .processed && refund.utr == utr { return refund }
        guard refund.status == .pending else {
            throw DomainError(.invalidTransition, "Refund \(id) is already \(refund.status.rawValue)\(refund.utr.map { " (UTR \($0))" } ?? "").")
        }
        return try move(db, refund, to: .processed, gatewayRefundID: nil, arn: nil, utr: utr, error: nil, actor: actor, now: now)
    }

    /// Applies a refund a gateway reported (a webhook): the refund it names — by the gateway's
    /// id, else by ours echoed back — moves up the ladder; one Bahi never asked for is recorded
    /// for its payment (its amount counted as refunded unless failed). Nil when neither the
    /// refund nor its payment is known: the event is kept, nothing else.
    public static func applyReported(_ db: any Database, gateway: String, _ update: GatewayEvent.RefundUpdate, now: Int64) throws -> Refund? {
        let actor = "gateway:\(gateway)"
        let status: Refund.Status = switch update.status {
        case .pending: .pending
        case .processed: .processed
        case .failed: .failed
        }
        var found = try PaymentRecords.refund(db, gateway: gateway, gatewayRefundID: update.gatewayRefundID)
        if found == nil, let ours = update.merchantRefundID, EntityID.isValid(ours, kind: .refund),
           let asked = try PaymentRecords.refund(db, id: ours), asked.gateway == gateway {
            found = asked
        }
        if let refund = found {
            return try move(db, refund, to: status, gatewayRefundID: update.gatewayRefundID, arn: update.arn, utr: nil, error: nil, actor: actor, now: now)
        }
        guard let payment = try PaymentRecords.payment(db, gateway: gateway, gatewayPaymentID: update.gatewayPaymentID) else { return nil }
        let id = EntityID.make(.refund, milliseconds: UInt64(max(0, now)))
        let refund = Refund(
            id: id, orderID: payment.orderID, paymentID: payment.id, gateway: gateway, gatewayRefundID: update.gatewayRefundID,
            amountPaise: update.amountPaise, reason: "Reported by \(gateway) (not asked through Bahi)", linesJSON: nil, status: status,
            idempotencyKey: update.gatewayRefundID, arn: update.arn, utr: nil, beneficiary: nil, error: nil, actor: actor, createdAt: now, updatedAt: now)
        guard try PaymentRecords.insertRefund(db, refund) else {
            throw db.concurrentChange(DomainError(.versionMismatch, "Refund \(update.gatewayRefundID) was stored by another request."))
        }
        if status != .failed { try PaymentRecords.takeReportedRefund(db, paymentID: payment.id, amountPaise: update.amountPaise) }
        var created = refund
        created.status = .pending
        try announce(db, created, actor: actor, now: now)
        if status != .pending { try announce(db, refund, actor: actor, now: now) }
        return refund
    }

    /// Moves `refund` to `to` if its ladder allows (a failure giving the amount back, once);
    /// otherwise keeps what the report adds (the gateway's id, an ARN) and leaves it where it is.
    static func move(
        _ db: any Database, _ refund: Refund, to: Refund.Status, gatewayRefundID: String?, arn: String?, utr: String?, error: String?,
        actor: String?, now: Int64
    ) throws -> Refund {
        var after = refund
        after.gatewayRefundID = refund.gatewayRefundID ?? gatewayRefundID
        after.arn = arn ?? refund.arn
        after.updatedAt = now
        guard refund.status.canMove(to: to) else {
            guard after.gatewayRefundID != refund.gatewayRefundID || after.arn != refund.arn || (to == .pending && refund.error != nil) else { return refund }
            after.error = to == .pending ? nil : refund.error
            try PaymentRecords.noteRefund(db, id: refund.id, gatewayRefundID: after.gatewayRefundID, arn: after.arn, error: after.error, now: now)
            return after
        }
        guard try PaymentRecords.settleRefund(db, id: refund.id, to: to, gatewayRefundID: gatewayRefundID, arn: arn, utr: utr, error: error, now: now) else {
            // Another report moved it first: read it again and decide on what it did.
            throw db.concurrentChange(DomainError(.versionMismatch, "Refund \(refund.id) changed while this report was recorded."))
        }
        if to == .failed {
            guard try PaymentRecords.giveBackRefund(db, paymentID: refund.paymentID, amountPaise: refund.amountPaise) else {
                throw DomainError(.ledgerInconsistent, "Payment \(refund.paymentID) has less refunded than failed refund \(refund.id) took.")
            }
        }
        after.status = to
        after.utr = utr ?? refund.utr
        after.error = error
        try announce(db, after, actor: actor, now: now)
        return after
    }

    static func announce(_ db: any Database, _ r: Refund, actor: String?, now: Int64) throws {
        var o = JSONObject()
        o["refund_id"] = .string(r.id)
        o["order_id"] = .optional(r.orderID)
        o["payment_id"] = .string(r.paymentID)
        o["gateway"] = .string(r.gateway)
        o["gateway_refund_id"] = .optional(r.gatewayRefundID)
        o["amount_paise"] = .int(r.amountPaise)
        o["status"] = .string(r.status.rawValue)
        o["reason"] = .string(r.reason)
        o["arn"] = .optional(r.arn)
        o["utr"] = .optional(r.utr)
        o["error"] = .optional(r.error)
        try EventLog.append(db, NewEvent(RefundEvents.definition(for: r.status), entityID: r.id, payload: o), actor: actor, at: now)
    }
}
