import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Couriers, their rate cards and their serviceability (docs/COURIERS.md, "Rate cards and quotes"):
///
/// - `PUT /v1/couriers/{code}`, `GET /v1/couriers/{code}`, `GET /v1/couriers?active=&after=&limit=`:
///   merchant-named resources with the catalog's PUT rules (every field replaced, omitted
///   optional fields at their defaults, `version` / `If-Match`, 201 / 200, `ETag`).
/// - `POST /v1/couriers/{code}/serviceability`: our CSV (`text/csv`) or Delhivery's pincode
///   JSON (`application/json`) replaces the courier's table in one transaction.
///
/// Rate cards are the seller's terms with each courier, so storefront keys do not read them.
enum CourierRoutes {
    static let writers: Access = .roles([.admin])
    static let readers: Access = .roles([.admin, .warehouse, .finance, .support])
    static let uploaders: Access = .roles([.admin, .warehouse])
    static let tag = "couriers"

    static func register(on api: inout API) {
        api.mutation(.put, "/v1/couriers/:code", access: writers, RouteDoc(
            "Create or replace a courier and its rate card",
            description: "Every writable field is replaced; an omitted optional field takes its default (cod false, active true, pickup_cutoff 14:00, no pickup limit, no extra zone-E states, no provider_courier_id or pickup_location; in the card slab_g 500, volumetric_divisor 5000, min_chargeable_g 0, no COD fee, RTO 10000 bps of forward, no fuel surcharge, gst_bps 1800).",
            request: .json(.ref(Components.courierInput)),
            responses: CatalogHTTP.putResponses(.ref(Components.courier), links: [ResponseLink("ReadCourier", .get, "/v1/couriers/:code", from: "/code")]),
            errors: [.domain(.validationFailed)], ifMatch: true
        ).tagged(tag)) { ctx in
            let code = ctx.request.parameters["code"] ?? ""
            let ifMatch = try CatalogHTTP.ifMatch(ctx.request)
            let body = ctx.body
            let v = ctx.validator()
            let bodyVersion = CatalogHTTP.envelope(v, body, key: "code", code: code, writable: CourierInput.writable,
                                                   readOnly: ["serviceability", "created_at", "updated_at"])
            let fields = CourierInput.parse(v, body)
            CatalogHTTP.merge(v, fields.problems())
            try v.check()
            let precondition = VersionPrecondition(ifMatch: ifMatch, bodyVersion: bodyVersion)
            let actor = ctx.actor
            return { db in
                let outcome = try Couriers.put(db, code: code, fields: fields, precondition: precondition, actor: actor)
                return CatalogHTTP.respond(outcome, json: outcome.resource.json, version: outcome.resource.version, location: "/v1/couriers/\(code)")
            }
        }

        api.route(.get, "/v1/couriers/:code", access: readers, RouteDoc("Read a courier", responses: CatalogHTTP.getResponses(.ref(Components.courier))).tagged(tag)) { ctx in
            let code = ctx.request.parameters["code"] ?? ""
            guard MerchantCode.isValid(code), let courier = try await ctx.app.store.read({ db in try Couriers.get(db, code: code) }) else {
                throw DomainError.notFound("courier", code)
            }
            return CatalogHTTP.single(ctx.request, json: courier.json, version: courier.version)
        }

        api.route(.get, "/v1/couriers", access: readers, RouteDoc(
            "List couriers in code order",
            query: [QueryParameter("active", .boolean, "Only active (true) or inactive (false) couriers."), .after, .limit()],
            responses: [.ok(Components.page(of: .ref(Components.courier)))], errors: [.invalidCursor]
        ).tagged(tag)) { ctx in
            let params = try CatalogListParams(ctx.request, extra: ["active"])
            let page = try await ctx.app.store.read { db in try Couriers.list(db, active: params.active, after: params.after, limit: params.limit) }
            return CatalogHTTP.list(page.items.map(\.json), lastCodeIfMore: page.lastCodeIfMore)
        }

        api.route(.post, "/v1/couriers/:code/serviceability", access: uploaders, bodyLimit: 64 << 20, RouteDoc(
            "Replace a courier's serviceability (CSV or Delhivery's pincode JSON)",
            description: "text/csv: the columns pincode,prepaid,cod,pickup,oda,embargo, each flag Y or N. application/json: Delhivery's pincode answer, {\"delivery_codes\":[{\"postal_code\":{\"pin\":400064,\"pre_paid\":\"Y\",\"cod\":\"Y\",\"pickup\":\"Y\",\"is_oda\":\"N\",\"remarks\":\"\"}}]} (remarks \"Embargo\": not served for now; an empty list: no pincode served). The good rows replace the courier's whole table in one transaction; each refused row is reported and its pincode is no longer served. A file that cannot be read at all changes nothing.",
            request: .csvOrJSON("The courier's pincode list.", .ref(Components.delhiveryPincodes)),
            responses: [.ok(.ref(Components.serviceabilityReport))],
            errors: [.notFound, .domain(.validationFailed)]
        ).tagged(tag)) { ctx in
            let code = ctx.request.parameters["code"] ?? ""
            let file: ServiceabilityFile
            switch try ServiceabilityUpload.mediaType(ctx.request) {
            case .csv: file = try ServiceabilityFile.csv(ctx.request.body)
            case .delhiveryJSON: file = try ServiceabilityFile.delhivery(.object(try RequestBody.object(ctx.request)))
            }
            let actor = ctx.actor
            try await ctx.app.write { db in try Couriers.replaceServiceability(db, code: code, file, actor: actor) }
            return .json(ServiceabilityUpload.report(courier: code, file))
        }
    }
}

/// `PUT /v1/couriers/{code}`'s body, read into `CourierFields`.
enum CourierInput {
    static let writable: Set<String> = [
        "name", "provider", "mode", "max_weight_g", "cod", "active", "pickup_cutoff", "daily_pickup_capacity", "rate_card", "zone_e_states",
        "provider_courier_id", "pickup_location",
    ]
    static let cardWritable: Set<String> = [
        "zones", "slab_g", "volumetric_divisor", "min_chargeable_g", "cod_fee", "rto", "fuel_surcharge_bps", "gst_bps",
    ]

    /// The fields with documented defaults for omitted optional ones; every problem goes to
    /// `v` (placeholders stand for missing required values, already reported).
    static func parse(_ v: Validator, _ body: JSONObject) -> CourierFields {
        let name = CatalogHTTP.trimmed(v.string(body, "name", required: true, maxLength: CatalogRules.maxNameLength))
        let provider = enumeration(v, body, "provider", CourierFields.Provider.self) ?? .manual
        let mode = enumeration(v, body, "mode", CourierFields.Mode.self) ?? .surface
        let maxWeight = v.integer(body, "max_weight_g", required: true) ?? 1
        var fields = CourierFields(name: name, provider: provider, mode: mode, maxWeightG: maxWeight, rateCard: card(v, v.object(body, "rate_card", required: true)))
        fields.cod = v.bool(body, "cod") ?? false
        fields.active = v.bool(body, "active") ?? true
        fields.pickupCutoff = v.string(body, "pickup_cutoff", maxLength: 5) ?? "14:00"
        fields.dailyPickupCapacity = v.integer(body, "daily_pickup_capacity")
        fields.providerCourierID = v.string(body, "provider_courier_id", maxLength: 12)
        fields.pickupLocation = v.string(body, "pickup_location", maxLength: 100)
        for (i, item) in (v.array(body, "zone_e_states") ?? []).enumerated() {
            let text = if case .string(let s) = item { s.trimmingCharacters(in: " \t") } else { "" }
            guard let state = IndianState(name: text) ?? IndianState(gstCode: text) else {
                v.add("zone_e_states[\(i)]", "invalid_state", "A state's name (\"Kerala\") or its two-digit GST code (\"32\").")
                continue
            }
            fields.zoneEStates.append(state)
        }
        return fields
    }

    /// The rate card (all zones A–E required); nil body: an empty card, already reported.
    static func card(_ v: Validator, _ o: JSONObject?) -> RateCard {
        guard let o else { return RateCard(zones: [:]) }
        let at = "rate_card"
        v.allowOnly(o, cardWritable, at: at)
        var zones: [CourierZone: RateCard.ZoneRate] = [:]
        if let z = v.object(o, "zones", at: at, required: true) {
            v.allowOnly(z, Set(CourierZone.allCases.map(\.rawValue)), at: "\(at).zones")
            for zone in CourierZone.allCases {
                guard let r = v.object(z, zone.rawValue, at: "\(at).zones", required: true) else { continue }
                let path = "\(at).zones.\(zone.rawValue)"
                v.allowOnly(r, ["first_paise", "additional_paise"], at: path)
                let first = v.integer(r, "first_paise", at: path, required: true), additional = v.integer(r, "additional_paise", at: path, required: true)
                if let first, let additional { zones[zone] = RateCard.ZoneRate(firstPaise: first, additionalPaise: additional) }
            }
        }
        var card = RateCard(zones: zones)
        card.slabG = v.integer(o, "slab_g", at: at) ?? 500
        card.volumetricDivisor = v.integer(o, "volumetric_divisor", at: at) ?? 5000
        card.minChargeableG = v.integer(o, "min_chargeable_g", at: at) ?? 0
        if let fee = v.object(o, "cod_fee", at: at) {
            v.allowOnly(fee, ["fixed_paise", "percent_bps"], at: "\(at).cod_fee")
            card.codFixedPaise = v.integer(fee, "fixed_paise", at: "\(at).cod_fee") ?? 0
            card.codPercentBps = v.integer(fee, "percent_bps", at: "\(at).cod_fee") ?? 0
        }
        if let rto = v.object(o, "rto", at: at) {
            v.allowOnly(rto, ["percent_bps_of_forward"], at: "\(at).rto")
            card.rtoPercentBpsOfForward = v.integer(rto, "percent_bps_of_forward", at: "\(at).rto") ?? 10_000
        }
        card.fuelSurchargeBps = v.integer(o, "fuel_surcharge_bps", at: at) ?? 0
        card.gstBps = v.integer(o, "gst_bps", at: at) ?? 1800
        return card
    }

    /// A string field that must be one of `E`'s raw values.
    static func enumeration<E: CaseIterable & RawRepresentable>(_ v: Validator, _ body: JSONObject, _ key: String, _ type: E.Type) -> E? where E.RawValue == String {
        guard let text = v.string(body, key, required: true, maxLength: 50) else { return nil }
        guard let value = E(rawValue: text) else {
            v.add(key, "invalid", "One of \(E.allCases.map(\.rawValue).joined(separator: ", ")).")
            return nil
        }
        return value
    }
}

/// The serviceability upload's media types and its answer.
enum ServiceabilityUpload {
    /// Errors listed in an answer at most (the count is always whole): 19,000 bad rows must
    /// not become a response of megabytes.
    static let listedErrors = 1000

    /// Which layout the body is in, by its Content-Type; 415 for anything else.
    static func mediaType(_ request: HTTPRequest) throws(HTTPError) -> ServiceabilityFile.Format {
        let contentType = request.headers["content-type"]?.lowercased() ?? ""
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: " \t") } ?? ""
        switch type {
        case "text/csv":
            try InventoryCSVRoutes.requireCSV(request)
            return .csv
        case "application/json":
            return .delhiveryJSON
        default:
            throw HTTPError(.unsupportedMediaType, code: "unsupported_media_type",
                            detail: "Send text/csv (pincode,prepaid,cod,pickup,oda,embargo) or application/json (Delhivery's pincode JSON)\(contentType.isEmpty ? "" : "; got \(contentType)").")
        }
    }

    /// `{courier, format, rows, pincodes, error_count, errors}`.
    static func report(courier: String, _ file: ServiceabilityFile) -> JSONValue {
        .object([
            "courier": .string(courier), "format": .string(file.format.rawValue), "rows": .int(Int64(file.rows)),
            "pincodes": .int(Int64(file.services.count)), "error_count": .int(Int64(file.errors.count)),
            "errors": .array(file.errors.prefix(listedErrors).map { .object(["row": .int(Int64($0.row)), "code": .string($0.code), "message": .string($0.message)]) }),
        ])
    }
}
