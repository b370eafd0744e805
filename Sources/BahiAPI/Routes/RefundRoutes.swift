import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Refunds: asking for one (through the payment's gateway, or as a payout the seller makes
/// for a COD order), reading them, marking payouts paid, and the payouts file.
///
/// `POST /v1/orders/{id}/refunds` is a plain route, not a mutation: it calls a gateway over
/// HTTPS, which must never happen inside a write transaction. Transaction 1 reserves the
/// amount on the payment and stores the refund `pending`; the gateway is asked with no
/// transaction open; transaction 2 records its answer. A refund whose answer never came stays
/// `pending` with the reason in `error`; the gateway deduplicates by the refund's id.
enum RefundRoutes {
    static let tag = "refunds"
    static let finance = Access.roles([.admin, .finance])
    static let readers = Access.roles([.admin, .finance, .support])
    static let fields: Set<String> = ["amount_paise", "reason", "lines", "beneficiary"]

    static func register(on api: inout API) {
        api.route(.post, "/v1/orders/:id/refunds", access: finance, RouteDoc(
            "Refund money on an order",
            description: "Refunds the order's captured payment with the most left to refund: through its gateway (Razorpay, Cashfree; the refund's id is sent as the idempotency key), or, for a COD order or a payment with no gateway, as a bank payout the seller makes (beneficiary required; only the account's last four digits are kept) and marks paid with its UTR. Never more than was captured less what was refunded, however many requests race (409 refund_exceeds_captured names what remains). A gateway without API credentials is refused before anything is written (409 gateway_not_configured). 201 with the refund: processed or pending as the gateway said; failed (amount refundable again) when it refused; pending with error set when it could not be reached — safe to ask again.",
            request: .json(.object([
                "amount_paise": Schema.integer(1...10_000_000_000).required,
                "reason": Schema.string(maxLength: 500).required,
                "lines": .array(of: .object(["sku": Schema.string(maxLength: 64).required, "qty": Schema.integer(1...1_000_000).required]), maxItems: 500),
                "beneficiary": .object([
                    "name": Schema.string(maxLength: 100).required, "account_number": Schema.string(maxLength: 40).required,
                    "ifsc": Schema.string(maxLength: 11).required,
                ]).described("COD refunds only: the buyer's bank account."),
            ])),
            responses: [.created(.ref(Components.refund)).linking(ResponseLink("ReadRefund", .get, "/v1/refunds/:id", from: "/id"))],
            errors: [.domain(.validationFailed), .domain(.refundExceedsCaptured), .domain(.gatewayNotConfigured)]
        ).tagged(tag)) { ctx in
            let orderID = try OrderRoutes.orderID(ctx)
            let request = try input(ctx)
            let gateways = RefundGateways(ctx.app.configuration)
            let configured = gateways.configured
            let actor = ctx.actor
            let (opened, payment) = try await ctx.app.write(rerunnable: true) { db -> (Refund, Payment?) in
                let refund = try RefundFlow.open(db, orderID: orderID, request, gateways: configured, actor: actor, now: Int64(WallClock.milliseconds()))
                return (refund, try Payments.get(db, id: refund.paymentID))
            }
            var refund = opened
            if !refund.isPayout, let payment {
                let app = ctx.app
                let answer = await gateways.ask(refund, payment: payment) { () throws(HTTPClientError) in try app.gatewayClient() }
                refund = try await ctx.app.write(rerunnable: true) { db in
                    try Refunds.recordAnswer(db, id: opened.id, answer, actor: actor, now: Int64(WallClock.milliseconds()))
                }
            }
            var response = HTTPResponse.json(refund.json, status: .created)
            response.headers.add(name: "Location", value: "/v1/refunds/\(refund.id)")
            return response
        }

        api.route(.get, "/v1/orders/:id/refunds", access: readers, RouteDoc(
            "An order's refunds, oldest first",
            responses: [.ok(.object(["data": .array(of: .ref(Components.refund))], allRequired: true))]
        ).onePageList.tagged(tag)) { ctx in
            try ListCursor.onePage(ctx.request)
            let id = try OrderRoutes.orderID(ctx)
            let found = try await ctx.app.store.read { db -> [Refund]? in
                guard try OrderTransitions.exists(db, id: id) else { return nil }
                return try Refunds.refunds(db, orderID: id)
            }
            guard let found else { throw DomainError.notFound("order", id) }
            return .json(.object(["data": .array(found.map(\.json))]))
        }

        api.route(.get, "/v1/refunds/payouts.csv", access: finance, RouteDoc(
            "Payout refunds as CSV, for making the transfers",
            description: "Columns beneficiary_name, account_masked, ifsc, amount_rupees (two decimals), refund_id, order_id; oldest first. The account number is masked: the whole number is the buyer's to give the person paying.",
            query: [QueryParameter("status", .string(enum: ["pending", "processed"]), "pending (default): still to pay; processed: paid.")],
            responses: [ResponseDoc(200, "The payouts", .csv, headers: [("Content-Disposition", "attachment; filename=…")])]
        ).tagged(tag)) { ctx in
            let text = ctx.request.queryItem("status") ?? "pending"
            guard let status = Refund.Status(rawValue: text), status != .failed else {
                // A query parameter, so the list routes' 400 invalid_query (not a body's 422).
                try InventoryReads.check([FieldError(field: "status", code: "invalid", message: "pending or processed.")])
                return HTTPResponse(status: .badRequest)
            }
            let csv = try await ctx.app.store.read { db in try Refunds.payoutsCSV(db, status: status) }
            return InventoryCSVRoutes.csvResponse(csv, filename: "refund-payouts-\(status.rawValue).csv")
        }

        api.route(.get, "/v1/refunds/:id", access: readers, RouteDoc(
            "Read a refund", responses: [.ok(.ref(Components.refund))]
        ).tagged(tag)) { ctx in
            let id = try refundID(ctx)
            guard let refund = try await ctx.app.store.read({ db in try Refunds.get(db, id: id) }) else { throw DomainError.notFound("refund", id) }
            return .json(refund.json)
        }

        api.mutation(.post, "/v1/refunds/:id/mark-paid", access: finance, RouteDoc(
            "Mark a payout refund paid, with the bank transfer's UTR",
            description: "The same UTR again answers the refund as it is.",
            request: .json(.object(["utr": Schema.string(maxLength: 40).required.described("The transfer's reference: 6–40 letters and digits.")])),
            responses: [.ok(.ref(Components.refund))], errors: [.domain(.invalidTransition)]
        ).tagged(tag)) { ctx in
            let id = try refundID(ctx)
            let v = ctx.validator()
            v.allowOnly(ctx.body, ["utr"])
            let utr = v.string(ctx.body, "utr", required: true, maxLength: 40) ?? ""
            if !utr.isEmpty && !((6...40).contains(utr.utf8.count) && utr.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) })) {
                v.add("utr", "invalid", "6–40 letters and digits, as the bank statement shows it.")
            }
            try v.check()
            let actor = ctx.actor
            return { db in .json(try Refunds.markPaid(db, id: id, utr: utr, actor: actor, now: Int64(WallClock.milliseconds())).json) }
        }
    }

    static func refundID(_ ctx: RequestContext) throws -> String {
        let id = ctx.request.parameters["id"] ?? ""
        guard EntityID.isValid(id, kind: .refund) else { throw DomainError.notFound("refund", id) }
        return id
    }

    /// The request, every problem listed at once; the beneficiary checked and masked here, so
    /// the whole account number goes no further than this function.
    static func input(_ ctx: RequestContext) throws -> Refunds.Request {
        let body = ctx.body
        let v = ctx.validator()
        v.allowOnly(body, fields)
        let amount = v.integer(body, "amount_paise", required: true, range: 1...10_000_000_000)
        let reason = v.string(body, "reason", required: true, maxLength: 500)
        var lines: [Refunds.Line]?
        if let items = v.array(body, "lines") {
            if items.count > 500 { v.add("lines", "too_many", "At most 500 lines.") }
            lines = []
            for (i, item) in items.prefix(500).enumerated() {
                let at = "lines[\(i)]"
                // Not an object: the declared schema has already named it (400 invalid_type).
                guard case .object(let line) = item else { continue }
                v.allowOnly(line, ["sku", "qty"], at: at)
                if let sku = v.string(line, "sku", at: at, required: true, maxLength: 64),
                   let qty = v.integer(line, "qty", at: at, required: true, range: 1...1_000_000) {
                    lines?.append(Refunds.Line(sku: sku, qty: qty))
                }
            }
        }
        var beneficiary: RefundBeneficiary?
        if let b = v.object(body, "beneficiary") {
            v.allowOnly(b, ["name", "account_number", "ifsc"], at: "beneficiary")
            let name = v.string(b, "name", at: "beneficiary", required: true, maxLength: 100)
            let account = v.string(b, "account_number", at: "beneficiary", required: true, maxLength: 40)
            let ifsc = v.string(b, "ifsc", at: "beneficiary", required: true, maxLength: 11)
            if let name, let account, let ifsc {
                switch RefundBeneficiary.checked(name: name, accountNumber: account, ifsc: ifsc) {
                case .success(let checked): beneficiary = checked
                case .failure(let error): for p in error.problems { v.add(p.field, p.code, p.message) }
                }
            }
        }
        try v.check()
        guard let amount, let reason else { throw HTTPError(.unprocessableContent, code: "validation_failed", detail: "Incomplete refund.") }
        return Refunds.Request(amountPaise: amount, reason: reason, lines: lines, beneficiary: beneficiary)
    }
}
