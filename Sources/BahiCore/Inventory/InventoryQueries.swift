public import BahiStore

/// Read models of the stock ledger (the API renders them).
public enum InventoryQueries {
    /// One SKU's stock: what it has per location, in total, and what each active channel may sell.
    public struct Summary: Sendable {
        /// What one active channel may sell of the SKU, and the buffer that decided it.
        public struct ChannelView: Sendable, Equatable {
            public var channel: String
            public var sellable: Int64
            public var bufferBps: Int64
            public var bufferUnits: Int64
        }

        public var sku: String
        public var isKit: Bool
        /// Units that may be sold now (a kit's: whole kits its components make).
        public var available: Int64
        /// A stocked SKU's levels by location priority; empty for a kit.
        public var levels: [StockLedger.Level]
        public var channels: [ChannelView]
        /// A kit's components; nil for a stocked SKU.
        public var components: [(sku: String, qty: Int64)]?

        public var onHand: Int64 { levels.reduce(0) { $0 + $1.onHand } }
        public var reserved: Int64 { levels.reduce(0) { $0 + $1.reserved } }
        public var safetyStock: Int64 { levels.reduce(0) { $0 + $1.safetyStock } }
        public var damaged: Int64 { levels.reduce(0) { $0 + $1.damaged } }
    }

    /// One SKU's totals, per location, and what each active channel may sell; nil for an
    /// unknown SKU.
    public static func summary(_ db: any Database, sku: String) throws -> Summary? {
        guard let facts = try Availability.facts(db, sku: sku) else { return nil }
        let levels = facts.isKit ? [] : try StockLedger.levels(db, sku: sku)
        let available = try Availability.available(db, sku: sku, isKit: facts.isKit)
        var channels: [Summary.ChannelView] = []
        for code in try StockRecords.activeChannels(db) {
            let buffer = try Availability.buffer(db, channel: code, sku: sku) ?? (0, 0)
            channels.append(Summary.ChannelView(channel: code, sellable: Availability.sellable(available: available, buffer: buffer),
                                                bufferBps: buffer.bps, bufferUnits: buffer.units))
        }
        return Summary(sku: sku, isKit: facts.isKit, available: available, levels: levels, channels: channels,
                       components: facts.isKit ? try Availability.components(db, kit: sku) : nil)
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

        /// How many to order: at least the reorder quantity, and enough to get back to the
        /// reorder point.
        public var suggestedQty: Int64 { max(reorderQty, reorderPoint - available) }
    }

    /// Stocked SKUs with their totals (at one location or all active ones), by SKU code,
    /// after a cursor.
    public static func list(_ db: any Database, location: String?, below: Below?, after: String, limit: Int) throws -> [Totals] {
        try StockRecords.totals(db, location: location, below: below, after: after, limit: limit)
    }

    /// The movement ledger of one SKU, oldest first, after a movement id.
    public static func movements(_ db: any Database, sku: String, after: Int64, limit: Int) throws -> [StockMovement] {
        try StockRecords.movements(db, sku: sku, after: after, limit: limit)
    }

    /// SKUs below their reorder point (`Totals.suggestedQty` says how many to order).
    public static func reorderSuggestions(_ db: any Database) throws -> [Totals] {
        try StockRecords.belowReorderPoint(db)
    }

    /// One SKU of the channel feed: what the channel may now sell, and the event that said so.
    public struct ChannelChange: Sendable, Equatable {
        public var sku: String
        public var sellable: Int64
        public var available: Int64
        public var seq: Int64
    }

    /// For the channel feed: SKUs whose stock changed after `seq`, each once, with what the
    /// channel may now sell. Returns the entries and the last seq examined.
    public static func changes(_ db: any Database, channel: String, after seq: Int64, limit: Int) throws -> (entries: [ChannelChange], lastSeq: Int64) {
        let rows = try EventLog.list(db, after: seq, type: StockEvents.inventoryChanged.type, limit: limit).map { (seq: $0.seq, sku: $0.entityID) }
        var latest: [String: Int64] = [:]
        var order: [String] = []
        for row in rows {
            if latest[row.sku] == nil { order.append(row.sku) }
            latest[row.sku] = row.seq
        }
        var entries: [ChannelChange] = []
        for sku in order {
            guard let entry = try channelStock(db, channel: channel, sku: sku, seq: latest[sku] ?? seq) else { continue }
            entries.append(entry)
        }
        return (entries, rows.last?.seq ?? seq)
    }

    /// What `channel` may sell of `sku` now (after its buffer; 0 for an inactive SKU or
    /// channel), tagged with `seq`; nil when the SKU does not exist. The feed above and a
    /// channel's webhook stock push both answer with it.
    public static func channelStock(_ db: any Database, channel: String, sku: String, seq: Int64) throws -> ChannelChange? {
        guard let facts = try Availability.facts(db, sku: sku) else { return nil }
        let available = try Availability.available(db, sku: sku, isKit: facts.isKit)
        // No terms: the channel is inactive (or gone), and sells nothing.
        let buffer = try Availability.buffer(db, channel: channel, sku: sku)
        let sellable = facts.active ? buffer.map { Availability.sellable(available: available, buffer: $0) } ?? 0 : 0
        return ChannelChange(sku: sku, sellable: sellable, available: available, seq: seq)
    }
}
