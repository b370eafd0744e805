public import BahiStore
import BahiJSON

/// Collects which SKUs one operation touched, then appends the events the rest of Bahi reads:
/// `inventory.changed` for each SKU (and every kit containing it) — the channel stock feed —
/// and `inventory.low_stock` / `inventory.reorder_suggested` when availability crosses below
/// a threshold. Runs inside the operation's transaction, so the events exist exactly when
/// the change committed.
public struct InventoryChanges {
    private var before: [String: Int64] = [:]
    private var after: [String: Int64] = [:]
    private var facts: [String: Availability.SKUFacts] = [:]
    private var order: [String] = []

    public init() {}

    /// Records a stocked SKU's availability before the operation changes it (queried unless
    /// the caller already knows it).
    public mutating func touch(_ db: Connection, sku: String, available: Int64? = nil, facts known: Availability.SKUFacts? = nil) throws {
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
    public func emit(_ db: Connection, actor: String?, reference: String?, now: Int64) throws {
        var kitsDone = Set<String>()
        for sku in order {
            guard let was = before[sku], let facts = try self.facts[sku] ?? Availability.facts(db, sku: sku) else { continue }
            let now_ = try after[sku] ?? Availability.stockAvailable(db, sku: sku)
            if was == now_ { continue }
            try changed(db, sku: sku, available: now_, actor: actor, now: now)
            if facts.lowStockThreshold > 0, was >= facts.lowStockThreshold, now_ < facts.lowStockThreshold {
                try EventLog.append(db, type: "inventory.low_stock", entityType: "sku", entityID: sku,
                                    payload: ["sku": .string(sku), "available": .number(JSONNumber(now_)), "threshold": .number(JSONNumber(facts.lowStockThreshold))],
                                    actor: actor, at: UInt64(now))
            }
            if facts.reorderPoint > 0, was >= facts.reorderPoint, now_ < facts.reorderPoint {
                try EventLog.append(db, type: "inventory.reorder_suggested", entityType: "sku", entityID: sku,
                                    payload: ["sku": .string(sku), "available": .number(JSONNumber(now_)),
                                              "reorder_point": .number(JSONNumber(facts.reorderPoint)), "reorder_qty": .number(JSONNumber(facts.reorderQty))],
                                    actor: actor, at: UInt64(now))
            }
            guard facts.inKits else { continue }
            for kit in try Availability.kits(containing: sku, db) where kitsDone.insert(kit).inserted {
                try changed(db, sku: kit, available: try Availability.available(db, sku: kit, isKit: true), actor: actor, now: now)
            }
        }
    }

    private func changed(_ db: Connection, sku: String, available: Int64, actor: String?, now: Int64) throws {
        // Written directly: the same bytes as encoding ["sku": …, "available": …], without
        // building and walking a JSONObject on the writer thread for every hold.
        var json = JSONWriter(capacity: 48)
        json.beginObject()
        json.key("sku"); json.string(sku)
        json.key("available"); json.int64(available)
        json.endObject()
        try EventLog.append(db, type: "inventory.changed", entityType: "sku", entityID: sku,
                            payloadJSON: String(decoding: json.bytes, as: UTF8.self), actor: actor, at: UInt64(now))
    }
}
