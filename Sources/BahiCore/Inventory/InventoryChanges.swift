public import BahiStore
import BahiJSON

/// Collects which SKUs one operation touched, then appends the events the rest of Bahi reads:
/// `inventory.changed` for each SKU (and every kit containing it) — the channel stock feed —
/// and `inventory.low_stock` / `inventory.reorder_suggested` when availability crosses below
/// a threshold. Runs inside the operation's transaction, so the events exist exactly when
/// the change committed.
public struct InventoryChanges {
    fileprivate var before: [String: Int64] = [:]
    fileprivate var after: [String: Int64] = [:]
    fileprivate var facts: [String: Availability.SKUFacts] = [:]
    fileprivate var order: [String] = []

    public init() {}

    /// Records a stocked SKU's availability before the operation changes it (queried unless
    /// the caller already knows it).
    public mutating func touch(_ db: any Database, sku: String, available: Int64? = nil, facts known: Availability.SKUFacts? = nil) throws {
        if let known { facts[sku] = known }
        guard before[sku] == nil else { return }
        before[sku] = try available ?? Availability.stockAvailable(db, sku: sku)
        order.append(sku)
    }

    /// Declares the availability after the operation, when the caller knows it exactly
    /// (a hold took a known number of units), saving a query.
    public mutating func settle(_ sku: String, available: Int64) {
        after[sku] = available
    }

    /// Appends the events; call after every change of the operation.
    ///
    /// In the store writer's batches the events are appended once per SKU per commit instead
    /// (`PendingInventoryChanges`): forty holds on one SKU in one group commit give one
    /// `inventory.changed` with the availability the commit leaves, which is all a reader
    /// could ever observe; the movement ledger keeps every change with its actor and reason.
    public func emit(_ db: any Database, actor: String?, reference: String?, now: Int64) throws {
        if let pending = db.preCommitWork(PendingInventoryChanges.self) {
            pending.merge(self, actor: actor, now: now)
            return
        }
        try append(db, actor: actor, now: now)
    }

    /// Which SKUs a change without stock movement may have made sellable or unsellable.
    public enum Scope: Sendable {
        /// These SKUs, and every kit containing one of them.
        case skus([String])
        /// Every SKU with a stock level at this location, and the kits containing them.
        case stockedAt(location: String)
        /// Every SKU with stock available, and the kits made of them: a channel's own buffer
        /// or active flag changed (a SKU with nothing available could sell 0 before and after).
        case inStock
    }

    /// Appends `inventory.changed` for SKUs whose sellable figure may have changed without
    /// their stock moving — a channel's buffer or active flag, a per-SKU buffer, a SKU's
    /// active flag or kit components, a location's active flag — so the channel feed, which
    /// only reads these events, reports them as well.
    ///
    /// Appended at once, not deferred to the commit: these are rare catalog edits, and the
    /// figure is what the SKU has now, whatever else the transaction does.
    public static func announce(_ db: any Database, _ scope: Scope, actor: String?, now: Int64) throws {
        var skus: [String]
        switch scope {
        case .skus(let list): skus = list
        case .stockedAt(let location): skus = try StockRecords.skusStocked(at: location, db)
        case .inStock: skus = try StockRecords.skusInStock(db)
        }
        var kits: [String] = []
        for sku in skus { kits += try Availability.kits(containing: sku, db) }
        skus += kits
        var done = Set<String>()
        for sku in skus where done.insert(sku).inserted {
            guard let facts = try Availability.facts(db, sku: sku) else { continue }
            try changed(db, sku: sku, available: try Availability.available(db, sku: sku, isKit: facts.isKit), actor: actor, now: now)
        }
    }

    fileprivate func append(_ db: any Database, actor: String?, now: Int64) throws {
        var kitsDone = Set<String>()
        for sku in order {
            guard let was = before[sku], let facts = try self.facts[sku] ?? Availability.facts(db, sku: sku) else { continue }
            let now_ = try after[sku] ?? Availability.stockAvailable(db, sku: sku)
            if was == now_ { continue }
            try Self.changed(db, sku: sku, available: now_, actor: actor, now: now)
            if facts.lowStockThreshold > 0, was >= facts.lowStockThreshold, now_ < facts.lowStockThreshold {
                try EventLog.append(db, NewEvent(StockEvents.lowStock, entityID: sku, payload: [
                    "sku": .string(sku), "available": .number(JSONNumber(now_)), "threshold": .number(JSONNumber(facts.lowStockThreshold)),
                ]), actor: actor, at: now)
            }
            if facts.reorderPoint > 0, was >= facts.reorderPoint, now_ < facts.reorderPoint {
                try EventLog.append(db, NewEvent(StockEvents.reorderSuggested, entityID: sku, payload: [
                    "sku": .string(sku), "available": .number(JSONNumber(now_)),
                    "reorder_point": .number(JSONNumber(facts.reorderPoint)), "reorder_qty": .number(JSONNumber(facts.reorderQty)),
                ]), actor: actor, at: now)
            }
            guard facts.inKits else { continue }
            for kit in try Availability.kits(containing: sku, db) where kitsDone.insert(kit).inserted {
                try Self.changed(db, sku: kit, available: try Availability.available(db, sku: kit, isKit: true), actor: actor, now: now)
            }
        }
    }

    private static func changed(_ db: any Database, sku: String, available: Int64, actor: String?, now: Int64) throws {
        // Written directly: the same bytes as encoding ["sku": …, "available": …], without
        // building and walking a JSONObject on the writer thread for every hold.
        var json = JSONWriter(capacity: 48)
        json.beginObject()
        json.key("sku"); json.string(sku)
        json.key("available"); json.int64(available)
        json.endObject()
        try EventLog.append(db, NewEvent(StockEvents.inventoryChanged, entityID: sku, payloadJSON: String(decoding: json.bytes, as: UTF8.self)),
                            actor: actor, at: now)
    }
}

/// The stock changes of every operation in one writer transaction, emitted as events once,
/// just before the commit (see `InventoryChanges.emit`).
///
/// Each SKU keeps the availability of its first touch in the transaction — its level when
/// the transaction began, since every stock change touches first — and the level after is
/// read at commit time, so a call rolled back after registering adds, at worst, a SKU whose
/// level did not change (and that is skipped). Crossing a low-stock threshold is judged
/// between those two levels, as a reader sees it.
final class PendingInventoryChanges: PreCommitWork {
    private var changes = InventoryChanges()
    private var actor: String?
    private var now: Int64 = 0

    init() {}

    fileprivate func merge(_ operation: InventoryChanges, actor: String?, now: Int64) {
        changes.absorb(operation)
        self.actor = actor
        self.now = max(self.now, now)
    }

    func run(_ db: any Database) throws {
        try changes.append(db, actor: actor, now: now)
    }
}

extension InventoryChanges {
    /// Adds another operation's SKUs, keeping this one's earlier `before` figures; `after`
    /// is left to be read at commit.
    fileprivate mutating func absorb(_ other: InventoryChanges) {
        for sku in other.order where before[sku] == nil {
            before[sku] = other.before[sku]
            if let known = other.facts[sku] { facts[sku] = known }
            order.append(sku)
        }
    }
}
