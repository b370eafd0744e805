public import BahiStore

/// What can be sold: per stocked SKU, per kit, and per channel after its buffer.
public enum Availability {
    /// The catalog facts availability needs about one SKU.
    public struct SKUFacts: Sendable, Equatable {
        public var sku: String
        public var active: Bool
        public var isKit: Bool
        public var lowStockThreshold: Int64
        public var reorderPoint: Int64
        public var reorderQty: Int64
        /// Some kit contains this SKU, so its availability moves with this one.
        public var inKits: Bool = false
        /// What an order line prints and taxes (read with the facts, so intake needs no
        /// second catalog query).
        public var name: String = ""
        public var hsn: String = ""
        public var gstRateBps: Int64 = 0
    }

    /// What a line needs to know before reserving (see `lineFacts`).
    public typealias LineFacts = (channelActive: Bool, buffer: (bps: Int64, units: Int64), facts: SKUFacts?, levels: [StockLedger.Level])

    /// The SKU's facts, or nil if there is no such SKU.
    public static func facts(_ db: any Database, sku: String) throws -> SKUFacts? {
        try db.queryFirst(
            """
            SELECT active, is_kit, low_stock_threshold, reorder_point, reorder_qty,
                   EXISTS (SELECT 1 FROM kit_components WHERE component_sku = ?1)
              FROM skus WHERE sku = ?1
            """, [sku]
        ) { row in
            SKUFacts(sku: sku, active: try row[0], isKit: try row[1], lowStockThreshold: try row[2], reorderPoint: try row[3], reorderQty: try row[4],
                     inKits: try row[5])
        }
    }

    /// A kit's components and quantities per kit.
    public static func components(_ db: any Database, kit: String) throws -> [(sku: String, qty: Int64)] {
        try db.query("SELECT component_sku, qty FROM kit_components WHERE kit_sku = ? ORDER BY component_sku", [kit]) { row in
            (sku: try row[0] as String, qty: try row[1] as Int64)
        }
    }

    /// Kits that contain `sku` (their availability moves with it).
    public static func kits(containing sku: String, _ db: any Database) throws -> [String] {
        try db.query("SELECT kit_sku FROM kit_components WHERE component_sku = ? ORDER BY kit_sku", [sku]) { row in try row[0] as String }
    }

    /// Available units of a stocked SKU over active locations.
    public static func stockAvailable(_ db: any Database, sku: String) throws -> Int64 {
        try db.queryValue(
            """
            SELECT COALESCE(SUM(MAX(0, l.on_hand - l.reserved - l.safety_stock)), 0)
              FROM stock_levels l JOIN locations loc ON loc.code = l.location
             WHERE l.sku = ? AND loc.active = 1
            """, [sku], as: Int64.self) ?? 0
    }

    /// Available units of any SKU: a kit is as available as its scarcest component allows.
    public static func available(_ db: any Database, sku: String, isKit: Bool) throws -> Int64 {
        guard isKit else { return try stockAvailable(db, sku: sku) }
        let parts = try components(db, kit: sku)
        guard !parts.isEmpty else { return 0 }
        var result = Int64.max
        for part in parts { result = min(result, try stockAvailable(db, sku: part.sku) / part.qty) }
        return result
    }

    /// The buffer a channel keeps back for a SKU: its per-SKU buffer if set, else its global
    /// one. Nil if the channel does not exist or is inactive.
    public static func buffer(_ db: any Database, channel: String, sku: String) throws -> (bps: Int64, units: Int64)? {
        guard let global = try db.queryFirst("SELECT buffer_bps, buffer_units FROM channels WHERE code = ? AND active = 1", [channel], { row in
            (bps: try row[0] as Int64, units: try row[1] as Int64)
        }) else { return nil }
        let specific = try db.queryFirst("SELECT buffer_bps, buffer_units FROM channel_sku_buffers WHERE channel = ? AND sku = ?", [channel, sku]) { row in
            (bps: try row[0] as Int64, units: try row[1] as Int64)
        }
        return specific ?? global
    }

    /// Whether the channel is active and the buffer it keeps back for a SKU, in one query
    /// (the hold path runs it per line). Nil if there is no such channel.
    public static func channel(_ db: any Database, code: String, sku: String) throws -> (active: Bool, buffer: (bps: Int64, units: Int64))? {
        try db.queryFirst(
            """
            SELECT c.active, COALESCE(b.buffer_bps, c.buffer_bps), COALESCE(b.buffer_units, c.buffer_units)
              FROM channels c LEFT JOIN channel_sku_buffers b ON b.channel = c.code AND b.sku = ?2
             WHERE c.code = ?1
            """, [code, sku]
        ) { row in (active: try row[0] as Bool, buffer: (bps: try row[1] as Int64, units: try row[2] as Int64)) }
    }

    /// What a hold line needs to know before reserving, in one query: whether `channel`
    /// exists and is active, the buffer it keeps back for `sku`, the SKU's facts (nil if there
    /// is no such SKU) and its stock levels (as `StockLedger.levels` returns them: by location
    /// priority, then code). Nil if there is no such channel.
    ///
    /// Why one query: the hold path runs this per line on the writer thread, where the
    /// separate channel, facts and levels lookups were three statements.
    public static func lineFacts(_ db: any Database, channel: String, sku: String) throws -> LineFacts? {
        var result: LineFacts?
        var priorities: [Int64] = []
        // One row per stock level (or one with NULL level columns when there is none); the
        // channel and SKU columns repeat on every row.
        _ = try db.query(
            """
            SELECT c.active, COALESCE(b.buffer_bps, c.buffer_bps), COALESCE(b.buffer_units, c.buffer_units),
                   s.active, s.is_kit, s.low_stock_threshold, s.reorder_point, s.reorder_qty,
                   EXISTS (SELECT 1 FROM kit_components WHERE component_sku = ?2),
                   l.location, l.on_hand, l.reserved, l.safety_stock, l.damaged, loc.active, loc.priority,
                   s.name, s.hsn, s.gst_rate_bps
              FROM channels c
              LEFT JOIN skus s ON s.sku = ?2
              LEFT JOIN channel_sku_buffers b ON b.channel = c.code AND b.sku = ?2
              LEFT JOIN stock_levels l ON l.sku = s.sku
              LEFT JOIN locations loc ON loc.code = l.location
             WHERE c.code = ?1
            """, binding: channel, sku
        ) { row in
            if result == nil {
                let skuActive: Bool? = try row[3]
                let facts = try skuActive.map { active in
                    SKUFacts(sku: sku, active: active, isKit: try row[4], lowStockThreshold: try row[5], reorderPoint: try row[6],
                             reorderQty: try row[7], inKits: try row[8], name: try row[16], hsn: try row[17], gstRateBps: try row[18])
                }
                result = (channelActive: try row[0], buffer: (bps: try row[1], units: try row[2]), facts: facts, levels: [])
            }
            // A level whose location row is missing is skipped, as the inner join of
            // `StockLedger.levels` would (foreign keys make it impossible anyway).
            guard let locationActive: Bool = try row[14] else { return }
            result?.levels.append(StockLedger.Level(sku: sku, location: try row[9], onHand: try row[10], reserved: try row[11],
                                                    safetyStock: try row[12], damaged: try row[13], locationActive: locationActive))
            priorities.append(try row[15])
        }
        if let levels = result?.levels, levels.count > 1 {
            result?.levels = StockLedger.sortedByPriority(levels, priorities: priorities)
        }
        return result
    }

    /// Available units over the active locations among `levels`.
    public static func available(in levels: [StockLedger.Level]) -> Int64 {
        levels.reduce(0) { $0 + ($1.locationActive ? $1.available : 0) }
    }

    /// What a channel may sell: available − (available × bps, rounded up) − units, never
    /// below zero. A percentage buffer rounds up so a marketplace never gets the last unit
    /// a seller meant to keep.
    public static func sellable(available: Int64, buffer: (bps: Int64, units: Int64)) -> Int64 {
        let kept = (available * buffer.bps + 9999) / 10000 + buffer.units
        return max(0, available - kept)
    }
}
