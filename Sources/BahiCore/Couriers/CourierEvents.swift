/// The events of the Couriers domain, as declared in `EventCatalogue`.
///
/// A created or updated courier carries the whole courier as the API shows it (so a consumer
/// never reads it back), plus `changes` on updates.
public enum CourierEvents {
    /// The fields of a courier as `Courier.json` writes them.
    private static let courierFields: [PayloadField] = [
        PayloadField("code", .string, "The merchant's courier code."),
        PayloadField("name", .string, "Display name."),
        PayloadField("provider", .string, "`manual`, `waybill_pool`, `shiprocket` or `delhivery`: how parcels are booked."),
        PayloadField("mode", .string, "`surface` or `air`."),
        PayloadField("max_weight_g", .integer, "The heaviest parcel it takes, dead or volumetric."),
        PayloadField("cod", .boolean, "Whether it collects cash on delivery."),
        PayloadField("active", .boolean, "Whether it is quoted."),
        PayloadField("pickup_cutoff", .string, "Latest hand-over for the day's pickup, HH:MM IST."),
        PayloadField("daily_pickup_capacity", .integer, optional: true, "Parcels it picks up a day; null for no limit."),
        PayloadField("rate_card", .object, "Zone prices (first and additional slab), slab, volumetric divisor, minimum, COD fee, RTO share, fuel surcharge, GST."),
        PayloadField("zone_e_states", .array, "States priced as zone E besides the North-East, J&K, Ladakh and the islands."),
        PayloadField("provider_courier_id", .string, optional: true, "Shiprocket's courier company id (shiprocket couriers); null when not set."),
        PayloadField("pickup_location", .string, optional: true, "The pickup location's name at the provider (shiprocket, delhivery); null when not set."),
        PayloadField("serviceability", .object, "`pincodes` in its serviceability table and when it was last replaced (`updated_at`)."),
        PayloadField("version", .integer, "The courier's version after the change."),
        PayloadField("created_at", .timestamp, "When the courier was created."),
        PayloadField("updated_at", .timestamp, "When it last changed."),
    ]

    /// A courier was created.
    public static let courierCreated = EventDefinition(
        "courier.created", entity: "courier", "A courier was created, at version 1.", payload: courierFields)

    /// A courier changed.
    public static let courierUpdated = EventDefinition(
        "courier.updated", entity: "courier", "A courier (its rate card, limits or flags) changed; its version went up by one.",
        payload: courierFields + [PayloadField("changes", .array, "The names of the fields that changed.")])

    /// A courier's serviceability table was replaced by an upload.
    public static let serviceabilityReplaced = EventDefinition(
        "courier.serviceability_replaced", entity: "courier", "A courier's serviceability table was replaced by an uploaded list.", payload: [
            PayloadField("courier", .string, "The courier's code."),
            PayloadField("format", .string, "`csv` or `delhivery_json`."),
            PayloadField("rows", .integer, "Entries in the list."),
            PayloadField("pincodes", .integer, "Pincodes now in the table."),
            PayloadField("errors", .integer, "Entries refused (their pincodes are no longer served)."),
        ])

    /// AWBs were imported into a waybill-pool courier's pool.
    public static let waybillsImported = EventDefinition(
        "courier.waybills_imported", entity: "courier", "AWBs were imported into a waybill-pool courier's pool.", payload: [
            PayloadField("courier", .string, "The courier's code."),
            PayloadField("added", .integer, "AWBs new to the pool."),
            PayloadField("known", .integer, "AWBs it had already, or repeated in the list: left as they were."),
            PayloadField("available", .integer, "AWBs available after the import."),
        ])

    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = [courierCreated, courierUpdated, serviceabilityReplaced, waybillsImported]
}
