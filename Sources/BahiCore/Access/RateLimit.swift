/// A token bucket's shape: `requestsPerSecond` tokens a second, up to `burst` saved up.
///
/// Why a bucket and not a fixed window: a storefront's traffic comes in surges (a sale opens
/// at noon), and the burst lets a surge through at once while the rate still bounds what a
/// runaway script can do over time.
public struct RateLimit: Sendable, Equatable, Hashable {
    public var requestsPerSecond: Int
    public var burst: Int

    /// The largest rate and burst Bahi accepts (a million requests a second is "unlimited"
    /// for one process).
    public static let maxRequestsPerSecond = 1_000_000
    public static let maxBurst = 10_000_000

    public init(requestsPerSecond: Int, burst: Int) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
    }

    /// `requestsPerSecond` with the default burst: two seconds' worth.
    public init(requestsPerSecond: Int) {
        self.init(requestsPerSecond: requestsPerSecond, burst: min(Self.maxBurst, requestsPerSecond * 2))
    }

    /// Why a limit is out of range, or nil if it is usable.
    public var problem: String? {
        if !(1...Self.maxRequestsPerSecond).contains(requestsPerSecond) {
            return "the rate must be from 1 to \(Self.maxRequestsPerSecond) requests a second, not \(requestsPerSecond)"
        }
        if burst < requestsPerSecond || burst > Self.maxBurst {
            return "the burst must be from the rate (\(requestsPerSecond)) to \(Self.maxBurst), not \(burst)"
        }
        return nil
    }

    /// Reads `N/s` (or a bare `N`), the form `bahi keys create --rate-limit` takes; nil if
    /// it is not that shape. The burst is two seconds' worth.
    public init?(text: String) {
        var digits = Substring(text)
        if digits.hasSuffix("/s") { digits = digits.dropLast(2) }
        guard !digits.isEmpty, digits.utf8.count <= 9, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(digits) else {
            return nil
        }
        self.init(requestsPerSecond: n)
    }
}

/// The limit a key is held to, with the name clients see it by in `RateLimit-Policy`: the
/// role's name for a role's default, `key` for a limit set on the key itself.
public struct RateLimitPolicy: Sendable, Equatable, Hashable {
    public var name: String
    public var limit: RateLimit

    public init(name: String, limit: RateLimit) {
        self.name = name
        self.limit = limit
    }
}

/// Which limit applies to which key: a key's own (`bahi keys create --rate-limit`), else its
/// role's, else the default.
///
/// Why per role: one storefront key carries every buyer of a storefront (a flash sale is
/// thousands of checkouts a second through it), while an admin or support key is one person
/// or script, and a modest limit there catches a runaway loop.
public struct RoleRateLimits: Sendable, Equatable {
    /// For a role without a limit of its own.
    public var defaultLimit: RateLimit
    /// Roles with their own limit.
    public var roles: [Role: RateLimit]

    public init(defaultLimit: RateLimit, roles: [Role: RateLimit] = [:]) {
        self.defaultLimit = defaultLimit
        self.roles = roles
    }

    /// The role's policy (not counting a key's own limit).
    public func policy(for role: Role) -> RateLimitPolicy {
        RateLimitPolicy(name: role.rawValue, limit: roles[role] ?? defaultLimit)
    }

    /// The policy `principal` is held to.
    public func policy(for principal: Principal) -> RateLimitPolicy {
        if let own = principal.rateLimit { return RateLimitPolicy(name: "key", limit: own) }
        return policy(for: principal.role)
    }
}
