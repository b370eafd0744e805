/// Serialises a response into the bytes of one `writev`: status line, the framing fields the
/// server owns, the handler's fields, and the body.
///
/// The server owns `Content-Length`, `Connection`, `Date`, `Server` and `X-Request-Id`; a
/// handler's own `Content-Length`, `Connection` and `Transfer-Encoding` are dropped so it can
/// never desynchronise framing, and CR and LF are stripped from its field names and values so
/// it can never split the response.
public enum HTTPResponseEncoder {
    /// Encodes `response` (headers and body in one array).
    ///
    /// - Parameters:
    ///   - isHeadRequest: answer to HEAD: `Content-Length` of the body, but no body.
    ///   - close: add `Connection: close`.
    ///   - keepAliveHeader: add `Connection: keep-alive` (an HTTP/1.0 client that asked for it).
    public static func encode(
        _ response: HTTPResponse, requestID: String, date: [UInt8],
        isHeadRequest: Bool, close: Bool, keepAliveHeader: Bool
    ) -> [UInt8] {
        let sendsBody = response.status.allowsBody && !isHeadRequest
        var out: [UInt8] = []
        out.reserveCapacity(160 + response.headers.count * 48 + (sendsBody ? response.body.count : 0))
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(response.status.code, to: &out)
        out.append(0x20)
        out.append(contentsOf: response.status.reason.utf8)
        out.append(contentsOf: "\r\nServer: bahi\r\nDate: ".utf8)
        out.append(contentsOf: date)
        if response.status.allowsBody {
            out.append(contentsOf: "\r\nContent-Length: ".utf8)
            appendDecimal(response.body.count, to: &out)
        }
        if !requestID.isEmpty {
            out.append(contentsOf: "\r\nX-Request-Id: ".utf8)
            out.append(contentsOf: requestID.utf8)
        }
        if close {
            out.append(contentsOf: "\r\nConnection: close".utf8)
        } else if keepAliveHeader {
            out.append(contentsOf: "\r\nConnection: keep-alive".utf8)
        }
        for (name, value) in response.headers {
            if HTTPHeaders.equalsIgnoringCase(name, "content-length") || HTTPHeaders.equalsIgnoringCase(name, "connection")
                || HTTPHeaders.equalsIgnoringCase(name, "transfer-encoding") {
                continue
            }
            out.append(0x0D); out.append(0x0A)
            // A name or value must never smuggle a line break into the response.
            for b in name.utf8 where b != 0x0D && b != 0x0A { out.append(b) }
            out.append(0x3A); out.append(0x20)
            for b in value.utf8 where b != 0x0D && b != 0x0A { out.append(b) }
        }
        out.append(contentsOf: [0x0D, 0x0A, 0x0D, 0x0A])
        if sendsBody { out.append(contentsOf: response.body) }
        return out
    }

    /// The interim response to `Expect: 100-continue`.
    public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    @inline(__always)
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(0x30 + value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            while n > 0 {
                raw[count] = UInt8(0x30 + n % 10)
                n /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(raw[i]) }
        }
    }
}
