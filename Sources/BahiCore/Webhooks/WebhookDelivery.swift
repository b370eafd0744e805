/// One event owed to one endpoint: the outbox row the delivery worker works from.
public struct WebhookDelivery: Sendable, Equatable {
    public var id: String
    public var endpointID: String
    /// The `webhook-id` header: the event's id (a ping's own).
    public var eventID: String
    /// The event's `seq`, 0 for a ping.
    public var eventSeq: Int64
    public var eventType: String
    /// The payload when it is not the event's own (a channel's stock push, a ping), as JSON text.
    public var payload: String?
    public var status: Status
    public var attempts: Int
    /// Attempts on the current schedule: what `RetrySchedule.next(after:)` is given.
    public var roundAttempts: Int
    public var nextAttemptAt: Int64
    public var lastStatus: Int?
    public var lastError: String?
    public var createdAt: Int64
    public var updatedAt: Int64
    /// Filled by reads that ask for them (the operators' list), oldest first.
    public var attemptLog: [WebhookAttempt] = []

    public enum Status: String, Sendable, CaseIterable {
        case pending, succeeded, failed
    }
}

/// One attempt at a delivery, as operators see it.
public struct WebhookAttempt: Sendable, Equatable {
    public var attempt: Int
    public var attemptedAt: Int64
    /// The receiver's status, nil when no response came.
    public var statusCode: Int?
    /// Why no usable response came (`timeout`, `connection_refused`, `tls_unknown_ca`, …).
    public var error: String?
    public var latencyMilliseconds: Int64
    /// The first bytes of the answer (at most `WebhookOutbox.excerptLimit`).
    public var responseExcerpt: String

    public init(attempt: Int, attemptedAt: Int64, statusCode: Int?, error: String?, latencyMilliseconds: Int64, responseExcerpt: String) {
        self.attempt = attempt
        self.attemptedAt = attemptedAt
        self.statusCode = statusCode
        self.error = error
        self.latencyMilliseconds = latencyMilliseconds
        self.responseExcerpt = responseExcerpt
    }
}

/// An endpoint's queue as operators and metrics see it.
public struct WebhookEndpointStats: Sendable, Equatable {
    public var pending: Int64 = 0
    /// When the oldest pending delivery was written (Unix ms), nil when none is pending.
    public var oldestPendingAt: Int64?
    public var failed: Int64 = 0
    public var failedAttempts: Int64 = 0

    public init() {}
}
