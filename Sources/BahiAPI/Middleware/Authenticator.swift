public import BahiCore
public import BahiHTTP
import Synchronization

/// Authenticates `Authorization: Bearer bahi_…` and applies roles and the rate limit.
///
/// Looked-up keys are cached for `cacheTTL` (a revocation takes effect within it, even when
/// made by `bahi keys revoke` in another process); unknown secrets are cached too, so a
/// client hammering with a bad key costs no database read per request.
public final class Authenticator: Sendable {
    let directory: any KeyDirectory
    let limiter: RateLimiter
    let cacheTTLNanoseconds: UInt64
    let log: ErrorLog
    private let cache = Mutex<[String: (principal: Principal?, until: UInt64)]>([:])
    private let touched = Mutex<[String: UInt64]>([:])

    /// `log` hears of failures no response reports (recording a key's last use).
    public init(directory: any KeyDirectory, limiter: RateLimiter, cacheTTL: Duration = .seconds(2), log: ErrorLog = .standardOutput) {
        self.directory = directory
        self.log = log
        self.limiter = limiter
        let (seconds, attoseconds) = cacheTTL.components
        self.cacheTTLNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    /// The caller of `request`, if allowed to call a route open to `roles`.
    public func authenticate(_ request: HTTPRequest, roles: Set<Role>) async throws(HTTPError) -> Principal {
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
        if let cached = cache.withLock({ $0[cacheKey] }), cached.until > now {
            principal = cached.principal
        } else {
            do {
                principal = try await directory.principal(forSecretHash: hash)
            } catch {
                throw HTTPError(.serviceUnavailable, code: "store_unavailable", detail: "Keys could not be checked; retry shortly.", cause: error)
            }
            let entry = (principal: principal, until: now &+ cacheTTLNanoseconds)
            cache.withLock { table in
                if table.count > 10_000 { table.removeAll(keepingCapacity: true) }
                table[cacheKey] = entry
            }
        }
        guard let principal else { throw invalidKey }
        guard principal.role == .admin || roles.contains(principal.role) else {
            let allowed = (roles.union([.admin])).sorted().map(\.rawValue).joined(separator: ", ")
            throw HTTPError(.forbidden, code: "forbidden",
                            detail: "A \(principal.role.rawValue) key may not call \(request.method) \(request.path); roles allowed: \(allowed).")
        }
        if let wait = limiter.take(principal.keyID, now: now) {
            throw HTTPError(.tooManyRequests, code: "rate_limited",
                            detail: "This key is over its rate limit (\(Int(limiter.rate)) requests per second); retry after \(wait) s.",
                            headers: ["Retry-After": String(wait)])
        }
        recordUse(principal.keyID, now: now)
        return principal
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
