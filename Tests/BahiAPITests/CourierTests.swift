import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON

/// Couriers over HTTP (both stores): PUT with versions and events, field-named validation,
/// serviceability uploads (CSV and Delhivery's JSON) replacing a courier's table, and quotes —
/// for any parcel and for a packed shipment — cheapest first with every courier left out named.
@Suite struct CourierTests {
    /// The sample card of `CourierQuoteTests`, as JSON (fuel 12.5 %, COD ₹36 or 2.5 %, GST 18 %).
    static func card(e: Int = 5660) -> String {
        #"{"zones":{"A":{"first_paise":2950,"additional_paise":2360},"B":{"first_paise":3300,"additional_paise":2830},"C":{"first_paise":4010,"additional_paise":3890},"D":{"first_paise":4540,"additional_paise":4480},"E":{"first_paise":\#(e),"additional_paise":5550}},"cod_fee":{"fixed_paise":3600,"percent_bps":250},"fuel_surcharge_bps":1250}"#
    }

    static func courier(name: String = "Delhivery Surface", cod: Bool = true, active: Bool = true, e: Int = 5660, extra: String = "") -> String {
        #"{"name":"\#(name)","provider":"delhivery","mode":"surface","max_weight_g":30000,"cod":\#(cod),"active":\#(active),"pickup_cutoff":"13:30","rate_card":\#(card(e: e))\#(extra)}"#
    }

    static func put(_ w: OrderWorld, _ code: String, _ body: String, headers: [(String, String)] = []) async -> HTTPResponse {
        await send(w.api, .put, "/v1/couriers/\(code)", key: w.admin, headers: headers, body: body)
    }

    static func upload(_ w: OrderWorld, _ code: String, _ body: String, type: String = "text/csv", key: String? = nil) async -> HTTPResponse {
        await send(w.api, .post, "/v1/couriers/\(code)/serviceability", key: key ?? w.warehouse, headers: [("Content-Type", type)], body: body)
    }

    static func quote(_ w: OrderWorld, _ body: String, key: String? = nil) async -> HTTPResponse {
        await send(w.api, .post, "/v1/quotes", key: key ?? w.web, body: body)
    }

    /// Serves Surat and Guwahati both ways.
    static let suratGuwahati = "pincode,prepaid,cod,pickup,oda,embargo\n395003,Y,Y,Y,N,N\n781001,Y,Y,Y,N,N\n"

    @Test func aCourierIsCreatedReadListedAndChangedUnderItsVersion() async throws {
        try await withOrders { w in
            let created = await Self.put(w, "delhivery-surface", Self.courier(extra: #","zone_e_states":["Kerala","02","kerala"]"#))
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers["ETag"] == "\"1\"")
            #expect(created.num("rate_card.slab_g") == 500)
            #expect(created.num("rate_card.volumetric_divisor") == 5000)
            #expect(created.num("rate_card.gst_bps") == 1800)
            #expect(created.num("rate_card.rto.percent_bps_of_forward") == 10_000)
            #expect(created.num("rate_card.zones.E.first_paise") == 5660)
            #expect(created.list("zone_e_states").compactMap(\.text) == ["Himachal Pradesh", "Kerala"])
            #expect(created.document.at("daily_pickup_capacity") == JSONValue.null)
            #expect(created.num("serviceability.pincodes") == 0)

            // The same body again changes nothing; a new fuel surcharge is version 2, its event naming it.
            let same = await Self.put(w, "delhivery-surface", Self.courier(extra: #","zone_e_states":["Himachal Pradesh","Kerala"]"#))
            #expect(same.status == .ok && same.num("version") == 1)
            let cheaper = await Self.put(w, "delhivery-surface", Self.courier(e: 5000, extra: #","zone_e_states":["Kerala","02"]"#), headers: [("If-Match", "\"1\"")])
            #expect(cheaper.status == .ok && cheaper.num("version") == 2, "\(cheaper.text)")
            let stale = await Self.put(w, "delhivery-surface", Self.courier(), headers: [("If-Match", "\"1\"")])
            #expect(stale.status == .preconditionFailed && stale.code == "version_mismatch")

            let read = await w.get("/v1/couriers/delhivery-surface", key: w.warehouse)
            #expect(read.status == .ok && read.num("rate_card.zones.E.first_paise") == 5000)
            #expect(await w.get("/v1/couriers/nobody").status == .notFound)
            #expect(await w.get("/v1/couriers/delhivery-surface", key: w.web).status == .forbidden)
            #expect(await Self.put(w, "bluedart-air", Self.courier(name: "Blue Dart", active: false)).status == .created)
            let list = await w.get("/v1/couriers?limit=1")
            #expect(list.list("data").compactMap { $0["code"]?.text } == ["bluedart-air"])
            let next = try #require(list.str("next_cursor"))
            #expect(await w.get("/v1/couriers?after=\(next)").list("data").compactMap { $0["code"]?.text } == ["delhivery-surface"])
            #expect(await w.get("/v1/couriers?active=true").list("data").compactMap { $0["code"]?.text } == ["delhivery-surface"])
            #expect(await w.get("/v1/couriers?active=maybe").code == "invalid_query")

            let events = try await w.app.store.read { db in
                try db.query("SELECT type, payload FROM events WHERE entity_type = 'courier' ORDER BY seq", []) { row in
                    "\(try row["type"] as String) \(try row["payload"] as String)"
                }
            }
            #expect(events.count == 3)
            #expect(events[0].hasPrefix("courier.created "))
            #expect(events[1].hasPrefix("courier.updated ") && events[1].contains(#""changes":["rate_card"]"#))
        }
    }

    @Test func aBadCourierIsRefusedNamingEveryField() async throws {
        try await withOrders { w in
            let body = #"{"name":"","provider":"fedex","mode":"sea","max_weight_g":0,"pickup_cutoff":"25:00","daily_pickup_capacity":0,"zone_e_states":["Atlantis"],"rate_card":{"zones":{"A":{"first_paise":-1,"additional_paise":1},"B":{"first_paise":1},"C":{"first_paise":1,"additional_paise":1},"D":{"first_paise":1,"additional_paise":1}},"slab_g":0,"gst_bps":20000,"cod_fee":{"percent_bps":10001}}}"#
            let r = await Self.put(w, "bad", body)
            #expect(r.status == .unprocessableContent, "\(r.text)")
            let fields = Set(r.fieldErrors.keys)
            for field in ["name", "provider", "mode", "max_weight_g", "pickup_cutoff", "daily_pickup_capacity", "zone_e_states[0]",
                          "rate_card.zones.A.first_paise", "rate_card.zones.B.additional_paise", "rate_card.zones.E", "rate_card.slab_g",
                          "rate_card.gst_bps", "rate_card.cod_fee.percent_bps"] {
                #expect(fields.contains(field), "\(field) not named in \(r.text)")
            }
            #expect(await Self.put(w, "bad", #"{"name":"x","provider":"manual","mode":"air","max_weight_g":1,"rate_card":\#(Self.card()),"serviceability":{}}"#).fieldErrors["serviceability"] == "read_only")
            #expect(await w.get("/v1/couriers/bad").status == .notFound)
        }
    }

    @Test func serviceabilityUploadsReplaceTheCouriersTable() async throws {
        try await withOrders { w in
            #expect(await Self.put(w, "dl", Self.courier()).status == .created)
            let first = await Self.upload(w, "dl", "pincode,prepaid,cod,pickup,oda,embargo\n395003,Y,Y,Y,N,N\n781001,Y,N,N,Y,N\n400001,Y,Y,Y,N,maybe\n110001,Y,Y,Y,N,N\n")
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.str("format") == "csv" && first.num("rows") == 4 && first.num("pincodes") == 3 && first.num("error_count") == 1)
            #expect(first.list("errors").compactMap { $0["code"]?.text } == ["invalid_flag"])
            #expect(await w.get("/v1/couriers/dl").num("serviceability.pincodes") == 3)

            // A smaller list replaces it whole; a file that cannot be read leaves it as it was.
            #expect(await Self.upload(w, "dl", Self.suratGuwahati).num("pincodes") == 2)
            let header = await Self.upload(w, "dl", "pincode,prepaid\n395003,Y\n")
            #expect(header.status == .unprocessableContent && header.code == "invalid_header")
            #expect(await Self.upload(w, "dl", "{}", type: "application/xml").status == .unsupportedMediaType)
            #expect(await Self.upload(w, "dl", "{", type: "application/json").code == "invalid_json")
            #expect(await Self.upload(w, "dl", #"{"codes":[]}"#, type: "application/json").status == .unprocessableContent)
            #expect(await Self.upload(w, "nobody", Self.suratGuwahati).status == .notFound)
            #expect(await Self.upload(w, "dl", Self.suratGuwahati, key: w.finance).status == .forbidden)
            let stored = try await w.app.store.read { db in
                try db.query("SELECT pincode, cod FROM courier_pincodes WHERE courier = 'dl' ORDER BY pincode", []) { row in
                    "\(try row["pincode"] as String):\(try row["cod"] as Bool)"
                }
            }
            #expect(stored == ["395003:true", "781001:true"])

            // Delhivery's JSON: an embargoed destination, then an empty list (served nowhere).
            let json = #"{"delivery_codes":[{"postal_code":{"pin":395003,"pre_paid":"Y","cod":"Y","pickup":"Y","is_oda":"N","remarks":""}},{"postal_code":{"pin":781001,"pre_paid":"Y","cod":"Y","pickup":"Y","is_oda":"N","remarks":"Embargo"}}]}"#
            let delhivery = await Self.upload(w, "dl", json, type: "application/json")
            #expect(delhivery.status == .ok && delhivery.str("format") == "delhivery_json" && delhivery.num("pincodes") == 2, "\(delhivery.text)")
            let parcel = #"{"from_pincode":"395003","to_pincode":"781001","weight_g":700,"length_mm":300,"width_mm":250,"height_mm":40}"#
            #expect(await Self.quote(w, parcel).list("excluded").compactMap { $0["reason"]?.text } == ["embargo"])
            #expect(await Self.upload(w, "dl", #"{"delivery_codes":[]}"#, type: "application/json").num("pincodes") == 0)
            #expect(await Self.quote(w, parcel).list("excluded").compactMap { $0["reason"]?.text } == ["not_serviceable"])
            let types = try await w.app.store.read { db in
                try db.query("SELECT type FROM events WHERE type = 'courier.serviceability_replaced'", []) { row in try row["type"] as String }
            }
            #expect(types.count == 4)
        }
    }

    @Test func quotesListEveryCourierCheapestFirstAndNameTheOthers() async throws {
        try await withOrders { w in
            #expect(await Self.put(w, "delhivery", Self.courier()).status == .created)
            #expect(await Self.put(w, "cheap", Self.courier(name: "Cheap", e: 5000)).status == .created)
            #expect(await Self.put(w, "no-cod", Self.courier(name: "Prepaid only", cod: false)).status == .created)
            #expect(await Self.put(w, "off", Self.courier(name: "Off", active: false)).status == .created)
            #expect(await Self.put(w, "nowhere", Self.courier(name: "Nowhere")).status == .created)
            for code in ["delhivery", "cheap", "no-cod", "off"] { #expect(await Self.upload(w, code, Self.suratGuwahati).status == .ok) }

            // The first vector of CourierQuoteTests: ₹193.04 on the sample card.
            let body = #"{"from_pincode":"395003","to_pincode":"781001","weight_g":700,"length_mm":300,"width_mm":250,"height_mm":40,"cod":true,"value_paise":149900}"#
            let r = await Self.quote(w, body)
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.list("quotes").compactMap { $0["courier"]?.text } == ["cheap", "delhivery"])
            #expect(r.num("quotes.1.total_paise") == 19_304)
            #expect(r.num("quotes.1.freight_paise") == 11_210 && r.num("quotes.1.fuel_paise") == 1401 && r.num("quotes.1.cod_fee_paise") == 3748)
            #expect(r.num("quotes.1.gst_paise") == 2945 && r.num("quotes.1.chargeable_g") == 1000 && r.str("quotes.1.zone") == "E")
            #expect(r.num("quotes.1.expected_days") == 7 && r.num("quotes.1.performance.samples") == 0)
            // No history yet: the assumption (90 % delivered, 10 % back, the quote's days).
            #expect(r.document.at("quotes.1.performance.delivered_share")?.encodedText == "0.9000" && r.document.at("quotes.1.performance.mean_transit_days")?.encodedText == "7.0000")
            #expect(r.list("excluded").map { "\($0["courier"]?.text ?? ""):\($0["reason"]?.text ?? "")" }
                    == ["no-cod:cod_not_available", "nowhere:not_serviceable", "off:inactive"])

            // Prepaid: the COD-less courier quotes too.
            let prepaid = await Self.quote(w, body.replacingOccurrences(of: #""cod":true"#, with: #""cod":false"#))
            #expect(prepaid.list("quotes").count == 3)

            let unknown = await Self.quote(w, #"{"from_pincode":"395003","to_pincode":"999999","weight_g":700,"length_mm":1,"width_mm":1,"height_mm":1}"#)
            #expect(unknown.status == .unprocessableContent && unknown.code == "invalid_pincode" && unknown.fieldErrors["to_pincode"] == "invalid_pincode")
            let invalid = await Self.quote(w, #"{"from_pincode":"395003","to_pincode":"781001","weight_g":0,"length_mm":1,"width_mm":1,"height_mm":1,"cod":true}"#)
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.fieldErrors["weight_g"] == "out_of_range" && invalid.fieldErrors["value_paise"] == "required")
        }
    }

    /// Quotes price from the node's cache of couriers (`CourierQuoteCache`), re-checked against
    /// the database's version by every quote: a change made through this node, and one made
    /// through another node's context on the same database (its own cache, none of its writes
    /// passing through this one), is priced by the very next quote — new prices, a courier
    /// switched off, a new courier.
    @Test func quotesSeeACourierChangeMadeOnThisNodeOrAnother() async throws {
        try await withOrders { w in
            let other = BahiContext(configuration: w.app.configuration, store: w.app.store, keyCacheTTL: .zero)
            let otherAPI = BahiApplication.makeAPI(other)
            #expect(await Self.put(w, "delhivery", Self.courier()).status == .created)
            #expect(await Self.upload(w, "delhivery", Self.suratGuwahati).status == .ok)
            let body = #"{"from_pincode":"395003","to_pincode":"781001","weight_g":700,"length_mm":300,"width_mm":250,"height_mm":40,"cod":true,"value_paise":149900}"#
            func quote(_ api: API) async -> HTTPResponse { await send(api, .post, "/v1/quotes", key: w.web, body: body) }
            func offers(_ r: HTTPResponse) -> [String] {
                r.list("quotes").map { "\($0["courier"]?.text ?? ""):\($0["freight_paise"]?.integer ?? -1)" }
            }
            // Both nodes have cached the card (zone E first slab ₹56.60: freight 11,210).
            #expect(offers(await quote(w.api)) == ["delhivery:11210"])
            #expect(offers(await quote(otherAPI)) == ["delhivery:11210"])

            // The other node lowers zone E; this node's next quote has the new freight.
            #expect(await send(otherAPI, .put, "/v1/couriers/delhivery", key: w.admin, body: Self.courier(e: 5000)).status == .ok)
            #expect(offers(await quote(w.api)) == ["delhivery:10550"])

            // This node switches it off; the other node's next quote leaves it out.
            #expect(await Self.put(w, "delhivery", Self.courier(active: false, e: 5000)).status == .ok)
            let off = await quote(otherAPI)
            #expect(offers(off).isEmpty && off.list("excluded").map { $0["reason"]?.text } == ["inactive"])

            // A courier created on the other node is quoted here at once.
            #expect(await send(otherAPI, .put, "/v1/couriers/cheap", key: w.admin, body: Self.courier(name: "Cheap", e: 4000)).status == .created)
            #expect(await send(otherAPI, .post, "/v1/couriers/cheap/serviceability", key: w.warehouse, headers: [("Content-Type", "text/csv")],
                               body: Self.suratGuwahati).status == .ok)
            let both = await quote(w.api)
            #expect(offers(both) == ["cheap:9550"], "\(both.text)")
            #expect(both.list("excluded").map { $0["courier"]?.text } == ["delhivery"])
        }
    }

    @Test func aPackedShipmentIsQuotedFromItsLocationToItsOrder() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10, at: "SURAT")
            #expect(await Self.put(w, "delhivery", Self.courier()).status == .created)
            #expect(await Self.upload(w, "delhivery", Self.suratGuwahati).status == .ok)
            let guwahati = #"{"name":"Bina Das","line1":"House 4, Zoo Road","landmark":"Near Zoo Tiniali","city":"Guwahati","state":"Assam","pincode":"781001","phone":"9435012345"}"#
            let placed = await w.place(orderJSON("COURIER-1", lines: [("TEE", 3, 49_900, 0)], address: guwahati, payment: codPayment, phone: "9435012345"))
            #expect(placed.status == .created, "\(placed.text)")
            let id = placed.str("id") ?? "", shipment = placed.str("shipments.0.id") ?? ""
            if placed.str("status") == "on_hold" { _ = await w.post("/v1/orders/\(id)/confirm") }

            let early = await w.get("/v1/shipments/\(shipment)/quotes", key: w.warehouse)
            #expect(early.status == .conflict && early.code == "shipment_not_packed")
            #expect(await w.post("/v1/shipments/\(shipment)/pack", packJSON(["TEE", "TEE", "TEE"]), key: w.warehouse).status == .ok)

            let r = await w.get("/v1/shipments/\(shipment)/quotes", key: w.warehouse)
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.str("shipment_id") == shipment && r.str("from_pincode") == "395003" && r.str("to_pincode") == "781001")
            // packJSON: 450 g, 250 × 200 × 60 mm = 3,000,000 ÷ 5000 = 600 g volumetric → 2 slabs in zone E;
            // COD on the order's ₹1,497: 149700 × 2.5 % = 3742.5 → 3743 over the fixed 3600.
            #expect(r.num("parcel.weight_g") == 450 && r.num("parcel.value_paise") == 149_700 && r.document.at("parcel.cod") == JSONValue.bool(true))
            #expect(r.num("quotes.0.chargeable_g") == 1000 && r.num("quotes.0.cod_fee_paise") == 3743)
            #expect(await w.get("/v1/shipments/shp_nope/quotes").status == .notFound)
            #expect(await w.get("/v1/shipments/\(shipment)/quotes", key: w.web).status == .forbidden)
        }
    }
}
