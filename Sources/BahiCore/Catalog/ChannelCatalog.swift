public import BahiJSON
public import BahiStore

/// Where orders come from; the kind decides defaults elsewhere (a marketplace settles
/// payouts, a POS sells over the counter) and lets reports group channels.
public enum ChannelKind: String, Sendable, CaseIterable {
    case website, app, marketplace, social, pos, b2b
}

/// How much of the available stock a channel keeps back: a percentage (basis points,
/// rounded up) and a unit count, both subtracted (see `Availability.sellable`).
///
/// Why a buffer: marketplaces sync stock with a delay and punish cancellations, so a seller
/// shows them a little less than it has.
public struct ChannelBuffer: Sendable, Equatable {
    public var percentBps: Int64 = 0
    public var units: Int64 = 0

    /// A buffer; the default keeps nothing back.
    public init(percentBps: Int64 = 0, units: Int64 = 0) {
        self.percentBps = percentBps
        self.units = units
    }

    /// 0 to 100%: more than all of the stock cannot be kept back.
    public static let percentRange: ClosedRange<Int64> = 0...10_000
    /// Accepted unit counts.
    public static let unitsRange: ClosedRange<Int64> = 0...1_000_000_000

    /// Problems with the two numbers; `path` prefixes the field names (`buffer.` or "").
    public func problems(at path: String) -> [FieldProblem] {
        [CatalogRules.rangeProblem(percentBps, Self.percentRange, field: path + "percent_bps"),
         CatalogRules.rangeProblem(units, Self.unitsRange, field: path + "units")].compactMap { $0 }
    }

    /// `{percent_bps, units}`.
    public var json: JSONValue {
        .object(["percent_bps": .number(JSONNumber(percentBps)), "units": .number(JSONNumber(units))])
    }
}

/// Everything about a channel that a PUT sets.
public struct ChannelFields: Sendable, Equatable {
    public var name: String
    public var kind: ChannelKind
    public var active = true
    /// The global buffer; a per-SKU buffer replaces it for that SKU.
    public var buffer = ChannelBuffer()

    /// The required fields; active and buffer start at their defaults.
    public init(name: String, kind: ChannelKind) {
        self.name = name
        self.kind = kind
    }

    /// Every problem with the fields.
    public func problems() -> [FieldProblem] {
        CatalogRules.nameProblems(name) + buffer.problems(at: "buffer.")
    }

    /// The JSON names of the fields that differ from `other`.
    public func changedFields(from other: ChannelFields) -> [String] {
        var names: [String] = []
        if name != other.name { names.append("name") }
        if kind != other.kind { names.append("kind") }
        if active != other.active { names.append("active") }
        if buffer != other.buffer { names.append("buffer") }
        return names
    }
}

/// A sales channel as stored.
public struct Channel: Sendable, Equatable {
    public var code: String
    public var fields: ChannelFields
    public var version: Int64
    /// Unix milliseconds UTC.
    public var createdAt: Int64
    /// Unix milliseconds UTC of the last change.
    public var updatedAt: Int64

    /// The channel as the API shows it and events carry it.
    public var json: JSONValue {
        .object([
            "code": .string(code), "name": .string(fields.name), "kind": .string(fields.kind.rawValue),
            "active": .bool(fields.active), "buffer": fields.buffer.json,
            "version": .number(JSONNumber(version)),
            "created_at": .string(Timestamps.rfc3339(milliseconds: createdAt)),
            "updated_at": .string(Timestamps.rfc3339(milliseconds: updatedAt)),
        ])
    }
}

/// A channel's buffer for one SKU, replacing the channel's global buffer for it.
public struct SKUBuffer: Sendable, Equatable {
    public var channel: String
    public var sku: String
    public var buffer: ChannelBuffer

    /// A channel's buffer for one SKU.
    public init(channel: String, sku: String, buffer: ChannelBuffer) {
        self.channel = channel
        self.sku = sku
        self.buffer = buffer
    }

    /// `{channel, sku, percent_bps, units}`.
    public var json: JSONValue {
        .object([
            "channel": .string(channel), "sku": .string(sku),
            "percent_bps": .number(JSONNumber(buffer.percentBps)), "units": .number(JSONNumber(buffer.units)),
        ])
    }
}

/// Reads and writes channels and their buffers, in the caller's transaction, with events.
public enum ChannelCatalog {
    /// Whether a channel with this code exists (active or not).
    public static func exists(_ db: any Database, code: String) throws -> Bool {
        try CatalogRecords.channelExists(db, code: code)
    }

    /// The channel, or nil.
    public static func get(_ db: any Database, code: String) throws -> Channel? {
        try CatalogRecords.channel(db, code: code)
    }

    /// One page of channels in code order, optionally filtered by active and kind.
    public static func list(_ db: any Database, active: Bool?, kind: ChannelKind?, after: String?, limit: Int) throws -> CatalogPage<Channel> {
        try CatalogPage(fetched: CatalogRecords.channelPage(db, after: after ?? "", active: active, kind: kind, limit: limit + 1), limit: limit, code: \.code)
    }

    /// Creates or replaces a channel (PUT semantics), including its global buffer. The write
    /// is conditional, so a writer that lost a race gets `version_mismatch`.
    public static func put(
        _ db: any Database, code: String, fields: ChannelFields, precondition: VersionPrecondition = .none,
        actor: String?, now: Int64 = Int64(WallClock.milliseconds())
    ) throws -> PutOutcome<Channel> {
        if let p = CatalogRules.codeProblem(code, field: "code") { throw DomainError.problems([p]) }
        let problems = fields.problems()
        guard problems.isEmpty else { throw DomainError.problems(problems) }
        let current = try get(db, code: code)
        try precondition.check(current: current?.version, what: "channel", id: code)

        guard let current else {
            let channel = Channel(code: code, fields: fields, version: 1, createdAt: now, updatedAt: now)
            guard try CatalogRecords.insertChannel(db, channel) else { throw VersionPrecondition.lostRace("channel", code) }
            try EventLog.append(db, NewEvent(CatalogEvents.channelCreated, entityID: code, payload: catalogPayload(channel.json)), actor: actor, at: now)
            return .created(channel)
        }
        let changes = fields.changedFields(from: current.fields)
        guard !changes.isEmpty else { return .unchanged(current) }
        let channel = Channel(code: code, fields: fields, version: current.version + 1, createdAt: current.createdAt, updatedAt: now)
        guard try CatalogRecords.updateChannel(db, channel, expecting: current.version) else { throw VersionPrecondition.lostRace("channel", code) }
        var payload = catalogPayload(channel.json)
        payload["changes"] = .array(changes.map(JSONValue.string))
        try EventLog.append(db, NewEvent(CatalogEvents.channelUpdated, entityID: code, payload: payload), actor: actor, at: now)
        if changes.contains("buffer") || changes.contains("active") { try InventoryChanges.announce(db, .inStock, actor: actor, now: now) }
        return .updated(channel)
    }

    /// The channel's own buffer for `sku`, or nil when it uses the global one.
    public static func skuBuffer(_ db: any Database, channel: String, sku: String) throws -> SKUBuffer? {
        try CatalogRecords.skuBuffer(db, channel: channel, sku: sku)
    }

    /// One page of a channel's per-SKU buffers in SKU order.
    public static func skuBuffers(_ db: any Database, channel: String, after: String?, limit: Int) throws -> CatalogPage<SKUBuffer> {
        try CatalogPage(fetched: CatalogRecords.skuBufferPage(db, channel: channel, after: after ?? "", limit: limit + 1), limit: limit, code: \.sku)
    }

    /// Sets the channel's buffer for one SKU (PUT semantics). Per-SKU buffers carry no
    /// version, so the only precondition they honour is "must exist" (`If-Match: *`); any
    /// version expectation fails, as RFC 9110 requires for a resource without one.
    public static func putSKUBuffer(
        _ db: any Database, channel: String, sku: String, buffer: ChannelBuffer, precondition: VersionPrecondition = .none,
        actor: String?, now: Int64 = Int64(WallClock.milliseconds())
    ) throws -> PutOutcome<SKUBuffer> {
        let problems = buffer.problems(at: "")
        guard problems.isEmpty else { throw DomainError.problems(problems) }
        try requireChannelAndSKU(db, channel: channel, sku: sku)
        let current = try skuBuffer(db, channel: channel, sku: sku)
        try checkBufferPrecondition(precondition, exists: current != nil, channel: channel, sku: sku)
        let result = SKUBuffer(channel: channel, sku: sku, buffer: buffer)
        if current == result { return .unchanged(result) }
        try CatalogRecords.upsertSKUBuffer(db, result)
        var payload = catalogPayload(result.json)
        payload["previous"] = current.map { $0.buffer.json } ?? .null
        try EventLog.append(db, NewEvent(CatalogEvents.channelBufferUpdated, entityID: channel, payload: payload), actor: actor, at: now)
        try InventoryChanges.announce(db, .skus([sku]), actor: actor, now: now)
        return current == nil ? .created(result) : .updated(result)
    }

    /// Removes the channel's buffer for one SKU, so the global buffer applies again; returns
    /// what was removed. `not_found` when there was none. The delete's outcome decides, so
    /// of two racing deletes one removes the buffer and the other finds none.
    @discardableResult
    public static func deleteSKUBuffer(
        _ db: any Database, channel: String, sku: String, precondition: VersionPrecondition = .none,
        actor: String?, now: Int64 = Int64(WallClock.milliseconds())
    ) throws -> SKUBuffer {
        guard try exists(db, code: channel) else { throw DomainError.notFound("channel", channel) }
        if case .versions? = precondition.ifMatch { try checkBufferPrecondition(precondition, exists: true, channel: channel, sku: sku) }
        guard let removed = try CatalogRecords.deleteSKUBuffer(db, channel: channel, sku: sku) else {
            try checkBufferPrecondition(precondition, exists: false, channel: channel, sku: sku)
            throw DomainError(.notFound, "Channel \(channel) has no buffer of its own for \(sku).")
        }
        try EventLog.append(db, NewEvent(CatalogEvents.channelBufferDeleted, entityID: channel, payload: catalogPayload(removed.json)), actor: actor, at: now)
        try InventoryChanges.announce(db, .skus([sku]), actor: actor, now: now)
        return removed
    }

    private static func requireChannelAndSKU(_ db: any Database, channel: String, sku: String) throws {
        guard try exists(db, code: channel) else { throw DomainError.notFound("channel", channel) }
        guard try CatalogRecords.skuExists(db, code: sku) else { throw DomainError.notFound("SKU", sku) }
    }

    private static func checkBufferPrecondition(_ precondition: VersionPrecondition, exists: Bool, channel: String, sku: String) throws {
        switch precondition.ifMatch {
        case nil:
            break
        case .any?:
            if !exists {
                throw DomainError(.versionMismatch, "The change expects channel \(channel) to have a buffer for \(sku) (it must exist), but it has none.")
            }
        case .versions?:
            throw DomainError(.versionMismatch, "Per-SKU buffers carry no version; expect only that the buffer exists, or nothing.")
        }
    }
}
