import BahiJSON

/// A JSON object inside a gateway payload, with its path from the root, so that every read
/// that fails throws a `GatewayPayloadError` naming the exact field.
///
/// Why a reader of its own: the three decoders read the same kinds of field (ids that are
/// strings or integers, paise integers, rupee decimals, optional strings that may be `null`
/// or `""`), and each must fail the same precise way.
struct GatewayPayload {
    let object: JSONObject
    let path: String

    /// The document `body` holds, which must be a JSON object.
    static func parse(_ body: [UInt8]) throws(GatewayPayloadError) -> GatewayPayload {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw GatewayPayloadError(path: "$", expected: "a JSON object", found: "invalid JSON (\(error.description))")
        }
        guard case .object(let object) = value else {
            throw GatewayPayloadError(path: "$", expected: "a JSON object", found: value.kindName)
        }
        return GatewayPayload(object: object, path: "")
    }

    /// The path of `key` under this object.
    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value at `key`, nil when absent or `null`.
    func present(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func failure(_ key: String, expected: String) -> GatewayPayloadError {
        GatewayPayloadError(path: path(key), expected: expected, found: present(key).map(Self.describe) ?? "nothing")
    }

    /// The object at `key`.
    func object(_ key: String) throws(GatewayPayloadError) -> GatewayPayload {
        guard let found = try optionalObject(key) else { throw failure(key, expected: "an object") }
        return found
    }

    /// The object at `key`, nil when absent or `null`.
    func optionalObject(_ key: String) throws(GatewayPayloadError) -> GatewayPayload? {
        guard let value = present(key) else { return nil }
        guard case .object(let inner) = value else { throw failure(key, expected: "an object") }
        return GatewayPayload(object: inner, path: path(key))
    }

    /// The non-empty string at `key`.
    func string(_ key: String) throws(GatewayPayloadError) -> String {
        guard let text = try optionalString(key) else { throw failure(key, expected: "a non-empty string") }
        return text
    }

    /// The string at `key`; nil when absent, `null` or empty (gateways write all three for "none":
    /// Razorpay's `error_code` is `""` in one sample and `null` in another).
    func optionalString(_ key: String) throws(GatewayPayloadError) -> String? {
        guard let value = present(key) else { return nil }
        guard case .string(let text) = value else { throw failure(key, expected: "a string") }
        return text.isEmpty ? nil : text
    }

    /// An identifier that is a string in some payloads and an integer in others (Cashfree's
    /// `cf_payment_id`), as text.
    func identifier(_ key: String) throws(GatewayPayloadError) -> String {
        switch present(key) {
        case .string(let text) where !text.isEmpty: return text
        case .number(let number) where number.int64 != nil: return number.text
        default: throw failure(key, expected: "an identifier (a non-empty string or an integer)")
        }
    }

    /// The non-negative integer paise at `key`.
    func paise(_ key: String) throws(GatewayPayloadError) -> Int64 {
        guard let amount = try optionalPaise(key) else { throw failure(key, expected: "an integer amount in paise") }
        return amount
    }

    /// The non-negative integer paise at `key`, nil when absent or `null` (Razorpay's `fee`
    /// before capture).
    func optionalPaise(_ key: String) throws(GatewayPayloadError) -> Int64? {
        guard let value = present(key) else { return nil }
        guard case .number(let number) = value, let amount = number.int64, amount >= 0 else {
            throw failure(key, expected: "an integer amount in paise")
        }
        return amount
    }

    /// The rupee amount at `key` in paise, read from the number's text (`PaiseAmount`).
    func rupees(_ key: String) throws(GatewayPayloadError) -> Int64 {
        guard let amount = try optionalRupees(key) else { throw failure(key, expected: Self.rupeeAmount) }
        return amount
    }

    /// The rupee amount at `key` in paise, nil when absent or `null`.
    func optionalRupees(_ key: String) throws(GatewayPayloadError) -> Int64? {
        guard let value = present(key) else { return nil }
        guard case .number(let number) = value, let amount = PaiseAmount.paise(fromRupees: number) else {
            throw failure(key, expected: Self.rupeeAmount)
        }
        return amount
    }

    /// The integer at `key`, nil when absent or `null` (Razorpay's `created_at` seconds).
    func optionalInteger(_ key: String) throws(GatewayPayloadError) -> Int64? {
        guard let value = present(key) else { return nil }
        guard case .number(let number) = value, let integer = number.int64 else { throw failure(key, expected: "an integer") }
        return integer
    }

    /// The string at `key` mapped through `table`, or an error listing what `table` accepts.
    func oneOf<T>(_ key: String, _ table: [String: T]) throws(GatewayPayloadError) -> T {
        guard let text = try optionalString(key), let mapped = table[text] else {
            throw failure(key, expected: "one of " + table.keys.sorted().joined(separator: ", "))
        }
        return mapped
    }

    static let rupeeAmount = "a non-negative rupee amount with at most two decimals"

    /// A found value for an error message: strings quoted (cut at 40 characters), else the kind.
    static func describe(_ value: JSONValue) -> String {
        if case .string(let text) = value {
            return "\"" + (text.count > 40 ? String(text.prefix(40)) + "…" : text) + "\""
        }
        if case .number(let number) = value { return number.text }
        return value.kindName
    }
}
