import BahiJSON

/// What the seller tells a courier about a parcel it could not deliver (an NDR): try again
/// (maybe on a later date), send it back, or try again at a corrected address or phone. The
/// NDR routes and their storage live elsewhere; this is the pure request each provider takes,
/// and how its answer reads. BahiAPI sends it (`CourierGateways.sendNDR`).
///
/// - Shiprocket `POST ndr/{awb}/action`: `action` re-attempt or return, `comments` (required:
///   the note), `deferred_date` (YYYY-MM-DD), `phone`, `address1`, `address2`; success is
///   HTTP 202 `{"status":"Data Updated Sucessfully"}` [sic].
/// - Delhivery `POST /api/p/update {"data":[{"waybill","act":"RE-ATTEMPT"}]}` (asynchronous: it
///   answers with an upload id); a later date is `DEFER_DLV` with `deferred_date`; a corrected
///   address or phone is an edit of the shipment (`POST /api/p/edit {waybill, add | phone}`),
///   which the courier's next attempt uses. Delhivery's API has no act for returning a
///   parcel: `return` is answered as unsupported, never sent.
public struct CourierNDRInstruction: Sendable, Equatable {
    /// What the seller asks: the NDR's own action (`ShipmentNDR.Action`), one vocabulary from the
    /// API to the provider.
    public typealias Action = ShipmentNDR.Action

    public var awb: String
    public var action: Action
    /// YYYY-MM-DD: the day the buyer asked for (re-attempt only).
    public var deferredDate: String?
    /// The corrected address: its first line and the rest (update_address).
    public var address1: String?
    public var address2: String?
    /// The corrected phone, ten digits (update_phone).
    public var phone: String?
    /// Why, for the courier (Shiprocket requires it).
    public var note: String

    public init(awb: String, action: Action, deferredDate: String? = nil, address1: String? = nil, address2: String? = nil, phone: String? = nil,
                note: String) {
        self.awb = awb
        self.action = action
        self.deferredDate = deferredDate
        self.address1 = address1
        self.address2 = address2
        self.phone = phone
        self.note = note
    }

    /// Every problem, each naming its field: an AWB of the wrong shape, an empty note, a date
    /// that is not YYYY-MM-DD, an update without its address or phone.
    public func problems() -> [FieldProblem] {
        var out: [FieldProblem] = []
        if !CourierWaybills.isAWB(awb) { out.append(FieldProblem("awb", "invalid_awb", "An AWB is 8 to 30 letters or digits.")) }
        if note.trimmedASCII().isEmpty { out.append(FieldProblem("note", "required", "Say why, for the courier (Shiprocket requires comments).")) }
        if let date = deferredDate, !Self.isDate(date) { out.append(FieldProblem("deferred_date", "invalid", "A day as YYYY-MM-DD.")) }
        if action == .updateAddress, (address1 ?? "").trimmedASCII().isEmpty {
            out.append(FieldProblem("address1", "required", "update_address needs the corrected address."))
        }
        if action == .updatePhone, !(phone.map { $0.utf8.count == 10 && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } } ?? false) {
            out.append(FieldProblem("phone", "required", "update_phone needs the corrected phone: ten digits."))
        }
        return out
    }

    /// Whether `text` is a real day written YYYY-MM-DD.
    static func isDate(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D,
              let y = Int64(String(decoding: b[0..<4], as: UTF8.self)), let m = Int64(String(decoding: b[5..<7], as: UTF8.self)),
              let d = Int64(String(decoding: b[8..<10], as: UTF8.self)), (1...12).contains(m), (1...31).contains(d) else { return false }
        return Timestamps.civil(days: Timestamps.days(year: y, month: m, day: d)) == (y, m, d)
    }

    /// A request to send, or why this provider cannot take the instruction.
    public enum Built: Sendable {
        case request(CourierProviderRequest)
        case unsupported(String)
    }

    /// Shiprocket's `POST ndr/{awb}/action` (it takes every action).
    public func shiprocket(baseURL: String, token: String) -> CourierProviderRequest {
        var o = JSONObject()
        o["action"] = .string(action == .return ? "return" : "re-attempt")
        o["comments"] = .string(note)
        if let deferredDate { o["deferred_date"] = .string(deferredDate) }
        if let phone { o["phone"] = .string(phone) }
        if let address1 { o["address1"] = .string(address1) }
        if let address2 { o["address2"] = .string(address2) }
        return .json(CourierProviderRequest.join(baseURL, "ndr/\(CourierProviderRequest.segment(awb))/action"), o, headers: ShiprocketAPI.auth(token))
    }

    /// Delhivery's `POST /api/p/update` (re-attempt, deferred delivery) or `/api/p/edit` (a
    /// corrected address or phone); `return` is unsupported.
    public func delhivery(baseURL: String, token: String) -> Built {
        switch action {
        case .return:
            return .unsupported("Delhivery's API has no act to return an undelivered parcel: it returns it (RTO) after its last attempt, or ask Delhivery to.")
        case .reattempt:
            var item: JSONObject = ["waybill": .string(awb), "act": .string(deferredDate == nil ? "RE-ATTEMPT" : "DEFER_DLV")]
            if let deferredDate { item["deferred_date"] = .string(deferredDate) }
            return .request(.json(CourierProviderRequest.join(baseURL, "api/p/update"), ["data": .array([.object(item)])], headers: DelhiveryAPI.auth(token)))
        case .updateAddress, .updatePhone:
            var edit: JSONObject = ["waybill": .string(awb)]
            if action == .updateAddress {
                edit["add"] = .string(DelhiveryAPI.clean([address1, address2].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")))
            } else if let phone {
                edit["phone"] = .string(phone)
            }
            return .request(.json(CourierProviderRequest.join(baseURL, "api/p/edit"), edit, headers: DelhiveryAPI.auth(token)))
        }
    }

    /// Shiprocket's answer: 2xx (its success is 202) with no error inside is taken; its words
    /// (`status`, "Data Updated Sucessfully") are kept.
    public static func shiprocketAnswer(status: Int, body: [UInt8]) -> CourierProviderAnswer<String> {
        let root = ProviderJSON.object(body)
        if let failed = ShiprocketAPI.failure(status: status, root: root) { return failed }
        return .ok(ProviderJSON.text(root?["status"]) ?? ProviderJSON.text(root?["message"]) ?? "accepted")
    }

    /// Delhivery's answer: 2xx unless it says `status: false` or `success: false`.
    public static func delhiveryAnswer(status: Int, body: [UInt8]) -> CourierProviderAnswer<String> {
        let root = ProviderJSON.object(body)
        if let failed = DelhiveryAPI.failure(status: status, root: root) { return failed }
        if root?["status"] == .bool(false) || root?["success"] == .bool(false) {
            let said = ProviderJSON.text(root?["remark"]) ?? ProviderJSON.text(root?["error"]) ?? ProviderJSON.text(root?["rmk"]) ?? "no reason given"
            return .refused(message: "Delhivery did not take the instruction: \(said)", field: nil)
        }
        return .ok(ProviderJSON.text(root?["request_id"]) ?? ProviderJSON.text(root?["remark"]) ?? "accepted")
    }
}
