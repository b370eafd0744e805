/// The events of orders, as declared in `EventCatalogue`. Every one is appended with the
/// order's history row (`OrderHistory.record`), so its payload is the history detail plus the
/// order's id and status (and the status it left, on a move).
public enum OrderEvents {
    /// Fields every order event carries.
    private static let orderID = PayloadField("order_id", .string, "The order.")
    private static let status = PayloadField("status", .string, "The order's status after the change.")
    private static let fromStatus = PayloadField("from_status", .string, optional: true, "The status it left (absent at intake).")

    /// An order was taken in (any channel, any starting status).
    public static let created = EventDefinition("order.created", entity: "order", "An order was taken in.", payload: [
        PayloadField("channel", .string, "The channel it came from."),
        PayloadField("channel_order_ref", .string, "The channel's own reference."),
        PayloadField("total_paise", .integer, "The order's total."),
        PayloadField("payment_method", .string, "prepaid or cod."),
        PayloadField("risk_score", .integer, optional: true, "The RTO-risk score (COD orders)."),
        orderID, status, fromStatus,
    ])

    /// A prepaid order was taken in before its payment arrived.
    public static let pendingPayment = EventDefinition("order.pending_payment", entity: "order", "An order waits for its payment.", payload: [
        orderID, status, PayloadField("reason", .string, optional: true, "Always null: nothing holds it but the payment."),
    ])

    /// An order was put on hold: by intake (risky COD) or by a person.
    public static let onHold = EventDefinition("order.on_hold", entity: "order", "An order was put on hold.", payload: [
        orderID, status, fromStatus,
        PayloadField("reason", .string, optional: true, "Why it waits (cod_verification, address_review, …)."),
        PayloadField("note", .string, optional: true, "What the person noted."),
    ])

    /// An order became ready to fulfil: at intake, after verification, or paid.
    public static let confirmed = EventDefinition("order.confirmed", entity: "order", "An order was confirmed.", payload: [
        orderID, status, fromStatus,
        PayloadField("reason", .string, optional: true, "At intake: always null."),
        PayloadField("hold_reason", .string, optional: true, "The hold it was confirmed out of."),
        PayloadField("note", .string, optional: true, "What the person noted."),
        PayloadField("payment_id", .string, optional: true, "The payment that confirmed it."),
    ])

    /// The first of an order's shipments was picked or packed.
    public static let inFulfilment = EventDefinition("order.in_fulfilment", entity: "order", "Fulfilment of an order began.", payload: [
        orderID, status, fromStatus,
        PayloadField("picklist_id", .string, optional: true, "The pick list that took it."),
        PayloadField("shipment_id", .string, optional: true, "The shipment packed first."),
    ])

    /// An order was cancelled and its stock released.
    public static let cancelled = EventDefinition("order.cancelled", entity: "order", "An order was cancelled.", payload: [
        orderID, status, fromStatus,
        PayloadField("reason", .string, "Why (customer, fraud, inventory, payment_timeout, address, other)."),
        PayloadField("refund_due", .boolean, "Money was taken and is owed back."),
        PayloadField("released_units", .integer, "Units returned to stock."),
        PayloadField("note", .string, optional: true, "What the person noted."),
        PayloadField("credit_note_due", .boolean, optional: true, "Present when an invoice was issued."),
    ])

    /// An order's lines, shipping address or shipping charge were changed.
    public static let edited = EventDefinition("order.edited", entity: "order", "An order was edited.", payload: [
        orderID, status, fromStatus,
        PayloadField("lines", .object, optional: true, "Lines before and after."),
        PayloadField("shipping_address", .object, optional: true, "Address before and after."),
        PayloadField("shipping_paise", .object, optional: true, "Shipping charge before and after."),
        PayloadField("total_paise", .object, optional: true, "Total before and after."),
    ])

    /// A payment (captured, authorized or failed) was recorded against an order.
    public static let paymentRecorded = EventDefinition("order.payment_recorded", entity: "order", "A payment was recorded.", payload: [
        orderID, status, fromStatus,
        PayloadField("payment_id", .string, "The payment."),
        PayloadField("amount_paise", .integer, "Its amount."),
        PayloadField("payment_status", .string, "captured, authorized or failed."),
        PayloadField("gateway", .string, optional: true, "The gateway that reported it."),
        PayloadField("paid_paise", .integer, "What the order has been paid in all."),
    ])

    /// Every definition of this domain, in catalogue order.
    /// Every shipment of the order reached its end (delivered, returned to origin or lost).
    public static let completed = EventDefinition("order.completed", entity: "order", "Every shipment of an order reached its end: the order is completed.", payload: [
        orderID, status, fromStatus,
        PayloadField("fulfilment_status", .string, "How it ended: delivered, partially_delivered or rto."),
        PayloadField("shipment_id", .string, "The shipment whose end completed it."),
    ])

    /// The order's fulfilment status followed its shipments.
    public static let fulfilmentChanged = EventDefinition(
        "order.fulfilment_changed", entity: "order", "An order's fulfilment status followed its shipments (shipped, delivered, RTO).", payload: [
            orderID, status, fromStatus,
            PayloadField("fulfilment_status", .string, "The new fulfilment status."),
            PayloadField("from_fulfilment_status", .string, "The one before."),
            PayloadField("shipment_id", .string, "The shipment whose move changed it."),
        ])

    public static let all: [EventDefinition] = [created, pendingPayment, onHold, confirmed, inFulfilment, cancelled, edited, paymentRecorded, fulfilmentChanged, completed]

    /// The event announcing the status an order was taken in (intake starts an order
    /// pending_payment, on_hold or confirmed).
    public static func intakeStatus(_ status: OrderStatus) -> EventDefinition {
        switch status {
        case .pendingPayment: pendingPayment
        case .onHold: onHold
        case .confirmed, .inFulfilment, .completed, .cancelled: confirmed
        }
    }
}
