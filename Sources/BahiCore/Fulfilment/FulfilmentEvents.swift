/// The events of shipments, picklists and invoices, as declared in `EventCatalogue`.
/// A pick list has no event of its own: each shipment it takes announces `shipment.picking`.
public enum FulfilmentEvents {
    /// A pick list took a shipment (pending → picking).
    public static let shipmentPicking = EventDefinition("shipment.picking", entity: "shipment", "A shipment is being picked.", payload: [
        PayloadField("shipment_id", .string, "The shipment."),
        PayloadField("order_id", .string, "Its order."),
        PayloadField("picklist_id", .string, "The pick list that took it."),
    ])

    /// A shipment was scanned, measured and packed.
    public static let shipmentPacked = EventDefinition("shipment.packed", entity: "shipment", "A shipment was packed.", payload: [
        PayloadField("shipment_id", .string, "The shipment."),
        PayloadField("order_id", .string, "Its order."),
        PayloadField("weight_g", .integer, "The parcel's weight."),
        PayloadField("invoice_id", .string, optional: true, "The invoice issued with it (none when its lines were billed already)."),
    ])

    /// A packed shipment was booked with a courier (packed → ready).
    public static let shipmentBooked = EventDefinition("shipment.booked", entity: "shipment", "A packed shipment was booked with a courier and has its AWB.", payload: [
        PayloadField("shipment_id", .string, "The shipment."),
        PayloadField("order_id", .string, "Its order."),
        PayloadField("courier", .string, "The courier's code."),
        PayloadField("awb", .string, "The air waybill number the courier gave."),
        PayloadField("total_paise", .integer, "What the courier's quote said the parcel costs to carry, GST included."),
    ])

    /// A booking was cancelled before pickup (ready → packed).
    public static let shipmentBookingCancelled = EventDefinition(
        "shipment.booking_cancelled", entity: "shipment", "A shipment's booking was cancelled before pickup; it is packed again, its AWB given up.", payload: [
            PayloadField("shipment_id", .string, "The shipment."),
            PayloadField("order_id", .string, "Its order."),
            PayloadField("courier", .string, "The courier it was booked with."),
            PayloadField("awb", .string, "The AWB given up (never issued again)."),
        ])

    /// A courier's pickup list was made.
    public static let manifestCreated = EventDefinition("manifest.created", entity: "manifest", "A manifest of ready parcels was made for a courier's pickup.", payload: [
        PayloadField("manifest_id", .string, "The manifest."),
        PayloadField("courier", .string, "The courier's code."),
        PayloadField("location", .string, "Where the parcels are picked up."),
        PayloadField("shipment_ids", .array, "The shipments on it."),
    ])

    /// A returned (RTO) parcel was opened and its units recorded as good, damaged or missing.
    public static let shipmentRTOReceived = EventDefinition(
        "shipment.rto_received", entity: "shipment", "A returned parcel was received back: good units restocked, damaged kept apart, missing named.", payload: [
            PayloadField("shipment_id", .string, "The shipment."),
            PayloadField("order_id", .string, "Its order."),
            PayloadField("location", .string, "Where it was received (and good units restocked)."),
            PayloadField("good", .integer, "Units restocked."),
            PayloadField("damaged", .integer, "Units recorded as damaged."),
            PayloadField("missing", .integer, "Units not in the parcel."),
        ])

    /// A GST invoice was issued (when a shipment was packed).
    public static let invoiceIssued = EventDefinition("invoice.issued", entity: "invoice", "A GST invoice was issued.", payload: [
        PayloadField("invoice_id", .string, "The invoice."),
        PayloadField("number", .string, "Its number in the financial year's series."),
        PayloadField("order_id", .string, "The order it bills."),
        PayloadField("shipment_id", .string, "The shipment it goes with."),
        PayloadField("total_paise", .integer, "Its total."),
    ])

    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = [
        shipmentPicking, shipmentPacked, shipmentBooked, shipmentBookingCancelled, manifestCreated, shipmentRTOReceived, invoiceIssued,
    ]

    /// The event a shipment's move into `status` appends, or nil when the move has none
    /// (a cancelled shipment is announced by its order's `order.cancelled` or `order.edited`).
    public static func shipmentStatus(_ status: ShipmentStatus) -> EventDefinition? {
        switch status {
        case .picking: shipmentPicking
        case .packed: shipmentPacked
        case .pickedUp: TrackingEvents.pickedUp
        default: nil
        }
    }
}
