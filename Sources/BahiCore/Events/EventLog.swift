public import BahiJSON
public import BahiStore

/// One row of the `events` table.
public struct Event: Sendable, Equatable {
    public var seq: Int64
    public var id: String
    public var type: String
    public var entityType: String
    public var entityID: String
    public var payload: JSONValue
    public var actor: String?
    public var createdAt: Int64

    /// The event as the API shows it.
    public var json: JSONValue {
        var o = JSONObject()
        o["seq"] = .number(JSONNumber(seq))
        o["id"] = .string(id)
        o["type"] = .string(type)
        o["entity_type"] = .string(entityType)
        o["entity_id"] = .string(entityID)
        o["payload"] = payload
        o["actor"] = actor.map(JSONValue.string) ?? .null
        o["created_at"] = .string(Timestamps.rfc3339(milliseconds: createdAt))
        return .object(o)
    }
}

/// The transactional outbox and audit trail (DESIGN §3): domain code appends inside the
/// transaction that made the change, so an event exists exactly when its change committed.
public enum EventLog {
    /// Appends an event inside the caller's write transaction; returns its `seq`.
    @discardableResult
    public static func append(
        _ db: Connection, type: String, entityType: String, entityID: String,
        payload: JSONObject, actor: String?, at milliseconds: UInt64 = WallClock.milliseconds()
    ) throws -> Int64 {
        let json = JSONValue.object(payload).encodedText
        return try append(db, type: type, entityType: entityType, entityID: entityID, payloadJSON: json, actor: actor, at: milliseconds)
    }

    /// Appends an event whose payload is already encoded (a JSON object's text, as
    /// `JSONWriter` makes it): for hot paths, where building a `JSONObject` and encoding it
    /// costs more than the INSERT. The caller guarantees `payloadJSON` is one JSON object.
    @discardableResult
    public static func append(
        _ db: Connection, type: String, entityType: String, entityID: String,
        payloadJSON: String, actor: String?, at milliseconds: UInt64 = WallClock.milliseconds()
    ) throws -> Int64 {
        let id = EntityID.make(.event, milliseconds: milliseconds)
        try db.execute(
            "INSERT INTO events (id, type, entity_type, entity_id, payload, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            binding: id, type, entityType, entityID, payloadJSON, actor, Int64(milliseconds))
        return db.lastInsertRowID
    }

    /// Events after `seq`, oldest first, optionally of one type (or a `prefix.*` family).
    public static func list(_ db: Connection, after seq: Int64, type: String?, limit: Int) throws -> [Event] {
        var sql = "SELECT seq, id, type, entity_type, entity_id, payload, actor, created_at FROM events WHERE seq > ?"
        var arguments: [(any SQLValueConvertible)?] = [seq]
        if let type, type.hasSuffix(".*") {
            sql += " AND type >= ? AND type < ?"
            let prefix = String(type.dropLast(1))
            arguments += [prefix, prefix + "\u{10FFFF}"]
        } else if let type {
            sql += " AND type = ?"
            arguments.append(type)
        }
        sql += " ORDER BY seq LIMIT ?"
        arguments.append(limit)
        return try db.query(sql, StatementArguments(arguments)) { row in
            let payloadText: String = try row[5]
            let payload = (try? JSONParser.parse(payloadText)) ?? .object(JSONObject())
            return Event(seq: try row[0], id: try row[1], type: try row[2], entityType: try row[3], entityID: try row[4],
                         payload: payload, actor: try row[6], createdAt: try row[7])
        }
    }

    /// The newest `seq`, 0 when there are none.
    public static func latestSeq(_ db: Connection) throws -> Int64 {
        try db.queryValue("SELECT COALESCE(MAX(seq), 0) FROM events", as: Int64.self) ?? 0
    }
}
