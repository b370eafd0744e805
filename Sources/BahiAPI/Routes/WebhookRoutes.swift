import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Outbound webhooks: endpoints (`/v1/webhook-endpoints`), their deliveries, retries, replays
/// and test pings. Admin keys only: an endpoint decides where the seller's order and stock
/// data go. The secret is in the answer to creation and rotation and nowhere else.
enum WebhookRoutes {
    static let tag = "webhooks"
    static let admin = Access.roles([.admin])
    static let fields: Set<String> = ["url", "events", "channel", "description", "enabled"]

    static func register(on api: inout API) {
        api.mutation(.post, "/v1/webhook-endpoints", access: admin, RouteDoc(
            "Subscribe an endpoint to events",
            description: "Deliveries start with the next event committed. The answer carries the signing secret (`whsec_…`), shown only here and at rotation. URLs must be https and public unless webhooks.allow_http / webhooks.allow_private_networks are set.",
            request: .json(Components.webhookEndpointInput(creating: true)),
            responses: [.created(.ref(Components.webhookEndpointWithSecret)).linking(
                ResponseLink("ReadWebhookEndpoint", .get, "/v1/webhook-endpoints/:id", from: "/id"))],
            errors: [.domain(.validationFailed)]
        ).tagged(tag)) { ctx in
            let input = try input(ctx, creating: true)
            let policy = ctx.app.configuration.webhookURLPolicy
            let actor = ctx.actor
            return { db in
                let now = Int64(WallClock.milliseconds())
                let endpoint = try WebhookEndpoints.create(db, input, policy: policy, actor: actor, now: now)
                var response = HTTPResponse.json(endpoint.json(stats: WebhookEndpointStats(), now: now, showingSecret: true), status: .created)
                response.headers.add(name: "Location", value: "/v1/webhook-endpoints/\(endpoint.id)")
                return response
            }
        }

        api.route(.get, "/v1/webhook-endpoints", access: admin, RouteDoc(
            "List webhook endpoints in creation order, with their queues", query: [.after, .limit(default: 50, max: 200)],
            responses: [.ok(Components.page(of: .ref(Components.webhookEndpoint)))], errors: [ProblemCase(400, "invalid_cursor")]
        ).tagged(tag)) { ctx in
            var errors: [FieldError] = []
            let limit = InventoryReads.int(ctx.request, "limit", default: 50, range: 1...200, &errors)
            let after = ListCursor.entityID(ctx.request, kind: .webhook, &errors) ?? ""
            try ListCursor.check(errors)
            let now = Int64(WallClock.milliseconds())
            let page = try await ctx.app.store.read { db in
                try WebhookEndpoints.list(db, after: after, limit: limit + 1).map { ($0, try WebhookOutbox.stats(db, endpoint: $0)) }
            }
            let shown = page.prefix(limit)
            return .json(.object([
                "data": .array(shown.map { $0.0.json(stats: $0.1, now: now) }),
                "next_cursor": page.count > limit ? shown.last.map { .string($0.0.id) } ?? .null : .null,
            ]))
        }

        api.route(.get, "/v1/webhook-endpoints/:id", access: admin, RouteDoc(
            "Read a webhook endpoint with its queue (pending, oldest pending, failed)",
            responses: [.ok(.ref(Components.webhookEndpoint))]
        ).tagged(tag)) { ctx in
            let id = try endpointID(ctx)
            let now = Int64(WallClock.milliseconds())
            let found = try await ctx.app.store.read { db in
                try WebhookEndpoints.get(db, id: id).map { ($0, try WebhookOutbox.stats(db, endpoint: $0)) }
            }
            guard let (endpoint, stats) = found else { throw DomainError.notFound("webhook endpoint", id) }
            return .json(endpoint.json(stats: stats, now: now))
        }

        api.mutation(.patch, "/v1/webhook-endpoints/:id", access: admin, RouteDoc(
            "Change an endpoint's URL, events, channel, description, or enable and disable it",
            description: "Only the fields sent change. Enabling an endpoint (after a 410 or 5 days of failures) sends what waited for it: its pending deliveries and every event committed while it was disabled.",
            request: .json(Components.webhookEndpointInput(creating: false)),
            responses: [.ok(.ref(Components.webhookEndpoint))], errors: [.domain(.validationFailed), .domain(.versionMismatch)]
        ).tagged(tag)) { ctx in
            let id = try endpointID(ctx)
            let input = try input(ctx, creating: false)
            let policy = ctx.app.configuration.webhookURLPolicy
            let actor = ctx.actor
            return { db in
                let now = Int64(WallClock.milliseconds())
                let endpoint = try WebhookEndpoints.update(db, id: id, input, policy: policy, actor: actor, now: now)
                return .json(endpoint.json(stats: try WebhookOutbox.stats(db, endpoint: endpoint), now: now))
            }
        }

        api.route(.delete, "/v1/webhook-endpoints/:id", access: admin, RouteDoc(
            "Remove an endpoint and its deliveries", responses: [.noContent("Removed: nothing more is sent to it.")]
        ).tagged(tag)) { ctx in
            let id = try endpointID(ctx)
            let actor = ctx.actor
            try await ctx.app.write { db in try WebhookEndpoints.delete(db, id: id, actor: actor, now: Int64(WallClock.milliseconds())) }
            return HTTPResponse(status: .noContent)
        }

        api.mutation(.post, "/v1/webhook-endpoints/:id/rotate-secret", access: admin, RouteDoc(
            "Give an endpoint a new signing secret",
            description: "Answers the new secret (shown only here). For 24 hours each delivery carries two signatures, under the new and the old secret, so the receiver can switch without losing one.",
            responses: [.ok(.ref(Components.webhookEndpointWithSecret))]
        ).tagged(tag)) { ctx in
            let id = try endpointID(ctx)
            let actor = ctx.actor
            return { db in
                let now = Int64(WallClock.milliseconds())
                let endpoint = try WebhookEndpoints.rotateSecret(db, id: id, actor: actor, now: now)
                return .json(endpoint.json(stats: try WebhookOutbox.stats(db, endpoint: endpoint), now: now, showingSecret: true))
            }
        }

        api.mutation(.post, "/v1/webhook-endpoints/:id/test", access: admin, RouteDoc(
            "Send a test ping to an endpoint",
            description: "Queues a `webhook.ping` delivery for this endpoint alone (not in the feed); it goes out within moments. Read its result from the answer's Location.",
            responses: [ResponseDoc(202, "Queued", .json(.ref(Components.webhookDelivery)), headers: [("Location", "The delivery.")])],
            errors: [.domain(.endpointDisabled)]
        ).tagged(tag)) { ctx in
            let id = try endpointID(ctx)
            return { db in
                let delivery = try WebhookOutbox.ping(db, endpointID: id, now: Int64(WallClock.milliseconds()))
                return accepted(delivery)
            }
        }

        api.route(.get, "/v1/webhook-endpoints/:id/deliveries", access: admin, RouteDoc(
            "An endpoint's deliveries, newest event first, with every attempt",
            query: [QueryParameter("status", .string(enum: WebhookDelivery.Status.allCases.map(\.rawValue)), "Only deliveries in this state."),
                    .after, .limit(default: 50, max: 200)],
            responses: [.ok(Components.page(of: .ref(Components.webhookDelivery)))], errors: [ProblemCase(400, "invalid_cursor")]
        ).tagged(tag)) { ctx in
            let id = try endpointID(ctx)
            var errors: [FieldError] = []
            let limit = InventoryReads.int(ctx.request, "limit", default: 50, range: 1...200, &errors)
            var status: WebhookDelivery.Status?
            if let text = ctx.request.queryItem("status") {
                status = WebhookDelivery.Status(rawValue: text)
                if status == nil { errors.append(FieldError(field: "status", code: "invalid", message: "pending, succeeded or failed.")) }
            }
            let before = ListCursor.entityID(ctx.request, kind: .event, &errors)
            try ListCursor.check(errors)
            let wanted = status
            let page = try await ctx.app.store.read { db -> [WebhookDelivery]? in
                guard try WebhookEndpoints.get(db, id: id) != nil else { return nil }
                return try WebhookOutbox.deliveries(db, endpointID: id, status: wanted, before: before, limit: limit + 1)
            }
            guard let page else { throw DomainError.notFound("webhook endpoint", id) }
            let shown = page.prefix(limit)
            return .json(.object([
                "data": .array(shown.map(\.json)),
                "next_cursor": page.count > limit ? shown.last.map { .string($0.eventID) } ?? .null : .null,
            ]))
        }

        api.route(.get, "/v1/webhook-deliveries/:id", access: admin, RouteDoc(
            "Read one delivery with its attempts", responses: [.ok(.ref(Components.webhookDelivery))]
        ).tagged(tag)) { ctx in
            let id = try deliveryID(ctx)
            guard let delivery = try await ctx.app.store.read({ db in try WebhookOutbox.delivery(db, id: id) }) else {
                throw DomainError.notFound("webhook delivery", id)
            }
            return .json(delivery.json)
        }

        api.mutation(.post, "/v1/webhook-deliveries/:id/retry", access: admin, RouteDoc(
            "Send a delivery again now",
            description: "A pending delivery is brought forward; a failed (or succeeded) one gets one more attempt, after which a failure leaves it failed.",
            responses: [ResponseDoc(202, "Queued", .json(.ref(Components.webhookDelivery)), headers: [("Location", "The delivery.")])]
        ).tagged(tag)) { ctx in
            let id = try deliveryID(ctx)
            let schedule = ctx.app.configuration.webhookRetrySchedule
            return { db in
                guard let delivery = try WebhookOutbox.retry(db, id: id, schedule: schedule, now: Int64(WallClock.milliseconds())) else {
                    throw DomainError.notFound("webhook delivery", id)
                }
                return accepted(delivery)
            }
        }

        api.route(.post, "/v1/webhook-endpoints/:id/replay", access: admin, RouteDoc(
            "Queue again every event an endpoint subscribes to, created in a time range",
            description: "Events created at or after `since` and before `until` (default now), at most 100,000 per request: an event already delivered is sent again (same webhook-id, so a receiver that deduplicates ignores it), one never delivered is sent for the first time.",
            request: .json(.object([
                "since": Schema.dateTime.required, "until": Schema.dateTime,
            ])),
            responses: [ResponseDoc(202, "Queued", .json(.object([
                "endpoint_id": .string(), "queued": .integer(), "since": .dateTime, "until": .dateTime,
            ], allRequired: true)))],
            errors: [ProblemCase(422, "range_too_large")]
        ).tagged(tag)) { ctx in
            let id = try endpointID(ctx)
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["since", "until"])
            let now = Int64(WallClock.milliseconds())
            var since: Int64 = 0, until = now
            if let text = v.string(body, "since", required: true, maxLength: 64) {
                if let ms = Timestamps.milliseconds(rfc3339: text) { since = ms } else { v.add("since", "invalid", "An RFC 3339 time such as 2026-12-01T00:00:00+05:30.") }
            }
            if let text = v.string(body, "until", maxLength: 64) {
                if let ms = Timestamps.milliseconds(rfc3339: text) { until = ms } else { v.add("until", "invalid", "An RFC 3339 time such as 2026-12-02T00:00:00+05:30.") }
            }
            if since >= until { v.add("until", "out_of_range", "until must be after since.") }
            try v.check()
            let (from, to) = (since, until)
            guard try await ctx.app.store.read({ db in try WebhookEndpoints.get(db, id: id) }) != nil else {
                throw DomainError.notFound("webhook endpoint", id)
            }
            var position = try await ctx.app.store.read { db in try EventLog.seq(db, before: from) }
            let end = try await ctx.app.store.read { db in try EventLog.seq(db, before: to + 1_000) }
            if end - position > Int64(WebhookOutbox.maxReplay) {
                throw HTTPError(.unprocessableContent, code: "range_too_large",
                                detail: "The range holds about \(end - position) events; replay at most \(WebhookOutbox.maxReplay) per request (split it by time).",
                                errors: [FieldError(field: "until", code: "range_too_large", message: "Bring until closer to since.")])
            }
            var queued = 0
            // One transaction per batch, so a long replay never holds the writer.
            while true {
                let step = try await ctx.app.write { [position] db in
                    try WebhookOutbox.replay(db, endpointID: id, since: from, until: to, after: position, now: Int64(WallClock.milliseconds()))
                }
                queued += step.queued
                guard let next = step.next else { break }
                position = next
            }
            return .json(.object([
                "endpoint_id": .string(id), "queued": .number(JSONNumber(Int64(queued))),
                "since": .string(Timestamps.rfc3339(milliseconds: from)), "until": .string(Timestamps.rfc3339(milliseconds: to)),
            ]), status: .accepted)
        }
    }

    /// The endpoint fields of a POST or PATCH body.
    static func input(_ ctx: RequestContext, creating: Bool) throws -> WebhookEndpoints.Input {
        let body = ctx.body
        let v = ctx.validator()
        v.allowOnly(body, fields)
        var input = WebhookEndpoints.Input()
        input.url = v.string(body, "url", required: creating, maxLength: 2048)
        if let items = v.array(body, "events", required: creating) {
            var events: [String] = []
            for (i, item) in items.enumerated() {
                if case .string(let s) = item { events.append(s) } else { v.add("events[\(i)]", "invalid_type", "An event type such as order.confirmed.") }
            }
            input.events = events
        }
        if body["channel"] == .null {
            input.channel = .some(nil)
        } else if let channel = v.string(body, "channel", maxLength: 64) {
            input.channel = .some(channel)
        }
        input.description = v.string(body, "description", maxLength: 500)
        input.enabled = v.bool(body, "enabled")
        try v.check()
        return input
    }

    static func endpointID(_ ctx: RequestContext) throws -> String {
        let id = ctx.request.parameters["id"] ?? ""
        guard EntityID.isValid(id, kind: .webhook) else { throw DomainError.notFound("webhook endpoint", id) }
        return id
    }

    static func deliveryID(_ ctx: RequestContext) throws -> String {
        let id = ctx.request.parameters["id"] ?? ""
        guard EntityID.isValid(id, kind: .webhookDelivery) else { throw DomainError.notFound("webhook delivery", id) }
        return id
    }

    static func accepted(_ delivery: WebhookDelivery) -> HTTPResponse {
        var response = HTTPResponse.json(delivery.json, status: .accepted)
        response.headers.add(name: "Location", value: "/v1/webhook-deliveries/\(delivery.id)")
        return response
    }
}
