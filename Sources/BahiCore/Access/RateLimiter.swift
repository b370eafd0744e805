import Synchronization

/// A token bucket per API key, each with its key's `RateLimit`. In memory, per process: it
/// protects the server from one runaway script, it is not a billing meter.
public final class RateLimiter: Sendable {
    /// What one request got: allowed or not, the whole tokens left, and when not allowed the
    /// seconds until a token is back (for `Retry-After`).
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var remaining: Int
        public var retryAfterSeconds: Int

        public init(allowed: Bool, remaining: Int, retryAfterSeconds: Int) {
            self.allowed = allowed
            self.remaining = remaining
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    private struct Bucket {
        var tokens: Double
        var at: UInt64
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    public init() {}

    /// Takes one token from `key`'s bucket, shaped by `limit`, at monotonic time `now`
    /// (nanoseconds). A new bucket starts full. Cheap: one lock, one dictionary lookup, no
    /// allocation once the key has a bucket.
    public func take(_ key: String, limit: RateLimit, now: UInt64) -> Decision {
        let rate = Double(max(1, limit.requestsPerSecond))
        let burst = Double(max(1, limit.burst))
        return buckets.withLock { table in
            var bucket = table[key] ?? Bucket(tokens: burst, at: now)
            let elapsed = Double(now &- bucket.at) / 1e9
            bucket.tokens = min(burst, bucket.tokens + max(0, elapsed) * rate)
            bucket.at = now
            defer { table[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return Decision(allowed: true, remaining: Int(bucket.tokens), retryAfterSeconds: 0)
            }
            let wait = (1 - bucket.tokens) / rate
            return Decision(allowed: false, remaining: 0, retryAfterSeconds: max(1, Int(wait.rounded(.up))))
        }
    }
}
