import BahiJSON
public import BahiStore

/// Subscribing, changing and removing webhook endpoints: the checks, the secret, the cursor
/// that decides which events an endpoint receives, and the events that record each change.
public enum WebhookEndpoints {
    /// How long the old secret keeps signing after a rotation.
    public static let rotationOverlapMilliseconds: Int64 = 24 * 3_600_000
    /// An endpoint that fails every attempt for this long is disabled.
    public static let disableAfterMilliseconds: Int64 = 5 * 86_400_000
    /// At most this many patterns per endpoint.
    public static let maxPatterns = 64

    /// What a caller asks for; nil fields are left as they are by `update`.
    public struct Input: Sendable, Equatable {
        public var url: String?
        public var events: [String]?
        /// `.some(nil)` clears the channel.
        public var channel: String??
        public var description: String?
        public var enabled: Bool?

        public init(url: String? = nil, events: [String]? = nil, channel: String?? = nil, description: String? = nil, enabled: Bool? = nil) {
            self.url = url
            self.events = events
            self.channel = channel
            self.description = description
            self.enabled = enabled
        }
    }

    /// The field problems of `input` that need no database: the URL under `policy`, each
    /// pattern against the catalogue, the description's length.
    public static func problems(_ input: Input, policy: WebhookURLPolicy) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if let url = input.url, case .failure(let error) = policy.check(url) { problems += error.problems }
        if let events = input.events {
            if events.isEmpty { problems.append(FieldProblem("events", "required", "Name at least one event type, e.g. [\"order.*\", \"inventory.changed\"] (\"*\" for all).")) }
            if events.count > maxPatterns { problems.append(FieldProblem("events", "too_many", "At most \(maxPatterns) patterns.")) }
            var seen: Set<String> = []
            for (index, pattern) in events.enumerated() {
                if EventPattern(pattern) == nil {
                    problems.append(.inItem("events", index, "unknown_event_type",
                        "\(pattern) matches no event type in the catalogue (docs/EVENTS.md); a family is written order.*, everything *."))
                } else if !seen.insert(pattern).inserted {
                    problems.append(.inItem("events", index, "duplicate", "\(pattern) is listed twice."))
                }
            }
        }
        if let description = input.description, description.utf8.count > 500 {
            problems.append(FieldProblem("description", "too_long", "At most 500 bytes."))
        }
        return problems
    }

    /// Subscribes a new endpoint to events committed from now on, with a new secret; the
    /// returned endpoint carries it (shown once).
    public static func create(_ db: any Database, _ input: Input, policy: WebhookURLPolicy, actor: String?, now: Int64) throws -> WebhookEndpoint {
        var problems = problems(input, policy: policy)
        if input.url == nil { problems.append(FieldProblem("url", "required", "The https URL deliveries go to.")) }
        if input.events == nil { problems.append(FieldProblem("events", "required", "The event types to receive, e.g. [\"order.*\"].")) }
        let channel = input.channel ?? nil
        if let channel { problems += try channelProblems(db, channel) }
        guard problems.isEmpty, let url = input.url, let events = input.events else { throw DomainError.problems(problems) }
        let endpoint = WebhookEndpoint(
            id: EntityID.make(.webhook, milliseconds: UInt64(max(0, now))), url: url, events: events, channel: channel,
            description: input.description ?? "", enabled: input.enabled ?? true, disabledReason: input.enabled == false ? .operator : nil,
            secret: WebhookSecret.generate(), previousSecret: nil, previousSecretUntil: nil,
            // Everything numbered so far is before its time; what commits from now on is after.
            cursor: try EventLog.latestSeq(db), failingSince: nil, failedAttempts: 0, version: 1, createdAt: now, updatedAt: now)
        try WebhookRecords.insert(db, endpoint)
        try EventLog.append(db, NewEvent(WebhookEvents.created, entityID: endpoint.id, payload: payload(endpoint)), actor: actor, at: now)
        return endpoint
    }

    /// Whether any endpoint is enabled (the delivery worker sleeps while none is).
    public static func anyEnabled(_ db: any Database) throws -> Bool {
        try WebhookRecords.anyEnabled(db)
    }

    public static func get(_ db: any Database, id: String) throws -> WebhookEndpoint? {
        try WebhookRecords.endpoint(db, id: id)
    }

    /// Endpoints in creation order after the id `after`, at most `limit`.
    public static func list(_ db: any Database, after: String, limit: Int) throws -> [WebhookEndpoint] {
        try WebhookRecords.endpoints(db, after: after, limit: limit)
    }

    /// Applies the fields `input` sets. Enabling clears the reason and the failing period, so a
    /// repaired receiver gets its waiting deliveries (and everything committed while it was
    /// disabled: its cursor stood still).
    public static func update(_ db: any Database, id: String, _ input: Input, policy: WebhookURLPolicy, actor: String?, now: Int64) throws -> WebhookEndpoint {
        var problems = problems(input, policy: policy)
        if case .some(.some(let channel)) = input.channel { problems += try channelProblems(db, channel) }
        guard problems.isEmpty else { throw DomainError.problems(problems) }
        guard let old = try WebhookRecords.endpoint(db, id: id) else { throw DomainError.notFound("webhook endpoint", id) }
        var new = old
        var changes: [String] = []
        if let url = input.url, url != old.url { new.url = url; changes.append("url") }
        if let events = input.events, events != old.events { new.events = events; changes.append("events") }
        if let channel = input.channel, channel != old.channel { new.channel = channel; changes.append("channel") }
        if let description = input.description, description != old.description { new.description = description; changes.append("description") }
        if let enabled = input.enabled, enabled != old.enabled {
            new.enabled = enabled
            new.disabledReason = enabled ? nil : .operator
            if enabled { new.failingSince = nil }
            changes.append("enabled")
        }
        guard !changes.isEmpty else { return old }
        return try write(db, new, over: old, changes: changes, actor: actor, now: now)
    }

    /// A new secret; the old one keeps signing for `rotationOverlapMilliseconds`. The returned
    /// endpoint carries the new secret (shown once).
    public static func rotateSecret(_ db: any Database, id: String, actor: String?, now: Int64) throws -> WebhookEndpoint {
        guard let old = try WebhookRecords.endpoint(db, id: id) else { throw DomainError.notFound("webhook endpoint", id) }
        var new = old
        new.previousSecret = old.secret
        new.previousSecretUntil = now + rotationOverlapMilliseconds
        new.secret = WebhookSecret.generate()
        return try write(db, new, over: old, changes: ["secret"], actor: actor, now: now)
    }

    /// Removes an endpoint and its deliveries.
    public static func delete(_ db: any Database, id: String, actor: String?, now: Int64) throws {
        guard let old = try WebhookRecords.endpoint(db, id: id) else { throw DomainError.notFound("webhook endpoint", id) }
        guard try WebhookRecords.delete(db, id: id) else { throw db.concurrentChange(DomainError.notFound("webhook endpoint", id)) }
        var o = JSONObject()
        o["url"] = .string(old.url)
        try EventLog.append(db, NewEvent(WebhookEvents.deleted, entityID: id, payload: o), actor: actor, at: now)
    }

    /// Stops deliveries to an enabled endpoint (410 Gone, or failing for 5 days) and says so
    /// in a `webhook_endpoint.disabled` event; nothing when it was already disabled.
    public static func disable(_ db: any Database, id: String, reason: WebhookEndpoint.DisabledReason, lastError: String?, now: Int64) throws {
        guard try WebhookRecords.disable(db, id: id, reason: reason, at: now), let endpoint = try WebhookRecords.endpoint(db, id: id) else { return }
        var o = payload(endpoint)
        o["failing_since"] = endpoint.failingSince.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null
        o["last_error"] = lastError.map(JSONValue.string) ?? .null
        try EventLog.append(db, NewEvent(WebhookEvents.disabled, entityID: id, payload: o), actor: nil, at: now)
    }

    private static func write(_ db: any Database, _ new: WebhookEndpoint, over old: WebhookEndpoint, changes: [String], actor: String?, now: Int64) throws -> WebhookEndpoint {
        var new = new
        new.updatedAt = now
        guard try WebhookRecords.update(db, new, expecting: old.version) else {
            throw db.concurrentChange(DomainError(.versionMismatch, "The endpoint changed while this request ran; read it again and retry."))
        }
        new.version = old.version + 1
        var o = payload(new)
        o["changes"] = .array(changes.map(JSONValue.string))
        try EventLog.append(db, NewEvent(WebhookEvents.updated, entityID: new.id, payload: o), actor: actor, at: now)
        return new
    }

    private static func channelProblems(_ db: any Database, _ channel: String) throws -> [FieldProblem] {
        try ChannelCatalog.get(db, code: channel) == nil
            ? [FieldProblem("channel", "unknown_channel", "No channel \(channel); create it with PUT /v1/channels/\(channel) or leave channel out.")]
            : []
    }

    /// The endpoint as its events carry it (never the secret).
    static func payload(_ e: WebhookEndpoint) -> JSONObject {
        var o = JSONObject()
        o["url"] = .string(e.url)
        o["events"] = .array(e.events.map(JSONValue.string))
        o["channel"] = e.channel.map(JSONValue.string) ?? .null
        o["enabled"] = .bool(e.enabled)
        o["disabled_reason"] = e.disabledReason.map { .string($0.rawValue) } ?? .null
        o["version"] = .number(JSONNumber(e.version))
        return o
    }
}
