/// The events of refunds, as declared in `EventCatalogue`.
///
/// Why three: a connector (accounting, a helpdesk telling the buyer) wants to know that money
/// was promised back (`created`), that it left (`processed`), or that it did not and is the
/// seller's again (`failed`); each is appended at most once per refund (the status ladder
/// never repeats a step).
public enum RefundEvents {
    static let fields: [PayloadField] = [
        PayloadField("refund_id", .string, "The refund (rfd_…)."),
        PayloadField("order_id", .string, optional: true, "The order, when the payment has one."),
        PayloadField("payment_id", .string, "The payment refunded (pay_…)."),
        PayloadField("gateway", .string, "razorpay, cashfree, or payout (a bank transfer the seller makes)."),
        PayloadField("gateway_refund_id", .string, optional: true, "The gateway's id of the refund, once it answered."),
        PayloadField("amount_paise", .integer, "The amount given back."),
        PayloadField("status", .string, "pending, processed or failed."),
        PayloadField("reason", .string, "Why the money goes back."),
        PayloadField("arn", .string, optional: true, "The bank's reference for the buyer (processed gateway refunds)."),
        PayloadField("utr", .string, optional: true, "The transfer's reference (paid payouts)."),
        PayloadField("error", .string, optional: true, "Why it failed."),
    ]

    public static let created = EventDefinition("refund.created", entity: "refund",
        "A refund was asked for (or a gateway reported one Bahi did not ask for); its amount is reserved on the payment.", payload: fields)
    public static let processed = EventDefinition("refund.processed", entity: "refund",
        "A refund's money left: the gateway processed it, or the seller's payout was marked paid with its UTR.", payload: fields)
    public static let failed = EventDefinition("refund.failed", entity: "refund",
        "A refund failed; its amount is refundable again.", payload: fields)

    /// The definition announcing a refund that reached `status`.
    public static func definition(for status: Refund.Status) -> EventDefinition {
        switch status {
        case .pending: created
        case .processed: processed
        case .failed: failed
        }
    }

    /// Every definition of refunds, in catalogue order.
    public static let all: [EventDefinition] = [created, processed, failed]
}
