/// The events of keys, backups and imports, as declared in `EventCatalogue`.
public enum SystemEvents {
    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = [keyCreated, keyRevoked, backupCreated, skuImported, inventoryImported]

    /// An API key was created (its secret is never in an event).
    public static let keyCreated = EventDefinition(
        "key.created", entity: "api_key", "An API key was created; the secret was shown once and is stored only as a hash.",
        payload: [
            PayloadField("name", .string, "Who or what uses the key."),
            PayloadField("role", .string, "The key's role: admin, storefront, warehouse, finance or support."),
        ])

    /// An API key was revoked.
    public static let keyRevoked = EventDefinition(
        "key.revoked", entity: "api_key", "An API key was revoked; requests with it are refused from now on.", payload: [])

    /// An online backup was written.
    public static let backupCreated = EventDefinition(
        "backup.created", entity: "backup", "An online backup of the database was written; the entity id is its file path.",
        payload: [PayloadField("size_bytes", .integer, "The backup file's size.")])

    /// The counts every import event carries (`ImportReport.eventPayload`).
    private static let importCounts: [PayloadField] = [
        PayloadField("import_id", .string, "`imp_…`, also the entity id and the reference of every change the import made."),
        PayloadField("source", .string, "`api` or `cli`."),
        PayloadField("all_or_nothing", .boolean, "Whether one refused row stopped every row."),
        PayloadField("rows", .integer, "Data rows in the file."),
        PayloadField("applied", .integer, "Rows that changed something."),
        PayloadField("unchanged", .integer, "Rows that described what was already there."),
        PayloadField("errors", .integer, "Rows refused."),
        PayloadField("skipped", .integer, "Good rows not applied because an all-or-nothing import refused another."),
    ]

    /// A SKU CSV import finished.
    public static let skuImported = EventDefinition(
        "sku.imported", entity: "import", "A CSV file of SKUs was imported (rows are not events of their own); counts per outcome.",
        payload: importCounts + [
            PayloadField("created", .integer, optional: true, "SKUs created (absent when none)."),
            PayloadField("updated", .integer, optional: true, "SKUs updated (absent when none)."),
        ])

    /// A stock CSV import finished.
    public static let inventoryImported = EventDefinition(
        "inventory.imported", entity: "import", "A CSV file of stock levels was imported; counts per outcome and per movement kind.",
        payload: importCounts + [
            PayloadField("mode", .string, optional: true, "`set` (counts) or `delta` (changes)."),
            PayloadField("count", .integer, optional: true, "Rows applied as stock counts (set mode; absent when none)."),
            PayloadField("receive", .integer, optional: true, "Rows applied as receipts (delta mode; absent when none)."),
            PayloadField("adjust", .integer, optional: true, "Rows applied as negative adjustments (delta mode; absent when none)."),
        ])

    /// The import event of this type (`sku.imported`, `inventory.imported`), or nil: how a
    /// caller that names the import's event by its type picks the definition.
    public static func imported(_ type: String) -> EventDefinition? {
        switch type {
        case skuImported.type: skuImported
        case inventoryImported.type: inventoryImported
        default: nil
        }
    }
}
