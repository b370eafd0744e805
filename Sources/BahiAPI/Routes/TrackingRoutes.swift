import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Tracking (docs/COURIERS.md, "Tracking" and "NDR"):
///
/// - `POST /v1/webhooks/shiprocket` and `POST /v1/webhooks/delhivery`: the couriers' pushes,
///   no API key: each must carry the seller's shared token, compared in constant time before
///   the body is read. An AWB no shipment has is parked (200), never a 500.
/// - `POST /v1/shipments/{id}/tracking`: a person's report for a courier with no push.
/// - `GET /v1/shipments/{id}/tracking`: the timeline: every scan, the NDRs.
/// - `GET /v1/tracking/parked`: reports for unknown AWBs.
/// - `GET /v1/ndr`, `POST /v1/shipments/{id}/ndr-action`: failed attempts and the seller's answer.
/// - `GET /v1/couriers/performance`: what each courier has done for this seller.
enum TrackingRoutes {
    static let tag = "tracking"
    static let readers = Access.roles([.admin, .warehouse, .support])
    static let webhookErrors = [ProblemCase(401, "invalid_token"), ProblemCase(422, "invalid_payload"), ProblemCase(503, "courier_not_configured")]

    static func register(on api: inout API) {
        registerWebhooks(on: &api)
        registerNDR(on: &api)

        api.mutation(.post, "/v1/shipments/:id/tracking", access: FulfilmentRoutes.warehouse, RouteDoc(
            "Report a booked shipment's status by hand",
            description: "For a courier with no push (manual, waybill_pool). The same rules as the couriers' reports: a shipment moves only forward (skipped statuses are implied), the delivery loop out_for_delivery ⇄ undelivered is walked both ways, a report older than the current status is kept as a scan and moves nothing. undelivered records a failed attempt (NDR) with `reason`; after couriers.ndr_max_attempts or a refusal the parcel goes back (rto_initiated).",
            request: .json(.object([
                "status": Schema.oneOf(ShipmentStatus.self).required,
                "at": Schema.dateTime.described("When it happened (RFC 3339); default now."),
                "location": Schema.string(maxLength: 200),
                "note": Schema.string(maxLength: 500),
                "reason": Schema.oneOf(NDRReason.self).described("For undelivered: why (default other)."),
                "attempt": Schema.integer(1...20).described("For undelivered: which attempt failed (default: the next)."),
            ])),
            responses: [.ok(.ref(Components.trackingReceived))],
            errors: [.domain(.shipmentNotBooked), .domain(.validationFailed)]
        ).tagged(tag)) { ctx in
            let id = try BookingRoutes.shipmentID(ctx)
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["status", "at", "location", "note", "reason", "attempt"])
            let statusText = v.string(body, "status", required: true, maxLength: 40)
            let status = statusText.flatMap(ShipmentStatus.init(rawValue:))
            if statusText != nil && (status == nil || status?.isInWarehouse == true || status == .cancelled) {
                v.add("status", "invalid", "A status a courier reports: picked_up, in_transit, out_for_delivery, delivered, undelivered, rto_initiated, rto_in_transit, rto_delivered or lost.")
            }
            let now = Int64(WallClock.milliseconds())
            var at = now
            if let text = v.string(body, "at", maxLength: 40) {
                if let ms = Timestamps.milliseconds(rfc3339: text) {
                    if ms > now + 300_000 { v.add("at", "in_future", "A report cannot come from the future.") } else { at = ms }
                } else { v.add("at", "invalid", "An RFC 3339 time, e.g. 2026-12-05T10:30:00+05:30.") }
            }
            let location = v.string(body, "location", maxLength: 200)
            let note = v.string(body, "note", maxLength: 500)
            let reasonText = v.string(body, "reason", maxLength: 40)
            let reason = reasonText.flatMap(NDRReason.init(rawValue:))
            if reasonText != nil && reason == nil { v.add("reason", "invalid", "One of \(NDRReason.allCases.map(\.rawValue).joined(separator: ", ")).") }
            if reasonText != nil && status != .undelivered { v.add("reason", "not_undelivered", "A reason goes with status undelivered.") }
            let attempt = v.integer(body, "attempt", range: 1...20)
            try v.check()
            guard let status else { throw DomainError.invalid("status", "invalid", "A courier status.") }
            let ndr = status == .undelivered ? TrackingUpdate.NDR(reason: reason ?? .other, attempt: attempt.map { Int($0) }, code: nil, text: note) : nil
            let update = TrackingUpdate(provider: .manual, awb: "", status: status, codes: [.init(scheme: .manual, code: status.rawValue, label: note)],
                                        occurredAt: at, location: location, ndr: ndr,
                                        scans: [TrackingScan(at: at, code: status.rawValue, label: note, location: location, status: status)])
            let policy = TrackingFlow.Policy(maxAttempts: ctx.app.configuration.couriers.ndrMaxAttempts)
            let actor = ctx.actor
            let hours = ctx.app.configuration.couriers.ndrActionHours
            let outcome = try await ctx.app.write(rerunnable: true) { db in
                try TrackingFlow.receive(db, update, shipmentID: id, policy: policy, actor: actor, now: now)
            }
            sendInstruction(ctx.app, outcome)
            let json = received(outcome, actionHours: hours, now: now)
            return { _ in .json(json) }
        }

        api.route(.get, "/v1/shipments/:id/tracking", access: readers, RouteDoc(
            "A shipment's tracking timeline",
            description: "Every scan any courier (or a person) reported, oldest first, deduplicated by time and code, each with the status it maps to (null: kept, moved nothing by itself); and the shipment's failed attempts.",
            responses: [.ok(.object([
                "shipment": .ref(Components.shipment),
                "scans": .array(of: .object([
                    "at": Schema.dateTime, "code": Schema.string(), "label": Schema.string().nullable, "location": Schema.string().nullable,
                    "status": Schema.oneOf(ShipmentStatus.self).nullable, "provider": Schema.oneOf(TrackingUpdate.Provider.self), "received_at": Schema.dateTime,
                ], allRequired: true)),
                "ndrs": .array(of: .ref(Components.ndr)),
            ], allRequired: true))]
        ).onePageList.tagged(tag)) { ctx in
            try ListCursor.onePage(ctx.request)
            let id = try BookingRoutes.shipmentID(ctx)
            let hours = ctx.app.configuration.couriers.ndrActionHours
            let found = try await ctx.app.store.read { db -> (Shipment, [(scan: TrackingScan, provider: String, receivedAt: Int64)], [ShipmentNDR])? in
                guard let shipment = try Shipments.find(db, id: id) else { return nil }
                return (shipment, try Tracking.scans(db, shipmentID: id), try Tracking.ndrs(db, shipmentID: id))
            }
            guard let (shipment, scans, ndrs) = found else { throw DomainError.notFound("shipment", id) }
            let now = Int64(WallClock.milliseconds())
            return .json(.object([
                "shipment": shipment.json,
                "scans": .array(scans.map { s in
                    .object([
                        "at": .string(Timestamps.rfc3339(milliseconds: s.scan.at)), "code": .string(s.scan.code), "label": .optional(s.scan.label),
                        "location": .optional(s.scan.location), "status": .optional(s.scan.status?.rawValue), "provider": .string(s.provider),
                        "received_at": .string(Timestamps.rfc3339(milliseconds: s.receivedAt)),
                    ])
                }),
                "ndrs": .array(ndrs.map { $0.json(actionHours: hours, now: now) }),
            ]))
        }

        api.route(.get, "/v1/tracking/parked", access: readers, RouteDoc(
            "Courier reports for AWBs no shipment has, newest first",
            description: "A courier's push for an AWB Bahi did not book (booked on the courier's panel, or a typo) is accepted and kept here with its body, for an operator to look into.",
            query: [QueryParameter("before", .integer(atLeast: 0), "A cursor: received_at of the last row seen (Unix ms)."), .limit(default: 50, max: 500)],
            responses: [.ok(Components.page(of: .object([
                "provider": Schema.string(), "awb": Schema.string(), "status": Schema.string().nullable, "occurred_at": Schema.dateTime,
                "received_at": Schema.dateTime, "body": Schema.string(),
            ], allRequired: true)))]
        ).tagged(tag)) { ctx in
            var errors: [FieldError] = []
            let limit = InventoryReads.int(ctx.request, "limit", default: 50, range: 1...500, &errors)
            var before: Int64?
            if let text = ctx.request.queryItem("before") {
                if let n = Int64(text), n >= 0 { before = n } else { errors.append(FieldError(field: "before", code: "invalid", message: "A time in Unix milliseconds.")) }
            }
            try InventoryReads.check(errors)
            let cursor = before
            let rows = try await ctx.app.store.read { db in try Tracking.parked(db, before: cursor, limit: limit + 1) }
            let shown = rows.prefix(limit)
            return .json(.object([
                "data": .array(shown.map { p in
                    .object([
                        "provider": .string(p.provider), "awb": .string(p.awb), "status": .optional(p.status),
                        "occurred_at": .string(Timestamps.rfc3339(milliseconds: p.occurredAt)),
                        "received_at": .string(Timestamps.rfc3339(milliseconds: p.receivedAt)), "body": .string(p.body),
                    ])
                }),
                "next_cursor": rows.count > limit ? shown.last.map { .string(String($0.receivedAt)) } ?? .null : .null,
            ]))
        }

        api.route(.get, "/v1/couriers/performance", access: readers, RouteDoc(
            "What each courier has done for this seller",
            description: "Learned from this seller's finished shipments, updated as tracking arrives: per courier and destination level (zone, state by GST code, 3-digit pincode prefix) the shipments finished, delivered and returned (RTO), the shares and the mean transit days. With to_pincode (and from_pincode, default the first active location's), each courier's smoothed estimate for that destination as booking's best_performing and balanced policies use it: the prefix's figures once it has 30 shipments, pulled toward the state's, pulled toward the zone's, pulled toward the assumption (90 % delivered) with 20 pseudo-shipments at each step.",
            query: [QueryParameter("courier", .string(maxLength: 64), "Only this courier."),
                    QueryParameter("to_pincode", .string(pattern: "^[1-9][0-9]{5}$"), "A destination to estimate for."),
                    QueryParameter("from_pincode", .string(pattern: "^[1-9][0-9]{5}$"), "The origin for the estimate's zone.")],
            responses: [.ok(.object([
                "data": .array(of: .object([
                    "courier": Schema.string(), "level": Schema.string(enum: ["zone", "state", "prefix"]), "key": Schema.string(),
                    "finished": Schema.integer(), "delivered": Schema.integer(), "rto": Schema.integer(),
                    "delivered_share": Schema.number, "rto_share": Schema.number, "mean_transit_days": Schema.number.nullable,
                ], allRequired: true)),
                "estimates": Schema.array(of: .object([
                    "courier": Schema.string(), "zone": Schema.string(), "state": Schema.string(), "prefix": Schema.string(),
                    "delivered_share": Schema.number, "rto_share": Schema.number, "mean_transit_days": Schema.number, "samples": Schema.integer(),
                ], allRequired: true)).nullable,
            ], allRequired: true))],
            errors: [ProblemCase(400, "invalid_query")]
        ).onePageList.tagged(tag)) { ctx in
            let courier = ctx.request.queryItem("courier")
            var errors: [FieldError] = []
            let to = ctx.request.queryItem("to_pincode"), from = ctx.request.queryItem("from_pincode")
            for (name, value) in [("to_pincode", to), ("from_pincode", from)] {
                if let value, PincodeDirectory.lookup(value) == nil { errors.append(FieldError(field: name, code: "invalid_pincode", message: "A pincode India Post's directory knows.")) }
            }
            if from != nil && to == nil { errors.append(FieldError(field: "to_pincode", code: "required", message: "from_pincode goes with to_pincode.")) }
            try InventoryReads.check(errors)
            let (rows, estimates) = try await ctx.app.store.read { db -> ([Tracking.TallyRow], [JSONValue]?) in
                let rows = try Tracking.tallies(db, courier: courier)
                guard let to else { return (rows, nil) }
                let origin = try from ?? LocationCatalog.primaryPincode(db)
                guard let origin, let destination = Tracking.Destination(from: origin, to: to) else { return (rows, []) }
                let couriers = try Couriers.list(db, active: true, after: nil, limit: 500).items.filter { courier == nil || $0.code == courier }
                let days = Dictionary(uniqueKeysWithValues: couriers.map { ($0.code, $0.fields.mode.expectedDays(destination.zone)) })
                let found = try Tracking.estimates(db, destination: destination, expectedDays: days)
                return (rows, found.sorted { $0.key < $1.key }.map { code, p in
                    .object([
                        "courier": .string(code), "zone": .string(destination.zone.rawValue), "state": .string(destination.state.gstCode),
                        "prefix": .string(destination.prefix), "delivered_share": JSONValue.decimal(p.deliveredShare), "rto_share": JSONValue.decimal(p.rtoShare),
                        "mean_transit_days": JSONValue.decimal(p.meanDays), "samples": .int(p.samples),
                    ])
                })
            }
            return .json(.object([
                "data": .array(rows.map { r in
                    let t = r.tally, n = Double(max(1, t.finished))
                    return .object([
                        "courier": .string(r.courier), "level": .string(r.level), "key": .string(r.key), "finished": .int(t.finished),
                        "delivered": .int(t.delivered), "rto": .int(t.rto), "delivered_share": JSONValue.decimal(Double(t.delivered) / n),
                        "rto_share": JSONValue.decimal(Double(t.rto) / n),
                        "mean_transit_days": t.delivered > 0 ? JSONValue.decimal(Double(t.transitDays) / Double(t.delivered)) : .null,
                    ])
                }),
                "estimates": estimates.map { .array($0) } ?? .null,
            ]))
        }
    }

    /// Failed attempts and the seller's answers.
    static func registerNDR(on api: inout API) {
        api.route(.get, "/v1/ndr", access: readers, RouteDoc(
            "Failed delivery attempts (NDR), oldest first",
            description: "Each with its window to act (couriers.ndr_action_hours, default 24, after the attempt failed) and whether it is overdue: Shiprocket asks the courier to re-attempt on its own once the window passes, and couriers stop after three attempts.",
            query: [QueryParameter("status", .string(enum: ["open", "actioned", "closed", "all"]), "open (default), actioned, closed or all."), .after,
                    .limit(default: 50, max: 500)],
            responses: [.ok(Components.page(of: .ref(Components.ndr)))], errors: [ProblemCase(400, "invalid_cursor")]
        ).tagged(tag)) { ctx in
            var errors: [FieldError] = []
            let limit = InventoryReads.int(ctx.request, "limit", default: 50, range: 1...500, &errors)
            let text = ctx.request.queryItem("status") ?? "open"
            let status = ShipmentNDR.Status(rawValue: text)
            if status == nil && text != "all" { errors.append(FieldError(field: "status", code: "invalid", message: "open, actioned, closed or all.")) }
            let after = ListCursor.entityID(ctx.request, kind: .ndr, &errors)
            try ListCursor.check(errors)
            let rows = try await ctx.app.store.read { db in try Tracking.ndrs(db, status: status, after: after, limit: limit + 1) }
            let shown = rows.prefix(limit)
            let hours = ctx.app.configuration.couriers.ndrActionHours
            let now = Int64(WallClock.milliseconds())
            return .json(.object([
                "data": .array(shown.map { $0.json(actionHours: hours, now: now) }),
                "next_cursor": rows.count > limit ? shown.last.map { .string($0.id) } ?? .null : .null,
            ]))
        }

        api.mutation(.post, "/v1/shipments/:id/ndr-action", access: FulfilmentRoutes.warehouse, RouteDoc(
            "Answer a shipment's failed delivery attempt",
            description: "Answers the open NDR of an undelivered shipment: reattempt (optionally on deferred_date, YYYY-MM-DD, today to 6 days ahead), return (give up: the courier brings it back), update_address (re-attempt at `address`) or update_phone (re-attempt with `phone`). `note` is what the courier is told. The action is recorded; couriers with an API are sent it (courier_reply says what they answered), others are to be told by the seller (courier_reply says so).",
            request: .json(.object([
                "action": Schema.oneOf(ShipmentNDR.Action.self).required,
                "deferred_date": Schema.string(pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
                "address": Schema.object([
                    "line1": Schema.string(minLength: 1, maxLength: 200).required, "line2": Schema.string(maxLength: 200),
                    "landmark": Schema.string(maxLength: 200), "city": Schema.string(maxLength: 100),
                ]),
                "phone": Schema.string(maxLength: 20),
                "note": Schema.string(minLength: 1, maxLength: 500).required,
            ])),
            responses: [.ok(.ref(Components.ndr))],
            errors: [.domain(.invalidTransition), .domain(.validationFailed)]
        ).tagged(tag)) { ctx in
            let id = try BookingRoutes.shipmentID(ctx)
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["action", "deferred_date", "address", "phone", "note"])
            let actionText = v.string(body, "action", required: true, maxLength: 40)
            let action = actionText.flatMap(ShipmentNDR.Action.init(rawValue:))
            if actionText != nil && action == nil { v.add("action", "invalid", "reattempt, return, update_address or update_phone.") }
            let note = v.string(body, "note", required: true, maxLength: 500)
            if note?.trimmingCharacters(in: .whitespaces).isEmpty == true { v.add("note", "required", "Say what the courier should know.") }
            var detail: JSONObject = ["note": .optional(note)]
            let now = Int64(WallClock.milliseconds())
            if let day = v.string(body, "deferred_date", maxLength: 10) {
                let today = (now + 19_800_000) / 86_400_000
                if let ms = Timestamps.milliseconds(rfc3339: day + "T00:00:00Z") {
                    let days = ms / 86_400_000 - today
                    if days < 0 || days > 6 { v.add("deferred_date", "out_of_range", "From today to 6 days ahead (couriers defer at most 6 days).") }
                    if action == .return { v.add("deferred_date", "not_allowed", "A return has no delivery date.") }
                    detail["deferred_date"] = .string(day)
                } else { v.add("deferred_date", "invalid", "A date, YYYY-MM-DD.") }
            }
            if let address = v.object(body, "address") {
                if action != .updateAddress { v.add("address", "not_allowed", "An address goes with update_address.") }
                detail["address"] = .object(address)
            } else if action == .updateAddress { v.add("address", "required", "update_address needs the corrected address (line1, and line2, landmark, city as known).") }
            if let raw = v.string(body, "phone", maxLength: 20) {
                if action != .updatePhone { v.add("phone", "not_allowed", "A phone goes with update_phone.") }
                if let phone = IndianPhone.normalise(raw) { detail["phone"] = .string(phone) } else {
                    v.add("phone", "invalid_phone", "An Indian mobile number: 10 digits starting 6–9, with +91 or 0 in front or not.")
                }
            } else if action == .updatePhone { v.add("phone", "required", "update_phone needs the buyer's new number.") }
            try v.check()
            guard let action else { throw DomainError.invalid("action", "invalid", "An action.") }
            let actor = ctx.actor
            let hours = ctx.app.configuration.couriers.ndrActionHours
            let chosen = detail
            // Recorded first; then the courier's API is told with no transaction open, and its
            // answer recorded on the NDR.
            let answered = try await ctx.app.write(rerunnable: true) { db in
                let answered = try TrackingFlow.answerNDR(db, shipmentID: id, action: action, detail: chosen, actor: actor, now: now)
                var ndr = answered.ndr
                let provider = try answered.shipment.courier.flatMap { try Couriers.get(db, code: $0) }?.fields.provider
                if let provider, provider == .manual || provider == .waybillPool {
                    let reply = "not sent: courier \(answered.shipment.courier ?? "") has no API (\(provider.rawValue)); tell the courier yourself"
                    try Tracking.recordReply(db, ndrID: ndr.id, reply: reply)
                    ndr.courierReply = reply
                }
                return (ndr: ndr, courier: answered.shipment.courier, awb: answered.shipment.awb)
            }
            var ndr = answered.ndr
            if ndr.courierReply == nil, let courier = answered.courier, let awb = answered.awb,
               let reply = await instruct(ctx.app, ndr: ndr, courier: courier, awb: awb) {
                ndr.courierReply = reply
            }
            let json = ndr.json(actionHours: hours, now: now)
            return { _ in .json(json) }
        }
    }

    /// The couriers' pushes.
    static func registerWebhooks(on api: inout API) {
        // Shiprocket's panel refuses webhook URLs containing "shiprocket", "kartrocket", "sr" or
        // "kr": the same handler answers at a path without them.
        for path in ["/v1/webhooks/shiprocket", "/v1/webhooks/courier-push"] {
            api.route(.post, path, access: .open, RouteDoc(
                path == "/v1/webhooks/shiprocket" ? "Shiprocket's tracking webhook" : "Shiprocket's tracking webhook, at a URL its panel accepts",
                description: "x-api-key must be the security token set on the webhook in Shiprocket (secrets.shiprocket_webhook_token; two, comma-separated, during a rotation), compared in constant time before the body is read. The payload's awb finds the shipment; shipment_status_id (Shiprocket's shipment table) decides the status, current_status_id (its order table) when that is absent; current_timestamp is \"DD MM YYYY HH:MM:SS\" IST; every scans[] entry is kept. An unknown AWB is parked and answered 200. Shiprocket wants 200 for everything it should not retry. /v1/webhooks/courier-push is the same route at a path without the words Shiprocket's panel refuses in a webhook URL (shiprocket, kartrocket, sr, kr).",
                request: .raw(contentType: "application/json", .freeObject, "The push exactly as Shiprocket sent it."),
                responses: [.ok(.ref(Components.trackingReceived))], errors: webhookErrors
            ).tagged(tag)) { ctx in
                let tokens = try configured(ctx.app.configuration.secrets.shiprocketWebhookToken, courier: "shiprocket", key: "secrets.shiprocket_webhook_token")
                try verify(ctx, courier: "shiprocket", given: ctx.request.head.headers["x-api-key"], tokens: tokens)
                let body = ctx.request.body
                let update = try PaymentRoutes.decoded { () throws(TrackingPayloadError) in try ShiprocketTracking.decode(body: body) }
                return try await receive(ctx, update)
            }
        }

        api.route(.post, "/v1/webhooks/delhivery", access: .open, RouteDoc(
            "Delhivery's scan push",
            description: "The token agreed with Delhivery (secrets.delhivery_webhook_token), sent as x-api-key or Authorization: Token …, compared in constant time before the body is read. One scan per push: Shipment.Status.StatusType with Status decides (DL with Delivered is delivered; DL with RTO is rto_delivered; UD, RT, PP, PU as docs/COURIERS.md maps them); NSLCode is the scan's code. An unknown AWB is parked and answered 200.",
            request: .raw(contentType: "application/json", .freeObject, "The push exactly as Delhivery sent it."),
            responses: [.ok(.ref(Components.trackingReceived))], errors: webhookErrors
        ).tagged(tag)) { ctx in
            let tokens = try configured(ctx.app.configuration.secrets.delhiveryWebhookToken, courier: "delhivery", key: "secrets.delhivery_webhook_token")
            let headers = ctx.request.head.headers
            var given = headers["x-api-key"]
            if given == nil, let authorization = headers["Authorization"] {
                for scheme in ["Token ", "Bearer "] where authorization.hasPrefix(scheme) { given = String(authorization.dropFirst(scheme.count)) }
            }
            try verify(ctx, courier: "delhivery", given: given, tokens: tokens)
            let body = ctx.request.body
            let update = try PaymentRoutes.decoded { () throws(TrackingPayloadError) in try DelhiveryTracking.decode(body: body) }
            return try await receive(ctx, update)
        }
    }

    static func configured(_ value: String, courier: String, key: String) throws -> [String] {
        let tokens = BahiConfiguration.secretList(value)
        guard !tokens.isEmpty else {
            throw HTTPError(.serviceUnavailable, code: "courier_not_configured",
                            detail: "This server has no \(key) to check \(courier)'s pushes; set it (or BAHI_\(key.uppercased().replacingOccurrences(of: ".", with: "_"))). The courier will retry.")
        }
        return tokens
    }

    /// The shared token, compared in constant time against each configured one; a refusal is
    /// logged without the token or the body.
    static func verify(_ ctx: RequestContext, courier: String, given: String?, tokens: [String]) throws {
        let offered = Array((given ?? "").utf8)
        var matched = false
        for token in tokens where Digest.constantTimeEquals(Array(token.utf8), offered) { matched = true }
        guard matched, given != nil else {
            ctx.app.log.error("courier webhook refused", [("courier", .string(courier)), ("reason", .string(given == nil ? "no token" : "wrong token")),
                                                          ("request_id", .string(ctx.request.requestID))])
            throw HTTPError(.unauthorized, code: "invalid_token", detail: "The \(courier) push does not carry the configured token; nothing was stored.")
        }
    }

    /// Applies a verified push in one write; answers what it did.
    static func receive(_ ctx: RequestContext, _ update: TrackingUpdate) async throws -> HTTPResponse {
        let text = String(decoding: ctx.request.body, as: UTF8.self)
        let policy = TrackingFlow.Policy(maxAttempts: ctx.app.configuration.couriers.ndrMaxAttempts)
        let actor = "courier:\(update.provider.rawValue)"
        let now = Int64(WallClock.milliseconds())
        let outcome = try await ctx.app.write(rerunnable: true) { db in
            try TrackingFlow.receive(db, update, body: text, policy: policy, actor: actor, now: now)
        }
        sendInstruction(ctx.app, outcome)
        return .json(received(outcome, actionHours: ctx.app.configuration.couriers.ndrActionHours, now: now))
    }

    /// The NDR policy sent a parcel back: the courier's API is told after the answer, best
    /// effort (the courier returns it after its own last attempt anyway); the NDR's
    /// `courier_reply` records what it said.
    static func sendInstruction(_ app: BahiContext, _ outcome: TrackingFlow.Outcome) {
        guard let instruction = outcome.instruction, let ndr = outcome.ndr else { return }
        Task { _ = await instruct(app, ndr: ndr, courier: instruction.courier, awb: instruction.awb) }
    }

    /// Sends NDR `ndr`'s action for the parcel `awb` to courier `code`'s API (Shiprocket or
    /// Delhivery) with no transaction open, and records the answer on the NDR; nil for a
    /// courier with no API.
    static func instruct(_ app: BahiContext, ndr: ShipmentNDR, courier code: String, awb: String) async -> String? {
        guard let action = ndr.action,
              let courier = try? await app.store.read({ db in try Couriers.get(db, code: code) }),
              courier.fields.provider == .shiprocket || courier.fields.provider == .delhivery else { return nil }
        func text(_ value: JSONValue?) -> String? { if case .string(let s)? = value, !s.isEmpty { s } else { nil } }
        var address1: String?, address2: String?
        if case .object(let a)? = ndr.actionDetail["address"] {
            address1 = text(a["line1"])
            let rest = [text(a["line2"]), text(a["landmark"]), text(a["city"])].compactMap { $0 }
            address2 = rest.isEmpty ? nil : rest.joined(separator: ", ")
        }
        let phone = text(ndr.actionDetail["phone"]).map { String($0.suffix(10)) }
        let note = text(ndr.actionDetail["note"]) ?? "Return to origin (\(ndr.reason.rawValue), attempt \(ndr.attempt))."
        let instruction = CourierNDRInstruction(awb: awb, action: action, deferredDate: text(ndr.actionDetail["deferred_date"]), address1: address1,
                                                address2: address2, phone: phone, note: note)
        let reply: String
        switch await CourierGateways(app).sendNDR(courier: courier, instruction: instruction) {
        case .accepted(let said): reply = "sent: \(said)"
        case .refused(let message, let field): reply = "refused: \(message)\(field.map { " (\($0))" } ?? "")"
        case .unsupported(let why): reply = "not sent: \(why)"
        case .invalid(let problems): reply = "not sent: " + problems.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .unavailable(let why): reply = "not sent, no answer (send the action again): \(why)"
        }
        let id = ndr.id
        _ = try? await app.write { db in try Tracking.recordReply(db, ndrID: id, reply: reply) }
        return reply
    }

    static func received(_ outcome: TrackingFlow.Outcome, actionHours: Int, now: Int64) -> JSONValue {
        .object([
            "status": .string(outcome.result.rawValue), "shipment_id": .optional(outcome.shipmentID),
            "shipment_status": .optional(outcome.status?.rawValue), "moved": .array(outcome.moved.map { .string($0.rawValue) }),
            "new_scans": .int(Int64(outcome.newScans)), "kept": .optional(outcome.kept?.rawValue),
            "ndr": outcome.ndr.map { $0.json(actionHours: actionHours, now: now) } ?? .null,
        ])
    }
}

extension JSONValue {
    /// A fraction or mean with four decimals (shares, days): enough to compare couriers, and
    /// the same text on every platform.
    static func decimal(_ value: Double) -> JSONValue {
        let scaled = Int64((value * 10_000).rounded())
        let sign = scaled < 0 ? "-" : ""
        let whole = abs(scaled) / 10_000, fraction = abs(scaled) % 10_000
        let digits = String(fraction)
        return .number(JSONNumber(text: "\(sign)\(whole).\(String(repeating: "0", count: 4 - digits.count))\(digits)"))
    }
}

extension ShipmentNDR {
    /// The NDR as the API shows it (`Components.ndr`), its window counted from `raisedAt`.
    func json(actionHours: Int, now: Int64) -> JSONValue {
        let due = raisedAt + Int64(actionHours) * 3_600_000
        return .object([
            "id": .string(id), "shipment_id": .string(shipmentID), "attempt": .int(Int64(attempt)), "reason": .string(reason.rawValue),
            "code": .optional(code), "text": .optional(text), "raised_at": .string(Timestamps.rfc3339(milliseconds: raisedAt)),
            "status": .string(status.rawValue), "action_due_at": .string(Timestamps.rfc3339(milliseconds: due)),
            "overdue": .bool(status == .open && now > due), "action": .optional(action?.rawValue), "action_detail": .object(actionDetail),
            "action_by": .optional(actionBy), "actioned_at": actionedAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null,
            "courier_reply": .optional(courierReply), "closed_by": .optional(closedBy),
        ])
    }
}
