/// The events of the Settings domain, as declared in `EventCatalogue`.
public enum SettingsEvents {
    /// The seller profile was stored or changed (`PUT /v1/settings/seller`): it carries the whole
    /// profile as the API shows it, so a consumer (an accounting sync, a courier account) never
    /// has to read it back.
    public static let sellerUpdated = EventDefinition("settings.seller_updated", entity: "settings", "The seller profile was stored or changed.", payload: [
        PayloadField("legal_name", .string, "The name on the GST registration."),
        PayloadField("trade_name", .string, "The trade name, or empty."),
        PayloadField("gstin", .string, "The GSTIN."),
        PayloadField("address", .object, "The registered address: `line1`, `line2`, `city`, `state`, `state_code`, `pincode`."),
        PayloadField("complete", .boolean, "Whether invoices can be issued from it (always true once stored)."),
        PayloadField("missing", .array, "What an invoice would still need (empty once stored)."),
        PayloadField("source", .string, "`stored`."),
        PayloadField("version", .integer, "The profile's version after the change."),
        PayloadField("updated_at", .timestamp, "When it changed."),
        PayloadField("changes", .array, "The names of the fields that changed (every field when it was first stored)."),
    ])

    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = [sellerUpdated]
}
