/// A parsed JSON document that keeps what `Codable` throws away: the exact text of numbers
/// (money in paise must be an integer, never a float that happened to round), the order of
/// object keys, and therefore the ability to name an unknown or duplicated key.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A short name of the value's kind, for error messages ("expected an integer, got a string").
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number(let n): return n.int64 != nil ? "an integer" : "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Encodes the value back to compact JSON.
    public func encoded() -> [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }
}

/// A JSON number as written. `int64` is set only for an integer literal (no fraction, no
/// exponent) that fits in 64 bits.
public struct JSONNumber: Sendable, Equatable, CustomStringConvertible {
    public let text: String

    public init(text: String) { self.text = text }
    public init(_ value: Int64) { self.text = String(value) }
    public init(_ value: Int) { self.text = String(value) }

    public var int64: Int64? {
        guard !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return Int64(text)
    }

    public var double: Double? { Double(text) }

    public var description: String { text }
}

/// A JSON object with its keys in document order (duplicates are rejected by the parser).
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var entries: [(key: String, value: JSONValue)]

    public init(_ entries: [(key: String, value: JSONValue)] = []) {
        self.entries = entries
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.entries = []
        for (key, value) in elements { self[key] = value }
    }

    public subscript(key: String) -> JSONValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key: key, value: newValue))
            }
        }
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> { entries.makeIterator() }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.entries.count == rhs.entries.count && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension JSONWriter {
    /// Writes any `JSONValue`.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let n): raw(n.text)
        case .string(let s): string(s)
        case .array(let items):
            beginArray()
            for item in items { self.value(item) }
            endArray()
        case .object(let object):
            beginObject()
            for (k, v) in object { key(k); self.value(v) }
            endObject()
        }
    }
}

extension JSONValue {
    /// An integer (paise, counts, versions): the shorthand domain JSON is written with.
    public static func int(_ value: Int64) -> JSONValue { .number(JSONNumber(value)) }

    /// The encoded document as a string: what a TEXT column (event payloads, stored
    /// addresses, invoice documents) holds.
    public var encodedText: String { String(decoding: encoded(), as: UTF8.self) }

    /// A string, or `null` when absent: optional fields are always present in responses,
    /// so clients can rely on the key.
    public static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
}

extension JSONValue {
    /// The value as indented JSON (two spaces, one member per line, a final newline): for
    /// documents people read and diff, such as the committed `openapi.json`.
    public func prettyEncoded() -> [UInt8] {
        var out: [UInt8] = []
        JSONValue.pretty(self, indent: 0, into: &out)
        out.append(0x0A)
        return out
    }

    private static func pretty(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
        func newline(_ level: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(0x20, count: level * 2))
        }
        switch value {
        case .array(let items) where !items.isEmpty:
            out.append(0x5B)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(0x2C) }
                newline(indent + 1)
                pretty(item, indent: indent + 1, into: &out)
            }
            newline(indent)
            out.append(0x5D)
        case .object(let object) where object.count > 0:
            out.append(0x7B)
            for (i, (key, item)) in object.enumerated() {
                if i > 0 { out.append(0x2C) }
                newline(indent + 1)
                JSONWriter.appendQuoted(key, to: &out)
                out.append(contentsOf: [0x3A, 0x20])
                pretty(item, indent: indent + 1, into: &out)
            }
            newline(indent)
            out.append(0x7D)
        default:
            out.append(contentsOf: value.encoded())
        }
    }
}
