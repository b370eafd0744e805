import Foundation
import Testing
@testable import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Booking, cancelling and NDR actions through Shiprocket's and Delhivery's APIs on a live API
/// (both stores), against local stubs speaking their documented wire formats: what each
/// request carries field by field, every oddity's answer, and that a refusal or a provider
/// that cannot be reached changes nothing in Bahi.
@Suite struct CourierProviderBookingTests {
    static let shiprocketCourier = BookingTests.courier("shiprocket", name: "SR Surface", extra: #","provider_courier_id":"43","pickup_location":"Surat WH""#)
    static let delhiveryCourier = BookingTests.courier("delhivery", name: "Delhivery", extra: #","pickup_location":"Surat WH""#)

    static func configure(_ port: Int, timeoutMs: Int = 5_000) -> (inout BahiConfiguration) -> Void {
        { config in
            config.secrets.shiprocketEmail = "api@kapas.example"
            config.secrets.shiprocketPassword = "sr-secret"
            config.secrets.delhiveryAPIToken = "dl-token"
            config.couriers.shiprocketAPIURL = "http://127.0.0.1:\(port)/v1/external/"
            config.couriers.delhiveryAPIURL = "http://127.0.0.1:\(port)"
            config.couriers.providerTimeoutMs = timeoutMs
        }
    }

    static let login = CourierProviderStub.json(.ok, #"{"company_id":1,"email":"api@kapas.example","first_name":"API","id":7,"token":"tok-1"}"#)
    static let order = CourierProviderStub.json(.ok, #"{"order_id":281248157,"channel_order_id":"x","shipment_id":16090281,"status":"NEW","status_code":1,"onboarding_completed_now":0,"awb_code":"","courier_company_id":"","courier_name":""}"#)
    static func assigned(_ awb: String) -> CourierProviderStub.Answer {
        .init(status: .ok, body: #"{"awb_assign_status":1,"response":{"data":{"courier_company_id":43,"awb_code":"\#(awb)","cod":0,"order_id":281248157,"shipment_id":16090281,"awb_code_status":1,"applied_weight":0.5,"courier_name":"Delhivery Surface"}}}"#)
    }
    static let pickup = CourierProviderStub.json(.ok, #"{"pickup_status":1,"response":{"pickup_scheduled_date":"2021-12-10 12:39:54","pickup_token_number":"Reference No: 1","status":3,"others":"{}","data":"Pickup is confirmed"}}"#)

    /// Standing answers of a Shiprocket that books.
    static func shiprocketBooks(_ stub: CourierProviderStub) {
        stub.always("auth/login", login)
        stub.always("orders/create/adhoc", order)
        stub.always("courier/generate/pickup", pickup)
        stub.always("orders/cancel/shipment/awbs", .init(status: .noContent))
    }

    /// A Shiprocket stub that books (AWB 321055706540 unless a test scripts others) and a live
    /// API configured for it, with stock, courier `sr` and one packed shipment; the stub
    /// forgets each store's run.
    static func withShiprocket(_ body: (CourierProviderStub, OrderWorld, String) async throws -> Void) async throws {
        try await CourierProviderStub.with { stub, port in
            try await withOrders(configure: configure(port)) { w in
                stub.reset()
                shiprocketBooks(stub)
                stub.always("courier/assign/awb", assigned("321055706540"))
                try await w.stock("TEE", 10)
                await BookingTests.setUp(w, "sr", shiprocketCourier)
                try await body(stub, w, await packed(w, 1))
            }
        }
    }

    /// A packed order of one TEE (₹499) to Guwahati, paid by `payment`: its shipment's id.
    static func packed(_ w: OrderWorld, _ n: Int, payment: String? = nil) async -> String {
        guard let payment else { return await BookingTests.packed(w, n) }
        let guwahati = #"{"name":"Bina Das","line1":"House 4, Zoo Road","city":"Guwahati","state":"Assam","pincode":"781001","phone":"9435012345"}"#
        let placed = await w.place(orderJSON("PROV-\(n)", lines: [("TEE", 1, 49_900, 0)], address: guwahati, payment: payment, phone: "94350\(20_000 + n)"))
        #expect(placed.status == .created, "\(placed.text)")
        let id = placed.str("id") ?? "", shipment = placed.str("shipments.0.id") ?? ""
        if placed.str("status") == "on_hold" { _ = await w.post("/v1/orders/\(id)/confirm") }
        #expect(await w.post("/v1/shipments/\(shipment)/pack", packJSON(["TEE"]), key: w.warehouse).status == .ok)
        return shipment
    }

    /// The courier_waybills rows: (awb, status, provider_order_id, provider_shipment_id).
    static func waybills(_ w: OrderWorld) async throws -> [[String?]] {
        try await w.app.store.read { db in
            try db.query("SELECT awb, status, provider_order_id, provider_shipment_id FROM courier_waybills ORDER BY awb", []) { row in
                [try row["awb"] as String, try row["status"] as String, try row["provider_order_id"] as String?, try row["provider_shipment_id"] as String?]
            }
        }
    }

    /// Whether shipment `id` is still packed with no courier: what a refused booking leaves.
    static func untouched(_ w: OrderWorld, _ id: String) async throws {
        let shipment = await w.get("/v1/shipments/\(id)")
        #expect(shipment.str("status") == "packed" && shipment.document.at("awb") == JSONValue.null, "\(shipment.text)")
        #expect(try await waybills(w).isEmpty)
    }

    @Test func shiprocketBooksThroughItsAPIKeepsItsTokenAndCancelsThere() async throws {
        try await Self.withShiprocket { stub, w, shipment in
            stub.script("courier/assign/awb", Self.assigned("321055706540"), Self.assigned("321055706541"), Self.assigned("321055706542"))
            let courier = await w.get("/v1/couriers/sr")
            #expect(courier.str("provider_courier_id") == "43" && courier.str("pickup_location") == "Surat WH", "\(courier.text)")

            let booked = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"sr"}"#, key: w.warehouse)
            #expect(booked.status == .ok, "\(booked.text)")
            #expect(booked.str("status") == "ready" && booked.str("courier") == "sr" && booked.str("awb") == "321055706540")
            let login = stub.received("auth/login")
            #expect(login.count == 1 && login.first?.json == ["email": .string("api@kapas.example"), "password": .string("sr-secret")])
            let create = try #require(stub.received("orders/create/adhoc").first)
            #expect(create.method == "POST" && create.path == "/v1/external/orders/create/adhoc")
            #expect(create.headers["authorization"] == "Bearer tok-1" && create.headers["content-type"] == "application/json")
            let o = try #require(create.json)
            #expect(o["order_id"] == .string(shipment) && o["pickup_location"] == .string("Surat WH") && o["payment_method"] == .string("Prepaid"))
            #expect(o["weight"]?.encodedText == "0.45" && o["length"] == .int(25) && o["breadth"] == .int(20) && o["height"] == .int(6))
            #expect(o["sub_total"]?.encodedText == "499" && o["billing_pincode"] == .string("781001") && o["billing_state"] == .string("Assam"))
            #expect(o["billing_customer_name"] == .string("Bina") && o["billing_country"] == .string("India"))
            guard case .array(let items)? = o["order_items"], case .object(let item)? = items.first else { Issue.record("no items"); return }
            #expect(item["sku"] == .string("TEE") && item["units"] == .int(1) && item["selling_price"]?.encodedText == "499")
            let assign = try #require(stub.received("courier/assign/awb").first)
            #expect(assign.json == ["shipment_id": .int(16_090_281), "courier_id": .int(43)] && assign.headers["authorization"] == "Bearer tok-1")
            #expect(stub.received("courier/generate/pickup").first?.json == ["shipment_id": .array([.int(16_090_281)])])
            #expect(try await Self.waybills(w) == [["321055706540", "issued", "281248157", "16090281"]])

            // The token is kept: the next booking logs in no more.
            let second = await Self.packed(w, 2)
            #expect(await w.post("/v1/shipments/\(second)/book", #"{"courier":"sr"}"#).str("awb") == "321055706541")
            #expect(stub.received("auth/login").count == 1)
            // An expired token (401) logs in again once, and the call is made again.
            stub.script("auth/login", CourierProviderStub.json(.ok, #"{"token":"tok-2"}"#))
            stub.script("orders/create/adhoc", CourierProviderStub.json(.unauthorized, #"{"message":"Token has expired","status_code":401}"#))
            let third = await Self.packed(w, 3)
            let renewed = await w.post("/v1/shipments/\(third)/book", #"{"courier":"sr"}"#)
            #expect(renewed.status == .ok && renewed.str("awb") == "321055706542", "\(renewed.text)")
            #expect(stub.received("auth/login").count == 2)
            #expect(stub.received("orders/create/adhoc").suffix(2).map { $0.headers["authorization"] } == ["Bearer tok-1", "Bearer tok-2"])

            // Cancelled before pickup through Shiprocket (its 204 is a success).
            let cancelled = await w.post("/v1/shipments/\(shipment)/cancel-booking", key: w.warehouse)
            #expect(cancelled.status == .ok && cancelled.str("status") == "packed", "\(cancelled.text)")
            let cancel = try #require(stub.received("orders/cancel/shipment/awbs").first)
            #expect(cancel.json == ["awbs": .array([.string("321055706540")])] && cancel.headers["authorization"] == "Bearer tok-2")
            #expect(try await Self.waybills(w).first == ["321055706540", "cancelled", "281248157", "16090281"])
            // Shiprocket refusing the cancellation (already picked up) changes nothing.
            stub.script("orders/cancel/shipment/awbs", CourierProviderStub.json(.badRequest, #"{"message":"Cancellation is not allowed after pickup","status_code":400}"#))
            let refused = await w.post("/v1/shipments/\(second)/cancel-booking")
            #expect(refused.status.code == 502 && refused.code == "courier_refused" && refused.text.contains("not allowed after pickup"), "\(refused.text)")
            #expect(await w.get("/v1/shipments/\(second)").str("status") == "ready")
            #expect(try await w.violations() == [])
        }
    }

    @Test func shiprocketRefusalsChangeNothingAndSayWhy() async throws {
        try await Self.withShiprocket { stub, w, shipment in
            func book() async -> HTTPResponse { await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"sr"}"#) }

            // A failure inside HTTP 200.
            stub.script("orders/create/adhoc", CourierProviderStub.json(.ok, #"{"status":404,"message":"Order does not exist!"}"#))
            let hidden = await book()
            #expect(hidden.status.code == 502 && hidden.code == "courier_refused" && hidden.text.contains("Order does not exist!"), "\(hidden.text)")
            // 422 naming the field.
            stub.script("orders/create/adhoc", CourierProviderStub.json(.unprocessableContent, #"{"message":"Oops! Invalid Data.","errors":{"billing_phone":["The billing phone must be 10 digits."]},"status_code":422}"#))
            let invalid = await book()
            #expect(invalid.status.code == 502 && invalid.fieldErrors["billing_phone"] == "refused_by_courier" && invalid.text.contains("10 digits"), "\(invalid.text)")
            // No AWB assigned.
            stub.script("courier/assign/awb", CourierProviderStub.json(.ok, #"{"awb_assign_status":0,"response":{"data":{"awb_assign_error":"Selected courier is not serviceable for this pincode"}}}"#))
            let none = await book()
            #expect(none.code == "courier_refused" && none.text.contains("not serviceable"), "\(none.text)")
            stub.script("courier/assign/awb", CourierProviderStub.json(.badRequest, #"{"message":"Oops! Cannot reassign courier for this shipment.","status_code":400}"#))
            let reassign = await book()
            #expect(reassign.code == "courier_refused" && reassign.text.contains("Cannot reassign courier"), "\(reassign.text)")
            try await Self.untouched(w, shipment)
            // A pickup refused after the AWB was assigned: the AWB is cancelled at Shiprocket.
            stub.script("courier/generate/pickup", CourierProviderStub.json(.ok, #"{"pickup_status":0,"message":"Pickup location not verified"}"#))
            let noPickup = await book()
            #expect(noPickup.code == "courier_refused" && noPickup.text.contains("Pickup location not verified"), "\(noPickup.text)")
            #expect(stub.received("orders/cancel/shipment/awbs").last?.json == ["awbs": .array([.string("321055706540")])])
            try await Self.untouched(w, shipment)
            // A wrong login is a refusal naming the secrets, not retried.
            let logins = stub.received("auth/login").count
            stub.script("auth/login", CourierProviderStub.json(.badRequest, #"{"message":"Invalid email and password combination","status_code":400}"#))
            w.app.shiprocketToken.withLock { $0 = nil }
            let badLogin = await book()
            #expect(badLogin.code == "courier_refused" && badLogin.fieldErrors["secrets.shiprocket_email"] != nil, "\(badLogin.text)")
            #expect(stub.received("auth/login").count == logins + 1)
            try await Self.untouched(w, shipment)
            #expect(await book().status == .ok)
            // An AWB Bahi holds for another parcel is refused and never cancelled at Shiprocket.
            let cancels = stub.received("orders/cancel/shipment/awbs").count
            let other = await Self.packed(w, 2)
            let reused = await w.post("/v1/shipments/\(other)/book", #"{"courier":"sr"}"#)
            #expect(reused.code == "awb_in_use" && reused.text.contains("not cancelled"), "\(reused.text)")
            #expect(stub.received("orders/cancel/shipment/awbs").count == cancels)
            #expect(await w.get("/v1/shipments/\(other)").str("status") == "packed")
        }
    }

    /// The shipment leaves `packed` while the provider books (here the order is cancelled
    /// meanwhile): the write refuses, and the AWB the provider issued is cancelled there.
    @Test func aBookingOvertakenWhileTheProviderAnswersIsCancelledThere() async throws {
        try await Self.withShiprocket { stub, w, shipment in
            stub.script("orders/create/adhoc", CourierProviderStub.Answer(status: .ok, body: Self.order.body, delayMs: 600))
            let orderID = await w.get("/v1/shipments/\(shipment)").str("order_id") ?? ""
            async let booking = w.post("/v1/shipments/\(shipment)/book", #"{"courier":"sr"}"#)
            try await waitUntil { !stub.received("orders/create/adhoc").isEmpty }
            #expect(await w.post("/v1/orders/\(orderID)/cancel", #"{"reason":"customer"}"#).status == .ok)
            let overtaken = await booking
            #expect(overtaken.code == "invalid_transition" && overtaken.text.contains("was cancelled there"), "\(overtaken.text)")
            #expect(stub.received("orders/cancel/shipment/awbs").first?.json == ["awbs": .array([.string("321055706540")])])
            #expect(try await Self.waybills(w).isEmpty)
        }
    }

    @Test func whatAProviderNeedsIsNamedBeforeItIsAsked() async throws {
        try await CourierProviderStub.with { stub, port in
            try await withOrders(configure: { config in
                Self.configure(port)(&config)
                config.secrets.delhiveryAPIToken = ""
            }) { w in
                stub.reset()
                try await w.stock("TEE", 10)
                await BookingTests.setUp(w, "bare", BookingTests.courier("shiprocket", name: "SR bare"))
                await BookingTests.setUp(w, "dl", Self.delhiveryCourier)
                let shipment = await Self.packed(w, 1)
                let bare = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"bare"}"#)
                #expect(bare.status == .conflict && bare.code == "courier_not_configured", "\(bare.text)")
                #expect(bare.fieldErrors["provider_courier_id"] == "required" && bare.fieldErrors["pickup_location"] == "required")
                let noToken = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"dl"}"#)
                #expect(noToken.status == .conflict && noToken.fieldErrors["secrets.delhivery_api_token"] == "required", "\(noToken.text)")
                let withAWB = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"dl","awb":"DL1234567890"}"#)
                #expect(withAWB.fieldErrors["awb"] == "not_allowed")
                #expect(stub.received.isEmpty)
                try await Self.untouched(w, shipment)

                let wrongProvider = await CourierTests.put(w, "pool", BookingTests.courier("waybill_pool", extra: #","provider_courier_id":"43""#))
                #expect(wrongProvider.status == .unprocessableContent && wrongProvider.fieldErrors["provider_courier_id"] == "not_allowed")
                let badID = await CourierTests.put(w, "sr2", BookingTests.courier("shiprocket", extra: #","provider_courier_id":"forty""#))
                #expect(badID.fieldErrors["provider_courier_id"] == "invalid")
                let badLocation = await CourierTests.put(w, "dl2", BookingTests.courier("delhivery", extra: #","pickup_location":"Surat\nWH""#))
                #expect(badLocation.fieldErrors["pickup_location"] == "invalid")
            }
        }
        // No Shiprocket credentials: refused naming both secrets.
        try await withOrders { w in
            try await w.stock("TEE", 10)
            await BookingTests.setUp(w, "sr", Self.shiprocketCourier)
            let refused = await w.post("/v1/shipments/\(await Self.packed(w, 1))/book", #"{"courier":"sr"}"#)
            #expect(refused.code == "courier_not_configured" && refused.fieldErrors["secrets.shiprocket_email"] == "required"
                    && refused.fieldErrors["secrets.shiprocket_password"] == "required", "\(refused.text)")
        }
    }

    @Test func delhiveryBooksAFormInGramsWithTheCODAmountAndCancelsThere() async throws {
        try await CourierProviderStub.with { stub, port in
            try await withOrders(configure: Self.configure(port)) { w in
                stub.reset()
                try await w.stock("TEE", 10)
                await BookingTests.setUp(w, "dl", Self.delhiveryCourier)
                let shipment = await Self.packed(w, 1, payment: codPayment)
                stub.script("api/cmu/create.json", CourierProviderStub.json(.ok, #"{"package_count":1,"packages":[{"status":"Fail","remarks":["Crashing while saving package due to exception 'Non serviceable pincode'"],"waybill":"","refnum":"\#(shipment)"}],"success":false,"rmk":"An internal Error has occurred"}"#))
                let refused = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"dl"}"#)
                #expect(refused.status.code == 502 && refused.code == "courier_refused" && refused.text.contains("Non serviceable pincode"), "\(refused.text)")
                try await Self.untouched(w, shipment)

                stub.script("api/cmu/create.json", CourierProviderStub.json(.ok, #"{"cash_pickups_count":499.0,"package_count":1,"upload_wbn":"UPL5","replacement_count":0,"pickups_count":0,"packages":[{"status":"Success","client":"KAPAS","sort_code":"GAU/CHA","remarks":[""],"waybill":"26805710004060","cod_amount":499.0,"payment":"COD","serviceable":true,"refnum":"\#(shipment)"}],"cash_pickups":499.0,"cod_count":1,"success":true,"prepaid_count":0,"cod_amount":499.0}"#))
                let booked = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"dl"}"#, key: w.warehouse)
                #expect(booked.status == .ok && booked.str("courier") == "dl" && booked.str("awb") == "26805710004060", "\(booked.text)")
                let create = try #require(stub.received("api/cmu/create.json").last)
                #expect(create.method == "POST" && create.path == "/api/cmu/create.json")
                #expect(create.headers["authorization"] == "Token dl-token" && create.headers["content-type"] == "application/x-www-form-urlencoded")
                #expect(create.text.hasPrefix("format=json&data=%7B"))
                let form = try #require(FormURLEncoded.parse(create.body))
                #expect(form.map(\.name) == ["format", "data"])
                guard case .object(let data)? = try? JSONParser.parse(form.last?.value ?? ""), case .array(let list)? = data["shipments"],
                      case .object(let s)? = list.first else { Issue.record("data is not the shipments JSON: \(create.text)"); return }
                #expect(data["pickup_location"] == .object(["name": .string("Surat WH")]))
                #expect(s["weight"] == .int(450) && s["payment_mode"] == .string("COD") && s["cod_amount"]?.encodedText == "499")
                #expect(s["order"] == .string(shipment) && s["pin"] == .string("781001") && s["name"] == .string("Bina Das"))
                #expect(s["shipment_length"] == .int(25) && s["shipment_width"] == .int(20) && s["shipment_height"] == .int(6))
                #expect(try await Self.waybills(w) == [["26805710004060", "issued", nil, nil]])

                stub.always("api/p/edit", CourierProviderStub.json(.ok, #"{"status":true,"waybill":"26805710004060","remark":"Shipment has been cancelled"}"#))
                let cancelled = await w.post("/v1/shipments/\(shipment)/cancel-booking")
                #expect(cancelled.status == .ok && cancelled.str("status") == "packed", "\(cancelled.text)")
                let edit = try #require(stub.received("api/p/edit").first)
                #expect(edit.json == ["waybill": .string("26805710004060"), "cancellation": .string("true")] && edit.headers["authorization"] == "Token dl-token")
                #expect(try await w.violations() == [])
            }
        }
    }

    @Test func aProviderThatIsDownOrSlowChangesNothing() async throws {
        // A port nothing listens on: the stub started and stopped.
        let gone = CourierProviderStub()
        let closed = try gone.start()
        await gone.stop()
        try await withOrders(configure: Self.configure(closed)) { w in
            try await w.stock("TEE", 10)
            await BookingTests.setUp(w, "dl", Self.delhiveryCourier)
            await BookingTests.setUp(w, "sr", Self.shiprocketCourier)
            let shipment = await Self.packed(w, 1)
            for code in ["dl", "sr"] {
                let down = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"\#(code)"}"#)
                #expect(down.status.code == 503 && down.code == "courier_unavailable", "\(down.text)")
            }
            try await Self.untouched(w, shipment)
        }
        try await CourierProviderStub.with { stub, port in
            try await withOrders(configure: Self.configure(port, timeoutMs: 300)) { w in
                stub.reset()
                stub.always("api/cmu/create.json", CourierProviderStub.Answer(status: .ok, body: "{}", delayMs: 1_500))
                stub.always("api/p/edit", CourierProviderStub.json(.serviceUnavailable, ""))
                try await w.stock("TEE", 10)
                await BookingTests.setUp(w, "dl", Self.delhiveryCourier)
                let shipment = await Self.packed(w, 1)
                let started = ContinuousClock.now
                let slow = await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"dl"}"#)
                #expect(slow.status.code == 503 && slow.code == "courier_unavailable", "\(slow.text)")
                #expect(ContinuousClock.now - started < .milliseconds(1_400), "the timeout, not the stub, ended the wait")
                try await Self.untouched(w, shipment)
                // A 5xx is no certain answer either.
                stub.always("api/cmu/create.json", CourierProviderStub.json(HTTPStatus(code: 502), "<html>Bad Gateway</html>"))
                #expect(await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"dl"}"#).code == "courier_unavailable")
                try await Self.untouched(w, shipment)
            }
        }
    }

    /// Shiprocket answers a cancellation with HTTP 204 *and* a JSON body (with its length):
    /// Bahi's client reads the 204, leaves the stray body alone, and counts it a cancellation.
    @Test func shiprocketsCancellationAnswer204WithABodyIsASuccess() async throws {
        let body = #"{"message":"Bulk Shipment cancellation is in progress. Please wait for 24 hours."}"#
        let raw = try RawHTTPStub(response: "HTTP/1.1 204 No Content\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        try await withOrders(configure: Self.configure(raw.port)) { w in
            guard w.app.store.dialect == .sqlite else { return }  // one server, one answer
            w.app.shiprocketToken.withLock { $0 = ("tok-kept", Int64(WallClock.milliseconds())) }
            let sr = Courier(code: "sr", fields: CourierFields(name: "SR", provider: .shiprocket, mode: .surface, maxWeightG: 1000, rateCard: RateCard(zones: [:])),
                             version: 1, createdAt: 0, updatedAt: 0)
            let answer = await CourierGateways(w.app).cancel(courier: sr, reference: CourierBookingReference(awb: "321055706540"))
            #expect(answer.isOK, "\(answer)")
            let sent = String(decoding: raw.request.withLock { $0 } ?? [], as: UTF8.self)
            #expect(sent.hasPrefix("POST /v1/external/orders/cancel/shipment/awbs HTTP/1.1\r\n") && sent.contains("Bearer tok-kept"))
            #expect(sent.hasSuffix(#"{"awbs":["321055706540"]}"#))
        }
    }

    @Test func ndrInstructionsAreSentToEitherProvider() async throws {
        try await CourierProviderStub.with { stub, port in
            try await withOrders(configure: Self.configure(port)) { w in
                stub.reset()
                stub.always("auth/login", Self.login)
                stub.always("ndr/321055706540/action", CourierProviderStub.Answer(status: .accepted, body: #"{"status":"Data Updated Sucessfully"}"#))
                stub.always("api/p/update", CourierProviderStub.json(.ok, #"{"request_id":"UPL98765"}"#))
                let gateways = CourierGateways(w.app)
                var shiprocket = CourierFields(name: "SR", provider: .shiprocket, mode: .surface, maxWeightG: 1000, rateCard: RateCard(zones: [:]))
                shiprocket.providerCourierID = "43"
                let sr = Courier(code: "sr", fields: shiprocket, version: 1, createdAt: 0, updatedAt: 0)
                let dl = Courier(code: "dl", fields: CourierFields(name: "DL", provider: .delhivery, mode: .surface, maxWeightG: 1000, rateCard: RateCard(zones: [:])),
                                 version: 1, createdAt: 0, updatedAt: 0)
                let later = CourierNDRInstruction(awb: "321055706540", action: .reattempt, deferredDate: "2024-12-09", phone: "9435012345", note: "Buyer asked for Monday")
                #expect(await gateways.sendNDR(courier: sr, instruction: later) == .accepted("Data Updated Sucessfully"))
                let action = try #require(stub.received("ndr/321055706540/action").first)
                #expect(action.path == "/v1/external/ndr/321055706540/action" && action.headers["authorization"] == "Bearer tok-1")
                #expect(action.json == ["action": .string("re-attempt"), "comments": .string("Buyer asked for Monday"), "deferred_date": .string("2024-12-09"),
                                        "phone": .string("9435012345")])
                let back = CourierNDRInstruction(awb: "321055706540", action: .return, note: "The Buyer does not want the product")
                #expect(await gateways.sendNDR(courier: sr, instruction: back) == .accepted("Data Updated Sucessfully"))
                #expect(stub.received("ndr/321055706540/action").last?.json == ["action": .string("return"), "comments": .string("The Buyer does not want the product")])

                #expect(await gateways.sendNDR(courier: dl, instruction: CourierNDRInstruction(awb: "321055706540", action: .reattempt, note: "Try again")) == .accepted("UPL98765"))
                let update = try #require(stub.received("api/p/update").first)
                #expect(update.headers["authorization"] == "Token dl-token")
                #expect(update.json == ["data": .array([.object(["waybill": .string("321055706540"), "act": .string("RE-ATTEMPT")])])])
                guard case .unsupported(let why) = await gateways.sendNDR(courier: dl, instruction: back) else { Issue.record("Delhivery has no return act"); return }
                #expect(why.contains("Delhivery"))
                #expect(stub.received("api/p/update").count == 1)
                guard case .invalid(let problems) = await gateways.sendNDR(courier: sr, instruction: CourierNDRInstruction(awb: "321055706540", action: .reattempt, note: "")) else {
                    Issue.record("a note is required"); return
                }
                #expect(problems.map(\.field) == ["note"])
                stub.script("ndr/321055706540/action", CourierProviderStub.json(.unprocessableContent, #"{"message":"Invalid action","errors":{"action":["The selected action is invalid."]},"status_code":422}"#))
                #expect(await gateways.sendNDR(courier: sr, instruction: later) == .refused("Shiprocket refused (422): Invalid action (action: The selected action is invalid.)", field: "action"))
            }
        }
    }

    /// A parcel booked through Shiprocket, followed by Shiprocket's own pushes: a failed attempt
    /// is answered through its NDR API (what was sent and what it said recorded on the NDR),
    /// and the third failure sends a return instruction by policy.
    @Test func shiprocketParcelsNDRsAreAnsweredThroughItsAPI() async throws {
        try await Self.withShiprocket { stub, w, shipment in
            stub.always("ndr/321055706540/action", CourierProviderStub.Answer(status: .accepted, body: #"{"status":"Data Updated Sucessfully"}"#))
            #expect(await w.post("/v1/shipments/\(shipment)/book", #"{"courier":"sr"}"#).str("awb") == "321055706540")
            func push(_ status: Int, _ label: String, _ time: String) async -> HTTPResponse {
                let body = #"{"awb":"321055706540","current_status":"\#(label)","current_status_id":\#(status),"shipment_status":"\#(label)","shipment_status_id":\#(status),"current_timestamp":"\#(time)","order_id":"x","scans":[],"is_return":0}"#
                return await send(w.api, .post, "/v1/webhooks/courier-push", headers: [("x-api-key", "sr_test_token")], body: body)
            }
            #expect(await push(17, "OUT FOR DELIVERY", "01 12 2026 09:00:00").str("shipment_status") == "out_for_delivery")
            let failed = await push(21, "UNDELIVERED", "01 12 2026 15:00:00")
            #expect(failed.str("shipment_status") == "undelivered" && failed.num("ndr.attempt") == 1, "\(failed.text)")
            let answered = await w.post("/v1/shipments/\(shipment)/ndr-action",
                                        #"{"action":"update_address","address":{"line1":"House 4, Zoo Road","landmark":"Opp. Zoo Gate 2","city":"Guwahati"},"note":"Landmark added"}"#,
                                        key: w.warehouse)
            #expect(answered.status == .ok && answered.str("courier_reply") == "sent: Data Updated Sucessfully", "\(answered.text)")
            let sent = try #require(stub.received("ndr/321055706540/action").first)
            #expect(sent.json?["action"] == .string("re-attempt") && sent.json?["address1"] == .string("House 4, Zoo Road"), "\(String(describing: sent.json))")
            #expect(sent.json?["address2"] == .string("Opp. Zoo Gate 2, Guwahati") && sent.json?["comments"] == .string("Landmark added"))
            let stored = await w.get("/v1/shipments/\(shipment)/tracking")
            #expect(stored.str("ndrs.0.courier_reply") == "sent: Data Updated Sucessfully" && stored.str("ndrs.0.status") == "actioned", "\(stored.text)")

            for (day, n) in [("02", 2), ("03", 3)] {
                _ = await push(17, "OUT FOR DELIVERY", "\(day) 12 2026 09:00:00")
                let again = await push(21, "UNDELIVERED", "\(day) 12 2026 15:00:00")
                #expect(again.num("ndr.attempt") == Int64(n), "\(again.text)")
            }
            #expect(await w.get("/v1/shipments/\(shipment)").str("status") == "rto_initiated")
            // The return instruction goes after the answer.
            try await waitUntil { stub.received("ndr/321055706540/action").count == 2 }
            #expect(stub.received("ndr/321055706540/action").last?.json?["action"] == .string("return"))
        }
    }
}
