public import BahiStore
public import BahiJSON

/// Where a checkout hold stands; the raw values are the stored text (`reservations.status`).
///
/// Why an enum: a hold is closed exactly one of three ways, and each way appends its own
/// event (`reservation.released`, `.expired`, `.converted`), so a misspelt status would close
/// a hold with no event a reader recognises.
public enum HoldStatus: String, Sendable, CaseIterable {
    /// Holding its units until `expiresAt`.
    case active
    /// A client gave the units back.
    case released
    /// Its time ran out and the sweeper gave the units back.
    case expired
    /// An order took its place (and reserved its own lines in the same transaction).
    case converted
}

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
        /// Active until released, expired or converted into an order.
        public var status: HoldStatus
        public var expiresAt: Int64
        public var createdAt: Int64
        public var allocations: [Allocation]

    }

    /// One line that could not be held: what was asked and what the channel may sell.
    public struct Shortfall: Sendable, Equatable {
        public var line: Int
        public var sku: String
        public var requested: Int64
        public var available: Int64
    }

    /// `insufficient_stock`, with the shortfall of every line in the `shortfall` detail.
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
        return DomainError(.insufficientStock, "Not enough stock for every line (\(detail)); nothing was reserved.",
                           details: [DomainError.Detail(key: "shortfall", json: String(decoding: json.bytes, as: UTF8.self))])
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
        let hold = Hold(id: id, channel: channel, reference: reference, status: .active, expiresAt: now + ttlSeconds * 1000, createdAt: now,
                        allocations: allocations)
        try StockRecords.insertHold(db, hold)
        for a in allocations { try StockRecords.insertAllocation(db, hold: id, a) }
        return hold
    }

    /// The hold, or nil.
    public static func find(_ db: any Database, id: String) throws -> Hold? {
        try StockRecords.hold(db, id: id)
    }

    /// Releases an active hold (`released` by a client, `expired` by the sweeper, `converted`
    /// when an order takes its place and reserves its own lines in the same transaction). Returns
    /// false if it was not active (already released, expired or converted): releasing twice
    /// is harmless. `status` `.active` closes nothing and returns false.
    @discardableResult
    public static func release(_ db: any Database, id: String, status: HoldStatus = .released, actor: String?, now: Int64) throws -> Bool {
        guard let event = StockEvents.closed(status), try StockRecords.close(db, id: id, status: status, now: now) else { return false }
        let held = try StockRecords.allocations(db, hold: id).map { (sku: $0.stockSKU, location: $0.location, qty: $0.qty) }
        try LineReservation.release(db, held, reference: id, reason: status.rawValue, actor: actor, now: now)
        try EventLog.append(db, NewEvent(event, entityID: id, payload: [:]), actor: actor, at: now)
        return true
    }

    /// When the earliest active hold expires, or nil if none is active: the maintenance loop's
    /// cheap "anything due?" before it takes the writer.
    public static func nextExpiry(_ db: any Database) throws -> Int64? {
        try StockRecords.nextExpiry(db)
    }

    /// Releases every active hold whose time has come (at most `limit` per call); returns
    /// how many. The server's sweeper calls it several times a second.
    public static func expire(_ db: any Database, now: Int64, limit: Int = 500) throws -> Int {
        var count = 0
        for id in try StockRecords.due(db, now: now, limit: limit) where try release(db, id: id, status: .expired, actor: "system", now: now) { count += 1 }
        return count
    }
}
