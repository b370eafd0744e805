/// How a request's body is delimited, decided once from its header fields (RFC 9112 §6.3).
public enum HTTPBodyFraming: Sendable, Equatable {
    /// No body: no Content-Length and no Transfer-Encoding.
    case none
    /// Exactly this many bytes follow the header block.
    case length(Int)
    /// The body is chunked; its length is known only at the last chunk.
    case chunked
}

/// A parsed request line and header block, before the body.
///
/// The connection decides on it before reading any body: the route's body limit (413), an
/// `Expect: 100-continue` answer, and whether the connection persists.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: HTTPMethod
    /// The request target exactly as sent (origin-form, absolute-form or `*`).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var framing: HTTPBodyFraming
    /// The client asked for `100 Continue` before it sends the body.
    public var expectsContinue: Bool
    /// Whether the client wants the connection kept open after this exchange.
    public var keepAlive: Bool

    public init(
        method: HTTPMethod, target: String, version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(), framing: HTTPBodyFraming = .none,
        expectsContinue: Bool = false, keepAlive: Bool = true
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.framing = framing
        self.expectsContinue = expectsContinue
        self.keepAlive = keepAlive
    }

    /// The path part of the target, without the query; for absolute-form, the path after the
    /// authority. `*` stays `*`.
    public var path: Substring {
        var rest = Substring(target)
        if !rest.hasPrefix("/"), rest.prefix(4).lowercased() == "http" {
            // absolute-form: drop "scheme://authority"
            let afterScheme = rest.drop { $0 != ":" }.dropFirst(3)
            rest = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        }
        // Searched as bytes: `?` is ASCII, so its UTF-8 index is a character boundary, and
        // this avoids grapheme breaking over the whole target on every request.
        if let q = rest.utf8.firstIndex(of: UInt8(ascii: "?")) { rest = rest[..<q] }
        return rest
    }

    /// The query string after `?`, if any (without the `?`).
    public var query: Substring? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: q)...]
    }
}

/// A whole request as a handler sees it: head, body, the route's parameters and the id the
/// access log and any error response carry.
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    /// Values of the route's `:name` segments, percent-decoded.
    public var parameters: [String: String]
    /// The client's sane `X-Request-Id` or a generated one; echoed on the response.
    public var requestID: String

    public init(head: HTTPRequestHead, body: [UInt8] = [], parameters: [String: String] = [:], requestID: String = "") {
        self.head = head
        self.body = body
        self.parameters = parameters
        self.requestID = requestID
    }

    public var method: HTTPMethod { head.method }
    public var headers: HTTPHeaders { head.headers }
    public var path: Substring { head.path }
    public var query: Substring? { head.query }

    /// The decoded value of one query parameter (`?limit=10&after=x`), first occurrence wins.
    public func queryItem(_ name: String) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if PercentDecoding.decode(parts[0], plusAsSpace: true) == name {
                return parts.count > 1 ? PercentDecoding.decode(parts[1], plusAsSpace: true) ?? "" : ""
            }
        }
        return nil
    }
}

/// Percent-decoding for path segments and query items. Returns nil for malformed escapes or
/// bytes that are not UTF-8, so a handler never sees a silently mangled value.
public enum PercentDecoding {
    public static func decode(_ text: Substring, plusAsSpace: Bool = false) -> String? {
        if !text.utf8.contains(where: { $0 == 0x25 || (plusAsSpace && $0 == 0x2B) }) { return String(text) }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var it = text.utf8.makeIterator()
        while let b = it.next() {
            if b == 0x25 {
                guard let h = it.next(), let l = it.next(), let hv = ASCII.hexValue(h), let lv = ASCII.hexValue(l) else { return nil }
                out.append(UInt8(hv << 4 | lv))
            } else if b == 0x2B && plusAsSpace {
                out.append(0x20)
            } else {
                out.append(b)
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}
