public import BahiStore

/// Manual stock movements from the warehouse: receive, adjust, count, damage, transfer.
public enum Movements {
    /// What a person asked for, already validated for shape by the API layer.
    public enum Request: Sendable, Equatable {
        case receive(qty: Int64)
        case adjust(delta: Int64)
        case count(setOnHand: Int64)
        case damage(qty: Int64)
        case transfer(qty: Int64, to: String)
    }

    /// Applies one movement request in this transaction and returns the ledger rows' kinds
    /// and deltas. A movement that would leave on_hand below what is reserved or below zero
    /// is refused with `insufficient_stock` and changes nothing.
    public static func record(
        _ db: any Database, sku: String, location: String, request: Request,
        reason: String?, reference: String?, actor: String?, now: Int64
    ) throws -> [StockChange] {
        guard let facts = try Availability.facts(db, sku: sku) else { throw DomainError.invalid("sku", "unknown_sku", "No SKU \(sku).") }
        guard !facts.isKit else {
            throw DomainError.invalid("sku", "kit_has_no_stock", "\(sku) is a kit; move its components' stock instead.")
        }
        guard try StockRecords.locationExists(db, code: location) else {
            throw DomainError.invalid("location", "unknown_location", "No location \(location).")
        }
        var changes = InventoryChanges()
        try changes.touch(db, sku: sku)
        var applied: [StockChange] = []
        func apply(_ change: StockChange, _ refusal: String) throws {
            guard try StockLedger.apply(db, change, actor: actor, now: now) else {
                throw DomainError(.insufficientStock, refusal)
            }
            applied.append(change)
        }
        switch request {
        case .receive(let qty):
            try apply(StockChange(sku: sku, location: location, kind: .receive, onHand: qty, reference: reference, reason: reason), "cannot receive")
        case .adjust(let delta):
            // Taking units away must leave enough for what is already promised.
            try apply(StockChange(sku: sku, location: location, kind: .adjust, onHand: delta, requiredAvailable: max(0, -delta), reference: reference, reason: reason),
                      "An adjustment of \(delta) would take away units that are reserved or kept as safety stock at \(location).")
        case .count(let counted):
            let current = try StockRecords.level(db, sku: sku, location: location)?.onHand ?? 0
            let delta = counted - current
            if delta != 0 {
                // A count records what is physically there, even below what is reserved: the
                // shortfall then shows as negative availability for a person to resolve.
                try apply(StockChange(sku: sku, location: location, kind: .count, onHand: delta, requiredAvailable: Int64.min / 2, reference: reference,
                                      reason: reason ?? "counted \(counted), system had \(current)"), "cannot count")
            }
        case .damage(let qty):
            try apply(StockChange(sku: sku, location: location, kind: .damage, onHand: -qty, damaged: qty, requiredAvailable: qty, reference: reference, reason: reason),
                      "Only units that are neither reserved nor safety stock can be marked damaged; \(location) has fewer than \(qty).")
        case .transfer(let qty, let destination):
            guard destination != location else { throw DomainError.invalid("to_location", "same_location", "A transfer needs a different destination.") }
            guard try StockRecords.locationExists(db, code: destination) else {
                throw DomainError.invalid("to_location", "unknown_location", "No location \(destination).")
            }
            try apply(StockChange(sku: sku, location: location, kind: .transferOut, onHand: -qty, requiredAvailable: qty, reference: reference, reason: reason),
                      "\(location) has fewer than \(qty) units free to transfer.")
            try apply(StockChange(sku: sku, location: destination, kind: .transferIn, onHand: qty, reference: reference, reason: reason), "cannot transfer in")
        }
        try changes.emit(db, actor: actor, reference: reference, now: now)
        return applied
    }
}
