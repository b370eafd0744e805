/// The events of SKUs, locations and channels, as declared in `EventCatalogue`.
///
/// A created or updated event carries the whole resource as the API shows it (so a consumer
/// never has to read it back), plus `changes` on updates: the fields that differ.
public enum CatalogEvents {
    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = [
        skuCreated, skuUpdated, locationCreated, locationUpdated, channelCreated, channelUpdated, channelBufferUpdated, channelBufferDeleted,
    ]

    // MARK: SKUs

    /// The fields of a SKU as `SKU.json` writes them.
    private static let skuFields: [PayloadField] = [
        PayloadField("sku", .string, "The merchant's SKU code."),
        PayloadField("name", .string, "Display name."),
        PayloadField("mrp_paise", .integer, "Maximum retail price in paise."),
        PayloadField("price_paise", .integer, "Selling price in paise."),
        PayloadField("weight_g", .integer, "Weight in grams."),
        PayloadField("length_mm", .integer, "Length in millimetres."),
        PayloadField("width_mm", .integer, "Width in millimetres."),
        PayloadField("height_mm", .integer, "Height in millimetres."),
        PayloadField("hsn", .string, "HSN code, or empty."),
        PayloadField("gst_rate_bps", .integer, "GST rate in basis points."),
        PayloadField("active", .boolean, "Whether the SKU may be sold."),
        PayloadField("returnable", .boolean, "Whether it may be returned."),
        PayloadField("return_window_days", .integer, "Days a return is accepted after delivery."),
        PayloadField("low_stock_threshold", .integer, "Availability at or below which `inventory.low_stock` is appended."),
        PayloadField("reorder_point", .integer, "Availability at or below which a reorder is suggested."),
        PayloadField("reorder_qty", .integer, "How many to reorder."),
        PayloadField("is_kit", .boolean, "Whether the SKU is a kit of other SKUs."),
        PayloadField("components", .array, "A kit's components as `{sku, qty}`, by SKU code; empty for a stocked SKU."),
        PayloadField("version", .integer, "The SKU's version after the change."),
        PayloadField("created_at", .timestamp, "When the SKU was created."),
        PayloadField("updated_at", .timestamp, "When it last changed."),
    ]

    /// The names of the fields an update changed.
    private static let changes = PayloadField("changes", .array, "The names of the fields that changed.")

    /// A SKU was created.
    public static let skuCreated = EventDefinition(
        "sku.created", entity: "sku", "A SKU (or kit) was created, at version 1.", payload: skuFields)

    /// A SKU changed.
    public static let skuUpdated = EventDefinition(
        "sku.updated", entity: "sku", "A SKU (or kit) changed; its version went up by one.", payload: skuFields + [changes])

    // MARK: Locations

    /// The fields of a location as `Location.json` writes them.
    private static let locationFields: [PayloadField] = [
        PayloadField("code", .string, "The merchant's location code."),
        PayloadField("name", .string, "Display name."),
        PayloadField("pincode", .string, "Six-digit Indian pincode."),
        PayloadField("state", .string, "State, from the pincode directory."),
        PayloadField("district", .string, "District, from the pincode directory."),
        PayloadField("address", .string, "Street address, or empty."),
        PayloadField("priority", .integer, "Lower ships first."),
        PayloadField("active", .boolean, "Whether its stock may be sold."),
        PayloadField("version", .integer, "The location's version after the change."),
        PayloadField("created_at", .timestamp, "When the location was created."),
        PayloadField("updated_at", .timestamp, "When it last changed."),
    ]

    /// A location was created.
    public static let locationCreated = EventDefinition(
        "location.created", entity: "location", "A stock location was created, at version 1.", payload: locationFields)

    /// A location changed.
    public static let locationUpdated = EventDefinition(
        "location.updated", entity: "location", "A stock location changed; its version went up by one.", payload: locationFields + [changes])

    // MARK: Channels

    /// The fields of a channel as `Channel.json` writes them.
    private static let channelFields: [PayloadField] = [
        PayloadField("code", .string, "The merchant's channel code."),
        PayloadField("name", .string, "Display name."),
        PayloadField("kind", .string, "website, app, marketplace, social, pos or b2b."),
        PayloadField("active", .boolean, "Whether the channel may sell."),
        PayloadField("buffer", .object, "The global buffer `{percent_bps, units}` kept back from what the channel may sell."),
        PayloadField("version", .integer, "The channel's version after the change."),
        PayloadField("created_at", .timestamp, "When the channel was created."),
        PayloadField("updated_at", .timestamp, "When it last changed."),
    ]

    /// A channel was created.
    public static let channelCreated = EventDefinition(
        "channel.created", entity: "channel", "A sales channel was created, at version 1.", payload: channelFields)

    /// A channel changed.
    public static let channelUpdated = EventDefinition(
        "channel.updated", entity: "channel", "A sales channel changed; its version went up by one.", payload: channelFields + [changes])

    /// The fields of a per-SKU buffer as `SKUBuffer.json` writes them.
    private static let skuBufferFields: [PayloadField] = [
        PayloadField("channel", .string, "The channel's code (also the entity id)."),
        PayloadField("sku", .string, "The SKU the buffer applies to."),
        PayloadField("percent_bps", .integer, "Share of the available stock kept back, in basis points (rounded up)."),
        PayloadField("units", .integer, "Units kept back."),
    ]

    /// A channel's buffer for one SKU was set.
    public static let channelBufferUpdated = EventDefinition(
        "channel.buffer_updated", entity: "channel", "A channel's own buffer for one SKU was set, replacing its global buffer for that SKU.",
        payload: skuBufferFields + [
            PayloadField("previous", .object, optional: true, "The buffer it replaced `{percent_bps, units}`; null when the SKU had none of its own."),
        ])

    /// A channel's buffer for one SKU was removed.
    public static let channelBufferDeleted = EventDefinition(
        "channel.buffer_deleted", entity: "channel", "A channel's own buffer for one SKU was removed; its global buffer applies again.",
        payload: skuBufferFields)
}
