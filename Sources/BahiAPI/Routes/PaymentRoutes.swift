import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore
import Synchronization

/// Payments in: the gateways' webhooks (`POST /v1/webhooks/razorpay|cashfree|payu`, no API
/// key: each is verified over its raw bytes with the gateway's secret before anything parses
/// it), an order's payments, and the mismatches money fell into.
///
/// A refused signature answers 401 and stores nothing: the refusal is counted and logged
/// (gateway, reason, request id; never the body). A gateway Bahi has no secret for answers 503,
/// so the gateway keeps retrying until an operator configures it: nothing is lost meanwhile.
enum PaymentRoutes {
    static let tag = "payments"
    static let finance = Access.roles([.admin, .finance])
    static let received = Schema.object([
        "status": Schema.string(enum: ["processed", "kept", "duplicate"])
            .described("processed: a payment or a refund was recorded or moved; kept: stored for the record (a settlement, a type Bahi does not act on, a refund of an unknown payment); duplicate: seen before, nothing changed."),
        "payment_id": Schema.string().nullable, "refund_id": Schema.string().nullable, "mismatch": Schema.string().nullable.described("A mismatch this event revealed, by kind."),
    ], allRequired: true)
    static let webhookErrors = [ProblemCase(401, "invalid_signature"), ProblemCase(422, "invalid_payload"), ProblemCase(503, "gateway_not_configured")]

    static func register(on api: inout API) {
        registerImports(on: &api)
        api.route(.post, "/v1/webhooks/razorpay", access: .open, RouteDoc(
            "Razorpay's webhooks",
            description: "X-Razorpay-Signature is the hex HMAC-SHA256 of the raw body under the webhook's secret (secrets.razorpay_webhook_secret; two, comma-separated, during a rotation). X-Razorpay-Event-Id deduplicates. payment.*, order.paid move payments; refund.* move refunds; settlement.* are kept.",
            request: .raw(contentType: "application/json", .freeObject, "The event exactly as Razorpay sent it."),
            responses: [.ok(received)], errors: webhookErrors
        ).tagged(tag)) { ctx in
            let secrets = try configured(ctx, "razorpay", ctx.app.configuration.secrets.razorpayWebhookSecret, key: "secrets.razorpay_webhook_secret")
            let headers = ctx.request.head.headers, body = ctx.request.body
            if let rejection = RazorpaySignature.verifyWebhook(body: body, signature: headers["X-Razorpay-Signature"], secrets: secrets) {
                throw refused(ctx, "razorpay", rejection)
            }
            let event = try decoded { () throws(GatewayPayloadError) in try RazorpayWebhook.decode(body: body, eventID: headers["X-Razorpay-Event-Id"] ?? "") }
            return try await receive(ctx, event)
        }

        api.route(.post, "/v1/webhooks/cashfree", access: .open, RouteDoc(
            "Cashfree's webhooks",
            description: "x-webhook-signature is the base64 HMAC-SHA256 of x-webhook-timestamp followed by the raw body, under secrets.cashfree_client_secret; a timestamp more than 5 minutes off is refused. Amounts in rupees are converted to paise exactly.",
            request: .raw(contentType: "application/json", .freeObject, "The event exactly as Cashfree sent it."),
            responses: [.ok(received)], errors: webhookErrors
        ).tagged(tag)) { ctx in
            let secrets = try configured(ctx, "cashfree", ctx.app.configuration.secrets.cashfreeClientSecret, key: "secrets.cashfree_client_secret")
            let headers = ctx.request.head.headers, body = ctx.request.body
            if let rejection = CashfreeSignature.verify(body: body, signature: headers["x-webhook-signature"], timestamp: headers["x-webhook-timestamp"],
                                                        secrets: secrets, nowMilliseconds: Int64(WallClock.milliseconds())) {
                throw refused(ctx, "cashfree", rejection)
            }
            let event = try decoded { () throws(GatewayPayloadError) in try CashfreeWebhook.decode(body: body, idempotencyKey: headers["x-idempotency-key"]) }
            return try await receive(ctx, event)
        }

        api.route(.post, "/v1/webhooks/payu", access: .open, RouteDoc(
            "PayU's payment callbacks",
            description: "Form-encoded. The posted hash is PayU's reverse hash under secrets.payu_salt (with additionalCharges in front when present), and the posted key must be secrets.payu_merchant_key. pending is not paid.",
            request: .raw(contentType: "application/x-www-form-urlencoded", .freeObject, "The form exactly as PayU posted it."),
            responses: [.ok(received)], errors: webhookErrors
        ).tagged(tag)) { ctx in
            let salts = try configured(ctx, "payu", ctx.app.configuration.secrets.payuSalt, key: "secrets.payu_salt")
            let merchantKey = ctx.app.configuration.secrets.payuMerchantKey
            guard !merchantKey.isEmpty else { throw notConfigured("payu", key: "secrets.payu_merchant_key") }
            guard let form = FormURLEncoded.parse(ctx.request.body) else {
                throw HTTPError(.unprocessableContent, code: "invalid_payload", detail: "The body is not application/x-www-form-urlencoded.")
            }
            if let rejection = PayUHash.verify(form: form, merchantKey: merchantKey, salts: salts) { throw refused(ctx, "payu", rejection) }
            let event = try decoded { () throws(GatewayPayloadError) in try PayUCallback.decode(form: form) }
            return try await receive(ctx, event)
        }

        api.route(.get, "/v1/orders/:id/payments", access: .roles([.admin, .finance, .support]), RouteDoc(
            "An order's payments, each with the gateway events that moved it, and its mismatches",
            responses: [.ok(.object(["data": .array(of: .ref(Components.payment)), "mismatches": .array(of: .ref(Components.paymentMismatch))], allRequired: true))]
        ).onePageList.tagged(tag)) { ctx in
            try ListCursor.onePage(ctx.request)
            let id = try OrderRoutes.orderID(ctx)
            let found = try await ctx.app.store.read { db -> ([(Payment, [(eventID: String, type: String, receivedAt: Int64)])], [PaymentMismatch])? in
                guard try OrderTransitions.exists(db, id: id) else { return nil }
                let payments = try Payments.payments(db, orderID: id).map { ($0, try Payments.events(db, paymentID: $0.id)) }
                return (payments, try Payments.mismatches(db, orderID: id))
            }
            guard let (payments, mismatches) = found else { throw DomainError.notFound("order", id) }
            return .json(.object(["data": .array(payments.map { $0.0.json(events: $0.1) }), "mismatches": .array(mismatches.map(\.json))]))
        }

        api.route(.get, "/v1/reconciliation/mismatches", access: finance, RouteDoc(
            "Mismatches, newest first: money paid after a cancel, charged twice, not the total, matching no order, or what the reconciliation checks found",
            query: [QueryParameter("status", .string(enum: ["open", "all"]), "open (default) or all."), .after, .limit(default: 50, max: 500)],
            responses: [.ok(Components.page(of: .ref(Components.paymentMismatch)))], errors: [ProblemCase(400, "invalid_cursor")]
        ).tagged(tag)) { ctx in
            var errors: [FieldError] = []
            let limit = InventoryReads.int(ctx.request, "limit", default: 50, range: 1...500, &errors)
            let status = ctx.request.queryItem("status") ?? "open"
            if status != "open" && status != "all" { errors.append(FieldError(field: "status", code: "invalid", message: "open or all.")) }
            let before = ListCursor.entityID(ctx.request, kind: .mismatch, &errors)
            try ListCursor.check(errors)
            let page = try await ctx.app.store.read { db in try Payments.mismatches(db, openOnly: status == "open", before: before, limit: limit + 1) }
            let shown = page.prefix(limit)
            return .json(.object([
                "data": .array(shown.map(\.json)),
                "next_cursor": page.count > limit ? shown.last.map { .string($0.id) } ?? .null : .null,
            ]))
        }

        api.mutation(.post, "/v1/reconciliation/mismatches/:id/resolve", access: finance, RouteDoc(
            "Resolve a mismatch with a note (it stays, resolved, in the history)",
            request: .json(.object(["note": Schema.string(maxLength: 1000).required])),
            responses: [.ok(.ref(Components.paymentMismatch))], errors: [.domain(.invalidTransition)]
        ).tagged(tag)) { ctx in
            let id = ctx.request.parameters["id"] ?? ""
            guard EntityID.isValid(id, kind: .mismatch) else { throw DomainError.notFound("mismatch", id) }
            let v = ctx.validator()
            v.allowOnly(ctx.body, ["note"])
            let note = v.string(ctx.body, "note", required: true, maxLength: 1000) ?? ""
            if note.isEmpty { v.add("note", "required", "Say what was done (e.g. refunded by hand, matched to ord_…).") }
            try v.check()
            let actor = ctx.actor
            return { db in .json(try Payments.resolve(db, id: id, note: note, actor: actor, now: Int64(WallClock.milliseconds())).json) }
        }
    }

    /// `POST /v1/reconciliation/imports`: a settlement or remittance file, checked whole, then
    /// written in batches (each its own transaction, so a large file never holds the writer).
    /// Which header carries which column is `SettlementImportColumns`: the kind's built-in
    /// layout, a courier's (built in or `reconciliation.remittance_columns`), then `columns=`.
    static func registerImports(on api: inout API) {
        let kinds = SettlementImport.Kind.allCases.map(\.rawValue)
        api.route(.post, "/v1/reconciliation/imports", access: finance, bodyLimit: 64 << 20, RouteDoc(
            "Import what a gateway settled or a courier remitted (CSV)",
            description: "kind=razorpay_settlements: Razorpay's settlement reconciliation columns (entity_id, type, amount, fee, tax, debit, credit, settled required; on_hold, settlement_id, settlement_utr, order_id, order_receipt, payment_id, method, created_at, settled_at used when present; amounts in paise, or rupees when written with a decimal point). kind=cashfree_settlements: Cashfree's settlement reconciliation (the settlement recon API's fields or the dashboard report's headers: event_id, event_type, event_amount required; sale_type, event_settlement_amount, event_time, order_id, cf_payment_id, cf_refund_id, payment_service_charge, payment_service_tax, cf_settlement_id, settlement_date, settlement_utr, payment_group, adjustment_remarks used when present; amounts in rupees); PAYMENT rows are payments keyed by cf_payment_id (fee = service charge + service tax), REFUND rows refunds, other event types adjustments. kind=cod_remittance: remittance_id, awb, cod_amount, net_remitted required; utr, remittance_date, channel_order_id, freight_deducted, cod_charge, early_cod_fee, reversal_amount (rupees), under the courier's headers (delhivery built in; others from reconciliation.remittance_columns). Every row is checked and reported on its own; the same file twice changes nothing; a remitted COD order moves to cod_remitted.",
            query: [QueryParameter("kind", .string(enum: kinds), "What the file is."),
                    QueryParameter("courier", .string(maxLength: 40), "cod_remittance: the courier or aggregator (default shiprocket); picks its header layout."),
                    QueryParameter("columns", .string(maxLength: 500),
                                   "Headers for single columns, as column:header pairs separated by commas (columns=awb:Waybill,cod_amount:COD Amount); a column the kind does not have is refused (400).")],
            request: .csv("The file as the gateway or courier exported it."),
            responses: [.ok(.object([
                "import_id": .string(), "kind": .string(enum: kinds), "rows": .integer(),
                "applied": .integer(), "unchanged": .integer(), "orders_remitted": .integer(),
                "mismatches_found": Schema.integer().described("What the reconciliation checks, run after the import, named."),
                "mismatches_resolved": Schema.integer().described("Mismatches the import's money cleared."),
                "errors": .array(of: .object(["row": .integer(), "code": .string(), "message": .string()], allRequired: true)),
            ], allRequired: true))]
        ).tagged(tag)) { ctx in
            try InventoryCSVRoutes.requireCSV(ctx.request)
            var errors: [FieldError] = []
            let kindText = ctx.request.queryItem("kind") ?? ""
            let kind = SettlementImport.Kind(rawValue: kindText)
            if kind == nil { errors.append(FieldError(field: "kind", code: "invalid", message: kinds.joined(separator: ", ") + ".")) }
            let courier = (ctx.request.queryItem("courier") ?? "shiprocket").lowercased()
            if !MerchantCode.isValid(courier) { errors.append(FieldError(field: "courier", code: "invalid", message: "A courier code such as shiprocket or delhivery.")) }
            var columns: SettlementImportColumns?
            if let text = ctx.request.queryItem("columns"), text.count > 500 {
                errors.append(FieldError(field: "columns", code: "too_long", message: "At most 500 characters of column:header pairs."))
            } else if let kind {
                do throws(SettlementImportColumns.Problem) {
                    columns = try SettlementImportColumns.layout(kind: kind, courier: courier, configured: ctx.app.configuration.reconciliation.remittanceColumns,
                                                                 columns: ctx.request.queryItem("columns"))
                } catch {
                    errors.append(FieldError(field: "columns", code: "invalid", message: error.message))
                }
            }
            try InventoryReads.check(errors)
            guard let columns else { return HTTPResponse(status: .badRequest) }
            let parsed = SettlementImport.parse(ctx.request.body, columns: columns)
            let importID = EntityID.make(.importBatch)
            let app = ctx.app
            let report = try await SettlementImport.run(parsed, importID: importID, courier: courier, actor: ctx.actor,
                                                        write: { body in try await app.write(body) })
            let checks = try await app.runReconciliationChecks()
            return .json(.object([
                "import_id": .string(importID), "kind": .string(columns.kind.rawValue), "rows": .int(Int64(report.rows)), "applied": .int(Int64(report.applied)),
                "unchanged": .int(Int64(report.unchanged)), "orders_remitted": .int(Int64(report.ordersRemitted)),
                "mismatches_found": .int(Int64(checks.foundTotal)), "mismatches_resolved": .int(Int64(checks.resolved)),
                "errors": .array(report.errors.map { .object(["row": .int(Int64($0.row)), "code": .string($0.code), "message": .string($0.message)]) }),
            ]))
        }
    }

    /// The secrets of a gateway, or 503 when there are none.
    static func configured(_ ctx: RequestContext, _ gateway: String, _ value: String, key: String) throws -> [String] {
        let secrets = BahiConfiguration.secretList(value)
        guard !secrets.isEmpty else { throw notConfigured(gateway, key: key) }
        return secrets
    }

    static func notConfigured(_ gateway: String, key: String) -> HTTPError {
        HTTPError(.serviceUnavailable, code: "gateway_not_configured",
                  detail: "This server has no \(key) to verify \(gateway)'s webhooks; set it (or BAHI_\(key.uppercased().replacingOccurrences(of: ".", with: "_"))). The gateway will retry.")
    }

    /// A refused signature: counted, logged without the body, answered 401.
    static func refused(_ ctx: RequestContext, _ gateway: String, _ rejection: GatewaySignatureRejection) -> HTTPError {
        ctx.app.gatewayRejections.withLock { $0[gateway, default: 0] += 1 }
        ctx.app.log.error("gateway webhook refused", [("gateway", .string(gateway)), ("reason", .string("\(rejection)")),
                                                      ("request_id", .string(ctx.request.requestID))])
        return HTTPError(.unauthorized, code: "invalid_signature", detail: "The \(gateway) signature does not verify (\(rejection)); nothing was stored.")
    }

    /// A provider payload decoded, or 422 `invalid_payload` naming the field and what was
    /// expected there (gateways' and couriers' decoders fail the same way).
    static func decoded<Decoded>(_ body: () throws(GatewayPayloadError) -> Decoded) throws -> Decoded {
        do {
            return try body()
        } catch {
            throw HTTPError(.unprocessableContent, code: "invalid_payload", detail: "\(error)",
                            errors: [FieldError(field: error.path, code: "invalid", message: "Expected \(error.expected).")])
        }
    }

    /// Keeps and applies a verified event in one write; answers what it did.
    static func receive(_ ctx: RequestContext, _ event: GatewayEvent) async throws -> HTTPResponse {
        let text = String(decoding: ctx.request.body, as: UTF8.self)
        let outcome = try await ctx.app.write(rerunnable: true) { db in
            try GatewayWebhookFlow.receive(db, event, body: text, now: Int64(WallClock.milliseconds()))
        }
        var o = JSONObject()
        switch outcome {
        case .payment(let payment, let mismatch):
            o["status"] = .string("processed")
            o["payment_id"] = .string(payment.id)
            o["refund_id"] = .null
            o["mismatch"] = mismatch.map { .string($0.kind.rawValue) } ?? .null
        case .refund(let refund):
            o["status"] = .string("processed")
            o["payment_id"] = .string(refund.paymentID)
            o["refund_id"] = .string(refund.id)
            o["mismatch"] = .null
        case .kept, .duplicate:
            o["status"] = .string(outcome == .kept ? "kept" : "duplicate")
            o["payment_id"] = .null
            o["refund_id"] = .null
            o["mismatch"] = .null
        }
        return .json(.object(o))
    }
}
