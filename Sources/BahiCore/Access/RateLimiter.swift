import Synchronization

/// A token bucket per API key: `rate` tokens a second up to `burst`. In memory, per process:
/// it protects the server from one runaway script, it is not a billing meter.
public final class RateLimiter: Sendable {
    public let rate: Double
    public let burst: Double
    private let buckets = Mutex<[String: (tokens: Double, at: UInt64)]>([:])

    public init(requestsPerSecond: Int, burst: Int) {
        self.rate = Double(max(1, requestsPerSecond))
        self.burst = Double(max(1, burst))
    }

    /// Takes one token for `key` at monotonic time `now` (nanoseconds). Returns nil if
    /// allowed, or the seconds to wait before a token is available (for `Retry-After`).
    public func take(_ key: String, now: UInt64) -> Int? {
        buckets.withLock { table in
            var bucket = table[key] ?? (tokens: burst, at: now)
            let elapsed = Double(now &- bucket.at) / 1e9
            bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
            bucket.at = now
            defer { table[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            let wait = (1 - bucket.tokens) / rate
            return max(1, Int(wait.rounded(.up)))
        }
    }
}
