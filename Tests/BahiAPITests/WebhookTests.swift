import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// The pieces the webhook tests share: the app with local endpoints allowed, an admin key, a
/// receiver on loopback, and a dispatcher on a clock the test moves.
struct WebhookWorld {
    let app: BahiContext
    let api: API
    let admin: String
    let receiver: WebhookReceiver
    let port: Int
    let clock: ManualClock
    let dispatcher: WebhookDispatcher

    /// Subscribes `http://127.0.0.1:<port><path>`; returns the endpoint id and its secret.
    func subscribe(_ events: [String], channel: String? = nil, path: String = "/hook", sourceLocation: SourceLocation = #_sourceLocation) async throws -> (id: String, secret: String) {
        var body = JSONObject()
        body["url"] = .string("http://127.0.0.1:\(port)\(path)")
        body["events"] = .array(events.map(JSONValue.string))
        if let channel { body["channel"] = .string(channel) }
        let response = await send(api, .post, "/v1/webhook-endpoints", key: admin, body: JSONValue.object(body).encodedText)
        #expect(response.status == .created, "\(response.text)", sourceLocation: sourceLocation)
        let id = try #require(response.json?["id"]?.text, sourceLocation: sourceLocation)
        let secret = try #require(response.json?["secret"]?.text, sourceLocation: sourceLocation)
        return (id, secret)
    }

    /// Receives `qty` units of `sku` at SURAT: one commit, one `inventory.changed` per SKU (and kit).
    func receive(_ sku: String, _ qty: Int) async {
        let response = await send(api, .post, "/v1/inventory/movements", key: admin,
                                  body: #"{"sku":"\#(sku)","location":"SURAT","kind":"receive","qty":\#(qty)}"#)
        #expect(response.status == .created, "\(response.text)")
    }

    func endpoint(_ id: String) async -> JSONObject? { await send(api, .get, "/v1/webhook-endpoints/\(id)", key: admin).json }

    func deliveries(_ id: String, status: String? = nil) async -> [JSONObject] {
        let response = await send(api, .get, "/v1/webhook-endpoints/\(id)/deliveries" + (status.map { "?status=\($0)" } ?? ""), key: admin)
        guard case .array(let items)? = response.json?["data"] else { return [] }
        return items.compactMap { if case .object(let o) = $0 { o } else { nil } }
    }
}

func withWebhooks(
    configure: @escaping (inout BahiConfiguration) -> Void = { _ in }, _ body: (WebhookWorld) async throws -> Void
) async throws {
    try await withApp(configure: { config in
        config.webhooks.allowHTTP = true
        config.webhooks.allowPrivateNetworks = true
        configure(&config)
    }) { app, _ in
        try await seedCatalog(app)
        let receiver = WebhookReceiver()
        let port = try receiver.start()
        let clock = ManualClock()
        let world = WebhookWorld(
            app: app, api: BahiApplication.makeAPI(app), admin: try await app.keys.create(name: "a", role: .admin, channel: nil, actor: "t").secret,
            receiver: receiver, port: port, clock: clock, dispatcher: try WebhookDispatcher(app, clock: clock.function))
        do {
            try await body(world)
        } catch {
            await receiver.stop()
            throw error
        }
        await receiver.stop()
    }
}

@Suite struct WebhookEndpointTests {
    @Test func theSecretIsShownOnceAndBadSubscriptionsAreRefusedByField() async throws {
        try await withWebhooks(configure: { $0.webhooks.allowPrivateNetworks = false; $0.webhooks.allowHTTP = false }) { w in
            func create(_ body: String) async -> HTTPResponse { await send(w.api, .post, "/v1/webhook-endpoints", key: w.admin, body: body) }
            func refusal(_ body: String) async -> (field: String?, code: String?) {
                let response = await create(body)
                #expect(response.status.code == 422, "\(body) → \(response.text)")
                guard case .array(let errors)? = response.json?["errors"], case .object(let first)? = errors.first else { return (nil, nil) }
                return (first["field"]?.text, first["code"]?.text)
            }
            #expect(await refusal(#"{"url":"http://erp.example.com/h","events":["order.*"]}"#) == ("url", "https_required"))
            for host in ["127.0.0.1", "169.254.169.254", "10.1.2.3", "[::1]", "localhost", "192.168.0.10", "100.64.0.1", "[fe80::1]"] {
                #expect(await refusal(#"{"url":"https://\#(host)/h","events":["order.*"]}"#) == ("url", "private_address"), "\(host)")
            }
            #expect(await refusal(#"{"url":"https://erp.example.com/h","events":["order.shipped_by_pigeon"]}"#) == ("events[0]", "unknown_event_type"))
            #expect(await refusal(#"{"url":"https://erp.example.com/h","events":[]}"#).field == "events")
            #expect(await refusal(#"{"url":"https://erp.example.com/h","events":["order.*"],"channel":"nope"}"#) == ("channel", "unknown_channel"))
            #expect(await refusal(#"{"url":"https://user:pw@erp.example.com/h","events":["order.*"]}"#) == ("url", "invalid_url"))
            #expect(await send(w.api, .get, "/v1/webhook-endpoints", key: w.admin).json?["data"] == .array([]), "refusals wrote nothing")

            let created = await create(#"{"url":"https://erp.example.com/bahi","events":["order.*","inventory.changed"],"description":"ERP"}"#)
            #expect(created.status == .created)
            let id = try #require(created.json?["id"]?.text)
            #expect(created.headers["Location"] == "/v1/webhook-endpoints/\(id)")
            let secret = try #require(created.json?["secret"]?.text)
            #expect(secret.hasPrefix("whsec_") && WebhookSecret.key(secret)?.count == 32)
            let read = await send(w.api, .get, "/v1/webhook-endpoints/\(id)", key: w.admin)
            #expect(read.json?["secret"] == nil && !read.text.contains(secret), "the secret is shown once")
            #expect(!(await send(w.api, .get, "/v1/webhook-endpoints", key: w.admin)).text.contains(secret))
            #expect(!(await send(w.api, .get, "/v1/events?limit=100", key: w.admin)).text.contains(secret), "events never carry it")

            let patched = await send(w.api, .patch, "/v1/webhook-endpoints/\(id)", key: w.admin, body: #"{"events":["*"],"enabled":false}"#)
            #expect(patched.status == .ok)
            #expect(patched.json?["enabled"] == .bool(false) && patched.json?["disabled_reason"]?.text == "operator")
            #expect(await send(w.api, .patch, "/v1/webhook-endpoints/\(id)", key: w.admin, body: #"{"url":"https://127.0.0.1/"}"#).status.code == 422)
            let rotated = await send(w.api, .post, "/v1/webhook-endpoints/\(id)/rotate-secret", key: w.admin)
            #expect(rotated.status == .ok)
            #expect(rotated.json?["secret"]?.text != secret && rotated.json?["previous_secret_expires_at"] != .null)
            #expect(await send(w.api, .delete, "/v1/webhook-endpoints/\(id)", key: w.admin).status == .noContent)
            #expect(await send(w.api, .get, "/v1/webhook-endpoints/\(id)", key: w.admin).status == .notFound)
            try await w.app.numberPendingEvents()
            let types = try await w.app.store.read { db in try EventLog.list(db, after: 0, type: "webhook_endpoint.*", limit: 10).map(\.type) }
            #expect(types == ["webhook_endpoint.created", "webhook_endpoint.updated", "webhook_endpoint.updated", "webhook_endpoint.deleted"])
        }
    }
}

@Suite struct WebhookDeliveryTests {
    @Test func everyEventArrivesSignedAsTheFeedShowsItInSeqOrder() async throws {
        try await withWebhooks { w in
            let (id, secret) = try await w.subscribe(["inventory.changed"])
            for n in 1...12 { await w.receive(n % 2 == 0 ? "A" : "B", n) }
            try await w.dispatcher.drain()
            let got = w.receiver.received
            let feed = await send(w.api, .get, "/v1/events?type=inventory.changed&limit=100", key: w.admin)
            guard case .array(let events)? = feed.json?["data"] else { Issue.record("no feed"); return }
            #expect(got.count == events.count && got.count >= 12)
            #expect(got.compactMap(\.seq) == got.compactMap(\.seq).sorted(), "first attempts in seq order")
            for (received, event) in zip(got, events) {
                // The body is byte for byte the event as the feed renders it.
                #expect(received.body == Array(event.encodedText.utf8))
                #expect(received.id == received.json?["id"]?.text)
                #expect(received.headers["Content-Type"] == "application/json")
                #expect(received.headers["User-Agent"] == WebhookDispatcher.userAgent)
                let rejection = WebhookSignature.verify(
                    secret: secret, id: received.headers["webhook-id"], timestamp: received.headers["webhook-timestamp"],
                    signatureHeader: received.headers["webhook-signature"], body: received.body, now: w.clock.now / 1000)
                #expect(rejection == nil)
                // One byte changed and the signature no longer holds.
                var tampered = received.body
                tampered[tampered.count / 2] ^= 1
                #expect(WebhookSignature.verify(
                    secret: secret, id: received.headers["webhook-id"], timestamp: received.headers["webhook-timestamp"],
                    signatureHeader: received.headers["webhook-signature"], body: tampered, now: w.clock.now / 1000) == .noMatchingSignature)
            }
            let list = await w.deliveries(id, status: "succeeded")
            #expect(list.count == got.count)
            #expect(list.first?["attempts"].flatMap { if case .array(let a) = $0 { a.count } else { nil } } == 1)
            let stats = await w.endpoint(id)?["stats"]
            #expect(stats == .object(["pending": .number(JSONNumber(0)), "oldest_pending_age_seconds": .null, "failed": .number(JSONNumber(0)), "failed_attempts": .number(JSONNumber(0))]))
            // Nothing more is owed: another drain sends nothing.
            try await w.dispatcher.drain()
            #expect(w.receiver.received.count == got.count)
        }
    }

    @Test func retriesFollowTheScheduleOnTheirOwnWithoutHoldingBackLaterEvents() async throws {
        try await withWebhooks { w in
            w.clock.freeze()
            let (id, _) = try await w.subscribe(["inventory.changed"])
            await w.receive("A", 1)
            w.receiver.script([.init(status: .internalServerError, body: "boom"), .init(status: .internalServerError), .init(status: HTTPStatus(code: 502))])
            try await w.dispatcher.drain()
            // Attempt 1 failed, attempt 2 (the schedule's "immediately") failed too; the third waits 5 s.
            #expect(w.receiver.received.count == 2)
            var pending = await w.deliveries(id, status: "pending")
            #expect(pending.count == 1 && pending.first?["attempt_count"] == .number(JSONNumber(2)))
            #expect(pending.first?["last_status"] == .number(JSONNumber(500)))
            // A later event is not held back by the failing one: its first attempt meets the
            // scripted 502, and its immediate retry (the schedule's first delay is 0) succeeds.
            await w.receive("A", 2)
            try await w.dispatcher.drain()
            #expect(w.receiver.received.count == 4)
            let seqs = w.receiver.received.compactMap(\.seq)
            try #require(seqs.count == 4)
            #expect(seqs[2] == seqs[3] && seqs[3] > seqs[0], "\(seqs)")
            w.clock.advance(seconds: 3)
            try await w.dispatcher.drain()
            #expect(w.receiver.received.count == 4, "the first event's third attempt is not due before 5 s")
            w.clock.advance(seconds: 2)
            try await w.dispatcher.drain()
            #expect(w.receiver.received.count == 5)
            #expect(w.receiver.received[4].seq == seqs[0])
            let all = await w.deliveries(id)
            #expect(all.allSatisfy { $0["status"]?.text == "succeeded" }, "\(all)")
            pending = await w.deliveries(id, status: "pending")
            #expect(pending.isEmpty)
            guard let a = all.min(by: { ($0["event_seq"]?.integer ?? 0) < ($1["event_seq"]?.integer ?? 0) }), case .array(let attempts)? = a["attempts"] else { Issue.record("no attempts"); return }
            #expect(attempts.count == 3)
            let codes = attempts.compactMap { if case .object(let o) = $0, case .number(let n)? = o["status_code"] { n.int64 } else { nil } }
            #expect(codes == [500, 500, 204])
            if case .object(let first)? = attempts.first { #expect(first["response_excerpt"]?.text == "boom") }
            #expect(await w.endpoint(id)?["failing_since"] == .null, "a success ends the failing period")
        }
    }

    @Test func goneDisablesTheEndpointAndRetryAfterIsHonoured() async throws {
        try await withWebhooks { w in
            let (id, _) = try await w.subscribe(["inventory.changed"])
            await w.receive("A", 1)
            w.receiver.script([.init(status: HTTPStatus(code: 429), headers: [("Retry-After", "120")])])
            try await w.dispatcher.drain()
            #expect(w.receiver.received.count == 1)
            w.clock.advance(seconds: 100)
            try await w.dispatcher.drain()
            #expect(w.receiver.received.count == 1, "Retry-After: 120 outweighs the schedule's immediate retry")
            w.clock.advance(seconds: 20)
            try await w.dispatcher.drain()
            #expect(w.receiver.received.count == 2)

            await w.receive("B", 1)
            w.receiver.script([.init(status: HTTPStatus(code: 410))])
            try await w.dispatcher.drain()
            let endpoint = await w.endpoint(id)
            #expect(endpoint?["enabled"] == .bool(false) && endpoint?["disabled_reason"]?.text == "gone")
            let disabled = try await w.app.store.read { db in try EventLog.list(db, after: 0, type: WebhookEvents.disabled.type, limit: 5) }
            #expect(disabled.count == 1 && disabled.first?.entityID == id)
            // While disabled nothing goes out, and events keep accumulating for it.
            await w.receive("C", 1)
            w.clock.advance(seconds: 3600)
            try await w.dispatcher.drain()
            #expect(w.receiver.received.count == 3)
            // Enabled again: the delivery that met the 410 and everything since arrive.
            #expect(await send(w.api, .patch, "/v1/webhook-endpoints/\(id)", key: w.admin, body: #"{"enabled":true}"#).status == .ok)
            try await w.dispatcher.drain()
            let types = w.receiver.received.dropFirst(3).compactMap(\.type)
            #expect(types.contains("inventory.changed") && types.contains("webhook_endpoint.disabled") == false)
            let skus = w.receiver.received.dropFirst(3).compactMap { $0.json?["entity_id"]?.text }
            #expect(Set(skus).isSuperset(of: ["B", "C"]), "\(skus)")
            #expect(await w.deliveries(id, status: "pending").isEmpty)
        }
    }

    @Test func exhaustedDeliveriesFailThenRetryAndReplayBringThemBack() async throws {
        try await withWebhooks(configure: { $0.webhooks.retryScheduleSeconds = [0, 10] }) { w in
            let (id, _) = try await w.subscribe(["inventory.changed"])
            await w.receive("A", 1)
            w.receiver.script(Array(repeating: .init(status: .internalServerError), count: 3))
            try await w.dispatcher.drain()
            w.clock.advance(seconds: 10)
            try await w.dispatcher.drain()
            #expect(w.receiver.received.count == 3)
            let failed = await w.deliveries(id, status: "failed")
            #expect(failed.count == 1)
            #expect(await w.endpoint(id)?["stats"].flatMap { if case .object(let o) = $0 { o["failed"] } else { nil } } == .number(JSONNumber(1)))
            let deliveryID = try #require(failed.first?["id"]?.text)
            // One more attempt by hand; it fails, and the delivery is failed again at once.
            w.receiver.script([.init(status: HTTPStatus(code: 503))])
            #expect(await send(w.api, .post, "/v1/webhook-deliveries/\(deliveryID)/retry", key: w.admin).status == .accepted)
            try await w.dispatcher.drain()
            #expect(w.receiver.received.count == 4)
            #expect(await w.deliveries(id, status: "failed").count == 1)
            #expect(await send(w.api, .post, "/v1/webhook-deliveries/\(deliveryID)/retry", key: w.admin).status == .accepted)
            try await w.dispatcher.drain()
            #expect(w.receiver.received.count == 5)
            let read = await send(w.api, .get, "/v1/webhook-deliveries/\(deliveryID)", key: w.admin)
            #expect(read.json?["status"]?.text == "succeeded" && read.json?["attempt_count"] == .number(JSONNumber(5)))
            #expect(await send(w.api, .post, "/v1/webhook-deliveries/whd_01JZZZZZZZZZZZZZZZZZZZZZZZ/retry", key: w.admin).status == .notFound)

            // Replay: every event in the range again, under the same webhook-id.
            let firstID = w.receiver.received[0].id
            let replay = await send(w.api, .post, "/v1/webhook-endpoints/\(id)/replay", key: w.admin,
                                    body: #"{"since":"2020-01-01T00:00:00Z"}"#)
            #expect(replay.status == .accepted && replay.json?["queued"] == .number(JSONNumber(1)), "\(replay.text)")
            try await w.dispatcher.drain()
            #expect(w.receiver.received.count == 6 && w.receiver.received[5].id == firstID)
            #expect(await send(w.api, .post, "/v1/webhook-endpoints/\(id)/replay", key: w.admin,
                               body: #"{"since":"2026-01-02T00:00:00Z","until":"2026-01-01T00:00:00Z"}"#).status.code == 422)
        }
    }

    @Test func anEndpointFailingForFiveDaysIsDisabled() async throws {
        try await withWebhooks(configure: { $0.webhooks.retryScheduleSeconds = [86_400, 86_400, 86_400, 86_400, 86_400, 86_400] }) { w in
            let (id, _) = try await w.subscribe(["inventory.changed"])
            await w.receive("A", 1)
            w.receiver.script(Array(repeating: .init(status: .internalServerError), count: 10))
            for day in 0...5 {
                try await w.dispatcher.drain()
                let endpoint = await w.endpoint(id)
                #expect(endpoint?["enabled"] == .bool(day < 5), "day \(day)")
                w.clock.advance(seconds: 86_400)
            }
            #expect(await w.endpoint(id)?["disabled_reason"]?.text == "failing")
            #expect(w.receiver.received.count == 6)
        }
    }

    @Test func aNameThatResolvesToLoopbackIsRefusedAtConnectTime() async throws {
        try await withWebhooks(configure: { $0.webhooks.allowPrivateNetworks = false }) { w in
            // "127.1" is not an address literal to the creation check, but the resolver reads it as 127.0.0.1.
            let created = await send(w.api, .post, "/v1/webhook-endpoints", key: w.admin,
                                     body: #"{"url":"http://127.1:\#(w.port)/hook","events":["inventory.changed"]}"#)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json?["id"]?.text)
            await w.receive("A", 1)
            try await w.dispatcher.drain()
            #expect(w.receiver.received.isEmpty, "nothing reached the loopback receiver")
            let pending = await w.deliveries(id, status: "pending")
            #expect(pending.first?["last_error"]?.text == "address_refused")
        }
    }

    @Test func aRotatedSecretSignsBesideTheOldOneForADay() async throws {
        try await withWebhooks { w in
            let (id, old) = try await w.subscribe(["inventory.changed"])
            let rotated = await send(w.api, .post, "/v1/webhook-endpoints/\(id)/rotate-secret", key: w.admin)
            let new = try #require(rotated.json?["secret"]?.text)
            await w.receive("A", 1)
            try await w.dispatcher.drain()
            func verifies(_ r: WebhookReceiver.Received, _ secret: String) -> Bool {
                WebhookSignature.verify(secret: secret, id: r.id, timestamp: r.headers["webhook-timestamp"], signatureHeader: r.headers["webhook-signature"],
                                        body: r.body, now: w.clock.now / 1000) == nil
            }
            let first = try #require(w.receiver.received.first)
            #expect(first.headers["webhook-signature"]?.split(separator: " ").count == 2)
            #expect(verifies(first, old) && verifies(first, new))
            w.clock.advance(seconds: 86_400 + 60)
            await w.receive("A", 2)
            try await w.dispatcher.drain()
            let second = try #require(w.receiver.received.last)
            #expect(second.headers["webhook-signature"]?.split(separator: " ").count == 1)
            #expect(verifies(second, new) && !verifies(second, old))
        }
    }

    @Test func aTestPingGoesToThatEndpointAloneAndNeverToTheFeed() async throws {
        try await withWebhooks { w in
            let (id, secret) = try await w.subscribe(["*"], path: "/one")
            _ = try await w.subscribe(["*"], path: "/two")
            try await w.dispatcher.drain()
            let before = w.receiver.received.count
            let ping = await send(w.api, .post, "/v1/webhook-endpoints/\(id)/test", key: w.admin)
            #expect(ping.status == .accepted && ping.json?["event_type"]?.text == "webhook.ping")
            try await w.dispatcher.drain()
            let got = Array(w.receiver.received.dropFirst(before))
            #expect(got.count == 1 && got.first?.path == "/one", "\(got.map { ($0.path, $0.type) })")
            #expect(got.first?.type == "webhook.ping" && got.first?.seq == 0)
            #expect(got.first?.json?["payload"] == .object(["endpoint_id": .string(id), "url": .string("http://127.0.0.1:\(w.port)/one")]))
            #expect(WebhookSignature.verify(secret: secret, id: got.first?.id, timestamp: got.first?.headers["webhook-timestamp"],
                                            signatureHeader: got.first?.headers["webhook-signature"], body: got.first?.body ?? [], now: w.clock.now / 1000) == nil)
            let inFeed = try await w.app.store.read { db in try EventLog.list(db, after: 0, type: "webhook.ping", limit: 5) }
            #expect(inFeed.isEmpty)
            _ = await send(w.api, .patch, "/v1/webhook-endpoints/\(id)", key: w.admin, body: #"{"enabled":false}"#)
            #expect(await send(w.api, .post, "/v1/webhook-endpoints/\(id)/test", key: w.admin).code == "endpoint_disabled")
        }
    }

    @Test func aChannelEndpointHearsWhatThatChannelMaySellCoalescedPerSKU() async throws {
        try await withWebhooks { w in
            // The web channel keeps back 10 % (rounded up) plus 2 units.
            let buffer = await send(w.api, .put, "/v1/channels/web", key: w.admin, body: #"{"name":"Website","kind":"website","buffer":{"percent_bps":1000,"units":2}}"#)
            #expect(buffer.status.code < 300, "\(buffer.text)")
            let (_, _) = try await w.subscribe(["inventory.changed"], channel: "web")
            await w.receive("A", 50)
            await w.receive("A", 50)
            try await w.dispatcher.drain()
            let got = w.receiver.received.filter { $0.json?["entity_id"]?.text == "A" }
            #expect(got.count == 1, "two commits for A before the fan-out: one delivery")
            let payload = got.first?.json?["payload"]
            #expect(payload == .object(["sku": .string("A"), "available": .number(JSONNumber(100)), "channel": .string("web"), "sellable": .number(JSONNumber(88))]),
                    "\(String(describing: payload))")
        }
    }

    @Test func twoWorkersAtOnceRecordEachAttemptOnceAndLoseNothing() async throws {
        // Two nodes during a lease hand-over, or a node restarted mid-batch: both may send the
        // same delivery (duplicates are allowed), but each attempt is recorded once and every
        // event arrives.
        try await withWebhooks { w in
            let (id, _) = try await w.subscribe(["inventory.changed"])
            for n in 1...30 { await w.receive("A", n) }
            let other = try WebhookDispatcher(w.app, clock: w.clock.function)
            async let one: Void = w.dispatcher.drain()
            async let two: Void = other.drain()
            _ = try await (one, two)
            try await w.dispatcher.drain()
            let events = try await w.app.store.read { db in try EventLog.list(db, after: 0, type: "inventory.changed", limit: 100) }
            let received = Set(w.receiver.received.compactMap(\.id))
            #expect(events.count == 30 && events.allSatisfy { received.contains($0.id) })
            let deliveries = await send(w.api, .get, "/v1/webhook-endpoints/\(id)/deliveries?limit=100", key: w.admin).json?["data"]
            guard case .array(let list)? = deliveries else { Issue.record("no deliveries"); return }
            #expect(list.count == 30)
            for case .object(let d) in list {
                #expect(d["status"]?.text == "succeeded")
                #expect(d["attempt_count"] == .number(JSONNumber(1)), "\(d)")
            }
        }
    }
}
