public import BahiStore
public import BahiJSON

/// The kinds of stock movement (DESIGN §4). Each changes on_hand, reserved or damaged.
public enum MovementKind: String, Sendable, CaseIterable {
    case receive, adjust, count, reserve, release, ship
    case restockReturn = "restock_return"
    case restockRTO = "restock_rto"
    case damage
    case transferOut = "transfer_out"
    case transferIn = "transfer_in"
}

/// One change to one (sku, location) balance.
public struct StockChange: Sendable {
    public var sku: String
    public var location: String
    public var kind: MovementKind
    public var onHand: Int64 = 0
    public var reserved: Int64 = 0
    public var damaged: Int64 = 0
    /// Require `on_hand - reserved - safety_stock >= requiredAvailable` before applying.
    public var requiredAvailable: Int64 = 0
    public var reference: String?
    public var reason: String?

    public init(sku: String, location: String, kind: MovementKind, onHand: Int64 = 0, reserved: Int64 = 0, damaged: Int64 = 0,
                requiredAvailable: Int64 = 0, reference: String? = nil, reason: String? = nil) {
        self.sku = sku
        self.location = location
        self.kind = kind
        self.onHand = onHand
        self.reserved = reserved
        self.damaged = damaged
        self.requiredAvailable = requiredAvailable
        self.reference = reference
        self.reason = reason
    }
}

/// One row of the movement ledger: what changed at one (sku, location), why and by whom.
public struct StockMovement: Sendable, Equatable {
    /// Increasing with every movement (the ledger's cursor).
    public var id: Int64
    /// The stocked SKU whose level moved.
    public var sku: String
    /// The location whose level moved.
    public var location: String
    /// What happened (receive, reserve, ship, …).
    public var kind: MovementKind
    /// Change to on_hand; the sum of a level's deltas is its balance (`StockAudit`).
    public var onHandDelta: Int64
    /// Change to reserved.
    public var reservedDelta: Int64
    /// Change to damaged.
    public var damagedDelta: Int64
    /// The hold, order, shipment or import it belongs to.
    public var reference: String?
    /// Why, in a person's words (or the hold status that released it).
    public var reason: String?
    /// Who: an API key id, `system`, `cli`.
    public var actor: String?
    /// When, in Unix milliseconds.
    public var createdAt: Int64

}

/// The live stock ledger (DESIGN §4): balances in `stock_levels`, every change one
/// `stock_movements` row in the same transaction.
///
/// Every change is one conditional `UPDATE … WHERE` whose changed-row count decides success:
/// no balance is read into Swift, changed and written back, so no interleaving can oversell.
/// Callers run inside `store.write`; a failed condition returns false and the caller throws,
/// rolling back its whole savepoint (all lines or none).
public enum StockLedger {
    /// Applies `change` if its conditions hold; returns false (and changes nothing) if not.
    ///
    /// `levelWasRead`: this transaction has just read the level and found it able to take
    /// the change (the hold path), so the store may answer without waiting for the write.
    public static func apply(_ db: any Database, _ change: StockChange, actor: String?, now: Int64, levelWasRead: Bool = false) throws -> Bool {
        var changed = try levelWasRead ? StockRecords.applyToReadLevel(db, change, now: now) : StockRecords.applyToLevel(db, change, now: now)
        if changed == 0 {
            // Maybe the first movement for this (sku, location): create the row, then try once
            // more — also when the insert did nothing. On PostgreSQL two nodes can both miss the
            // row; the second insert waits for the first's commit and finds it there, and only a
            // new statement sees that row (READ COMMITTED), so the retry is what lets the second
            // movement apply instead of being refused as if the stock were short. Where the row
            // existed all along, the retry fails its condition again.
            _ = try StockRecords.createLevel(db, sku: change.sku, location: change.location, now: now)
            changed = try StockRecords.applyToLevel(db, change, now: now)
        }
        guard changed == 1 else { return false }
        try StockRecords.insertMovement(db, change, actor: actor, now: now)
        return true
    }

    /// Reserves `qty` at one location if that much is available.
    public static func reserve(
        _ db: any Database, sku: String, location: String, qty: Int64, reference: String?, actor: String?, now: Int64, levelWasRead: Bool = false
    ) throws -> Bool {
        try apply(db, StockChange(sku: sku, location: location, kind: .reserve, reserved: qty, requiredAvailable: qty, reference: reference),
                  actor: actor, now: now, levelWasRead: levelWasRead)
    }

    /// Releases `qty` of a reservation (never below zero).
    public static func release(_ db: any Database, sku: String, location: String, qty: Int64, reference: String?, reason: String?, actor: String?, now: Int64) throws -> Bool {
        try apply(db, StockChange(sku: sku, location: location, kind: .release, reserved: -qty, reference: reference, reason: reason), actor: actor, now: now)
    }

    /// Units a parcel takes out of one location's reservation (a shipment line).
    public struct Units: Sendable, Equatable {
        public var sku: String
        public var location: String
        public var qty: Int64

        public init(sku: String, location: String, qty: Int64) {
            self.sku = sku
            self.location = location
            self.qty = qty
        }
    }

    /// A parcel left with its courier: each reservation becomes a `ship` movement (reserved
    /// −qty and on_hand −qty, DESIGN §4) referencing `reference` (the shipment). Availability
    /// does not move; the change feed hears of it anyway. Throws `ledger_inconsistent` when a
    /// level holds less reserved than the parcel (it never should: `bahi check` would say).
    public static func ship(_ db: any Database, _ units: [Units], reference: String, actor: String?, now: Int64) throws {
        var changes = InventoryChanges()
        for u in units {
            try changes.touch(db, sku: u.sku)
            // A count may have left the level short of what is reserved; the parcel has left
            // all the same, so no availability is required.
            let change = StockChange(sku: u.sku, location: u.location, kind: .ship, onHand: -u.qty, reserved: -u.qty, requiredAvailable: Int64.min / 2,
                                     reference: reference)
            guard try apply(db, change, actor: actor, now: now) else {
                throw DomainError(.ledgerInconsistent, "\(reference) ships \(u.qty) of \(u.sku) from \(u.location), which has fewer reserved or on hand.")
            }
        }
        try changes.emit(db, actor: actor, reference: reference, now: now)
    }

    /// A returned (RTO) parcel opened at its location: `good` units go back on hand as
    /// `restock_rto` (sellable again); `damaged` units are recorded as a `damage` movement of
    /// damaged +qty with on_hand unchanged — they left on_hand when the parcel shipped and never
    /// re-enter it, so levels still equal the sum of movements. Missing units move nothing.
    public static func receiveRTO(_ db: any Database, good: [Units], damaged: [Units], reference: String, actor: String?, now: Int64) throws {
        var changes = InventoryChanges()
        for u in good + damaged { try changes.touch(db, sku: u.sku) }
        for u in good where u.qty > 0 {
            let change = StockChange(sku: u.sku, location: u.location, kind: .restockRTO, onHand: u.qty, requiredAvailable: Int64.min / 2,
                                     reference: reference, reason: "returned to origin, good")
            guard try apply(db, change, actor: actor, now: now) else { throw DomainError(.ledgerInconsistent, "Cannot restock \(u.sku) at \(u.location).") }
        }
        for u in damaged where u.qty > 0 {
            let change = StockChange(sku: u.sku, location: u.location, kind: .damage, damaged: u.qty, requiredAvailable: Int64.min / 2,
                                     reference: reference, reason: "returned to origin, damaged")
            guard try apply(db, change, actor: actor, now: now) else { throw DomainError(.ledgerInconsistent, "Cannot record damaged \(u.sku) at \(u.location).") }
        }
        try changes.emit(db, actor: actor, reference: reference, now: now)
    }

    /// One stock level.
    public struct Level: Sendable, Equatable {
        public var sku: String
        public var location: String
        public var onHand: Int64
        public var reserved: Int64
        public var safetyStock: Int64
        public var damaged: Int64
        /// Whether the location is active (an inactive one keeps its stock but sells none).
        public var locationActive: Bool = true
        /// on_hand − reserved − safety_stock, never shown below zero.
        public var available: Int64 { max(0, onHand - reserved - safetyStock) }
    }

    /// The levels of one SKU at every location that has a row, by location priority.
    ///
    /// Sorted here rather than by `ORDER BY loc.priority`: that sort made SQLite build a
    /// sorter (several allocations) on every call, and the hold path calls this per SKU on
    /// the writer thread, for what is almost always one to three rows. The order is the same:
    /// priority, then location code by bytes (SQLite's BINARY collation).
    public static func levels(_ db: any Database, sku: String) throws -> [Level] {
        let rows = try StockRecords.levels(db, sku: sku)
        guard rows.count > 1 else { return rows.map(\.level) }
        return sortedByPriority(rows.map(\.level), priorities: rows.map(\.priority))
    }

    /// `levels` ordered as `levels(_:sku:)` returns them: by their location's priority
    /// (`priorities[i]` belongs to `levels[i]`), then by location code compared as bytes
    /// (SQLite's BINARY collation).
    static func sortedByPriority(_ levels: [Level], priorities: [Int64]) -> [Level] {
        zip(priorities, levels).sorted { a, b in
            a.0 != b.0 ? a.0 < b.0 : a.1.location.utf8.lexicographicallyPrecedes(b.1.location.utf8)
        }.map(\.1)
    }

    /// Recomputes every level from the whole movement ledger, checks every audit checkpoint
    /// against it, and returns each difference. There must never be any: `bahi check` and
    /// `GET /v1/inventory/audit` report them (by default from the newest checkpoint on:
    /// `StockAudit`).
    public static func audit(_ db: any Database) throws -> [String] {
        try StockAudit.run(db, full: true).drift
    }

    /// How many locations hold any stock of the SKU (on hand, reserved or damaged): a SKU
    /// that holds stock cannot become a kit, which has none of its own.
    public static func stockedLocations(_ db: any Database, sku: String) throws -> Int64 {
        try StockRecords.stockedLocations(db, sku: sku)
    }

    /// One level, or nil if the SKU has never moved at the location.
    public static func level(_ db: any Database, sku: String, location: String) throws -> Level? {
        try StockRecords.level(db, sku: sku, location: location)
    }
}
