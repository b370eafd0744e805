import BahiJSON

/// Delhivery's B2C API (`Authorization: Token <token>`, base `https://track.delhivery.com`,
/// configurable): booking and cancelling as pure code; BahiAPI sends them (`CourierGateways`).
///
/// Booking is one call, `POST /api/cmu/create.json`, whose body is a *form*
/// (`format=json&data=<JSON>`) holding `{"shipments":[…],"pickup_location":{"name":…}}`: weight
/// in grams, `payment_mode` Prepaid or COD with `cod_amount` in rupees, `order` ≤ 50 characters
/// with none of `& # % ; \` (Delhivery's parser breaks on them: they are taken out of every
/// text sent). The AWB is the `waybill` of the answer's `packages[]`; a package whose status
/// is Fail is a refusal with its `remarks`, a `success: false` answer one with its `rmk`.
/// Cancelling before pickup is `POST /api/p/edit {waybill, cancellation: "true"}`.
public enum DelhiveryAPI {
    public static let defaultBaseURL = "https://track.delhivery.com"
    /// The longest `order` Delhivery accepts.
    public static let maxOrderLength = 50

    static func auth(_ token: String) -> [(name: String, value: String)] { [("Authorization", "Token \(token)")] }

    /// `text` without the characters Delhivery's create API breaks on (`& # % ; \`), each
    /// replaced by a space, and without leading or trailing spaces.
    public static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { "&#%;\\".unicodeScalars.contains($0) ? " " : $0 }))
            .trimmedASCII()
    }

    /// Whether `order` may be Delhivery's order reference.
    public static func isOrderReference(_ order: String) -> Bool {
        !order.isEmpty && order.count <= maxOrderLength && clean(order) == order
    }

    /// `POST /api/cmu/create.json` for `parcel`, picked up at Delhivery warehouse `pickupLocation`
    /// (its name exactly as registered with Delhivery).
    public static func create(baseURL: String, token: String, parcel p: CourierParcel, pickupLocation: String) -> CourierProviderRequest {
        var s = JSONObject()
        s["name"] = .string(clean(p.name))
        s["add"] = .string(clean(p.addressLines.joined(separator: ", ")))
        s["pin"] = .string(p.pincode)
        s["city"] = .string(clean(p.city))
        s["state"] = .string(clean(p.state))
        s["country"] = .string("India")
        s["phone"] = .string(p.phone)
        s["order"] = .string(p.shipmentID)
        s["payment_mode"] = .string(p.codPaise == nil ? "Prepaid" : "COD")
        s["cod_amount"] = ProviderJSON.rupees(p.codPaise ?? 0)
        s["total_amount"] = ProviderJSON.rupees(p.valuePaise)
        s["products_desc"] = .string(clean(p.items.map { "\($0.name) x\($0.units)" }.joined(separator: ", ")))
        s["quantity"] = .int(p.items.reduce(0) { $0 + $1.units })
        s["weight"] = .int(p.weightG)
        s["shipment_length"] = .int(CourierParcel.centimetres(p.lengthMM))
        s["shipment_width"] = .int(CourierParcel.centimetres(p.widthMM))
        s["shipment_height"] = .int(CourierParcel.centimetres(p.heightMM))
        s["waybill"] = .string("")
        let data: JSONObject = ["shipments": .array([.object(s)]), "pickup_location": .object(["name": .string(pickupLocation)])]
        let body = "format=json&data=" + CourierProviderRequest.formEncoded(JSONValue.object(data).encodedText)
        return CourierProviderRequest(url: CourierProviderRequest.join(baseURL, "api/cmu/create.json"),
                                      headers: auth(token) + [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                                      body: Array(body.utf8))
    }

    /// The waybill of the create answer's first package
    /// (`{"success":true,"packages":[{"waybill":…,"status":"Success","remarks":[…]}],"upload_wbn":…}`).
    public static func createAnswer(status: Int, body: [UInt8]) -> CourierProviderAnswer<String> {
        let root = ProviderJSON.object(body)
        if let failed = failure(status: status, root: root) { return failed }
        let packages: [JSONObject] = if case .array(let items)? = root?["packages"] { items.compactMap { ProviderJSON.object($0) } } else { [] }
        if let package = packages.first {
            let remarks = ProviderJSON.strings(package["remarks"]).filter { !$0.isEmpty }
            if ProviderJSON.text(package["status"])?.lowercased() == "fail" || ProviderJSON.text(package["waybill"]) == nil {
                return .refused(message: "Delhivery refused the shipment: \(remarks.isEmpty ? "no reason given" : remarks.joined(separator: "; "))", field: nil)
            }
            if let waybill = ProviderJSON.text(package["waybill"]) { return .ok(waybill) }
        }
        let rmk = ProviderJSON.text(root?["rmk"]) ?? "no package in the answer"
        if root?["success"] == .bool(false) || root != nil { return .refused(message: "Delhivery refused the shipment: \(rmk)", field: nil) }
        return .unavailable("Delhivery's answer could not be read")
    }

    /// `POST /api/p/edit {waybill, cancellation: "true"}`.
    public static func cancel(baseURL: String, token: String, waybill: String) -> CourierProviderRequest {
        .json(CourierProviderRequest.join(baseURL, "api/p/edit"), ["waybill": .string(waybill), "cancellation": .string("true")], headers: auth(token))
    }

    /// A cancellation unless the answer says `status: false` (with its `remark` or `error`).
    public static func cancelAnswer(status: Int, body: [UInt8]) -> CourierProviderAnswer<Void> {
        let root = ProviderJSON.object(body)
        if let failed = failure(status: status, root: root) { return failed.recast() }
        if root?["status"] == .bool(false) {
            let said = ProviderJSON.text(root?["remark"]) ?? ProviderJSON.text(root?["error"]) ?? "no reason given"
            return .refused(message: "Delhivery did not cancel: \(said)", field: nil)
        }
        return .ok(())
    }

    /// 401/403: the token is not accepted (a static token: no login to retry, so a refusal
    /// naming the secret); another 4xx but 408/429 is a refusal; 5xx and the rest unavailable.
    static func failure(status: Int, root: JSONObject?) -> CourierProviderAnswer<String>? {
        switch status {
        case 200...299: return nil
        case 401, 403:
            return .refused(message: "Delhivery did not accept the API token (\(status)); check secrets.delhivery_api_token", field: "secrets.delhivery_api_token")
        case 400...499 where status != 408 && status != 429:
            let said = ProviderJSON.text(root?["rmk"]) ?? ProviderJSON.text(root?["error"]) ?? ProviderJSON.text(root?["message"]) ?? "no reason given"
            return .refused(message: "Delhivery refused (\(status)): \(said)", field: nil)
        default:
            return .unavailable("Delhivery answered \(status)")
        }
    }
}
