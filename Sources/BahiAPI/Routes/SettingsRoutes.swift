import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// The seller profile: `GET`/`PUT /v1/settings/seller`.
///
/// GET answers the profile in force: the stored one (with `ETag: "<version>"`), else the
/// configuration's `seller.*` defaults (`source: "configuration"`, no ETag), with `complete`
/// and `missing` saying whether invoices can be issued. Every role may read it: all of it is
/// printed on each invoice, and storefronts show the seller's details as e-commerce rules ask.
/// PUT (admin) replaces the whole profile after checking it (GSTIN, state, pincode; 422 naming
/// each field and its fix, `invalid_gstin` when only the GSTIN is at fault) and honours
/// `If-Match` and a body `version` as catalog PUTs do (412 `version_mismatch`).
enum SettingsRoutes {
    static let writable: Set<String> = ["legal_name", "trade_name", "gstin", "address"]
    static let addressWritable: Set<String> = ["line1", "line2", "city", "state", "pincode"]

    static let tag = "settings"

    static func register(on api: inout API) {
        api.route(.get, "/v1/settings/seller", access: .anyRole, RouteDoc(
            "The seller profile in force", description: "The stored profile (with its ETag), else the configuration's seller.* defaults.",
            responses: CatalogHTTP.getResponses(.ref(Components.sellerProfile))
        ).tagged(tag)) { ctx in
            let configured = ctx.app.orderPolicy.seller
            let profile = try await ctx.app.store.read { db in try SellerProfiles.current(db, configured: configured) }
            return profile.source == .stored ? CatalogHTTP.single(ctx.request, json: profile.json, version: profile.version) : .json(profile.json)
        }

        api.mutation(.put, "/v1/settings/seller", access: .roles([.admin]), RouteDoc(
            "Store the seller profile", description: "Replaces every field after checking the GSTIN (check character, state code), the state and the pincode.",
            request: .json(.ref(Components.sellerProfileInput)),
            responses: [ResponseDoc(200, "Stored, or unchanged", .json(.ref(Components.sellerProfile)), headers: [("ETag", "The new version, quoted.")])],
            errors: [.domain(.invalidGSTIN), .domain(.invalidPincode), .domain(.validationFailed)], ifMatch: true
        ).tagged(tag)) { ctx in
            let ifMatch = try CatalogHTTP.ifMatch(ctx.request)
            let body = ctx.body
            let v = ctx.validator()
            let readOnly: Set<String> = ["complete", "missing", "source", "updated_at"]
            v.allowOnly(JSONObject(body.entries.filter { !readOnly.contains($0.key) }), writable.union(["version"]))
            for field in body.keys where readOnly.contains(field) { v.add(field, "read_only", "Set by Bahi; leave it out of the request.") }
            let bodyVersion = v.integer(body, "version", range: 1...Int64.max)
            var input = SellerProfiles.Input()
            input.legalName = v.string(body, "legal_name", required: true, maxLength: 200) ?? ""
            input.tradeName = v.string(body, "trade_name", maxLength: 200) ?? ""
            input.gstin = v.string(body, "gstin", required: true, maxLength: 20) ?? ""
            if let address = v.object(body, "address", required: true) {
                v.allowOnly(JSONObject(address.entries.filter { $0.key != "state_code" }), addressWritable, at: "address")
                if address["state_code"] != nil { v.add("address.state_code", "read_only", "Set by Bahi from address.state; leave it out.") }
                input.line1 = v.string(address, "line1", at: "address", required: true, maxLength: 200) ?? ""
                input.line2 = v.string(address, "line2", at: "address", maxLength: 200) ?? ""
                input.city = v.string(address, "city", at: "address", required: true, maxLength: 200) ?? ""
                input.state = v.string(address, "state", at: "address", required: true, maxLength: 100) ?? ""
                input.pincode = v.string(address, "pincode", at: "address", required: true, maxLength: 20) ?? ""
            }
            CatalogHTTP.merge(v, SellerProfiles.problems(input))
            if SellerProfiles.isGSTINOnly(v.errors.map { FieldProblem($0.field, $0.code, $0.message) }) {
                throw HTTPError(.unprocessableContent, code: "invalid_gstin", detail: v.errors[0].message, errors: v.errors)
            }
            try v.check()
            let precondition = VersionPrecondition(ifMatch: ifMatch, bodyVersion: bodyVersion)
            let actor = ctx.actor
            let profile = input
            return { db in
                let outcome = try SellerProfiles.put(db, profile, precondition: precondition, actor: actor)
                var response = HTTPResponse.json(outcome.resource.json)
                response.headers.add(name: "ETag", value: CatalogHTTP.etag(outcome.resource.version))
                return response
            }
        }
    }
}
