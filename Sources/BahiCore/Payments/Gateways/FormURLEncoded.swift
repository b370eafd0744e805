/// `application/x-www-form-urlencoded` bodies, parsed without Foundation.
///
/// Why: PayU posts its payment callbacks as HTML forms, and its hash is computed over the
/// values as decoded, so the decoding must be exact — `+` is a space, `%XX` is a byte, and a
/// value that cannot be decoded faithfully is refused rather than guessed at.
public enum FormURLEncoded {
    /// The form's fields in the order sent; nil when a `%` is not followed by two hex digits
    /// or a decoded name or value is not UTF-8.
    ///
    /// `&` separates fields, and empty pieces (`a=1&&b=2`) are skipped; a field without `=` has
    /// an empty value. When a name repeats, the first value is kept and later ones are dropped:
    /// one field, one value, so a second copy appended after signing cannot change what the
    /// hash was checked against. Bytes other than `+` and `%` are taken as they are (PayU's
    /// own samples carry raw spaces).
    public static func parse(_ body: [UInt8]) -> [(name: String, value: String)]? {
        var fields: [(name: String, value: String)] = []
        var seen = Set<String>()
        for piece in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = piece.firstIndex(of: UInt8(ascii: "="))
            let rawName = piece[..<(equals ?? piece.endIndex)]
            let rawValue = equals.map { piece[($0 + 1)...] } ?? []
            guard let name = decode(rawName), let value = decode(rawValue) else { return nil }
            if seen.insert(name).inserted { fields.append((name: name, value: value)) }
        }
        return fields
    }

    /// The text of one form name or value: `+` → space, `%XX` → the byte; nil for a bad
    /// escape or bytes that are not UTF-8.
    private static func decode(_ raw: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < raw.endIndex,
                      let high = Digest.hexValue(raw[index + 1]), let low = Digest.hexValue(raw[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}
