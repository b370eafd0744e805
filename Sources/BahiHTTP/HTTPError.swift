import BahiJSON

/// An error that knows how it should be answered. Anything a handler throws that conforms
/// becomes this problem+json response; anything else becomes a 500 that names only the
/// request id, so internals never leak to a client.
public protocol HTTPResponseError: Error {
    /// The status to answer with.
    var status: HTTPStatus { get }
    /// The RFC 9457 problem document describing the error.
    var problem: Problem { get }
    /// Extra header fields (for example `Allow` on a 405, `Retry-After` on a 429).
    var headers: HTTPHeaders { get }
    /// The failure underneath, when this error stands for one (a store that could not be
    /// read behind a 503): the server logs its description with the request id, and never
    /// shows it to the client.
    var cause: (any Error)? { get }
}

extension HTTPResponseError {
    public var headers: HTTPHeaders { HTTPHeaders() }
    public var cause: (any Error)? { nil }
}

/// One field that failed validation: where it is, a stable code, and how to fix it.
public struct FieldError: Sendable, Equatable {
    public var field: String
    public var code: String
    public var message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

/// An RFC 9457 problem document with Bahi's stable machine `code` and per-field `errors`.
public struct Problem: Sendable, Equatable {
    public var status: Int
    public var code: String
    public var title: String
    public var detail: String
    public var errors: [FieldError]
    /// Extra top-level members (for example `request_id`), already valid JSON values.
    public var extra: [(key: String, json: String)]

    public init(status: Int, code: String, title: String, detail: String, errors: [FieldError] = [], extra: [(key: String, json: String)] = []) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.extra = extra
    }

    /// The `type` URI: a stable, documentable name per code.
    public var type: String { "https://bahi.dev/problems/" + String(code.map { $0 == "_" ? "-" : $0 }) }

    /// The JSON document.
    public func encoded() -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("type"); json.string(type)
        json.key("title"); json.string(title)
        json.key("status"); json.int(status)
        json.key("detail"); json.string(detail)
        json.key("code"); json.string(code)
        if !errors.isEmpty {
            json.key("errors")
            json.beginArray()
            for e in errors {
                json.beginObject()
                json.key("field"); json.string(e.field)
                json.key("code"); json.string(e.code)
                json.key("message"); json.string(e.message)
                json.endObject()
            }
            json.endArray()
        }
        for (key, value) in extra {
            json.key(key); json.raw(value)
        }
        json.endObject()
        return json.bytes
    }

    public static func == (lhs: Problem, rhs: Problem) -> Bool {
        lhs.encoded() == rhs.encoded()
    }

    /// Adds the `request_id` member, so a person reporting an error can quote the id the
    /// access log carries. Both the connection (framing errors) and the router (handler
    /// errors) use it.
    public mutating func addRequestID(_ requestID: String) {
        guard !requestID.isEmpty else { return }
        var quoted: [UInt8] = []
        JSONWriter.appendQuoted(requestID, to: &quoted)
        extra.append((key: "request_id", json: String(decoding: quoted, as: UTF8.self)))
    }

    /// The response carrying this problem.
    public func response(headers extraHeaders: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = extraHeaders
        headers.replaceOrAdd(name: "Content-Type", value: "application/problem+json")
        return HTTPResponse(status: HTTPStatus(code: status), headers: headers, body: encoded())
    }
}

/// The general-purpose error for handlers: a status, a stable code, a sentence, and
/// optionally the fields at fault.
public struct HTTPError: HTTPResponseError, Equatable, CustomStringConvertible {
    public var status: HTTPStatus
    public var code: String
    public var detail: String
    public var errors: [FieldError]
    public var headers: HTTPHeaders
    /// The failure this answer stands for (logged with the request id, never sent).
    public var cause: (any Error)?

    public init(
        _ status: HTTPStatus, code: String, detail: String, errors: [FieldError] = [], headers: HTTPHeaders = HTTPHeaders(),
        cause: (any Error)? = nil
    ) {
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.cause = cause
    }

    /// Equal when they answer the same: the cause is for the log and plays no part.
    public static func == (lhs: HTTPError, rhs: HTTPError) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code && lhs.detail == rhs.detail && lhs.errors == rhs.errors
            && lhs.headers == rhs.headers
    }

    public var problem: Problem {
        Problem(status: status.code, code: code, title: status.reason, detail: detail, errors: errors)
    }

    public var description: String { "\(status.code) \(code): \(detail)" }

    public static func notFound(_ detail: String = "No resource lives at this path.") -> HTTPError {
        HTTPError(.notFound, code: "not_found", detail: detail)
    }
}

extension HTTPParserError: HTTPResponseError {
    public var problem: Problem {
        Problem(status: status.code, code: code, title: status.reason, detail: detail)
    }
}
