import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Manifests, handover, RTO receive and the RTO cost over HTTP (both stores): a courier's daily
/// pickup capacity counted per IST day, listed shipments refused by index, a handover that
/// refuses a stranger AWB and names the missing one, stock shipped and returned with the audit
/// clean, an order shipped parcel by parcel, and the costs booking stores.
@Suite struct ManifestTests {
    /// A manual courier on the sample card with a 5 % RTO share (zone E first slab 5660).
    static func courier(capacity: Int? = nil) -> String {
        let card = CourierTests.card().replacingOccurrences(of: #""fuel_surcharge_bps":1250}"#, with: #""fuel_surcharge_bps":1250,"rto":{"percent_bps_of_forward":500}}"#)
        let limit = capacity.map { #","daily_pickup_capacity":\#($0)"# } ?? ""
        return #"{"name":"Hand Express","provider":"manual","mode":"surface","max_weight_g":30000,"cod":true,"rate_card":\#(card)\#(limit)}"#
    }

    /// Puts manual courier `code` serving Surat, Bengaluru and Guwahati.
    static func setUp(_ w: OrderWorld, _ code: String, capacity: Int? = nil) async {
        #expect(await CourierTests.put(w, code, courier(capacity: capacity)).status == .created)
        #expect(await CourierTests.upload(w, code, CourierTests.suratGuwahati + "560001,Y,Y,Y,N,N\n").status == .ok)
    }

    /// Books `shipment` with manual courier `code` under AWB `awb` (at `at`, default now) in the store.
    static func book(_ w: OrderWorld, _ shipment: String, _ code: String, awb: String, at: Int64? = nil) async throws {
        _ = try await w.app.write { db in
            try BookShipmentFlow.book(db, shipmentID: shipment, courier: code, awb: awb, actor: "test", now: at ?? Int64(WallClock.milliseconds()))
        }
    }

    /// A packed, booked parcel of one TEE to Guwahati: its shipment id.
    static func ready(_ w: OrderWorld, _ n: Int, _ code: String, at: Int64? = nil) async throws -> String {
        let shipment = await BookingTests.packed(w, n)
        try await book(w, shipment, code, awb: awb(n), at: at)
        return shipment
    }

    static func awb(_ n: Int) -> String { "HX\(String(format: "%08d", n))" }

    /// Puts a picked-up shipment where the courier's report would: back at the seller (rto_delivered).
    static func returned(_ w: OrderWorld, _ shipment: String) async throws {
        // The courier reports the parcel back at the seller (the statuses between are implied).
        let r = await w.post("/v1/shipments/\(shipment)/tracking", #"{"status":"rto_delivered","at":"2026-12-04T12:00:00+05:30"}"#, key: w.warehouse)
        #expect(r.status == .ok && r.str("shipment_status") == "rto_delivered", "\(r.text)")
    }

    /// (on_hand, reserved, damaged) of `sku` at `location`.
    static func level(_ w: OrderWorld, _ sku: String, at location: String = "SURAT") async throws -> [Int64] {
        try await w.app.store.read { db in
            let l = try StockLedger.level(db, sku: sku, location: location)
            return [l?.onHand ?? 0, l?.reserved ?? 0, l?.damaged ?? 0]
        }
    }

    /// The kinds and deltas (on_hand, reserved, damaged) of the movements referencing `reference`.
    static func movements(_ w: OrderWorld, _ reference: String) async throws -> [String] {
        try await w.app.store.read { db in
            try db.query("SELECT kind, sku, on_hand_delta, reserved_delta, damaged_delta FROM stock_movements WHERE reference = ?1 ORDER BY id", [reference]) { row in
                "\(try row["kind"] as String) \(try row["sku"] as String) \(try row["on_hand_delta"] as Int64)/\(try row["reserved_delta"] as Int64)/\(try row["damaged_delta"] as Int64)"
            }
        }
    }

    static func auditClean(_ w: OrderWorld) async throws {
        let audit = await w.get("/v1/inventory/audit")
        #expect(audit.flag("clean") == true, "\(audit.text)")
        #expect(try await w.violations() == [])
    }

    /// The capacity is the courier's per IST day: a manifest made just before today's IST
    /// midnight does not count, one made at it does, and a request beyond what fits is refused
    /// naming how many do.
    @Test func theDailyPickupCapacityCountsTodaysManifestsInIST() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 20)
            await Self.setUp(w, "hx", capacity: 3)
            let now = Int64(WallClock.milliseconds())
            let today = ReconciliationPeriod.dayEnd(containing: now) - 86_400_000
            let yesterday1 = try await Self.ready(w, 1, "hx", at: today - 10)
            let yesterday2 = try await Self.ready(w, 2, "hx", at: today - 20)
            let todays = try await Self.ready(w, 3, "hx", at: today)
            let a = try await Self.ready(w, 4, "hx"), b = try await Self.ready(w, 5, "hx")
            // One manifest ends yesterday (IST), one begins today.
            _ = try await w.app.write { db in
                try ManifestFlow.create(db, courier: "hx", location: "SURAT", shipmentIDs: [yesterday1], actor: "test", now: today - 1)
            }
            _ = try await w.app.write { db in
                try ManifestFlow.create(db, courier: "hx", location: "SURAT", shipmentIDs: [todays], actor: "test", now: today)
            }
            let full = await w.post("/v1/manifests", #"{"courier":"hx","location":"SURAT"}"#, key: w.warehouse)
            #expect(full.status == .conflict && full.code == "pickup_capacity_full", "\(full.text)")
            #expect(full.num("fits") == 2 && full.num("manifested_today") == 1 && full.num("requested") == 3, "\(full.text)")
            #expect(await w.get("/v1/shipments/\(yesterday2)").document.at("manifest_id") == JSONValue.null)

            let made = await w.post("/v1/manifests", #"{"courier":"hx","location":"SURAT","shipment_ids":["\#(a)","\#(b)"]}"#, key: w.warehouse)
            #expect(made.status == .created, "\(made.text)")
            #expect(made.str("status") == "open" && made.list("parcels").count == 2 && made.str("date") == ReconciliationPeriod.day(now))
            #expect(made.list("parcels").compactMap { $0["awb"]?.text }.sorted() == [Self.awb(4), Self.awb(5)])
            #expect(made.str("parcels.0.order_reference")?.hasPrefix("BOOK-") == true && made.num("parcels.0.weight_g") == 450)
            let none = await w.post("/v1/manifests", #"{"courier":"hx","location":"SURAT","shipment_ids":["\#(yesterday2)"]}"#)
            #expect(none.status == .conflict && none.num("fits") == 0, "\(none.text)")

            let id = made.str("id") ?? ""
            #expect(await w.get("/v1/shipments/\(a)").str("manifest_id") == id)
            let listed = await w.get("/v1/manifests?courier=hx&limit=2", key: w.warehouse)
            #expect(listed.status == .ok && listed.list("data").count == 2 && listed.str("data.0.id") == id, "\(listed.text)")
            let next = await w.get("/v1/manifests?courier=hx&limit=2&after=\(listed.str("next_cursor") ?? "")")
            #expect(next.list("data").count == 1 && next.document.at("next_cursor") == JSONValue.null)
            #expect(await w.get("/v1/manifests?status=handed_over").list("data").isEmpty)
            #expect(await w.get("/v1/manifests?status=shipped").code == "invalid_query")
            #expect(await w.get("/v1/manifests?after=shp_1").code == "invalid_cursor")
            let page = await w.get("/v1/manifests/\(id)?format=html", key: w.warehouse)
            #expect(page.status == .ok && page.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(page.text.contains(Self.awb(4)) && page.text.contains("<svg") && page.text.contains("Hand Express") && page.text.contains("signature"))
        }
    }

    /// Ten manifests of one parcel each at once against a capacity of five: five are made and
    /// five refused, on SQLite's writer and, on PostgreSQL, as truly concurrent transactions
    /// (no group commit, as several nodes would run them).
    @Test func concurrentManifestsNeverExceedTheCapacity() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 20)
            await Self.setUp(w, "hx", capacity: 5)
            let now = Int64(WallClock.milliseconds())
            let today = ReconciliationPeriod.dayEnd(containing: now) - 86_400_000
            var shipments: [String] = []
            // Booking counts the same capacity per day: half booked yesterday.
            for n in 1...10 { shipments.append(try await Self.ready(w, n, "hx", at: n <= 5 ? today - Int64(n) : nil)) }
            var store: any DataStore = w.app.store
            var own: PostgresStore?
            let url = w.app.configuration.database.url
            if !url.isEmpty {
                own = try await PostgresStore(configuration: .init(conninfo: try PostgresURL(url).conninfo, poolSize: 8, groupCommit: false))
                store = own ?? store
            }
            let chosen = store
            let outcomes = await withTaskGroup(of: DomainError.Code?.self) { group in
                for shipment in shipments {
                    group.addTask {
                        do {
                            _ = try await chosen.write { db in
                                try ManifestFlow.create(db, courier: "hx", location: "SURAT", shipmentIDs: [shipment], actor: "test", now: Int64(WallClock.milliseconds()))
                            }
                            return nil
                        } catch let error as DomainError {
                            return error.code
                        } catch {
                            return .corruptRow
                        }
                    }
                }
                return await group.reduce(into: [DomainError.Code?]()) { $0.append($1) }
            }
            await own?.close()
            #expect(outcomes.filter { $0 == nil }.count == 5 && outcomes.filter { $0 == .pickupCapacityFull }.count == 5, "\(outcomes)")
            let manifested = try await w.app.store.read { db in
                try db.queryValue("SELECT COUNT(*) FROM shipments WHERE manifest_id IS NOT NULL", as: Int64.self)
            }
            #expect(manifested == 5)
        }
    }

    @Test func listedShipmentsAreRefusedByIndexAndNothingEligibleIsNamed() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 20)
            try await w.stock("TEE", 5, at: "BLR")
            await Self.setUp(w, "hx")
            await Self.setUp(w, "other")
            let nothing = await w.post("/v1/manifests", #"{"courier":"hx","location":"SURAT"}"#)
            #expect(nothing.status == .unprocessableContent && nothing.code == "nothing_to_manifest", "\(nothing.text)")
            let packed = await BookingTests.packed(w, 1)
            let others = try await Self.ready(w, 2, "other")
            let mine = try await Self.ready(w, 3, "hx"), onOne = try await Self.ready(w, 4, "hx")
            #expect(await w.post("/v1/manifests", #"{"courier":"hx","location":"SURAT","shipment_ids":["\#(onOne)"]}"#).status == .created)
            let unknown = EntityID.make(.shipment)
            let refused = await w.post("/v1/manifests", #"{"courier":"hx","location":"BLR","shipment_ids":["\#(packed)","\#(others)","\#(onOne)","\#(unknown)","\#(mine)","\#(mine)"]}"#)
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(refused.fieldErrors["shipment_ids[0]"] == "not_ready" && refused.fieldErrors["shipment_ids[1]"] == "other_courier")
            #expect(refused.fieldErrors["shipment_ids[2]"] == "already_manifested" || refused.fieldErrors["shipment_ids[2]"] == "other_location")
            #expect(refused.fieldErrors["shipment_ids[3]"] == "not_found" && refused.fieldErrors["shipment_ids[4]"] == "other_location")
            #expect(refused.fieldErrors["shipment_ids[5]"] == "duplicate")
            let twice = await w.post("/v1/manifests", #"{"courier":"hx","location":"SURAT","shipment_ids":["\#(onOne)"]}"#)
            #expect(twice.fieldErrors["shipment_ids[0]"] == "already_manifested", "\(twice.text)")
            #expect(await w.post("/v1/manifests", #"{"courier":"nobody","location":"SURAT"}"#).fieldErrors["courier"] == "unknown_courier")
            #expect(await w.get("/v1/shipments/\(mine)").document.at("manifest_id") == JSONValue.null)
            // Everything eligible: only the one left.
            let rest = await w.post("/v1/manifests", #"{"courier":"hx","location":"SURAT"}"#)
            #expect(rest.status == .created && rest.list("parcels").count == 1 && rest.str("parcels.0.shipment_id") == mine, "\(rest.text)")
            // Cancelling a manifested booking takes the parcel off its manifest.
            #expect(await w.post("/v1/shipments/\(mine)/cancel-booking").status == .ok)
            let after = await w.get("/v1/manifests/\(rest.str("id") ?? "")")
            #expect(after.list("parcels").isEmpty && after.num("counts.parcels") == 0, "\(after.text)")
            #expect(await w.get("/v1/shipments/\(mine)").document.at("manifest_id") == JSONValue.null)
            #expect(await w.get("/v1/manifests/man_nope").status == .notFound)
        }
    }

    /// A stranger AWB refuses the whole handover; a parcel not scanned is named missing and stays
    /// ready on the manifest until a second handover; stock ships (reserved and on hand both go
    /// down) with the audit clean; a scan repeated changes nothing.
    @Test func aHandoverShipsWhatWasScannedAndNamesWhatWasNot() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            await Self.setUp(w, "hx")
            let first = try await Self.ready(w, 1, "hx"), second = try await Self.ready(w, 2, "hx")
            let made = await w.post("/v1/manifests", #"{"courier":"hx","location":"SURAT"}"#, key: w.warehouse)
            #expect(made.status == .created && made.list("parcels").count == 2, "\(made.text)")
            let id = made.str("id") ?? ""
            #expect(await w.get("/v1/manifests?status=open").list("data").compactMap { $0["id"]?.text } == [id])
            #expect(try await Self.level(w, "TEE") == [10, 2, 0])

            let stranger = await w.post("/v1/manifests/\(id)/handover", #"{"scanned_awbs":["\#(Self.awb(1))","NOTOURS0001"]}"#, key: w.warehouse)
            #expect(stranger.status == .unprocessableContent && stranger.fieldErrors["scanned_awbs[1]"] == "not_on_manifest", "\(stranger.text)")
            #expect(await w.get("/v1/shipments/\(first)").str("status") == "ready")
            #expect(try await Self.level(w, "TEE") == [10, 2, 0])

            let partly = await w.post("/v1/manifests/\(id)/handover", #"{"scanned_awbs":["\#(Self.awb(1))"]}"#, key: w.warehouse)
            #expect(partly.status == .ok, "\(partly.text)")
            #expect(partly.list("picked_up").compactMap(\.text) == [Self.awb(1)] && partly.list("missing").compactMap(\.text) == [Self.awb(2)])
            #expect(partly.str("manifest.status") == "partially_handed_over")
            // The list's status filter derives the same status.
            #expect(await w.get("/v1/manifests?status=partially_handed_over").list("data").compactMap { $0["id"]?.text } == [id])
            #expect(await w.get("/v1/manifests?status=open").list("data").isEmpty)
            #expect(await w.get("/v1/manifests?status=handed_over").list("data").isEmpty)
            #expect(await w.get("/v1/shipments/\(first)").str("status") == "picked_up")
            #expect(await w.get("/v1/shipments/\(second)").str("status") == "ready")
            #expect(try await Self.level(w, "TEE") == [9, 1, 0])
            #expect(try await Self.movements(w, first) == ["ship TEE -1/-1/0"])
            try await Self.auditClean(w)
            // A manifest handed over in part can no longer lose a parcel to cancellation of a
            // picked-up one, but the ready one may still be cancelled off it.
            #expect(await w.post("/v1/shipments/\(first)/cancel-booking").code == "invalid_transition")

            let rest = await w.post("/v1/manifests/\(id)/handover", #"{"scanned_awbs":["\#(Self.awb(1))","\#(Self.awb(2))"]}"#, key: w.warehouse)
            #expect(rest.status == .ok, "\(rest.text)")
            #expect(rest.list("picked_up").compactMap(\.text) == [Self.awb(2)] && rest.list("already_picked_up").compactMap(\.text) == [Self.awb(1)])
            #expect(rest.list("missing").isEmpty && rest.str("manifest.status") == "handed_over")
            #expect(try await Self.level(w, "TEE") == [8, 0, 0])
            #expect(try await Self.movements(w, first) == ["ship TEE -1/-1/0"])
            #expect(await w.get("/v1/manifests?status=handed_over").list("data").count == 1)
            let orderID = await w.get("/v1/shipments/\(first)").str("order_id") ?? ""
            #expect(try await w.eventTypes(orderID).contains("shipment.picked_up"))
            #expect(await w.order(orderID).str("fulfilment_status") == "shipped")
            try await Self.auditClean(w)
        }
    }

    @Test func anOrderOfTwoParcelsIsPartlyThenWhollyShipped() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 1)
            try await w.stock("TEE", 1, at: "BLR")
            await Self.setUp(w, "hx")
            let guwahati = #"{"name":"Bina Das","line1":"House 4, Zoo Road","landmark":"Near Zoo Tiniali","city":"Guwahati","state":"Assam","pincode":"781001","phone":"9435012345"}"#
            let placed = await w.place(orderJSON("TWO-1", lines: [("TEE", 2, 49_900, 0)], address: guwahati, phone: "9435099999"))
            #expect(placed.status == .created, "\(placed.text)")
            let orderID = placed.str("id") ?? ""
            if placed.str("status") == "on_hold" { _ = await w.post("/v1/orders/\(orderID)/confirm") }
            let shipments = placed.list("shipments").compactMap { $0["id"]?.text }
            #expect(shipments.count == 2)
            var manifests: [String] = []
            for (n, shipment) in shipments.enumerated() {
                #expect(await w.post("/v1/shipments/\(shipment)/pack", packJSON(["TEE"])).status == .ok)
                try await Self.book(w, shipment, "hx", awb: Self.awb(10 + n))
                let location = await w.get("/v1/shipments/\(shipment)").str("location") ?? ""
                let made = await w.post("/v1/manifests", #"{"courier":"hx","location":"\#(location)"}"#)
                #expect(made.status == .created, "\(made.text)")
                manifests.append(made.str("id") ?? "")
            }
            #expect(await w.order(orderID).str("fulfilment_status") == "unfulfilled")
            #expect(await w.post("/v1/manifests/\(manifests[0])/handover", #"{"scanned_awbs":["\#(Self.awb(10))"]}"#).status == .ok)
            #expect(await w.order(orderID).str("fulfilment_status") == "partially_shipped")
            #expect(await w.post("/v1/manifests/\(manifests[1])/handover", #"{"scanned_awbs":["\#(Self.awb(11))"]}"#).status == .ok)
            #expect(await w.order(orderID).str("fulfilment_status") == "shipped")
            #expect(await w.historyActions(orderID).filter { $0 == "shipped" }.count == 2)
            try await Self.auditClean(w)
        }
    }

    /// A returned parcel of 3 TEE and 2 MUG: 2 TEE good and 1 damaged, 1 MUG good and 1 missing.
    /// Only good units are back on hand; the damaged one is counted damaged; the audit stays
    /// clean; refusals write nothing; a second receipt is refused.
    @Test func anRTOReceiptRestocksGoodUnitsOnly() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            try await w.stock("MUG", 10)
            await Self.setUp(w, "hx")
            let guwahati = #"{"name":"Bina Das","line1":"House 4, Zoo Road","landmark":"Near Zoo Tiniali","city":"Guwahati","state":"Assam","pincode":"781001","phone":"9435012345"}"#
            let placed = await w.place(orderJSON("RTO-1", lines: [("TEE", 3, 49_900, 0), ("MUG", 2, 29_900, 0)], address: guwahati, phone: "9435088888"))
            #expect(placed.status == .created, "\(placed.text)")
            if placed.str("status") == "on_hold" { _ = await w.post("/v1/orders/\(placed.str("id") ?? "")/confirm") }
            let shipment = placed.str("shipments.0.id") ?? ""
            #expect(await w.post("/v1/shipments/\(shipment)/pack", packJSON(["TEE", "TEE", "TEE", "MUG", "MUG"])).status == .ok)
            try await Self.book(w, shipment, "hx", awb: Self.awb(1))
            let made = await w.post("/v1/manifests", #"{"courier":"hx","location":"SURAT"}"#)
            #expect(await w.post("/v1/manifests/\(made.str("id") ?? "")/handover", #"{"scanned_awbs":["\#(Self.awb(1))"]}"#).status == .ok)
            #expect(try await Self.level(w, "TEE") == [7, 0, 0])
            #expect(try await Self.level(w, "MUG") == [8, 0, 0])
            let early = await w.post("/v1/shipments/\(shipment)/rto-receive", #"{"lines":[{"sku":"TEE","qty":3,"condition":"good"},{"sku":"MUG","qty":2,"condition":"good"}]}"#)
            #expect(early.status == .conflict && early.code == "invalid_transition", "\(early.text)")
            try await Self.returned(w, shipment)

            let wrongSKU = await w.post("/v1/shipments/\(shipment)/rto-receive",
                                        #"{"lines":[{"sku":"TEE","qty":3,"condition":"good"},{"sku":"SERUM","qty":1,"condition":"good"},{"sku":"MUG","qty":2,"condition":"good"}]}"#)
            #expect(wrongSKU.status == .unprocessableContent && wrongSKU.fieldErrors["lines[1].sku"] == "not_in_shipment", "\(wrongSKU.text)")
            let wrongQty = await w.post("/v1/shipments/\(shipment)/rto-receive",
                                        #"{"lines":[{"sku":"TEE","qty":2,"condition":"good"},{"sku":"MUG","qty":2,"condition":"good"}]}"#, key: w.warehouse)
            #expect(wrongQty.status == .unprocessableContent && wrongQty.fieldErrors["lines[0].qty"] == "qty_mismatch", "\(wrongQty.text)")
            let badCondition = await w.post("/v1/shipments/\(shipment)/rto-receive", #"{"lines":[{"sku":"TEE","qty":3,"condition":"lost"}]}"#)
            #expect(badCondition.fieldErrors["lines[0].condition"] == "invalid", "\(badCondition.text)")
            #expect(try await Self.level(w, "TEE") == [7, 0, 0])
            #expect(try await Self.movements(w, shipment).count == 2)

            let body = #"{"lines":[{"sku":"TEE","qty":2,"condition":"good"},{"sku":"MUG","qty":1,"condition":"missing"},{"sku":"TEE","qty":1,"condition":"damaged"},{"sku":"MUG","qty":1,"condition":"good"}]}"#
            let received = await w.post("/v1/shipments/\(shipment)/rto-receive", body, key: w.warehouse)
            #expect(received.status == .ok, "\(received.text)")
            #expect(received.num("rto_receipt.good") == 3 && received.num("rto_receipt.damaged") == 1 && received.str("rto_receipt.missing.0.sku") == "MUG")
            #expect(received.list("rto_receipt.lines").count == 4 && received.str("rto_receipt.received_at") != nil)
            #expect(try await Self.level(w, "TEE") == [9, 0, 1])
            #expect(try await Self.level(w, "MUG") == [9, 0, 0])
            #expect(try await Self.movements(w, shipment) == ["ship TEE -3/-3/0", "ship MUG -2/-2/0", "restock_rto MUG 1/0/0", "restock_rto TEE 2/0/0", "damage TEE 0/0/1"])
            try await Self.auditClean(w)
            let again = await w.post("/v1/shipments/\(shipment)/rto-receive", body)
            #expect(again.status == .conflict && again.code == "rto_already_received", "\(again.text)")
            #expect(try await Self.level(w, "TEE") == [9, 0, 1])
            #expect(await w.get("/v1/shipments/\(shipment)").num("rto_receipt.good") == 3)
            #expect(try await w.eventTypes(placed.str("id") ?? "").contains("shipment.rto_received"))
        }
    }

    /// Booking stores the forward cost and the RTO charge; the RTO cost shows once the parcel is
    /// RTO. By hand, Surat → Guwahati (zone E), 450 g in a 250 × 200 × 60 mm box: volumetric
    /// 3,000,000 ÷ 5000 = 600 g → 2 slabs of 500 g; freight 5660 + 5550 = 11210; fuel 12.5 % =
    /// 1401.25 → 1401; prepaid, no COD fee; GST 18 % of 12611 = 2269.98 → 2270; total 14881.
    /// RTO 5 % of freight = 560.5 → 561 (half-up). RTO cost 14881 + 561 = 15442.
    @Test func bookingStoresTheForwardAndRTOCosts() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            await Self.setUp(w, "hx")
            let shipment = await BookingTests.packed(w, 1)
            let booked = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"hx","awb":"\#(Self.awb(1))"}"#, key: w.warehouse)
            #expect(booked.status == .ok, "\(booked.text)")
            #expect(booked.num("shipping_cost_paise") == 14881 && booked.num("rto_charge_paise") == 561, "\(booked.text)")
            #expect(booked.document.at("rto_cost_paise") == JSONValue.null)
            let made = await w.post("/v1/manifests", #"{"courier":"hx","location":"SURAT"}"#)
            #expect(await w.post("/v1/manifests/\(made.str("id") ?? "")/handover", #"{"scanned_awbs":["\#(Self.awb(1))"]}"#).status == .ok)
            try await Self.returned(w, shipment)
            let back = await w.get("/v1/shipments/\(shipment)")
            #expect(back.num("rto_cost_paise") == 15442 && back.document.at("rto_receipt") == JSONValue.null, "\(back.text)")
            // The pure rule, on its own: 11210 at 5 % is 560.5, rounded half-up.
            let quote = CourierQuote(zone: .e, volumetricG: 600, chargeableG: 1000, slabs: 2, freightPaise: 11210, fuelPaise: 1401, codFeePaise: 0,
                                     gstPaise: 2270, totalPaise: 14881)
            var card = RateCard(zones: [:])
            card.rtoPercentBpsOfForward = 500
            #expect(quote.rtoChargePaise(card: card) == 561)
            card.rtoPercentBpsOfForward = 10_000
            #expect(quote.rtoChargePaise(card: card) == 11210)
        }
    }
}
