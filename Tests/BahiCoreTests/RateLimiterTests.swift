import Testing
import BahiCore

/// The per-role token buckets, on a clock the test moves: no sleeping, no server.
@Suite struct RateLimiterTests {
    static let limits = RoleRateLimits(
        defaultLimit: RateLimit(requestsPerSecond: 200, burst: 400),
        roles: [.storefront: RateLimit(requestsPerSecond: 10_000, burst: 20_000), .support: RateLimit(requestsPerSecond: 5, burst: 5)])

    @Test func eachKeyGetsItsOwnLimitElseItsRolesElseTheDefault() {
        #expect(Self.limits.policy(for: Principal(keyID: "s", role: .storefront, channel: "web"))
                == RateLimitPolicy(name: "storefront", limit: RateLimit(requestsPerSecond: 10_000, burst: 20_000)))
        #expect(Self.limits.policy(for: Principal(keyID: "a", role: .admin)) == RateLimitPolicy(name: "admin", limit: RateLimit(requestsPerSecond: 200, burst: 400)))
        #expect(Self.limits.policy(for: Principal(keyID: "u", role: .support)).limit.requestsPerSecond == 5)
        let own = Principal(keyID: "k", role: .storefront, channel: "web", rateLimit: RateLimit(requestsPerSecond: 50))
        #expect(Self.limits.policy(for: own) == RateLimitPolicy(name: "key", limit: RateLimit(requestsPerSecond: 50, burst: 100)))
    }

    @Test func aFlashSaleThroughOneStorefrontKeyIsNeverLimited() {
        // 5,000 checkouts through one storefront key within a quarter of a second: all pass,
        // where the default (200/s, burst 400) would have refused most of them.
        let limiter = RateLimiter()
        let storefront = Self.limits.policy(for: .storefront).limit
        let fallback = Self.limits.defaultLimit
        var passed = 0, passedAtDefault = 0
        for i in 0..<5_000 {
            let now = UInt64(i) * 50_000  // 50 µs apart: 20,000 a second
            if limiter.take("store", limit: storefront, now: now).allowed { passed += 1 }
            if limiter.take("script", limit: fallback, now: now).allowed { passedAtDefault += 1 }
        }
        #expect(passed == 5_000)
        #expect(passedAtDefault < 500)
    }

    @Test func bucketsRefillAtTheRateUpToTheBurst() {
        let limiter = RateLimiter()
        let limit = RateLimit(requestsPerSecond: 10, burst: 2)
        #expect(limiter.take("k", limit: limit, now: 0) == .init(allowed: true, remaining: 1, retryAfterSeconds: 0))
        #expect(limiter.take("k", limit: limit, now: 0) == .init(allowed: true, remaining: 0, retryAfterSeconds: 0))
        #expect(limiter.take("k", limit: limit, now: 0) == .init(allowed: false, remaining: 0, retryAfterSeconds: 1))
        #expect(limiter.take("k", limit: limit, now: 100_000_000).allowed)  // 0.1 s later: one token back
        #expect(!limiter.take("k", limit: limit, now: 100_000_000).allowed)
        // An hour idle refills to the burst, not beyond.
        #expect(limiter.take("k", limit: limit, now: 3_600_000_000_000).remaining == 1)
        // A slow limit's Retry-After is the whole seconds until a token is back.
        let slow = RateLimit(requestsPerSecond: 1, burst: 1)
        #expect(limiter.take("s", limit: slow, now: 0).allowed)
        #expect(limiter.take("s", limit: slow, now: 0).retryAfterSeconds == 1)
        // Keys never share a bucket.
        #expect(limiter.take("other", limit: slow, now: 0).allowed)
    }

    @Test func perKeyLimitsReadAsNPerSecond() {
        #expect(RateLimit(text: "500/s") == RateLimit(requestsPerSecond: 500, burst: 1000))
        #expect(RateLimit(text: "20") == RateLimit(requestsPerSecond: 20, burst: 40))
        for bad in ["", "/s", "5/m", "-5/s", "1.5/s", "ten/s", "9999999999/s"] { #expect(RateLimit(text: bad) == nil, "\(bad)") }
        #expect(RateLimit(requestsPerSecond: 0, burst: 0).problem != nil)
        #expect(RateLimit(requestsPerSecond: 10, burst: 5).problem != nil)
        #expect(RateLimit(requestsPerSecond: 10, burst: 10).problem == nil)
    }
}
