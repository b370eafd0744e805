public import BahiStore
import BahiJSON

/// All SQL of the stored packing queue (`fulfilment_queue`, `fulfilment_queue_rules`): a
/// fulfilment table kept in step with shipments and orders by the flows, so the top of a
/// location's queue is read from an index in the queue's order (issue 15).
enum PackingQueueRecords {
    /// Every column a `WaitingShipment` is decoded from.
    static let columns = "shipment_id, order_id, location, channel, channel_order_ref, payment_method, value_paise, order_created_at, priority_class"

    /// The waiting shipment of one row of `columns`.
    static func waiting(_ row: Row) throws -> WaitingShipment {
        WaitingShipment(shipmentID: try row["shipment_id"], orderID: try row["order_id"], location: try row["location"], channel: try row["channel"],
                        channelOrderRef: try row["channel_order_ref"], paymentMethod: try row["payment_method"], valuePaise: try row["value_paise"],
                        orderCreatedAt: try row["order_created_at"], priorityClass: try row["priority_class"])
    }

    /// One location's breached rows (ordered at or before `?2`) in the queue's order: oldest
    /// first, then class, value, id — a range of `fulfilment_queue_age`.
    static let breachedSQL = """
        SELECT \(columns) FROM fulfilment_queue WHERE location = ?1 AND order_created_at <= ?2
         ORDER BY order_created_at, priority_class, value_paise DESC, shipment_id LIMIT ?3
        """

    /// One location's rows not breached (ordered after `?2`) in the queue's order: class,
    /// higher value first, older first, id — `fulfilment_queue_rank` from its start, which
    /// skips only the breached rows (fewer than the limit, or this is not read). The unary `+`
    /// keeps SQLite from taking `fulfilment_queue_age` for the time range and sorting what it
    /// finds (its planner, without statistics, would); on PostgreSQL it is the same number.
    static let freshSQL = """
        SELECT \(columns) FROM fulfilment_queue WHERE location = ?1 AND +order_created_at > ?2
         ORDER BY priority_class, value_paise DESC, order_created_at, shipment_id LIMIT ?3
        """

    /// Every row of one location (`fulfilment_queue_age`): the reference sort's input while the
    /// stored classes follow other rules.
    static let atLocationSQL = "SELECT \(columns) FROM fulfilment_queue WHERE location = ?1 ORDER BY order_created_at, priority_class, value_paise DESC, shipment_id"

    /// How many wait at one location: its row of `fulfilment_queue_counts` (a primary-key
    /// read however many wait; no row means none).
    static let countSQL = "SELECT waiting FROM fulfilment_queue_counts WHERE location = ?1"

    static func breached(_ db: any Database, location: String, upTo cutoff: Int64, limit: Int) throws -> [WaitingShipment] {
        try db.query(breachedSQL, [location, cutoff, Int64(limit)], waiting)
    }

    static func fresh(_ db: any Database, location: String, after cutoff: Int64, limit: Int) throws -> [WaitingShipment] {
        try db.query(freshSQL, [location, cutoff, Int64(limit)], waiting)
    }

    static func all(_ db: any Database, location: String) throws -> [WaitingShipment] {
        try db.query(atLocationSQL, [location], waiting)
    }

    static func count(_ db: any Database, location: String) throws -> Int64 {
        try db.queryValue(countSQL, [location], as: Int64.self) ?? 0
    }

    /// Every location's code (the Catalog's published view), in code order.
    static func locations(_ db: any Database) throws -> [String] {
        try db.query("SELECT code FROM catalog_locations ORDER BY code", []) { row in try row["code"] as String }
    }

    /// Every row, in shipment id order: what the audit compares.
    static func everyRow(_ db: any Database) throws -> [WaitingShipment] {
        try db.query("SELECT \(columns) FROM fulfilment_queue ORDER BY shipment_id", [], waiting)
    }

    /// Removes an order's rows (`fulfilment_queue_order`), taking each location's count down
    /// by the rows it removed there (an order's parcels may wait at several locations).
    static func deleteOrder(_ db: any Database, orderID: String) throws {
        try deleteCounted(db, where: orderRows, orderID)
    }

    /// Removes one shipment's row, if it has one, and takes its location's count down by one.
    static func deleteShipment(_ db: any Database, shipmentID: String) throws {
        try deleteCounted(db, where: shipmentRow, shipmentID)
    }

    /// Stores an order's waiting rows and adds them to their locations' counts.
    static func insert(_ db: any Database, _ rows: [WaitingShipment]) throws {
        for w in rows {
            try db.perform(
                "INSERT INTO fulfilment_queue (\(columns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                binding: w.shipmentID, w.orderID, w.location, w.channel, w.channelOrderRef, w.paymentMethod, w.valuePaise, w.orderCreatedAt, w.priorityClass)
        }
        // Locations in code order, so two writers adding to the same two take their rows in
        // the same order.
        let added = Dictionary(grouping: rows, by: \.location).mapValues { Int64($0.count) }
        for (location, n) in added.sorted(by: { $0.key < $1.key }) { try addToCount(db, location: location, n) }
    }

    // MARK: The per-location counts (`fulfilment_queue_counts`)

    /// Adds `delta` (negative: removed) to one location's count, creating its row at `delta`.
    /// One statement that adds to the stored value, never a value computed from a read, so two
    /// writers (two PostgreSQL nodes) cannot lose each other's change: `ON CONFLICT DO UPDATE`
    /// updates the row under its lock, re-reading it if another transaction changed it first.
    ///
    /// Why a hot row is acceptable: every intake of a confirmed order adds to its location's
    /// row, so on PostgreSQL the row stays locked from that statement to the writer batch's
    /// `COMMIT`, and another node's batch touching the same location waits for it (as a hot
    /// SKU's `stock_levels` row does; two batches taking two locations in opposite orders
    /// deadlock, and the writer reruns the loser's batch). Within a node the group-commit
    /// writer runs one batch at a time, so the lock costs nothing there; across nodes it is
    /// one short wait per batch, against an 18.7 ms count on every queue read without it.
    static func addToCount(_ db: any Database, location: String, _ delta: Int64) throws {
        try db.perform(
            """
            INSERT INTO fulfilment_queue_counts (location, waiting) VALUES (?1, ?2)
            ON CONFLICT (location) DO UPDATE SET waiting = fulfilment_queue_counts.waiting + excluded.waiting
            """, binding: location, delta)
    }

    /// How `deleteCounted` removes rows and counts them on each engine (the plan tests read
    /// the statements here).
    enum CountedDelete {
        /// PostgreSQL: one statement, sent ahead without waiting (no round trip), whose count is
        /// of the rows its own `DELETE` removed (`RETURNING`): under READ COMMITTED a row
        /// another transaction deleted first is not returned, so nothing is taken off twice.
        case deleteAndCount(String)
        /// SQLite (no `DELETE` inside a `WITH`): the rows to remove counted per location, then
        /// the `DELETE`; exact, since one writer at a time holds the database.
        case countThenDelete(count: String, delete: String)

        init(where condition: String, dialect: SQLDialect) {
            switch dialect {
            case .postgres:
                self = .deleteAndCount("""
                    WITH gone AS (DELETE FROM fulfilment_queue WHERE \(condition) RETURNING location)
                    INSERT INTO fulfilment_queue_counts (location, waiting) SELECT location, -COUNT(*) FROM gone GROUP BY location ORDER BY location
                    ON CONFLICT (location) DO UPDATE SET waiting = fulfilment_queue_counts.waiting + excluded.waiting
                    """)
            case .sqlite:
                self = .countThenDelete(count: "SELECT location, COUNT(*) AS n FROM fulfilment_queue WHERE \(condition) GROUP BY location ORDER BY location",
                                        delete: "DELETE FROM fulfilment_queue WHERE \(condition)")
            }
        }
    }

    /// An order's rows: `fulfilment_queue_order`.
    static let orderRows = "order_id = ?1"
    /// One shipment's row: the primary key.
    static let shipmentRow = "shipment_id = ?1"

    /// Deletes the rows matching `condition` (one `?1`, bound to `key`) and takes each
    /// location's count down by the rows removed there. Nothing removed: no count is touched.
    private static func deleteCounted(_ db: any Database, where condition: String, _ key: String) throws {
        switch CountedDelete(where: condition, dialect: db.dialect) {
        case .deleteAndCount(let sql):
            try db.perform(sql, binding: key)
        case .countThenDelete(let count, let delete):
            let removed = try db.query(count, binding: key, map: { row in (location: try row["location"] as String, n: try row["n"] as Int64) })
            try db.perform(delete, binding: key)
            for r in removed { try addToCount(db, location: r.location, -r.n) }
        }
    }

    /// Up to 50 sentences, each naming a location whose stored count is not the number of its
    /// rows in the queue (a location without a count row counts 0): one grouped read of
    /// `fulfilment_queue_age` and the counts table.
    static func countMismatches(_ db: any Database) throws -> [String] {
        try db.query(
            """
            SELECT q.location AS location, q.n AS n, COALESCE(c.waiting, 0) AS waiting
              FROM (SELECT location, COUNT(*) AS n FROM fulfilment_queue GROUP BY location) q
              LEFT JOIN fulfilment_queue_counts c ON c.location = q.location
             WHERE COALESCE(c.waiting, 0) <> q.n
            UNION ALL
            SELECT c.location, 0, c.waiting FROM fulfilment_queue_counts c
             WHERE c.waiting <> 0 AND NOT EXISTS (SELECT 1 FROM fulfilment_queue q WHERE q.location = c.location)
             LIMIT 50
            """, []
        ) { row in
            "location \(try row["location"] as String) has \(try row["n"] as Int64) shipments in the queue but its count says \(try row["waiting"] as Int64)"
        }
    }

    /// The rules the stored classes follow: the stored row, or without one the defaults the
    /// migration's backfill ranked with (so a new store holds no row, and `bahi copy` can
    /// fill it).
    static func rules(_ db: any Database) throws -> PackingQueue.ClassRules {
        try db.queryFirst("SELECT prepaid_first, express_channels FROM fulfilment_queue_rules WHERE id = 1", []) { row in
            let text: String = try row["express_channels"], prepaid: Int64 = try row["prepaid_first"]
            guard case .array(let items) = try JSONParser.parse(Array(text.utf8)) else {
                throw DomainError(.corruptRow, "fulfilment_queue_rules.express_channels is not a JSON array: \(text).")
            }
            let channels = items.compactMap { item -> String? in if case .string(let s) = item { s } else { nil } }
            return PackingQueue.ClassRules(prepaidFirst: prepaid != 0, expressChannels: Set(channels))
        } ?? PackingQueue.ClassRules(FulfilmentPriorityRules())
    }

    /// Records the rules the stored classes now follow.
    static func setRules(_ db: any Database, _ rules: PackingQueue.ClassRules) throws {
        let channels = JSONValue.array(rules.expressChannels.sorted().map { .string($0) }).encodedText
        try db.perform(
            """
            INSERT INTO fulfilment_queue_rules (id, prepaid_first, express_channels) VALUES (1, ?1, ?2)
            ON CONFLICT (id) DO UPDATE SET prepaid_first = excluded.prepaid_first, express_channels = excluded.express_channels
            """, binding: rules.prepaidFirst ? Int64(1) : Int64(0), channels)
    }

    /// PostgreSQL: waits for every transaction writing queue rows to end and keeps new ones
    /// out until this one commits, so a recompute sees every row and no writer stores a class
    /// under the rules it replaces (writers delete before they read the rules: see
    /// `PackingQueue.replace`). SQLite's one writer needs nothing.
    static func lockForRecompute(_ db: any Database) throws {
        if db.dialect == .postgres { try db.perform("LOCK TABLE fulfilment_queue IN SHARE ROW EXCLUSIVE MODE") }
    }

    /// The (channel, payment method) pairs present: each is one class under any rules.
    static func classInputs(_ db: any Database) throws -> [(channel: String, paymentMethod: String)] {
        try db.query("SELECT DISTINCT channel, payment_method FROM fulfilment_queue", []) { row in
            (channel: try row["channel"] as String, paymentMethod: try row["payment_method"] as String)
        }
    }

    /// Sets the class of every row of one (channel, payment method) pair.
    static func setClass(_ db: any Database, channel: String, paymentMethod: String, to priorityClass: Int64) throws {
        try db.perform("UPDATE fulfilment_queue SET priority_class = ?1 WHERE channel = ?2 AND payment_method = ?3 AND priority_class <> ?1",
                       binding: priorityClass, channel, paymentMethod)
    }
}
