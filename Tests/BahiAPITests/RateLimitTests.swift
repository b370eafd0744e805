import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON

/// Limits per role and per key, and the IETF draft's `RateLimit-Policy` / `RateLimit` fields
/// on every answer to a key.
@Suite struct RateLimitTests {
    @Test func storefrontKeysCarryAFlashSaleByDefault() async throws {
        try await withApp { app, _ in
            let api = BahiApplication.makeAPI(app)
            let storefront = try await app.keys.create(name: "web", role: .storefront, channel: "web", actor: "t").secret
            let me = await send(api, .get, "/v1/me", key: storefront)
            #expect(me.status == .ok)
            #expect(me.headers["RateLimit-Policy"] == #""storefront";q=10000;w=1;bahi-burst=20000"#)
            #expect(me.headers["RateLimit"] == #""storefront";r=19999;t=1"#)
            // An error answer tells the limit too.
            let missing = await send(api, .get, "/v1/orders/ord_01KBVZ3X6Q0000000000000000", key: storefront)
            #expect(missing.status == .notFound)
            #expect(missing.headers["RateLimit"]?.hasPrefix(#""storefront";r=1999"#) == true)  // refilled at 10,000 a second meanwhile
            // Other roles keep the modest default; open routes carry no limit.
            let admin = try await app.keys.create(name: "a", role: .admin, channel: nil, actor: "t").secret
            #expect(await send(api, .get, "/v1/me", key: admin).headers["RateLimit-Policy"] == #""admin";q=200;w=1;bahi-burst=400"#)
            #expect(await send(api, .get, "/v1/health").headers["RateLimit"] == nil)
        }
    }

    @Test func overTheLimitIs429WithRetryAfterAndTheFields() async throws {
        try await withApp(configure: { $0.rateLimit.requestsPerSecond = 1; $0.rateLimit.burst = 2 }) { app, _ in
            let api = BahiApplication.makeAPI(app)
            let support = try await app.keys.create(name: "s", role: .support, channel: nil, actor: "t").secret
            var responses: [HTTPResponse] = []
            repeat {
                responses.append(await send(api, .get, "/v1/me", key: support))
            } while responses.last?.status.code != 429 && responses.count < 20
            let limited = try #require(responses.last)
            #expect(limited.status.code == 429)
            #expect(limited.headers["Content-Type"] == "application/problem+json")
            #expect(limited.headers["Retry-After"] == "1")
            #expect(limited.headers["RateLimit-Policy"] == #""support";q=1;w=1;bahi-burst=2"#)
            #expect(limited.headers["RateLimit"] == #""support";r=0;t=1"#)
            #expect(limited.text.contains("--rate-limit"))
        }
    }

    @Test func aKeysOwnLimitReplacesItsRoles() async throws {
        try await withApp { app, _ in
            let api = BahiApplication.makeAPI(app)
            let (record, secret) = try await app.keys.create(
                name: "slow script", role: .admin, channel: nil, rateLimit: RateLimit(requestsPerSecond: 1, burst: 2), actor: "t")
            #expect(record.rateLimit == RateLimit(requestsPerSecond: 1, burst: 2))
            let first = await send(api, .get, "/v1/me", key: secret)
            #expect(first.headers["RateLimit-Policy"] == #""key";q=1;w=1;bahi-burst=2"#)
            var statuses = [first.status.code]
            repeat {
                statuses.append(await send(api, .get, "/v1/me", key: secret).status.code)
            } while statuses.last != 429 && statuses.count < 20
            #expect(statuses.last == 429)
            // Stored with the key and listed.
            let listed = await send(api, .get, "/v1/keys", key: try await app.keys.create(name: "b", role: .admin, channel: nil, actor: "t").secret)
            #expect(listed.text.contains(#""rate_limit":{"requests_per_second":1,"burst":2}"#), "\(listed.text)")
            #expect(listed.text.contains(#""rate_limit":null"#))
            // An impossible limit is refused with the reason.
            await #expect(throws: APIKeyError.self) {
                _ = try await app.keys.create(name: "x", role: .admin, channel: nil, rateLimit: RateLimit(requestsPerSecond: 10, burst: 5), actor: "t")
            }
        }
    }

    @Test func roleLimitsComeFromConfigurationAndTheOldKeysStillWork() throws {
        // The old keys set the default every role without its own follows.
        let old = try ConfigurationLoader.load(environment: ["BAHI_RATE_LIMIT_REQUESTS_PER_SECOND": "50", "BAHI_RATE_LIMIT_BURST": "60"])
        #expect(old.roleRateLimits.policy(for: .admin).limit == RateLimit(requestsPerSecond: 50, burst: 60))
        #expect(old.roleRateLimits.policy(for: .storefront).limit == RateLimit(requestsPerSecond: 10_000, burst: 20_000))
        // A role's own; a burst of 0 is two seconds' worth.
        let file = #"{"rate_limit": {"roles": {"support": {"requests_per_second": 5}, "storefront": {"requests_per_second": 50000, "burst": 100000}}}}"#
        let config = try ConfigurationLoader.load(file: ("bahi.json", Array(file.utf8)))
        #expect(config.roleRateLimits.policy(for: .support).limit == RateLimit(requestsPerSecond: 5, burst: 10))
        #expect(config.roleRateLimits.policy(for: .storefront).limit == RateLimit(requestsPerSecond: 50_000, burst: 100_000))
        #expect(config.roleRateLimits.policy(for: .finance).limit == RateLimit(requestsPerSecond: 200, burst: 400))
        // Mistakes name the key and the fix.
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(environment: ["BAHI_RATE_LIMIT_ROLES_FINANCE_BURST": "10"]) }
        do {
            _ = try ConfigurationLoader.load(environment: ["BAHI_RATE_LIMIT_ROLES_ADMIN_REQUESTS_PER_SECOND": "100", "BAHI_RATE_LIMIT_ROLES_ADMIN_BURST": "50"])
            Issue.record("accepted a burst below the rate")
        } catch {
            #expect(error.message.contains("rate_limit.roles.admin.burst"))
        }
    }
}
