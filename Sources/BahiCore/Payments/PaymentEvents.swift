/// The events of the Payments domain, as declared in `EventCatalogue`.
///
/// Why one event per status a payment reaches: a connector (an ERP, an accounting sync) wants
/// "money taken" as its own fact, not a diff to interpret; and a payment reaches each status
/// at most once (the merge never moves it back), so each is appended at most once.
public enum PaymentEvents {
    static let paymentFields: [PayloadField] = [
        PayloadField("payment_id", .string, "The payment (pay_…)."),
        PayloadField("order_id", .string, optional: true, "The order it belongs to; null for an orphan."),
        PayloadField("gateway", .string, optional: true, "razorpay, cashfree, payu; null when entered by hand without one."),
        PayloadField("gateway_payment_id", .string, optional: true, "The gateway's id of the payment."),
        PayloadField("method", .string, optional: true, "upi, card, netbanking, wallet, emi, cod or other."),
        PayloadField("amount_paise", .integer, "The amount."),
        PayloadField("fee_paise", .integer, optional: true, "The gateway's fee, its GST included."),
        PayloadField("tax_paise", .integer, optional: true, "The GST inside the fee."),
        PayloadField("status", .string, "pending, authorized, captured or failed."),
    ]

    static func reached(_ status: PaymentState.Status, _ summary: String) -> EventDefinition {
        EventDefinition("payment.\(status.rawValue)", entity: "payment", summary, payload: paymentFields + [
            PayloadField("error_code", .string, optional: true, "The gateway's error, when failed."),
        ])
    }

    public static let pending = reached(.pending, "A gateway reported a payment it has not decided yet (not paid).")
    public static let authorized = reached(.authorized, "A payment was authorized: money blocked, not yet taken.")
    public static let captured = reached(.captured, "A payment was captured: money taken.")
    public static let failed = reached(.failed, "A payment failed (a later capture of the same payment still counts).")

    /// The definition for a payment that reached `status`.
    public static func definition(for status: PaymentState.Status) -> EventDefinition {
        switch status {
        case .pending: pending
        case .authorized: authorized
        case .captured: captured
        case .failed: failed
        }
    }

    public static let mismatchFound = EventDefinition("reconciliation.mismatch_found", entity: "mismatch",
        "Money went wrong and was named: paid after cancel, a double charge, an amount that is not the total, an orphan payment, or what the reconciliation checks find (captured and not settled, settled at another amount, a fee above the agreed rate, a refund stuck, COD cash not remitted or remitted short).", payload: [
            PayloadField("mismatch_id", .string, "The mismatch (mis_…)."),
            PayloadField("kind", .string, "paid_after_cancel, double_charge, amount_mismatch, orphan_payment, captured_not_settled, settled_amount_mismatch, fee_above_agreed, refund_stuck, cod_delivered_not_remitted or cod_short_remitted."),
            PayloadField("subject_id", .string, "What it is about: the payment, the refund, or the order (a short remittance)."),
            PayloadField("order_id", .string, optional: true, "The order, when one matched."),
            PayloadField("payment_id", .string, optional: true, "The payment, when there is one."),
            PayloadField("amount_paise", .integer, "What happened: captured, settled, the fee charged, refunded, collected, remitted."),
            PayloadField("expected_paise", .integer, optional: true, "What should have happened."),
            PayloadField("refund_due_paise", .integer, "What is due back to the buyer."),
        ])

    public static let mismatchResolved = EventDefinition("reconciliation.mismatch_resolved", entity: "mismatch",
        "A mismatch was resolved: by a person with a note, or by the reconciliation checks when the money it missed arrived.", payload: [
            PayloadField("mismatch_id", .string, "The mismatch (mis_…)."),
            PayloadField("kind", .string, "Its kind."),
            PayloadField("subject_id", .string, "What it is about."),
            PayloadField("note", .string, "Why it is resolved."),
        ])

    public static let importCompleted = EventDefinition("reconciliation.import_completed", entity: "import",
        "A settlement or remittance file was imported.", payload: [
            PayloadField("import_id", .string, "The import (imp_…)."),
            PayloadField("kind", .string, "razorpay_settlements, cashfree_settlements or cod_remittance."),
            PayloadField("rows", .integer, "Rows in the file."),
            PayloadField("applied", .integer, "Rows new or changed."),
            PayloadField("unchanged", .integer, "Rows already stored exactly so."),
            PayloadField("errors", .integer, "Rows refused."),
            PayloadField("orders_remitted", .integer, "COD orders moved to cod_remitted."),
        ])

    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = [pending, authorized, captured, failed, mismatchFound, mismatchResolved, importCompleted]
}
