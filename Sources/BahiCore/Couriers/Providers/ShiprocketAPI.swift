import BahiJSON

/// Shiprocket's API (base `https://apiv2.shiprocket.in/v1/external/`, configurable): the
/// requests a booking makes and how each answer reads, as pure code. BahiAPI sends them
/// (`CourierGateways`).
///
/// A booking is four calls: `auth/login` (a token that lasts 10 days, kept and reused; on a
/// 401 Bahi logs in again once), `orders/create/adhoc` (the order, its `order_id` Bahi's
/// shipment id so a retry updates the same order rather than making a second), `courier/
/// assign/awb` (the AWB from the courier set on Bahi's courier as `provider_courier_id`) and
/// `courier/generate/pickup`. Cancelling before pickup is `orders/cancel/shipment/awbs`.
///
/// Oddities the readers handle (each has a test): failures that arrive as HTTP 200 with a
/// numeric `status` (404 "Order does not exist!") and a `message`; 422 `{"message","errors":
/// {field:[…]},"status_code":422}`; `awb_assign_status: 0` with the reason inside; 400
/// "Cannot reassign courier"; the cancel's HTTP 204 *with* a JSON body.
public enum ShiprocketAPI {
    public static let defaultBaseURL = "https://apiv2.shiprocket.in/v1/external/"

    static func auth(_ token: String) -> [(name: String, value: String)] { [("Authorization", "Bearer \(token)")] }

    /// `POST auth/login {email, password}`.
    public static func login(baseURL: String, email: String, password: String) -> CourierProviderRequest {
        .json(CourierProviderRequest.join(baseURL, "auth/login"), ["email": .string(email), "password": .string(password)], headers: [])
    }

    /// The token of a login's answer. A refused login (wrong email or password) is a refusal
    /// naming the secrets, never retried.
    public static func loginAnswer(status: Int, body: [UInt8]) -> CourierProviderAnswer<String> {
        let root = ProviderJSON.object(body)
        if (200...299).contains(status), let token = ProviderJSON.text(root?["token"]) { return .ok(token) }
        if status == 401 || status == 403 || (400...499).contains(status) && status != 408 && status != 429 {
            let said = ProviderJSON.text(root?["message"]) ?? "login refused"
            return .refused(message: "Shiprocket refused the login (\(status)): \(said); check secrets.shiprocket_email and secrets.shiprocket_password",
                            field: "secrets.shiprocket_email")
        }
        if (200...299).contains(status) { return failure(status: status, root: root) ?? .unavailable("Shiprocket's login answer has no token") }
        return .unavailable("Shiprocket answered \(status) to the login")
    }

    /// `POST orders/create/adhoc`: the parcel as Shiprocket's documented order fields —
    /// `order_id` (the shipment id), `order_date` (IST, "YYYY-MM-DD HH:MM"), the pickup location
    /// registered with Shiprocket, the buyer as `billing_*` with `shipping_is_billing`,
    /// `order_items[]`, `payment_method` COD or Prepaid, `sub_total` in rupees, length,
    /// breadth and height in cm, weight in kg.
    public static func createOrder(baseURL: String, token: String, parcel p: CourierParcel, pickupLocation: String) -> CourierProviderRequest {
        var o = JSONObject()
        o["order_id"] = .string(p.shipmentID)
        o["order_date"] = .string(CourierTime.istDateTime(p.orderedAt))
        o["pickup_location"] = .string(pickupLocation)
        o["comment"] = .string("Bahi order \(p.orderReference)")
        let names = p.name.split(separator: " ", maxSplits: 1).map(String.init)
        o["billing_customer_name"] = .string(names.first ?? p.name)
        o["billing_last_name"] = .string(names.count > 1 ? names[1] : "")
        o["billing_address"] = .string(p.addressLines.first ?? "")
        o["billing_address_2"] = .string(p.addressLines.dropFirst().joined(separator: ", "))
        o["billing_city"] = .string(p.city)
        o["billing_pincode"] = .string(p.pincode)
        o["billing_state"] = .string(p.state)
        o["billing_country"] = .string("India")
        o["billing_email"] = .string(p.email ?? "")
        o["billing_phone"] = .string(p.phone)
        o["shipping_is_billing"] = .bool(true)
        o["order_items"] = .array(p.items.map { item in
            .object(["name": .string(item.name), "sku": .string(item.sku), "units": .int(item.units),
                     "selling_price": ProviderJSON.rupees(item.unitPricePaise), "hsn": .string(item.hsn)])
        })
        o["payment_method"] = .string(p.codPaise == nil ? "Prepaid" : "COD")
        o["sub_total"] = ProviderJSON.rupees(p.subtotalPaise)
        o["length"] = .int(CourierParcel.centimetres(p.lengthMM))
        o["breadth"] = .int(CourierParcel.centimetres(p.widthMM))
        o["height"] = .int(CourierParcel.centimetres(p.heightMM))
        o["weight"] = .number(JSONNumber(text: CourierParcel.kilograms(p.weightG)))
        return .json(CourierProviderRequest.join(baseURL, "orders/create/adhoc"), o, headers: auth(token))
    }

    /// Shiprocket's order and shipment ids from `orders/create/adhoc`'s answer
    /// (`{"order_id":…,"shipment_id":…,"status":"NEW","status_code":1,"awb_code":"",…}`).
    public static func orderAnswer(status: Int, body: [UInt8]) -> CourierProviderAnswer<(orderID: String, shipmentID: String)> {
        let root = ProviderJSON.object(body)
        if let failed = failure(status: status, root: root) { return failed.recast() }
        guard let order = ProviderJSON.text(root?["order_id"]), let shipment = ProviderJSON.text(root?["shipment_id"]) else {
            return .unavailable("Shiprocket's order answer has no order_id and shipment_id")
        }
        return .ok((order, shipment))
    }

    /// `POST courier/assign/awb {shipment_id, courier_id}`.
    public static func assignAWB(baseURL: String, token: String, shipmentID: String, courierID: String) -> CourierProviderRequest {
        .json(CourierProviderRequest.join(baseURL, "courier/assign/awb"),
              ["shipment_id": number(shipmentID), "courier_id": number(courierID)], headers: auth(token))
    }

    /// The AWB of `courier/assign/awb`'s answer (`{"awb_assign_status":1,"response":{"data":
    /// {"awb_code":…}}}`); `awb_assign_status` 0 is a refusal with the reason Shiprocket gives.
    public static func assignAnswer(status: Int, body: [UInt8]) -> CourierProviderAnswer<String> {
        let root = ProviderJSON.object(body)
        if let failed = failure(status: status, root: root) {
            // 400 "Cannot reassign courier": this Shiprocket shipment has an AWB already (an
            // earlier attempt whose answer never came back); Shiprocket allows one reassignment a day.
            if case .refused(let message, let field) = failed, message.lowercased().contains("reassign") {
                return .refused(message: message + " Shiprocket's shipment already has an AWB (an earlier attempt?): cancel it in Shiprocket's panel, then book again.",
                                field: field)
            }
            return failed
        }
        let data = ProviderJSON.object(ProviderJSON.object(root?["response"])?["data"])
        guard ProviderJSON.int(root?["awb_assign_status"]) == 1, let awb = ProviderJSON.text(data?["awb_code"]) else {
            let said = ProviderJSON.text(data?["awb_assign_error"]) ?? ProviderJSON.text(root?["message"])
                ?? ProviderJSON.text(ProviderJSON.object(root?["response"])?["data"]) ?? "no AWB assigned"
            return .refused(message: "Shiprocket assigned no AWB: \(said)", field: "courier_id")
        }
        return .ok(awb)
    }

    /// `POST courier/generate/pickup {shipment_id: [id]}`.
    public static func generatePickup(baseURL: String, token: String, shipmentID: String) -> CourierProviderRequest {
        .json(CourierProviderRequest.join(baseURL, "courier/generate/pickup"), ["shipment_id": .array([number(shipmentID)])], headers: auth(token))
    }

    /// `pickup_status` 1 is a pickup booked.
    public static func pickupAnswer(status: Int, body: [UInt8]) -> CourierProviderAnswer<Void> {
        let root = ProviderJSON.object(body)
        if let failed = failure(status: status, root: root) { return failed.recast() }
        guard ProviderJSON.int(root?["pickup_status"]) == 1 else {
            let said = ProviderJSON.text(root?["message"]) ?? ProviderJSON.text(ProviderJSON.object(root?["response"])?["data"]) ?? "no pickup booked"
            return .refused(message: "Shiprocket booked no pickup: \(said)", field: nil)
        }
        return .ok(())
    }

    /// `POST orders/cancel/shipment/awbs {awbs: [...]}` (before the parcel is out for pickup).
    public static func cancel(baseURL: String, token: String, awbs: [String]) -> CourierProviderRequest {
        .json(CourierProviderRequest.join(baseURL, "orders/cancel/shipment/awbs"), ["awbs": .array(awbs.map(JSONValue.string))], headers: auth(token))
    }

    /// Any 2xx is a cancellation, whatever the body (Shiprocket answers 204 *with* a JSON
    /// body, which a strict client would call a protocol error).
    public static func cancelAnswer(status: Int, body: [UInt8]) -> CourierProviderAnswer<Void> {
        if let failed = failure(status: status, root: ProviderJSON.object(body)) { return failed.recast() }
        return .ok(())
    }

    /// The failure an answer says, or nil when it is a success to read further: 401 is an
    /// expired token; a 2xx whose body carries a numeric `status` or `status_code` outside
    /// 2xx is Shiprocket's way of refusing over HTTP 200; 422 names fields; another 4xx
    /// (but 408, 429) is a refusal; anything else is unavailable.
    static func failure(status: Int, root: JSONObject?) -> CourierProviderAnswer<String>? {
        if status == 401 { return .unauthorized }
        let message = ProviderJSON.text(root?["message"])
        if (200...299).contains(status) {
            for key in ["status", "status_code"] {
                if case .number(let n)? = root?[key], let code = n.int64, !(200...299).contains(code), code >= 300 {
                    return .refused(message: "Shiprocket refused (\(code)): \(message ?? "no reason given")", field: nil)
                }
            }
            return nil
        }
        if (400...499).contains(status), status != 408, status != 429 {
            var field: String?
            var said = message ?? "no reason given"
            if let errors = ProviderJSON.object(root?["errors"]), let first = errors.entries.first {
                field = first.key
                let details = errors.entries.map { "\($0.key): \(ProviderJSON.strings($0.value).joined(separator: " "))" }
                said += " (" + details.joined(separator: "; ") + ")"
            }
            return .refused(message: "Shiprocket refused (\(status)): \(said)", field: field)
        }
        return .unavailable("Shiprocket answered \(status)")
    }

    /// Shiprocket's ids are integers: sent as numbers when they are digits.
    static func number(_ id: String) -> JSONValue {
        Int64(id).map(JSONValue.int) ?? .string(id)
    }
}
