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
        for code in try StockRecords.activeChannels(db) {
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

    /// One stocked SKU's totals over its levels (at active locations, or at one location),
    /// with the thresholds the alerts compare them with.
    public struct Totals: Sendable, Equatable {
        /// The SKU code.
        public var sku: String
        /// The SKU's name, for a reorder list a person reads.
        public var name: String
        /// Units physically there.
        public var onHand: Int64
        /// Units held for holds and orders.
        public var reserved: Int64
        /// Units kept back from sale.
        public var safetyStock: Int64
        /// Units marked damaged (not in on_hand).
        public var damaged: Int64
        /// Sum of each level's available units (each at least 0).
        public var available: Int64
        /// Below this, `inventory.low_stock` fires (0: never).
        public var lowStockThreshold: Int64
        /// Below this, a reorder is suggested (0: never).
        public var reorderPoint: Int64
        /// The usual quantity to reorder.
        public var reorderQty: Int64
    }

    /// Stocked SKUs with their totals (at one location or all active ones), by SKU code,
    /// after a cursor.
    public static func list(_ db: any Database, location: String?, below: Below?, after: String, limit: Int) throws -> [JSONValue] {
        try StockRecords.totals(db, location: location, below: below, after: after, limit: limit).map { t in
            .object([
                "sku": .string(t.sku), "on_hand": .number(JSONNumber(t.onHand)), "reserved": .number(JSONNumber(t.reserved)),
                "safety_stock": .number(JSONNumber(t.safetyStock)), "damaged": .number(JSONNumber(t.damaged)),
                "available": .number(JSONNumber(t.available)), "low_stock_threshold": .number(JSONNumber(t.lowStockThreshold)),
                "reorder_point": .number(JSONNumber(t.reorderPoint)),
            ])
        }
    }

    /// The movement ledger of one SKU, oldest first, after a movement id.
    public static func movements(_ db: any Database, sku: String, after: Int64, limit: Int) throws -> [StockMovement] {
        try StockRecords.movements(db, sku: sku, after: after, limit: limit)
    }

    /// SKUs below their reorder point, with how many to order: at least the reorder
    /// quantity, and enough to get back to the reorder point.
    public static func reorderSuggestions(_ db: any Database) throws -> [JSONValue] {
        try StockRecords.belowReorderPoint(db).map { t in
            .object([
                "sku": .string(t.sku), "name": .string(t.name), "available": .number(JSONNumber(t.available)),
                "reorder_point": .number(JSONNumber(t.reorderPoint)), "reorder_qty": .number(JSONNumber(t.reorderQty)),
                "suggested_qty": .number(JSONNumber(max(t.reorderQty, t.reorderPoint - t.available))),
            ])
        }
    }

    /// For the channel feed: SKUs whose stock changed after `seq`, each once, with what the
    /// channel may now sell. Returns the entries and the last seq examined.
    public static func changes(_ db: any Database, channel: String, after seq: Int64, limit: Int) throws -> (entries: [JSONValue], lastSeq: Int64) {
        let rows = try EventLog.list(db, after: seq, type: StockEvents.inventoryChanged.type, limit: limit).map { (seq: $0.seq, sku: $0.entityID) }
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
