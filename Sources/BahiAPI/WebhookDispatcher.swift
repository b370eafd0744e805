public import BahiCore
public import BahiHTTP
import BahiJSON
import BahiStore
import Synchronization

/// Sends webhook deliveries: the I/O edge of the outbox (`WebhookOutbox` decides; this sends).
///
/// A turn fans new events out into deliveries, then starts, for each endpoint with deliveries
/// due that is not already being sent to, one task that sends its batch in `seq` order on one
/// of the client's worker threads (one connection, kept alive) and records the results in one
/// write. Endpoints proceed independently, at most `webhooks.concurrency` at once, so a slow
/// receiver holds up only itself. Within a batch, after a failure with no response (refused,
/// timed out, TLS) the rest of that endpoint's batch waits for the next turn: a receiver that is
/// down costs one timeout per turn, not one per delivery.
///
/// Nothing is held in memory that a crash could lose: a delivery stays `pending` until its
/// attempt's result commits, so a `kill -9` mid-batch sends it again after the restart.
public final class WebhookDispatcher: Sendable {
    public let app: BahiContext
    let client: HTTPClient
    let schedule: RetrySchedule
    let timeouts: HTTPClientTimeouts
    let concurrency: Int
    /// Unix milliseconds; injected by tests that walk the retry schedule.
    let clock: @Sendable () -> Int64
    /// Endpoints whose batch is in flight, and the tasks sending them.
    private let inFlight = Mutex<[String: Task<Void, Never>]>([:])

    /// No endpoint's batch is being sent.
    var isIdle: Bool { inFlight.withLock { $0.isEmpty } }

    /// The User-Agent of every delivery.
    public static let userAgent = "Bahi-Webhooks/1"
    /// Bytes of a receiver's answer read before the rest is dropped.
    static let answerLimit = 4096

    /// A dispatcher over `app`'s store and configuration (`webhooks.*`). `client` defaults to
    /// one that refuses, after DNS, every address `webhooks.allow_private_networks` forbids.
    public init(_ app: BahiContext, client: HTTPClient? = nil, clock: @escaping @Sendable () -> Int64 = { Int64(WallClock.milliseconds()) }) throws(HTTPClientError) {
        let settings = app.configuration.webhooks
        self.app = app
        self.schedule = app.configuration.webhookRetrySchedule
        self.concurrency = settings.concurrency
        let timeout = Duration.milliseconds(settings.timeoutMs)
        self.timeouts = HTTPClientTimeouts(connect: min(timeout, .seconds(5)), read: timeout, total: timeout)
        self.clock = clock
        if let client {
            self.client = client
        } else {
            self.client = try HTTPClient(configuration: Self.clientConfiguration(app.configuration))
        }
    }

    /// The delivery client's settings: one worker thread and up to one connection per
    /// endpoint sent to at once (endpoints may share an origin: one ERP, several paths), and
    /// the URL policy's address rule at connect time.
    public static func clientConfiguration(_ configuration: BahiConfiguration) -> HTTPClientConfiguration {
        var c = HTTPClientConfiguration()
        let policy = configuration.webhookURLPolicy
        c.allowAddress = { address in policy.mayConnect(to: address.ip) }
        c.workerThreads = configuration.webhooks.concurrency
        c.maxConnectionsPerOrigin = configuration.webhooks.concurrency
        c.maxIdleConnectionsPerOrigin = configuration.webhooks.concurrency
        c.userAgent = userAgent
        return c
    }

    // MARK: turns

    /// Fans out new events, then starts sending to each endpoint with deliveries due; returns
    /// how many endpoints it started. Their tasks record their own results.
    @discardableResult
    public func turn() async throws -> Int {
        let now = clock()
        // On PostgreSQL events wait for a number before anyone may read them (the feed's rule,
        // so deliveries too see them in the order readers do); numbering here spares the
        // sequencer's interval.
        try await app.numberPendingEvents()
        if try await app.store.read({ db in try WebhookOutbox.hasEventsToFanOut(db) }) {
            _ = try await app.write { db in try WebhookOutbox.fanOut(db, now: now) }
        }
        let busy = inFlight.withLock { Set($0.keys) }
        let room = concurrency - busy.count
        guard room > 0 else { return 0 }
        let due = Array(try await app.store.read { db in try WebhookOutbox.due(db, now: now, excluding: busy) }.prefix(room))
        // Each event's body once, however many endpoints are owed it.
        var bodies: [Int64: [UInt8]] = [:]
        for work in due {
            for delivery in work.deliveries where delivery.payload == nil && bodies[delivery.eventSeq] == nil {
                if let event = work.events[delivery.eventSeq] { bodies[delivery.eventSeq] = Self.body(event) }
            }
        }
        let rendered = bodies
        for work in due {
            let id = work.endpoint.id
            inFlight.withLock { tasks in
                tasks[id] = Task { [self] in
                    await send(work, bodies: rendered)
                    _ = inFlight.withLock { $0.removeValue(forKey: id) }
                }
            }
        }
        return due.count
    }

    /// Turns until nothing is due and nothing is in flight (tests, `bahi` tools): every
    /// delivery due at the dispatcher's clock has had its attempt recorded.
    public func drain() async throws {
        while true {
            let started = try await turn()
            let tasks = inFlight.withLock { Array($0.values) }
            for task in tasks { await task.value }
            if started == 0 && tasks.isEmpty { return }
        }
    }

    /// Waits for the batches in flight (shutdown).
    public func finish() async {
        let tasks = inFlight.withLock { Array($0.values) }
        for task in tasks { await task.value }
    }

    // MARK: one endpoint's batch

    private func send(_ work: WebhookOutbox.Due, bodies: [Int64: [UInt8]]) async {
        let results = await client.onWorkerThread { [self] in attempts(work, bodies: bodies) }
        guard !results.isEmpty else { return }
        do {
            let schedule = schedule, now = clock(), id = work.endpoint.id
            try await app.write { db in try WebhookOutbox.record(db, endpointID: id, results, schedule: schedule, now: now) }
        } catch {
            // Left pending, the deliveries go again next turn: a duplicate, never a gap.
            app.log.error("webhook results not recorded", [("endpoint_id", .string(work.endpoint.id)), ("deliveries", .int(results.count))], cause: error)
        }
    }

    /// Sends one endpoint's due deliveries in order on this (worker) thread.
    private func attempts(_ work: WebhookOutbox.Due, bodies: [Int64: [UInt8]]) -> [WebhookOutbox.AttemptResult] {
        var results: [WebhookOutbox.AttemptResult] = []
        for delivery in work.deliveries {
            let body = delivery.payload == nil ? bodies[delivery.eventSeq] : Self.body(delivery, event: work.events[delivery.eventSeq])
            let result = attempt(delivery, endpoint: work.endpoint, body: body)
            results.append(result)
            // No answer at all (the receiver is down or unreachable): the rest wait a turn.
            // 410: the endpoint is about to be disabled; the rest wait for it to be enabled.
            if result.attempt.statusCode == nil || result.outcome == .gone { break }
        }
        return results
    }

    /// One attempt: the body, its signatures, the POST, and what came of it.
    func attempt(_ delivery: WebhookDelivery, endpoint: WebhookEndpoint, body: [UInt8]?) -> WebhookOutbox.AttemptResult {
        let started = clock()
        let startedTick = ContinuousClock.now
        func result(_ status: Int?, _ error: String?, _ excerpt: String, _ outcome: DeliveryOutcome) -> WebhookOutbox.AttemptResult {
            let elapsed = ContinuousClock.now - startedTick
            let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            return WebhookOutbox.AttemptResult(
                delivery: delivery,
                attempt: WebhookAttempt(attempt: delivery.attempts + 1, attemptedAt: started, statusCode: status, error: error,
                                        latencyMilliseconds: ms, responseExcerpt: excerpt),
                outcome: outcome)
        }
        guard let body else {
            return result(nil, "event_missing", "", .failed(retryAfterSeconds: nil))
        }
        let timestamp = started / 1000
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "webhook-id", value: delivery.eventID)
        headers.add(name: "webhook-timestamp", value: String(timestamp))
        headers.add(name: "webhook-signature", value: WebhookSignature.header(
            secrets: endpoint.signingSecrets(now: started), id: delivery.eventID, timestamp: timestamp, body: body))
        do {
            var request = try HTTPClientRequest(method: .post, url: endpoint.url, headers: headers, body: body)
            request.timeouts = timeouts
            request.bodyExcerptLimit = Self.answerLimit
            let response = try client.executeBlocking(request)
            let excerpt = String(decoding: response.body.prefix(WebhookOutbox.excerptLimit), as: UTF8.self)
            return result(response.status.code, nil, excerpt,
                          DeliveryOutcome.classify(status: response.status.code, retryAfter: response.headers["Retry-After"]))
        } catch {
            return result(nil, error.code, "", .failed(retryAfterSeconds: nil))
        }
    }

    /// The bytes a delivery sends: the event as the feed shows it (with the stored payload in
    /// place of the event's own for a channel's stock push), or a ping's envelope; nil when the
    /// event it names is missing.
    static func body(_ event: Event) -> [UInt8] {
        Array(event.json.encodedText.utf8)
    }

    /// The bytes of a delivery whose payload is its own (or a ping): see `body(_:)`.
    static func body(_ delivery: WebhookDelivery, event: Event?) -> [UInt8]? {
        let payload = delivery.payload.flatMap { try? JSONParser.parse($0) }
        var shown: Event
        if delivery.eventSeq == 0 {
            shown = Event(seq: 0, id: delivery.eventID, type: delivery.eventType, entityType: "webhook_endpoint", entityID: delivery.endpointID,
                          payload: payload ?? .object(JSONObject()), actor: nil, createdAt: delivery.createdAt)
        } else {
            guard let event else { return nil }
            shown = event
            if let payload { shown.payload = payload }
        }
        return body(shown)
    }
}
