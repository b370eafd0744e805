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

    /// An event as a reader builds one (a webhook ping is shaped like an event but never stored).
    public init(seq: Int64, id: String, type: String, entityType: String, entityID: String, payload: JSONValue, actor: String?, createdAt: Int64) {
        self.seq = seq
        self.id = id
        self.type = type
        self.entityType = entityType
        self.entityID = entityID
        self.payload = payload
        self.actor = actor
        self.createdAt = createdAt
    }
}

/// The transactional outbox and audit trail (DESIGN §3): domain code appends inside the
/// transaction that made the change, so an event exists exactly when its change committed.
public enum EventLog {
    /// Appends a catalogued event inside the caller's write transaction. Debug builds check
    /// the payload against the event's definition, so a payload that drifts from the
    /// catalogue fails every test that appends it.
    public static func append(_ db: any Database, _ event: some DomainEvent, actor: String?, at milliseconds: Int64) throws {
        let definition = event.definition
        assert(EventCatalogue.definition(of: definition.type) == definition, "\(definition.type) is not in EventCatalogue.all")
        assert(EventCatalogue.problems(payloadJSON: event.payloadJSON, against: definition).isEmpty,
               "\(EventCatalogue.problems(payloadJSON: event.payloadJSON, against: definition))")
        try append(db, type: definition.type, entityType: definition.entityType, entityID: event.entityID,
                          payloadJSON: event.payloadJSON, actor: actor, at: UInt64(max(0, milliseconds)))
    }

    /// Appends an event inside the caller's write transaction.
    ///
    /// Transitional: this form checks nothing against `EventCatalogue`; domain code appends
    /// `NewEvent`s with `append(_:_:actor:at:)` instead, and this goes once no caller needs it.
    public static func append(
        _ db: any Database, type: String, entityType: String, entityID: String,
        payload: JSONObject, actor: String?, at milliseconds: UInt64 = WallClock.milliseconds()
    ) throws {
        let json = JSONValue.object(payload).encodedText
        try append(db, type: type, entityType: entityType, entityID: entityID, payloadJSON: json, actor: actor, at: milliseconds)
    }

    /// Appends an event whose payload is already encoded (a JSON object's text, as
    /// `JSONWriter` makes it): for hot paths, where building a `JSONObject` and encoding it
    /// costs more than the INSERT. The caller guarantees `payloadJSON` is one JSON object.
    public static func append(
        _ db: any Database, type: String, entityType: String, entityID: String,
        payloadJSON: String, actor: String?, at milliseconds: UInt64 = WallClock.milliseconds()
    ) throws {
        let id = EntityID.make(.event, milliseconds: milliseconds)
        try EventRecords.insert(db, id: id, type: type, entityType: entityType, entityID: entityID,
                                       payloadJSON: payloadJSON, actor: actor, createdAt: Int64(milliseconds))
    }

    /// Events after `seq`, oldest first, optionally of one type (or a `prefix.*` family).
    public static func list(_ db: any Database, after seq: Int64, type: String?, limit: Int) throws -> [Event] {
        try EventRecords.list(db, after: seq, type: type, limit: limit)
    }

    /// The events with these numbers, in `seq` order: what the webhook worker renders
    /// deliveries from.
    public static func events(_ db: any Database, seqs: [Int64]) throws -> [Event] {
        try EventRecords.events(db, seqs: seqs)
    }

    /// The feed position just before the first event created at or after `milliseconds`: a
    /// binary search over `seq` (events carry no index on time, and the hot path should not
    /// pay for one), so about 20 point reads for a million events. Events of one group commit
    /// may be a millisecond out of order, which the caller's own filter on `created_at` absorbs.
    public static func seq(_ db: any Database, before milliseconds: Int64) throws -> Int64 {
        var low: Int64 = 0, high = try EventRecords.latestSeq(db) + 1
        while low < high {
            let middle = low + (high - low) / 2
            if let first = try EventRecords.firstAtOrAfter(db, seq: middle), first.createdAt < milliseconds {
                low = first.seq + 1
            } else {
                high = middle
            }
        }
        return max(0, low - 1)
    }

    /// The newest `seq`, 0 when there are none.
    public static func latestSeq(_ db: any Database) throws -> Int64 {
        try EventRecords.latestSeq(db)
    }

    /// Events numbered per call of `numberPending`: a busy minute on several nodes is a few
    /// thousand, so one call normally numbers everything committed since the last.
    public static let sequencerBatch = 5_000

    /// Numbers the events committed since the last call (PostgreSQL only; see
    /// `EventRecords.numberPending`); returns how many.
    ///
    /// Why events are numbered after commit there: with several nodes committing at once, a
    /// number taken at insert could commit after a higher one, and a feed reader who had
    /// already passed the higher number would never see it. Numbered here, by one sequencer
    /// at a time and only once committed, numbers appear in the order readers see them.
    ///
    /// The one place the stores differ in domain code, by design: SQLite's single writer
    /// numbers events as they are inserted, so there is nothing to number (its `events` table
    /// has no `position` column for the statement to use).
    @discardableResult
    public static func numberPending(_ db: any Database, limit: Int = sequencerBatch) throws -> Int {
        guard db.dialect == .postgres else { return 0 }
        try Leases.serialize(db, name: sequencerLock)
        return try EventRecords.numberPending(db, limit: limit)
    }

    /// Whether committed events are waiting for a number: the cheap read before a sequencer
    /// takes the writer (always false on SQLite).
    public static func hasPending(_ db: any Database) throws -> Bool {
        guard db.dialect == .postgres else { return false }
        return try EventRecords.hasPending(db)
    }

    /// The name sequencers serialise on (`Leases.serialize`).
    static let sequencerLock = "event-sequencer"
}
