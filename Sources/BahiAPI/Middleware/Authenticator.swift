public import BahiCore
public import BahiHTTP
import Synchronization

/// An authenticated request's caller, and what it took from its key's rate limit.
public struct Caller: Sendable {
    public let principal: Principal
    /// The key's policy, its fields formatted once.
    public let rateLimit: RateLimitFields
    /// What this request took from the key's bucket.
    public let decision: RateLimiter.Decision

    /// Adds `RateLimit-Policy` and `RateLimit` to a response to this caller.
    public func addRateLimitFields(to headers: inout HTTPHeaders) {
        rateLimit.add(to: &headers, decision)
    }
}

/// Authenticates `Authorization: Bearer bahi_…` and applies roles and the rate limit.
///
/// Looked-up keys are cached for `cacheTTL` (a revocation takes effect within it, even when
/// made by `bahi keys revoke` in another process); unknown secrets are cached too, so a
/// client hammering with a bad key costs no database read per request. Each key is held to
/// its own limit, else its role's (`RoleRateLimits`); the cached entry carries the policy's
/// formatted fields, so a request formats only its remaining count.
public final class Authenticator: Sendable {
    let directory: any KeyDirectory
    let limiter = RateLimiter()
    /// Which limit applies to which key.
    public let limits: RoleRateLimits
    /// Each role's fields, made once.
    private let roleFields: [Role: RateLimitFields]
    let cacheTTLNanoseconds: UInt64
    let log: ErrorLog
    private let cache = Mutex<[String: (principal: Principal?, fields: RateLimitFields?, until: UInt64)]>([:])
    private let touched = Mutex<[String: UInt64]>([:])

    /// `log` hears of failures no response reports (recording a key's last use).
    public init(directory: any KeyDirectory, limits: RoleRateLimits, cacheTTL: Duration = .seconds(2), log: ErrorLog = .standardOutput) {
        self.directory = directory
        self.log = log
        self.limits = limits
        var fields: [Role: RateLimitFields] = [:]
        for role in Role.allCases { fields[role] = RateLimitFields(limits.policy(for: role)) }
        self.roleFields = fields
        let (seconds, attoseconds) = cacheTTL.components
        self.cacheTTLNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    /// The caller of `request`, if allowed to call a route open to `roles` and within its
    /// key's rate limit (else 401, 403, or 429 with `Retry-After` and the rate-limit fields).
    public func authenticate(_ request: HTTPRequest, roles: Set<Role>) async throws(HTTPError) -> Caller {
        guard let header = request.headers["authorization"] else {
            throw HTTPError(.unauthorized, code: "unauthenticated",
                            detail: "Send an API key: Authorization: Bearer bahi_… (create one with `bahi keys create`).",
                            headers: ["WWW-Authenticate": "Bearer realm=\"bahi\""])
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", APIKeySecret.isWellFormed(String(parts[1])) else {
            throw invalidKey
        }
        let secret = String(parts[1])
        let hash = APIKeySecret.hash(secret)
        let cacheKey = Digest.hex(hash)
        let now = Clock.monotonicNanoseconds()
        var principal: Principal?
        var fields: RateLimitFields?
        if let cached = cache.withLock({ $0[cacheKey] }), cached.until > now {
            principal = cached.principal
            fields = cached.fields
        } else {
            do {
                principal = try await directory.principal(forSecretHash: hash)
            } catch {
                throw HTTPError(.serviceUnavailable, code: "store_unavailable", detail: "Keys could not be checked; retry shortly.", cause: error)
            }
            fields = principal.map(self.fields(for:))
            let entry = (principal: principal, fields: fields, until: now &+ cacheTTLNanoseconds)
            cache.withLock { table in
                if table.count > 10_000 { table.removeAll(keepingCapacity: true) }
                table[cacheKey] = entry
            }
        }
        guard let principal, let fields else { throw invalidKey }
        guard principal.role == .admin || roles.contains(principal.role) else {
            let allowed = (roles.union([.admin])).sorted().map(\.rawValue).joined(separator: ", ")
            throw HTTPError(.forbidden, code: "forbidden",
                            detail: "A \(principal.role.rawValue) key may not call \(request.method) \(request.path); roles allowed: \(allowed).")
        }
        let limit = fields.policy.limit
        let decision = limiter.take(principal.keyID, limit: limit, now: now)
        guard decision.allowed else {
            var headers: HTTPHeaders = ["Retry-After": String(decision.retryAfterSeconds)]
            fields.add(to: &headers, decision)
            throw HTTPError(.tooManyRequests, code: "rate_limited",
                            detail: "This key is over its rate limit (\(limit.requestsPerSecond) requests a second, bursts of \(limit.burst): the \(fields.policy.name) policy); retry after \(decision.retryAfterSeconds) s. A key that needs more: bahi keys create --rate-limit N/s, or rate_limit.roles.\(principal.role.rawValue) in the configuration.",
                            headers: headers)
        }
        recordUse(principal.keyID, now: now)
        return Caller(principal: principal, rateLimit: fields, decision: decision)
    }

    /// The key's fields: its role's, shared, or its own limit's, made at lookup.
    private func fields(for principal: Principal) -> RateLimitFields {
        let policy = limits.policy(for: principal)
        if principal.rateLimit == nil, let shared = roleFields[principal.role], shared.policy == policy { return shared }
        return RateLimitFields(policy)
    }

    private var invalidKey: HTTPError {
        HTTPError(.unauthorized, code: "invalid_api_key", detail: "The API key is malformed, unknown or revoked.",
                  headers: ["WWW-Authenticate": "Bearer realm=\"bahi\", error=\"invalid_token\""])
    }

    /// Updates `last_used_at` at most once a minute per key, off the request's path.
    private func recordUse(_ keyID: String, now: UInt64) {
        let due = touched.withLock { table -> Bool in
            if let last = table[keyID], now &- last < 60_000_000_000 { return false }
            table[keyID] = now
            return true
        }
        guard due else { return }
        let directory = self.directory, log = self.log
        Task {
            do {
                try await directory.touch(keyID: keyID, at: WallClock.milliseconds())
            } catch {
                log.error("recording a key's last use failed", [("key_id", .string(keyID))], cause: error)
            }
        }
    }

    /// Forgets cached lookups (after a revocation in this process).
    public func invalidateCache() {
        cache.withLock { $0.removeAll() }
    }
}
