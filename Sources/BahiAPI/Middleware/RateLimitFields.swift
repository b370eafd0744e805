public import BahiCore
public import BahiHTTP

/// The `RateLimit-Policy` and `RateLimit` response fields of one policy
/// (draft-ietf-httpapi-ratelimit-headers-11), formatted once.
///
/// `RateLimit-Policy: "storefront";q=10000;w=1;bahi-burst=20000` says the key's bucket refills
/// at `q` requests a second (`w=1`) and holds up to `bahi-burst`; `RateLimit:
/// "storefront";r=19999;t=1` says how many requests it may send at once right now. On a 429
/// `r=0` and `t` equals `Retry-After`. The policy field never changes for a key, so it is one
/// shared string; the per-request field is the cached prefix and two small integers, so the
/// hot path (holds at ~20k requests a second) formats no more than that.
public final class RateLimitFields: Sendable {
    public static let policyName = "RateLimit-Policy"
    public static let limitName = "RateLimit"

    public let policy: RateLimitPolicy
    /// The whole `RateLimit-Policy` value.
    public let policyValue: String
    /// `"name";r=`: the start of every `RateLimit` value.
    private let remainingPrefix: String

    public init(_ policy: RateLimitPolicy) {
        self.policy = policy
        // The name is a structured-field String: Bahi's names are role names or "key", so
        // there is nothing to escape.
        let quoted = "\"" + policy.name + "\""
        self.policyValue = quoted + ";q=\(policy.limit.requestsPerSecond);w=1;bahi-burst=\(policy.limit.burst)"
        self.remainingPrefix = quoted + ";r="
    }

    /// The `RateLimit` value after `decision`.
    public func limitValue(_ decision: RateLimiter.Decision) -> String {
        // One buffer, sized once: the integers' own strings are small (no allocation).
        var value = ""
        value.reserveCapacity(remainingPrefix.utf8.count + 32)
        value += remainingPrefix
        value += String(decision.remaining)
        value += decision.allowed ? ";t=1" : ";t=" + String(decision.retryAfterSeconds)
        return value
    }

    /// Adds both fields for `decision`.
    public func add(to headers: inout HTTPHeaders, _ decision: RateLimiter.Decision) {
        headers.add(name: Self.policyName, value: policyValue)
        headers.add(name: Self.limitName, value: limitValue(decision))
    }
}
