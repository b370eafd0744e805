import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Orders (DESIGN §5): intake from every channel, reads, confirm, cancel, edit, payments.
enum OrderRoutes {
    static let tag = "orders"
    static let detail = Schema.ref(Components.orderWithHistory)

    static func register(on api: inout API) {
        api.mutation(.post, "/v1/orders", access: .roles([.admin, .storefront]), RouteDoc(
            "Take in an order",
            description: "Checks the customer, address (pincode), lines and totals, reserves every line (or converts the hold named by reservation_id) and plans shipments, in one transaction. One order per channel and channel_order_ref: a repeat answers 200 with the first.",
            request: .json(.ref(Components.orderRequest), example: Examples.orderRequest),
            responses: [.created(detail, "Created", example: Examples.order).linking(
                            ResponseLink("ReadOrder", .get, "/v1/orders/:id", from: "/id"),
                            ResponseLink("ReadHistory", .get, "/v1/orders/:id/history", from: "/id"),
                            ResponseLink("Cancel", .post, "/v1/orders/:id/cancel", from: "/id"),
                            ResponseLink("Hold", .post, "/v1/orders/:id/hold", from: "/id"),
                            ResponseLink("Confirm", .post, "/v1/orders/:id/confirm", from: "/id"),
                            ResponseLink("Edit", .post, "/v1/orders/:id/edit", from: "/id"),
                            ResponseLink("RecordPayment", .post, "/v1/orders/:id/payments", from: "/id"),
                            ResponseLink("ReadShipment", .get, "/v1/shipments/:id", from: "/shipments/0/id"),
                            ResponseLink("PackShipment", .post, "/v1/shipments/:id/pack", from: "/shipments/0/id")),
                        ResponseDoc(200, "This channel_order_ref was taken in before: the existing order", .json(detail), headers: [("Location", "The order.")])],
            errors: [.domain(.insufficientStock), .domain(.invalidPincode), .domain(.codBlockedPincode), .domain(.codLimitExceeded),
                     .domain(.codNotAvailable), .domain(.totalsMismatch), .domain(.unknownReservation), .domain(.reservationNotActive),
                     .domain(.validationFailed), .domain(.sellerStateUnknown), .domain(.notFound), .wrongChannel]
        ).tagged(tag), staged: { ctx in
            let draft = try parseDraft(ctx)
            let policy = ctx.app.orderPolicy
            let actor = ctx.actor
            // The id and the response are made off the writer thread; only SQL runs on it.
            let id = EntityID.make(.order)
            return StagedEffect(
                run: { db in try PlaceOrderFlow.place(db, draft: draft, policy: policy, actor: actor, now: Int64(WallClock.milliseconds()), id: id) },
                render: { result in
                    var response = HTTPResponse.json(result.order.json(), status: result.created ? .created : .ok)
                    response.headers.add(name: "Location", value: "/v1/orders/\(result.order.id)")
                    return response
                })
        })

        api.route(.get, "/v1/orders", access: .anyRole, RouteDoc(
            "List orders, newest first",
            description: "Newest first: by creation time, then id; next_cursor is the last order's id. Each filter and the cursor are read from an index in that order. A storefront key lists its own channel's orders only.",
            query: [QueryParameter("status", .oneOf(OrderStatus.self), "Only orders in this status."),
                    QueryParameter("channel", .string(maxLength: 64), "Only this channel's orders."),
                    QueryParameter("payment_method", .oneOf(PaymentMethod.self), "prepaid or cod."),
                    QueryParameter("created_after", .dateTime, "RFC 3339."), QueryParameter("created_before", .dateTime, "RFC 3339."),
                    QueryParameter("q", .string(maxLength: 100),
                                   "Finds orders by exact key or name: the order id, the channel order ref (exact), a phone in any common Indian form (+91 98250 12345, 09825012345, 9825012345, or ending in those ten digits), or the start of every word of the customer's or recipient's name (\"Ash\" finds Asha; words of two or more letters). Not a substring match. Combines with the other filters."),
                    .after, .limit()],
            responses: [.ok(Components.page(of: .ref(Components.order)))],
            errors: [.wrongChannel]
        ).tagged(tag)) { ctx in
            var errors: [FieldError] = []
            var filter = OrderQueries.Filter()
            filter.limit = InventoryReads.int(ctx.request, "limit", default: 50, range: 1...500, &errors)
            filter.status = ctx.request.queryItem("status")
            if let s = filter.status, OrderStatus(rawValue: s) == nil {
                errors.append(FieldError(field: "status", code: "invalid", message: "One of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))."))
            }
            filter.channel = ctx.request.queryItem("channel")
            if let bound = ctx.principal?.channel {
                if let asked = filter.channel, asked != bound {
                    throw HTTPError(.forbidden, code: "wrong_channel", detail: "This storefront key reads channel \(bound)'s orders only.")
                }
                filter.channel = bound
            }
            filter.paymentMethod = ctx.request.queryItem("payment_method")
            if let m = filter.paymentMethod, m != "prepaid", m != "cod" {
                errors.append(FieldError(field: "payment_method", code: "invalid", message: "prepaid or cod."))
            }
            for (name, keyPath) in [("created_after", \OrderQueries.Filter.createdAfter), ("created_before", \OrderQueries.Filter.createdBefore)] {
                guard let text = ctx.request.queryItem(name) else { continue }
                if let ms = Timestamps.milliseconds(rfc3339: text) { filter[keyPath: keyPath] = ms } else {
                    errors.append(FieldError(field: name, code: "invalid", message: "An RFC 3339 time such as 2026-11-22T00:00:00+05:30."))
                }
            }
            filter.q = ctx.request.queryItem("q")
            filter.after = ListCursor.entityID(ctx.request, kind: .order, &errors)
            try InventoryReads.check(errors)
            let query = filter
            let page = try await ctx.app.store.read { db in try OrderQueries.list(db, query) }
            return .json(.object(["data": .array(page.orders.map { $0.json(includeHistory: false) }), "next_cursor": .optional(page.next)]))
        }

        api.route(.get, "/v1/orders/:id", access: .anyRole, RouteDoc(
            "Read an order with its lines, shipments and history",
            description: "A storefront key reads its own channel's orders only (404 for another's).",
            responses: [.ok(detail, example: Examples.order)]
        ).tagged(tag)) { ctx in
            .json(try await visibleOrder(ctx).json())
        }

        api.route(.get, "/v1/orders/:id/history", access: .anyRole, RouteDoc(
            "An order's history, oldest first", responses: [.ok(Components.page(of: .ref(Components.historyEntry)))]
        ).onePageList.tagged(tag)) { ctx in
            try ListCursor.onePage(ctx.request)
            let order = try await visibleOrder(ctx)
            return .json(.object(["data": .array(order.history.map(\.json)), "next_cursor": .null]))
        }

        api.mutation(.post, "/v1/orders/:id/confirm", access: .roles([.admin]), RouteDoc(
            "Confirm an order on hold or awaiting payment",
            request: .json(.object(["note": .string(maxLength: 1000)]), optional: true),
            responses: [.ok(detail)], errors: [.domain(.invalidTransition), .domain(.insufficientStock)]
        ).tagged(tag)) { ctx in
            let id = try orderID(ctx)
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["note"])
            let note = v.string(body, "note", maxLength: 1000)
            try v.check()
            let actor = ctx.actor
            return { db in
                .json(try ConfirmOrderFlow.confirm(db, id: id, note: note, actor: actor, now: Int64(WallClock.milliseconds())).json())
            }
        }

        api.mutation(.post, "/v1/orders/:id/hold", access: .roles([.admin]), RouteDoc(
            "Put an order on hold",
            request: .json(.object(["reason": Schema.oneOf(HoldReason.self).required, "note": .string(maxLength: 1000)])),
            responses: [.ok(detail)], errors: [.domain(.invalidTransition)]
        ).tagged(tag)) { ctx in
            let id = try orderID(ctx)
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["reason", "note"])
            var reason: HoldReason?
            if let text = v.string(body, "reason", required: true, maxLength: 32) {
                reason = HoldReason(rawValue: text)
                if reason == nil { v.add("reason", "invalid", "One of \(HoldReason.allCases.map(\.rawValue).joined(separator: ", ")).") }
            }
            let note = v.string(body, "note", maxLength: 1000)
            try v.check()
            guard let reason else { throw HTTPError(.unprocessableContent, code: "validation_failed", detail: "reason is required.") }
            let actor = ctx.actor
            return { db in
                .json(try ConfirmOrderFlow.hold(db, id: id, reason: reason, note: note, actor: actor, now: Int64(WallClock.milliseconds())).json())
            }
        }

        api.mutation(.post, "/v1/orders/:id/cancel", access: .roles([.admin, .storefront]), RouteDoc(
            "Cancel an order", description: "Releases its stock and cancels its parcels. A storefront key cancels its own channel's orders only.",
            request: .json(.object(["reason": Schema.oneOf(CancelReason.self).required, "note": .string(maxLength: 1000)])),
            responses: [.ok(detail)], errors: [.domain(.invalidTransition)]
        ).tagged(tag)) { ctx in
            let id = try orderID(ctx)
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["reason", "note"])
            let reasonText = v.string(body, "reason", required: true, maxLength: 32)
            let note = v.string(body, "note", maxLength: 1000)
            var reason: CancelReason?
            if let reasonText {
                reason = CancelReason(rawValue: reasonText)
                if reason == nil {
                    v.add("reason", "invalid", "One of \(CancelReason.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
            }
            try v.check()
            guard let reason else { throw HTTPError(.unprocessableContent, code: "validation_failed", detail: "reason is required.") }
            let actor = ctx.actor
            let channel = ctx.principal?.channel
            return { db in
                try OrderQueries.checkChannel(db, id: id, channel: channel)
                return .json(try CancelOrderFlow.cancel(db, id: id, reason: reason, note: note, actor: actor, now: Int64(WallClock.milliseconds())).json())
            }
        }

        api.mutation(.post, "/v1/orders/:id/edit", access: .roles([.admin]), RouteDoc(
            "Edit an order's lines, shipping address or shipping charge",
            description: "Conditional on the order's version (the body's version or If-Match). Stock is re-reserved for the new lines in the same transaction.",
            request: .json(.object([
                "version": Schema.integer(atLeast: 1).described("The order's version; or send If-Match."),
                "lines": .array(of: .ref(Components.orderLineInput), minItems: 1, maxItems: 100),
                "shipping_address": .ref(Components.addressInput),
                "shipping_paise": .integer(0...100_000_000),
            ])),
            responses: [.ok(detail)],
            errors: [.domain(.invalidTransition), .domain(.insufficientStock), .domain(.invalidPincode), .domain(.codLimitExceeded),
                     .domain(.codBlockedPincode), .domain(.codNotAvailable), .domain(.validationFailed)],
            ifMatch: true
        ).tagged(tag)) { ctx in
            let id = try orderID(ctx)
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["version", "lines", "shipping_address", "shipping_paise"])
            var version = v.integer(body, "version", range: 1...Int64.max)
            if let ifMatch = ctx.request.headers["if-match"] {
                let digits = ifMatch.filter(\.isNumber)
                if let tagged = Int64(digits) {
                    if let version, version != tagged { v.add("version", "conflicts_with_if_match", "version \(version) differs from If-Match \(ifMatch).") }
                    version = tagged
                }
            }
            if version == nil { v.add("version", "required", "Send the order's version (from GET /v1/orders/\(id)) or an If-Match header.") }
            let lines = body["lines"] == nil ? nil : parseLines(v.array(body, "lines", required: true), v)
            let shipping = v.object(body, "shipping_address").map { parseAddress($0, at: "shipping_address", v) } ?? nil
            let shippingPaise = v.integer(body, "shipping_paise", range: 0...100_000_000)
            if lines == nil, body["shipping_address"] == nil, shippingPaise == nil {
                v.add("lines", "required", "Send lines, shipping_address or shipping_paise: what the edit changes.")
            }
            try v.check()
            let input = OrderTransitions.EditInput(version: version ?? 0, lines: lines, shipping: shipping, shippingPaise: shippingPaise)
            let policy = ctx.app.orderPolicy
            let actor = ctx.actor
            return { db in
                .json(try EditOrderFlow.edit(db, id: id, input, policy: policy, actor: actor, now: Int64(WallClock.milliseconds())).json())
            }
        }

        api.mutation(.post, "/v1/orders/:id/payments", access: .roles([.admin, .finance]), RouteDoc(
            "Record a payment",
            description: "gateway and gateway_payment_id deduplicate it: the same payment again answers 200 with the first.",
            request: .json(.object([
                "amount_paise": Schema.integer(1...10_000_000_000).required,
                "status": .string(enum: ["captured", "authorized", "failed"]).described("Default captured."),
                "gateway": .string(maxLength: 40), "gateway_payment_id": .string(maxLength: 120),
            ])),
            responses: [ResponseDoc(201, "Recorded", .json(paymentResult)), ResponseDoc(200, "Already recorded", .json(paymentResult))],
            errors: [.domain(.invalidTransition), .domain(.paymentBelongsElsewhere)]
        ).tagged(tag)) { ctx in
            let id = try orderID(ctx)
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["amount_paise", "status", "gateway", "gateway_payment_id"])
            let amount = v.integer(body, "amount_paise", required: true, range: 1...10_000_000_000)
            let statusText = v.string(body, "status", maxLength: 20) ?? "captured"
            let status = OrderTransitions.PaymentInput.Status(rawValue: statusText)
            if status == nil { v.add("status", "invalid", "captured, authorized or failed.") }
            let gateway = v.string(body, "gateway", maxLength: 40)
            let gatewayPaymentID = v.string(body, "gateway_payment_id", maxLength: 120)
            if (gateway == nil) != (gatewayPaymentID == nil) {
                v.add(gateway == nil ? "gateway" : "gateway_payment_id", "required", "gateway and gateway_payment_id go together (they deduplicate the payment).")
            }
            try v.check()
            guard let amount, let status else { throw HTTPError(.unprocessableContent, code: "validation_failed", detail: "Incomplete payment.") }
            let payment = OrderTransitions.PaymentInput(amountPaise: amount, status: status, gateway: gateway, gatewayPaymentID: gatewayPaymentID)
            let actor = ctx.actor
            return { db in
                let result = try ConfirmOrderFlow.recordPayment(db, id: id, payment: payment, actor: actor, now: Int64(WallClock.milliseconds()))
                return .json(.object(["payment_id": .string(result.paymentID), "order": result.order.json()]), status: result.created ? .created : .ok)
            }
        }
    }

    static let paymentResult = Schema.object(["payment_id": .string(), "order": detail], allRequired: true)

    // MARK: - helpers

    static func orderID(_ ctx: RequestContext) throws -> String {
        let id = ctx.request.parameters["id"] ?? ""
        guard EntityID.isValid(id, kind: .order) else { throw DomainError.notFound("order", id) }
        return id
    }

    /// The order, if the caller may see it (a storefront sees its own channel's only).
    static func visibleOrder(_ ctx: RequestContext) async throws -> Order {
        let id = try orderID(ctx)
        guard let order = try await ctx.app.store.read({ db in try OrderDetails.find(db, id: id) }),
              ctx.principal?.channel == nil || ctx.principal?.channel == order.channel else { throw DomainError.notFound("order", id) }
        return order
    }

    /// The intake body, shape-checked: every problem listed at once with its field path.
    static func parseDraft(_ ctx: RequestContext) throws -> OrderDraft {
        let body = ctx.body
        let v = ctx.validator()
        v.allowOnly(body, ["channel", "channel_order_ref", "placed_at", "customer", "shipping_address", "billing_address", "lines", "shipping_paise",
                           "payment", "reservation_id", "tags", "notes", "subtotal_paise", "discount_paise", "tax_paise", "total_paise"])
        let channel = try InventoryRoutes.channelFor(ctx, v.string(body, "channel", maxLength: 64), what: "order")
        let ref = v.string(body, "channel_order_ref", required: true, maxLength: 100)
        var placedAt: Int64?
        if let text = v.string(body, "placed_at", maxLength: 40) {
            placedAt = Timestamps.milliseconds(rfc3339: text)
            if placedAt == nil { v.add("placed_at", "invalid", "An RFC 3339 time such as 2026-11-22T15:45:00+05:30.") }
        }
        var name: String?, phone: String?, email: String?
        if let customer = v.object(body, "customer", required: true) {
            v.allowOnly(customer, ["name", "phone", "email"], at: "customer")
            name = v.string(customer, "name", at: "customer", required: true, maxLength: 200)
            phone = normalisedPhone(v.string(customer, "phone", at: "customer", required: true, maxLength: 30), field: "customer.phone", v)
            email = v.string(customer, "email", at: "customer", maxLength: 254)
            if let e = email, !(e.contains("@") && e.split(separator: "@").count == 2 && !e.hasPrefix("@") && !e.hasSuffix("@")) {
                v.add("customer.email", "invalid", "An email address such as asha@example.com.")
            }
        }
        let shipping = v.object(body, "shipping_address", required: true).flatMap { parseAddress($0, at: "shipping_address", v) }
        let billing = v.object(body, "billing_address").flatMap { parseAddress($0, at: "billing_address", v) }
        let lines = parseLines(v.array(body, "lines", required: true), v)
        let shippingPaise = v.integer(body, "shipping_paise", range: 0...100_000_000) ?? 0
        var method: OrderDraft.PaymentMethod?
        var gateway: String?, gatewayOrderID: String?
        var paid = false
        if let payment = v.object(body, "payment", required: true) {
            v.allowOnly(payment, ["method", "gateway", "gateway_order_id", "status"], at: "payment")
            if let m = v.string(payment, "method", at: "payment", required: true, maxLength: 20) {
                method = OrderDraft.PaymentMethod(rawValue: m)
                if method == nil { v.add("payment.method", "invalid", "prepaid or cod.") }
            }
            gateway = v.string(payment, "gateway", at: "payment", maxLength: 40)
            gatewayOrderID = v.string(payment, "gateway_order_id", at: "payment", maxLength: 120)
            let status = v.string(payment, "status", at: "payment", maxLength: 20)
            switch (method, status) {
            case (.prepaid?, "paid"?): paid = true
            case (.prepaid?, "pending"?): paid = false
            case (.prepaid?, nil): v.add("payment.status", "required", "A prepaid order says whether the gateway captured it: paid or pending.")
            case (.cod?, nil), (.cod?, "pending"?): break
            case (.cod?, let s?): v.add("payment.status", "invalid", "A COD order is paid on delivery; send pending or leave status out (got \(s)).")
            case (_, let s?) where s != "paid" && s != "pending": v.add("payment.status", "invalid", "paid or pending.")
            default: break
            }
        }
        let reservationID = v.string(body, "reservation_id", maxLength: 40)
        if let r = reservationID, !EntityID.isValid(r, kind: .reservation) {
            v.add("reservation_id", "invalid", "A hold id such as res_01J… from POST /v1/inventory/reservations.")
        }
        var tags: [String] = []
        if let items = v.array(body, "tags") {
            if items.count > 20 { v.add("tags", "too_many", "At most 20 tags.") }
            for (i, item) in items.prefix(20).enumerated() {
                if case .string(let t) = item, !t.isEmpty, t.count <= 40 { tags.append(t) } else { v.add("tags[\(i)]", "invalid", "A tag is a string of 1–40 characters.") }
            }
        }
        let notes = v.string(body, "notes", maxLength: 2000)
        let claimed = OrderDraft.ClaimedTotals(
            subtotalPaise: v.integer(body, "subtotal_paise", range: 0...Int64.max), discountPaise: v.integer(body, "discount_paise", range: 0...Int64.max),
            taxPaise: v.integer(body, "tax_paise", range: 0...Int64.max), totalPaise: v.integer(body, "total_paise", range: 0...Int64.max))
        try v.check()
        guard let ref, let name, let phone, let shipping, let method else {
            throw HTTPError(.unprocessableContent, code: "validation_failed", detail: "Incomplete order.")
        }
        return OrderDraft(channel: channel, channelOrderRef: ref, placedAt: placedAt, customerName: name, customerPhone: phone, customerEmail: email,
                          shipping: shipping, billing: billing, lines: lines, shippingPaise: shippingPaise, paymentMethod: method, gateway: gateway,
                          gatewayOrderID: gatewayOrderID, paid: paid, reservationID: reservationID, tags: tags, notes: notes, claimed: claimed)
    }

    static func normalisedPhone(_ raw: String?, field: String, _ v: Validator) -> String? {
        guard let raw else { return nil }
        guard let phone = IndianPhone.normalise(raw) else {
            v.add(field, "invalid_phone", "An Indian mobile number: ten digits starting 6–9, optionally with +91 (got \(raw)).")
            return nil
        }
        return phone
    }

    /// An address object; the pincode's syntax is checked here, its existence by intake.
    static func parseAddress(_ o: JSONObject, at path: String, _ v: Validator) -> OrderAddress? {
        v.allowOnly(o, ["name", "line1", "line2", "landmark", "city", "state", "pincode", "phone"], at: path)
        let name = v.string(o, "name", at: path, required: true, maxLength: 200)
        let line1 = v.string(o, "line1", at: path, required: true, maxLength: 300)
        let line2 = v.string(o, "line2", at: path, maxLength: 300)
        let landmark = v.string(o, "landmark", at: path, maxLength: 200)
        let city = v.string(o, "city", at: path, required: true, maxLength: 100)
        let state = v.string(o, "state", at: path, maxLength: 100)
        let pincode = v.string(o, "pincode", at: path, required: true, maxLength: 6)
        if let pincode, !PincodeDirectory.isWellFormed(pincode) {
            v.add(path + ".pincode", "invalid_pincode", "Six digits, not starting with 0 (got \(pincode)).")
        }
        let phone = normalisedPhone(v.string(o, "phone", at: path, maxLength: 30), field: path + ".phone", v)
        guard let name, let line1, let city, let pincode else { return nil }
        return OrderAddress(name: name, line1: line1, line2: line2, landmark: landmark, city: city, state: state, pincode: pincode, phone: phone)
    }

    /// `lines: [{sku, qty, unit_price_paise, discount_paise}]`, 1–100 lines.
    static func parseLines(_ items: [JSONValue]?, _ v: Validator) -> [OrderDraft.Line] {
        guard let items else { return [] }
        if items.isEmpty { v.add("lines", "required", "At least one line.") }
        if items.count > 100 { v.add("lines", "too_many", "At most 100 lines.") }
        var lines: [OrderDraft.Line] = []
        for (i, item) in items.prefix(100).enumerated() {
            let path = "lines[\(i)]"
            guard case .object(let o) = item else {
                v.add(path, "invalid_type", "Each line is an object {sku, qty, unit_price_paise, discount_paise}.")
                continue
            }
            v.allowOnly(o, ["sku", "qty", "unit_price_paise", "discount_paise"], at: path)
            let sku = v.string(o, "sku", at: path, required: true, maxLength: 64)
            let qty = v.integer(o, "qty", at: path, required: true, range: 1...100_000)
            let price = v.integer(o, "unit_price_paise", at: path, required: true, range: 0...1_000_000_000)
            let discount = v.integer(o, "discount_paise", at: path, range: 0...100_000_000_000) ?? 0
            if let qty, let price, discount > qty * price {
                v.add(path + ".discount_paise", "out_of_range", "The discount (\(discount)) is more than the line's price (\(qty * price)).")
            }
            if let sku, let qty, let price { lines.append(OrderDraft.Line(sku: sku, qty: qty, unitPricePaise: price, discountPaise: discount)) }
        }
        return lines
    }
}
