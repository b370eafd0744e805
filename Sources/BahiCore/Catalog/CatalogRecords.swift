import BahiStore

/// Every SQL statement on the catalog's tables — `skus`, `kit_components`, `locations`,
/// `channels`, `channel_sku_buffers` — and the one mapping of each table's rows to its model.
///
/// Why one type: the services (`SKUCatalog`, `LocationCatalog`, `ChannelCatalog`,
/// `SKUImport`) decide, this type only reads and writes, so the PostgreSQL store reuses these
/// texts unchanged (`?N` placeholders, `ON CONFLICT`, `RETURNING`, booleans bound from Swift)
/// and every column list is written once. Other domains read the catalog through these
/// services (or through views of their own), never through this type.
enum CatalogRecords {
    // MARK: SKUs

    /// A `skus` row: the SKU without its components, and whether it is a kit (the row says
    /// so; the components are another table's rows, read only for kits).
    struct StoredSKU {
        var sku: SKU
        var isKit: Bool
    }

    /// The columns `sku(_:)` reads, in the order the INSERT writes them.
    static let skuColumns = """
        sku, name, mrp_paise, price_paise, weight_g, length_mm, width_mm, height_mm, hsn, gst_rate_bps, active, \
        returnable, return_window_days, low_stock_threshold, reorder_point, reorder_qty, is_kit, version, created_at, updated_at
        """

    /// A `StoredSKU` from a row selected with `skuColumns`.
    static func sku(_ row: Row) throws -> StoredSKU {
        var f = SKUFields(name: try row["name"], mrpPaise: try row["mrp_paise"], pricePaise: try row["price_paise"])
        f.weightG = try row["weight_g"]
        f.lengthMM = try row["length_mm"]
        f.widthMM = try row["width_mm"]
        f.heightMM = try row["height_mm"]
        f.hsn = try row["hsn"]
        f.gstRateBps = try row["gst_rate_bps"]
        f.active = try row["active"]
        f.returnable = try row["returnable"]
        f.returnWindowDays = try row["return_window_days"]
        f.lowStockThreshold = try row["low_stock_threshold"]
        f.reorderPoint = try row["reorder_point"]
        f.reorderQty = try row["reorder_qty"]
        let sku = SKU(code: try row["sku"], fields: f, version: try row["version"], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
        return StoredSKU(sku: sku, isKit: try row["is_kit"])
    }

    /// The SKU's row, without components, or nil.
    static func sku(_ db: any Database, code: String) throws -> StoredSKU? {
        try db.queryFirst("SELECT \(skuColumns) FROM skus WHERE sku = ?1", [code], sku)
    }

    /// Whether a SKU with this code exists.
    static func skuExists(_ db: any Database, code: String) throws -> Bool {
        try db.queryFirst("SELECT COUNT(*) AS n FROM skus WHERE sku = ?1", [code]) { row -> Int64 in try row["n"] } == 1
    }

    /// Whether the SKU is a kit; nil when there is no such SKU.
    static func skuIsKit(_ db: any Database, code: String) throws -> Bool? {
        try db.queryFirst("SELECT is_kit FROM skus WHERE sku = ?1", [code]) { row -> Bool in try row["is_kit"] }
    }

    /// Up to `limit` SKU rows with codes after `after`, in code order; `active` and a code
    /// prefix or name substring (`pattern`, lower-cased and LIKE-escaped) filter when given.
    static func skuPage(_ db: any Database, after: String, active: Bool?, pattern: String?, limit: Int) throws -> [StoredSKU] {
        var filter = Filter("sku > #", after)
        if let active { filter.and("active = #", active) }
        if let pattern {
            filter.and(#"(lower(sku) LIKE # || '%' ESCAPE '\' OR lower(name) LIKE '%' || # || '%' ESCAPE '\')"#, pattern, pattern)
        }
        let limitPlaceholder = filter.placeholder(for: limit)
        return try db.query("SELECT \(skuColumns) FROM skus WHERE \(filter.sql) ORDER BY sku LIMIT \(limitPlaceholder)",
                            StatementArguments(filter.arguments), sku)
    }

    /// Calls `body` with every SKU that is not a kit, in code order (without components:
    /// such SKUs have none).
    static func forEachStockedSKU(_ db: any Database, _ body: (SKU) throws -> Void) throws {
        _ = try db.query("SELECT \(skuColumns) FROM skus WHERE is_kit = ?1 ORDER BY sku", [false]) { row -> Void in
            try body(try sku(row).sku)
        }
    }

    /// The values of `fields` in `skuColumns` order from `name` through `is_kit`.
    private static func fieldValues(_ f: SKUFields) -> [(any SQLValueConvertible)?] {
        [f.name, f.mrpPaise, f.pricePaise, f.weightG, f.lengthMM, f.widthMM, f.heightMM, f.hsn, f.gstRateBps,
         f.active, f.returnable, f.returnWindowDays, f.lowStockThreshold, f.reorderPoint, f.reorderQty, f.isKit]
    }

    /// Inserts a SKU row at version 1 unless the code is taken; returns whether it inserted
    /// (false: another writer created it first). Components are written separately.
    static func insertSKU(_ db: any Database, code: String, fields: SKUFields, now: Int64) throws -> Bool {
        try db.execute(
            """
            INSERT INTO skus (\(skuColumns))
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 1, ?18, ?18)
            ON CONFLICT (sku) DO NOTHING
            """,
            StatementArguments([code] + fieldValues(fields) + [now])) == 1
    }

    /// Replaces a SKU row's fields and bumps its version, only if it is still at `version`;
    /// returns whether it did (false: another writer changed it first).
    static func updateSKU(_ db: any Database, code: String, fields: SKUFields, version: Int64, now: Int64) throws -> Bool {
        try db.execute(
            """
            UPDATE skus SET name = ?1, mrp_paise = ?2, price_paise = ?3, weight_g = ?4, length_mm = ?5, width_mm = ?6, height_mm = ?7,
                   hsn = ?8, gst_rate_bps = ?9, active = ?10, returnable = ?11, return_window_days = ?12, low_stock_threshold = ?13,
                   reorder_point = ?14, reorder_qty = ?15, is_kit = ?16, version = version + 1, updated_at = ?17
             WHERE sku = ?18 AND version = ?19
            """,
            StatementArguments(fieldValues(fields) + [now, code, version])) == 1
    }

    // MARK: Kit components

    /// The columns `kitComponent(_:)` reads.
    static let componentColumns = "kit_sku, component_sku, qty"

    /// A kit's component line from a row selected with `componentColumns`.
    static func kitComponent(_ row: Row) throws -> (kit: String, component: KitComponent) {
        (kit: try row["kit_sku"], component: KitComponent(sku: try row["component_sku"], qty: try row["qty"]))
    }

    /// A kit's components in code order.
    static func components(_ db: any Database, kit: String) throws -> [KitComponent] {
        try db.query("SELECT \(componentColumns) FROM kit_components WHERE kit_sku = ?1 ORDER BY component_sku", [kit]) { row in
            try kitComponent(row).component
        }
    }

    /// The components of every kit whose code lies in `first...last`, by kit: one range
    /// query for a page of SKUs rather than one query per kit.
    static func components(_ db: any Database, kitsFrom first: String, through last: String) throws -> [String: [KitComponent]] {
        var byKit: [String: [KitComponent]] = [:]
        _ = try db.query(
            "SELECT \(componentColumns) FROM kit_components WHERE kit_sku >= ?1 AND kit_sku <= ?2 ORDER BY kit_sku, component_sku",
            [first, last]
        ) { row -> Void in
            let line = try kitComponent(row)
            byKit[line.kit, default: []].append(line.component)
        }
        return byKit
    }

    /// Up to `limit` kits that contain `component`, in code order.
    static func kits(_ db: any Database, containing component: String, limit: Int) throws -> [String] {
        try db.query("SELECT kit_sku FROM kit_components WHERE component_sku = ?1 ORDER BY kit_sku LIMIT ?2", [component, limit]) { row in
            try row["kit_sku"] as String
        }
    }

    /// Replaces a kit's component lines with `components`.
    static func replaceComponents(_ db: any Database, kit: String, _ components: [KitComponent]) throws {
        try db.execute("DELETE FROM kit_components WHERE kit_sku = ?1", [kit])
        try insertComponents(db, kit: kit, components)
    }

    /// Adds a kit's component lines.
    static func insertComponents(_ db: any Database, kit: String, _ components: [KitComponent]) throws {
        for c in components {
            try db.execute("INSERT INTO kit_components (\(componentColumns)) VALUES (?1, ?2, ?3)", [kit, c.sku, c.qty])
        }
    }

    // MARK: Locations

    /// The columns `location(_:)` reads, in the order the INSERT writes them.
    static let locationColumns = "code, name, pincode, state, district, address, priority, active, version, created_at, updated_at"

    /// A `Location` from a row selected with `locationColumns`.
    static func location(_ row: Row) throws -> Location {
        var f = LocationFields(name: try row["name"], pincode: try row["pincode"])
        f.address = try row["address"]
        f.priority = try row["priority"]
        f.active = try row["active"]
        return Location(code: try row["code"], fields: f, state: try row["state"], district: try row["district"],
                        version: try row["version"], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }

    /// The location, or nil.
    static func location(_ db: any Database, code: String) throws -> Location? {
        try db.queryFirst("SELECT \(locationColumns) FROM locations WHERE code = ?1", [code], location)
    }

    /// Whether a location with this code exists (active or not).
    static func locationExists(_ db: any Database, code: String) throws -> Bool {
        try db.queryFirst("SELECT COUNT(*) AS n FROM locations WHERE code = ?1", [code]) { row -> Int64 in try row["n"] } == 1
    }

    /// Up to `limit` locations with codes after `after`, in code order, optionally only
    /// active or inactive ones.
    static func locationPage(_ db: any Database, after: String, active: Bool?, limit: Int) throws -> [Location] {
        var filter = Filter("code > #", after)
        if let active { filter.and("active = #", active) }
        let limitPlaceholder = filter.placeholder(for: limit)
        return try db.query("SELECT \(locationColumns) FROM locations WHERE \(filter.sql) ORDER BY code LIMIT \(limitPlaceholder)",
                            StatementArguments(filter.arguments), location)
    }

    /// Inserts a location unless the code is taken; returns whether it inserted.
    static func insertLocation(_ db: any Database, _ l: Location) throws -> Bool {
        try db.execute(
            """
            INSERT INTO locations (\(locationColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
            ON CONFLICT (code) DO NOTHING
            """,
            [l.code, l.fields.name, l.fields.pincode, l.state, l.district, l.fields.address, l.fields.priority, l.fields.active,
             l.version, l.createdAt, l.updatedAt]) == 1
    }

    /// Writes `l`'s fields and time over the row and bumps its version, only if the row is
    /// still at `version`; returns whether it did.
    static func updateLocation(_ db: any Database, _ l: Location, expecting version: Int64) throws -> Bool {
        try db.execute(
            """
            UPDATE locations SET name = ?1, pincode = ?2, state = ?3, district = ?4, address = ?5, priority = ?6, active = ?7,
                   version = version + 1, updated_at = ?8
             WHERE code = ?9 AND version = ?10
            """,
            [l.fields.name, l.fields.pincode, l.state, l.district, l.fields.address, l.fields.priority, l.fields.active,
             l.updatedAt, l.code, version]) == 1
    }

    /// The pincode of the highest-priority active location (ties by code), or nil.
    static func primaryPincode(_ db: any Database) throws -> String? {
        try db.queryFirst("SELECT pincode FROM locations WHERE active = TRUE ORDER BY priority, code LIMIT 1", []) { row in
            try row["pincode"] as String
        }
    }

    /// Every active location's code, priority and pincode, in priority then code order.
    static func activeLocations(_ db: any Database) throws -> [(code: String, priority: Int64, pincode: String)] {
        try db.query("SELECT code, priority, pincode FROM locations WHERE active = TRUE ORDER BY priority, code", []) { row in
            (code: try row["code"] as String, priority: try row["priority"] as Int64, pincode: try row["pincode"] as String)
        }
    }

    // MARK: Channels

    /// The columns `channel(_:)` reads, in the order the INSERT writes them.
    static let channelColumns = "code, name, kind, active, buffer_bps, buffer_units, version, created_at, updated_at"

    /// A `Channel` from a row selected with `channelColumns`.
    static func channel(_ row: Row) throws -> Channel {
        let kindText: String = try row["kind"]
        // The schema's CHECK admits only known kinds; a row outside it is a corrupt file.
        guard let kind = ChannelKind(rawValue: kindText) else {
            throw DomainError(.corruptRow, "Channel row has unknown kind \(kindText).")
        }
        var f = ChannelFields(name: try row["name"], kind: kind)
        f.active = try row["active"]
        f.buffer = ChannelBuffer(percentBps: try row["buffer_bps"], units: try row["buffer_units"])
        return Channel(code: try row["code"], fields: f, version: try row["version"], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }

    /// The channel, or nil.
    static func channel(_ db: any Database, code: String) throws -> Channel? {
        try db.queryFirst("SELECT \(channelColumns) FROM channels WHERE code = ?1", [code], channel)
    }

    /// Whether a channel with this code exists (active or not).
    static func channelExists(_ db: any Database, code: String) throws -> Bool {
        try db.queryFirst("SELECT COUNT(*) AS n FROM channels WHERE code = ?1", [code]) { row -> Int64 in try row["n"] } == 1
    }

    /// Up to `limit` channels with codes after `after`, in code order, optionally filtered by
    /// active and kind.
    static func channelPage(_ db: any Database, after: String, active: Bool?, kind: ChannelKind?, limit: Int) throws -> [Channel] {
        var filter = Filter("code > #", after)
        if let active { filter.and("active = #", active) }
        if let kind { filter.and("kind = #", kind.rawValue) }
        let limitPlaceholder = filter.placeholder(for: limit)
        return try db.query("SELECT \(channelColumns) FROM channels WHERE \(filter.sql) ORDER BY code LIMIT \(limitPlaceholder)",
                            StatementArguments(filter.arguments), channel)
    }

    /// Inserts a channel unless the code is taken; returns whether it inserted.
    static func insertChannel(_ db: any Database, _ c: Channel) throws -> Bool {
        try db.execute(
            "INSERT INTO channels (\(channelColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (code) DO NOTHING",
            [c.code, c.fields.name, c.fields.kind.rawValue, c.fields.active, c.fields.buffer.percentBps, c.fields.buffer.units,
             c.version, c.createdAt, c.updatedAt]) == 1
    }

    /// Writes `c`'s fields and time over the row and bumps its version, only if the row is
    /// still at `version`; returns whether it did.
    static func updateChannel(_ db: any Database, _ c: Channel, expecting version: Int64) throws -> Bool {
        try db.execute(
            """
            UPDATE channels SET name = ?1, kind = ?2, active = ?3, buffer_bps = ?4, buffer_units = ?5, version = version + 1, updated_at = ?6
             WHERE code = ?7 AND version = ?8
            """,
            [c.fields.name, c.fields.kind.rawValue, c.fields.active, c.fields.buffer.percentBps, c.fields.buffer.units,
             c.updatedAt, c.code, version]) == 1
    }

    // MARK: Per-SKU channel buffers

    /// The columns `skuBuffer(_:)` reads.
    static let skuBufferColumns = "channel, sku, buffer_bps, buffer_units"

    /// An `SKUBuffer` from a row selected with (or returning) `skuBufferColumns`.
    static func skuBuffer(_ row: Row) throws -> SKUBuffer {
        SKUBuffer(channel: try row["channel"], sku: try row["sku"],
                  buffer: ChannelBuffer(percentBps: try row["buffer_bps"], units: try row["buffer_units"]))
    }

    /// The channel's own buffer for `sku`, or nil.
    static func skuBuffer(_ db: any Database, channel: String, sku: String) throws -> SKUBuffer? {
        try db.queryFirst("SELECT \(skuBufferColumns) FROM channel_sku_buffers WHERE channel = ?1 AND sku = ?2", [channel, sku], skuBuffer)
    }

    /// Up to `limit` of the channel's per-SKU buffers with SKU codes after `after`, in SKU order.
    static func skuBufferPage(_ db: any Database, channel: String, after: String, limit: Int) throws -> [SKUBuffer] {
        try db.query(
            "SELECT \(skuBufferColumns) FROM channel_sku_buffers WHERE channel = ?1 AND sku > ?2 ORDER BY sku LIMIT ?3",
            [channel, after, limit], skuBuffer)
    }

    /// Sets the channel's buffer for the SKU, inserting or replacing it.
    static func upsertSKUBuffer(_ db: any Database, _ b: SKUBuffer) throws {
        try db.execute(
            """
            INSERT INTO channel_sku_buffers (\(skuBufferColumns)) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (channel, sku) DO UPDATE SET buffer_bps = excluded.buffer_bps, buffer_units = excluded.buffer_units
            """,
            [b.channel, b.sku, b.buffer.percentBps, b.buffer.units])
    }

    /// Removes the channel's buffer for the SKU; returns what was removed, or nil if there
    /// was none (the delete's outcome decides, so two deletes racing cannot both report one).
    static func deleteSKUBuffer(_ db: any Database, channel: String, sku: String) throws -> SKUBuffer? {
        try db.queryFirst(
            "DELETE FROM channel_sku_buffers WHERE channel = ?1 AND sku = ?2 RETURNING \(skuBufferColumns)", [channel, sku], skuBuffer)
    }

    // MARK: Optional filters

    /// A `WHERE` clause built from fixed fragments, each `#` in a fragment becoming the next
    /// numbered placeholder (`?1`, `?2`, …) bound to the next value.
    private struct Filter {
        private(set) var sql = ""
        private var placeholders = Placeholders()
        var arguments: [(any SQLValueConvertible)?] { placeholders.arguments }

        /// A filter starting with one condition.
        init(_ fragment: String, _ values: (any SQLValueConvertible)?...) {
            append(fragment, values)
        }

        /// Adds a condition joined with `AND`.
        mutating func and(_ fragment: String, _ values: (any SQLValueConvertible)?...) {
            sql += " AND "
            append(fragment, values)
        }

        /// The next placeholder, bound to `value` (for a `LIMIT` after the conditions).
        mutating func placeholder(for value: (any SQLValueConvertible)?) -> String {
            placeholders.next(value)
        }

        private mutating func append(_ fragment: String, _ values: [(any SQLValueConvertible)?]) {
            var next = values.makeIterator()
            for ch in fragment {
                if ch == "#" {
                    sql += placeholder(for: next.next() ?? nil)
                } else {
                    sql.append(ch)
                }
            }
        }
    }
}
