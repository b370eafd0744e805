import BahiStore

/// Every SQL statement on the Payments domain's tables: `payments`, `gateway_events`,
/// `payment_mismatches`, `refunds`; each row mapped once, by column name.
enum PaymentRecords {
    static let paymentColumns = """
        id, order_id, gateway, gateway_payment_id, gateway_order_id, receipt, method, amount_paise, fee_paise, tax_paise, status,
        error_code, error_description, actor, created_at, updated_at
        """

    static func payment(_ row: Row) throws -> Payment {
        let statusText: String = try row["status"]
        guard let status = PaymentState.Status(rawValue: statusText) else {
            throw DomainError(.corruptRow, "payments.status \(statusText) is not a payment status.")
        }
        let method: String? = try row["method"]
        return Payment(
            id: try row["id"], orderID: try row["order_id"], gateway: try row["gateway"], gatewayPaymentID: try row["gateway_payment_id"],
            gatewayOrderID: try row["gateway_order_id"], receipt: try row["receipt"], method: method.flatMap(PaymentInstrument.init(rawValue:)),
            state: PaymentState(status: status, amountPaise: try row["amount_paise"], feePaise: try row["fee_paise"], taxPaise: try row["tax_paise"],
                                errorCode: try row["error_code"], errorDescription: try row["error_description"]),
            refundedPaise: try row["refunded_paise"], actor: try row["actor"], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }

    static func payment(_ db: any Database, gateway: String, gatewayPaymentID: String) throws -> Payment? {
        try db.queryFirst("SELECT \(paymentColumns), refunded_paise FROM payments WHERE gateway = ?1 AND gateway_payment_id = ?2",
                          binding: gateway, gatewayPaymentID, map: payment)
    }

    static func payment(_ db: any Database, id: String) throws -> Payment? {
        try db.queryFirst("SELECT \(paymentColumns), refunded_paise FROM payments WHERE id = ?1", binding: id, map: payment)
    }

    static func payments(_ db: any Database, orderID: String) throws -> [Payment] {
        try db.query("SELECT \(paymentColumns), refunded_paise FROM payments WHERE order_id = ?1 ORDER BY id", binding: orderID, map: payment)
    }

    /// Stores a new payment unless the gateway's id is already stored; returns whether it did.
    static func insert(_ db: any Database, _ p: Payment) throws -> Bool {
        try db.execute(
            """
            INSERT INTO payments (\(paymentColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
            ON CONFLICT (gateway, gateway_payment_id) DO NOTHING
            """,
            binding: p.id, p.orderID, p.gateway, p.gatewayPaymentID, p.gatewayOrderID, p.receipt, p.method?.rawValue, p.state.amountPaise,
            p.state.feePaise, p.state.taxPaise, p.state.status.rawValue, p.state.errorCode, p.state.errorDescription, p.actor, p.createdAt,
            p.updatedAt) == 1
    }

    /// Writes a merged state over the row, only if it is still at `from` (status, amount and
    /// fee as read): false when another transaction moved it first.
    static func update(_ db: any Database, id: String, from: PaymentState, to: PaymentState, method: PaymentInstrument?, now: Int64) throws -> Bool {
        try db.execute(
            """
            UPDATE payments SET status = ?1, amount_paise = ?2, fee_paise = ?3, tax_paise = ?4, error_code = ?5, error_description = ?6,
                   method = COALESCE(method, ?7), updated_at = ?8
             WHERE id = ?9 AND status = ?10 AND amount_paise = ?11 AND COALESCE(fee_paise, -1) = ?12
            """,
            binding: to.status.rawValue, to.amountPaise, to.feePaise, to.taxPaise, to.errorCode, to.errorDescription, method?.rawValue, now,
            id, from.status.rawValue, from.amountPaise, from.feePaise ?? -1) == 1
    }

    // MARK: gateway events

    /// Whether a gateway event with this identity is kept already (a point read on the UNIQUE
    /// index: a delivery's first question, asked before anything is written).
    static func eventKept(_ db: any Database, gateway: String, eventID: String) throws -> Bool {
        try db.queryFirst("SELECT 1 AS kept FROM gateway_events WHERE gateway = ?1 AND event_id = ?2", binding: gateway, eventID) { _ in true } ?? false
    }

    /// Keeps a verified gateway event with the payment it moved (nil: none) unless its identity
    /// is stored; returns whether it did.
    static func insertEvent(_ db: any Database, gateway: String, eventID: String, type: String, paymentID: String?, body: String, at: Int64) throws -> Bool {
        try db.execute(
            """
            INSERT INTO gateway_events (gateway, event_id, type, payment_id, body, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (gateway, event_id) DO NOTHING
            """, binding: gateway, eventID, type, paymentID, body, at) == 1
    }

    /// The events that moved a payment, oldest first: (gateway's event id, type, received at).
    static func events(_ db: any Database, paymentID: String) throws -> [(eventID: String, type: String, receivedAt: Int64)] {
        try db.query("SELECT event_id, type, received_at FROM gateway_events WHERE payment_id = ?1 ORDER BY id", binding: paymentID) { row in
            (eventID: try row["event_id"] as String, type: try row["type"] as String, receivedAt: try row["received_at"] as Int64)
        }
    }

    // MARK: mismatches

    static let mismatchColumns = """
        id, kind, subject_id, order_id, payment_id, amount_paise, expected_paise, refund_due_paise, status, note, resolved_by, resolved_at,
        occurred_at, created_at
        """

    static func mismatch(_ row: Row) throws -> PaymentMismatch {
        let kind: String = try row["kind"], status: String = try row["status"]
        guard let k = PaymentMismatch.Kind(rawValue: kind), let s = PaymentMismatch.Status(rawValue: status) else {
            throw DomainError(.corruptRow, "payment_mismatches \(kind)/\(status) is not a known kind and status.")
        }
        return PaymentMismatch(
            id: try row["id"], kind: k, subjectID: try row["subject_id"], orderID: try row["order_id"], paymentID: try row["payment_id"],
            amountPaise: try row["amount_paise"], expectedPaise: try row["expected_paise"], refundDuePaise: try row["refund_due_paise"], status: s,
            note: try row["note"], resolvedBy: try row["resolved_by"], resolvedAt: try row["resolved_at"], occurredAt: try row["occurred_at"],
            createdAt: try row["created_at"])
    }

    /// Records a mismatch unless its subject already has one of its kind; returns whether it did.
    static func insertMismatch(_ db: any Database, _ m: PaymentMismatch) throws -> Bool {
        try db.execute(
            """
            INSERT INTO payment_mismatches (\(mismatchColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
            ON CONFLICT (kind, subject_id) DO NOTHING
            """,
            binding: m.id, m.kind.rawValue, m.subjectID, m.orderID, m.paymentID, m.amountPaise, m.expectedPaise, m.refundDuePaise, m.status.rawValue,
            m.note, m.resolvedBy, m.resolvedAt, m.occurredAt, m.createdAt) == 1
    }

    static func mismatches(_ db: any Database, orderID: String) throws -> [PaymentMismatch] {
        try db.query("SELECT \(mismatchColumns) FROM payment_mismatches WHERE order_id = ?1 ORDER BY id", binding: orderID, map: mismatch)
    }

    /// Mismatches, newest first, optionally only open ones, before the id `before`.
    static func mismatches(_ db: any Database, openOnly: Bool, before: String?, limit: Int) throws -> [PaymentMismatch] {
        let bound = before ?? "\u{10FFFF}"
        return try db.query(openOnly ? openMismatchesSQL : mismatchesSQL, binding: bound, limit, map: mismatch)
    }

    /// The mismatch list's statements: open ones (`payment_mismatches_status`, status then id)
    /// or all (the primary key), each read backwards from the cursor.
    static let openMismatchesSQL = "SELECT \(mismatchColumns) FROM payment_mismatches WHERE status = 'open' AND id < ?1 ORDER BY id DESC LIMIT ?2"
    static let mismatchesSQL = "SELECT \(mismatchColumns) FROM payment_mismatches WHERE id < ?1 ORDER BY id DESC LIMIT ?2"

    static func mismatch(_ db: any Database, kind: PaymentMismatch.Kind, subjectID: String) throws -> PaymentMismatch? {
        try db.queryFirst("SELECT \(mismatchColumns) FROM payment_mismatches WHERE kind = ?1 AND subject_id = ?2", binding: kind.rawValue, subjectID, map: mismatch)
    }

    static func mismatch(_ db: any Database, id: String) throws -> PaymentMismatch? {
        try db.queryFirst("SELECT \(mismatchColumns) FROM payment_mismatches WHERE id = ?1", binding: id, map: mismatch)
    }

    /// Resolves an open mismatch with a note; false when it was not open.
    static func resolve(_ db: any Database, id: String, note: String, actor: String?, at: Int64) throws -> Bool {
        try db.execute(
            "UPDATE payment_mismatches SET status = 'resolved', note = ?1, resolved_by = ?2, resolved_at = ?3 WHERE id = ?4 AND status = 'open'",
            binding: note, actor, at, id) == 1
    }

    // MARK: refunds

    /// Takes `amount` from what a captured payment may still refund, in one conditional UPDATE:
    /// false (nothing changed) when less than `amount` remains. The changed-row count decides,
    /// so concurrent refunds can never take more than was captured, on either store.
    static func reserveRefund(_ db: any Database, paymentID: String, amountPaise: Int64) throws -> Bool {
        try db.execute(
            "UPDATE payments SET refunded_paise = refunded_paise + ?1 WHERE id = ?2 AND status = 'captured' AND amount_paise - refunded_paise >= ?1",
            binding: amountPaise, paymentID) == 1
    }

    /// Counts a refund the gateway reports it made: the gateway's word, not a request, so not
    /// bounded by what Bahi thinks remains (an auto-refund of an uncaptured payment).
    static func takeReportedRefund(_ db: any Database, paymentID: String, amountPaise: Int64) throws {
        try db.perform("UPDATE payments SET refunded_paise = refunded_paise + ?1 WHERE id = ?2", binding: amountPaise, paymentID)
    }

    /// Gives a failed refund's amount back to its payment.
    static func giveBackRefund(_ db: any Database, paymentID: String, amountPaise: Int64) throws -> Bool {
        try db.execute("UPDATE payments SET refunded_paise = refunded_paise - ?1 WHERE id = ?2 AND refunded_paise >= ?1",
                       binding: amountPaise, paymentID) == 1
    }

    static let refundColumns = """
        id, order_id, payment_id, gateway, gateway_refund_id, amount_paise, reason, lines, status, idempotency_key, arn, utr,
        beneficiary_name, beneficiary_account_masked, beneficiary_ifsc, error, actor, created_at, updated_at
        """

    static func refund(_ row: Row) throws -> Refund {
        let statusText: String = try row["status"]
        guard let status = Refund.Status(rawValue: statusText) else {
            throw DomainError(.corruptRow, "refunds.status \(statusText) is not a refund status.")
        }
        let name: String? = try row["beneficiary_name"], masked: String? = try row["beneficiary_account_masked"], ifsc: String? = try row["beneficiary_ifsc"]
        let beneficiary: RefundBeneficiary? = if let name, let masked, let ifsc { RefundBeneficiary(name: name, accountMasked: masked, ifsc: ifsc) } else { nil }
        return Refund(
            id: try row["id"], orderID: try row["order_id"], paymentID: try row["payment_id"], gateway: try row["gateway"],
            gatewayRefundID: try row["gateway_refund_id"], amountPaise: try row["amount_paise"], reason: try row["reason"], linesJSON: try row["lines"],
            status: status, idempotencyKey: try row["idempotency_key"], arn: try row["arn"], utr: try row["utr"], beneficiary: beneficiary,
            error: try row["error"], actor: try row["actor"], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }

    /// Stores a new refund unless the gateway's refund id is already stored; returns whether it did.
    static func insertRefund(_ db: any Database, _ r: Refund) throws -> Bool {
        try db.execute(
            """
            INSERT INTO refunds (\(refundColumns))
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
            ON CONFLICT (gateway, gateway_refund_id) DO NOTHING
            """,
            binding: r.id, r.orderID, r.paymentID, r.gateway, r.gatewayRefundID, r.amountPaise, r.reason, r.linesJSON, r.status.rawValue,
            r.idempotencyKey, r.arn, r.utr, r.beneficiary?.name, r.beneficiary?.accountMasked, r.beneficiary?.ifsc, r.error, r.actor,
            r.createdAt, r.updatedAt) == 1
    }

    static func refund(_ db: any Database, id: String) throws -> Refund? {
        try db.queryFirst("SELECT \(refundColumns) FROM refunds WHERE id = ?1", binding: id, map: refund)
    }

    static func refund(_ db: any Database, gateway: String, gatewayRefundID: String) throws -> Refund? {
        try db.queryFirst("SELECT \(refundColumns) FROM refunds WHERE gateway = ?1 AND gateway_refund_id = ?2",
                          binding: gateway, gatewayRefundID, map: refund)
    }

    static func refunds(_ db: any Database, orderID: String) throws -> [Refund] {
        try db.query("SELECT \(refundColumns) FROM refunds WHERE order_id = ?1 ORDER BY id", binding: orderID, map: refund)
    }

    /// Payout refunds at `status`, oldest first.
    static func payouts(_ db: any Database, status: Refund.Status) throws -> [Refund] {
        try db.query("SELECT \(refundColumns) FROM refunds WHERE gateway = 'payout' AND status = ?1 ORDER BY created_at, id",
                     binding: status.rawValue, map: refund)
    }

    /// Moves a pending refund to `to`, with what the move learnt; false when it was no longer
    /// pending (another report moved it first: nothing is given back twice).
    static func settleRefund(_ db: any Database, id: String, to: Refund.Status, gatewayRefundID: String?, arn: String?, utr: String?,
                             error: String?, now: Int64) throws -> Bool {
        try db.execute(
            """
            UPDATE refunds SET status = ?1, gateway_refund_id = COALESCE(gateway_refund_id, ?2), arn = COALESCE(?3, arn), utr = COALESCE(?4, utr),
                   error = ?5, updated_at = ?6
             WHERE id = ?7 AND status = 'pending'
            """,
            binding: to.rawValue, gatewayRefundID, arn, utr, error, now, id) == 1
    }

    /// Notes what was learnt about a refund that stays where it is: the gateway's id, an ARN,
    /// or why its answer is not known (nil clears it).
    static func noteRefund(_ db: any Database, id: String, gatewayRefundID: String?, arn: String?, error: String?, now: Int64) throws {
        try db.perform(
            "UPDATE refunds SET gateway_refund_id = COALESCE(gateway_refund_id, ?1), arn = COALESCE(?2, arn), error = ?3, updated_at = ?4 WHERE id = ?5",
            binding: gatewayRefundID, arn, error, now, id)
    }

    // MARK: settlements and remittances

    /// Stores a settlement row, or replaces the stored one when the file's version differs
    /// (`row_hash`); returns whether it wrote (false: already stored exactly so).
    static func upsertSettlementLine(_ db: any Database, gateway: String, _ l: SettlementImport.SettlementLine, importID: String, now: Int64) throws -> Bool {
        try db.execute(
            """
            INSERT INTO settlement_lines (gateway, type, entity_id, amount_paise, fee_paise, tax_paise, debit_paise, credit_paise, on_hold, settled,
                   settlement_id, settlement_utr, gateway_order_id, order_receipt, gateway_payment_id, method, created_at, settled_at, row_hash,
                   import_id, imported_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
            ON CONFLICT (gateway, type, entity_id) DO UPDATE SET amount_paise = excluded.amount_paise, fee_paise = excluded.fee_paise,
                   tax_paise = excluded.tax_paise, debit_paise = excluded.debit_paise, credit_paise = excluded.credit_paise, on_hold = excluded.on_hold,
                   settled = excluded.settled, settlement_id = excluded.settlement_id, settlement_utr = excluded.settlement_utr,
                   gateway_order_id = excluded.gateway_order_id, order_receipt = excluded.order_receipt, gateway_payment_id = excluded.gateway_payment_id,
                   method = excluded.method, created_at = excluded.created_at, settled_at = excluded.settled_at, row_hash = excluded.row_hash,
                   import_id = excluded.import_id, imported_at = excluded.imported_at
             WHERE settlement_lines.row_hash <> excluded.row_hash
            """,
            binding: gateway, l.type, l.entityID, l.amount, l.fee, l.tax, l.debit, l.credit, l.onHold, l.settled, l.settlementID, l.settlementUTR,
            l.gatewayOrderID, l.orderReceipt, l.gatewayPaymentID, l.method, l.createdAt, l.settledAt, l.hash, importID, now) == 1
    }

    /// Stores a remittance row, or replaces the stored one when it differs; returns whether it wrote.
    static func upsertRemittance(_ db: any Database, courier: String, _ r: SettlementImport.Remittance, orderID: String?, importID: String, now: Int64) throws -> Bool {
        try db.execute(
            """
            INSERT INTO cod_remittances (courier, remittance_id, awb, utr, remittance_date, channel_order_id, order_id, cod_amount_paise,
                   freight_deducted_paise, cod_charge_paise, early_cod_fee_paise, reversal_amount_paise, net_remitted_paise, row_hash, import_id, imported_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
            ON CONFLICT (courier, remittance_id, awb) DO UPDATE SET utr = excluded.utr, remittance_date = excluded.remittance_date,
                   channel_order_id = excluded.channel_order_id, order_id = excluded.order_id, cod_amount_paise = excluded.cod_amount_paise,
                   freight_deducted_paise = excluded.freight_deducted_paise, cod_charge_paise = excluded.cod_charge_paise,
                   early_cod_fee_paise = excluded.early_cod_fee_paise, reversal_amount_paise = excluded.reversal_amount_paise,
                   net_remitted_paise = excluded.net_remitted_paise, row_hash = excluded.row_hash, import_id = excluded.import_id,
                   imported_at = excluded.imported_at
             WHERE cod_remittances.row_hash <> excluded.row_hash
            """,
            binding: courier, r.remittanceID, r.awb, r.utr, r.date, r.channelOrderID, orderID, r.cod, r.freight, r.codCharge, r.earlyFee, r.reversal,
            r.net, r.hash, importID, now) == 1
    }

    /// Payments whose `refunded_paise` differs from their refunds that did not fail, or
    /// exceeds their amount (`bahi check`).
    static func refundedMismatches(_ db: any Database) throws -> [(id: String, amount: Int64, refunded: Int64, asked: Int64)] {
        try db.query(
            """
            SELECT id, amount_paise, refunded_paise, asked FROM (
                SELECT p.id AS id, p.amount_paise AS amount_paise, p.refunded_paise AS refunded_paise,
                       CAST(COALESCE((SELECT SUM(r.amount_paise) FROM refunds r WHERE r.payment_id = p.id AND r.status <> 'failed'), 0) AS BIGINT) AS asked
                  FROM payments p) AS totals
             WHERE refunded_paise <> asked OR refunded_paise > amount_paise
             ORDER BY id
            """, StatementArguments([])) { row in
            (id: try row["id"] as String, amount: try row["amount_paise"] as Int64, refunded: try row["refunded_paise"] as Int64, asked: try row["asked"] as Int64)
        }
    }
}
