import BahiJSON
import BahiStore

/// Every SQL statement on the `events` table, and the one mapping of its rows to `Event`.
///
/// Why here and nowhere else: the outbox is appended to from every domain's transaction, and
/// the PostgreSQL store reuses these texts; keeping them in one place keeps them portable
/// (`?N` placeholders, `RETURNING`) and the row mapping single.
enum EventRecords {
    /// The columns `event(_:)` reads, in the order every query selects them.
    static let eventColumns = "seq, id, type, entity_type, entity_id, payload, actor, created_at"

    /// An `Event` from a row selected with `eventColumns`. A payload that is not JSON (it
    /// never is, but the table cannot promise it) reads as an empty object.
    static func event(_ row: Row) throws -> Event {
        let payloadText: String = try row["payload"]
        let payload = (try? JSONParser.parse(payloadText)) ?? .object(JSONObject())
        return Event(seq: try row["seq"], id: try row["id"], type: try row["type"], entityType: try row["entity_type"],
                     entityID: try row["entity_id"], payload: payload, actor: try row["actor"], createdAt: try row["created_at"])
    }

    /// Inserts one event (values bound straight from their types: this runs once per change
    /// on the writer's hot paths).
    ///
    /// Why no `RETURNING seq`: SQLite (3.40) runs an INSERT with `RETURNING` through a
    /// temporary table, which doubled this statement's cost and, at three or four events per
    /// order, cost intake about a tenth of the writer's time. Nobody needs the new `seq` at
    /// append time: readers find events by `seq` afterwards.
    static func insert(
        _ db: any Database, id: String, type: String, entityType: String, entityID: String, payloadJSON: String, actor: String?, createdAt: Int64
    ) throws {
        try db.execute(
            "INSERT INTO events (id, type, entity_type, entity_id, payload, actor, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            binding: id, type, entityType, entityID, payloadJSON, actor, createdAt)
    }

    /// Events after `seq`, oldest first, at most `limit`; `type` filters to one type, or to
    /// a family when it ends in `.*` (`order.*`: every type that starts with `order.`).
    static func list(_ db: any Database, after seq: Int64, type: String?, limit: Int) throws -> [Event] {
        var sql = "SELECT \(eventColumns) FROM events WHERE seq > ?1"
        var arguments: [(any SQLValueConvertible)?] = [seq]
        if let type, type.hasSuffix(".*") {
            // A range on the index rather than LIKE: the prefix is matched as bytes, whatever
            // characters it holds.
            let prefix = String(type.dropLast(1))
            sql += " AND type >= ?2 AND type < ?3 ORDER BY seq LIMIT ?4"
            arguments += [prefix, prefix + "\u{10FFFF}", limit]
        } else if let type {
            sql += " AND type = ?2 ORDER BY seq LIMIT ?3"
            arguments += [type, limit]
        } else {
            sql += " ORDER BY seq LIMIT ?2"
            arguments.append(limit)
        }
        return try db.query(sql, StatementArguments(arguments), event)
    }

    /// The newest `seq`, 0 when the table is empty.
    static func latestSeq(_ db: any Database) throws -> Int64 {
        try db.queryFirst("SELECT COALESCE(MAX(seq), 0) AS latest FROM events", StatementArguments([])) { row -> Int64 in try row["latest"] } ?? 0
    }
}
