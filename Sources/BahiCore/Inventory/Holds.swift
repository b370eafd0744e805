public import BahiStore
public import BahiJSON

/// Checkout holds (`res_…`): stock reserved for a channel's cart until it becomes an order,
/// is released, or expires. Orders reserve through the same code.
public enum Holds {
    /// One requested line.
    public struct Line: Sendable, Equatable {
        public var sku: String
        public var qty: Int64
        public init(sku: String, qty: Int64) {
            self.sku = sku
            self.qty = qty
        }
    }

    /// Where a line's units were held.
    public struct Allocation: Sendable, Equatable {
        public var line: Int
        public var sku: String
        public var stockSKU: String
        public var location: String
        public var qty: Int64
    }

    /// A placed hold.
    public struct Hold: Sendable, Equatable {
        public var id: String
        public var channel: String
        public var reference: String?
        public var status: String
        public var expiresAt: Int64
        public var createdAt: Int64
        public var allocations: [Allocation]

        /// The hold as the API shows it.
        public var json: JSONValue {
            .object([
                "id": .string(id), "channel": .string(channel), "reference": reference.map(JSONValue.string) ?? .null,
                "status": .string(status), "expires_at": .string(Timestamps.rfc3339(milliseconds: expiresAt)),
                "created_at": .string(Timestamps.rfc3339(milliseconds: createdAt)),
                "allocations": .array(allocations.map { a in
                    .object(["line": .number(JSONNumber(a.line)), "sku": .string(a.sku), "stock_sku": .string(a.stockSKU),
                             "location": .string(a.location), "qty": .number(JSONNumber(a.qty))])
                }),
            ])
        }

        /// `json.encoded()`, written straight into bytes: the hold endpoint answers with this
        /// on every call, and building the `JSONValue` tree first cost about as much as the
        /// rest of the response. Byte-for-byte the same (a test holds it to that).
        public var encodedJSON: [UInt8] {
            var w = JSONWriter(capacity: 256 + 128 * allocations.count)
            w.beginObject()
            w.key("id"); w.string(id)
            w.key("channel"); w.string(channel)
            w.key("reference"); if let reference { w.string(reference) } else { w.null() }
            w.key("status"); w.string(status)
            w.key("expires_at"); w.string(Timestamps.rfc3339(milliseconds: expiresAt))
            w.key("created_at"); w.string(Timestamps.rfc3339(milliseconds: createdAt))
            w.key("allocations")
            w.beginArray()
            for a in allocations {
                w.beginObject()
                w.key("line"); w.int(a.line)
                w.key("sku"); w.string(a.sku)
                w.key("stock_sku"); w.string(a.stockSKU)
                w.key("location"); w.string(a.location)
                w.key("qty"); w.int64(a.qty)
                w.endObject()
            }
            w.endArray()
            w.endObject()
            return w.bytes
        }
    }

    /// One line that could not be held: what was asked and what the channel may sell.
    public struct Shortfall: Sendable, Equatable {
        public var line: Int
        public var sku: String
        public var requested: Int64
        public var available: Int64
    }

    /// 409 `insufficient_stock` with the shortfall of every line.
    public static func insufficient(_ shortfalls: [Shortfall]) -> DomainError {
        var json = JSONWriter()
        json.beginArray()
        for s in shortfalls {
            json.beginObject()
            json.key("line"); json.int(s.line)
            json.key("sku"); json.string(s.sku)
            json.key("requested"); json.int64(s.requested)
            json.key("available"); json.int64(s.available)
            json.endObject()
        }
        json.endArray()
        let detail = shortfalls.map { "\($0.sku): asked \($0.requested), \($0.available) available" }.joined(separator: "; ")
        return DomainError(status: 409, code: "insufficient_stock", detail: "Not enough stock for every line (\(detail)); nothing was reserved.",
                           extraJSON: [(key: "shortfall", json: String(decoding: json.bytes, as: UTF8.self))])
    }

    /// Reserves every line for `channel` in this transaction, or throws and reserves nothing.
    ///
    /// Each line must fit what the channel may sell (availability minus its buffer); kits
    /// reserve their components; lines that share a component are checked together, because
    /// components are allocated one conditional `UPDATE` at a time and the first that cannot
    /// be met fails the whole hold.
    public static func place(
        _ db: any Database, channel: String, lines: [Line], ttlSeconds: Int64, reference: String?,
        actor: String?, now: Int64, id: String = EntityID.make(.reservation)
    ) throws -> Hold {
        let allocations = try LineReservation.reserve(db, channel: channel, lines: lines, reference: id, actor: actor, now: now)
        let expiresAt = now + ttlSeconds * 1000
        try db.execute("INSERT INTO reservations (id, channel, reference, status, expires_at, created_at) VALUES (?, ?, ?, 'active', ?, ?)",
                       binding: id, channel, reference, expiresAt, now)
        for a in allocations {
            try db.execute(
                """
                INSERT INTO reservation_allocations (reservation_id, line, sku, stock_sku, location, qty) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (reservation_id, line, stock_sku, location) DO UPDATE SET qty = qty + excluded.qty
                """, binding: id, a.line, a.sku, a.stockSKU, a.location, a.qty)
        }
        return Hold(id: id, channel: channel, reference: reference, status: "active", expiresAt: expiresAt, createdAt: now, allocations: allocations)
    }

    /// The hold, or nil.
    public static func find(_ db: any Database, id: String) throws -> Hold? {
        guard var hold = try db.queryFirst("SELECT id, channel, reference, status, expires_at, created_at FROM reservations WHERE id = ?", [id], { row in
            Hold(id: try row[0], channel: try row[1], reference: try row[2], status: try row[3], expiresAt: try row[4], createdAt: try row[5], allocations: [])
        }) else { return nil }
        hold.allocations = try db.query(
            "SELECT line, sku, stock_sku, location, qty FROM reservation_allocations WHERE reservation_id = ? ORDER BY line, stock_sku, location", [id]
        ) { row in
            Allocation(line: try row[0], sku: try row[1], stockSKU: try row[2], location: try row[3], qty: try row[4])
        }
        return hold
    }

    /// Releases an active hold (`released` by a client, `expired` by the sweeper, `converted`
    /// when an order takes its place and reserves its own lines in the same transaction). Returns
    /// false if it was not active (already released, expired or converted): releasing twice
    /// is harmless.
    @discardableResult
    public static func release(_ db: any Database, id: String, status: String = "released", actor: String?, now: Int64) throws -> Bool {
        let closed = try db.execute("UPDATE reservations SET status = ?, closed_at = ? WHERE id = ? AND status = 'active'", [status, now, id])
        guard closed == 1 else { return false }
        let allocations = try db.query("SELECT stock_sku, location, qty FROM reservation_allocations WHERE reservation_id = ?", [id]) { row in
            (sku: try row[0] as String, location: try row[1] as String, qty: try row[2] as Int64)
        }
        try LineReservation.release(db, allocations, reference: id, reason: status, actor: actor, now: now)
        try EventLog.append(db, type: "reservation.\(status)", entityType: "reservation", entityID: id,
                            payload: [:], actor: actor, at: UInt64(now))
        return true
    }

    /// Releases every active hold whose time has come (at most `limit` per call); returns
    /// how many. The server's sweeper calls it several times a second.
    /// When the earliest active hold expires, or nil if none is active: the maintenance loop's
    /// cheap "anything due?" before it takes the writer.
    public static func nextExpiry(_ db: any Database) throws -> Int64? {
        try db.queryValue("SELECT MIN(expires_at) FROM reservations WHERE status = 'active'", as: Int64.self)
    }

    public static func expire(_ db: any Database, now: Int64, limit: Int = 500) throws -> Int {
        let due = try db.query("SELECT id FROM reservations WHERE status = 'active' AND expires_at <= ? ORDER BY expires_at LIMIT ?", [now, limit]) { row in
            try row[0] as String
        }
        var count = 0
        for id in due where try release(db, id: id, status: "expired", actor: "system", now: now) { count += 1 }
        return count
    }
}
