import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// SKUs, kits, locations and channels: the merchant-named resources (DESIGN §2), all
/// written with PUT (create or full replace) under optimistic concurrency.
///
/// - `PUT /v1/skus/{sku}`, `GET /v1/skus/{sku}`, `GET /v1/skus?q=&active=&after=&limit=`
/// - `PUT /v1/locations/{code}`, `GET /v1/locations/{code}`, `GET /v1/locations?active=&after=&limit=`
/// - `PUT /v1/channels/{code}`, `GET /v1/channels/{code}`, `GET /v1/channels?active=&kind=&after=&limit=`
/// - `GET /v1/channels/{code}/buffers?after=&limit=`, and `GET`/`PUT`/`DELETE
///   /v1/channels/{code}/buffers/{sku}`
///
/// PUT rules: every writable field is replaced; an omitted optional field takes its default
/// (so a PUT never leaves a stale value behind). Each resource has a `version` (1 on create,
/// +1 per change) shown as `ETag: "<version>"`; `If-Match` and/or the body's `version` make the
/// PUT conditional (412 `version_mismatch` otherwise, nothing written). 201 on create, 200 on
/// update, 200 with the same version when nothing changed (and no event). Server-set fields
/// (`is_kit`, `state`, `district`, `created_at`, `updated_at`) may not be sent (422
/// `read_only`); the resource's own code may be echoed if it equals the path, so a client can
/// GET, edit and PUT the JSON back.
///
/// Lists are in code order; `next_cursor` is opaque (base64url of the last code on the page)
/// and null on the last page.
enum CatalogRoutes {
    static let catalogWriters: Access = .roles([.admin])
    static let locationWriters: Access = .roles([.admin, .warehouse])
    static let tag = "catalog"

    static func register(on api: inout API) {
        registerSKUs(on: &api)
        registerLocations(on: &api)
        registerChannels(on: &api)
    }

    // MARK: SKUs

    static func registerSKUs(on api: inout API) {
        api.mutation(.put, "/v1/skus/:sku", access: catalogWriters, RouteDoc(
            "Create or replace a SKU", description: "Every writable field is replaced; an omitted optional field takes its default. A kit lists its components.",
            request: .json(.ref(Components.skuInput)),
            responses: CatalogHTTP.putResponses(.ref(Components.sku), links: [
                ResponseLink("ReadSKU", .get, "/v1/skus/:sku", from: "/sku"), ResponseLink("ReadStock", .get, "/v1/inventory/:sku", from: "/sku"),
                ResponseLink("ReadMovements", .get, "/v1/inventory/:sku/movements", from: "/sku")]),
            errors: [.domain(.invalidKit), .domain(.skuHasStock), .domain(.validationFailed)], ifMatch: true
        ).tagged(tag)) { ctx in
            let code = ctx.request.parameters["sku"] ?? ""
            let ifMatch = try CatalogHTTP.ifMatch(ctx.request)
            let body = ctx.body
            let v = ctx.validator()
            let bodyVersion = CatalogHTTP.envelope(v, body, key: "sku", code: code,
                                                   writable: SKUInput.writable, readOnly: ["is_kit", "created_at", "updated_at"])
            let fields = SKUInput.parse(v, body, code: code)
            try v.check()
            let precondition = VersionPrecondition(ifMatch: ifMatch, bodyVersion: bodyVersion)
            let actor = ctx.actor
            return { db in
                let outcome = try SKUCatalog.put(db, code: code, fields: fields, precondition: precondition, actor: actor)
                return CatalogHTTP.respond(outcome, json: outcome.resource.json, version: outcome.resource.version, location: "/v1/skus/\(code)")
            }
        }

        api.route(.get, "/v1/skus/:sku", access: .anyRole, RouteDoc("Read a SKU", responses: CatalogHTTP.getResponses(.ref(Components.sku))).tagged(tag)) { ctx in
            let code = ctx.request.parameters["sku"] ?? ""
            guard MerchantCode.isValid(code), let sku = try await ctx.app.store.read({ db in try SKUCatalog.get(db, code: code) }) else {
                throw DomainError.notFound("SKU", code)
            }
            return CatalogHTTP.single(ctx.request, json: sku.json, version: sku.version)
        }

        api.route(.get, "/v1/skus", access: .anyRole, RouteDoc(
            "List SKUs in code order",
            query: [QueryParameter("q", .string(maxLength: 100), "A code prefix or a name substring, case-insensitive."),
                    QueryParameter("active", .boolean, "Only active (true) or inactive (false) SKUs."), .after, .limit()],
            responses: [.ok(Components.page(of: .ref(Components.sku)))], errors: [ProblemCase(400, "invalid_cursor")]
        ).tagged(tag)) { ctx in
            let params = try CatalogListParams(ctx.request, extra: ["q", "active"])
            let query = SKUCatalog.ListQuery(q: params.q, active: params.active, after: params.after, limit: params.limit)
            let page = try await ctx.app.store.read { db in try SKUCatalog.list(db, query) }
            return CatalogHTTP.list(page.items.map(\.json), lastCodeIfMore: page.lastCodeIfMore)
        }
    }

    // MARK: Locations

    static func registerLocations(on api: inout API) {
        api.mutation(.put, "/v1/locations/:code", access: locationWriters, RouteDoc(
            "Create or replace a stock location", description: "State and district come from the pincode (India Post directory).",
            request: .json(.ref(Components.locationInput)),
            responses: CatalogHTTP.putResponses(.ref(Components.location), links: [ResponseLink("ReadLocation", .get, "/v1/locations/:code", from: "/code")]),
            errors: [.domain(.invalidPincode), .domain(.validationFailed)], ifMatch: true
        ).tagged(tag)) { ctx in
            let code = ctx.request.parameters["code"] ?? ""
            let ifMatch = try CatalogHTTP.ifMatch(ctx.request)
            let body = ctx.body
            let v = ctx.validator()
            let bodyVersion = CatalogHTTP.envelope(v, body, key: "code", code: code, writable: ["name", "pincode", "address", "priority", "active"],
                                                   readOnly: ["state", "district", "created_at", "updated_at"])
            let name = v.string(body, "name", required: true, maxLength: CatalogRules.maxNameLength)
            let pincode = v.string(body, "pincode", required: true, maxLength: 20)
            var fields = LocationFields(name: CatalogHTTP.trimmed(name), pincode: CatalogHTTP.trimmed(pincode))
            fields.address = v.string(body, "address", maxLength: CatalogRules.maxAddressLength) ?? ""
            fields.priority = v.integer(body, "priority") ?? 100
            fields.active = v.bool(body, "active") ?? true
            CatalogHTTP.merge(v, fields.problems())
            // An unknown pincode alone gets its own code, the one clients switch on.
            if !v.errors.isEmpty, v.errors.allSatisfy({ $0.code == "invalid_pincode" }) {
                throw HTTPError(.unprocessableContent, code: "invalid_pincode", detail: v.errors[0].message, errors: v.errors)
            }
            try v.check()
            let precondition = VersionPrecondition(ifMatch: ifMatch, bodyVersion: bodyVersion)
            let actor = ctx.actor
            let input = fields
            return { db in
                let outcome = try LocationCatalog.put(db, code: code, fields: input, precondition: precondition, actor: actor)
                return CatalogHTTP.respond(outcome, json: outcome.resource.json, version: outcome.resource.version, location: "/v1/locations/\(code)")
            }
        }

        api.route(.get, "/v1/locations/:code", access: .anyRole, RouteDoc("Read a location", responses: CatalogHTTP.getResponses(.ref(Components.location))).tagged(tag)) { ctx in
            let code = ctx.request.parameters["code"] ?? ""
            guard MerchantCode.isValid(code), let location = try await ctx.app.store.read({ db in try LocationCatalog.get(db, code: code) }) else {
                throw DomainError.notFound("location", code)
            }
            return CatalogHTTP.single(ctx.request, json: location.json, version: location.version)
        }

        api.route(.get, "/v1/locations", access: .anyRole, RouteDoc(
            "List locations in code order",
            query: [QueryParameter("active", .boolean, "Only active (true) or inactive (false) locations."), .after, .limit()],
            responses: [.ok(Components.page(of: .ref(Components.location)))], errors: [ProblemCase(400, "invalid_cursor")]
        ).tagged(tag)) { ctx in
            let params = try CatalogListParams(ctx.request, extra: ["active"])
            let page = try await ctx.app.store.read { db in
                try LocationCatalog.list(db, active: params.active, after: params.after, limit: params.limit)
            }
            return CatalogHTTP.list(page.items.map(\.json), lastCodeIfMore: page.lastCodeIfMore)
        }
    }

    // MARK: Channels

    static func registerChannels(on api: inout API) {
        api.mutation(.put, "/v1/channels/:code", access: catalogWriters, RouteDoc(
            "Create or replace a sales channel", description: "The buffer keeps back part of the stock from this channel.",
            request: .json(.ref(Components.channelInput)),
            responses: CatalogHTTP.putResponses(.ref(Components.channel), links: [
                ResponseLink("ReadChannel", .get, "/v1/channels/:code", from: "/code"), ResponseLink("ReadBuffers", .get, "/v1/channels/:code/buffers", from: "/code")]),
            errors: [.domain(.validationFailed)], ifMatch: true
        ).tagged(tag)) { ctx in
            let code = ctx.request.parameters["code"] ?? ""
            let ifMatch = try CatalogHTTP.ifMatch(ctx.request)
            let body = ctx.body
            let v = ctx.validator()
            let bodyVersion = CatalogHTTP.envelope(v, body, key: "code", code: code, writable: ["name", "kind", "active", "buffer"],
                                                   readOnly: ["created_at", "updated_at"])
            let name = v.string(body, "name", required: true, maxLength: CatalogRules.maxNameLength)
            let kindText = v.string(body, "kind", required: true, maxLength: 50)
            let kind = kindText.flatMap(ChannelKind.init(rawValue:))
            if let kindText, kind == nil {
                v.add("kind", "invalid", "One of \(ChannelKind.allCases.map(\.rawValue).joined(separator: ", ")) (got \(kindText)).")
            }
            var fields = ChannelFields(name: CatalogHTTP.trimmed(name), kind: kind ?? .website)
            fields.active = v.bool(body, "active") ?? true
            if let buffer = v.object(body, "buffer") {
                fields.buffer = CatalogHTTP.buffer(v, buffer, at: "buffer")
            }
            CatalogHTTP.merge(v, fields.problems())
            try v.check()
            let precondition = VersionPrecondition(ifMatch: ifMatch, bodyVersion: bodyVersion)
            let actor = ctx.actor
            let input = fields
            return { db in
                let outcome = try ChannelCatalog.put(db, code: code, fields: input, precondition: precondition, actor: actor)
                return CatalogHTTP.respond(outcome, json: outcome.resource.json, version: outcome.resource.version, location: "/v1/channels/\(code)")
            }
        }

        api.route(.get, "/v1/channels/:code", access: .anyRole, RouteDoc("Read a channel", responses: CatalogHTTP.getResponses(.ref(Components.channel))).tagged(tag)) { ctx in
            let code = ctx.request.parameters["code"] ?? ""
            guard MerchantCode.isValid(code), let channel = try await ctx.app.store.read({ db in try ChannelCatalog.get(db, code: code) }) else {
                throw DomainError.notFound("channel", code)
            }
            return CatalogHTTP.single(ctx.request, json: channel.json, version: channel.version)
        }

        api.route(.get, "/v1/channels", access: .anyRole, RouteDoc(
            "List channels in code order",
            query: [QueryParameter("active", .boolean, "Only active (true) or inactive (false) channels."),
                    QueryParameter("kind", .oneOf(ChannelKind.self), "Only channels of this kind."), .after, .limit()],
            responses: [.ok(Components.page(of: .ref(Components.channel)))], errors: [ProblemCase(400, "invalid_cursor")]
        ).tagged(tag)) { ctx in
            let params = try CatalogListParams(ctx.request, extra: ["active", "kind"])
            let page = try await ctx.app.store.read { db in
                try ChannelCatalog.list(db, active: params.active, kind: params.kind, after: params.after, limit: params.limit)
            }
            return CatalogHTTP.list(page.items.map(\.json), lastCodeIfMore: page.lastCodeIfMore)
        }

        // Per-SKU buffers: a sub-resource with no version of its own (see putSKUBuffer).
        api.route(.get, "/v1/channels/:code/buffers", access: .anyRole, RouteDoc(
            "A channel's per-SKU buffers", query: [.after, .limit()],
            responses: [.ok(Components.page(of: .ref(Components.skuBuffer)))], errors: [ProblemCase(400, "invalid_cursor")]
        ).tagged(tag)) { ctx in
            let code = ctx.request.parameters["code"] ?? ""
            let params = try CatalogListParams(ctx.request, extra: [])
            let page = try await ctx.app.store.read { db -> CatalogPage<SKUBuffer>? in
                guard MerchantCode.isValid(code), try ChannelCatalog.get(db, code: code) != nil else { return nil }
                return try ChannelCatalog.skuBuffers(db, channel: code, after: params.after, limit: params.limit)
            }
            guard let page else { throw DomainError.notFound("channel", code) }
            return CatalogHTTP.list(page.items.map(\.json), lastCodeIfMore: page.lastCodeIfMore)
        }

        api.route(.get, "/v1/channels/:code/buffers/:sku", access: .anyRole, RouteDoc(
            "A channel's buffer for one SKU", responses: [.ok(.ref(Components.skuBuffer))]
        ).tagged(tag)) { ctx in
            let code = ctx.request.parameters["code"] ?? ""
            let sku = ctx.request.parameters["sku"] ?? ""
            guard MerchantCode.isValid(code), MerchantCode.isValid(sku),
                  let buffer = try await ctx.app.store.read({ db in try ChannelCatalog.skuBuffer(db, channel: code, sku: sku) }) else {
                throw DomainError(.notFound, "Channel \(code) has no buffer of its own for \(sku).")
            }
            return .json(buffer.json)
        }

        api.mutation(.put, "/v1/channels/:code/buffers/:sku", access: catalogWriters, RouteDoc(
            "Set a channel's buffer for one SKU", description: "Replaces the channel's global buffer for this SKU.",
            request: .json(.object([
                "percent_bps": .integer(), "units": .integer(),
                "channel": Schema.string().described("If sent, must equal the path's channel."), "sku": Schema.string().described("If sent, must equal the path's SKU."),
            ])),
            responses: [.created(.ref(Components.skuBuffer)), .ok(.ref(Components.skuBuffer))],
            errors: [.domain(.validationFailed)], ifMatch: true
        ).tagged(tag)) { ctx in
            let code = ctx.request.parameters["code"] ?? ""
            let sku = ctx.request.parameters["sku"] ?? ""
            let ifMatch = try CatalogHTTP.ifMatch(ctx.request)
            let body = ctx.body
            let v = ctx.validator()
            CatalogHTTP.pathCode(v, code, field: "code")
            CatalogHTTP.pathCode(v, sku, field: "sku")
            v.allowOnly(body, ["percent_bps", "units", "channel", "sku"])
            CatalogHTTP.echo(v, body, key: "channel", equals: code)
            CatalogHTTP.echo(v, body, key: "sku", equals: sku)
            let buffer = CatalogHTTP.buffer(v, body, at: "")
            CatalogHTTP.merge(v, buffer.problems(at: ""))
            try v.check()
            let precondition = VersionPrecondition(ifMatch: ifMatch)
            let actor = ctx.actor
            return { db in
                let outcome = try ChannelCatalog.putSKUBuffer(db, channel: code, sku: sku, buffer: buffer, precondition: precondition, actor: actor)
                return CatalogHTTP.respond(outcome, json: outcome.resource.json, version: nil, location: "/v1/channels/\(code)/buffers/\(sku)")
            }
        }

        api.mutation(.delete, "/v1/channels/:code/buffers/:sku", access: catalogWriters, RouteDoc(
            "Remove a channel's buffer for one SKU", responses: [.noContent("Removed: the channel's global buffer applies again.")], ifMatch: true
        ).tagged(tag)) { ctx in
            let code = ctx.request.parameters["code"] ?? ""
            let sku = ctx.request.parameters["sku"] ?? ""
            let ifMatch = try CatalogHTTP.ifMatch(ctx.request)
            guard MerchantCode.isValid(code), MerchantCode.isValid(sku) else {
                throw DomainError(.notFound, "Channel \(code) has no buffer of its own for \(sku).")
            }
            let actor = ctx.actor
            return { db in
                try ChannelCatalog.deleteSKUBuffer(db, channel: code, sku: sku, precondition: VersionPrecondition(ifMatch: ifMatch), actor: actor)
                return HTTPResponse(status: .noContent)
            }
        }
    }
}

/// Reading a SKU body into `SKUFields`.
enum SKUInput {
    static let writable: Set<String> = [
        "name", "mrp_paise", "price_paise", "weight_g", "length_mm", "width_mm", "height_mm", "hsn", "gst_rate_bps",
        "active", "returnable", "return_window_days", "low_stock_threshold", "reorder_point", "reorder_qty", "components",
    ]

    /// The fields with documented defaults for omitted optional ones; every problem goes to `v`.
    static func parse(_ v: Validator, _ body: JSONObject, code: String) -> SKUFields {
        let name = v.string(body, "name", required: true, maxLength: CatalogRules.maxNameLength)
        let mrp = v.integer(body, "mrp_paise", required: true)
        let price = v.integer(body, "price_paise", required: true)
        // Placeholders for missing required values keep the cross-field checks quiet; the
        // missing field is already reported.
        var f = SKUFields(name: CatalogHTTP.trimmed(name), mrpPaise: mrp ?? price ?? 0, pricePaise: price ?? 0)
        f.weightG = v.integer(body, "weight_g") ?? 0
        f.lengthMM = v.integer(body, "length_mm") ?? 0
        f.widthMM = v.integer(body, "width_mm") ?? 0
        f.heightMM = v.integer(body, "height_mm") ?? 0
        f.hsn = v.string(body, "hsn", maxLength: 8) ?? ""
        f.gstRateBps = v.integer(body, "gst_rate_bps") ?? 0
        f.active = v.bool(body, "active") ?? true
        f.returnable = v.bool(body, "returnable") ?? true
        f.returnWindowDays = v.integer(body, "return_window_days") ?? 7
        f.lowStockThreshold = v.integer(body, "low_stock_threshold") ?? 0
        f.reorderPoint = v.integer(body, "reorder_point") ?? 0
        f.reorderQty = v.integer(body, "reorder_qty") ?? 0
        if let items = v.array(body, "components") {
            // One placeholder per malformed item keeps indices aligned with the client's list.
            f.components = items.enumerated().map { i, item in
                let path = "components[\(i)]"
                guard case .object(let o) = item else {
                    _ = v.object([path: item], path)  // reports invalid_type at `components[i]`
                    return KitComponent(sku: "", qty: 1)
                }
                v.allowOnly(o, ["sku", "qty"], at: path)
                let sku = v.string(o, "sku", at: path, required: true, maxLength: MerchantCode.maxLength + 1)
                let qty = v.integer(o, "qty", at: path, required: true)
                return KitComponent(sku: sku ?? "", qty: qty ?? 1)
            }
        }
        CatalogHTTP.merge(v, f.problems(code: code) + SKUFields.componentProblems(f.components, code: code))
        return f
    }
}

/// The HTTP side of the catalog's conventions: preconditions, ETags, envelopes, lists.
enum CatalogHTTP {
    /// `If-Match` as a precondition; 400 for a value that is not an entity-tag list.
    static func ifMatch(_ request: HTTPRequest) throws(HTTPError) -> VersionPrecondition.Match? {
        let values = request.headers.values(name: "if-match")
        guard !values.isEmpty else { return nil }
        let bad = HTTPError(.badRequest, code: "invalid_header", detail: #"If-Match must be the ETag from a GET, with its quotes (If-Match: "3"), or *."#,
                            errors: [FieldError(field: "If-Match", code: "invalid", message: #"Send If-Match: "<version>" or *."#)])
        var versions = Set<Int64>()
        var any = false
        var sawTag = false
        for value in values {
            var rest = Substring(value)
            while true {
                rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
                guard let first = rest.first else { break }
                var tag: Substring?
                var weak = false
                if first == "*" {
                    any = true
                    rest = rest.dropFirst()
                } else {
                    if rest.hasPrefix("W/") {
                        weak = true
                        rest = rest.dropFirst(2)
                    }
                    guard rest.first == "\"" else { throw bad }
                    rest = rest.dropFirst()
                    guard let close = rest.firstIndex(of: "\"") else { throw bad }
                    tag = rest[..<close]
                    rest = rest[rest.index(after: close)...]
                }
                // Each element ends at a comma or the end of the field.
                rest = rest.drop { $0 == " " || $0 == "\t" }
                guard rest.isEmpty || rest.first == "," else { throw bad }
                sawTag = true
                // Strong comparison: a weak tag, or one that is not exactly a version's ETag, never matches.
                if let tag, !weak, let version = Int64(tag), version > 0, String(version) == tag { versions.insert(version) }
            }
        }
        guard sawTag else { throw bad }
        return any ? .any : .versions(versions)
    }

    /// Checks the parts of a PUT body that are not the resource's own fields: unknown keys,
    /// server-set keys, the echoed code, and `version` (returned). Also reports an invalid
    /// path code, naming the path parameter.
    static func envelope(_ v: Validator, _ body: JSONObject, key: String, code: String, writable: Set<String>, readOnly: Set<String>) -> Int64? {
        pathCode(v, code, field: key)
        // Server-set fields get their own error below, not "unknown" (and are not offered as allowed).
        v.allowOnly(JSONObject(body.entries.filter { !readOnly.contains($0.key) }), writable.union([key, "version"]))
        for field in body.keys where readOnly.contains(field) {
            v.add(field, "read_only", "Set by Bahi; leave it out of the request.")
        }
        echo(v, body, key: key, equals: code)
        return v.integer(body, "version", range: 1...Int64.max)
    }

    /// Reports a path parameter that is not a merchant code (422).
    static func pathCode(_ v: Validator, _ code: String, field: String) {
        if let p = CatalogRules.codeProblem(code, field: field) {
            v.add(p.field, p.code, p.message + " (the \(field) in the path)")
        }
    }

    /// An optional body copy of a path key must equal the path.
    static func echo(_ v: Validator, _ body: JSONObject, key: String, equals code: String) {
        if let echoed = v.string(body, key, maxLength: MerchantCode.maxLength + 1), echoed != code {
            v.add(key, "mismatch", "The body says \(echoed) but the path says \(code); leave \(key) out or make them equal.")
        }
    }

    /// `{percent_bps, units}`, both defaulting to 0.
    static func buffer(_ v: Validator, _ object: JSONObject, at path: String) -> ChannelBuffer {
        if !path.isEmpty { v.allowOnly(object, ["percent_bps", "units"], at: path) }
        return ChannelBuffer(percentBps: v.integer(object, "percent_bps", at: path) ?? 0, units: v.integer(object, "units", at: path) ?? 0)
    }

    /// Adds domain problems to `v`, except for fields (or their parts) already reported, so
    /// a missing or mistyped field is described once.
    static func merge(_ v: Validator, _ problems: [FieldProblem]) {
        let reported = v.errors.map(\.field)
        for p in problems {
            let field = DomainErrorResponse.requestPath(of: p)
            let covered = reported.contains { r in
                r == field || field.hasPrefix(r + ".") || field.hasPrefix(r + "[") || r.hasPrefix(field + ".") || r.hasPrefix(field + "[")
            }
            if !covered { v.add(field, p.code, p.message) }
        }
    }

    /// Leading and trailing spaces dropped (names pasted from spreadsheets carry them).
    static func trimmed(_ text: String?) -> String {
        (text ?? "").trimmingCharacters(in: " \t")
    }

    /// 201 + `Location` on create, 200 otherwise; `ETag` when the resource is versioned.
    static func respond<R: Sendable>(_ outcome: PutOutcome<R>, json: JSONValue, version: Int64?, location: String) -> HTTPResponse {
        var response: HTTPResponse
        if case .created = outcome {
            response = .json(json, status: .created)
            response.headers.add(name: "Location", value: location)
        } else {
            response = .json(json)
        }
        if let version { response.headers.add(name: "ETag", value: etag(version)) }
        return response
    }

    /// One resource with its `ETag`; 304 when `If-None-Match` already names that version.
    static func single(_ request: HTTPRequest, json: JSONValue, version: Int64) -> HTTPResponse {
        let tag = etag(version)
        if let ifNoneMatch = request.headers["if-none-match"] {
            let tags = ifNoneMatch.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }
            // Weak comparison for If-None-Match (RFC 9110 §13.1.2).
            if tags.contains("*") || tags.contains(where: { $0 == tag || $0 == "W/" + tag }) {
                return HTTPResponse(status: .notModified, headers: ["ETag": tag])
            }
        }
        var response = HTTPResponse.json(json)
        response.headers.add(name: "ETag", value: tag)
        return response
    }

    /// A PUT's answers: 201 on create, 200 on replace (or no change), each with the ETag.
    static func putResponses(_ schema: Schema, links: [ResponseLink] = []) -> [ResponseDoc] {
        var created = ResponseDoc(201, "Created", .json(schema), headers: [("Location", "The resource."), ("ETag", "The new version, quoted.")])
        created.links = links
        return [created, ResponseDoc(200, "Replaced, or unchanged (same version)", .json(schema), headers: [("ETag", "The version, quoted.")])]
    }

    /// A versioned GET's answers: 200 with the ETag, 304 when If-None-Match names it.
    static func getResponses(_ schema: Schema) -> [ResponseDoc] {
        [ResponseDoc(200, "OK", .json(schema), headers: [("ETag", "The version, quoted.")]),
         ResponseDoc(304, "Not modified: If-None-Match names the current version", .empty, headers: [("ETag", "The version, quoted.")])]
    }

    /// `{data, next_cursor}`.
    static func list(_ items: [JSONValue], lastCodeIfMore: String?) -> HTTPResponse {
        .json(.object(["data": .array(items), "next_cursor": lastCodeIfMore.map { .string(CatalogCursor.encode($0)) } ?? .null]))
    }

    static func etag(_ version: Int64) -> String { "\"\(version)\"" }
}

/// The opaque list cursor: base64url (no padding) of the last code on the page. Opaque so
/// the ordering key can change later (say, to sort by name) without breaking clients that
/// only pass it back.
enum CatalogCursor {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ code: String) -> String {
        let bytes = Array(code.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let chunk = bytes[i..<min(i + 3, bytes.count)]
            var n: UInt32 = 0
            for (k, b) in chunk.enumerated() { n |= UInt32(b) << (16 - 8 * UInt32(k)) }
            let chars = chunk.count + 1
            for k in 0..<chars { out.append(alphabet[Int(n >> (18 - 6 * UInt32(k)) & 63)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The code, or nil if `cursor` is not one this server made.
    static func decode(_ cursor: String) -> String? {
        var values: [UInt32] = []
        for b in cursor.utf8 {
            guard let index = alphabet.firstIndex(of: b) else { return nil }
            values.append(UInt32(index))
        }
        guard values.count % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        var i = 0
        while i < values.count {
            let group = values[i..<min(i + 4, values.count)]
            var n: UInt32 = 0
            for (k, v) in group.enumerated() { n |= v << (18 - 6 * UInt32(k)) }
            for k in 0..<(group.count - 1) { bytes.append(UInt8(truncatingIfNeeded: n >> (16 - 8 * UInt32(k)))) }
            i += 4
        }
        guard let code = String(validating: bytes, as: UTF8.self), MerchantCode.isValid(code), encode(code) == cursor else { return nil }
        return code
    }
}

/// A catalog list's query parameters, validated with field errors (400), unknown ones
/// included: a misspelt filter that silently returned everything would be worse.
struct CatalogListParams {
    var after: String?
    var limit = 50
    var q: String?
    var active: Bool?
    var kind: ChannelKind?

    init(_ request: HTTPRequest, extra: Set<String>) throws(HTTPError) {
        var errors: [FieldError] = []
        let allowed = extra.union(["after", "limit"])
        for pair in (request.query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let name = PercentDecoding.decode(pair.prefix { $0 != "=" }, plusAsSpace: true) ?? String(pair)
            if !allowed.contains(name) {
                errors.append(FieldError(field: name, code: "unknown_parameter", message: "Allowed: \(allowed.sorted().joined(separator: ", "))."))
            }
        }
        after = ListCursor.catalogCode(request, &errors)
        if let text = request.queryItem("limit") {
            if let v = Int(text), (1...500).contains(v) { limit = v } else {
                errors.append(FieldError(field: "limit", code: "out_of_range", message: "From 1 to 500 (default 50)."))
            }
        }
        if extra.contains("active"), let text = request.queryItem("active") {
            switch text {
            case "true": active = true
            case "false": active = false
            default: errors.append(FieldError(field: "active", code: "invalid", message: "true or false."))
            }
        }
        if extra.contains("q"), let text = request.queryItem("q") {
            if text.count > 100 {
                errors.append(FieldError(field: "q", code: "too_long", message: "At most 100 characters."))
            } else if !text.isEmpty {
                q = text
            }
        }
        if extra.contains("kind"), let text = request.queryItem("kind") {
            if let k = ChannelKind(rawValue: text) { kind = k } else {
                errors.append(FieldError(field: "kind", code: "invalid", message: "One of \(ChannelKind.allCases.map(\.rawValue).joined(separator: ", "))."))
            }
        }
        try ListCursor.check(errors)
    }
}
