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

    /// How many wait at one location: counted in `fulfilment_queue_age`.
    static let countSQL = "SELECT COUNT(*) AS n FROM fulfilment_queue WHERE location = ?1"

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

    /// Removes an order's rows (`fulfilment_queue_order`).
    static func deleteOrder(_ db: any Database, orderID: String) throws {
        try db.perform("DELETE FROM fulfilment_queue WHERE order_id = ?1", binding: orderID)
    }

    /// Removes one shipment's row, if it has one.
    static func deleteShipment(_ db: any Database, shipmentID: String) throws {
        try db.perform("DELETE FROM fulfilment_queue WHERE shipment_id = ?1", binding: shipmentID)
    }

    /// Stores one row.
    static func insert(_ db: any Database, _ w: WaitingShipment) throws {
        try db.perform(
            "INSERT INTO fulfilment_queue (\(columns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            binding: w.shipmentID, w.orderID, w.location, w.channel, w.channelOrderRef, w.paymentMethod, w.valuePaise, w.orderCreatedAt, w.priorityClass)
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
