public import BahiStore

/// Every SQL statement of the Inventory domain: the tables it owns (`stock_levels`,
/// `stock_movements`, `reservations`, `reservation_allocations`), each row read by column name
/// and each model decoded in exactly one function (`level`, `movement`, `hold`, `allocation`,
/// `skuFacts`, `channelTerms`).
///
/// Catalog data (SKUs, kit components, locations, channels and their per-SKU buffers) belongs
/// to the Catalog domain, and Inventory never names its tables. It reads them only through the
/// read-only views the Catalog domain publishes as its read contract (migration 5):
/// `catalog_sku_facts`, `catalog_kit_parts`, `catalog_locations`, `catalog_channels` and
/// `catalog_channel_buffers`. Why views and not Catalog service calls: availability joins
/// catalog facts with stock levels, and the hold path (`lineFacts`) runs that join per line on
/// the writer thread. Through a service it would become several statements; through a view it
/// stays one statement, because each view is a plain projection of one table that SQLite
/// flattens into the query (the plan uses the same indexes as a join on the tables themselves,
/// checked with EXPLAIN QUERY PLAN). Catalog may rename or reshape its tables freely as long
/// as the views keep their columns.
///
/// SQL is portable (DESIGN §3): `?N` placeholders, `CASE` for a scalar max, booleans compared
/// with `TRUE`/`FALSE`, `ON CONFLICT`, no `rowid`.
enum StockRecords {
    // MARK: Fragments

    /// on_hand − reserved − safety_stock of level `l`, never below zero.
    private static let levelAvailable = "CASE WHEN l.on_hand - l.reserved - l.safety_stock > 0 THEN l.on_hand - l.reserved - l.safety_stock ELSE 0 END"

    /// The columns `level(_:)` reads: a level `l` joined with its location `loc`.
    private static let levelColumns = """
        l.sku, l.location, l.on_hand, l.reserved, l.safety_stock, l.damaged, \
        loc.active AS location_active, loc.priority AS location_priority
        """

    /// The columns `skuFacts(_:)` reads from `catalog_sku_facts s`, the SKU code bound as `sku`
    /// (a placeholder, so the kit lookup runs once per statement, not once per row), in the
    /// order the decoder reads them (a by-name read in SELECT order is one comparison).
    private static func skuFactColumns(sku: String) -> String {
        """
        s.active AS sku_active, s.sku AS sku_code, s.is_kit, s.low_stock_threshold, s.reorder_point, s.reorder_qty, \
        EXISTS (SELECT 1 FROM catalog_kit_parts k WHERE k.component_sku = \(sku)) AS in_kits, s.name, s.hsn, s.gst_rate_bps
        """
    }

    /// The columns `channelTerms(_:)` reads from `catalog_channels c` and its per-SKU buffer `b`.
    private static let channelColumns = """
        c.active AS channel_active, COALESCE(b.buffer_bps, c.buffer_bps) AS buffer_bps, COALESCE(b.buffer_units, c.buffer_units) AS buffer_units
        """

    // MARK: Decoders

    /// A stock level from `levelColumns`.
    static func level(_ row: Row) throws -> StockLedger.Level {
        StockLedger.Level(sku: try row["sku"], location: try row["location"], onHand: try row["on_hand"], reserved: try row["reserved"],
                          safetyStock: try row["safety_stock"], damaged: try row["damaged"], locationActive: try row["location_active"])
    }

    /// A SKU's facts from `skuFactColumns`, or nil when the (left-joined) SKU is absent.
    static func skuFacts(_ row: Row) throws -> Availability.SKUFacts? {
        guard let active: Bool = try row["sku_active"] else { return nil }
        return Availability.SKUFacts(
            sku: try row["sku_code"], active: active, isKit: try row["is_kit"], lowStockThreshold: try row["low_stock_threshold"],
            reorderPoint: try row["reorder_point"], reorderQty: try row["reorder_qty"], inKits: try row["in_kits"],
            name: try row["name"], hsn: try row["hsn"], gstRateBps: try row["gst_rate_bps"])
    }

    /// Whether a channel is active and the buffer it keeps back, from `channelColumns`.
    static func channelTerms(_ row: Row) throws -> (active: Bool, buffer: (bps: Int64, units: Int64)) {
        (active: try row["channel_active"], buffer: (bps: try row["buffer_bps"], units: try row["buffer_units"]))
    }

    /// The columns `hold(_:)` reads.
    private static let holdColumns = "id, channel, reference, status, expires_at, created_at"

    /// A hold without its allocations, from `holdColumns`.
    static func hold(_ row: Row) throws -> Holds.Hold {
        let text: String = try row["status"]
        // The schema's CHECK admits only these statuses; anything else is a corrupt file.
        guard let status = HoldStatus(rawValue: text) else { throw DomainError(.corruptRow, "Reservation row has unknown status \(text).") }
        return Holds.Hold(id: try row["id"], channel: try row["channel"], reference: try row["reference"], status: status,
                          expiresAt: try row["expires_at"], createdAt: try row["created_at"], allocations: [])
    }

    /// The columns `allocation(_:)` reads.
    private static let allocationColumns = "line, sku, stock_sku, location, qty"

    /// One allocation of a hold, from `allocationColumns`.
    static func allocation(_ row: Row) throws -> Holds.Allocation {
        Holds.Allocation(line: try row["line"], sku: try row["sku"], stockSKU: try row["stock_sku"], location: try row["location"], qty: try row["qty"])
    }

    /// The columns `movement(_:)` reads.
    private static let movementColumns = "id, sku, location, kind, on_hand_delta, reserved_delta, damaged_delta, reference, reason, actor, created_at"

    /// One ledger row, from `movementColumns`.
    static func movement(_ row: Row) throws -> StockMovement {
        let text: String = try row["kind"]
        guard let kind = MovementKind(rawValue: text) else { throw DomainError(.corruptRow, "Stock movement row has unknown kind \(text).") }
        return StockMovement(id: try row["id"], sku: try row["sku"], location: try row["location"], kind: kind,
                             onHandDelta: try row["on_hand_delta"], reservedDelta: try row["reserved_delta"], damagedDelta: try row["damaged_delta"],
                             reference: try row["reference"], reason: try row["reason"], actor: try row["actor"], createdAt: try row["created_at"])
    }

    // MARK: Catalog facts (through the Catalog domain's views)

    private static let skuFactsSQL = "SELECT \(skuFactColumns(sku: "?1")) FROM catalog_sku_facts s WHERE s.sku = ?1"

    /// The SKU's facts, or nil.
    static func skuFacts(_ db: any Database, sku: String) throws -> Availability.SKUFacts? {
        try db.queryFirst(skuFactsSQL, binding: sku, map: skuFacts(_:)) ?? nil
    }

    /// A kit's components and quantities per kit, by component code.
    static func kitParts(_ db: any Database, kit: String) throws -> [(sku: String, qty: Int64)] {
        try db.query("SELECT component_sku, qty FROM catalog_kit_parts WHERE kit_sku = ?1 ORDER BY component_sku", binding: kit) { row in
            (sku: try row["component_sku"] as String, qty: try row["qty"] as Int64)
        }
    }

    /// The kits that contain `sku`, by code.
    static func kits(containing sku: String, _ db: any Database) throws -> [String] {
        try db.query("SELECT kit_sku FROM catalog_kit_parts WHERE component_sku = ?1 ORDER BY kit_sku", binding: sku) { row in try row["kit_sku"] as String }
    }

    /// Whether a location exists, active or not.
    static func locationExists(_ db: any Database, code: String) throws -> Bool {
        try db.queryFirst("SELECT code FROM catalog_locations WHERE code = ?1", binding: code) { _ in true } ?? false
    }

    /// The codes of active channels, in order.
    static func activeChannels(_ db: any Database) throws -> [String] {
        try db.query("SELECT code FROM catalog_channels WHERE active = TRUE ORDER BY code") { row in try row["code"] as String }
    }

    /// Whether the channel is active and its buffer for `sku`, or nil if there is no such channel.
    static func channelTerms(_ db: any Database, channel: String, sku: String) throws -> (active: Bool, buffer: (bps: Int64, units: Int64))? {
        try db.queryFirst(
            """
            SELECT \(channelColumns)
              FROM catalog_channels c LEFT JOIN catalog_channel_buffers b ON b.channel = c.code AND b.sku = ?2
             WHERE c.code = ?1
            """, binding: channel, sku, map: channelTerms(_:))
    }

    /// What a hold line needs, in one statement: one row per stock level of `sku` (or one with
    /// NULL level columns when there is none), the channel and SKU columns repeated on each.
    /// No row when there is no such channel.
    static let lineFactsSQL = """
        SELECT \(channelColumns),
               \(skuFactColumns(sku: "?2")),
               \(levelColumns)
          FROM catalog_channels c
          LEFT JOIN catalog_sku_facts s ON s.sku = ?2
          LEFT JOIN catalog_channel_buffers b ON b.channel = c.code AND b.sku = ?2
          LEFT JOIN stock_levels l ON l.sku = s.sku
          LEFT JOIN catalog_locations loc ON loc.code = l.location
         WHERE c.code = ?1
        """

    /// `Availability.lineFacts`: the channel's terms, the SKU's facts and its levels with their
    /// location priorities (unsorted), or nil if there is no such channel.
    static func lineFacts(_ db: any Database, channel: String, sku: String) throws -> (facts: Availability.LineFacts, priorities: [Int64])? {
        var result: Availability.LineFacts?
        var priorities: [Int64] = []
        _ = try db.query(lineFactsSQL, binding: channel, sku) { row in
            if result == nil {
                let terms = try channelTerms(row)
                result = (channelActive: terms.active, buffer: terms.buffer, facts: try skuFacts(row), levels: [])
            }
            // A level whose location row is missing is skipped, as the inner join of
            // `levels` would (foreign keys make it impossible anyway).
            guard let priority: Int64 = try row["location_priority"] else { return }
            result?.levels.append(try level(row))
            priorities.append(priority)
        }
        return result.map { (facts: $0, priorities: priorities) }
    }

    // MARK: Stock levels

    static let levelsSQL = """
        SELECT \(levelColumns)
          FROM stock_levels l JOIN catalog_locations loc ON loc.code = l.location
         WHERE l.sku = ?1
        """

    /// The SKU's levels at every location that has a row, with their location priorities
    /// (unsorted: see `StockLedger.levels`).
    static func levels(_ db: any Database, sku: String) throws -> [(priority: Int64, level: StockLedger.Level)] {
        try db.query(levelsSQL, binding: sku) { row in (priority: try row["location_priority"] as Int64, level: try level(row)) }
    }

    /// One level, or nil if the SKU has never moved at the location.
    static func level(_ db: any Database, sku: String, location: String) throws -> StockLedger.Level? {
        try db.queryFirst(
            """
            SELECT \(levelColumns)
              FROM stock_levels l JOIN catalog_locations loc ON loc.code = l.location
             WHERE l.sku = ?1 AND l.location = ?2
            """, binding: sku, location, map: level(_:))
    }

    /// Every level (at one location, or all), by SKU then location.
    static func allLevels(_ db: any Database, location: String?, _ each: (StockLedger.Level) throws -> Void) throws {
        _ = try db.query(
            """
            SELECT \(levelColumns)
              FROM stock_levels l JOIN catalog_locations loc ON loc.code = l.location
             WHERE (CAST(?1 AS TEXT) IS NULL OR l.location = ?1) ORDER BY l.sku, l.location
            """, [location]
        ) { row in try each(try level(row)) }
    }

    /// Available units of a stocked SKU over active locations.
    static func stockAvailable(_ db: any Database, sku: String) throws -> Int64 {
        try db.queryFirst(
            """
            SELECT COALESCE(SUM(\(levelAvailable)), 0) AS available
              FROM stock_levels l JOIN catalog_locations loc ON loc.code = l.location
             WHERE l.sku = ?1 AND loc.active = TRUE
            """, binding: sku) { row in try row["available"] as Int64 } ?? 0
    }

    /// How many locations hold any stock of the SKU: on hand, reserved or damaged.
    static func stockedLocations(_ db: any Database, sku: String) throws -> Int64 {
        try db.queryFirst(
            "SELECT COUNT(*) AS stocked FROM stock_levels WHERE sku = ?1 AND (on_hand <> 0 OR reserved <> 0 OR damaged <> 0)",
            binding: sku) { row in try row["stocked"] as Int64 } ?? 0
    }

    /// SKUs with a level at a location, by code.
    static func skusStocked(at location: String, _ db: any Database) throws -> [String] {
        try db.query("SELECT DISTINCT sku FROM stock_levels WHERE location = ?1 ORDER BY sku", binding: location) { row in try row["sku"] as String }
    }

    /// SKUs with units available somewhere (location flags aside), by code.
    static func skusInStock(_ db: any Database) throws -> [String] {
        try db.query("SELECT DISTINCT sku FROM stock_levels WHERE on_hand - reserved - safety_stock > 0 ORDER BY sku") { row in try row["sku"] as String }
    }

    // MARK: Ledger writes

    private static let applySQL = """
        UPDATE stock_levels
           SET on_hand = on_hand + ?1, reserved = reserved + ?2, damaged = damaged + ?3, updated_at = ?4
         WHERE sku = ?5 AND location = ?6
           AND on_hand + ?1 >= 0 AND reserved + ?2 >= 0 AND damaged + ?3 >= 0
           AND on_hand - reserved - safety_stock >= ?7
        """

    /// Applies a change to its level if the level exists and the change's conditions hold;
    /// returns how many rows changed (0 or 1).
    static func applyToLevel(_ db: any Database, _ change: StockChange, now: Int64) throws -> Int {
        try db.execute(applySQL, binding: change.onHand, change.reserved, change.damaged, now, change.sku, change.location, change.requiredAvailable)
    }

    /// `applyToLevel` for a change whose level this transaction has just read and found
    /// able to take it: the store may send it ahead and answer 1 (see
    /// `Database.execute(_:values:likely:)`).
    static func applyToReadLevel(_ db: any Database, _ change: StockChange, now: Int64) throws -> Int {
        try db.execute(applySQL, likely: 1, binding: change.onHand, change.reserved, change.damaged, now, change.sku, change.location, change.requiredAvailable)
    }

    private static let createLevelSQL = "INSERT INTO stock_levels (sku, location, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (sku, location) DO NOTHING"

    /// Creates an empty level; returns 1 if this call created it, 0 if it existed.
    static func createLevel(_ db: any Database, sku: String, location: String, now: Int64) throws -> Int {
        try db.execute(createLevelSQL, binding: sku, location, now)
    }

    private static let insertMovementSQL = """
        INSERT INTO stock_movements (sku, location, kind, on_hand_delta, reserved_delta, damaged_delta, reference, reason, actor, created_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
        """

    /// Appends the ledger row of an applied change.
    static func insertMovement(_ db: any Database, _ change: StockChange, actor: String?, now: Int64) throws {
        try db.perform(insertMovementSQL, binding: change.sku, change.location, change.kind.rawValue, change.onHand, change.reserved, change.damaged,
                       change.reference, change.reason, actor, now)
    }

    // MARK: Ledger reads

    /// The movements of one SKU after a movement id, oldest first.
    ///
    /// PostgreSQL reads one range of `stock_movements_sku` (sku, id). SQLite's index is keyed
    /// by the movement's id range first (`idRangeBits`, migration 28), so it reads the SKU's
    /// range in each id range from the cursor's on, until the page is full or the ledger ends:
    /// one index seek per 65,536 movements of the whole ledger.
    static func movements(_ db: any Database, sku: String, after: Int64, limit: Int) throws -> [StockMovement] {
        switch db.dialect {
        case .postgres:
            return try db.query(movementsSQL, binding: sku, after, limit, map: movement(_:))
        case .sqlite:
            guard limit > 0 else { return [] }
            let lastRange = try lastMovementID(db) >> idRangeBits
            var found: [StockMovement] = []
            var range = max(after, 0) >> idRangeBits
            while found.count < limit && range <= lastRange {
                found += try db.query(movementsInRangeSQL, binding: range, sku, after, limit - found.count, map: movement(_:))
                range += 1
            }
            return found
        }
    }

    /// A SKU's movements from the cursor, oldest first: a range of `stock_movements_sku` (sku, id).
    /// PostgreSQL's statement.
    static let movementsSQL = "SELECT \(movementColumns) FROM stock_movements WHERE sku = ?1 AND id > ?2 ORDER BY id LIMIT ?3"

    /// A SKU's movements from the cursor within one id range (`?1`, the ids' top bits), oldest
    /// first: a range of SQLite's `stock_movements_sku` ((id >> 16), sku, id). SQLite's statement.
    static let movementsInRangeSQL =
        "SELECT \(movementColumns) FROM stock_movements WHERE (id >> \(idRangeBits)) = ?1 AND sku = ?2 AND id > ?3 ORDER BY id LIMIT ?4"

    /// How many low bits of a movement id its range leaves out in SQLite's `stock_movements_sku`:
    /// ranges of 65,536 movements. Keyed by SKU alone, every SKU with a few hundred movements has
    /// a last leaf page of its own, and intake wrote one such page for nearly every line: at 1.96 M
    /// orders a store wrote 53–60 KiB per order against 46 on an empty store, and intake ran at
    /// 82 % of the empty store's rate. Within the newest range the SKUs share leaves as on an empty
    /// store (47–54 against 43 KiB, 93 %; Benchmarks/README.md, "The ledger's SKU index by id
    /// range"). Wider ranges mean fewer seeks for a listing but more leaves written apart.
    /// Migration 28 spells the same 16: with another number here the statement's expression would
    /// not be the index's, and `QueryPlanTests` fails.
    static let idRangeBits: Int64 = 16

    // MARK: The audit

    /// The rows a ledger sum adds up, as (sku, location, on_hand, reserved, damaged): the
    /// checkpoint through `?1` (none when `?1` is 0 or no checkpoint has that id) and the
    /// movements after it — a range of the `stock_movements` primary key — up to `upTo`.
    private static func ledgerParts(upTo: String?) -> String {
        """
        SELECT sku, location, on_hand, reserved, damaged FROM stock_audit_checkpoints WHERE through_id = ?1
        UNION ALL
        SELECT sku, location, on_hand_delta, reserved_delta, damaged_delta FROM stock_movements WHERE id > ?1\(upTo.map { " AND id <= \($0)" } ?? "")
        """
    }

    /// The rows of `kept` (sku, location, on_hand, reserved, damaged) that differ from the row
    /// of `sums` for the same (SKU, location), as `kept_*` and `ledger_*` columns, and every sum
    /// `kept` has no row for that also meets `lacking` (reported against zeros).
    private static func differences(kept: String, sums: String, lacking: String) -> String {
        """
        SELECT k.sku, k.location, k.on_hand AS kept_on_hand, COALESCE(s.on_hand, 0) AS ledger_on_hand,
               k.reserved AS kept_reserved, COALESCE(s.reserved, 0) AS ledger_reserved,
               k.damaged AS kept_damaged, COALESCE(s.damaged, 0) AS ledger_damaged
          FROM \(kept) k LEFT JOIN \(sums) s ON s.sku = k.sku AND s.location = k.location
         WHERE k.on_hand <> COALESCE(s.on_hand, 0) OR k.reserved <> COALESCE(s.reserved, 0) OR k.damaged <> COALESCE(s.damaged, 0)
        UNION ALL
        SELECT s.sku, s.location, 0, s.on_hand, 0, s.reserved, 0, s.damaged
          FROM \(sums) s
         WHERE \(lacking) AND NOT EXISTS (SELECT 1 FROM \(kept) k WHERE k.sku = s.sku AND k.location = s.location)
        """
    }

    /// One row of `differences`, described for a person: "`kept` on_hand …; `ledger` …".
    private static func difference(_ row: Row, kept: String, ledger: String) throws -> String {
        "\(try row["sku"] as String)@\(try row["location"] as String): \(kept) on_hand \(try row["kept_on_hand"] as Int64), "
            + "reserved \(try row["kept_reserved"] as Int64), damaged \(try row["kept_damaged"] as Int64); \(ledger) "
            + "\(try row["ledger_on_hand"] as Int64), \(try row["ledger_reserved"] as Int64), \(try row["ledger_damaged"] as Int64)"
    }

    /// Every level that differs from its ledger sum (the checkpoint through `?1` plus every
    /// movement after it), and every sum without a level. With `?1` = 0 the sum re-adds every
    /// movement from the first.
    static let auditSQL = """
        WITH sums AS (
            SELECT sku, location, SUM(on_hand) AS on_hand, SUM(reserved) AS reserved, SUM(damaged) AS damaged
              FROM (\(ledgerParts(upTo: nil))) AS parts
             GROUP BY sku, location)
        \(differences(kept: "stock_levels", sums: "sums", lacking: "TRUE"))
        """

    /// Every level that differs from the checkpoint through `from` (0: none) plus the
    /// movements after it, and every sum without a level, described for a person.
    static func audit(_ db: any Database, from: Int64) throws -> [String] {
        try db.query(auditSQL, binding: from) { row in try difference(row, kept: "level", ledger: "ledger says") }
    }

    /// The newest checkpoint's `through_id` (the primary key's last entry), nil when none.
    static func latestCheckpoint(_ db: any Database) throws -> Int64? {
        try db.queryFirst("SELECT MAX(through_id) AS through_id FROM stock_audit_checkpoints") { row in try row["through_id"] as Int64? } ?? nil
    }

    /// Every checkpoint kept, oldest first (one, unless two writers overlapped).
    static func checkpoints(_ db: any Database) throws -> [Int64] {
        try db.query("SELECT DISTINCT through_id FROM stock_audit_checkpoints ORDER BY through_id") { row in try row["through_id"] as Int64 }
    }

    /// The largest movement id so far (0 when none): the primary key's last entry.
    static func lastMovementID(_ db: any Database) throws -> Int64 {
        try db.queryValue("SELECT COALESCE(MAX(id), 0) FROM stock_movements", as: Int64.self) ?? 0
    }

    /// The sums through movement `through`: the checkpoint through `from` plus the movements
    /// after it up to `through`, one per (SKU, location) that has ever moved.
    static func ledgerSums(_ db: any Database, from: Int64, through: Int64) throws -> [StockAudit.Sum] {
        try db.query(
            """
            SELECT sku, location, SUM(on_hand) AS on_hand, SUM(reserved) AS reserved, SUM(damaged) AS damaged
              FROM (\(ledgerParts(upTo: "?2"))) AS parts
             GROUP BY sku, location ORDER BY sku, location
            """, binding: from, through
        ) { row in
            StockAudit.Sum(sku: try row["sku"], location: try row["location"], onHand: try row["on_hand"], reserved: try row["reserved"], damaged: try row["damaged"])
        }
    }

    /// Stores `sums` as the checkpoint through movement `through`.
    static func insertCheckpoint(_ db: any Database, through: Int64, sums: [StockAudit.Sum], now: Int64) throws {
        for sum in sums {
            try db.perform(
                "INSERT INTO stock_audit_checkpoints (through_id, sku, location, on_hand, reserved, damaged, taken_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                binding: through, sum.sku, sum.location, sum.onHand, sum.reserved, sum.damaged, now)
        }
    }

    /// Deletes every checkpoint older than the one through `through`.
    static func deleteCheckpoints(_ db: any Database, below through: Int64) throws {
        try db.perform("DELETE FROM stock_audit_checkpoints WHERE through_id < ?1", binding: through)
    }

    /// Every row of the checkpoint through `through` that differs from the sum of the
    /// movements up to it, and every such sum (other than zero) the checkpoint lacks: the
    /// proof `bahi check --full` gives that a checkpoint hides nothing.
    static func checkpointDrift(_ db: any Database, through: Int64) throws -> [String] {
        try db.query(
            """
            WITH sums AS (
                SELECT sku, location, SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved, SUM(damaged_delta) AS damaged
                  FROM stock_movements WHERE id <= ?1 GROUP BY sku, location),
            cp AS (
                SELECT sku, location, on_hand, reserved, damaged FROM stock_audit_checkpoints WHERE through_id = ?1)
            \(differences(kept: "cp", sums: "sums", lacking: "(s.on_hand <> 0 OR s.reserved <> 0 OR s.damaged <> 0)"))
            """, binding: through
        ) { row in "checkpoint through movement \(through), " + (try difference(row, kept: "checkpoint", ledger: "movements up to it add up to")) }
    }

    // MARK: Stock lists

    /// The columns `totals(_:)` reads.
    private static let totalsColumns = """
        s.sku, COALESCE(SUM(l.on_hand), 0) AS on_hand, COALESCE(SUM(l.reserved), 0) AS reserved, \
        COALESCE(SUM(l.safety_stock), 0) AS safety_stock, COALESCE(SUM(l.damaged), 0) AS damaged, \
        COALESCE(SUM(\(levelAvailable)), 0) AS available, s.name, s.low_stock_threshold, s.reorder_point, s.reorder_qty
        """

    /// A stocked SKU's totals, from `totalsColumns`.
    static func totals(_ row: Row) throws -> InventoryQueries.Totals {
        InventoryQueries.Totals(sku: try row["sku"], name: try row["name"], onHand: try row["on_hand"], reserved: try row["reserved"],
                                safetyStock: try row["safety_stock"], damaged: try row["damaged"], available: try row["available"],
                                lowStockThreshold: try row["low_stock_threshold"], reorderPoint: try row["reorder_point"], reorderQty: try row["reorder_qty"])
    }

    /// The totals join: every stocked (non-kit) SKU with its levels at active locations.
    private static let totalsFrom = """
          FROM catalog_sku_facts s
          LEFT JOIN stock_levels l ON l.sku = s.sku
                AND l.location IN (SELECT code FROM catalog_locations WHERE active = TRUE)
        """
    private static let totalsGroup = " GROUP BY s.sku, s.name, s.low_stock_threshold, s.reorder_point, s.reorder_qty"

    /// Stocked SKUs after `after` with their totals (over active locations, or at one), by
    /// code, optionally only those below a threshold.
    static func totals(_ db: any Database, location: String?, below: InventoryQueries.Below?, after: String, limit: Int) throws -> [InventoryQueries.Totals] {
        // Built from fixed fragments: ?1 after, ?2 limit, ?3 the location when given.
        var sql = "SELECT \(totalsColumns)\n\(totalsFrom)"
        var arguments: [(any SQLValueConvertible)?] = [after, limit]
        if let location {
            sql += " AND l.location = ?3"
            arguments.append(location)
        }
        sql += " WHERE s.is_kit = FALSE AND s.sku > ?1" + totalsGroup
        switch below {
        case .lowStock?: sql += " HAVING s.low_stock_threshold > 0 AND COALESCE(SUM(\(levelAvailable)), 0) < s.low_stock_threshold"
        case .reorderPoint?: sql += " HAVING s.reorder_point > 0 AND COALESCE(SUM(\(levelAvailable)), 0) < s.reorder_point"
        case nil: break
        }
        sql += " ORDER BY s.sku LIMIT ?2"
        return try db.query(sql, StatementArguments(arguments), totals(_:))
    }

    /// Active stocked SKUs below their reorder point, by code.
    static func belowReorderPoint(_ db: any Database) throws -> [InventoryQueries.Totals] {
        try db.query(
            """
            SELECT \(totalsColumns)
            \(totalsFrom)
             WHERE s.is_kit = FALSE AND s.active = TRUE AND s.reorder_point > 0
            \(totalsGroup) HAVING COALESCE(SUM(\(levelAvailable)), 0) < s.reorder_point ORDER BY s.sku
            """, totals(_:))
    }

    // MARK: Holds

    private static let insertHoldSQL = """
        INSERT INTO reservations (id, channel, reference, status, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        """

    /// Writes a new hold (its allocations go through `insertAllocation`).
    static func insertHold(_ db: any Database, _ hold: Holds.Hold) throws {
        try db.perform(insertHoldSQL, binding: hold.id, hold.channel, hold.reference, hold.status.rawValue, hold.expiresAt, hold.createdAt)
    }

    private static let insertAllocationSQL = """
        INSERT INTO reservation_allocations (reservation_id, line, sku, stock_sku, location, qty) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        ON CONFLICT (reservation_id, line, stock_sku, location) DO UPDATE SET qty = reservation_allocations.qty + excluded.qty
        """

    /// Adds an allocation to a hold (units of the same line, SKU and location add up).
    static func insertAllocation(_ db: any Database, hold id: String, _ a: Holds.Allocation) throws {
        try db.perform(insertAllocationSQL, binding: id, a.line, a.sku, a.stockSKU, a.location, a.qty)
    }

    /// The hold with its allocations, or nil.
    static func hold(_ db: any Database, id: String) throws -> Holds.Hold? {
        guard var found = try db.queryFirst("SELECT \(holdColumns) FROM reservations WHERE id = ?1", binding: id, map: hold(_:)) else { return nil }
        found.allocations = try allocations(db, hold: id)
        return found
    }

    /// A hold's allocations, by line, stocked SKU and location.
    static func allocations(_ db: any Database, hold id: String) throws -> [Holds.Allocation] {
        try db.query(
            "SELECT \(allocationColumns) FROM reservation_allocations WHERE reservation_id = ?1 ORDER BY line, stock_sku, location",
            binding: id, map: allocation(_:))
    }

    /// Closes an active hold with `status`; returns whether it was active.
    static func close(_ db: any Database, id: String, status: HoldStatus, now: Int64) throws -> Bool {
        try db.execute("UPDATE reservations SET status = ?1, closed_at = ?2 WHERE id = ?3 AND status = 'active'", binding: status.rawValue, now, id) == 1
    }

    /// When the earliest active hold expires, or nil if none is active.
    static func nextExpiry(_ db: any Database) throws -> Int64? {
        try db.queryFirst("SELECT MIN(expires_at) AS next_expiry FROM reservations WHERE status = 'active'") { row in
            try row["next_expiry"] as Int64?
        } ?? nil
    }

    /// Active holds whose time has come, earliest first, at most `limit`.
    static func due(_ db: any Database, now: Int64, limit: Int) throws -> [String] {
        try db.query("SELECT id FROM reservations WHERE status = 'active' AND expires_at <= ?1 ORDER BY expires_at LIMIT ?2", binding: now, limit) { row in
            try row["id"] as String
        }
    }
}
