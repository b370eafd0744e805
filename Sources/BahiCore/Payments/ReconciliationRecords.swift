public import BahiStore

/// The reconciliation's SQL over the Payments domain's tables: the candidates each check
/// finds, the mismatches the money has since cleared, and the report's sums. Kept apart from
/// `PaymentRecords` (which moves single payments and refunds) because these statements read
/// across many rows; every one is bounded by an index (`payments_captured`,
/// `refunds_pending`, `settlement_lines_settled`, `cod_remittances_date`,
/// `payment_mismatches_occurred`). Sums are cast to BIGINT: PostgreSQL's SUM of a BIGINT is a
/// NUMERIC.
enum ReconciliationRecords {
    /// A row some check looks at, in the words the checks share.
    struct Candidate: Sendable, Equatable {
        var subjectID: String
        var orderID: String?
        var paymentID: String?
        var amount: Int64
        var occurredAt: Int64
    }

    // MARK: ageing checks

    /// Captured gateway payments of `gateway` from before `cutoff` with no settled line, not yet named.
    static func capturedNotSettled(_ db: any Database, gateway: String, cutoff: Int64, limit: Int) throws -> [Candidate] {
        try db.query(
            """
            SELECT p.id AS id, p.order_id AS order_id, p.amount_paise AS amount_paise, p.created_at AS created_at FROM payments p
             WHERE p.status = 'captured' AND p.created_at <= ?2 AND p.gateway = ?1 AND p.gateway_payment_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM settlement_lines s
                                WHERE s.gateway = p.gateway AND s.type = 'payment' AND s.entity_id = p.gateway_payment_id AND s.settled)
               AND NOT EXISTS (SELECT 1 FROM payment_mismatches m WHERE m.kind = 'captured_not_settled' AND m.subject_id = p.id)
             ORDER BY p.created_at LIMIT ?3
            """, binding: gateway, cutoff, limit) { row in
            Candidate(subjectID: try row["id"], orderID: try row["order_id"], paymentID: try row["id"], amount: try row["amount_paise"],
                      occurredAt: try row["created_at"])
        }
    }

    /// Refunds pending since before `cutoff`, not yet named.
    static func refundsStuck(_ db: any Database, cutoff: Int64, limit: Int) throws -> [Candidate] {
        try db.query(
            """
            SELECT r.id AS id, r.order_id AS order_id, r.payment_id AS payment_id, r.amount_paise AS amount_paise, r.created_at AS created_at
              FROM refunds r
             WHERE r.status = 'pending' AND r.created_at <= ?1
               AND NOT EXISTS (SELECT 1 FROM payment_mismatches m WHERE m.kind = 'refund_stuck' AND m.subject_id = r.id)
             ORDER BY r.created_at LIMIT ?2
            """, binding: cutoff, limit) { row in
            Candidate(subjectID: try row["id"], orderID: try row["order_id"], paymentID: try row["payment_id"], amount: try row["amount_paise"],
                      occurredAt: try row["created_at"])
        }
    }

    /// COD cash collected before `cutoff` for an order no remittance names, not yet named.
    static func codNotRemitted(_ db: any Database, cutoff: Int64, limit: Int) throws -> [Candidate] {
        try db.query(
            """
            SELECT p.id AS id, p.order_id AS order_id, p.amount_paise AS amount_paise, p.created_at AS created_at FROM payments p
             WHERE p.status = 'captured' AND p.created_at <= ?1 AND p.gateway = 'cod' AND p.order_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM cod_remittances c WHERE c.order_id = p.order_id)
               AND NOT EXISTS (SELECT 1 FROM payment_mismatches m WHERE m.kind = 'cod_delivered_not_remitted' AND m.subject_id = p.id)
             ORDER BY p.created_at LIMIT ?2
            """, binding: cutoff, limit) { row in
            Candidate(subjectID: try row["id"], orderID: try row["order_id"], paymentID: try row["id"], amount: try row["amount_paise"],
                      occurredAt: try row["created_at"])
        }
    }

    // MARK: row checks

    /// A settled-or-not payment line beside the payment it settles.
    struct SettledPayment: Sendable, Equatable {
        var paymentID: String, orderID: String?
        var paymentAmount: Int64, paymentCreatedAt: Int64, paymentMethod: String?
        var amount: Int64, fee: Int64, tax: Int64, credit: Int64, method: String?
    }

    /// Payment lines whose payment is known and that no mismatch of `kind` names yet.
    static func settledPayments(_ db: any Database, unnamedAs kind: PaymentMismatch.Kind, limit: Int) throws -> [SettledPayment] {
        try db.query(
            """
            SELECT p.id AS payment_id, p.order_id AS order_id, p.amount_paise AS payment_amount, p.created_at AS payment_created_at,
                   p.method AS payment_method, s.amount_paise AS amount_paise, s.fee_paise AS fee_paise, s.tax_paise AS tax_paise,
                   s.credit_paise AS credit_paise, s.method AS method
              FROM settlement_lines s JOIN payments p ON p.gateway = s.gateway AND p.gateway_payment_id = s.entity_id
             WHERE s.type = 'payment'
               AND NOT EXISTS (SELECT 1 FROM payment_mismatches m WHERE m.kind = ?1 AND m.subject_id = p.id)
             ORDER BY p.id LIMIT ?2
            """, binding: kind.rawValue, limit) { row in
            SettledPayment(paymentID: try row["payment_id"], orderID: try row["order_id"], paymentAmount: try row["payment_amount"],
                           paymentCreatedAt: try row["payment_created_at"], paymentMethod: try row["payment_method"], amount: try row["amount_paise"],
                           fee: try row["fee_paise"], tax: try row["tax_paise"], credit: try row["credit_paise"], method: try row["method"])
        }
    }

    /// An order's COD cash beside what its remittances say.
    struct Remitted: Sendable, Equatable {
        var orderID: String, paymentID: String?
        var collected: Int64, collectedAt: Int64
        var codAmount: Int64, deductions: Int64, net: Int64
        /// Whether an open `cod_short_remitted` names the order already.
        var named: Bool
    }

    /// Every order with remittance rows and COD cash collected: its totals. Orders already
    /// named short are included (so the check can clear them once the rest arrives).
    static func remittedOrders(_ db: any Database) throws -> [Remitted] {
        try db.query(
            """
            SELECT c.order_id AS order_id, c.cod_amount AS cod_amount, c.deductions AS deductions, c.net AS net,
                   p.payment_id AS payment_id, p.collected AS collected, p.collected_at AS collected_at,
                   EXISTS (SELECT 1 FROM payment_mismatches m WHERE m.kind = 'cod_short_remitted' AND m.subject_id = c.order_id) AS named
              FROM (SELECT order_id, CAST(SUM(cod_amount_paise) AS BIGINT) AS cod_amount,
                           CAST(SUM(freight_deducted_paise + cod_charge_paise + early_cod_fee_paise + reversal_amount_paise) AS BIGINT) AS deductions,
                           CAST(SUM(net_remitted_paise) AS BIGINT) AS net
                      FROM cod_remittances WHERE order_id IS NOT NULL GROUP BY order_id) c
              JOIN (SELECT order_id, MIN(id) AS payment_id, CAST(SUM(amount_paise) AS BIGINT) AS collected, MIN(created_at) AS collected_at
                      FROM payments WHERE gateway = 'cod' AND status = 'captured' AND order_id IS NOT NULL GROUP BY order_id) p
                ON p.order_id = c.order_id
             ORDER BY c.order_id
            """, StatementArguments([])) { row in
            Remitted(orderID: try row["order_id"], paymentID: try row["payment_id"], collected: try row["collected"], collectedAt: try row["collected_at"],
                     codAmount: try row["cod_amount"], deductions: try row["deductions"], net: try row["net"], named: try row["named"])
        }
    }

    // MARK: clearing

    /// Open mismatches of the ageing kinds whose money has since arrived (a settled line, a
    /// refund no longer pending, a remittance for the order), each with what cleared it.
    static func cleared(_ db: any Database) throws -> [(id: String, kind: String, subjectID: String, note: String)] {
        try db.query(
            """
            SELECT m.id AS id, m.kind AS kind, m.subject_id AS subject_id,
                   'settled in ' || COALESCE(s.settlement_id, 'a settlement') || COALESCE(' (UTR ' || s.settlement_utr || ')', '') AS note
              FROM payment_mismatches m JOIN payments p ON p.id = m.subject_id
              JOIN settlement_lines s ON s.gateway = p.gateway AND s.type = 'payment' AND s.entity_id = p.gateway_payment_id AND s.settled
             WHERE m.kind = 'captured_not_settled' AND m.status = 'open'
            UNION ALL
            SELECT m.id, m.kind, m.subject_id, 'refund ' || r.status
              FROM payment_mismatches m JOIN refunds r ON r.id = m.subject_id
             WHERE m.kind = 'refund_stuck' AND m.status = 'open' AND r.status <> 'pending'
            UNION ALL
            SELECT m.id, m.kind, m.subject_id, 'remitted in ' || MIN(c.remittance_id)
              FROM payment_mismatches m JOIN cod_remittances c ON c.order_id = m.order_id
             WHERE m.kind = 'cod_delivered_not_remitted' AND m.status = 'open'
             GROUP BY m.id, m.kind, m.subject_id
            """, StatementArguments([])) { row in
            (id: try row["id"] as String, kind: try row["kind"] as String, subjectID: try row["subject_id"] as String, note: try row["note"] as String)
        }
    }

    /// Resolves an open mismatch by `subject` and `kind`; false when none was open.
    static func resolve(_ db: any Database, kind: PaymentMismatch.Kind, subjectID: String, note: String, actor: String, at: Int64) throws -> Bool {
        try db.execute(
            "UPDATE payment_mismatches SET status = 'resolved', note = ?1, resolved_by = ?2, resolved_at = ?3 WHERE kind = ?4 AND subject_id = ?5 AND status = 'open'",
            binding: note, actor, at, kind.rawValue, subjectID) == 1
    }

    // MARK: the report

    /// Captured payments in [from, to): prepaid (by gateway or by hand) and COD cash collected,
    /// with what of them has not yet reached the bank (a settling gateway's payment with no
    /// settled line; money recorded by hand under another name is not awaited from anyone).
    static func captured(_ db: any Database, from: Int64, to: Int64) throws -> (prepaid: Int64, prepaidCount: Int64, cod: Int64, codCount: Int64,
                                                                               prepaidUnsettled: Int64, codUnremitted: Int64) {
        let row = try db.queryFirst(
            """
            SELECT CAST(COALESCE(SUM(CASE WHEN p.gateway = 'cod' THEN 0 ELSE p.amount_paise END), 0) AS BIGINT) AS prepaid,
                   COUNT(CASE WHEN p.gateway = 'cod' THEN NULL ELSE 1 END) AS prepaid_count,
                   CAST(COALESCE(SUM(CASE WHEN p.gateway = 'cod' THEN p.amount_paise ELSE 0 END), 0) AS BIGINT) AS cod,
                   COUNT(CASE WHEN p.gateway = 'cod' THEN 1 ELSE NULL END) AS cod_count,
                   CAST(COALESCE(SUM(CASE WHEN p.gateway IN ('razorpay', 'cashfree', 'payu') AND p.gateway_payment_id IS NOT NULL AND NOT EXISTS (
                            SELECT 1 FROM settlement_lines s WHERE s.gateway = p.gateway AND s.type = 'payment'
                               AND s.entity_id = p.gateway_payment_id AND s.settled) THEN p.amount_paise ELSE 0 END), 0) AS BIGINT) AS prepaid_unsettled,
                   CAST(COALESCE(SUM(CASE WHEN p.gateway = 'cod' AND NOT EXISTS (
                            SELECT 1 FROM cod_remittances c WHERE c.order_id = p.order_id) THEN p.amount_paise ELSE 0 END), 0) AS BIGINT) AS cod_unremitted
              FROM payments p WHERE p.status = 'captured' AND p.created_at >= ?1 AND p.created_at < ?2
            """, binding: from, to) { row in
            (prepaid: try row["prepaid"] as Int64, prepaidCount: try row["prepaid_count"] as Int64, cod: try row["cod"] as Int64,
             codCount: try row["cod_count"] as Int64, prepaidUnsettled: try row["prepaid_unsettled"] as Int64, codUnremitted: try row["cod_unremitted"] as Int64)
        }
        return row ?? (0, 0, 0, 0, 0, 0)
    }

    /// Settlement lines settled in [from, to): what the gateways paid out, gross, their fees and
    /// the GST inside them, refunds they took back, and the net credited.
    static func settled(_ db: any Database, from: Int64, to: Int64) throws -> (gross: Int64, fees: Int64, tax: Int64, refunds: Int64, net: Int64, lines: Int64) {
        let row = try db.queryFirst(
            """
            SELECT CAST(COALESCE(SUM(CASE WHEN type = 'payment' THEN amount_paise ELSE 0 END), 0) AS BIGINT) AS gross,
                   CAST(COALESCE(SUM(fee_paise), 0) AS BIGINT) AS fees, CAST(COALESCE(SUM(tax_paise), 0) AS BIGINT) AS tax,
                   CAST(COALESCE(SUM(CASE WHEN type = 'refund' THEN debit_paise ELSE 0 END), 0) AS BIGINT) AS refunds,
                   CAST(COALESCE(SUM(credit_paise - debit_paise), 0) AS BIGINT) AS net, COUNT(*) AS lines
              FROM settlement_lines WHERE settled AND settled_at >= ?1 AND settled_at < ?2
            """, binding: from, to) { row in
            (gross: try row["gross"] as Int64, fees: try row["fees"] as Int64, tax: try row["tax"] as Int64, refunds: try row["refunds"] as Int64,
             net: try row["net"] as Int64, lines: try row["lines"] as Int64)
        }
        return row ?? (0, 0, 0, 0, 0, 0)
    }

    /// Refunds: processed in [from, to) (by their last change), and asked in it and still pending.
    static func refunds(_ db: any Database, from: Int64, to: Int64) throws -> (processed: Int64, processedCount: Int64, pending: Int64, pendingCount: Int64) {
        let row = try db.queryFirst(
            """
            SELECT CAST(COALESCE(SUM(CASE WHEN status = 'processed' AND updated_at >= ?1 AND updated_at < ?2 THEN amount_paise ELSE 0 END), 0) AS BIGINT) AS processed,
                   COUNT(CASE WHEN status = 'processed' AND updated_at >= ?1 AND updated_at < ?2 THEN 1 ELSE NULL END) AS processed_count,
                   CAST(COALESCE(SUM(CASE WHEN status = 'pending' AND created_at >= ?1 AND created_at < ?2 THEN amount_paise ELSE 0 END), 0) AS BIGINT) AS pending,
                   COUNT(CASE WHEN status = 'pending' AND created_at >= ?1 AND created_at < ?2 THEN 1 ELSE NULL END) AS pending_count
              FROM refunds WHERE status <> 'failed' AND (updated_at >= ?1 OR created_at >= ?1)
            """, binding: from, to) { row in
            (processed: try row["processed"] as Int64, processedCount: try row["processed_count"] as Int64,
             pending: try row["pending"] as Int64, pendingCount: try row["pending_count"] as Int64)
        }
        return row ?? (0, 0, 0, 0)
    }

    /// Remittances dated in [from, to): the COD cash they cover, what the couriers deducted, and the net paid.
    static func remitted(_ db: any Database, from: Int64, to: Int64) throws -> (cod: Int64, deductions: Int64, net: Int64, rows: Int64) {
        let row = try db.queryFirst(
            """
            SELECT CAST(COALESCE(SUM(cod_amount_paise), 0) AS BIGINT) AS cod,
                   CAST(COALESCE(SUM(freight_deducted_paise + cod_charge_paise + early_cod_fee_paise + reversal_amount_paise), 0) AS BIGINT) AS deductions,
                   CAST(COALESCE(SUM(net_remitted_paise), 0) AS BIGINT) AS net, COUNT(*) AS rows_count
              FROM cod_remittances WHERE remittance_date >= ?1 AND remittance_date < ?2
            """, binding: from, to) { row in
            (cod: try row["cod"] as Int64, deductions: try row["deductions"] as Int64, net: try row["net"] as Int64, rows: try row["rows_count"] as Int64)
        }
        return row ?? (0, 0, 0, 0)
    }

    /// COD cash collected in [from, to) whose order no remittance names yet: its amount and when.
    static func codUnremitted(_ db: any Database, from: Int64, to: Int64) throws -> [(amount: Int64, collectedAt: Int64)] {
        try db.query(
            """
            SELECT p.amount_paise AS amount_paise, p.created_at AS created_at FROM payments p
             WHERE p.status = 'captured' AND p.created_at >= ?1 AND p.created_at < ?2 AND p.gateway = 'cod'
               AND NOT EXISTS (SELECT 1 FROM cod_remittances c WHERE c.order_id = p.order_id)
            """, binding: from, to) { row in
            (amount: try row["amount_paise"] as Int64, collectedAt: try row["created_at"] as Int64)
        }
    }

    /// Mismatches whose money moved in [from, to), oldest first.
    static func mismatches(_ db: any Database, from: Int64, to: Int64) throws -> [PaymentMismatch] {
        try db.query("SELECT \(PaymentRecords.mismatchColumns) FROM payment_mismatches WHERE occurred_at >= ?1 AND occurred_at < ?2 ORDER BY occurred_at, id",
                     binding: from, to, map: PaymentRecords.mismatch)
    }
}
