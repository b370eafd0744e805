import BahiJSON
public import BahiStore

/// The durable outbox behind webhook deliveries: writing a delivery for every event an
/// endpoint subscribes to, handing the worker what is due, and recording what each attempt
/// came to.
///
/// Why every step is a short transaction on the outbox tables: the worker holds no state a
/// crash could lose. A delivery is written in the transaction that moves its endpoint's
/// cursor past the event, so an event is never skipped; it stays `pending` until an attempt's
/// result is committed, so a `kill -9` between sending and recording only sends it again.
public enum WebhookOutbox {
    /// Events examined per endpoint per fan-out.
    public static let fanOutBatch = 2_000
    /// Deliveries handed out per endpoint per turn.
    public static let dueBatch = 256
    /// Bytes of a receiver's answer kept with an attempt.
    public static let excerptLimit = 256
    /// Events replayed per transaction, and per request at most `maxReplay`.
    public static let replayBatch = 2_000
    public static let maxReplay = 100_000

    // MARK: fan-out

    /// Writes a pending delivery, for every enabled endpoint, of each event committed after its
    /// cursor that it subscribes to, and moves the cursors on; returns how many it wrote.
    ///
    /// An endpoint with a channel gets, for `inventory.changed`, what that channel may sell of
    /// the SKU now, and one delivery per SKU per fan-out (coalesced: each would carry the same
    /// figure). Endpoints whose cursors stand together share one read of the events.
    public static func fanOut(_ db: any Database, now: Int64, limit: Int = fanOutBatch) throws -> Int {
        let endpoints = try WebhookRecords.enabledEndpoints(db)
        guard !endpoints.isEmpty else { return 0 }
        var read: [Int64: [Event]] = [:]
        var written = 0
        for endpoint in endpoints {
            let events: [Event]
            if let shared = read[endpoint.cursor] {
                events = shared
            } else {
                events = try EventLog.list(db, after: endpoint.cursor, type: nil, limit: limit)
                read[endpoint.cursor] = events
            }
            guard let last = events.last?.seq else { continue }
            let patterns = endpoint.patterns
            var chosen = events.filter { event in patterns.contains { $0.matches(event.type) } }
            if let channel = endpoint.channel {
                chosen = coalescingStock(chosen)
                for event in chosen {
                    var payload: String?
                    if event.type == StockEvents.inventoryChanged.type,
                       let stock = try InventoryQueries.channelStock(db, channel: channel, sku: event.entityID, seq: event.seq) {
                        var o = JSONObject()
                        o["sku"] = .string(stock.sku)
                        o["available"] = .number(JSONNumber(stock.available))
                        o["channel"] = .string(channel)
                        o["sellable"] = .number(JSONNumber(stock.sellable))
                        payload = JSONValue.object(o).encodedText
                    }
                    if try write(db, endpoint, event, payload: payload, now: now) { written += 1 }
                }
            } else {
                for event in chosen where try write(db, endpoint, event, payload: nil, now: now) { written += 1 }
            }
            // Another fan-out moved it first (two nodes a moment apart): the deliveries it
            // wrote are the same rows, and UNIQUE (endpoint_id, event_id) kept them single.
            _ = try WebhookRecords.advanceCursor(db, id: endpoint.id, from: endpoint.cursor, to: last)
        }
        return written
    }

    /// Keeps, of several `inventory.changed` for one SKU, only the last (other events as they are).
    static func coalescingStock(_ events: [Event]) -> [Event] {
        var last: [String: Int64] = [:]
        for event in events where event.type == StockEvents.inventoryChanged.type { last[event.entityID] = event.seq }
        return events.filter { $0.type != StockEvents.inventoryChanged.type || last[$0.entityID] == $0.seq }
    }

    private static func write(_ db: any Database, _ endpoint: WebhookEndpoint, _ event: Event, payload: String?, now: Int64) throws -> Bool {
        try WebhookRecords.insertDelivery(
            db, id: EntityID.make(.webhookDelivery, milliseconds: UInt64(max(0, now))), endpointID: endpoint.id,
            eventID: event.id, eventSeq: event.seq, eventType: event.type, payload: payload, at: now)
    }

    /// Whether a fan-out would find anything: an enabled endpoint whose cursor is behind the feed.
    public static func hasEventsToFanOut(_ db: any Database) throws -> Bool {
        let endpoints = try WebhookRecords.enabledEndpoints(db)
        guard let lowest = endpoints.map(\.cursor).min() else { return false }
        return try EventLog.latestSeq(db) > lowest
    }

    // MARK: what is due

    /// One endpoint's work for a turn: its deliveries due now in `seq` order, and the events
    /// their bodies are rendered from.
    public struct Due: Sendable {
        public var endpoint: WebhookEndpoint
        public var deliveries: [WebhookDelivery]
        /// By `seq`; a ping has none.
        public var events: [Int64: Event]
    }

    /// Every enabled endpoint's deliveries due by `now` (at most `limit` each), but for the
    /// endpoints in `excluding` (their previous batch is still being sent).
    public static func due(_ db: any Database, now: Int64, excluding: Set<String> = [], limit: Int = dueBatch) throws -> [Due] {
        var result: [Due] = []
        var seqs: Set<Int64> = []
        for endpoint in try WebhookRecords.enabledEndpoints(db) where !excluding.contains(endpoint.id) {
            let deliveries = try WebhookRecords.due(db, endpointID: endpoint.id, now: now, limit: limit)
            guard !deliveries.isEmpty else { continue }
            for delivery in deliveries where delivery.eventSeq > 0 { seqs.insert(delivery.eventSeq) }
            result.append(Due(endpoint: endpoint, deliveries: deliveries, events: [:]))
        }
        // One read of the events for every endpoint: several endpoints usually owe the same ones.
        var events: [Int64: Event] = [:]
        for event in try EventLog.events(db, seqs: seqs.sorted()) { events[event.seq] = event }
        for i in result.indices { result[i].events = events }
        return result
    }

    /// When the next pending delivery of any enabled endpoint falls due (Unix ms), nil when none is pending.
    public static func nextDue(_ db: any Database) throws -> Int64? {
        try WebhookRecords.enabledEndpoints(db).compactMap { try WebhookRecords.nextDue(db, endpointID: $0.id) }.min()
    }

    // MARK: recording attempts

    /// What one attempt came to, as the worker saw it.
    public struct AttemptResult: Sendable {
        public var delivery: WebhookDelivery
        public var attempt: WebhookAttempt
        public var outcome: DeliveryOutcome

        public init(delivery: WebhookDelivery, attempt: WebhookAttempt, outcome: DeliveryOutcome) {
            self.delivery = delivery
            self.attempt = attempt
            self.outcome = outcome
        }
    }

    /// Records one endpoint's attempts (in the order they were made): each delivery's new
    /// state from `schedule`, the attempt rows, the endpoint's health; disables it on a 410,
    /// or when it has failed every attempt for `WebhookEndpoints.disableAfterMilliseconds`.
    /// An attempt recorded twice (a delivery sent by two nodes a moment apart) counts once.
    public static func record(_ db: any Database, endpointID: String, _ results: [AttemptResult], schedule: RetrySchedule, now: Int64) throws {
        var failures: Int64 = 0
        var failingFrom: Int64?
        var sawSuccess = false
        var gone = false
        var lastError: String?
        for result in results {
            let d = result.delivery
            let status: WebhookDelivery.Status
            var next = now
            switch schedule.next(after: d.roundAttempts + 1, result.outcome, now: now) {
            case .succeeded: status = .succeeded
            case .retry(let at): status = .pending; next = at
            case .exhausted: status = .failed
            // It waits, pending, for the endpoint to be enabled again.
            case .disableEndpoint: status = .pending; gone = true
            }
            guard try WebhookRecords.finishAttempt(
                db, id: d.id, expectedAttempts: d.attempts, status: status, nextAttemptAt: next,
                lastStatus: result.attempt.statusCode, lastError: result.attempt.error, at: now) else { continue }
            var attempt = result.attempt
            attempt.attempt = d.attempts + 1
            try WebhookRecords.insertAttempt(db, deliveryID: d.id, attempt)
            if result.outcome == .succeeded {
                sawSuccess = true
                failingFrom = nil
            } else {
                failures += 1
                if failingFrom == nil { failingFrom = attempt.attemptedAt }
                lastError = attempt.error ?? attempt.statusCode.map { "HTTP \($0)" }
            }
        }
        guard failures > 0 || sawSuccess else { return }
        let failingSince = try WebhookRecords.recordHealth(db, id: endpointID, failures: failures, resetBy: sawSuccess, failingFrom: failingFrom)
        if gone {
            try WebhookEndpoints.disable(db, id: endpointID, reason: .gone, lastError: "HTTP 410", now: now)
        } else if let failingSince, now - failingSince >= WebhookEndpoints.disableAfterMilliseconds {
            try WebhookEndpoints.disable(db, id: endpointID, reason: .failing, lastError: lastError, now: now)
        }
    }

    // MARK: operators

    /// Sends a delivery again now: a pending one is brought forward; a succeeded or failed one
    /// gets one more attempt (a failure leaves it `failed`). Nil when there is no such delivery.
    public static func retry(_ db: any Database, id: String, schedule: RetrySchedule, now: Int64) throws -> WebhookDelivery? {
        guard try WebhookRecords.retry(db, id: id, lastRound: schedule.maxAttempts - 1, at: now) else { return nil }
        return try WebhookRecords.delivery(db, id: id)
    }

    /// Queues again, for one endpoint, every event it subscribes to created in
    /// [`since`, `until`) after the feed position `after`, at most `replayBatch`; returns how
    /// many it queued and the position to go on from (nil when the range is done).
    public static func replay(
        _ db: any Database, endpointID: String, since: Int64, until: Int64, after: Int64, now: Int64
    ) throws -> (queued: Int, next: Int64?) {
        guard let endpoint = try WebhookRecords.endpoint(db, id: endpointID) else { throw DomainError.notFound("webhook endpoint", endpointID) }
        let events = try EventLog.list(db, after: after, type: nil, limit: replayBatch)
        let patterns = endpoint.patterns
        var queued = 0
        var finished = events.count < replayBatch
        for event in events {
            if event.createdAt >= until + 1_000 { finished = true; break }  // past the range, with a second's slack for one batch's skew
            guard event.createdAt >= since, event.createdAt < until, patterns.contains(where: { $0.matches(event.type) }) else { continue }
            try WebhookRecords.replayDelivery(
                db, id: EntityID.make(.webhookDelivery, milliseconds: UInt64(max(0, now))), endpointID: endpointID,
                eventID: event.id, eventSeq: event.seq, eventType: event.type, payload: nil, at: now)
            queued += 1
        }
        return (queued, finished ? nil : events.last?.seq)
    }

    /// Queues a `webhook.ping` for one endpoint; returns the delivery.
    public static func ping(_ db: any Database, endpointID: String, now: Int64) throws -> WebhookDelivery {
        guard let endpoint = try WebhookRecords.endpoint(db, id: endpointID) else { throw DomainError.notFound("webhook endpoint", endpointID) }
        guard endpoint.enabled else {
            throw DomainError(.endpointDisabled, "The endpoint is disabled (\(endpoint.disabledReason?.rawValue ?? "operator")); enable it with PATCH {\"enabled\": true} first.")
        }
        var o = JSONObject()
        o["endpoint_id"] = .string(endpoint.id)
        o["url"] = .string(endpoint.url)
        let id = EntityID.make(.webhookDelivery, milliseconds: UInt64(max(0, now)))
        try WebhookRecords.insertDelivery(
            db, id: id, endpointID: endpoint.id, eventID: EntityID.make(.event, milliseconds: UInt64(max(0, now))), eventSeq: 0,
            eventType: WebhookEvents.ping.type, payload: JSONValue.object(o).encodedText, at: now)
        guard let delivery = try WebhookRecords.delivery(db, id: id) else { throw DomainError(.corruptRow, "The ping just written is missing.") }
        return delivery
    }

    /// One delivery with its attempts.
    public static func delivery(_ db: any Database, id: String) throws -> WebhookDelivery? {
        guard var d = try WebhookRecords.delivery(db, id: id) else { return nil }
        d.attemptLog = try WebhookRecords.attempts(db, deliveryID: id)
        return d
    }

    /// An endpoint's deliveries with their attempts, newest event first, before the event id `before`.
    public static func deliveries(
        _ db: any Database, endpointID: String, status: WebhookDelivery.Status?, before: String?, limit: Int
    ) throws -> [WebhookDelivery] {
        var list = try WebhookRecords.deliveries(db, endpointID: endpointID, status: status, before: before, limit: limit)
        for i in list.indices { list[i].attemptLog = try WebhookRecords.attempts(db, deliveryID: list[i].id) }
        return list
    }

    /// An endpoint's queue: pending, the oldest pending, failed deliveries, failed attempts.
    public static func stats(_ db: any Database, endpoint: WebhookEndpoint) throws -> WebhookEndpointStats {
        var stats = try WebhookRecords.stats(db, endpointID: endpoint.id)
        stats.failedAttempts = endpoint.failedAttempts
        return stats
    }
}
