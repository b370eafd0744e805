/// A small, allocation-light JSON writer for the server's own documents (problem+json, access
/// log lines, health). Commas are managed for the caller; strings are escaped per RFC 8259.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func beginObject() { separate(); bytes.append(0x7B); needsComma = false }
    public mutating func endObject() { bytes.append(0x7D); needsComma = true }
    public mutating func beginArray() { separate(); bytes.append(0x5B); needsComma = false }
    public mutating func endArray() { bytes.append(0x5D); needsComma = true }

    /// Writes an object key; the next value follows without a comma.
    public mutating func key(_ name: String) {
        separate()
        JSONWriter.appendQuoted(name, to: &bytes)
        bytes.append(0x3A)
        needsComma = false
    }

    public mutating func string(_ value: String) { separate(); JSONWriter.appendQuoted(value, to: &bytes); needsComma = true }
    public mutating func string(_ value: Substring) { string(String(value)) }
    public mutating func int(_ value: Int) { separate(); bytes.append(contentsOf: String(value).utf8); needsComma = true }
    public mutating func int64(_ value: Int64) { separate(); bytes.append(contentsOf: String(value).utf8); needsComma = true }
    public mutating func bool(_ value: Bool) { separate(); bytes.append(contentsOf: (value ? "true" : "false").utf8); needsComma = true }
    public mutating func null() { separate(); bytes.append(contentsOf: "null".utf8); needsComma = true }
    /// Writes an already-encoded JSON value.
    public mutating func raw(_ json: String) { separate(); bytes.append(contentsOf: json.utf8); needsComma = true }
    public mutating func raw(_ json: [UInt8]) { separate(); bytes.append(contentsOf: json); needsComma = true }

    private mutating func separate() {
        if needsComma { bytes.append(0x2C) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `value` as a quoted JSON string.
    public static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        out.append(0x22)
        // Most strings (ids, codes, times) need no escape: check, then copy them in one go
        // instead of appending byte by byte.
        var value = value
        let copied = value.withUTF8 { bytes -> Bool in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied {
            out.append(0x22)
            return
        }
        for b in value.utf8 {
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0..<0x20, 0x7F:
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(0x22)
    }
}
