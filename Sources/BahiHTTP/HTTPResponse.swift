/// A response a handler returns. The connection adds the framing fields (`Content-Length`,
/// `Connection`, `Date`, `Server`, `X-Request-Id`) when it encodes it, so handlers set only
/// what is theirs.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Extra fields for this exchange's access-log line (for example the API key id); never
    /// sent to the client. Lets the application enrich the log without the server knowing
    /// what a key is.
    public var logFields: [(String, String)] = []

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a body and its content type.
    public init(status: HTTPStatus = .ok, contentType: String, body: [UInt8]) {
        self.init(status: status, headers: ["Content-Type": contentType], body: body)
    }

    /// A JSON response from already-encoded bytes.
    public static func json(_ body: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: body)
    }

    /// A JSON response from already-encoded text.
    public static func json(_ body: String, status: HTTPStatus = .ok) -> HTTPResponse {
        json(Array(body.utf8), status: status)
    }
}
