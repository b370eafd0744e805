public import BahiStore

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

/// The live stock ledger (DESIGN §4): balances in `stock_levels`, every change one
/// `stock_movements` row in the same transaction.
///
/// Every change is one conditional `UPDATE … WHERE` whose changed-row count decides success:
/// no balance is read into Swift, changed and written back, so no interleaving can oversell.
/// Callers run inside `store.write`; a failed condition returns false and the caller throws,
/// rolling back its whole savepoint (all lines or none).
public enum StockLedger {
    /// Applies `change` if its conditions hold; returns false (and changes nothing) if not.
    public static func apply(_ db: any Database, _ change: StockChange, actor: String?, now: Int64) throws -> Bool {
        var changed = try conditionalUpdate(db, change, now: now)
        if changed == 0 {
            // First movement for this (sku, location): create the row, then try once more.
            let created = try db.execute(
                "INSERT INTO stock_levels (sku, location, updated_at) VALUES (?, ?, ?) ON CONFLICT (sku, location) DO NOTHING",
                binding: change.sku, change.location, now)
            if created == 1 { changed = try conditionalUpdate(db, change, now: now) }
        }
        guard changed == 1 else { return false }
        try db.execute(
            """
            INSERT INTO stock_movements (sku, location, kind, on_hand_delta, reserved_delta, damaged_delta, reference, reason, actor, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            binding: change.sku, change.location, change.kind.rawValue, change.onHand, change.reserved, change.damaged,
            change.reference, change.reason, actor, now)
        return true
    }

    private static func conditionalUpdate(_ db: any Database, _ change: StockChange, now: Int64) throws -> Int {
        try db.execute(
            """
            UPDATE stock_levels
               SET on_hand = on_hand + ?1, reserved = reserved + ?2, damaged = damaged + ?3, updated_at = ?4
             WHERE sku = ?5 AND location = ?6
               AND on_hand + ?1 >= 0 AND reserved + ?2 >= 0 AND damaged + ?3 >= 0
               AND on_hand - reserved - safety_stock >= ?7
            """,
            binding: change.onHand, change.reserved, change.damaged, now, change.sku, change.location, change.requiredAvailable)
    }

    /// Reserves `qty` at one location if that much is available.
    public static func reserve(_ db: any Database, sku: String, location: String, qty: Int64, reference: String?, actor: String?, now: Int64) throws -> Bool {
        try apply(db, StockChange(sku: sku, location: location, kind: .reserve, reserved: qty, requiredAvailable: qty, reference: reference), actor: actor, now: now)
    }

    /// Releases `qty` of a reservation (never below zero).
    public static func release(_ db: any Database, sku: String, location: String, qty: Int64, reference: String?, reason: String?, actor: String?, now: Int64) throws -> Bool {
        try apply(db, StockChange(sku: sku, location: location, kind: .release, reserved: -qty, reference: reference, reason: reason), actor: actor, now: now)
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
        let rows = try db.query(
            """
            SELECT l.sku, l.location, l.on_hand, l.reserved, l.safety_stock, l.damaged, loc.active, loc.priority
              FROM stock_levels l JOIN locations loc ON loc.code = l.location
             WHERE l.sku = ?
            """, binding: sku
        ) { row in
            (priority: try row[7] as Int64,
             level: Level(sku: try row[0], location: try row[1], onHand: try row[2], reserved: try row[3], safetyStock: try row[4],
                          damaged: try row[5], locationActive: try row[6]))
        }
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

    /// Recomputes every level from the movement ledger and returns each difference. There
    /// must never be any: `bahi check` and `GET /v1/inventory/audit` report them.
    public static func audit(_ db: any Database) throws -> [String] {
        try db.query(
            """
            WITH sums AS (
                SELECT sku, location, SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved, SUM(damaged_delta) AS damaged
                  FROM stock_movements GROUP BY sku, location)
            SELECT l.sku, l.location, l.on_hand, COALESCE(s.on_hand, 0), l.reserved, COALESCE(s.reserved, 0), l.damaged, COALESCE(s.damaged, 0)
              FROM stock_levels l LEFT JOIN sums s ON s.sku = l.sku AND s.location = l.location
             WHERE l.on_hand <> COALESCE(s.on_hand, 0) OR l.reserved <> COALESCE(s.reserved, 0) OR l.damaged <> COALESCE(s.damaged, 0)
            UNION ALL
            SELECT s.sku, s.location, 0, s.on_hand, 0, s.reserved, 0, s.damaged
              FROM sums s LEFT JOIN stock_levels l ON l.sku = s.sku AND l.location = s.location
             WHERE l.sku IS NULL
            """
        ) { row in
            let sku: String = try row[0], location: String = try row[1]
            return "\(sku)@\(location): level on_hand \(try row[2] as Int64), reserved \(try row[4] as Int64), damaged \(try row[6] as Int64); "
                + "ledger says \(try row[3] as Int64), \(try row[5] as Int64), \(try row[7] as Int64)"
        }
    }
}
