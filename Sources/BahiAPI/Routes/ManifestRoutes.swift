import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// A courier's pickup and a parcel's return (docs/COURIERS.md, "Manifests and handover",
/// "RTO receive"):
///
/// - `POST /v1/manifests`: the ready parcels of one courier at one location on a manifest,
///   within the courier's daily pickup capacity (`ManifestFlow.create`).
/// - `GET /v1/manifests/{id}` (JSON, or the printable page with `?format=html`), `GET /v1/manifests`.
/// - `POST /v1/manifests/{id}/handover`: the pickup person's scans; parcels ship (`ManifestFlow.handover`).
/// - `POST /v1/shipments/{id}/rto-receive`: a returned parcel opened, once (`RTOReceiveFlow`).
enum ManifestRoutes {
    static let tag = "couriers"
    static let readers: Access = .roles([.admin, .warehouse, .support])

    static func register(on api: inout API) {
        api.mutation(.post, "/v1/manifests", access: FulfilmentRoutes.warehouse, RouteDoc(
            "Make a courier's pickup manifest",
            description: "The ready parcels booked with `courier` at `location` and on no manifest yet: all of them, or the listed `shipment_ids` (each must be so, else 422 naming `shipment_ids[i]`). At most the courier's daily_pickup_capacity less what its manifests at this location already hold today (IST): beyond it 409 pickup_capacity_full with `fits`. Nothing eligible: 422 nothing_to_manifest.",
            request: .json(.object([
                "courier": Schema.string(maxLength: 64).required,
                "location": Schema.string(maxLength: 64).required,
                "shipment_ids": .array(of: .string(), minItems: 1, maxItems: 500),
            ])),
            responses: [.created(.ref(Components.manifest)).linking(ResponseLink("ReadManifest", .get, "/v1/manifests/:id", from: "/id"))],
            errors: [.domain(.nothingToManifest), .domain(.pickupCapacityFull), .domain(.validationFailed)]
        ).tagged(tag)) { ctx in
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["courier", "location", "shipment_ids"])
            let courier = v.string(body, "courier", required: true, maxLength: 64)
            let location = v.string(body, "location", required: true, maxLength: 64)
            let ids = FulfilmentRoutes.shipmentIDs(body, v)
            try v.check()
            guard let courier, let location else { throw HTTPError(.unprocessableContent, code: "validation_failed", detail: "courier and location are required.") }
            let actor = ctx.actor
            let chosen = ids
            return { db in
                let details = try ManifestFlow.create(db, courier: courier, location: location, shipmentIDs: chosen, actor: actor, now: Int64(WallClock.milliseconds()))
                var response = HTTPResponse.json(details.json, status: .created)
                response.headers.add(name: "Location", value: "/v1/manifests/\(details.manifest.id)")
                return response
            }
        }

        api.route(.get, "/v1/manifests", access: readers, RouteDoc(
            "Manifests, newest first",
            query: [QueryParameter("courier", .string(maxLength: 64), "Only this courier's."),
                    QueryParameter("status", .string(enum: ManifestStatus.allCases.map(\.rawValue)), "Only manifests in this status."),
                    .after, .limit(default: 50, max: Int64(Manifests.maxPage))],
            responses: [.ok(Components.page(of: .ref(Components.manifestSummary)))], errors: [ProblemCase(400, "invalid_cursor")]
        ).tagged(tag)) { ctx in
            var errors: [FieldError] = []
            let limit = InventoryReads.int(ctx.request, "limit", default: 50, range: 1...Manifests.maxPage, &errors)
            let courier = ctx.request.queryItem("courier")
            if let courier, courier.isEmpty || courier.count > 64 { errors.append(FieldError(field: "courier", code: "invalid", message: "A courier code, at most 64 characters.")) }
            var status: ManifestStatus?
            if let text = ctx.request.queryItem("status") {
                status = ManifestStatus(rawValue: text)
                if status == nil { errors.append(FieldError(field: "status", code: "invalid", message: "One of \(ManifestStatus.allCases.map(\.rawValue).joined(separator: ", ")).")) }
            }
            let before = ListCursor.entityID(ctx.request, kind: .manifest, &errors)
            try ListCursor.check(errors)
            let chosen = status
            let page = try await ctx.app.store.read { db in try Manifests.list(db, courier: courier, status: chosen, before: before, limit: limit + 1) }
            let shown = page.prefix(limit)
            return .json(.object([
                "data": .array(shown.map(\.summaryJSON)),
                "next_cursor": page.count > limit ? shown.last.map { .string($0.id) } ?? .null : .null,
            ]))
        }

        api.route(.get, "/v1/manifests/:id", access: readers, RouteDoc(
            "Read a manifest (JSON, or the printable page with ?format=html: each AWB as a Code 128 barcode, order, weight, COD amount, signature lines)",
            query: [QueryParameter("format", .string(enum: ["json", "html"]), "html for the printable page.")],
            responses: [ResponseDoc(200, "OK", .jsonOrHTML(.ref(Components.manifest)))]
        ).tagged(tag)) { ctx in
            let id = try manifestID(ctx)
            if let format = ctx.request.queryItem("format"), format != "json", format != "html" {
                try InventoryReads.check([FieldError(field: "format", code: "invalid", message: "json or html.")])
            }
            let details = try await ctx.app.store.read { db in try ManifestFlow.details(db, id: id) }
            return FulfilmentRoutes.wantsHTML(ctx.request) ? FulfilmentRoutes.html(details.html) : .json(details.json)
        }

        api.mutation(.post, "/v1/manifests/:id/handover", access: FulfilmentRoutes.warehouse, RouteDoc(
            "Hand a manifest's parcels over to the courier's pickup person",
            description: "Each scanned AWB's parcel moves ready → picked_up and its stock ships (reserved and on_hand both go down: a `ship` movement); its order becomes partially_shipped or shipped. An AWB that is not on the manifest: 422 naming `scanned_awbs[i]`, nothing changes. Parcels on the manifest not scanned are named in `missing` and stay ready on it for a later handover; scanning a picked-up parcel again changes nothing.",
            request: .json(.object(["scanned_awbs": Schema.array(of: .string(minLength: 1, maxLength: 30), minItems: 1, maxItems: 500).required])),
            responses: [.ok(.object([
                "manifest": .ref(Components.manifest), "picked_up": .array(of: .string()), "already_picked_up": .array(of: .string()),
                "missing": .array(of: .string()).described("AWBs on the manifest not scanned: still ready, still on it."),
            ], allRequired: true))],
            errors: [.domain(.validationFailed), .domain(.invalidTransition)]
        ).tagged(tag)) { ctx in
            let id = try manifestID(ctx)
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["scanned_awbs"])
            var awbs: [String] = []
            if let items = v.array(body, "scanned_awbs", required: true) {
                if items.isEmpty || items.count > 500 { v.add("scanned_awbs", "out_of_range", "1 to 500 AWBs.") }
                for (i, item) in items.prefix(500).enumerated() {
                    if case .string(let s) = item, !s.isEmpty, s.count <= 30 { awbs.append(s) } else {
                        v.add("scanned_awbs[\(i)]", "invalid_awb", "An AWB as scanned, 1 to 30 characters.")
                    }
                }
            }
            try v.check()
            let actor = ctx.actor
            let scanned = awbs
            return { db in
                .json(try ManifestFlow.handover(db, manifestID: id, scanned: scanned, actor: actor, now: Int64(WallClock.milliseconds())).json)
            }
        }

        api.mutation(.post, "/v1/shipments/:id/rto-receive", access: FulfilmentRoutes.warehouse, RouteDoc(
            "Receive a returned (RTO) parcel back",
            description: "Only for an rto_delivered shipment, once (a second receipt: 409 rto_already_received). Per SKU the parcel carried, its units by condition: good units are restocked at the shipment's location (`restock_rto`), damaged ones recorded as damaged (`damage`: damaged +qty, never on hand again), missing ones named. Each SKU's lines must add up to exactly what it carried (422 naming `lines[i].sku` or `lines[i].qty`); nothing is written otherwise.",
            request: .json(.ref(Components.rtoReceiveRequest)),
            responses: [.ok(.ref(Components.shipment))],
            errors: [.domain(.invalidTransition), .domain(.rtoAlreadyReceived), .domain(.validationFailed)]
        ).tagged(tag)) { ctx in
            let id = try BookingRoutes.shipmentID(ctx)
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["lines"])
            var lines: [RTOReceipt.Line] = []
            if let items = v.array(body, "lines", required: true) {
                if items.isEmpty || items.count > 200 { v.add("lines", "out_of_range", "1 to 200 lines.") }
                for (i, item) in items.prefix(200).enumerated() {
                    let path = "lines[\(i)]"
                    guard case .object(let line) = item else { v.add(path, "invalid_type", "An object {sku, qty, condition}."); continue }
                    v.allowOnly(line, ["sku", "qty", "condition"], at: path)
                    let sku = v.string(line, "sku", at: path, required: true, maxLength: 64)
                    let qty = v.integer(line, "qty", at: path, required: true, range: 1...100_000)
                    let text = v.string(line, "condition", at: path, required: true, maxLength: 16)
                    let condition = text.flatMap(RTOReceipt.Condition.init(rawValue:))
                    if text != nil, condition == nil { v.add("\(path).condition", "invalid", "good, damaged or missing.") }
                    if let sku, let qty, let condition { lines.append(RTOReceipt.Line(sku: sku, qty: qty, condition: condition)) }
                }
            }
            try v.check()
            let actor = ctx.actor
            let received = lines
            return { db in
                .json(try RTOReceiveFlow.receive(db, shipmentID: id, lines: received, actor: actor, now: Int64(WallClock.milliseconds())).json)
            }
        }
    }

    /// The path's manifest id; 404 for anything that cannot be one.
    static func manifestID(_ ctx: RequestContext) throws -> String {
        let id = ctx.request.parameters["id"] ?? ""
        guard EntityID.isValid(id, kind: .manifest) else { throw DomainError.notFound("manifest", id) }
        return id
    }
}
