/// When a webhook delivery is tried again, and what a receiver's answer means.
///
/// Why a pure type: the schedule spans days, so it is tested with numbers, not clocks; the
/// delivery worker feeds it the attempt count, the answer and the time, and stores what it
/// returns.
public struct RetrySchedule: Sendable, Equatable {
    /// Delay before each attempt after the first failure, in seconds: Standard Webhooks'
    /// recommendation (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h).
    public var delaysSeconds: [Int64]

    public static let standard = RetrySchedule(delaysSeconds: [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400])

    public init(delaysSeconds: [Int64]) {
        self.delaysSeconds = delaysSeconds
    }

    /// How many attempts a delivery gets in all: the first, then one per delay.
    public var maxAttempts: Int { delaysSeconds.count + 1 }

    /// What happens after attempt number `attempt` (1 for the first) ended in `outcome` at
    /// `now` (milliseconds).
    public func next(after attempt: Int, _ outcome: DeliveryOutcome, now: Int64) -> DeliveryDecision {
        switch outcome {
        case .succeeded:
            return .succeeded
        case .gone:
            return .disableEndpoint
        case .failed(let retryAfterSeconds):
            guard attempt < maxAttempts, attempt >= 1 else { return .exhausted }
            var delay = delaysSeconds[attempt - 1]
            // A receiver that asked for time (429, 503 with Retry-After) gets at least that
            // long, bounded by a day so that a wild value cannot park a delivery for ever.
            if let retryAfterSeconds { delay = max(delay, min(retryAfterSeconds, 86_400)) }
            return .retry(at: now + delay * 1000)
        }
    }
}

/// What one delivery attempt came to, from the receiver's answer.
public enum DeliveryOutcome: Sendable, Equatable {
    /// Any 2xx.
    case succeeded
    /// 410 Gone: the receiver wants no more (the endpoint is disabled).
    case gone
    /// Anything else: another status (3xx included: redirects are not followed), a timeout,
    /// a refused connection, a TLS failure. `retryAfterSeconds` when a 429 or 503 said when.
    case failed(retryAfterSeconds: Int64?)

    /// Classifies an answer: `status` nil when no response came; `retryAfter` the header's
    /// value (delta-seconds; an HTTP date is not honoured and the schedule applies).
    public static func classify(status: Int?, retryAfter: String?) -> DeliveryOutcome {
        guard let status else { return .failed(retryAfterSeconds: nil) }
        if (200...299).contains(status) { return .succeeded }
        if status == 410 { return .gone }
        if status == 429 || status == 503, let text = retryAfter?.trimmingSpaces, let seconds = Int64(text), seconds >= 0 {
            return .failed(retryAfterSeconds: seconds)
        }
        return .failed(retryAfterSeconds: nil)
    }
}

/// What to do with a delivery after an attempt.
public enum DeliveryDecision: Sendable, Equatable {
    case succeeded
    /// Try again at this time (milliseconds).
    case retry(at: Int64)
    /// The last attempt failed: the delivery is `failed` (replayable by an operator).
    case exhausted
    /// The receiver answered 410: disable the endpoint.
    case disableEndpoint
}
