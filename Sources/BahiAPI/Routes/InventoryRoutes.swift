import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Stock levels, movements, holds, the change feed, alerts and the audit (DESIGN §4).
enum InventoryRoutes {
    static let writers: Access = .roles([.admin, .warehouse])
    static let tag = "inventory"

    static func register(on api: inout API) {
        // ── holds ──────────────────────────────────────────────────────────────
        api.mutation(.post, "/v1/inventory/reservations", access: .roles([.admin, .storefront]), RouteDoc(
            "Hold stock for a checkout",
            description: "Reserves every line or none (409 insufficient_stock with each line's shortfall). The hold lasts ttl_seconds, then expires; an order that names it converts it.",
            request: .json(.ref(Components.holdRequest), example: Examples.holdRequest),
            responses: [.created(.ref(Components.hold), "Held", example: Examples.hold).linking(
                ResponseLink("ReadHold", .get, "/v1/inventory/reservations/:id", from: "/id"),
                ResponseLink("ReleaseHold", .delete, "/v1/inventory/reservations/:id", from: "/id"))],
            errors: [.domain(.insufficientStock), .domain(.notFound), .wrongChannel, .domain(.validationFailed)]
        ).tagged(tag), staged: { ctx in
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["channel", "lines", "ttl_seconds", "reference"])
            let channel = try channelFor(ctx, v.string(body, "channel", maxLength: 64))
            let ttl = v.integer(body, "ttl_seconds", range: 1...86_400) ?? 900
            let reference = v.string(body, "reference", maxLength: 200)
            let lines = parseLines(v.array(body, "lines", required: true), v)
            try v.check()
            let actor = ctx.actor
            // The id and the response are made off the writer thread; only SQL runs on it.
            let id = EntityID.make(.reservation)
            return StagedEffect(
                run: { db in
                    try Holds.place(db, channel: channel, lines: lines, ttlSeconds: ttl, reference: reference,
                                    actor: actor, now: Int64(WallClock.milliseconds()), id: id)
                },
                render: { hold in
                    var response = HTTPResponse.json(hold.encodedJSON, status: .created)
                    response.headers.add(name: "Location", value: "/v1/inventory/reservations/\(hold.id)")
                    return response
                })
        })

        api.route(.get, "/v1/inventory/reservations/:id", access: .anyRole, RouteDoc(
            "Read a hold", description: "A storefront key sees its own channel's holds only (404 for another's).",
            responses: [.ok(.ref(Components.hold), example: Examples.hold)]
        ).tagged(tag)) { ctx in
            let id = ctx.request.parameters["id"] ?? ""
            guard EntityID.isValid(id, kind: .reservation),
                  let hold = try await ctx.app.store.read({ db in try Holds.find(db, id: id) }),
                  visible(hold, to: ctx) else { throw DomainError.notFound("reservation", id) }
            return .json(hold.json)
        }

        api.route(.delete, "/v1/inventory/reservations/:id", access: .roles([.admin, .storefront]), RouteDoc(
            "Release a hold", description: "Gives its units back. Releasing a released or expired hold answers it unchanged; one that became an order is 409.",
            responses: [.ok(.ref(Components.hold))], errors: [.domain(.invalidTransition)]
        ).tagged(tag)) { ctx in
            let id = ctx.request.parameters["id"] ?? ""
            guard EntityID.isValid(id, kind: .reservation) else { throw DomainError.notFound("reservation", id) }
            let actor = ctx.actor
            let principal = ctx.principal
            let hold = try await ctx.app.write { db -> Holds.Hold in
                guard let hold = try Holds.find(db, id: id), principal?.channel == nil || principal?.channel == hold.channel else {
                    throw DomainError.notFound("reservation", id)
                }
                if hold.status == .converted {
                    throw DomainError(.invalidTransition, "Reservation \(id) became an order; cancel the order instead.")
                }
                try Holds.release(db, id: id, actor: actor, now: Int64(WallClock.milliseconds()))
                return try Holds.find(db, id: id) ?? hold
            }
            return .json(hold.json)
        }

        // ── movements ─────────────────────────────────────────────────────────
        api.mutation(.post, "/v1/inventory/movements", access: writers, RouteDoc(
            "Record a stock movement",
            description: "receive, damage and transfer take a positive qty; adjust a signed, non-zero qty; count the units counted (set_on_hand). Every change is one ledger row.",
            request: .json(.ref(Components.movementRequest), example: Examples.movementRequest),
            responses: [.created(.ref(Components.movementResult), "Recorded", example: Examples.movementResult)],
            errors: [.domain(.notFound), .domain(.unknownLocation), .domain(.insufficientStock), .domain(.skuHasStock), .domain(.invalidKit)]
        ).tagged(tag)) { ctx in
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["sku", "location", "kind", "qty", "set_on_hand", "to_location", "reason", "reference"])
            let sku = v.string(body, "sku", required: true, maxLength: 64)
            let location = v.string(body, "location", required: true, maxLength: 64)
            let kind = v.string(body, "kind", required: true, maxLength: 20)
            let qty = v.integer(body, "qty", range: -1_000_000_000...1_000_000_000)
            let setOnHand = v.integer(body, "set_on_hand", range: 0...1_000_000_000)
            let destination = v.string(body, "to_location", maxLength: 64)
            let reason = v.string(body, "reason", maxLength: 500)
            let reference = v.string(body, "reference", maxLength: 200)
            var request: Movements.Request?
            func positive(_ q: Int64?) -> Int64? {
                guard let q else { v.add("qty", "required", "A positive qty is required for \(kind ?? "this kind")."); return nil }
                guard q > 0 else { v.add("qty", "out_of_range", "qty must be positive for \(kind ?? "this kind")."); return nil }
                return q
            }
            switch kind {
            case "receive": if let q = positive(qty) { request = .receive(qty: q) }
            case "damage": if let q = positive(qty) { request = .damage(qty: q) }
            case "adjust":
                if let q = qty, q != 0 { request = .adjust(delta: q) } else { v.add("qty", "required", "adjust needs a non-zero signed qty.") }
            case "count":
                if let s = setOnHand { request = .count(setOnHand: s) } else { v.add("set_on_hand", "required", "count needs set_on_hand, the units counted.") }
            case "transfer":
                if destination == nil { v.add("to_location", "required", "transfer needs to_location.") }
                if let q = positive(qty), let destination { request = .transfer(qty: q, to: destination) }
            case nil: break
            case let other?:
                v.add("kind", "invalid", "Unknown kind \(other); use receive, adjust, count, damage or transfer.")
            }
            if kind != "count", setOnHand != nil { v.add("set_on_hand", "not_allowed", "set_on_hand is only for kind count.") }
            if kind == "count", qty != nil { v.add("qty", "not_allowed", "count takes set_on_hand, not qty.") }
            if kind != "transfer", destination != nil { v.add("to_location", "not_allowed", "to_location is only for kind transfer.") }
            try v.check()
            guard let sku, let location, let request else { throw HTTPError(.unprocessableContent, code: "validation_failed", detail: "Incomplete movement.") }
            let actor = ctx.actor
            return { db in
                let now = Int64(WallClock.milliseconds())
                let applied = try Movements.record(db, sku: sku, location: location, request: request, reason: reason, reference: reference, actor: actor, now: now)
                let levels = try StockLedger.levels(db, sku: sku)
                return .json(.object([
                    "movements": .array(applied.map { c in
                        .object(["sku": .string(c.sku), "location": .string(c.location), "kind": .string(c.kind.rawValue),
                                 "on_hand_delta": .number(JSONNumber(c.onHand)), "reserved_delta": .number(JSONNumber(c.reserved)),
                                 "damaged_delta": .number(JSONNumber(c.damaged))])
                    }),
                    "levels": .array(levels.map(\.json)),
                ]), status: .created)
            }
        }

        // ── reads ──────────────────────────────────────────────────────────────
        api.route(.get, "/v1/inventory/audit", access: .roles([.admin]), RouteDoc(
            "Prove levels equal the sum of their movements",
            description: "By default the newest audit checkpoint (sums proven equal to the levels when written) plus every movement after it (checked_from: the checkpoint's last movement id). full=true re-adds every movement from the first and checks the checkpoint against the movements too: minutes at a million orders.",
            query: [QueryParameter("full", .boolean, "Re-add every movement and check the checkpoint itself (default false).")],
            responses: [.ok(.object(["clean": .boolean, "drift": .array(of: .string()), "full": .boolean, "checked_from": .integer()], allRequired: true))]
        ).tagged(tag)) { ctx in
            var errors: [FieldError] = []
            let full = InventoryCSVRoutes.flag(ctx.request, "full", &errors)
            try InventoryReads.check(errors)
            let report = try await ctx.app.store.read { db in try StockAudit.run(db, full: full) }
            return .json(.object(["clean": .bool(report.drift.isEmpty), "drift": .array(report.drift.map(JSONValue.string)),
                                  "full": .bool(report.full), "checked_from": .number(JSONNumber(report.from))]))
        }

        api.route(.get, "/v1/inventory/changes", access: .roles([.admin, .storefront]), RouteDoc(
            "What a channel may now sell, per changed SKU (long poll)",
            query: [QueryParameter("after", .integer(atLeast: 0), "The previous answer's next_cursor (an event seq)."),
                    QueryParameter("channel", .string(maxLength: 64), "The channel; a storefront key's own when left out."),
                    QueryParameter("wait", .integer(0...30), "Seconds to wait for a change (default 0)."),
                    .limit(default: 500, max: 1000)],
            responses: [.ok(.object([
                "channel": .string(),
                "data": .array(of: .object(["sku": .string(), "sellable": .integer(), "available": .integer(), "seq": .integer()], allRequired: true)),
                "next_cursor": .string(),
            ], allRequired: true))],
            errors: [.wrongChannel, .notFound, ProblemCase(422, "validation_failed")]
        ).tagged(tag)) { ctx in
            try await ChangeFeed.respond(ctx)
        }

        api.route(.get, "/v1/inventory/reorder", access: .anyRole, RouteDoc(
            "SKUs below their reorder point, with how many to order",
            responses: [.ok(Components.page(of: .object([
                "sku": .string(), "name": .string(), "available": .integer(), "reorder_point": .integer(), "reorder_qty": .integer(), "suggested_qty": .integer(),
            ], allRequired: true)))]
        ).onePageList.tagged(tag)) { ctx in
            try ListCursor.onePage(ctx.request)
            let rows = try await ctx.app.store.read { db in try InventoryQueries.reorderSuggestions(db) }
            return .json(.object(["data": .array(rows.map(\.reorderJSON)), "next_cursor": .null]))
        }

        api.route(.get, "/v1/inventory", access: .anyRole, RouteDoc(
            "Stocked SKUs with their totals",
            query: [QueryParameter("location", .string(maxLength: 64), "Totals at one location (default: all active ones)."),
                    QueryParameter("below", .string(enum: ["low_stock", "reorder_point"]), "Only SKUs below a threshold."),
                    .after, .limit()],
            responses: [.ok(Components.page(of: .ref(Components.inventoryRow)))]
        ).tagged(tag)) { ctx in
            try await InventoryQueries.list(ctx)
        }

        api.route(.get, "/v1/inventory/:sku", access: .anyRole, RouteDoc(
            "One SKU's stock: totals, per location, what each channel may sell",
            responses: [.ok(.ref(Components.inventorySummary))]
        ).tagged(tag)) { ctx in
            let sku = ctx.request.parameters["sku"] ?? ""
            guard let summary = try await ctx.app.store.read({ db in try InventoryQueries.summary(db, sku: sku) }) else {
                throw DomainError.notFound("SKU", sku)
            }
            return .json(summary.json)
        }

        api.route(.get, "/v1/inventory/:sku/movements", access: .anyRole, RouteDoc(
            "A SKU's movement ledger, oldest first",
            query: [QueryParameter("after", .integer(atLeast: 0), "The previous page's next_cursor (a movement id)."), .limit()],
            responses: [.ok(Components.page(of: .ref(Components.movement)), example: Examples.movements)]
        ).tagged(tag)) { ctx in
            try await InventoryQueries.movements(ctx)
        }
    }

    /// The channel a hold (or order) is for: a storefront key's own channel; others must name one.
    static func channelFor(_ ctx: RequestContext, _ requested: String?, what: String = "hold") throws -> String {
        if let bound = ctx.principal?.channel {
            if let requested, requested != bound {
                throw HTTPError(.forbidden, code: "wrong_channel", detail: "This storefront key acts for channel \(bound), not \(requested).")
            }
            return bound
        }
        guard let requested else {
            throw HTTPError(.unprocessableContent, code: "validation_failed", detail: "channel is required.",
                            errors: [FieldError(field: "channel", code: "required", message: "Name the channel the \(what) is for.")])
        }
        return requested
    }

    /// A storefront sees only its own channel's holds.
    static func visible(_ hold: Holds.Hold, to ctx: RequestContext) -> Bool {
        ctx.principal?.channel == nil || ctx.principal?.channel == hold.channel
    }

    /// `lines: [{sku, qty}]`, at most 100 lines, qty 1…100,000.
    static func parseLines(_ items: [JSONValue]?, _ v: Validator) -> [Holds.Line] {
        guard let items else { return [] }
        if items.isEmpty { v.add("lines", "required", "At least one line.") }
        if items.count > 100 { v.add("lines", "too_many", "At most 100 lines.") }
        var lines: [Holds.Line] = []
        for (i, item) in items.prefix(100).enumerated() {
            guard case .object(let o) = item else {
                v.add("lines[\(i)]", "invalid_type", "Each line is an object {sku, qty}.")
                continue
            }
            v.allowOnly(o, ["sku", "qty"], at: "lines[\(i)]")
            let sku = v.string(o, "sku", at: "lines[\(i)]", required: true, maxLength: 64)
            let qty = v.integer(o, "qty", at: "lines[\(i)]", required: true, range: 1...100_000)
            if let sku, let qty { lines.append(Holds.Line(sku: sku, qty: qty)) }
        }
        return lines
    }
}
