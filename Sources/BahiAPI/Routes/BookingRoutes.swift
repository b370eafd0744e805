import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Booking couriers (docs/COURIERS.md, "Booking"):
///
/// - `POST /v1/couriers/{code}/waybills`: a waybill-pool courier's AWBs, imported in bulk.
/// - `POST /v1/shipments/{id}/book`: packed → ready with a courier (named, or the cheapest that
///   can carry it) and the AWB its provider gives (`BookShipmentFlow`); Shiprocket and
///   Delhivery are asked between a read and a write, never inside a transaction
///   (`CourierGateways`).
/// - `POST /v1/shipments/{id}/cancel-booking`: ready → packed before pickup, the AWB given up.
/// - `GET /v1/shipments/{id}/label`: the 4×6 inch label (JSON, or HTML with `?format=html`).
enum BookingRoutes {
    static let tag = "couriers"

    static func register(on api: inout API) {
        api.mutation(.post, "/v1/couriers/:code/waybills", access: CourierRoutes.uploaders, bodyLimit: 4 << 20, RouteDoc(
            "Import AWBs into a waybill-pool courier's pool",
            description: "Each AWB is 8 to 30 letters or digits. AWBs the courier has already (available, issued or cancelled) are left as they are: an issued or cancelled AWB never becomes available again. Each booking takes one available AWB.",
            request: .json(.object(["awbs": Schema.array(of: .string(minLength: 8, maxLength: 30), minItems: 1, maxItems: CourierWaybills.maxImport).required])),
            responses: [.ok(.ref(Components.waybillImport))],
            errors: [.notFound, .domain(.wrongProvider), .domain(.validationFailed)]
        ).tagged(tag)) { ctx in
            let code = ctx.request.parameters["code"] ?? ""
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["awbs"])
            var awbs: [String] = []
            if let items = v.array(body, "awbs", required: true) {
                if items.isEmpty || items.count > CourierWaybills.maxImport { v.add("awbs", "out_of_range", "1 to \(CourierWaybills.maxImport) AWBs.") }
                for (i, item) in items.prefix(CourierWaybills.maxImport).enumerated() {
                    if case .string(let s) = item, CourierWaybills.isAWB(s) { awbs.append(s) } else {
                        v.add("awbs[\(i)]", "invalid_awb", "An AWB is 8 to 30 letters or digits.")
                    }
                }
            }
            try v.check()
            let list = awbs
            let actor = ctx.actor
            return { db in
                let imported = try CourierWaybills.importPool(db, code: code, awbs: list, actor: actor, now: Int64(WallClock.milliseconds()))
                return .json(.object([
                    "courier": .string(code), "added": .int(Int64(imported.added)), "known": .int(Int64(imported.known)), "available": .int(imported.available),
                ]))
            }
        }

        api.mutation(.post, "/v1/shipments/:id/book", access: FulfilmentRoutes.warehouse, RouteDoc(
            "Book a packed shipment with a courier",
            description: "packed → ready. `courier` names the courier; without it the courier the configuration's rules and policy for the order's channel choose among those that can carry the parcel (couriers.*; the default, cheapest, books the quote's first offer). The AWB comes from the courier's provider: `manual` takes `awb` from the request (required, 8 to 30 letters or digits, never used twice); `waybill_pool` issues the pool's next AWB (409 waybill_pool_empty when none is left; send no awb); `shiprocket` and `delhivery` book through the provider's API (send no awb): Shiprocket's order (its order_id is the shipment id, so a retry makes no second order), AWB from the courier's provider_courier_id and pickup; Delhivery's shipment. The provider is asked with no transaction open; what it gave is then written if the shipment is still packed (else the AWB is cancelled at the provider and the answer says so). 409 courier_not_configured names the courier setting (provider_courier_id, pickup_location) or secret to set; 502 courier_refused carries the provider's message and the field it named; 503 courier_unavailable when it cannot be reached, times out or answers nothing certain. A refusal or an unreachable provider changes nothing in Bahi.",
            request: .json(.object([
                "courier": Schema.string(maxLength: 64).described("A courier code; omitted: the cheapest that can carry it."),
                "awb": Schema.string(minLength: 8, maxLength: 30).described("The AWB a manual courier gave."),
            ]), optional: true),
            responses: [ResponseDoc.ok(.ref(Components.shipment))
                .linking(ResponseLink("ReadLabel", .get, "/v1/shipments/:id/label", from: "/id"))],
            errors: [.domain(.shipmentNotPacked), .domain(.invalidTransition), .domain(.courierCannotCarry), .domain(.waybillPoolEmpty),
                     .domain(.awbInUse), .domain(.courierNotConfigured), .domain(.courierRefused), .domain(.courierUnavailable),
                     .domain(.invalidPincode), .domain(.validationFailed)]
        ).tagged(tag)) { ctx in
            let id = try shipmentID(ctx)
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["courier", "awb"])
            let courier = v.string(body, "courier", maxLength: 64)
            let awb = v.string(body, "awb", maxLength: 30)
            try v.check()
            let actor = ctx.actor
            let choice = ctx.app.configuration.couriers
            let policy: @Sendable (String) -> CourierPolicy = { choice.policy(channel: $0) }
            let plan = try await ctx.app.store.read { db in
                try BookShipmentFlow.plan(db, shipmentID: id, courier: courier, awb: awb, policy: policy, now: Int64(WallClock.milliseconds()))
            }
            guard case .provider(let through) = plan else {
                return { db in
                    let booking = try BookShipmentFlow.book(db, shipmentID: id, courier: courier, awb: awb, policy: policy,
                                                            actor: actor, now: Int64(WallClock.milliseconds()))
                    return .json(booking.shipment.json)
                }
            }
            let json = try await bookThroughProvider(ctx.app, through, actor: actor)
            return { _ in .json(json) }
        }

        api.mutation(.post, "/v1/shipments/:id/cancel-booking", access: FulfilmentRoutes.warehouse, RouteDoc(
            "Cancel a shipment's booking before pickup",
            description: "ready → packed: the courier and AWB are cleared and the AWB is cancelled (a pool's is never issued again). A shiprocket or delhivery courier's AWB is cancelled at the provider first, with no transaction open (Shiprocket orders/cancel/shipment/awbs, Delhivery api/p/edit cancellation); its refusal (502 courier_refused, e.g. already picked up) or silence (503 courier_unavailable) changes nothing in Bahi. Book again to choose a courier anew.",
            request: .json(.object([:]), optional: true),
            responses: [.ok(.ref(Components.shipment))],
            errors: [.domain(.invalidTransition), .domain(.courierNotConfigured), .domain(.courierRefused), .domain(.courierUnavailable)]
        ).tagged(tag)) { ctx in
            let id = try shipmentID(ctx)
            let v = ctx.validator()
            v.allowOnly(ctx.body, [])
            try v.check()
            let actor = ctx.actor
            if let (courier, reference) = try await ctx.app.store.read({ db in try BookShipmentFlow.providerBooking(db, shipmentID: id) }) {
                let gateways = CourierGateways(ctx.app)
                try gateways.checkConfigured(courier)
                let answer = await gateways.cancel(courier: courier, reference: reference)
                guard answer.isOK else { throw CourierGateways.problem(answer, courier: courier, doing: "the cancellation of AWB \(reference.awb)") }
            }
            return { db in
                .json(try BookShipmentFlow.cancel(db, shipmentID: id, actor: actor, now: Int64(WallClock.milliseconds())).json)
            }
        }

        api.route(.get, "/v1/shipments/:id/label", access: .roles([.admin, .warehouse, .support]), RouteDoc(
            "A booked shipment's shipping label (JSON, or the printable 4×6 inch page with ?format=html)",
            query: [QueryParameter("format", .string(enum: ["json", "html"]), "html for the printable label.")],
            responses: [ResponseDoc(200, "OK", .jsonOrHTML(.ref(Components.shippingLabel)))],
            errors: [.domain(.shipmentNotBooked)]
        ).tagged(tag)) { ctx in
            let id = ctx.request.parameters["id"] ?? ""
            guard EntityID.isValid(id, kind: .shipment) else { throw DomainError.notFound("shipment", id) }
            if let format = ctx.request.queryItem("format"), format != "json", format != "html" {
                try InventoryReads.check([FieldError(field: "format", code: "invalid", message: "json or html.")])
            }
            let seller = ctx.app.orderPolicy.seller
            let (shipment, label) = try await ctx.app.store.read { db in try ShipmentLabelFlow.label(db, shipmentID: id, configuredSeller: seller) }
            return FulfilmentRoutes.wantsHTML(ctx.request) ? FulfilmentRoutes.html(label.html) : .json(label.json(shipment: shipment))
        }
    }

    /// Books `plan` through its courier's provider and records it: the provider is asked
    /// with no transaction open, then one write records the AWB and books the shipment if it is
    /// still packed. When that write refuses (another booking won, the AWB is known already),
    /// the AWB the provider just issued is cancelled there — unless the shipment carries that
    /// very AWB (a concurrent retry of the same booking) or Bahi holds it for another parcel
    /// (`awb_in_use`) — and the problem says which.
    static func bookThroughProvider(_ app: BahiContext, _ plan: BookShipmentFlow.ProviderPlan, actor: String?) async throws -> JSONValue {
        let gateways = CourierGateways(app)
        try gateways.checkConfigured(plan.courier)
        let answer = await gateways.book(plan)
        guard case .ok(let reference) = answer else { throw CourierGateways.problem(answer, courier: plan.courier, doing: "the booking") }
        do {
            let booking = try await app.write(rerunnable: true) { db in
                try BookShipmentFlow.recordProviderBooking(db, plan, reference: reference, actor: actor, now: Int64(WallClock.milliseconds()))
            }
            return booking.shipment.json
        } catch {
            let shipmentID = plan.shipment.id
            let carried = try? await app.store.read { db in try Shipments.find(db, id: shipmentID)?.awb }
            guard carried != .some(reference.awb) else { throw error }
            if var known = error as? DomainError, known.code == .awbInUse {
                // Bahi holds that AWB for another parcel: cancelling it might cancel that one.
                known.message += " It was not cancelled at \(plan.courier.fields.provider.rawValue): check it in its panel."
                throw known
            }
            let cancelled = await gateways.cancel(courier: plan.courier, reference: reference)
            let provider = plan.courier.fields.provider.rawValue
            let note = cancelled.isOK
                ? " The AWB \(reference.awb) \(provider) had issued was cancelled there."
                : " The AWB \(reference.awb) \(provider) had issued could not be cancelled there: cancel it in \(provider)'s panel."
            guard var refusal = error as? DomainError else { throw error }
            refusal.message += note
            throw refusal
        }
    }

    /// The path's shipment id; 404 for anything that cannot be one.
    static func shipmentID(_ ctx: RequestContext) throws -> String {
        let id = ctx.request.parameters["id"] ?? ""
        guard EntityID.isValid(id, kind: .shipment) else { throw DomainError.notFound("shipment", id) }
        return id
    }
}
