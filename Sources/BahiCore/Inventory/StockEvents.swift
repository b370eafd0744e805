/// The events of the stock ledger and checkout holds, as declared in `EventCatalogue`.
public enum StockEvents {
    /// A client released a hold; its units are sellable again.
    public static let reservationReleased = EventDefinition(
        "reservation.released", entity: "reservation", "A checkout hold was released by its client and its units returned to stock.", payload: [])
    /// The sweeper expired a hold.
    public static let reservationExpired = EventDefinition(
        "reservation.expired", entity: "reservation", "A checkout hold's time ran out and its units returned to stock.", payload: [])
    /// An order took a hold's place.
    public static let reservationConverted = EventDefinition(
        "reservation.converted", entity: "reservation",
        "A checkout hold became an order, which reserved its own lines in the same transaction.", payload: [])

    /// The channel stock feed's event: a SKU's availability changed.
    public static let inventoryChanged = EventDefinition(
        "inventory.changed", entity: "sku",
        "A SKU's availability (or what a channel may sell of it) may have changed; appended once per SKU per commit.",
        payload: [
            PayloadField("sku", .string, "The SKU (a kit when a component moved)."),
            PayloadField("available", .integer, "Units available over active locations after the change (a kit: whole kits)."),
            PayloadField("channel", .string, optional: true,
                         "Only in a delivery to a webhook endpoint with a channel (never in the feed): that channel."),
            PayloadField("sellable", .integer, optional: true,
                         "Only in a delivery to a webhook endpoint with a channel: what that channel may sell now, after its buffers; `available` is then as of the same moment."),
        ])
    /// Availability crossed below the SKU's low-stock threshold.
    public static let lowStock = EventDefinition(
        "inventory.low_stock", entity: "sku", "A SKU's availability fell below its low-stock threshold.",
        payload: [
            PayloadField("sku", .string, "The SKU."),
            PayloadField("available", .integer, "Units available after the change."),
            PayloadField("threshold", .integer, "The SKU's low-stock threshold."),
        ])
    /// Availability crossed below the SKU's reorder point.
    public static let reorderSuggested = EventDefinition(
        "inventory.reorder_suggested", entity: "sku", "A SKU's availability fell below its reorder point.",
        payload: [
            PayloadField("sku", .string, "The SKU."),
            PayloadField("available", .integer, "Units available after the change."),
            PayloadField("reorder_point", .integer, "The SKU's reorder point."),
            PayloadField("reorder_qty", .integer, "The SKU's usual reorder quantity."),
        ])

    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = [
        reservationReleased, reservationExpired, reservationConverted, inventoryChanged, lowStock, reorderSuggested,
    ]

    /// The event a hold closed with `status` appends; nil for `.active`, which closes nothing.
    public static func closed(_ status: HoldStatus) -> EventDefinition? {
        switch status {
        case .active: nil
        case .released: reservationReleased
        case .expired: reservationExpired
        case .converted: reservationConverted
        }
    }
}
