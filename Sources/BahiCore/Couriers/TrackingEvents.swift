/// The events of a shipment's journey after booking, as couriers report it (or a person does
/// for a courier with no push), as declared in `EventCatalogue`.
///
/// Each carries the courier's time (`at`), not Bahi's: reports arrive late and out of order,
/// and a consumer telling the buyer "delivered at 15:41" wants the courier's clock. A status a
/// report skipped (picked up, when the first report is "in transit") is announced too, with
/// `implied: true`, so a consumer following one event never misses the step.
public enum TrackingEvents {
    private static let common: [PayloadField] = [
        PayloadField("shipment_id", .string, "The shipment."),
        PayloadField("order_id", .string, "Its order."),
        PayloadField("courier", .string, "The courier's code."),
        PayloadField("awb", .string, "The air waybill number."),
        PayloadField("at", .timestamp, "When the courier says it happened."),
        PayloadField("location", .string, optional: true, "Where, in the courier's words."),
        PayloadField("implied", .boolean, "True when no report said so: a later status skipped it."),
    ]

    private static func define(_ status: ShipmentStatus, _ summary: String, extra: [PayloadField] = []) -> EventDefinition {
        EventDefinition("shipment.\(status.rawValue)", entity: "shipment", summary, payload: common + extra)
    }

    public static let pickedUp = define(.pickedUp, "The courier picked the parcel up; its stock shipped.", extra: [
        PayloadField("manifest_id", .string, optional: true, "The manifest it was handed over on; null when the courier reported the pickup without a handover scan."),
    ])
    public static let inTransit = define(.inTransit, "The parcel is on its way.")
    public static let outForDelivery = define(.outForDelivery, "The parcel is out for delivery.")
    public static let delivered = define(.delivered, "The parcel was delivered.", extra: [
        PayloadField("cod_collected_paise", .integer, optional: true, "Cash the courier collected for a COD order (recorded as the order's payment)."),
    ])
    public static let ndr = define(.undelivered, "A delivery attempt failed (NDR).", extra: [
        PayloadField("ndr_id", .string, "The NDR, to act on within the action window."),
        PayloadField("attempt", .integer, "Which attempt failed (1 for the first)."),
        PayloadField("reason", .string, "customer_unavailable, refused, address_issue, cod_not_ready, reschedule_requested, out_of_delivery_area or other."),
        PayloadField("code", .string, optional: true, "The courier's code for it."),
        PayloadField("text", .string, optional: true, "The courier's words for it."),
        PayloadField("next", .string, "reattempt, or rto when the policy sends it back (a refusal, or the last attempt)."),
    ])
    public static let rtoInitiated = define(.rtoInitiated, "The parcel is going back to the seller (RTO).", extra: [
        PayloadField("cause", .string, "courier (the courier said so), refused or attempts_exhausted (the NDR policy), or seller (an NDR action)."),
    ])
    public static let rtoInTransit = define(.rtoInTransit, "The returning parcel is on its way back.")
    public static let rtoDelivered = define(.rtoDelivered, "The returned parcel reached the seller; receive it to restock.")
    public static let lost = define(.lost, "The courier declared the parcel lost.")

    /// The seller answered a failed attempt.
    public static let ndrActioned = EventDefinition("shipment.ndr_actioned", entity: "shipment", "The seller answered a failed delivery attempt (NDR).", payload: [
        PayloadField("shipment_id", .string, "The shipment."),
        PayloadField("order_id", .string, "Its order."),
        PayloadField("ndr_id", .string, "The NDR answered."),
        PayloadField("action", .string, "reattempt, return, update_address or update_phone."),
        PayloadField("deferred_date", .string, optional: true, "The day the buyer asked for (YYYY-MM-DD)."),
    ])

    /// Every definition, in catalogue order.
    public static let all: [EventDefinition] = [pickedUp, inTransit, outForDelivery, delivered, ndr, ndrActioned, rtoInitiated, rtoInTransit, rtoDelivered, lost]

    /// The event a courier-reported move into `status` appends (nil for warehouse statuses).
    public static func event(for status: ShipmentStatus) -> EventDefinition? {
        switch status {
        case .pickedUp: pickedUp
        case .inTransit: inTransit
        case .outForDelivery: outForDelivery
        case .delivered: delivered
        case .undelivered: ndr
        case .rtoInitiated: rtoInitiated
        case .rtoInTransit: rtoInTransit
        case .rtoDelivered: rtoDelivered
        case .lost: lost
        case .pending, .picking, .packed, .ready, .cancelled: nil
        }
    }
}
