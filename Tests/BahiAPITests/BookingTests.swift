import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Booking over HTTP (both stores): a packed shipment booked with the cheapest courier or a
/// named one, the AWB from its provider (typed in, or taken from a pool exactly once even
/// under 64 concurrent bookings), every refusal by its code, the booking cancelled before
/// pickup, and the label.
@Suite struct BookingTests {
    /// A courier of `provider` on the sample card, its zone E first slab `e` (the cheaper
    /// books first for Surat → Guwahati).
    static func courier(_ provider: String, name: String = "Courier", e: Int = 5660, active: Bool = true, extra: String = "") -> String {
        #"{"name":"\#(name)","provider":"\#(provider)","mode":"surface","max_weight_g":30000,"cod":true,"active":\#(active),"rate_card":\#(CourierTests.card(e: e))\#(extra)}"#
    }

    /// Puts courier `code` serving Surat and Guwahati.
    static func setUp(_ w: OrderWorld, _ code: String, _ body: String) async {
        #expect(await CourierTests.put(w, code, body).status == .created)
        #expect(await CourierTests.upload(w, code, CourierTests.suratGuwahati).status == .ok)
    }

    /// A prepaid order of one TEE to Guwahati, packed: its shipment's id.
    static func packed(_ w: OrderWorld, _ n: Int, pack: Bool = true) async -> String {
        let guwahati = #"{"name":"Bina Das","line1":"House 4, Zoo Road","landmark":"Near Zoo Tiniali","city":"Guwahati","state":"Assam","pincode":"781001","phone":"9435012345"}"#
        let placed = await w.place(orderJSON("BOOK-\(n)", lines: [("TEE", 1, 49_900, 0)], address: guwahati, phone: "94350\(10_000 + n)"))
        #expect(placed.status == .created, "\(placed.text)")
        let id = placed.str("id") ?? "", shipment = placed.str("shipments.0.id") ?? ""
        if placed.str("status") == "on_hold" { _ = await w.post("/v1/orders/\(id)/confirm") }
        if pack { #expect(await w.post("/v1/shipments/\(shipment)/pack", packJSON(["TEE"]), key: w.warehouse).status == .ok) }
        return shipment
    }

    /// A waybill-pool courier's AWBs by status, read from the store.
    static func waybills(_ w: OrderWorld, _ status: String) async throws -> [String] {
        try await w.app.store.read { db in
            try db.query("SELECT awb FROM courier_waybills WHERE status = ?1 ORDER BY awb", [status]) { row in try row["awb"] as String }
        }
    }

    @Test func theCheapestCourierIsBookedFromItsPoolAndTheBookingCancelledBeforePickup() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            await Self.setUp(w, "pool", Self.courier("waybill_pool", name: "Pool Express", e: 5000))
            await Self.setUp(w, "byhand", Self.courier("manual", name: "By Hand"))
            let imported = await w.post("/v1/couriers/pool/waybills", #"{"awbs":["POOL00000002","POOL00000001","POOL00000003","POOL00000001"]}"#, key: w.warehouse)
            #expect(imported.status == .ok, "\(imported.text)")
            #expect(imported.num("added") == 3 && imported.num("known") == 1 && imported.num("available") == 3)
            let shipment = await Self.packed(w, 1)

            let booked = await w.post("/v1/shipments/\(shipment)/book", "{}", key: w.warehouse)
            #expect(booked.status == .ok, "\(booked.text)")
            #expect(booked.str("status") == "ready" && booked.str("courier") == "pool" && booked.str("awb") == "POOL00000001")
            #expect(booked.str("booked_at") != nil)
            #expect(await w.get("/v1/shipments/\(shipment)").str("awb") == "POOL00000001")
            let again = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"byhand","awb":"BH12345678"}"#)
            #expect(again.status == .conflict && again.code == "invalid_transition")

            let label = await w.get("/v1/shipments/\(shipment)/label", key: w.warehouse)
            #expect(label.status == .ok, "\(label.text)")
            #expect(label.str("awb") == "POOL00000001" && label.str("courier") == "Pool Express" && label.str("courier_code") == "pool")
            #expect(label.str("ship_to.pincode") == "781001" && label.str("ship_to.state") == "Assam" && label.str("return_to.pincode") == "395003")
            #expect(label.str("return_to.name") == "Kapas" && label.str("payment.line") == "PREPAID" && label.num("package.weight_g") == 450)
            #expect(label.str("weight") == "0.45 kg" && label.str("dimensions") == "25 × 20 × 6 cm")
            #expect(label.str("invoice_number")?.isEmpty == false && label.str("order_reference") == "BOOK-1")
            let page = await w.get("/v1/shipments/\(shipment)/label?format=html", key: w.warehouse)
            #expect(page.status == .ok && page.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(page.text.contains("POOL00000001") && page.text.contains("<svg") && page.text.contains("Bina Das"))
            #expect(await w.get("/v1/shipments/\(shipment)/label?format=pdf").code == "invalid_query")

            let cancelled = await w.post("/v1/shipments/\(shipment)/cancel-booking", key: w.warehouse)
            #expect(cancelled.status == .ok, "\(cancelled.text)")
            #expect(cancelled.str("status") == "packed" && cancelled.document.at("awb") == JSONValue.null && cancelled.document.at("courier") == JSONValue.null)
            #expect(try await Self.waybills(w, "cancelled") == ["POOL00000001"])
            let unbooked = await w.get("/v1/shipments/\(shipment)/label")
            #expect(unbooked.status == .conflict && unbooked.code == "shipment_not_booked")
            #expect(await w.post("/v1/shipments/\(shipment)/cancel-booking").code == "invalid_transition")
            // A cancelled AWB is never issued again: the next booking takes the next one.
            #expect(await w.post("/v1/shipments/\(shipment)/book").str("awb") == "POOL00000002")
            // Packing is not a way back: a ready parcel cannot be packed again.
            #expect(await w.post("/v1/shipments/\(shipment)/pack", packJSON(["TEE"])).code == "invalid_transition")
            let types = try await w.eventTypes(await w.get("/v1/shipments/\(shipment)").str("order_id") ?? "")
            #expect(types.filter { $0.hasPrefix("shipment.b") } == ["shipment.booked", "shipment.booking_cancelled", "shipment.booked"])
            #expect(try await w.violations() == [])
        }
    }

    @Test func theSellersRulesChooseWhenNoCourierIsNamed() async throws {
        try await withOrders(configure: { $0.couriers.rules = ["prepaid&zone=E => courier=pricey", "cod => courier=nobody"] }) { w in
            try await w.stock("TEE", 10)
            await Self.setUp(w, "cheap", Self.courier("waybill_pool", name: "Cheap", e: 5000))
            await Self.setUp(w, "pricey", Self.courier("waybill_pool", name: "Pricey", e: 9000))
            for code in ["cheap", "pricey"] {
                #expect(await w.post("/v1/couriers/\(code)/waybills", #"{"awbs":["\#(code.uppercased())00000001"]}"#, key: w.warehouse).status == .ok)
            }
            let booked = await w.post("/v1/shipments/\(await Self.packed(w, 1))/book", "{}", key: w.warehouse)
            #expect(booked.status == .ok && booked.str("courier") == "pricey", "rule 1, not the cheapest: \(booked.text)")
            // Named, the courier is booked whatever the rules say.
            let named = await w.post("/v1/shipments/\(await Self.packed(w, 2))/book", #"{"courier":"cheap"}"#, key: w.warehouse)
            #expect(named.status == .ok && named.str("courier") == "cheap", "\(named.text)")
        }
    }

    @Test func aManualCourierTakesTheAWBFromTheRequestOnce() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            await Self.setUp(w, "byhand", Self.courier("manual", name: "By Hand"))
            let first = await Self.packed(w, 1), second = await Self.packed(w, 2)
            let missing = await w.post("/v1/shipments/\(first)/book", #"{"courier":"byhand"}"#)
            #expect(missing.status == .unprocessableContent && missing.fieldErrors["awb"] == "required", "\(missing.text)")
            let badShape = await w.post("/v1/shipments/\(first)/book", #"{"courier":"byhand","awb":"BD-12345678"}"#)
            #expect(badShape.status == .unprocessableContent && badShape.fieldErrors["awb"] == "invalid_awb")
            let booked = await w.post("/v1/shipments/\(first)/book", #"{"courier":"byhand","awb":"BD1234567890"}"#, key: w.warehouse)
            #expect(booked.status == .ok && booked.str("awb") == "BD1234567890" && booked.str("courier") == "byhand", "\(booked.text)")
            let reused = await w.post("/v1/shipments/\(second)/book", #"{"courier":"byhand","awb":"BD1234567890"}"#)
            #expect(reused.status == .conflict && reused.code == "awb_in_use")
            #expect(await w.get("/v1/shipments/\(second)").str("status") == "packed")
        }
    }

    @Test func bookingRefusalsNameTheirReason() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            await Self.setUp(w, "pool", Self.courier("waybill_pool", e: 5000))
            await Self.setUp(w, "off", Self.courier("manual", active: false))
            await Self.setUp(w, "api", Self.courier("delhivery", e: 6000))
            let pending = await Self.packed(w, 1, pack: false), shipment = await Self.packed(w, 2)

            let notPacked = await w.post("/v1/shipments/\(pending)/book")
            #expect(notPacked.status == .conflict && notPacked.code == "shipment_not_packed")
            let inactive = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"off","awb":"OFF12345678"}"#)
            #expect(inactive.status == .unprocessableContent && inactive.code == "courier_cannot_carry" && inactive.fieldErrors["courier"] == "inactive")
            let unknown = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"nobody"}"#)
            #expect(unknown.status == .unprocessableContent && unknown.fieldErrors["courier"] == "unknown_courier")
            let empty = await w.post("/v1/shipments/\(shipment)/book")
            #expect(empty.status == .conflict && empty.code == "waybill_pool_empty", "\(empty.text)")
            let api = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"api"}"#)
            #expect(api.status == .conflict && api.code == "courier_not_configured" && api.fieldErrors["pickup_location"] == "required", "\(api.text)")
            let awbForPool = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"pool","awb":"POOL12345678"}"#)
            #expect(awbForPool.fieldErrors["awb"] == "not_allowed")
            #expect(await w.get("/v1/shipments/\(shipment)").str("status") == "packed")

            #expect(await w.post("/v1/couriers/off/waybills", #"{"awbs":["AWB12345678"]}"#).code == "wrong_provider")
            let bad = await w.post("/v1/couriers/pool/waybills", #"{"awbs":["AWB12345678","short","AWB 1234567"]}"#)
            #expect(bad.status == .unprocessableContent && bad.fieldErrors["awbs[1]"] != nil && bad.fieldErrors["awbs[2]"] == "invalid_awb", "\(bad.text)")
            #expect(await w.post("/v1/couriers/nobody/waybills", #"{"awbs":["AWB12345678"]}"#).status == .notFound)
            #expect(try await Self.waybills(w, "available") == [])
        }
    }

    @Test func cancellingABookedOrderGivesUpItsAWB() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            await Self.setUp(w, "pool", Self.courier("waybill_pool"))
            #expect(await w.post("/v1/couriers/pool/waybills", #"{"awbs":["POOL00000001","POOL00000002"]}"#).status == .ok)
            let shipment = await Self.packed(w, 1)
            let booked = await w.post("/v1/shipments/\(shipment)/book")
            #expect(booked.str("awb") == "POOL00000001", "\(booked.text)")
            let cancel = await w.post("/v1/orders/\(booked.str("order_id") ?? "")/cancel", #"{"reason":"customer"}"#)
            #expect(cancel.status == .ok, "\(cancel.text)")
            let after = await w.get("/v1/shipments/\(shipment)")
            #expect(after.str("status") == "cancelled" && after.str("awb") == "POOL00000001")
            #expect(try await Self.waybills(w, "cancelled") == ["POOL00000001"])
            #expect(try await Self.waybills(w, "available") == ["POOL00000002"])
            #expect(try await w.violations() == [])
        }
    }

    /// A courier's daily pickup capacity counts the parcels booked with it today: once full it
    /// is left out (`pickup_capacity_full`) and the next cheapest is booked; a cancelled booking
    /// frees its place.
    @Test func aFullDailyPickupCapacityLeavesTheCourierOut() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            await Self.setUp(w, "small", Self.courier("manual", e: 5000, extra: #","daily_pickup_capacity":1"#))
            await Self.setUp(w, "big", Self.courier("manual", e: 6000))
            let first = await Self.packed(w, 1), second = await Self.packed(w, 2)
            #expect(await w.post("/v1/shipments/\(first)/book", #"{"awb":"SMALL0000001"}"#).str("courier") == "small")
            let quotes = await w.get("/v1/shipments/\(second)/quotes")
            #expect(quotes.list("excluded").contains { $0["courier"]?.text == "small" && $0["reason"]?.text == "pickup_capacity_full" }, "\(quotes.text)")
            let named = await w.post("/v1/shipments/\(second)/book", #"{"courier":"small","awb":"SMALL0000002"}"#)
            #expect(named.code == "courier_cannot_carry" && named.fieldErrors["courier"] == "pickup_capacity_full")
            #expect(await w.post("/v1/shipments/\(second)/book", #"{"awb":"BIG000000001"}"#).str("courier") == "big")
            #expect(await w.post("/v1/shipments/\(first)/cancel-booking").status == .ok)
            let third = await Self.packed(w, 3)
            #expect(await w.post("/v1/shipments/\(third)/book", #"{"awb":"SMALL0000003"}"#).str("courier") == "small")
        }
    }

    /// The issue's proof: 64 bookings at once on a pool of 50 AWBs. 50 are booked, 14 answer
    /// 409 waybill_pool_empty, and no AWB is issued twice.
    @Test func sixtyFourConcurrentBookingsShareFiftyAWBs() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 100)
            await Self.setUp(w, "pool", Self.courier("waybill_pool"))
            let awbs = (1...50).map { "RACE\(String(format: "%08d", $0))" }
            let imported = await w.post("/v1/couriers/pool/waybills", #"{"awbs":[\#(awbs.map { "\"\($0)\"" }.joined(separator: ","))]}"#)
            #expect(imported.num("available") == 50, "\(imported.text)")
            var shipments: [String] = []
            for n in 0..<64 { shipments.append(await Self.packed(w, n)) }
            let requests = shipments.map { LiveRequest(target: "/v1/shipments/\($0)/book", key: w.warehouse, body: "{}") }
            let results = try await w.serving { port in try await live(port: port, clients: 64, requests) }
            #expect(results.filter { $0.status == 200 }.count == 50)
            #expect(results.filter { $0.status == 409 && $0.body.contains(#""code":"waybill_pool_empty""#) }.count == 14)
            let issued = try await w.app.store.read { db in
                try db.query("SELECT awb FROM shipments WHERE awb IS NOT NULL", StatementArguments([])) { row in try row["awb"] as String }
            }
            #expect(issued.count == 50 && Set(issued).count == 50 && Set(issued) == Set(awbs))
            #expect(try await Self.waybills(w, "issued").count == 50)
            #expect(try await Self.waybills(w, "available").isEmpty)
            #expect(try await w.violations() == [])
        }
    }
}
