/// Header fields in the order they arrived, duplicates kept, looked up case-insensitively.
///
/// An array rather than a dictionary: requests carry a handful of fields, order matters for
/// proxies and signatures, and a repeated field must stay visible so framing checks can
/// reject it.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var count: Int { fields.count }

    /// Appends a field, keeping any earlier field of the same name.
    public mutating func add(name: String, value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field of this name with one field.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every field of this name.
    public mutating func remove(name: String) {
        fields.removeAll { HTTPHeaders.equalsIgnoringCase($0.name, name) }
    }

    /// The first value of the named field.
    public subscript(name: String) -> String? {
        first(name: name)
    }

    /// The first value of the named field.
    public func first(name: String) -> String? {
        for field in fields where HTTPHeaders.equalsIgnoringCase(field.name, name) { return field.value }
        return nil
    }

    /// Every value of the named field, in order.
    public func values(name: String) -> [String] {
        fields.filter { HTTPHeaders.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    /// True if the field is present at least once.
    public func contains(name: String) -> Bool { first(name: name) != nil }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// ASCII case-insensitive comparison (field names are ASCII tokens).
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        let au = a.utf8, bu = b.utf8
        guard au.count == bu.count else { return false }
        for (x, y) in zip(au, bu) where x != y {
            if ASCII.lower(x) != ASCII.lower(y) { return false }
        }
        return true
    }
}

/// Byte classes from RFC 9110 §5.6 and RFC 9112, as small lookup-free predicates.
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    /// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    @inline(__always) static func isTokenChar(_ b: UInt8) -> Bool {
        tokenTable[Int(b)]
    }

    private static let tokenTable: [Bool] = (0..<256).map { value in
        let b = UInt8(value)
        if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(b)
    }

    /// field-vchar or SP/HTAB: visible ASCII, obs-text, space and tab. Everything else (the
    /// C0 controls, DEL) is rejected in a field value.
    @inline(__always) static func isFieldValueChar(_ b: UInt8) -> Bool {
        b == tab || (b >= 0x20 && b != 0x7F)
    }

    /// A request-target character: visible ASCII only (RFC 3986 plus a little leniency).
    @inline(__always) static func isTargetChar(_ b: UInt8) -> Bool { b > 0x20 && b < 0x7F }

    @inline(__always) static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: return Int(b - 0x30)
        case 0x41...0x46: return Int(b - 0x41 + 10)
        case 0x61...0x66: return Int(b - 0x61 + 10)
        default: return nil
        }
    }

    /// Compares bytes to a lowercase ASCII literal, ignoring case.
    @inline(__always)
    static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let lit = literal.utf8Start
        for i in 0..<bytes.count where lower(bytes[i]) != lit[i] { return false }
        return true
    }
}
