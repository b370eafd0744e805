import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// An API over a fresh store with one key per role.
struct CatalogFixture {
    let app: BahiContext
    let api: API
    let admin: String
    let warehouse: String
    let support: String
    let storefront: String

    init(_ app: BahiContext) async throws {
        self.app = app
        api = BahiApplication.makeAPI(app)
        admin = try await app.keys.create(name: "a", role: .admin, channel: nil, actor: "t").secret
        warehouse = try await app.keys.create(name: "w", role: .warehouse, channel: nil, actor: "t").secret
        support = try await app.keys.create(name: "s", role: .support, channel: nil, actor: "t").secret
        storefront = try await app.keys.create(name: "f", role: .storefront, channel: "web", actor: "t").secret
    }

    func put(_ path: String, _ body: String, key: String? = nil, headers: [(String, String)] = []) async -> HTTPResponse {
        await send(api, .put, path, key: key ?? admin, headers: headers, body: body)
    }

    func get(_ path: String, key: String? = nil, headers: [(String, String)] = []) async -> HTTPResponse {
        await send(api, .get, path, key: key ?? support, headers: headers)
    }

    /// Events of one type, oldest first.
    func events(_ type: String) async throws -> [Event] {
        try await app.numberPendingEvents()  // PostgreSQL numbers events after commit
        return try await app.store.read { db in try EventLog.list(db, after: 0, type: type, limit: 500) }
    }

    /// Creates a plain SKU (asserting 201).
    func sku(_ code: String, name: String? = nil, active: Bool = true) async {
        let r = await put("/v1/skus/\(code)", #"{"name":"\#(name ?? code)","mrp_paise":10000,"price_paise":9000,"active":\#(active)}"#)
        #expect(r.status == .created, "\(code): \(r.text)")
    }
}

extension HTTPResponse {
    /// Field names in a problem's `errors`.
    var errorFields: [String] {
        guard case .array(let items)? = json?["errors"] else { return [] }
        return items.compactMap { if case .object(let o) = $0, case .string(let f)? = o["field"] { f } else { nil } }
    }

    /// `field → code` from a problem's `errors`.
    var errorCodes: [String: String] {
        guard case .array(let items)? = json?["errors"] else { return [:] }
        var out: [String: String] = [:]
        for case .object(let o) in items {
            if case .string(let f)? = o["field"], case .string(let c)? = o["code"] { out[f] = c }
        }
        return out
    }

    func intField(_ key: String) -> Int64? {
        if case .number(let n)? = json?[key] { return n.int64 }
        return nil
    }

    func stringField(_ key: String) -> String? {
        if case .string(let s)? = json?[key] { return s }
        return nil
    }

    /// The `data` array of a list, as objects.
    var dataItems: [JSONObject] {
        guard case .array(let a)? = json?["data"] else { return [] }
        return a.compactMap { if case .object(let o) = $0 { o } else { nil } }
    }
}

private extension JSONObject {
    func stringField(_ key: String) -> String? {
        if case .string(let s)? = self[key] { return s }
        return nil
    }
}

@Suite struct CatalogTests {
    // MARK: SKUs

    @Test func skuCreateGetUpdateAndVersionRules() async throws {
        try await withApp { app, _ in
            let f = try await CatalogFixture(app)
            let created = await f.put("/v1/skus/KURTA-RED-M", #"{"name":"  Red kurta M ","mrp_paise":149900,"price_paise":99900,"hsn":"62114210","gst_rate_bps":500,"returnable":false,"weight_g":350}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers["etag"] == #""1""#)
            #expect(created.headers["location"] == "/v1/skus/KURTA-RED-M")
            #expect(created.stringField("name") == "Red kurta M")
            #expect(created.intField("version") == 1)
            #expect(created.json?["returnable"] == .bool(false))
            #expect(created.intField("return_window_days") == 7)
            #expect(created.json?["is_kit"] == .bool(false))
            #expect(created.json?["components"] == .array([]))
            #expect(created.stringField("created_at")?.hasSuffix("Z") == true)

            let got = await f.get("/v1/skus/KURTA-RED-M")
            #expect(got.status == .ok)
            #expect(got.headers["etag"] == #""1""#)
            #expect(got.body == created.body)
            #expect(await f.get("/v1/skus/KURTA-RED-M", headers: [("If-None-Match", #""1""#)]).status == .notModified)
            #expect(await f.get("/v1/skus/NOPE").status == .notFound)

            // The same description again: 200, no new version, no event.
            let same = await f.put("/v1/skus/KURTA-RED-M", #"{"name":"Red kurta M","mrp_paise":149900,"price_paise":99900,"hsn":"62114210","gst_rate_bps":500,"returnable":false,"weight_g":350}"#)
            #expect(same.status == .ok)
            #expect(same.intField("version") == 1)
            #expect(same.headers["etag"] == #""1""#)

            // PUT replaces: returnable and weight_g are omitted, so they take their defaults.
            let updated = await f.put("/v1/skus/KURTA-RED-M", #"{"name":"Red kurta M","mrp_paise":149900,"price_paise":89900,"hsn":"62114210","gst_rate_bps":500}"#)
            #expect(updated.status == .ok)
            #expect(updated.intField("version") == 2)
            #expect(updated.headers["etag"] == #""2""#)
            #expect(updated.json?["returnable"] == .bool(true))
            #expect(updated.intField("weight_g") == 0)
            #expect(updated.stringField("created_at") == created.stringField("created_at"))

            let createdEvents = try await f.events("sku.created")
            let updatedEvents = try await f.events("sku.updated")
            #expect(createdEvents.count == 1)
            #expect(updatedEvents.count == 1)
            #expect(createdEvents.first?.entityID == "KURTA-RED-M")
            guard case .object(let payload)? = updatedEvents.first?.payload else { Issue.record("payload"); return }
            #expect(payload["changes"] == .array([.string("price_paise"), .string("weight_g"), .string("returnable")]))
            #expect(payload["version"] == .number(JSONNumber(2)))
            #expect(updatedEvents.first?.actor?.hasPrefix("key_") == true)
        }
    }

    @Test func staleVersionsAre412AndChangeNothing() async throws {
        try await withApp { app, _ in
            let f = try await CatalogFixture(app)
            await f.sku("TEE")
            let v2 = await f.put("/v1/skus/TEE", #"{"name":"Tee","mrp_paise":10000,"price_paise":9000}"#, headers: [("If-Match", #""1""#)])
            #expect(v2.status == .ok)
            #expect(v2.intField("version") == 2)

            // A writer that read version 1 loses, whether it says so in If-Match or in the body.
            let stale = await f.put("/v1/skus/TEE", #"{"name":"Stale","mrp_paise":10000,"price_paise":9000}"#, headers: [("If-Match", #""1""#)])
            #expect(stale.status.code == 412)
            #expect(stale.code == "version_mismatch")
            #expect(stale.intField("current_version") == 2)
            let staleBody = await f.put("/v1/skus/TEE", #"{"name":"Stale","mrp_paise":10000,"price_paise":9000,"version":1}"#)
            #expect(staleBody.status.code == 412)
            #expect(staleBody.errorFields == ["version"])
            // Both given: both must hold.
            #expect(await f.put("/v1/skus/TEE", #"{"name":"Stale","mrp_paise":10000,"price_paise":9000,"version":1}"#, headers: [("If-Match", #""2""#)]).status.code == 412)
            // Weak tags never match under strong comparison; a list matches if any element does.
            #expect(await f.put("/v1/skus/TEE", #"{"name":"Stale","mrp_paise":10000,"price_paise":9000}"#, headers: [("If-Match", #"W/"2""#)]).status.code == 412)
            let got = await f.get("/v1/skus/TEE")
            #expect(got.stringField("name") == "Tee")
            #expect(got.intField("version") == 2)
            #expect(try await f.events("sku.updated").count == 1)

            let listed = await f.put("/v1/skus/TEE", #"{"name":"Tee 2","mrp_paise":10000,"price_paise":9000,"version":2}"#, headers: [("If-Match", #""1", "2""#)])
            #expect(listed.status == .ok)
            #expect(listed.intField("version") == 3)
            #expect(await f.put("/v1/skus/TEE", #"{"name":"Tee 3","mrp_paise":10000,"price_paise":9000}"#, headers: [("If-Match", "*")]).intField("version") == 4)

            // If-Match (or version) on a SKU that does not exist: 412, and it is not created.
            for (headers, body) in [([("If-Match", #""1""#)], #"{"name":"X","mrp_paise":1,"price_paise":1}"#),
                                    ([("If-Match", "*")], #"{"name":"X","mrp_paise":1,"price_paise":1}"#),
                                    ([], #"{"name":"X","mrp_paise":1,"price_paise":1,"version":1}"#)] {
                let r = await f.put("/v1/skus/GHOST", body, headers: headers)
                #expect(r.status.code == 412, "\(headers) \(r.text)")
            }
            #expect(await f.get("/v1/skus/GHOST").status == .notFound)

            let malformed = await f.put("/v1/skus/TEE", #"{"name":"Tee","mrp_paise":10000,"price_paise":9000}"#, headers: [("If-Match", "4")])
            #expect(malformed.status.code == 400)
            #expect(malformed.errorFields == ["If-Match"])
        }
    }

    @Test func concurrentConditionalPutsHaveOneWinner() async throws {
        try await withApp { app, _ in
            let f = try await CatalogFixture(app)
            await f.sku("TEE")
            let statuses = await withTaskGroup(of: Int.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        await f.put("/v1/skus/TEE", #"{"name":"Writer \#(i)","mrp_paise":10000,"price_paise":9000}"#, headers: [("If-Match", #""1""#)]).status.code
                    }
                }
                return await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1)
            #expect(statuses.filter { $0 == 412 }.count == 19)
            #expect(await f.get("/v1/skus/TEE").intField("version") == 2)
            #expect(try await f.events("sku.updated").count == 1)
        }
    }

    @Test func everySKUValidationErrorNamesItsField() async throws {
        try await withApp { app, _ in
            let f = try await CatalogFixture(app)
            let bad = await f.put("/v1/skus/TEE", """
                {"name":"Tee","mrp_paise":10000,"price_paise":12000,"gst_rate_bps":1500,"hsn":"12345","return_window_days":400,
                 "weight_g":-1,"reorder_qty":-5,"is_kit":false,"sku":"OTHER","colour":"red","components":[{"sku":"TEE","qty":0}]}
                """)
            #expect(bad.status.code == 422)
            #expect(bad.code == "validation_failed")
            let codes = bad.errorCodes
            #expect(codes["price_paise"] == "exceeds_mrp")
            #expect(codes["gst_rate_bps"] == "invalid")
            #expect(codes["hsn"] == "invalid")
            #expect(codes["return_window_days"] == "out_of_range")
            #expect(codes["weight_g"] == "out_of_range")
            #expect(codes["reorder_qty"] == "out_of_range")
            #expect(codes["is_kit"] == "read_only")
            #expect(codes["sku"] == "mismatch")
            #expect(codes["colour"] == "unknown_field")
            #expect(codes["components[0].sku"] == "self_reference")
            #expect(codes["components[0].qty"] == "out_of_range")

            let missing = await f.put("/v1/skus/TEE", #"{"name":"   "}"#)
            #expect(missing.status.code == 422)
            #expect(Set(missing.errorFields) == ["name", "mrp_paise", "price_paise"])
            #expect(Set(missing.errorCodes.values) == ["required"])

            // Money is integer paise: a fraction or a string is a type error (400).
            let fraction = await f.put("/v1/skus/TEE", #"{"name":"Tee","mrp_paise":100.5,"price_paise":"90"}"#)
            #expect(fraction.status.code == 400)
            #expect(Set(fraction.errorFields) == ["mrp_paise", "price_paise"])
            let nameWithNewline = await f.put("/v1/skus/TEE", #"{"name":"Tee\nshirt","mrp_paise":1,"price_paise":1}"#)
            #expect(nameWithNewline.errorCodes == ["name": "invalid"])

            let badCode = await f.put("/v1/skus/bad%20code", #"{"name":"Tee","mrp_paise":1,"price_paise":1}"#)
            #expect(badCode.status.code == 422)
            #expect(badCode.errorCodes == ["sku": "invalid_code"])
            let tooLong = await f.put("/v1/skus/\(String(repeating: "A", count: 65))", #"{"name":"Tee","mrp_paise":1,"price_paise":1}"#)
            #expect(tooLong.errorCodes == ["sku": "invalid_code"])

            // Every GST slab and the HSN lengths are accepted; price may equal MRP.
            for (i, rate) in GSTRate.slabs.enumerated() {
                let hsn = ["", "1234", "123456", "12345678"][i % 4]
                let r = await f.put("/v1/skus/G\(rate)", #"{"name":"G","mrp_paise":500,"price_paise":500,"gst_rate_bps":\#(rate),"hsn":"\#(hsn)"}"#)
                #expect(r.status == .created, "\(rate): \(r.text)")
            }
            #expect(await f.get("/v1/skus/TEE").status == .notFound)
            #expect(try await f.events("sku.created").count == GSTRate.slabs.count)
        }
    }

    @Test func kitsAreMadeOfExistingStockedSKUs() async throws {
        try await withApp { app, _ in
            let f = try await CatalogFixture(app)
            await f.sku("SOAP")
            await f.sku("TOWEL")
            let kit = await f.put("/v1/skus/GIFT-BOX", #"{"name":"Gift box","mrp_paise":50000,"price_paise":45000,"components":[{"sku":"TOWEL","qty":1},{"sku":"SOAP","qty":3}]}"#)
            #expect(kit.status == .created, "\(kit.text)")
            #expect(kit.json?["is_kit"] == .bool(true))
            #expect(kit.json?["components"] == .array([.object(["sku": .string("SOAP"), "qty": .number(JSONNumber(3))]),
                                                       .object(["sku": .string("TOWEL"), "qty": .number(JSONNumber(1))])]))
            // The same components in another order change nothing.
            let reordered = await f.put("/v1/skus/GIFT-BOX", #"{"name":"Gift box","mrp_paise":50000,"price_paise":45000,"components":[{"sku":"SOAP","qty":3},{"sku":"TOWEL","qty":1}]}"#)
            #expect(reordered.intField("version") == 1)
            let components = try await app.store.read { db in try Availability.components(db, kit: "GIFT-BOX") }
            #expect(components.map(\.sku) == ["SOAP", "TOWEL"])

            let missing = await f.put("/v1/skus/BOX2", #"{"name":"Box","mrp_paise":1,"price_paise":1,"components":[{"sku":"SOAP","qty":1},{"sku":"NOPE","qty":1}]}"#)
            #expect(missing.status.code == 422)
            #expect(missing.code == "invalid_kit")
            #expect(missing.errorCodes == ["components[1].sku": "not_found"])
            let nested = await f.put("/v1/skus/BOX2", #"{"name":"Box","mrp_paise":1,"price_paise":1,"components":[{"sku":"GIFT-BOX","qty":1}]}"#)
            #expect(nested.code == "invalid_kit")
            #expect(nested.errorCodes == ["components[0].sku": "nested_kit"])
            let selfRef = await f.put("/v1/skus/BOX2", #"{"name":"Box","mrp_paise":1,"price_paise":1,"components":[{"sku":"BOX2","qty":1}]}"#)
            #expect(selfRef.status.code == 422)
            #expect(selfRef.errorCodes == ["components[0].sku": "self_reference"])
            let duplicate = await f.put("/v1/skus/BOX2", #"{"name":"Box","mrp_paise":1,"price_paise":1,"components":[{"sku":"SOAP","qty":1},{"sku":"SOAP","qty":2}]}"#)
            #expect(duplicate.errorCodes == ["components[1].sku": "duplicate"])
            let malformed = await f.put("/v1/skus/BOX2", #"{"name":"Box","mrp_paise":1,"price_paise":1,"components":["SOAP",{"sku":"SOAP"}]}"#)
            #expect(malformed.status.code == 400)
            #expect(Set(malformed.errorFields) == ["components[0]", "components[1].qty"])
            #expect(await f.get("/v1/skus/BOX2").status == .notFound)

            // A component cannot become a kit.
            let soapKit = await f.put("/v1/skus/SOAP", #"{"name":"Soap","mrp_paise":1,"price_paise":1,"components":[{"sku":"TOWEL","qty":1}]}"#)
            #expect(soapKit.code == "invalid_kit")
            #expect(soapKit.errorCodes["components"] == "nested_kit")

            // A SKU holding stock cannot become a kit; without stock it can, and back.
            await f.sku("MUG")
            _ = await f.put("/v1/locations/WH1", #"{"name":"Main","pincode":"560001"}"#)
            try await app.store.write { db in
                try db.execute("INSERT INTO stock_levels (sku, location, on_hand, updated_at) VALUES ('MUG', 'WH1', 5, 0)", [])
            }
            let stocked = await f.put("/v1/skus/MUG", #"{"name":"Mug","mrp_paise":1,"price_paise":1,"components":[{"sku":"SOAP","qty":1}]}"#)
            #expect(stocked.status.code == 409)
            #expect(stocked.code == "sku_has_stock")
            #expect(await f.put("/v1/skus/GIFT-BOX", #"{"name":"Gift box","mrp_paise":50000,"price_paise":45000}"#).json?["is_kit"] == .bool(false))
            #expect(try await app.store.read { db in try Availability.components(db, kit: "GIFT-BOX") }.isEmpty)
            let back = await f.put("/v1/skus/GIFT-BOX", #"{"name":"Gift box","mrp_paise":50000,"price_paise":45000,"components":[{"sku":"SOAP","qty":2}]}"#)
            #expect(back.intField("version") == 3)
            #expect(back.json?["is_kit"] == .bool(true))
        }
    }

    @Test func skuListPagesAndFilters() async throws {
        try await withApp { app, _ in
            let f = try await CatalogFixture(app)
            for code in ["TS-RED-S", "TS-RED-M", "TS-BLU-M", "MUG-01", "CAP-01"] { await f.sku(code, name: "Cotton \(code)") }
            await f.sku("KURTA-01", name: "Silk Kurta")
            await f.sku("OLD-01", name: "Retired mug", active: false)

            var codes: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let r = await f.get("/v1/skus?limit=3" + (cursor.map { "&after=\($0)" } ?? ""))
                #expect(r.status == .ok, "\(r.text)")
                codes += r.dataItems.compactMap { $0.stringField("sku") }
                cursor = r.stringField("next_cursor")
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(codes == ["CAP-01", "KURTA-01", "MUG-01", "OLD-01", "TS-BLU-M", "TS-RED-M", "TS-RED-S"])
            #expect(await f.get("/v1/skus").json?["next_cursor"] == .null)

            func list(_ query: String) async -> [String] { await f.get("/v1/skus?\(query)").dataItems.compactMap { $0.stringField("sku") } }
            #expect(await list("q=ts-red") == ["TS-RED-M", "TS-RED-S"])          // code prefix, any case
            #expect(await list("q=MUG") == ["MUG-01", "OLD-01"])                 // prefix or name substring
            #expect(await list("q=silk") == ["KURTA-01"])
            #expect(await list("q=100%25") == [])                                // LIKE wildcards are literal
            #expect(await list("q=_") == [])
            #expect(await list("active=false") == ["OLD-01"])
            #expect(await list("active=true&q=mug") == ["MUG-01"])
            #expect(await list("limit=2&q=ts").count == 2)

            let bad = await f.get("/v1/skus?limit=501&active=yes&after=%21%21&sort=name")
            #expect(bad.status.code == 400)
            #expect(bad.code == "invalid_cursor")  // the cursor's code wins: a pager restarts on it
            #expect(Set(bad.errorFields) == ["limit", "active", "after", "sort"])
            #expect(await f.get("/v1/skus?limit=0").status.code == 400)
        }
    }

    // MARK: Locations

    @Test func locationsDeriveStateAndDistrictFromThePincode() async throws {
        try await withApp { app, _ in
            let f = try await CatalogFixture(app)
            let created = await f.put("/v1/locations/BLR-1", #"{"name":"Bengaluru DC","pincode":"560001","address":"12 MG Road\nBengaluru","priority":10}"#, key: f.warehouse)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.stringField("state") == "KARNATAKA")
            #expect(created.stringField("district") == "BENGALURU URBAN")
            #expect(created.intField("priority") == 10)
            #expect(created.json?["active"] == .bool(true))
            #expect(created.headers["etag"] == #""1""#)

            let moved = await f.put("/v1/locations/BLR-1", #"{"name":"Delhi DC","pincode":"110001","version":1}"#)
            #expect(moved.status == .ok)
            #expect(moved.stringField("state") == "DELHI")
            #expect(moved.stringField("district") == "NEW DELHI")
            #expect(moved.intField("priority") == 100)
            #expect(moved.stringField("address") == "")
            #expect(moved.intField("version") == 2)

            let unknown = await f.put("/v1/locations/BLR-1", #"{"name":"Nowhere","pincode":"999999"}"#)
            #expect(unknown.status.code == 422)
            #expect(unknown.code == "invalid_pincode")
            #expect(unknown.errorCodes == ["pincode": "invalid_pincode"])
            let malformed = await f.put("/v1/locations/X", #"{"name":"","pincode":"05600","state":"GOA","priority":-1}"#)
            #expect(malformed.code == "validation_failed")
            #expect(malformed.errorCodes == ["pincode": "invalid_pincode", "name": "required", "state": "read_only", "priority": "out_of_range"])
            let numeric = await f.put("/v1/locations/X", #"{"name":"X","pincode":560001}"#)
            #expect(numeric.status.code == 400)
            #expect(await f.get("/v1/locations/BLR-1").stringField("state") == "DELHI")
            #expect(await f.get("/v1/locations/X").status == .notFound)

            _ = await f.put("/v1/locations/MUM-1", #"{"name":"Mumbai","pincode":"400001","active":false}"#)
            _ = await f.put("/v1/locations/CHN-1", #"{"name":"Chennai","pincode":"600001"}"#)
            let page = await f.get("/v1/locations?limit=2")
            #expect(page.dataItems.compactMap { $0.stringField("code") } == ["BLR-1", "CHN-1"])
            guard let next = page.stringField("next_cursor") else { Issue.record("no cursor"); return }
            #expect(await f.get("/v1/locations?limit=2&after=\(next)").dataItems.compactMap { $0.stringField("code") } == ["MUM-1"])
            #expect(await f.get("/v1/locations?active=false").dataItems.compactMap { $0.stringField("code") } == ["MUM-1"])
            #expect(try await f.events("location.created").count == 3)
            #expect(try await f.events("location.updated").count == 1)
        }
    }

    // MARK: Channels

    @Test func channelsAndTheirBuffers() async throws {
        try await withApp { app, _ in
            let f = try await CatalogFixture(app)
            await f.sku("TEE")
            await f.sku("MUG")
            let created = await f.put("/v1/channels/amazon", #"{"name":"Amazon.in","kind":"marketplace","buffer":{"percent_bps":1000,"units":2}}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json?["buffer"] == .object(["percent_bps": .number(JSONNumber(1000)), "units": .number(JSONNumber(2))]))
            _ = await f.put("/v1/channels/web", #"{"name":"Website","kind":"website"}"#)
            #expect(await f.get("/v1/channels/web").json?["buffer"] == .object(["percent_bps": .number(JSONNumber(0)), "units": .number(JSONNumber(0))]))

            let bad = await f.put("/v1/channels/shop", #"{"name":"Shop","kind":"mall","buffer":{"percent_bps":12000,"units":-1,"pct":1}}"#)
            #expect(bad.status.code == 422)
            #expect(bad.errorCodes == ["kind": "invalid", "buffer.percent_bps": "out_of_range", "buffer.units": "out_of_range", "buffer.pct": "unknown_field"])
            #expect(await f.put("/v1/channels/shop", #"{"name":"Shop"}"#).errorCodes == ["kind": "required"])

            // Per-SKU buffers replace the global one for that SKU.
            let own = await f.put("/v1/channels/amazon/buffers/TEE", #"{"units":5}"#)
            #expect(own.status == .created, "\(own.text)")
            #expect(own.json == ["channel": .string("amazon"), "sku": .string("TEE"), "percent_bps": .number(JSONNumber(0)), "units": .number(JSONNumber(5))])
            #expect(await f.put("/v1/channels/amazon/buffers/TEE", #"{"units":5}"#).status == .ok)
            #expect(await f.put("/v1/channels/amazon/buffers/TEE", #"{"units":4,"percent_bps":500}"#).intField("units") == 4)
            let (tee, mug) = try await app.store.read { db in
                (try Availability.buffer(db, channel: "amazon", sku: "TEE"), try Availability.buffer(db, channel: "amazon", sku: "MUG"))
            }
            #expect(tee?.bps == 500 && tee?.units == 4)
            #expect(mug?.bps == 1000 && mug?.units == 2)
            #expect(await f.get("/v1/channels/amazon/buffers/TEE").intField("units") == 4)
            #expect(await f.get("/v1/channels/amazon/buffers").dataItems.compactMap { $0.stringField("sku") } == ["TEE"])
            #expect(await f.get("/v1/channels/nope/buffers").status == .notFound)

            #expect(await f.put("/v1/channels/amazon/buffers/NOPE", #"{"units":1}"#).status == .notFound)
            #expect(await f.put("/v1/channels/nope/buffers/TEE", #"{"units":1}"#).status == .notFound)
            #expect(await f.put("/v1/channels/amazon/buffers/TEE", #"{"units":1}"#, headers: [("If-Match", #""1""#)]).status.code == 412)
            #expect(await f.put("/v1/channels/amazon/buffers/MUG", #"{"units":1}"#, headers: [("If-Match", "*")]).status.code == 412)
            #expect(await f.put("/v1/channels/amazon/buffers/TEE", #"{"units":1.5}"#).status.code == 400)
            #expect(await f.put("/v1/channels/amazon/buffers/TEE", #"{"units":1,"percent_bps":10001}"#).errorCodes == ["percent_bps": "out_of_range"])
            #expect(await send(f.api, .delete, "/v1/channels/amazon/buffers/TEE", key: f.support).status == .forbidden)

            #expect(await send(f.api, .delete, "/v1/channels/amazon/buffers/TEE", key: f.admin).status == .noContent)
            #expect(await send(f.api, .delete, "/v1/channels/amazon/buffers/TEE", key: f.admin).status == .notFound)
            #expect(await f.get("/v1/channels/amazon/buffers/TEE").status == .notFound)
            let after = try await app.store.read { db in try Availability.buffer(db, channel: "amazon", sku: "TEE") }
            #expect(after?.bps == 1000 && after?.units == 2)

            let updates = try await f.events("channel.buffer_updated")
            #expect(updates.count == 2)
            #expect(updates.first?.entityID == "amazon")
            #expect(try await f.events("channel.buffer_deleted").count == 1)

            // The global buffer is part of the channel; changing it bumps the version.
            let changed = await f.put("/v1/channels/amazon", #"{"name":"Amazon.in","kind":"marketplace","buffer":{"percent_bps":1500}}"#, headers: [("If-Match", #""1""#)])
            #expect(changed.intField("version") == 2)
            #expect(changed.json?["buffer"] == .object(["percent_bps": .number(JSONNumber(1500)), "units": .number(JSONNumber(0))]))
            #expect(await f.get("/v1/channels?kind=marketplace").dataItems.compactMap { $0.stringField("code") } == ["amazon"])
            #expect(await f.get("/v1/channels").dataItems.count == 2)
            #expect(await f.get("/v1/channels?kind=shop").status.code == 400)
            #expect(try await f.events("channel.created").count == 2)
            #expect(try await f.events("channel.updated").count == 1)
        }
    }

    // MARK: Roles

    @Test func rolesDecideWhoMayWrite() async throws {
        try await withApp { app, _ in
            let f = try await CatalogFixture(app)
            let sku = #"{"name":"Tee","mrp_paise":100,"price_paise":100}"#
            #expect(await f.put("/v1/skus/TEE", sku, key: f.support).status == .forbidden)
            #expect(await f.put("/v1/skus/TEE", sku, key: f.warehouse).status == .forbidden)
            #expect(await f.put("/v1/skus/TEE", sku, key: f.storefront).status == .forbidden)
            #expect(await send(f.api, .put, "/v1/skus/TEE", body: sku).status == .unauthorized)
            #expect(await f.put("/v1/channels/web", #"{"name":"Web","kind":"website"}"#, key: f.warehouse).status == .forbidden)
            #expect(await f.put("/v1/locations/WH", #"{"name":"WH","pincode":"560001"}"#, key: f.support).status == .forbidden)
            #expect(await f.get("/v1/skus/TEE").status == .notFound)

            #expect(await f.put("/v1/skus/TEE", sku).status == .created)
            #expect(await f.put("/v1/channels/web", #"{"name":"Web","kind":"website"}"#).status == .created)
            #expect(await f.put("/v1/locations/WH", #"{"name":"WH","pincode":"560001"}"#, key: f.warehouse).status == .created)
            for key in [f.support, f.storefront, f.warehouse, f.admin] {
                for path in ["/v1/skus/TEE", "/v1/skus", "/v1/channels/web", "/v1/channels", "/v1/locations/WH", "/v1/locations"] {
                    #expect(await f.get(path, key: key).status == .ok, "\(path)")
                }
            }
            #expect(await f.get("/v1/skus", key: "bahi_nope").status == .unauthorized)
        }
    }
}
