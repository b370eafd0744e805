public import BahiStore
public import BahiJSON

/// Read models of the stock ledger, as JSON the API returns.
public enum InventoryQueries {
    /// One SKU's stock: totals, per location, and what each active channel may sell.
    public static func summary(_ db: any Database, sku: String) throws -> JSONValue? {
        guard let facts = try Availability.facts(db, sku: sku) else { return nil }
        let levels = facts.isKit ? [] : try StockLedger.levels(db, sku: sku)
        let available = try Availability.available(db, sku: sku, isKit: facts.isKit)
        var totals: JSONObject = ["available": .number(JSONNumber(available))]
        if !facts.isKit {
            totals["on_hand"] = .number(JSONNumber(levels.reduce(0) { $0 + $1.onHand }))
            totals["reserved"] = .number(JSONNumber(levels.reduce(0) { $0 + $1.reserved }))
            totals["safety_stock"] = .number(JSONNumber(levels.reduce(0) { $0 + $1.safetyStock }))
            totals["damaged"] = .number(JSONNumber(levels.reduce(0) { $0 + $1.damaged }))
        }
        var channels: [JSONValue] = []
        for code in try db.query("SELECT code FROM channels WHERE active = 1 ORDER BY code", [], { row in try row[0] as String }) {
            let buffer = try Availability.buffer(db, channel: code, sku: sku) ?? (0, 0)
            channels.append(.object([
                "channel": .string(code), "sellable": .number(JSONNumber(Availability.sellable(available: available, buffer: buffer))),
                "buffer_bps": .number(JSONNumber(buffer.bps)), "buffer_units": .number(JSONNumber(buffer.units)),
            ]))
        }
        var out: JSONObject = [
            "sku": .string(sku), "is_kit": .bool(facts.isKit), "totals": .object(totals),
            "locations": .array(levels.map { l in
                .object(["location": .string(l.location), "on_hand": .number(JSONNumber(l.onHand)), "reserved": .number(JSONNumber(l.reserved)),
                         "safety_stock": .number(JSONNumber(l.safetyStock)), "damaged": .number(JSONNumber(l.damaged)),
                         "available": .number(JSONNumber(l.available))])
            }),
            "channels": .array(channels),
        ]
        if facts.isKit {
            out["components"] = .array(try Availability.components(db, kit: sku).map { c in
                .object(["sku": .string(c.sku), "qty": .number(JSONNumber(c.qty))])
            })
        }
        return .object(out)
    }

    /// Which SKUs to list.
    public enum Below: String, Sendable {
        case lowStock = "low_stock"
        case reorderPoint = "reorder_point"
    }

    /// Stocked SKUs with their totals (at one location or all active ones), by SKU code,
    /// after a cursor.
    public static func list(_ db: any Database, location: String?, below: Below?, after: String, limit: Int) throws -> [JSONValue] {
        var sql = """
            SELECT s.sku, COALESCE(SUM(l.on_hand), 0), COALESCE(SUM(l.reserved), 0), COALESCE(SUM(l.safety_stock), 0),
                   COALESCE(SUM(l.damaged), 0), COALESCE(SUM(MAX(0, l.on_hand - l.reserved - l.safety_stock)), 0),
                   s.low_stock_threshold, s.reorder_point
              FROM skus s
              LEFT JOIN stock_levels l ON l.sku = s.sku
                    AND l.location IN (SELECT code FROM locations WHERE active = 1)
            """
        var args: [(any SQLValueConvertible)?] = []
        if let location {
            sql += " AND l.location = ?"
            args.append(location)
        }
        sql += " WHERE s.is_kit = 0 AND s.sku > ? GROUP BY s.sku"
        args.append(after)
        switch below {
        case .lowStock?: sql += " HAVING s.low_stock_threshold > 0 AND COALESCE(SUM(MAX(0, l.on_hand - l.reserved - l.safety_stock)), 0) < s.low_stock_threshold"
        case .reorderPoint?: sql += " HAVING s.reorder_point > 0 AND COALESCE(SUM(MAX(0, l.on_hand - l.reserved - l.safety_stock)), 0) < s.reorder_point"
        case nil: break
        }
        sql += " ORDER BY s.sku LIMIT ?"
        args.append(limit)
        return try db.query(sql, StatementArguments(args)) { row in
            .object([
                "sku": .string(try row[0]), "on_hand": .number(JSONNumber(try row[1] as Int64)), "reserved": .number(JSONNumber(try row[2] as Int64)),
                "safety_stock": .number(JSONNumber(try row[3] as Int64)), "damaged": .number(JSONNumber(try row[4] as Int64)),
                "available": .number(JSONNumber(try row[5] as Int64)), "low_stock_threshold": .number(JSONNumber(try row[6] as Int64)),
                "reorder_point": .number(JSONNumber(try row[7] as Int64)),
            ])
        }
    }

    /// The movement ledger of one SKU, oldest first, after a movement id.
    public static func movements(_ db: any Database, sku: String, after: Int64, limit: Int) throws -> [JSONValue] {
        try db.query(
            """
            SELECT id, location, kind, on_hand_delta, reserved_delta, damaged_delta, reference, reason, actor, created_at
              FROM stock_movements WHERE sku = ? AND id > ? ORDER BY id LIMIT ?
            """, [sku, after, limit]
        ) { row in
            .object([
                "id": .number(JSONNumber(try row[0] as Int64)), "location": .string(try row[1]), "kind": .string(try row[2]),
                "on_hand_delta": .number(JSONNumber(try row[3] as Int64)), "reserved_delta": .number(JSONNumber(try row[4] as Int64)),
                "damaged_delta": .number(JSONNumber(try row[5] as Int64)),
                "reference": (try row[6] as String?).map(JSONValue.string) ?? .null, "reason": (try row[7] as String?).map(JSONValue.string) ?? .null,
                "actor": (try row[8] as String?).map(JSONValue.string) ?? .null,
                "created_at": .string(Timestamps.rfc3339(milliseconds: try row[9])),
            ])
        }
    }

    /// SKUs below their reorder point, with how many to order: at least the reorder
    /// quantity, and enough to get back to the reorder point.
    public static func reorderSuggestions(_ db: any Database) throws -> [JSONValue] {
        try db.query(
            """
            SELECT s.sku, s.name, COALESCE(SUM(MAX(0, l.on_hand - l.reserved - l.safety_stock)), 0) AS available, s.reorder_point, s.reorder_qty
              FROM skus s LEFT JOIN stock_levels l ON l.sku = s.sku AND l.location IN (SELECT code FROM locations WHERE active = 1)
             WHERE s.is_kit = 0 AND s.active = 1 AND s.reorder_point > 0
             GROUP BY s.sku HAVING available < s.reorder_point ORDER BY s.sku
            """
        ) { row in
            let available: Int64 = try row[2], point: Int64 = try row[3], qty: Int64 = try row[4]
            return .object([
                "sku": .string(try row[0]), "name": .string(try row[1]), "available": .number(JSONNumber(available)),
                "reorder_point": .number(JSONNumber(point)), "reorder_qty": .number(JSONNumber(qty)),
                "suggested_qty": .number(JSONNumber(max(qty, point - available))),
            ])
        }
    }

    /// For the channel feed: SKUs whose stock changed after `seq`, each once, with what the
    /// channel may now sell. Returns the entries and the last seq examined.
    public static func changes(_ db: any Database, channel: String, after seq: Int64, limit: Int) throws -> (entries: [JSONValue], lastSeq: Int64) {
        let rows = try db.query(
            "SELECT seq, entity_id FROM events WHERE seq > ? AND type = 'inventory.changed' ORDER BY seq LIMIT ?", [seq, limit]
        ) { row in (seq: try row[0] as Int64, sku: try row[1] as String) }
        var latest: [String: Int64] = [:]
        var order: [String] = []
        for row in rows {
            if latest[row.sku] == nil { order.append(row.sku) }
            latest[row.sku] = row.seq
        }
        var entries: [JSONValue] = []
        for sku in order {
            guard let facts = try Availability.facts(db, sku: sku) else { continue }
            let available = try Availability.available(db, sku: sku, isKit: facts.isKit)
            let buffer = try Availability.buffer(db, channel: channel, sku: sku) ?? (0, 0)
            let sellable = facts.active ? Availability.sellable(available: available, buffer: buffer) : 0
            entries.append(.object([
                "sku": .string(sku), "sellable": .number(JSONNumber(sellable)), "available": .number(JSONNumber(available)),
                "seq": .number(JSONNumber(latest[sku] ?? seq)),
            ]))
        }
        return (entries, rows.last?.seq ?? seq)
    }
}
