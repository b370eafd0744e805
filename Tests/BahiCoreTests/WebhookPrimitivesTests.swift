import Testing
@testable import BahiCore

/// The pure pieces of outbound webhooks: Standard Webhooks signatures (the spec's published
/// vector), base64, the retry schedule, the URL and address policy, event patterns.
@Suite struct WebhookPrimitivesTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp: Int64 = 1_614_265_330
    static let body = Array(#"{"test": 2432232314}"#.utf8)

    @Test func signsTheSpecsPublishedVector() {
        #expect(WebhookSignature.sign(secret: Self.secret, id: Self.id, timestamp: Self.timestamp, body: Self.body)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        // The prefix is optional, as in the reference libraries.
        #expect(WebhookSignature.sign(secret: String(Self.secret.dropFirst(6)), id: Self.id, timestamp: Self.timestamp, body: Self.body)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(WebhookSignature.sign(secret: "whsec_short", id: Self.id, timestamp: Self.timestamp, body: Self.body) == nil)
        // During a rotation both secrets sign, space-separated.
        let other = WebhookSecret.generate()
        let header = WebhookSignature.header(secrets: [other, Self.secret], id: Self.id, timestamp: Self.timestamp, body: Self.body)
        #expect(header.split(separator: " ").count == 2 && header.hasSuffix(" v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="))
    }

    @Test func verifiesAsTheSpecsNegativeCasesSay() {
        func verify(_ header: String?, id: String? = Self.id, timestamp: String? = "1614265330", body: [UInt8] = Self.body,
                    now: Int64 = Self.timestamp) -> WebhookSignature.Rejection? {
            WebhookSignature.verify(secret: Self.secret, id: id, timestamp: timestamp, signatureHeader: header, body: body, now: now)
        }
        let valid = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        #expect(verify(valid) == nil)
        #expect(verify("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=") == .noMatchingSignature)
        #expect(verify("v1,bad v2,bad \(valid) v1,bad") == nil)
        #expect(verify(valid, body: Array(#"{"test": 2432232315}"#.utf8)) == .noMatchingSignature)
        #expect(verify(valid, now: Self.timestamp + 301) == .timestampOutOfTolerance)
        #expect(verify(valid, now: Self.timestamp - 301) == .timestampOutOfTolerance)
        #expect(verify(valid, now: Self.timestamp + 299) == nil)
        #expect(verify(nil) == .missingHeader("webhook-signature"))
        #expect(verify(valid, id: nil) == .missingHeader("webhook-id"))
        #expect(verify(valid, timestamp: nil) == .missingHeader("webhook-timestamp"))
        #expect(verify(valid, timestamp: "soon") == .invalidTimestamp)
    }

    @Test func generatedSecretsAreWhsecOf32RandomBytes() {
        let a = WebhookSecret.generate(), b = WebhookSecret.generate()
        #expect(a.hasPrefix("whsec_") && a != b)
        #expect(WebhookSecret.key(a)?.count == 32)
    }

    @Test func base64FollowsRFC4648() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        let all = (0...255).map(UInt8.init)
        #expect(Base64.decode(Base64.encode(all)) == all)
        for bad in ["Zg=", "Zg=a", "Z===", "Zh==", "Zm9v!A==", "=Zm9"] { #expect(Base64.decode(bad) == nil, "\(bad)") }
    }

    @Test func retriesOnTheStandardScheduleForThreeDays() {
        let schedule = RetrySchedule.standard
        let now: Int64 = 1_000_000
        var total: Int64 = 0
        for attempt in 1..<schedule.maxAttempts {
            guard case .retry(let at) = schedule.next(after: attempt, .failed(retryAfterSeconds: nil), now: now) else {
                Issue.record("attempt \(attempt) should retry"); return
            }
            total += (at - now) / 1000
        }
        #expect(schedule.maxAttempts == 11)
        #expect(total == 75 * 3600 + 35 * 60 + 5)  // the spec's last attempt at 75:35:05
        #expect(schedule.next(after: 1, .failed(retryAfterSeconds: nil), now: now) == .retry(at: now))
        #expect(schedule.next(after: 2, .failed(retryAfterSeconds: nil), now: now) == .retry(at: now + 5_000))
        #expect(schedule.next(after: 11, .failed(retryAfterSeconds: nil), now: now) == .exhausted)
        #expect(schedule.next(after: 3, .succeeded, now: now) == .succeeded)
        #expect(schedule.next(after: 3, .gone, now: now) == .disableEndpoint)
        // Retry-After stretches a short delay, never shortens a long one, and is capped at a day.
        #expect(schedule.next(after: 2, .failed(retryAfterSeconds: 120), now: now) == .retry(at: now + 120_000))
        #expect(schedule.next(after: 4, .failed(retryAfterSeconds: 120), now: now) == .retry(at: now + 1_800_000))
        #expect(schedule.next(after: 2, .failed(retryAfterSeconds: 10_000_000), now: now) == .retry(at: now + 86_400_000))
    }

    @Test func classifiesAnswers() {
        #expect(DeliveryOutcome.classify(status: 200, retryAfter: nil) == .succeeded)
        #expect(DeliveryOutcome.classify(status: 204, retryAfter: nil) == .succeeded)
        #expect(DeliveryOutcome.classify(status: 301, retryAfter: nil) == .failed(retryAfterSeconds: nil))
        #expect(DeliveryOutcome.classify(status: 410, retryAfter: nil) == .gone)
        #expect(DeliveryOutcome.classify(status: 429, retryAfter: " 30 ") == .failed(retryAfterSeconds: 30))
        #expect(DeliveryOutcome.classify(status: 503, retryAfter: "Fri, 04 Dec 2026 10:00:00 GMT") == .failed(retryAfterSeconds: nil))
        #expect(DeliveryOutcome.classify(status: 500, retryAfter: "30") == .failed(retryAfterSeconds: nil))
        #expect(DeliveryOutcome.classify(status: nil, retryAfter: nil) == .failed(retryAfterSeconds: nil))
    }

    @Test func urlsMustBePublicHTTPSUnlessConfigured() throws {
        let strict = WebhookURLPolicy()
        let ok = try strict.check("https://erp.example.com:8443/hooks/bahi?x=1").get()
        #expect(ok == .init(secure: true, host: "erp.example.com", port: 8443, target: "/hooks/bahi?x=1"))
        #expect(try strict.check("https://Example.COM").get() == .init(secure: true, host: "example.com", port: 443, target: "/"))
        func code(_ url: String, _ policy: WebhookURLPolicy = WebhookURLPolicy()) -> String? {
            guard case .failure(let error) = policy.check(url) else { return nil }
            return error.problems.first?.code
        }
        #expect(code("http://erp.example.com/") == "https_required")
        #expect(code("http://erp.example.com/", WebhookURLPolicy(allowHTTP: true)) == nil)
        #expect(code("ftp://erp.example.com/") == "invalid_url")
        #expect(code("https://user:pw@erp.example.com/") == "invalid_url")
        #expect(code("https://erp.example.com:0/") == "invalid_url")
        #expect(code("https://erp.example.com/#x") == "invalid_url")
        for host in ["localhost", "127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                     "[::1]", "[fe80::1]", "[fd00::1]", "[::ffff:127.0.0.1]", "[::]", "metadata.google.internal"] {
            #expect(code("https://\(host)/") == "private_address", "\(host)")
            #expect(code("https://\(host)/", WebhookURLPolicy(allowPrivateNetworks: true)) == nil, "\(host)")
        }
        for host in ["8.8.8.8", "[2606:4700:4700::1111]", "[::ffff:8.8.8.8]"] { #expect(code("https://\(host)/") == nil, "\(host)") }
        #expect(!strict.mayConnect(to: "127.0.0.1") && !strict.mayConnect(to: "::1") && strict.mayConnect(to: "1.1.1.1"))
        #expect(WebhookURLPolicy(allowPrivateNetworks: true).mayConnect(to: "127.0.0.1"))
        #expect(IPAddress("01.2.3.4") == nil && IPAddress("1.2.3") == nil && IPAddress("1::2::3") == nil && IPAddress("12345::") == nil)
    }

    @Test func patternsMatchTypesTheCatalogueHas() throws {
        let family = try #require(EventPattern("order.*"))
        #expect(family.matches("order.created") && !family.matches("orders.created") && !family.matches("inventory.changed"))
        let exact = try #require(EventPattern("inventory.changed"))
        #expect(exact.matches("inventory.changed") && !exact.matches("inventory.changed.more"))
        #expect(EventPattern("*")?.matches("anything") == true)
        #expect(EventPattern("ordr.*") == nil && EventPattern("inventory.chnged") == nil && EventPattern("") == nil)
    }
}
