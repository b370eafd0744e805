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
        try StockRecords.skuFacts(db, sku: sku)
    }

    /// A kit's components and quantities per kit.
    public static func components(_ db: any Database, kit: String) throws -> [(sku: String, qty: Int64)] {
        try StockRecords.kitParts(db, kit: kit)
    }

    /// Kits that contain `sku` (their availability moves with it).
    public static func kits(containing sku: String, _ db: any Database) throws -> [String] {
        try StockRecords.kits(containing: sku, db)
    }

    /// Available units of a stocked SKU over active locations.
    public static func stockAvailable(_ db: any Database, sku: String) throws -> Int64 {
        try StockRecords.stockAvailable(db, sku: sku)
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
        guard let terms = try StockRecords.channelTerms(db, channel: channel, sku: sku), terms.active else { return nil }
        return terms.buffer
    }

    /// Whether the channel is active and the buffer it keeps back for a SKU, in one query
    /// (the hold path runs it per line). Nil if there is no such channel.
    public static func channel(_ db: any Database, code: String, sku: String) throws -> (active: Bool, buffer: (bps: Int64, units: Int64))? {
        try StockRecords.channelTerms(db, channel: code, sku: sku)
    }

    /// What a hold line needs to know before reserving, in one query: whether `channel`
    /// exists and is active, the buffer it keeps back for `sku`, the SKU's facts (nil if there
    /// is no such SKU) and its stock levels (as `StockLedger.levels` returns them: by location
    /// priority, then code). Nil if there is no such channel.
    ///
    /// Why one query: the hold path runs this per line on the writer thread, where the
    /// separate channel, facts and levels lookups were three statements.
    public static func lineFacts(_ db: any Database, channel: String, sku: String) throws -> LineFacts? {
        guard var read = try StockRecords.lineFacts(db, channel: channel, sku: sku) else { return nil }
        if read.facts.levels.count > 1 {
            read.facts.levels = StockLedger.sortedByPriority(read.facts.levels, priorities: read.priorities)
        }
        return read.facts
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
