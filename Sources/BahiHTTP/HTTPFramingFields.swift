/// The header fields that decide how a message is framed and whether its connection
/// persists — Content-Length, Transfer-Encoding, Connection — noted as they pass, by the
/// request and the response parser alike, so both read them by one set of rules: lists split
/// on the comma byte, names and tokens compared as ASCII (a Unicode look-alike such as
/// "chun\u{212A}ed" is an unknown coding, never chunked), every Content-Length kept so a
/// repeat is seen.
struct HTTPFramingFields {
    /// Each Content-Length field's value in order, nil where it was not one decimal number.
    var contentLengths: [Int?] = []
    var sawTransferEncoding = false
    /// The transfer codings in order: "chunked", or "?" and the unknown coding's name.
    var transferCodings: [String] = []
    var connectionClose = false
    var connectionKeepAlive = false

    /// Notes the field if it is one of the three; false for any other field.
    mutating func note(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool {
        switch name.count {
        case 10 where ASCII.equalsLowercase(name, "connection"):
            for t in ASCII.listMembers(value) {
                if ASCII.equalsLowercase(t, "close") { connectionClose = true } else if ASCII.equalsLowercase(t, "keep-alive") { connectionKeepAlive = true }
            }
        case 14 where ASCII.equalsLowercase(name, "content-length"):
            contentLengths.append(HTTPSyntax.decimal(value))
        case 17 where ASCII.equalsLowercase(name, "transfer-encoding"):
            sawTransferEncoding = true
            for c in ASCII.listMembers(value) where !c.isEmpty {
                transferCodings.append(ASCII.equalsLowercase(c, "chunked") ? "chunked" : "?" + String(decoding: c, as: UTF8.self))
            }
        default:
            return false
        }
        return true
    }

    /// Whether the connection stays open after this message: HTTP/1.1 unless `close`,
    /// HTTP/1.0 only with `keep-alive`.
    func persists(_ version: HTTPVersion) -> Bool {
        version == .http1_1 ? !connectionClose : (connectionKeepAlive && !connectionClose)
    }
}
