public import BahiJSON

/// A shipping or billing address as the buyer gave it, with the pincode checked against the
/// India Post directory (which decides the state, not the buyer's free text).
public struct OrderAddress: Sendable, Equatable {
    public var name: String
    public var line1: String
    public var line2: String?
    public var landmark: String?
    public var city: String
    /// The state as the buyer wrote it (kept for the label); `pincodeState` is what counts.
    public var state: String?
    public var pincode: String
    /// +91 and ten digits.
    public var phone: String?

    public init(name: String, line1: String, line2: String? = nil, landmark: String? = nil, city: String, state: String? = nil, pincode: String, phone: String? = nil) {
        self.name = name
        self.line1 = line1
        self.line2 = line2
        self.landmark = landmark
        self.city = city
        self.state = state
        self.pincode = pincode
        self.phone = phone
    }

    /// The address as stored and shown.
    public var json: JSONValue {
        var o = JSONObject()
        o["name"] = .string(name)
        o["line1"] = .string(line1)
        o["line2"] = line2.map(JSONValue.string) ?? .null
        o["landmark"] = landmark.map(JSONValue.string) ?? .null
        o["city"] = .string(city)
        o["state"] = state.map(JSONValue.string) ?? .null
        o["pincode"] = .string(pincode)
        o["phone"] = phone.map(JSONValue.string) ?? .null
        if let info = PincodeDirectory.lookup(pincode) {
            o["district"] = .string(info.district)
            o["pincode_state"] = .string(info.stateCode.name)
            o["state_code"] = .string(info.stateCode.gstCode)
        }
        return .object(o)
    }

    /// Reads a stored address back; nil if it is not one.
    public init?(json: JSONValue) {
        guard case .object(let o) = json, case .string(let name)? = o["name"], case .string(let line1)? = o["line1"],
              case .string(let city)? = o["city"], case .string(let pincode)? = o["pincode"] else { return nil }
        func text(_ key: String) -> String? { if case .string(let s)? = o[key] { s } else { nil } }
        self.init(name: name, line1: line1, line2: text("line2"), landmark: text("landmark"), city: city, state: text("state"), pincode: pincode, phone: text("phone"))
    }

    /// The lines RTO risk judges.
    public var riskLines: AddressLines {
        AddressLines(line1: line1, line2: line2, landmark: landmark, city: city)
    }

    /// One line for invoices and pick lists.
    public var singleLine: String {
        [line1, line2, landmarkLine, city, state, pincode].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
    }

    /// The landmark as printed: "near Zoo Tiniali", unless the buyer already wrote where it is
    /// ("Near Zoo Tiniali", "Opp. Gate 2", "behind the temple"), which is printed as typed.
    public var landmarkLine: String? {
        guard let landmark, !landmark.isEmpty else { return nil }
        let lower = landmark.lowercased()
        let placed = ["near ", "nr ", "nr. ", "opp ", "opp. ", "opposite ", "behind ", "beside ", "next to ", "above ", "below ", "in front of "]
        return placed.contains { lower.hasPrefix($0) } ? landmark : "near \(landmark)"
    }
}
