import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Booking couriers (docs/COURIERS.md, "Booking"):
///
/// - `POST /v1/couriers/{code}/waybills`: a waybill-pool courier's AWBs, imported in bulk.
/// - `POST /v1/shipments/{id}/book`: packed → ready with a courier (named, or the cheapest that
///   can carry it) and the AWB its provider gives (`BookShipmentFlow`).
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
            description: "packed → ready. `courier` names the courier; without it the courier the configuration's rules and policy for the order's channel choose among those that can carry the parcel (couriers.*; the default, cheapest, books the quote's first offer). The AWB comes from the courier's provider: `manual` takes `awb` from the request (required, 8 to 30 letters or digits, never used twice); `waybill_pool` issues the pool's next AWB (409 waybill_pool_empty when none is left; send no awb); `shiprocket` and `delhivery` answer 501 provider_not_supported_yet for now.",
            request: .json(.object([
                "courier": Schema.string(maxLength: 64).described("A courier code; omitted: the cheapest that can carry it."),
                "awb": Schema.string(minLength: 8, maxLength: 30).described("The AWB a manual courier gave."),
            ]), optional: true),
            responses: [ResponseDoc.ok(.ref(Components.shipment))
                .linking(ResponseLink("ReadLabel", .get, "/v1/shipments/:id/label", from: "/id"))],
            errors: [.domain(.shipmentNotPacked), .domain(.invalidTransition), .domain(.courierCannotCarry), .domain(.waybillPoolEmpty),
                     .domain(.awbInUse), .domain(.providerNotSupportedYet), .domain(.invalidPincode), .domain(.validationFailed)]
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
            return { db in
                let booking = try BookShipmentFlow.book(db, shipmentID: id, courier: courier, awb: awb, policy: { choice.policy(channel: $0) },
                                                        actor: actor, now: Int64(WallClock.milliseconds()))
                return .json(booking.shipment.json)
            }
        }

        api.mutation(.post, "/v1/shipments/:id/cancel-booking", access: FulfilmentRoutes.warehouse, RouteDoc(
            "Cancel a shipment's booking before pickup",
            description: "ready → packed: the courier and AWB are cleared and the AWB is cancelled (a pool's is never issued again). Book again to choose a courier anew.",
            request: .json(.object([:]), optional: true),
            responses: [.ok(.ref(Components.shipment))],
            errors: [.domain(.invalidTransition)]
        ).tagged(tag)) { ctx in
            let id = try shipmentID(ctx)
            let v = ctx.validator()
            v.allowOnly(ctx.body, [])
            try v.check()
            let actor = ctx.actor
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

    /// The path's shipment id; 404 for anything that cannot be one.
    static func shipmentID(_ ctx: RequestContext) throws -> String {
        let id = ctx.request.parameters["id"] ?? ""
        guard EntityID.isValid(id, kind: .shipment) else { throw DomainError.notFound("shipment", id) }
        return id
    }
}
