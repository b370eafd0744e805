import BahiJSON

/// Reading providers' answers, which are loose about types: Shiprocket's ids are numbers in
/// one answer and strings in another, its `status` a number (an error code) or a word.
enum ProviderJSON {
    /// The body as a JSON object, or nil.
    static func object(_ body: [UInt8]) -> JSONObject? {
        guard !body.isEmpty, case .object(let o)? = try? JSONParser.parse(body) else { return nil }
        return o
    }

    /// A string, or an integer written as text; nil for anything else or an empty string.
    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s)?: s.isEmpty ? nil : s
        case .number(let n)?: n.int64.map(String.init)
        default: nil
        }
    }

    /// An integer, or a string of digits.
    static func int(_ value: JSONValue?) -> Int64? {
        switch value {
        case .number(let n)?: n.int64
        case .string(let s)?: Int64(s)
        default: nil
        }
    }

    static func object(_ value: JSONValue?) -> JSONObject? {
        if case .object(let o)? = value { o } else { nil }
    }

    /// An array's strings (non-strings left out); a lone string as one.
    static func strings(_ value: JSONValue?) -> [String] {
        switch value {
        case .array(let items)?: items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        case .string(let s)?: [s]
        default: []
        }
    }

    /// Paise as exact rupees: 49900 → `499`, 49950 → `499.5`, 5 → `0.05`.
    static func rupees(_ paise: Int64) -> JSONValue {
        let whole = paise / 100, rest = paise % 100
        guard rest != 0 else { return .number(JSONNumber(whole)) }
        let fraction = rest % 10 == 0 ? String(rest / 10) : (rest < 10 ? "0\(rest)" : String(rest))
        return .number(JSONNumber(text: "\(whole).\(fraction)"))
    }
}
