/// One request for `HTTPClient`: method, absolute URL, header fields and an optional body,
/// with the per-request choices a background worker needs (its own timeouts, how many
/// redirects to follow, how much of the body to keep).
///
/// The client owns framing: it writes `Host`, `Content-Length` (for any body, and 0 for an
/// empty POST, PUT or PATCH) and nothing else on its own; a request that sets
/// `Content-Length`, `Transfer-Encoding` or `Host` itself is refused (`invalidRequest`), so
/// what goes on the wire can never disagree with the body.
public struct HTTPClientRequest: Sendable {
    public var method: HTTPMethod
    /// Where it goes: the origin picks the pooled connection, the target is sent.
    public var url: HTTPURL
    /// Sent in order after `Host`; the client adds `User-Agent` unless set here.
    public var headers: HTTPHeaders
    /// Sent with `Content-Length`; never chunked, so every receiver can read it.
    public var body: [UInt8]
    /// Overrides the client's timeouts for this request.
    public var timeouts: HTTPClientTimeouts?
    /// Redirects (301, 302, 303, 307, 308 with `Location`) followed before the response is
    /// returned as it is; 0, the default, follows none. More than this many in a row is
    /// `HTTPClientError.tooManyRedirects`.
    public var followRedirects: Int = 0
    /// Keep at most this many bytes of the body and stop reading there (the connection is
    /// then closed, not reused): for callers that record an excerpt, such as a delivery
    /// log, and must not fail on a large answer. nil keeps the whole body, up to
    /// the client's limit.
    public var bodyExcerptLimit: Int?

    /// A request to an already parsed URL.
    public init(method: HTTPMethod = .get, url: HTTPURL, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// A request to a URL given as text; `invalidURL` if it is not an absolute http(s) URL.
    public init(method: HTTPMethod = .get, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) throws(HTTPClientError) {
        guard let parsed = HTTPURL(url) else { throw .invalidURL(url) }
        self.init(method: method, url: parsed, headers: headers, body: body)
    }

    /// Methods whose repetition has the effect of one (RFC 9110 §9.2.2): only these are
    /// sent again when a reused connection turns out to have been closed by the server.
    public var isIdempotent: Bool {
        switch method {
        case .get, .head, .put, .delete, .options, .trace: return true
        default: return false
        }
    }

    /// The request line and header block, validated: names must be tokens, values free of
    /// CR, LF and other controls.
    func encodeHead(userAgent: String) throws(HTTPClientError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + body.count)
        guard method.rawValue.utf8.allSatisfy(ASCII.isTokenChar), !method.rawValue.isEmpty else {
            throw .invalidRequest("method \(method.rawValue) is not a token")
        }
        out.append(contentsOf: method.rawValue.utf8)
        out.append(ASCII.space)
        out.append(contentsOf: url.target.utf8)
        out.append(contentsOf: " HTTP/1.1\r\nHost: ".utf8)
        out.append(contentsOf: url.origin.hostField.utf8)
        out.append(contentsOf: "\r\n".utf8)
        var sawUserAgent = false
        for field in headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(ASCII.isTokenChar) else {
                throw .invalidRequest("header name \(field.name.debugDescription) is not a token")
            }
            guard field.value.utf8.allSatisfy(ASCII.isFieldValueChar) else {
                throw .invalidRequest("header \(field.name) has a control character in its value")
            }
            if HTTPHeaders.equalsIgnoringCase(field.name, "content-length") || HTTPHeaders.equalsIgnoringCase(field.name, "transfer-encoding")
                || HTTPHeaders.equalsIgnoringCase(field.name, "host") {
                throw .invalidRequest("\(field.name) is set by the client")
            }
            if HTTPHeaders.equalsIgnoringCase(field.name, "user-agent") { sawUserAgent = true }
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: field.value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        if !sawUserAgent, !userAgent.isEmpty {
            out.append(contentsOf: "User-Agent: \(userAgent)\r\n".utf8)
        }
        if !body.isEmpty || method == .post || method == .put || method == .patch {
            out.append(contentsOf: "Content-Length: \(body.count)\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        return out
    }
}
