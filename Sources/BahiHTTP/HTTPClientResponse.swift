/// How a response's body is delimited, decided once from its status, its request's method
/// and its header fields (RFC 9112 §6.3).
public enum HTTPResponseFraming: Sendable, Equatable {
    /// No body: HEAD, 1xx, 204, 304, or `Content-Length: 0`.
    case none
    /// Exactly this many bytes follow the header block.
    case length(Int)
    /// The body is chunked; its length is known only at the last chunk.
    case chunked
    /// Neither Content-Length nor Transfer-Encoding: the body ends when the server closes.
    case untilClose
}

/// A parsed status line and header block, before the body.
public struct HTTPResponseHead: Sendable, Equatable {
    public var version: HTTPVersion
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    /// How the body was (or will be) delimited: also whether the connection can be reused.
    public var framing: HTTPResponseFraming
    /// Whether the connection may carry another request after this response: HTTP/1.1
    /// without `Connection: close` (1.0 only with `keep-alive`), and a body that does not
    /// run to the close.
    public var keepAlive: Bool

    /// A head as the parser produces it (public for tests and stubs).
    public init(version: HTTPVersion = .http1_1, status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), framing: HTTPResponseFraming = .none, keepAlive: Bool = true) {
        self.version = version
        self.status = status
        self.headers = headers
        self.framing = framing
        self.keepAlive = keepAlive
    }
}

/// A whole response as `HTTPClient` returns it: status, header fields and body (de-chunked).
public struct HTTPClientResponse: Sendable {
    public var status: HTTPStatus
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// The body, de-chunked; empty for HEAD, 204 and 304.
    public var body: [UInt8]
    /// True when the request asked for a body excerpt (`HTTPClientRequest.bodyExcerptLimit`)
    /// and the body was longer: `body` holds its first bytes only.
    public var bodyTruncated: Bool
    /// The URL that answered, after any redirects followed.
    public var url: HTTPURL

    /// A response as the client returns it (public for stubs of the client in tests).
    public init(status: HTTPStatus, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], bodyTruncated: Bool = false, url: HTTPURL) {
        self.status = status
        self.version = version
        self.headers = headers
        self.body = body
        self.bodyTruncated = bodyTruncated
        self.url = url
    }

    /// The body as UTF-8 text (invalid sequences replaced), for logs and excerpts.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// `Retry-After` as seconds from now, when it is given as delta-seconds (RFC 9110
    /// §10.2.3). An HTTP-date is left to the caller (`headers["Retry-After"]`), since turning
    /// it into a delay needs the caller's clock.
    public var retryAfterSeconds: Int? {
        guard let value = headers["Retry-After"], !value.isEmpty, value.utf8.count <= 10,
              value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(value)
    }
}
