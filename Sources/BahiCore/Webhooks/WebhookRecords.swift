import BahiJSON
import BahiStore

/// Every SQL statement on the Webhooks domain's tables: `webhook_endpoints`,
/// `webhook_deliveries`, `webhook_attempts`; each row mapped once, by column name.
enum WebhookRecords {
    // MARK: endpoints

    static let endpointColumns = """
        id, url, events, channel, description, enabled, disabled_reason, secret, previous_secret, previous_secret_until,
        cursor, failing_since, failed_attempts, version, created_at, updated_at
        """

    static func endpoint(_ row: Row) throws -> WebhookEndpoint {
        let eventsText: String = try row["events"]
        var events: [String] = []
        if case .array(let items)? = try? JSONParser.parse(eventsText) {
            for case .string(let s) in items { events.append(s) }
        }
        let reason: String? = try row["disabled_reason"]
        return WebhookEndpoint(
            id: try row["id"], url: try row["url"], events: events, channel: try row["channel"], description: try row["description"],
            enabled: try row["enabled"], disabledReason: reason.flatMap(WebhookEndpoint.DisabledReason.init(rawValue:)),
            secret: try row["secret"], previousSecret: try row["previous_secret"], previousSecretUntil: try row["previous_secret_until"],
            cursor: try row["cursor"], failingSince: try row["failing_since"], failedAttempts: try row["failed_attempts"],
            version: try row["version"], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }

    static func eventsJSON(_ events: [String]) -> String {
        JSONValue.array(events.map(JSONValue.string)).encodedText
    }

    static func insert(_ db: any Database, _ e: WebhookEndpoint) throws {
        try db.perform(
            "INSERT INTO webhook_endpoints (\(endpointColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            binding: e.id, e.url, eventsJSON(e.events), e.channel, e.description, e.enabled, e.disabledReason?.rawValue, e.secret,
            e.previousSecret, e.previousSecretUntil, e.cursor, e.failingSince, e.failedAttempts, e.version, e.createdAt, e.updatedAt)
    }

    static func endpoint(_ db: any Database, id: String) throws -> WebhookEndpoint? {
        try db.queryFirst("SELECT \(endpointColumns) FROM webhook_endpoints WHERE id = ?1", binding: id, map: endpoint)
    }

    /// Endpoints in id (creation) order after `after`, at most `limit`.
    static func endpoints(_ db: any Database, after: String, limit: Int) throws -> [WebhookEndpoint] {
        try db.query("SELECT \(endpointColumns) FROM webhook_endpoints WHERE id > ?1 ORDER BY id LIMIT ?2", binding: after, limit, map: endpoint)
    }

    /// Whether any endpoint is enabled: when none is, the worker has nothing to send.
    static func anyEnabled(_ db: any Database) throws -> Bool {
        try db.queryFirst("SELECT 1 AS one FROM webhook_endpoints WHERE enabled = ?1 LIMIT 1", binding: true) { _ in true } ?? false
    }

    static func enabledEndpoints(_ db: any Database) throws -> [WebhookEndpoint] {
        try db.query("SELECT \(endpointColumns) FROM webhook_endpoints WHERE enabled = ?1 ORDER BY id", binding: true, map: endpoint)
    }

    /// Writes every mutable field of `e` and bumps the version, only if the row is still at
    /// `version`; returns whether it did.
    static func update(_ db: any Database, _ e: WebhookEndpoint, expecting version: Int64) throws -> Bool {
        try db.execute(
            """
            UPDATE webhook_endpoints SET url = ?1, events = ?2, channel = ?3, description = ?4, enabled = ?5, disabled_reason = ?6,
                   secret = ?7, previous_secret = ?8, previous_secret_until = ?9, failing_since = ?10, version = version + 1, updated_at = ?11
             WHERE id = ?12 AND version = ?13
            """,
            binding: e.url, eventsJSON(e.events), e.channel, e.description, e.enabled, e.disabledReason?.rawValue, e.secret,
            e.previousSecret, e.previousSecretUntil, e.failingSince, e.updatedAt, e.id, version) == 1
    }

    static func delete(_ db: any Database, id: String) throws -> Bool {
        try db.execute("DELETE FROM webhook_endpoints WHERE id = ?1", binding: id) == 1
    }

    /// Moves the cursor from `from` to `to`; false when another fan-out moved it first.
    static func advanceCursor(_ db: any Database, id: String, from: Int64, to: Int64) throws -> Bool {
        try db.execute("UPDATE webhook_endpoints SET cursor = ?1 WHERE id = ?2 AND cursor = ?3", binding: to, id, from) == 1
    }

    /// After a turn's attempts: counts `failures`; a success in the turn (`resetBy`) ends the
    /// failing period, which then restarts at `failingFrom` (the first failure after the last
    /// success, nil if none), else a period already running goes on. Returns when the period
    /// started, nil while healthy.
    static func recordHealth(_ db: any Database, id: String, failures: Int64, resetBy success: Bool, failingFrom: Int64?) throws -> Int64? {
        try db.queryFirst(
            """
            UPDATE webhook_endpoints SET failed_attempts = failed_attempts + ?1,
                   failing_since = CASE WHEN ?2 THEN CAST(?3 AS BIGINT) ELSE COALESCE(failing_since, CAST(?3 AS BIGINT)) END
             WHERE id = ?4 RETURNING failing_since
            """, binding: failures, success, failingFrom, id) { row -> Int64? in try row["failing_since"] } ?? nil
    }

    /// Disables an enabled endpoint for `reason`; false when it was already disabled.
    static func disable(_ db: any Database, id: String, reason: WebhookEndpoint.DisabledReason, at: Int64) throws -> Bool {
        try db.execute(
            """
            UPDATE webhook_endpoints SET enabled = ?1, disabled_reason = ?2, version = version + 1, updated_at = ?3
             WHERE id = ?4 AND enabled = ?5
            """, binding: false, reason.rawValue, at, id, true) == 1
    }

    // MARK: deliveries

    static let deliveryColumns = """
        id, endpoint_id, event_id, event_seq, event_type, payload, status, attempts, round_attempts, next_attempt_at,
        last_status, last_error, created_at, updated_at
        """

    static func delivery(_ row: Row) throws -> WebhookDelivery {
        let status: String = try row["status"]
        let lastStatus: Int64? = try row["last_status"]
        return WebhookDelivery(
            id: try row["id"], endpointID: try row["endpoint_id"], eventID: try row["event_id"], eventSeq: try row["event_seq"],
            eventType: try row["event_type"], payload: try row["payload"], status: WebhookDelivery.Status(rawValue: status) ?? .pending,
            attempts: Int(try row["attempts"] as Int64), roundAttempts: Int(try row["round_attempts"] as Int64),
            nextAttemptAt: try row["next_attempt_at"], lastStatus: lastStatus.map(Int.init), lastError: try row["last_error"],
            createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }

    /// Writes a pending delivery unless the endpoint already has one for the event; returns
    /// whether it did.
    @discardableResult
    static func insertDelivery(
        _ db: any Database, id: String, endpointID: String, eventID: String, eventSeq: Int64, eventType: String, payload: String?, at: Int64
    ) throws -> Bool {
        try db.execute(
            """
            INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_seq, event_type, payload, status, next_attempt_at, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7, ?7) ON CONFLICT (endpoint_id, event_id) DO NOTHING
            """, binding: id, endpointID, eventID, eventSeq, eventType, payload, at) == 1
    }

    /// A replay: a new pending delivery, or the existing one sent again on a fresh schedule.
    static func replayDelivery(
        _ db: any Database, id: String, endpointID: String, eventID: String, eventSeq: Int64, eventType: String, payload: String?, at: Int64
    ) throws {
        try db.perform(
            """
            INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_seq, event_type, payload, status, next_attempt_at, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7, ?7)
            ON CONFLICT (endpoint_id, event_id) DO UPDATE SET status = 'pending', round_attempts = 0, next_attempt_at = ?7, updated_at = ?7,
                   payload = COALESCE(excluded.payload, webhook_deliveries.payload)
            """, binding: id, endpointID, eventID, eventSeq, eventType, payload, at)
    }

    static func delivery(_ db: any Database, id: String) throws -> WebhookDelivery? {
        try db.queryFirst("SELECT \(deliveryColumns) FROM webhook_deliveries WHERE id = ?1", binding: id, map: delivery)
    }

    /// An endpoint's pending deliveries due by `now`, in `seq` order.
    static func due(_ db: any Database, endpointID: String, now: Int64, limit: Int) throws -> [WebhookDelivery] {
        try db.query(
            """
            SELECT \(deliveryColumns) FROM webhook_deliveries
             WHERE endpoint_id = ?1 AND status = 'pending' AND next_attempt_at <= ?2 ORDER BY event_seq, id LIMIT ?3
            """, binding: endpointID, now, limit, map: delivery)
    }

    /// The earliest time any pending delivery of an enabled endpoint falls due.
    static func nextDue(_ db: any Database, endpointID: String) throws -> Int64? {
        try db.queryFirst(
            "SELECT MIN(next_attempt_at) AS due FROM webhook_deliveries WHERE endpoint_id = ?1 AND status = 'pending'",
            binding: endpointID) { row -> Int64? in try row["due"] } ?? nil
    }

    /// Records an attempt's end on the delivery, only if no other attempt was recorded since
    /// it was read (`attempts` unchanged); returns whether it did.
    static func finishAttempt(
        _ db: any Database, id: String, expectedAttempts: Int, status: WebhookDelivery.Status, nextAttemptAt: Int64,
        lastStatus: Int?, lastError: String?, at: Int64
    ) throws -> Bool {
        try db.execute(
            """
            UPDATE webhook_deliveries SET status = ?1, attempts = attempts + 1, round_attempts = round_attempts + 1, next_attempt_at = ?2,
                   last_status = ?3, last_error = ?4, updated_at = ?5
             WHERE id = ?6 AND attempts = ?7
            """, binding: status.rawValue, nextAttemptAt, lastStatus.map(Int64.init), lastError, at, id, Int64(expectedAttempts)) == 1
    }

    static func insertAttempt(_ db: any Database, deliveryID: String, _ a: WebhookAttempt) throws {
        try db.perform(
            """
            INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, status_code, error, latency_ms, response_excerpt)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (delivery_id, attempt) DO NOTHING
            """, binding: deliveryID, Int64(a.attempt), a.attemptedAt, a.statusCode.map(Int64.init), a.error, a.latencyMilliseconds, a.responseExcerpt)
    }

    /// A retry by hand: a pending delivery is brought forward; a finished one is pending again
    /// with one attempt left on its schedule (`lastRound`).
    static func retry(_ db: any Database, id: String, lastRound: Int, at: Int64) throws -> Bool {
        try db.execute(
            """
            UPDATE webhook_deliveries SET next_attempt_at = ?1, updated_at = ?1,
                   round_attempts = CASE WHEN status = 'pending' THEN round_attempts ELSE ?2 END, status = 'pending'
             WHERE id = ?3
            """, binding: at, Int64(lastRound), id) == 1
    }

    /// An endpoint's deliveries, newest event first, optionally of one status, before the event
    /// id `before` (event ids sort by time; `UNIQUE (endpoint_id, event_id)` is the index).
    static func deliveries(_ db: any Database, endpointID: String, status: WebhookDelivery.Status?, before: String?, limit: Int) throws -> [WebhookDelivery] {
        let bound = before ?? "\u{10FFFF}"
        if let status {
            return try db.query(deliveriesInStatusSQL, binding: endpointID, status.rawValue, bound, limit, map: delivery)
        }
        return try db.query(deliveriesSQL, binding: endpointID, bound, limit, map: delivery)
    }

    /// The delivery list's statements: of one status (`webhook_deliveries_status`: endpoint,
    /// status, event id) or all (the unique endpoint and event id), read backwards from the cursor.
    static let deliveriesInStatusSQL =
        "SELECT \(deliveryColumns) FROM webhook_deliveries WHERE endpoint_id = ?1 AND status = ?2 AND event_id < ?3 ORDER BY event_id DESC LIMIT ?4"
    static let deliveriesSQL = "SELECT \(deliveryColumns) FROM webhook_deliveries WHERE endpoint_id = ?1 AND event_id < ?2 ORDER BY event_id DESC LIMIT ?3"

    /// The attempts of a delivery, oldest first.
    static func attempts(_ db: any Database, deliveryID: String) throws -> [WebhookAttempt] {
        try db.query(
            """
            SELECT attempt, attempted_at, status_code, error, latency_ms, response_excerpt FROM webhook_attempts
             WHERE delivery_id = ?1 ORDER BY attempt
            """, binding: deliveryID) { row in
            let code: Int64? = try row["status_code"]
            return WebhookAttempt(attempt: Int(try row["attempt"] as Int64), attemptedAt: try row["attempted_at"], statusCode: code.map(Int.init),
                                  error: try row["error"], latencyMilliseconds: try row["latency_ms"], responseExcerpt: try row["response_excerpt"])
        }
    }

    /// Pending and failed counts and the oldest pending delivery of one endpoint: two
    /// statements, each on an index (`status <> 'succeeded'` would walk every delivery ever made).
    static func stats(_ db: any Database, endpointID: String) throws -> WebhookEndpointStats {
        var stats = WebhookEndpointStats()
        try db.queryFirst(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_deliveries WHERE endpoint_id = ?1 AND status = 'pending'",
            binding: endpointID) { row -> Void in
            stats.pending = try row["n"]
            stats.oldestPendingAt = try row["oldest"]
        }
        try db.queryFirst(
            "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE endpoint_id = ?1 AND status = 'failed'",
            binding: endpointID) { row -> Void in stats.failed = try row["n"] }
        return stats
    }
}
