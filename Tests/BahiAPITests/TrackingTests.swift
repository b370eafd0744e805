import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore
import BahiTestSupport

/// Tracking over HTTP (both stores): the couriers' pushes in their published formats, checked
/// by their shared tokens; a person's reports; every scan kept once; the shipment only
/// forward; delivery's consequences (COD collected, the order delivered and completed, the
/// courier's performance learned); failed attempts, the seller's answers, and RTO by policy.
@Suite struct TrackingTests {
    static let token = "sr-token-7f3a"
    static let delhiveryToken = "dl-token-91c2"

    static func configure(_ config: inout BahiConfiguration) {
        config.secrets.shiprocketWebhookToken = "old-token," + token
        config.secrets.delhiveryWebhookToken = delhiveryToken
    }

    /// A COD (or prepaid) order of one TEE to Guwahati, packed and booked with manual courier
    /// `byhand` under `awb`: its shipment and order ids.
    static func booked(_ w: OrderWorld, _ n: Int, awb: String, cod: Bool = true) async -> (shipment: String, order: String) {
        let guwahati = #"{"name":"Bina Das","line1":"House 4, Zoo Road","landmark":"Near Zoo Tiniali","city":"Guwahati","state":"Assam","pincode":"781001","phone":"9435012345"}"#
        let placed = await w.place(orderJSON("TRK-\(n)", lines: [("TEE", 1, 49_900, 0)], address: guwahati, payment: cod ? codPayment : #"{"method":"prepaid","gateway":"razorpay","gateway_order_id":"order_X","status":"paid"}"#,
                                             phone: "94350\(20_000 + n)"))
        #expect(placed.status == .created, "\(placed.text)")
        let id = placed.str("id") ?? "", shipment = placed.str("shipments.0.id") ?? ""
        if placed.str("status") == "on_hold" { #expect(await w.post("/v1/orders/\(id)/confirm", #"{"note":"verified"}"#).status == .ok) }
        #expect(await w.post("/v1/shipments/\(shipment)/pack", packJSON(["TEE"]), key: w.warehouse).status == .ok)
        let booked = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"byhand","awb":"\#(awb)"}"#, key: w.warehouse)
        #expect(booked.status == .ok, "\(booked.text)")
        return (shipment, id)
    }

    static func setUp(_ w: OrderWorld) async throws {
        try await w.stock("TEE", 100)
        await BookingTests.setUp(w, "byhand", BookingTests.courier("manual", name: "By Hand"))
    }

    /// A person's report.
    static func report(_ w: OrderWorld, _ shipment: String, _ status: String, at: String, extra: String = "") async -> HTTPResponse {
        await w.post("/v1/shipments/\(shipment)/tracking", #"{"status":"\#(status)","at":"\#(at)"\#(extra)}"#, key: w.warehouse)
    }

    /// Shiprocket's published sample with `awb` in place of its own.
    static func shiprocketSample(awb: String) -> String {
        TrackingFixtures.shiprocket.replacingOccurrences(of: "19041424751540", with: awb)
    }

    static func shiprocket(_ w: OrderWorld, _ body: String, token: String? = TrackingTests.token) async -> HTTPResponse {
        await send(w.api, .post, "/v1/webhooks/shiprocket", headers: token.map { [("x-api-key", $0), ("Content-Type", "application/json")] } ?? [], body: body)
    }

    @Test func shiprocketsPublishedPushMovesTheShipmentAndKeepsEveryScan() async throws {
        try await withOrders(configure: Self.configure) { w in
            try await Self.setUp(w)
            let (shipment, order) = await Self.booked(w, 1, awb: "SRAWB0000001")
            let body = Self.shiprocketSample(awb: "SRAWB0000001")

            let wrong = await Self.shiprocket(w, body, token: "nope")
            #expect(wrong.status == .unauthorized && wrong.code == "invalid_token")
            #expect(await Self.shiprocket(w, body, token: nil).code == "invalid_token")
            #expect(await w.get("/v1/shipments/\(shipment)").str("status") == "ready")

            let first = await Self.shiprocket(w, body)
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.str("status") == "applied" && first.str("shipment_id") == shipment && first.str("shipment_status") == "in_transit")
            #expect(first.list("moved").compactMap(\.text) == ["picked_up", "in_transit"])
            #expect(first.num("new_scans") == 6)
            // No handover scanned it: the push shipped its stock (the reservation became a ship movement).
            #expect(try await w.reserved("TEE") == 0)
            #expect(try await ManifestTests.level(w, "TEE")[0] == 99)
            try await ManifestTests.auditClean(w)
            let again = await Self.shiprocket(w, body)
            #expect(again.str("status") == "duplicate" && again.num("new_scans") == 0 && again.str("kept") == "unchanged")

            let timeline = await w.get("/v1/shipments/\(shipment)/tracking", key: w.warehouse)
            #expect(timeline.status == .ok, "\(timeline.text)")
            let scans = timeline.list("scans")
            #expect(scans.count == 6)
            #expect(scans.first?["code"]?.text == "X-UCI" && scans.last?["code"]?.text == "X-IBD3F")
            let mapped: [String] = scans.compactMap { $0["status"]?.text }
            #expect(mapped.contains("picked_up"))
            #expect(timeline.str("shipment.status") == "in_transit" && timeline.str("shipment.picked_up_at") != nil)
            let types = try await w.eventTypes(order)
            #expect(types.filter { $0 == "shipment.picked_up" }.count == 1 && types.filter { $0 == "shipment.in_transit" }.count == 1)
            #expect(await w.order(order).str("fulfilment_status") == "shipped")

            // The secret listed first during a rotation verifies too, and the path Shiprocket's
            // panel accepts is the same route.
            #expect(await Self.shiprocket(w, body, token: "old-token").str("status") == "duplicate")
            let alias = await send(w.api, .post, "/v1/webhooks/courier-push", headers: [("x-api-key", Self.token)], body: body)
            #expect(alias.status == .ok && alias.str("status") == "duplicate", "\(alias.text)")
        }
    }

    @Test func unknownAWBsAreParkedNotRefused() async throws {
        try await withOrders(configure: Self.configure) { w in
            let body = Self.shiprocketSample(awb: "UNKNOWN00001")
            let parked = await Self.shiprocket(w, body)
            #expect(parked.status == .ok && parked.str("status") == "parked", "\(parked.text)")
            #expect(await Self.shiprocket(w, body).str("status") == "duplicate")
            let list = await w.get("/v1/tracking/parked", key: w.warehouse)
            #expect(list.status == .ok && list.list("data").count == 1, "\(list.text)")
            #expect(list.str("data.0.awb") == "UNKNOWN00001" && list.str("data.0.provider") == "shiprocket" && list.str("data.0.status") == "in_transit")
            #expect(list.str("data.0.body") == body)

            let bad = await Self.shiprocket(w, #"{"awb":"X1234567"}"#)
            #expect(bad.status == .unprocessableContent && bad.code == "invalid_payload", "\(bad.text)")
            let notJSON = await Self.shiprocket(w, "awb=1")
            #expect(notJSON.status == .unprocessableContent)
        }
    }

    @Test func aCourierWithoutItsTokenConfiguredIsUnavailable() async throws {
        try await withOrders(configure: { $0.secrets.delhiveryWebhookToken = "" }) { w in
            let r = await send(w.api, .post, "/v1/webhooks/delhivery", headers: [("x-api-key", "x")], body: "{}")
            #expect(r.status == .serviceUnavailable && r.code == "courier_not_configured", "\(r.text)")
            #expect(r.text.contains("secrets.delhivery_webhook_token"))
        }
    }

    @Test func delhiverysPushesAreReadByTheirStatusPair() async throws {
        try await withOrders(configure: Self.configure) { w in
            try await Self.setUp(w)
            let (shipment, order) = await Self.booked(w, 2, awb: "DLAWB0000002", cod: false)
            func push(_ type: String, _ status: String, _ time: String, _ nsl: String, instructions: String = "x") -> String {
                #"{"Shipment": {"Status": {"Status": "\#(status)", "StatusDateTime": "\#(time)", "StatusType": "\#(type)", "StatusLocation": "Guwahati_Hub (Assam)", "Instructions": "\#(instructions)"}, "PickUpDate": "2026-12-01T10:00:00", "NSLCode": "\#(nsl)", "Sortcode": "GAU/ZOO", "ReferenceNo": "TRK-2", "AWB": "DLAWB0000002"}}"#
            }
            func send(_ body: String, auth: (String, String) = ("Authorization", "Token \(TrackingTests.delhiveryToken)")) async -> HTTPResponse {
                await BahiAPITests.send(w.api, .post, "/v1/webhooks/delhivery", headers: [auth], body: body)
            }
            #expect(await send(push("UD", "In Transit", "2026-12-02T09:00:00", "X-PIOM"), auth: ("Authorization", "Token wrong")).code == "invalid_token")
            // Delhivery's published sample (Manifested: informational for a booked parcel) is kept as a scan.
            let published = await send(TrackingFixtures.delhiveryPush.replacingOccurrences(of: "XXXXXXXXXXXX", with: "DLAWB0000002"))
            #expect(published.status == .ok && published.num("new_scans") == 1 && published.str("shipment_status") == "ready", "\(published.text)")
            let moving = await send(push("UD", "In Transit", "2026-12-02T09:00:00", "X-PIOM"))
            #expect(moving.str("shipment_status") == "in_transit", "\(moving.text)")
            // DL with RTO is not a delivery: it is the parcel back at the seller, which cannot
            // follow in_transit without the RTO's own statuses… and is still a forward move.
            let dispatched = await send(push("UD", "Dispatched", "2026-12-03T08:00:00", "X-DDD3FD"), auth: ("x-api-key", TrackingTests.delhiveryToken))
            #expect(dispatched.str("shipment_status") == "out_for_delivery", "\(dispatched.text)")
            let delivered = await send(push("DL", "Delivered", "2026-12-03T15:41:19.002", "EOD-38"))
            #expect(delivered.str("shipment_status") == "delivered", "\(delivered.text)")
            // A late in-transit after delivery is kept as a scan and changes nothing.
            let late = await send(push("UD", "In Transit", "2026-12-02T20:00:00", "X-ILL1F"))
            #expect(late.str("status") == "kept" && late.str("kept") == "final" && late.str("shipment_status") == "delivered")
            #expect(await w.get("/v1/shipments/\(shipment)/tracking").list("scans").count == 5)
            let placed = await w.order(order)
            #expect(placed.str("fulfilment_status") == "delivered" && placed.str("status") == "completed", "\(placed.text)")
        }
    }

    @Test func anRTOThatDelhiveryReportsAsDLRTOIsReturnedNotDelivered() async throws {
        try await withOrders(configure: Self.configure) { w in
            try await Self.setUp(w)
            let (shipment, order) = await Self.booked(w, 3, awb: "DLAWB0000003")
            func push(_ type: String, _ status: String, _ time: String) -> String {
                #"{"Shipment": {"Status": {"Status": "\#(status)", "StatusDateTime": "\#(time)", "StatusType": "\#(type)", "StatusLocation": "Surat_Hub (Gujarat)", "Instructions": "x"}, "NSLCode": "X", "AWB": "DLAWB0000003"}}"#
            }
            for (type, status, time) in [("UD", "In Transit", "2026-12-01T09:00:00"), ("RT", "In Transit", "2026-12-04T09:00:00"), ("DL", "RTO", "2026-12-06T12:00:00")] {
                let r = await send(w.api, .post, "/v1/webhooks/delhivery", headers: [("x-api-key", Self.delhiveryToken)], body: push(type, status, time))
                #expect(r.status == .ok, "\(r.text)")
            }
            let s = await w.get("/v1/shipments/\(shipment)")
            #expect(s.str("status") == "rto_delivered" && s.str("delivered_at") == nil, "\(s.text)")
            let o = await w.order(order)
            #expect(o.str("fulfilment_status") == "rto" && o.str("status") == "completed" && o.str("payment.status") == "cod_pending", "\(o.text)")
            let types = try await w.eventTypes(order)
            #expect(types.contains("shipment.rto_initiated") && types.contains("shipment.rto_delivered") && !types.contains("shipment.delivered"))
        }
    }

    @Test func aCODOrderFromIntakeToDeliveredCollectsItsCashAndTeachesPerformance() async throws {
        try await withOrders(configure: Self.configure) { w in
            try await Self.setUp(w)
            let (shipment, order) = await Self.booked(w, 4, awb: "BYHAND000004")
            #expect(try await w.reserved("TEE") == 1)
            let intransit = await Self.report(w, shipment, "in_transit", at: "2026-12-01T10:00:00+05:30", extra: #","location":"Surat Hub""#)
            #expect(intransit.status == .ok && intransit.list("moved").compactMap(\.text) == ["picked_up", "in_transit"], "\(intransit.text)")
            // No handover scanned it: the courier's first report shipped its stock, once.
            #expect(try await w.reserved("TEE") == 0)
            #expect(try await ManifestTests.level(w, "TEE")[0] == 99)
            try await ManifestTests.auditClean(w)
            #expect(await Self.report(w, shipment, "out_for_delivery", at: "2026-12-04T09:00:00+05:30").str("shipment_status") == "out_for_delivery")
            let delivered = await Self.report(w, shipment, "delivered", at: "2026-12-04T15:00:00+05:30")
            #expect(delivered.str("status") == "applied" && delivered.str("shipment_status") == "delivered", "\(delivered.text)")

            let o = await w.order(order)
            #expect(o.str("status") == "completed" && o.str("fulfilment_status") == "delivered" && o.str("payment.status") == "cod_collected", "\(o.text)")
            let payments = await w.get("/v1/orders/\(order)/payments", key: w.finance)
            #expect(payments.list("data").count == 1 && payments.num("data.0.amount_paise") == o.num("totals.total_paise"), "\(payments.text)")
            let types = try await w.eventTypes(order)
            #expect(types.contains("shipment.delivered") && types.contains("order.completed") && types.contains("order.fulfilment_changed"))
            let history = await w.historyActions(order)
            #expect(history.contains("completed") && history.contains("fulfilment"))

            let performance = await w.get("/v1/couriers/performance?courier=byhand&to_pincode=781001&from_pincode=395003", key: w.warehouse)
            #expect(performance.status == .ok, "\(performance.text)")
            let rows = performance.list("data")
            #expect(rows.count == 3)
            let zone = rows.first { $0["level"]?.text == "zone" }
            #expect(zone?["key"]?.text == "E" && zone?["finished"]?.integer == 1 && zone?["delivered"]?.integer == 1 && zone?["mean_transit_days"]?.encodedText == "4.0000")
            #expect(rows.contains { $0["level"]?.text == "state" && $0["key"]?.text == "18" } && rows.contains { $0["level"]?.text == "prefix" && $0["key"]?.text == "781" })
            // One delivery in four days, against surface zone E's assumed 7 days and 90 %:
            // zone (1 + 20 × 0.9) / 21 = 0.9048; days (4 + 20 × 7) / 21 = 6.8571; the state over
            // the zone: (1 + 20 × 0.9048) / 21 = 0.9093.
            #expect(performance.str("estimates.0.courier") == "byhand" && performance.text.contains("\"delivered_share\":0.9093"), "\(performance.text)")
            #expect(await w.get("/v1/couriers/performance?to_pincode=000000").code == "invalid_query")
            let quotes = await w.post("/v1/quotes", #"{"from_pincode":"395003","to_pincode":"781001","weight_g":700,"length_mm":300,"width_mm":250,"height_mm":40}"#)
            #expect(quotes.str("quotes.0.courier") == "byhand" && quotes.num("quotes.0.performance.samples") == 1, "\(quotes.text)")
            #expect(quotes.text.contains("\"delivered_share\":0.9093"))

            // Reports after the end move nothing.
            let late = await Self.report(w, shipment, "in_transit", at: "2026-12-04T20:00:00+05:30")
            #expect(late.str("status") == "kept" && late.str("kept") == "final")
        }
    }

    @Test func failedAttemptsAreAnsweredAndTheThirdSendsTheParcelBack() async throws {
        try await withOrders(configure: Self.configure) { w in
            try await Self.setUp(w)
            let (shipment, order) = await Self.booked(w, 5, awb: "BYHAND000005")
            _ = await Self.report(w, shipment, "out_for_delivery", at: "2026-12-01T09:00:00+05:30")
            let first = await Self.report(w, shipment, "undelivered", at: "2026-12-01T15:00:00+05:30", extra: #","reason":"customer_unavailable","note":"Phone off""#)
            #expect(first.str("shipment_status") == "undelivered" && first.num("ndr.attempt") == 1 && first.str("ndr.reason") == "customer_unavailable", "\(first.text)")
            let open = await w.get("/v1/ndr", key: w.warehouse)
            #expect(open.list("data").count == 1 && open.str("data.0.shipment_id") == shipment && open.text.contains("\"overdue\":true"), "\(open.text)")

            let refused = await w.post("/v1/shipments/\(shipment)/ndr-action", #"{"action":"update_phone","note":"New number"}"#, key: w.warehouse)
            #expect(refused.status == .unprocessableContent && refused.fieldErrors["phone"] == "required", "\(refused.text)")
            // The same attempt reported again later (a resent report) is no new NDR and leaves this one open.
            let resent = await Self.report(w, shipment, "undelivered", at: "2026-12-01T15:30:00+05:30", extra: #","reason":"customer_unavailable","attempt":1"#)
            #expect(resent.status == .ok && resent.document.at("ndr") == JSONValue.null && resent.str("shipment_status") == "undelivered", "\(resent.text)")
            #expect(await w.get("/v1/ndr", key: w.warehouse).list("data").count == 1)
            let answered = await w.post("/v1/shipments/\(shipment)/ndr-action", #"{"action":"update_phone","phone":"+91 94350 11111","note":"Call the new number"}"#, key: w.warehouse)
            #expect(answered.status == .ok && answered.str("status") == "actioned" && answered.str("action") == "update_phone", "\(answered.text)")
            #expect(answered.str("action_detail.phone") == "+919435011111" && answered.str("courier_reply")?.hasPrefix("not sent") == true, "\(answered.text)")
            #expect(await w.post("/v1/shipments/\(shipment)/ndr-action", #"{"action":"reattempt","note":"again"}"#).code == "invalid_transition")
            #expect(await w.get("/v1/ndr").list("data").isEmpty)

            _ = await Self.report(w, shipment, "out_for_delivery", at: "2026-12-02T09:00:00+05:30")
            let second = await Self.report(w, shipment, "undelivered", at: "2026-12-02T15:00:00+05:30")
            #expect(second.num("ndr.attempt") == 2 && second.str("shipment_status") == "undelivered", "\(second.text)")
            _ = await Self.report(w, shipment, "out_for_delivery", at: "2026-12-03T09:00:00+05:30")
            let third = await Self.report(w, shipment, "undelivered", at: "2026-12-03T15:00:00+05:30")
            #expect(third.str("shipment_status") == "rto_initiated" && third.list("moved").compactMap(\.text) == ["undelivered", "rto_initiated"], "\(third.text)")
            #expect(third.str("ndr.status") == "closed" && third.str("ndr.closed_by") == "policy" && third.str("ndr.action") == "return")

            let timeline = await w.get("/v1/shipments/\(shipment)/tracking")
            #expect(timeline.list("ndrs").map { $0["closed_by"]?.text } == ["reattempted", "reattempted", "policy"], "\(timeline.text)")
            #expect(await w.order(order).str("fulfilment_status") == "rto")
            let rtos = try await w.app.store.read { db in
                try db.queryValue("SELECT rtos FROM customer_stats WHERE phone = (SELECT customer_phone FROM orders WHERE id = ?1)", [order], as: Int64.self)
            }
            #expect(rtos == 1)
            let rtoEvent = try await w.app.store.read { db in
                try db.queryValue("SELECT payload FROM events WHERE type = 'shipment.rto_initiated' AND entity_id = ?1", [shipment], as: String.self)
            }
            #expect(rtoEvent?.contains("\"cause\":\"attempts_exhausted\"") == true, "\(rtoEvent ?? "none")")
            _ = await Self.report(w, shipment, "rto_in_transit", at: "2026-12-04T09:00:00+05:30")
            #expect(await Self.report(w, shipment, "rto_delivered", at: "2026-12-04T18:00:00+05:30").str("shipment_status") == "rto_delivered")
            #expect(await w.order(order).str("status") == "completed")
            // Back at the seller: received, the good unit restocked, the ledger still adds up.
            #expect(try await ManifestTests.level(w, "TEE")[0] == 99)
            let received = await w.post("/v1/shipments/\(shipment)/rto-receive", #"{"lines":[{"sku":"TEE","qty":1,"condition":"good"}]}"#, key: w.warehouse)
            #expect(received.status == .ok, "\(received.text)")
            let back = try await ManifestTests.level(w, "TEE")[0], stillReserved = try await w.reserved("TEE")
            #expect(back == 100 && stillReserved == 0)
            try await ManifestTests.auditClean(w)
            let rtoCost = await w.get("/v1/shipments/\(shipment)")
            #expect((rtoCost.num("rto_cost_paise") ?? 0) > (rtoCost.num("shipping_cost_paise") ?? 0), "\(rtoCost.text)")
        }
    }

    @Test func aRefusalGoesBackAtOnce() async throws {
        try await withOrders(configure: Self.configure) { w in
            try await Self.setUp(w)
            let (shipment, _) = await Self.booked(w, 6, awb: "BYHAND000006")
            let r = await Self.report(w, shipment, "undelivered", at: "2026-12-01T15:00:00+05:30", extra: #","reason":"refused""#)
            #expect(r.str("shipment_status") == "rto_initiated", "\(r.text)")
            #expect(r.list("moved").compactMap(\.text) == ["picked_up", "in_transit", "out_for_delivery", "undelivered", "rto_initiated"])
        }
    }

    @Test func everyOrderOfADeliveredParcelsReportsEndsDelivered() async throws {
        try await withOrders(configure: Self.configure) { w in
            try await Self.setUp(w)
            let reports: [(String, String)] = [("picked_up", "2026-12-01T10:00:00+05:30"), ("in_transit", "2026-12-01T20:00:00+05:30"),
                                               ("out_for_delivery", "2026-12-03T09:00:00+05:30"), ("delivered", "2026-12-03T14:00:00+05:30")]
            var orders: [[Int]] = [[]]
            for _ in reports.indices { orders = orders.flatMap { p in reports.indices.filter { !p.contains($0) }.map { p + [$0] } } }
            #expect(orders.count == 24)
            for (n, permutation) in orders.enumerated() {
                let (shipment, order) = await Self.booked(w, 100 + n, awb: "PERM\(String(format: "%08d", n))", cod: false)
                for i in permutation { #expect(await Self.report(w, shipment, reports[i].0, at: reports[i].1).status == .ok) }
                let s = await w.get("/v1/shipments/\(shipment)/tracking")
                #expect(s.str("shipment.status") == "delivered" && s.list("scans").count == 4, "\(permutation): \(s.text)")
                let types = try await w.eventTypes(order)
                #expect(types.filter { $0 == "shipment.delivered" }.count == 1, "\(permutation)")
                #expect(await w.order(order).str("status") == "completed", "\(permutation)")
            }
        }
    }

    @Test func manualReportsAreChecked() async throws {
        try await withOrders(configure: Self.configure) { w in
            try await Self.setUp(w)
            let packed = await BookingTests.packed(w, 900)
            #expect(await Self.report(w, packed, "in_transit", at: "2026-12-01T10:00:00+05:30").code == "shipment_not_booked")
            let (shipment, _) = await Self.booked(w, 7, awb: "BYHAND000007")
            let bad = await w.post("/v1/shipments/\(shipment)/tracking", #"{"status":"packed","at":"yesterday","reason":"refused"}"#, key: w.warehouse)
            #expect(bad.status == .unprocessableContent, "\(bad.text)")
            #expect(bad.fieldErrors["status"] == "invalid" && bad.fieldErrors["at"] == "invalid" && bad.fieldErrors["reason"] == "not_undelivered")
            #expect(await w.get("/v1/shipments/\(shipment)/tracking").list("scans").isEmpty)
        }
    }

    /// A handover is the pickup: it stamps the time transit days count from, and a courier's
    /// later in-transit report moves the parcel on without shipping its stock twice.
    @Test func aHandedOverParcelIsTrackedFromItsHandover() async throws {
        try await withOrders(configure: Self.configure) { w in
            try await Self.setUp(w)
            let (shipment, _) = await Self.booked(w, 8, awb: "BYHAND000008", cod: false)
            let manifest = await w.post("/v1/manifests", #"{"courier":"byhand","location":"SURAT"}"#, key: w.warehouse)
            #expect(manifest.status == .created || manifest.status == .ok, "\(manifest.text)")
            let handed = await w.post("/v1/manifests/\(manifest.str("id") ?? "")/handover", #"{"scanned_awbs":["BYHAND000008"]}"#, key: w.warehouse)
            #expect(handed.status == .ok, "\(handed.text)")
            let picked = await w.get("/v1/shipments/\(shipment)")
            #expect(picked.str("status") == "picked_up" && picked.str("picked_up_at") != nil, "\(picked.text)")
            #expect(try await ManifestTests.level(w, "TEE")[0] == 99)
            let moving = await Self.shiprocket(w, Self.shiprocketSample(awb: "BYHAND000008"))
            #expect(moving.str("shipment_status") == "in_transit" && moving.list("moved").compactMap(\.text) == ["in_transit"], "\(moving.text)")
            #expect(try await ManifestTests.level(w, "TEE")[0] == 99)
            try await ManifestTests.auditClean(w)
        }
    }

    /// A seeded history: the cheaper courier returns half its parcels to pincode prefix 781, the
    /// dearer one delivers nearly all. The estimates are the smoothing worked by hand (the prefix
    /// counts only from 30 shipments), and best_performing books the dearer one where cheapest
    /// books the cheaper.
    @Test func learnedFiguresAfterASeededHistoryChooseTheCourier() async throws {
        try await withOrders(configure: { $0.couriers.channelPolicies = ["web:best_performing"] }) { w in
            try await w.stock("TEE", 10)
            await BookingTests.setUp(w, "cheap", BookingTests.courier("waybill_pool", name: "Cheap", e: 5000))
            await BookingTests.setUp(w, "steady", BookingTests.courier("waybill_pool", name: "Steady", e: 9000))
            for code in ["cheap", "steady"] {
                #expect(await w.post("/v1/couriers/\(code)/waybills", #"{"awbs":["\#(code.uppercased())00000001","\#(code.uppercased())00000002"]}"#).status == .ok)
            }
            // 40 finished parcels each to Guwahati (zone E from Surat, Assam = 18, prefix 781):
            // cheap 20 delivered and 20 back; steady 38 delivered (4 days each) and 2 back.
            let destination = try #require(Tracking.Destination(from: "395003", to: "781001"))
            _ = try await w.app.write { db in
                for i in 0..<40 {
                    try Tracking.tally(db, courier: "cheap", destination: destination, delivered: i < 20, rto: i >= 20, transitDays: i < 20 ? 5 : 0)
                    try Tracking.tally(db, courier: "steady", destination: destination, delivered: i < 38, rto: i >= 38, transitDays: i < 38 ? 4 : 0)
                }
            }
            let r = await w.get("/v1/couriers/performance?to_pincode=781001&from_pincode=395003", key: w.warehouse)
            #expect(r.list("data").count == 6, "\(r.text)")
            // cheap, zone: (20 + 20 × 0.9) / 60 = 0.6333; state over zone: (20 + 20 × 0.6333) / 60 = 0.5444;
            // prefix (40 ≥ 30) over state: (20 + 20 × 0.5444) / 60 = 0.5148.
            // steady: zone (38 + 18) / 60 = 0.9333; state (38 + 20 × 0.9333) / 60 = 0.9444; prefix 0.9481.
            let estimates = Dictionary(uniqueKeysWithValues: r.list("estimates").compactMap { e in e["courier"]?.text.map { ($0, e) } })
            #expect(estimates["cheap"]?["delivered_share"]?.encodedText == "0.5148", "\(r.text)")
            #expect(estimates["steady"]?["delivered_share"]?.encodedText == "0.9481", "\(r.text)")
            #expect(estimates["steady"]?["samples"]?.integer == 40)
            // Mean days, steady: zone (152 + 20 × 7) / 58 = 5.0345; state (152 + 20 × 5.0345) / 58 = 4.3566; prefix 4.1230.
            #expect(estimates["steady"]?["mean_transit_days"]?.encodedText == "4.1230", "\(r.text)")

            let best = await w.post("/v1/shipments/\(await BookingTests.packed(w, 1))/book", "{}", key: w.warehouse)
            #expect(best.status == .ok && best.str("courier") == "steady", "best_performing on web: \(best.text)")
            let quotes = await w.get("/v1/shipments/\(await BookingTests.packed(w, 2))/quotes")
            #expect(quotes.str("quotes.0.courier") == "cheap" && quotes.document.at("quotes.0.performance.delivered_share")?.encodedText == "0.5148", "\(quotes.text)")
        }
    }
}
