import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// The seller profile (`GET`/`PUT /v1/settings/seller`), packing's refusal while it is
/// incomplete, and the printed invoice's Rule 46 particulars.
@Suite struct SellerProfileTests {
    /// A profile for the made-up Surat LLP of the order tests, as a PUT body.
    static func profileJSON(gstin: String = "24AAKFK1234K1ZF", state: String = "Gujarat", pincode: String = "395003", extra: String = "") -> String {
        #"{"legal_name":"Kapas Textiles LLP","trade_name":"Kapas","gstin":"\#(gstin)","address":{"line1":"Plot 7, Kapas Bazaar","line2":"Ring Road","city":"Surat","state":"\#(state)","pincode":"\#(pincode)"}\#(extra)}"#
    }

    func put(_ w: OrderWorld, _ body: String, key: String? = nil, headers: [(String, String)] = []) async -> HTTPResponse {
        await send(w.api, .put, "/v1/settings/seller", key: key ?? w.admin, headers: headers, body: body)
    }

    /// No seller configured at all: the order tests' world with an empty seller section.
    func withoutSeller<T>(_ body: (OrderWorld) async throws -> T) async throws -> T {
        try await withOrders(configure: { $0.seller = BahiConfiguration().seller }, body)
    }

    @Test func defaultsComeFromTheConfigurationUntilAProfileIsStored() async throws {
        try await withOrders { w in
            let support = try await w.app.keys.create(name: "support", role: .support, channel: nil, actor: "t").secret
            let configured = await w.get("/v1/settings/seller", key: support)
            #expect(configured.status == .ok, "\(configured.text)")
            #expect(configured.str("source") == "configuration")
            #expect(configured.str("gstin") == "24AAKFK1234K1ZF")
            #expect(configured.str("address.state") == "Gujarat")
            #expect(configured.str("address.state_code") == "24")
            #expect(configured.flag("complete") == true)
            #expect(configured.document.at("version") == .null)
            #expect(configured.headers["etag"] == nil)
            // Every role may read it (it is printed on every invoice); only admin may change it.
            for key in [w.web, w.finance, w.warehouse] { #expect(await w.get("/v1/settings/seller", key: key).status == .ok) }
            for key in [w.web, w.finance, w.warehouse, support] { #expect(await put(w, Self.profileJSON(), key: key).status == .forbidden) }
        }
        try await withoutSeller { w in
            let empty = await w.get("/v1/settings/seller")
            #expect(empty.flag("complete") == false)
            #expect(empty.list("missing").compactMap(\.text) == ["legal_name", "gstin", "address.line1", "address.city", "address.state", "address.pincode"])
        }
    }

    @Test func aStoredProfileRoundTripsWithVersionsAndAnEvent() async throws {
        try await withoutSeller { w in
            let created = await put(w, Self.profileJSON(gstin: " 24aakfk1234k1zf "))
            #expect(created.status == .ok, "\(created.text)")
            #expect(created.headers["etag"] == #""1""#)
            #expect(created.str("gstin") == "24AAKFK1234K1ZF")  // trimmed and upper-cased
            #expect(created.str("source") == "stored")
            #expect(created.num("version") == 1)

            let read = await w.get("/v1/settings/seller", key: w.warehouse)
            #expect(read.headers["etag"] == #""1""#)
            #expect(read.str("legal_name") == "Kapas Textiles LLP")
            #expect(read.str("trade_name") == "Kapas")
            #expect(read.str("address.line1") == "Plot 7, Kapas Bazaar")
            #expect(read.str("address.line2") == "Ring Road")
            #expect(read.str("address.city") == "Surat")
            #expect(read.str("address.state") == "Gujarat")
            #expect(read.str("address.pincode") == "395003")
            #expect(read.flag("complete") == true)
            #expect(read.list("missing").isEmpty)
            #expect(await send(w.api, .get, "/v1/settings/seller", key: w.admin, headers: [("If-None-Match", #""1""#)]).status == .notModified)

            // The same profile again changes nothing; a change bumps the version.
            #expect(await put(w, Self.profileJSON()).num("version") == 1)
            let moved = await put(w, Self.profileJSON(extra: #","version":1"#).replacingOccurrences(of: "Plot 7", with: "Plot 9"), headers: [("If-Match", #""1""#)])
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(moved.num("version") == 2)
            #expect(moved.str("address.line1") == "Plot 9, Kapas Bazaar")
            let stale = await put(w, Self.profileJSON(), headers: [("If-Match", #""1""#)])
            #expect(stale.status.code == 412)
            #expect(stale.code == "version_mismatch")

            let events = try await w.app.store.read { db in
                try db.query("SELECT type, payload FROM events WHERE entity_type = 'settings' ORDER BY seq", []) { row in
                    (try row["type"] as String, try row["payload"] as String)
                }
            }
            #expect(events.map(\.0) == ["settings.seller_updated", "settings.seller_updated"])
            #expect(events.last?.1.contains(#""changes":["address.line1"]"#) == true)
        }
    }

    @Test func anInvalidProfileIs422NamingEachFieldAndTheFix() async throws {
        try await withoutSeller { w in
            // Reliance Industries' published GSTIN (Maharashtra) with its check character changed.
            let wrongCheck = await put(w, Self.profileJSON(gstin: "27AAACR5055K1Z8", state: "Maharashtra", pincode: "400021"))
            #expect(wrongCheck.status.code == 422)
            #expect(wrongCheck.headers["content-type"] == "application/problem+json")
            #expect(wrongCheck.code == "invalid_gstin")
            #expect(wrongCheck.fieldErrors == ["gstin": "invalid_gstin"])
            #expect(wrongCheck.list("errors").first?["message"]?.text?.contains("check character") == true)

            // The real one, but the address is in Gujarat: the state code must be the address's.
            let mismatch = await put(w, Self.profileJSON(gstin: "27AAACR5055K1Z7"))
            #expect(mismatch.status.code == 422)
            #expect(mismatch.code == "invalid_gstin")
            #expect(mismatch.fieldErrors == ["gstin": "state_mismatch"])
            #expect(mismatch.list("errors").first?["message"]?.text?.contains("registered in Maharashtra (state code 27), but the address is in Gujarat (24)") == true)

            // With its Maharashtra address it is accepted.
            #expect(await put(w, Self.profileJSON(gstin: "27AAACR5055K1Z7", state: "Maharashtra", pincode: "400021")).status == .ok)

            // Several problems at once, each on its field.
            let many = await put(w, #"{"legal_name":"","gstin":"24ABC","address":{"line1":"Plot 7","city":"Surat","state":"Atlantis","pincode":"560001","zip":"x"},"source":"stored"}"#)
            #expect(many.status.code == 422)
            #expect(many.code == "validation_failed")
            #expect(many.fieldErrors == ["legal_name": "required", "gstin": "invalid_gstin", "address.state": "invalid_state", "address.zip": "unknown_field",
                                         "source": "read_only"])
            let pincode = await put(w, Self.profileJSON(pincode: "560001"))
            #expect(pincode.fieldErrors == ["address.pincode": "state_mismatch"])
            #expect(await put(w, Self.profileJSON(pincode: "999999")).fieldErrors == ["address.pincode": "invalid_pincode"])
            #expect(await put(w, #"{"legal_name":"X"}"#).fieldErrors == ["gstin": "required", "address": "required"])
            #expect(await put(w, #"{"legal_name":"X","gstin":24,"address":{}}"#).status.code == 400)
        }
    }

    @Test func packingRefusesAnInvoiceWithoutACompleteProfileAndChangesNothing() async throws {
        try await withoutSeller { w in
            try await w.stock("TEE", 5)
            let order = await w.place(orderJSON("NOSELLER-1", lines: [("TEE", 2, 49900, 0)]))
            #expect(order.status == .created, "\(order.text)")
            let shipment = order.str("shipments.0.id") ?? ""
            let before = try await w.app.store.read { db in
                try db.queryValue("SELECT on_hand || '/' || reserved FROM stock_levels WHERE sku = 'TEE' AND location = 'SURAT'", as: String.self)
            }

            let refused = await w.post("/v1/shipments/\(shipment)/pack", packJSON(["TEE", "TEE"]), key: w.warehouse)
            #expect(refused.status == .conflict, "\(refused.text)")
            #expect(refused.code == "seller_profile_incomplete")
            #expect(refused.headers["content-type"] == "application/problem+json")
            #expect(refused.list("missing").compactMap(\.text) == ["legal_name", "gstin", "address.line1", "address.city", "address.state", "address.pincode"])
            #expect(refused.fieldErrors["seller.gstin"] == "required")
            #expect(refused.str("detail")?.contains("PUT /v1/settings/seller") == true)

            // Nothing moved: the parcel, the order, the stock, the invoice series.
            #expect(await w.get("/v1/shipments/\(shipment)", key: w.warehouse).str("status") == "pending")
            #expect(await w.order(order.str("id") ?? "").str("status") == "confirmed")
            #expect(try await w.app.store.read { db in
                try db.queryValue("SELECT on_hand || '/' || reserved FROM stock_levels WHERE sku = 'TEE' AND location = 'SURAT'", as: String.self)
            } == before)
            #expect(try await w.app.store.read { db in try db.queryValue("SELECT COUNT(*) FROM invoices", as: Int64.self) } == 0)
            #expect(try await w.app.store.read { db in try db.queryValue("SELECT COUNT(*) FROM invoice_series", as: Int64.self) } == 0)

            // Once the profile is stored, the same pack goes through with invoice 1.
            #expect(await put(w, Self.profileJSON()).status == .ok)
            let packed = await w.post("/v1/shipments/\(shipment)/pack", packJSON(["TEE", "TEE"]), key: w.warehouse)
            #expect(packed.status == .ok, "\(packed.text)")
            #expect(packed.str("invoice.number")?.hasSuffix("/00001") == true)

            // An issued invoice keeps the supplier as it was: a later change of address is not reprinted.
            #expect(await put(w, Self.profileJSON().replacingOccurrences(of: "Plot 7", with: "Plot 9")).num("version") == 2)
            let invoice = await w.get("/v1/invoices/\(packed.str("invoice.id") ?? "")", key: w.finance)
            #expect(invoice.str("seller.address") == "Plot 7, Kapas Bazaar, Ring Road, Surat, Gujarat 395003")
            #expect(invoice.str("seller.trade_name") == "Kapas")
        }
    }

    @Test func theStoredProfilesStateDecidesTheTaxOfNewOrders() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 5)
            #expect(await w.place(orderJSON("GJ-1")).str("supply") == "intra_state")
            // Re-registered in Karnataka (Tata Motors' published GSTIN is Maharashtra's; this
            // one is made up with a valid check character): a Surat buyer is now inter-state.
            let gstin = "29AAKFK1234K1Z" + String(GSTIN.checkCharacter("29AAKFK1234K1Z") ?? "?")
            #expect(await put(w, Self.profileJSON(gstin: gstin, state: "Karnataka", pincode: "560001")).status == .ok)
            #expect(await w.place(orderJSON("KA-1")).str("supply") == "inter_state")
        }
    }

    @Test func thePrintedInvoiceCarriesEveryRule46Particular() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 5)
            try await w.stock("MUG", 5)
            // Billed to one address, delivered to another (in Karnataka: inter-state, IGST).
            let billing = #"{"name":"Meera Shah","line1":"12 Lake View","city":"Surat","state":"Gujarat","pincode":"395003"}"#
            let order = await w.place(orderJSON("R46-1", lines: [("TEE", 2, 49900, 5000), ("MUG", 1, 34900, 0)], address: bengaluruAddress,
                                                shippingPaise: 4900, extra: #","billing_address":\#(billing)"#))
            #expect(order.status == .created, "\(order.text)")
            let shipment = order.list("shipments").first?["id"]?.text ?? ""
            let packed = await w.post("/v1/shipments/\(shipment)/pack", packJSON(["TEE", "TEE", "MUG"]), key: w.warehouse)
            #expect(packed.status == .ok, "\(packed.text)")
            let id = packed.str("invoice.id") ?? ""
            let document = await w.get("/v1/invoices/\(id)", key: w.finance)
            let total = document.num("totals.total_paise") ?? 0
            #expect(total == 2 * 49900 - 5000 + 34900 + 4900)
            #expect(document.str("totals.total_in_words") == AmountInWords.rupees(total))
            let page = await w.get("/v1/invoices/\(id)?format=html", key: w.finance).text
            let number = packed.str("invoice.number") ?? "?"
            let particulars: [(String, String)] = [
                ("title", "Tax Invoice"),
                ("supplier name", "Kapas Textiles LLP"), ("trade name", "Trading as Kapas"),
                ("supplier address", "Plot 7, Kapas Bazaar, Ring Road, Surat, Gujarat 395003"), ("supplier GSTIN", "GSTIN <b>24AAKFK1234K1ZF</b>"),
                ("supplier state", "State Gujarat (state code 24)"),
                ("serial number", "Invoice No. <b>\(number)</b>"), ("date", "Date <b>\(Self.istDate())</b>"),
                ("recipient name", "Meera Shah"), ("recipient address", "12 Lake View, Surat, 395003<br>Gujarat (state code 24)"),
                ("recipient unregistered", "GSTIN: Unregistered"),
                ("delivery address", "Ship to (place of delivery)"), ("delivery name", "Ravi Rao"),
                ("delivery state", "Karnataka (state code 29)"),
                ("HSN", "<td>6109</td>"), ("SAC of shipping", "<td>996812</td>"),
                ("description", "Cotton Tee"), ("quantity and unit", "2 NOS"),
                ("value", "₹998.00"), ("discount", "₹50.00"), ("taxable value", "Taxable value"),
                ("IGST head", "<th class=\"num\">IGST rate</th><th class=\"num\">IGST</th>"), ("IGST rate", "<td class=\"num\">5%</td>"),
                ("IGST rate 12", "<td class=\"num\">12%</td>"),
                ("place of supply", "Place of supply: <b>Karnataka (state code 29)</b>"),
                ("reverse charge", "Tax payable on reverse charge: <b>No</b>"),
                ("total", PrintableHTML.rupees(total)), ("total in words", AmountInWords.rupees(total)),
                ("signature", "Authorised signatory"), ("copy", "Original for Recipient"),
            ]
            for (what, text) in particulars { #expect(page.contains(text), "\(what): \(text)") }
            #expect(!page.contains("CGST"))
        }
        // Within the state: CGST and SGST each with half the rate; no delivery block when the
        // goods go to the recipient's own address.
        try await withOrders { w in
            try await w.stock("TEE", 5)
            let order = await w.place(orderJSON("R46-2", lines: [("TEE", 1, 49900, 0)]))
            let packed = await w.post("/v1/shipments/\(order.str("shipments.0.id") ?? "")/pack", packJSON(["TEE"]), key: w.warehouse)
            let page = await w.get("/v1/invoices/\(packed.str("invoice.id") ?? "")?format=html", key: w.finance).text
            for text in ["<th class=\"num\">CGST rate</th><th class=\"num\">CGST</th><th class=\"num\">SGST rate</th><th class=\"num\">SGST</th>",
                         "<td class=\"num\">2.5%</td>", "Place of supply: <b>Gujarat (state code 24)</b>", "Four Hundred Ninety-Nine Rupees Only"] {
                #expect(page.contains(text), "\(text)")
            }
            #expect(!page.contains("Ship to"))
            #expect(!page.contains("IGST"))
        }
    }

    /// Today in India, as the invoice prints it (DD-MM-YYYY).
    static func istDate() -> String {
        let (y, m, d) = Timestamps.civil(days: Timestamps.floorDivide(Int64(WallClock.milliseconds()) + 19_800_000, 86_400_000))
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(d))-\(two(m))-\(y)"
    }
}
