import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// The warehouse side: the packing queue, pick lists, packing with scans, invoices.
enum FulfilmentRoutes {
    static let warehouse: Access = .roles([.admin, .warehouse])
    static let tag = "fulfilment"

    static func register(on api: inout API) {
        api.route(.get, "/v1/fulfilment/queue", access: warehouse, RouteDoc(
            "The packing queue, in priority order",
            query: [QueryParameter("location", .string(maxLength: 64), "Only this location's shipments."), .limit()],
            responses: [.ok(.object(["data": .array(of: .ref(Components.queueEntry)), "total": .integer(), "next_cursor": Schema.string().nullable], allRequired: true))],
            errors: [.domain(.unknownLocation)]
        ).onePageList.tagged(tag)) { ctx in
            var errors: [FieldError] = []
            let limit = InventoryReads.int(ctx.request, "limit", default: 50, range: 1...500, &errors)
            try InventoryReads.check(errors)
            try ListCursor.onePage(ctx.request)
            let location = ctx.request.queryItem("location")
            let rules = ctx.app.fulfilmentRules
            let now = Int64(WallClock.milliseconds())
            let (entries, total) = try await ctx.app.store.read { db in
                if let location, try !LocationCatalog.exists(db, code: location) {
                    throw DomainError(.unknownLocation, "No location \(location).",
                                      problems: [FieldProblem("location", "unknown_location", "Use a location code from GET /v1/locations.")])
                }
                return (try FulfilmentQueue.entries(db, location: location, limit: limit, rules: rules, now: now),
                        try FulfilmentQueue.count(db, location: location))
            }
            return .json(.object([
                "data": .array(entries.map { $0.json(now: now) }), "total": .int(total), "next_cursor": .null,
            ]))
        }

        api.mutation(.post, "/v1/picklists", access: warehouse, RouteDoc(
            "Make a pick list",
            description: "From the named shipments, or the first `limit` of the queue at the location.",
            request: .json(.object([
                "location": Schema.string(maxLength: 64).required,
                "shipment_ids": .array(of: .string(), minItems: 1, maxItems: 500),
                "limit": .integer(1...500),
            ])),
            responses: [.created(.ref(Components.picklist)).linking(ResponseLink("ReadPicklist", .get, "/v1/picklists/:id", from: "/id"))],
            errors: [.domain(.nothingToPick), .domain(.shipmentsNotPickable), .domain(.unknownLocation), .domain(.validationFailed)]
        ).tagged(tag)) { ctx in
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["location", "shipment_ids", "limit"])
            let location = v.string(body, "location", required: true, maxLength: 64)
            let ids = shipmentIDs(body, v)
            let limit = v.integer(body, "limit", range: 1...500)
            if ids != nil, limit != nil { v.add("limit", "not_allowed", "Send shipment_ids or limit, not both.") }
            try v.check()
            guard let location else { throw HTTPError(.unprocessableContent, code: "validation_failed", detail: "location is required.") }
            let rules = ctx.app.fulfilmentRules
            let actor = ctx.actor
            let chosen = ids
            return { db in
                let list = try PicklistFlow.create(db, location: location, shipmentIDs: chosen, limit: Int(limit ?? 50), rules: rules, actor: actor,
                                                now: Int64(WallClock.milliseconds()))
                var response = HTTPResponse.json(list.json, status: .created)
                response.headers.add(name: "Location", value: "/v1/picklists/\(list.id)")
                return response
            }
        }

        api.route(.get, "/v1/picklists/:id", access: .roles([.admin, .warehouse, .support]), RouteDoc(
            "Read a pick list (JSON, or printable HTML with ?format=html)",
            query: [QueryParameter("format", .string(enum: ["json", "html"]), "html for the printable page.")],
            responses: [ResponseDoc(200, "OK", .jsonOrHTML(.ref(Components.picklist)))]
        ).tagged(tag)) { ctx in
            let id = ctx.request.parameters["id"] ?? ""
            guard EntityID.isValid(id, kind: .picklist), let list = try await ctx.app.store.read({ db in try Picklists.find(db, id: id) }) else {
                throw DomainError.notFound("picklist", id)
            }
            return wantsHTML(ctx.request) ? html(list.html) : .json(list.json)
        }

        api.route(.get, "/v1/shipments/:id", access: .anyRole, RouteDoc(
            "Read a shipment", responses: [.ok(.ref(Components.shipment))]
        ).tagged(tag)) { ctx in
            let id = ctx.request.parameters["id"] ?? ""
            guard EntityID.isValid(id, kind: .shipment), let shipment = try await ctx.app.store.read({ db in try Shipments.find(db, id: id) }) else {
                throw DomainError.notFound("shipment", id)
            }
            return .json(shipment.json)
        }

        api.mutation(.post, "/v1/shipments/:id/pack", access: warehouse, RouteDoc(
            "Pack a shipment",
            description: "Every unit is scanned into the parcel (one SKU per unit); the scans must equal the shipment's lines. Issues the tax invoice when the order needs one.",
            request: .json(.object([
                "weight_g": Schema.integer(1...1_000_000).required, "length_mm": Schema.integer(1...10_000).required,
                "width_mm": Schema.integer(1...10_000).required, "height_mm": Schema.integer(1...10_000).required,
                "scanned": Schema.array(of: .string(minLength: 1, maxLength: 64), minItems: 1, maxItems: 10_000).required,
            ])),
            responses: [ResponseDoc.ok(.object([
                "shipment": .ref(Components.shipment),
                "invoice": Schema.object(["id": .string(), "number": .string()], allRequired: true).nullable,
            ], allRequired: true)).linking(ResponseLink("ReadInvoice", .get, "/v1/invoices/:id", from: "/invoice/id"))],
            errors: [.domain(.scanMismatch), .domain(.invalidTransition), .domain(.invoiceSeriesExhausted), .domain(.sellerStateUnknown),
                     .domain(.sellerProfileIncomplete)]
        ).tagged(tag)) { ctx in
            let id = ctx.request.parameters["id"] ?? ""
            guard EntityID.isValid(id, kind: .shipment) else { throw DomainError.notFound("shipment", id) }
            let body = ctx.body
            let v = ctx.validator()
            v.allowOnly(body, ["weight_g", "length_mm", "width_mm", "height_mm", "scanned"])
            let weight = v.integer(body, "weight_g", required: true, range: 1...1_000_000)
            let length = v.integer(body, "length_mm", required: true, range: 1...10_000)
            let width = v.integer(body, "width_mm", required: true, range: 1...10_000)
            let height = v.integer(body, "height_mm", required: true, range: 1...10_000)
            var scanned: [String] = []
            if let items = v.array(body, "scanned", required: true) {
                if items.isEmpty { v.add("scanned", "required", "Scan every unit into the parcel: one SKU per unit.") }
                if items.count > 10_000 { v.add("scanned", "too_many", "At most 10,000 scans.") }
                for (i, item) in items.prefix(10_000).enumerated() {
                    if case .string(let s) = item, !s.isEmpty, s.count <= 64 { scanned.append(s) } else { v.add("scanned[\(i)]", "invalid", "A SKU code.") }
                }
            }
            try v.check()
            guard let weight, let length, let width, let height else {
                throw HTTPError(.unprocessableContent, code: "validation_failed", detail: "Incomplete package.")
            }
            let package = Packing.Package(weightG: weight, lengthMM: length, widthMM: width, heightMM: height)
            let policy = ctx.app.orderPolicy
            let actor = ctx.actor
            let scans = scanned
            return { db in
                let result = try PackShipmentFlow.pack(db, shipmentID: id, package: package, scanned: scans, policy: policy, actor: actor, now: Int64(WallClock.milliseconds()))
                return .json(.object([
                    "shipment": result.shipment.json,
                    "invoice": result.invoice.map { .object(["id": .string($0.id), "number": .string($0.number)]) } ?? .null,
                ]))
            }
        }

        api.route(.get, "/v1/invoices/:id", access: .roles([.admin, .finance, .warehouse, .support]), RouteDoc(
            "Read a tax invoice (the stored document, or printable HTML with ?format=html)",
            query: [QueryParameter("format", .string(enum: ["json", "html"]), "html for the printable invoice.")],
            responses: [ResponseDoc(200, "OK", .jsonOrHTML(.freeObject.described("The invoice document as issued (CGST Rule 46 particulars).")))]
        ).tagged(tag)) { ctx in
            let id = ctx.request.parameters["id"] ?? ""
            guard EntityID.isValid(id, kind: .invoice), let invoice = try await ctx.app.store.read({ db in try Invoices.find(db, id: id) }) else {
                throw DomainError.notFound("invoice", id)
            }
            return wantsHTML(ctx.request) ? html(invoice.html) : .json(invoice.document)
        }
    }

    /// The body's optional `shipment_ids` (1 to 500 ids, each a `shp_…`), problems added to `v`
    /// by index; nil when absent. Pick lists and manifests take the same list.
    static func shipmentIDs(_ body: JSONObject, _ v: Validator) -> [String]? {
        guard let items = v.array(body, "shipment_ids") else { return nil }
        if items.isEmpty || items.count > 500 { v.add("shipment_ids", "out_of_range", "1 to 500 shipment ids.") }
        var ids: [String] = []
        for (i, item) in items.prefix(500).enumerated() {
            if case .string(let s) = item, EntityID.isValid(s, kind: .shipment) { ids.append(s) } else {
                v.add("shipment_ids[\(i)]", "invalid", "A shipment id such as shp_01J….")
            }
        }
        return ids
    }

    /// `?format=html`, or an Accept header that prefers HTML (a browser printing it).
    static func wantsHTML(_ request: HTTPRequest) -> Bool {
        if let format = request.queryItem("format") { return format == "html" }
        guard let accept = request.headers["accept"]?.lowercased() else { return false }
        return accept.hasPrefix("text/html")
    }

    static func html(_ page: String) -> HTTPResponse {
        HTTPResponse(status: .ok, contentType: "text/html; charset=utf-8", body: Array(page.utf8))
    }
}
