import Testing
import BahiCore
import BahiJSON

/// The courier providers' wire formats as pure code: what each request carries (units,
/// encodings, auth) and how each answer reads, oddities included. Samples follow Shiprocket's
/// Postman collection and Delhivery's B2C docs (shared reference, logistics §1, §3, §4).
@Suite struct CourierProviderTests {
    static let parcel = CourierParcel(
        shipmentID: "shp_01JCOURIERPROVIDERTEST0001", orderReference: "WEB-1001", orderedAt: 1_733_370_000_000, name: "Bina Das",
        addressLines: ["House 4, Zoo Road", "near Zoo Tiniali"], city: "Guwahati", state: "Assam", pincode: "781001", phone: "9435012345",
        email: "bina@example.com", items: [CourierParcel.Item(sku: "TEE", name: "Cotton tee", units: 2, unitPricePaise: 49_950, hsn: "6109")],
        codPaise: 99_900, valuePaise: 99_900, subtotalPaise: 99_900, weightG: 1205, lengthMM: 250, widthMM: 201, heightMM: 60)

    struct NotAnObject: Error {}

    static func object(_ bytes: [UInt8]) throws -> JSONObject {
        guard case .object(let o) = try JSONParser.parse(bytes) else { throw NotAnObject() }
        return o
    }

    static func header(_ r: CourierProviderRequest, _ name: String) -> String? { r.headers.first { $0.name == name }?.value }

    @Test func unitsAreWrittenExactly() {
        #expect(CourierParcel.kilograms(450) == "0.45" && CourierParcel.kilograms(1000) == "1" && CourierParcel.kilograms(1205) == "1.205")
        #expect(CourierParcel.kilograms(5) == "0.005")
        #expect(CourierParcel.centimetres(250) == 25 && CourierParcel.centimetres(201) == 21 && CourierParcel.centimetres(0) == 1)
    }

    @Test func shiprocketOrderCarriesTheDocumentedFields() throws {
        let r = ShiprocketAPI.createOrder(baseURL: "https://sr.example/v1/external/", token: "tok", parcel: Self.parcel, pickupLocation: "Surat WH")
        #expect(r.url == "https://sr.example/v1/external/orders/create/adhoc")
        #expect(Self.header(r, "Authorization") == "Bearer tok" && Self.header(r, "Content-Type") == "application/json")
        let o = try Self.object(r.body)
        #expect(o["order_id"] == .string(Self.parcel.shipmentID) && o["pickup_location"] == .string("Surat WH"))
        // 1,733,370,000,000 ms is 2024-12-05 03:40 UTC: 09:10 in India.
        #expect(o["order_date"] == .string("2024-12-05 09:10"))
        #expect(o["billing_customer_name"] == .string("Bina") && o["billing_last_name"] == .string("Das"))
        #expect(o["billing_address"] == .string("House 4, Zoo Road") && o["billing_address_2"] == .string("near Zoo Tiniali"))
        #expect(o["billing_pincode"] == .string("781001") && o["billing_state"] == .string("Assam") && o["billing_phone"] == .string("9435012345"))
        #expect(o["payment_method"] == .string("COD") && o["sub_total"]?.encodedText == "999")
        #expect(o["weight"]?.encodedText == "1.205" && o["length"] == .int(25) && o["breadth"] == .int(21) && o["height"] == .int(6))
        guard case .array(let items)? = o["order_items"], case .object(let item)? = items.first else { Issue.record("no order_items"); return }
        #expect(item["sku"] == .string("TEE") && item["units"] == .int(2) && item["selling_price"]?.encodedText == "499.5")
        var prepaid = Self.parcel
        prepaid.codPaise = nil
        #expect(try Self.object(ShiprocketAPI.createOrder(baseURL: "x", token: "t", parcel: prepaid, pickupLocation: "p").body)["payment_method"] == .string("Prepaid"))
    }

    @Test func shiprocketAnswersAndTheirOddities() {
        let order = ShiprocketAPI.orderAnswer(status: 200, body: Array(#"{"order_id":281248157,"shipment_id":16090281,"status":"NEW","status_code":1,"awb_code":""}"#.utf8))
        guard case .ok(let ids) = order else { Issue.record("\(order)"); return }
        #expect(ids.orderID == "281248157" && ids.shipmentID == "16090281")
        // HTTP 200 carrying a failure.
        let hidden = ShiprocketAPI.orderAnswer(status: 200, body: Array(#"{"status":404,"message":"Order does not exist!"}"#.utf8))
        guard case .refused(let message, _) = hidden else { Issue.record("\(hidden)"); return }
        #expect(message.contains("Order does not exist!"))
        // 422 names its fields.
        let invalid = ShiprocketAPI.orderAnswer(status: 422, body: Array(#"{"message":"Oops! Invalid Data.","errors":{"billing_pincode":["The billing pincode must be 6 digits."]},"status_code":422}"#.utf8))
        guard case .refused(let said, let field) = invalid else { Issue.record("\(invalid)"); return }
        #expect(field == "billing_pincode" && said.contains("The billing pincode must be 6 digits."))
        let assigned = ShiprocketAPI.assignAnswer(status: 200, body: Array(#"{"awb_assign_status":1,"response":{"data":{"courier_company_id":142,"awb_code":"321055706540","cod":0,"order_id":281248157,"shipment_id":16090281}}}"#.utf8))
        guard case .ok("321055706540") = assigned else { Issue.record("\(assigned)"); return }
        let none = ShiprocketAPI.assignAnswer(status: 200, body: Array(#"{"awb_assign_status":0,"response":{"data":{"awb_assign_error":"Selected courier is not serviceable"}}}"#.utf8))
        guard case .refused(let why, _) = none else { Issue.record("\(none)"); return }
        #expect(why.contains("not serviceable"))
        let reassign = ShiprocketAPI.assignAnswer(status: 400, body: Array(#"{"message":"Oops! Cannot reassign courier for this shipment.","status_code":400}"#.utf8))
        guard case .refused(let again, _) = reassign else { Issue.record("\(reassign)"); return }
        #expect(again.contains("Cannot reassign courier") && again.contains("already has an AWB"))
        guard case .unauthorized = ShiprocketAPI.assignAnswer(status: 401, body: Array(#"{"message":"Token has expired","status_code":401}"#.utf8)) else {
            Issue.record("401 is an expired token"); return
        }
        guard case .unavailable = ShiprocketAPI.assignAnswer(status: 502, body: []) else { Issue.record("5xx is unavailable"); return }
        // Cancelling answers 204 with a JSON body: a success all the same.
        #expect(ShiprocketAPI.cancelAnswer(status: 204, body: Array(#"{"message":"Bulk Shipment cancellation is in progress. Please wait for 24 hours."}"#.utf8)).isOK)
        #expect(ShiprocketAPI.pickupAnswer(status: 200, body: Array(#"{"pickup_status":1,"response":{"pickup_scheduled_date":"2021-12-10 12:39:54","status":3}}"#.utf8)).isOK)
        #expect(!ShiprocketAPI.pickupAnswer(status: 200, body: Array(#"{"pickup_status":0,"message":"Pickup not possible"}"#.utf8)).isOK)
        guard case .ok("eyJ.tok") = ShiprocketAPI.loginAnswer(status: 200, body: Array(#"{"id":1,"email":"a@b.in","token":"eyJ.tok"}"#.utf8)) else {
            Issue.record("login token"); return
        }
        guard case .refused(_, "secrets.shiprocket_email") = ShiprocketAPI.loginAnswer(status: 400, body: Array(#"{"message":"Invalid email and password combination","status_code":400}"#.utf8)) else {
            Issue.record("a refused login names the secrets"); return
        }
    }

    @Test func delhiveryCreateIsAFormWithGramsAndRupees() throws {
        var parcel = Self.parcel
        parcel.addressLines = ["Flat #4; Block A & B", "50% lane\\2"]
        let r = DelhiveryAPI.create(baseURL: "https://dl.example/", token: "dltok", parcel: parcel, pickupLocation: "Surat WH")
        #expect(r.url == "https://dl.example/api/cmu/create.json")
        #expect(Self.header(r, "Authorization") == "Token dltok" && Self.header(r, "Content-Type") == "application/x-www-form-urlencoded")
        let fields = try #require(FormURLEncoded.parse(r.body))
        #expect(fields.map(\.name) == ["format", "data"] && fields[0].value == "json")
        let data = try Self.object(Array(fields[1].value.utf8))
        guard case .array(let shipments)? = data["shipments"], case .object(let s)? = shipments.first else { Issue.record("no shipments"); return }
        #expect(data["pickup_location"] == .object(["name": .string("Surat WH")]))
        #expect(s["weight"] == .int(1205) && s["payment_mode"] == .string("COD") && s["cod_amount"]?.encodedText == "999")
        #expect(s["order"] == .string(parcel.shipmentID) && s["pin"] == .string("781001") && s["quantity"] == .int(2))
        // Delhivery breaks on & # % ; \ in any text: they are taken out.
        guard case .string(let add)? = s["add"] else { Issue.record("no add"); return }
        #expect(!add.contains("&") && !add.contains("#") && !add.contains("%") && !add.contains(";") && !add.contains("\\"))
        #expect(DelhiveryAPI.isOrderReference(parcel.shipmentID) && !DelhiveryAPI.isOrderReference("A&B") && !DelhiveryAPI.isOrderReference(String(repeating: "9", count: 51)))
    }

    @Test func delhiveryAnswers() {
        let ok = DelhiveryAPI.createAnswer(status: 200, body: Array(#"{"cash_pickups_count":0,"package_count":1,"upload_wbn":"UPL1","packages":[{"status":"Success","client":"X","sort_code":"GAU/ABC","remarks":[""],"waybill":"26805710004060","cod_amount":999.0,"payment":"COD","serviceable":true,"refnum":"shp_1"}],"cod_count":1,"success":true,"prepaid_count":0,"cod_amount":999.0}"#.utf8))
        guard case .ok("26805710004060") = ok else { Issue.record("\(ok)"); return }
        let fail = DelhiveryAPI.createAnswer(status: 200, body: Array(#"{"package_count":1,"packages":[{"status":"Fail","remarks":["Crashing while saving package due to exception 'Non serviceable pincode'"],"waybill":"","refnum":"shp_1"}],"success":false,"rmk":"Non serviceable"}"#.utf8))
        guard case .refused(let message, _) = fail else { Issue.record("\(fail)"); return }
        #expect(message.contains("Non serviceable pincode"))
        let rmk = DelhiveryAPI.createAnswer(status: 200, body: Array(#"{"success":false,"rmk":"ClientWarehouse matching query does not exist.","packages":[]}"#.utf8))
        guard case .refused(let said, _) = rmk else { Issue.record("\(rmk)"); return }
        #expect(said.contains("ClientWarehouse"))
        guard case .refused(_, "secrets.delhivery_api_token") = DelhiveryAPI.createAnswer(status: 401, body: []) else { Issue.record("401 names the token"); return }
        guard case .unavailable = DelhiveryAPI.createAnswer(status: 503, body: []) else { Issue.record("503 is unavailable"); return }
        let cancel = DelhiveryAPI.cancel(baseURL: "https://dl.example", token: "t", waybill: "26805710004060")
        #expect(cancel.url == "https://dl.example/api/p/edit")
        #expect((try? Self.object(cancel.body)) == ["waybill": .string("26805710004060"), "cancellation": .string("true")])
        #expect(DelhiveryAPI.cancelAnswer(status: 200, body: Array(#"{"status":true,"remark":"Shipment has been cancelled"}"#.utf8)).isOK)
        #expect(!DelhiveryAPI.cancelAnswer(status: 200, body: Array(#"{"status":false,"error":"Shipment already picked up"}"#.utf8)).isOK)
    }

    @Test func ndrInstructionsForBothProviders() throws {
        let later = CourierNDRInstruction(awb: "321055706540", action: .reattempt, deferredDate: "2024-12-09", note: "Buyer asked for Monday")
        #expect(later.problems().isEmpty)
        let sr = later.shiprocket(baseURL: "https://sr.example/v1/external", token: "tok")
        #expect(sr.url == "https://sr.example/v1/external/ndr/321055706540/action" && Self.header(sr, "Authorization") == "Bearer tok")
        #expect(try Self.object(sr.body) == ["action": .string("re-attempt"), "comments": .string("Buyer asked for Monday"), "deferred_date": .string("2024-12-09")])
        guard case .request(let dl) = later.delhivery(baseURL: "https://dl.example", token: "dt") else { Issue.record("no request"); return }
        #expect(dl.url == "https://dl.example/api/p/update" && Self.header(dl, "Authorization") == "Token dt")
        #expect(try Self.object(dl.body) == ["data": .array([.object(["waybill": .string("321055706540"), "act": .string("DEFER_DLV"), "deferred_date": .string("2024-12-09")])])])
        let now = CourierNDRInstruction(awb: "321055706540", action: .reattempt, note: "Call before")
        guard case .request(let plain) = now.delhivery(baseURL: "https://dl.example", token: "dt") else { Issue.record("no request"); return }
        #expect(try Self.object(plain.body) == ["data": .array([.object(["waybill": .string("321055706540"), "act": .string("RE-ATTEMPT")])])])

        let back = CourierNDRInstruction(awb: "321055706540", action: .return, note: "The Buyer does not want the product")
        let ret = back.shiprocket(baseURL: "https://sr.example/v1/external", token: "tok")
        #expect(try Self.object(ret.body) == ["action": .string("return"), "comments": .string("The Buyer does not want the product")])
        guard case .unsupported(let why) = back.delhivery(baseURL: "https://dl.example", token: "dt") else { Issue.record("Delhivery has no return act"); return }
        #expect(why.contains("no act"))

        let moved = CourierNDRInstruction(awb: "321055706540", action: .updateAddress, address1: "Flat 2, MG Road", address2: "near Fancy Bazaar", note: "New address")
        let addr = moved.shiprocket(baseURL: "https://sr.example/v1/external", token: "tok")
        let a = try Self.object(addr.body)
        #expect(a["action"] == .string("re-attempt") && a["address1"] == .string("Flat 2, MG Road") && a["address2"] == .string("near Fancy Bazaar"))

        #expect(CourierNDRInstruction(awb: "bad", action: .updatePhone, deferredDate: "2024-02-30", phone: "12", note: " ").problems().map(\.field)
                == ["awb", "note", "deferred_date", "phone"])
        guard case .ok("Data Updated Sucessfully") = CourierNDRInstruction.shiprocketAnswer(status: 202, body: Array(#"{"status":"Data Updated Sucessfully"}"#.utf8)) else {
            Issue.record("202 is Shiprocket's success"); return
        }
        guard case .refused = CourierNDRInstruction.shiprocketAnswer(status: 422, body: Array(#"{"message":"The comments field is required.","errors":{"comments":["The comments field is required."]},"status_code":422}"#.utf8)) else {
            Issue.record("422 refuses"); return
        }
        guard case .ok("UPL123") = CourierNDRInstruction.delhiveryAnswer(status: 200, body: Array(#"{"request_id":"UPL123"}"#.utf8)) else { Issue.record("upload id"); return }
    }
}
