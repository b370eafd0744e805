public import BahiCore
public import BahiHTTP
public import BahiJSON

/// What a route promises, declared where it is registered (`api.route(…, RouteDoc(…))`): a
/// summary, the query parameters, the request shape, the response shape of each success
/// status and the error codes it may answer. The same value validates the request body,
/// checks responses in the test suite and becomes the route's OpenAPI operation, so the
/// description cannot drift from the code.
///
/// The routine parts are added by `Operation`: 401/403/429 from the access, 400/413/415/422
/// for a JSON body, 404 for a path parameter, 400 `invalid_query` for query parameters,
/// `Idempotency-Key` for mutations, 500 everywhere.
public struct RouteDoc: Sendable {
    public var summary: String
    public var description: String?
    /// Groups operations in the document (`orders`, `inventory`, …); set by the route file.
    public var tag: String?
    public var query: [QueryParameter]
    public var request: RequestDoc?
    public var responses: [ResponseDoc]
    public var errors: [ProblemCase]
    /// The route honours `If-Match` (412 `version_mismatch` when it does not match).
    public var ifMatch: Bool
    /// A list that is always one page: it refuses any `after` (400 `invalid_cursor`).
    public var onePage = false

    public init(
        _ summary: String, description: String? = nil, query: [QueryParameter] = [], request: RequestDoc? = nil,
        responses: [ResponseDoc], errors: [ProblemCase] = [], ifMatch: Bool = false
    ) {
        self.summary = summary
        self.description = description
        self.query = query
        self.request = request
        self.responses = responses
        self.errors = errors
        self.ifMatch = ifMatch
    }

    /// The same declaration under a tag.
    public func tagged(_ tag: String) -> RouteDoc { var d = self; d.tag = tag; return d }

    /// This declaration for a list that is always one page (see `onePage`).
    public var onePageList: RouteDoc { var d = self; d.onePage = true; return d }
}

/// One query parameter.
public struct QueryParameter: Sendable {
    public var name: String
    public var schema: Schema
    public var description: String

    public init(_ name: String, _ schema: Schema, _ description: String) {
        self.name = name
        self.schema = schema
        self.description = description
    }

    /// `limit`: page size.
    public static func limit(default value: Int64 = 50, max: Int64 = 500) -> QueryParameter {
        QueryParameter("limit", .integer(1...max), "Page size, 1 to \(max) (default \(value)).")
    }

    /// `after`: the opaque cursor from the previous page's `next_cursor`.
    public static let after = QueryParameter("after", .string(maxLength: 200), "The previous page's next_cursor, unchanged.")
}

/// A request body.
public enum RequestDoc: Sendable {
    /// A JSON body of this shape, validated before the handler runs. `optional`: the body
    /// may be left out altogether.
    case json(Schema, optional: Bool = false, example: JSONValue? = nil)
    /// A CSV file (`text/csv`, UTF-8); its rows are checked by the import, not here.
    case csv(String)
    /// A file as CSV (`text/csv`) or as JSON of this shape (`application/json`), told apart by
    /// its Content-Type: a courier's list in our columns or in the courier's own JSON. The
    /// handler reads either from the raw body, so the JSON shape is documentation only.
    case csvOrJSON(String, Schema)
    /// A body the handler reads as raw bytes (a gateway's signed payload: verified over its
    /// exact bytes before anything parses it), of this media type and shape.
    case raw(contentType: String, Schema, String)
}

/// One success response.
public struct ResponseDoc: Sendable {
    /// What the body is.
    public enum Body: Sendable {
        case json(Schema)
        /// JSON, or printable HTML with `?format=html` / `Accept: text/html`.
        case jsonOrHTML(Schema)
        /// JSON, or CSV with `?format=csv` (a report a spreadsheet opens).
        case jsonOrCSV(Schema)
        case csv
        case empty
    }

    public var status: Int
    public var description: String
    public var body: Body
    /// Response header fields and what they carry.
    public var headers: [(name: String, description: String)]
    public var example: JSONValue?
    /// Operations a client (or schemathesis's stateful phase) can call next with values from
    /// this response: OpenAPI links.
    public var links: [ResponseLink] = []

    public init(_ status: Int, _ description: String, _ body: Body, headers: [(name: String, description: String)] = [], example: JSONValue? = nil) {
        self.status = status
        self.description = description
        self.body = body
        self.headers = headers
        self.example = example
    }

    /// The same response with links to what may follow it.
    public func linking(_ links: ResponseLink...) -> ResponseDoc { var r = self; r.links += links; return r }

    /// 200 with a JSON body.
    public static func ok(_ schema: Schema, _ description: String = "OK", example: JSONValue? = nil) -> ResponseDoc {
        ResponseDoc(200, description, .json(schema), example: example)
    }

    /// 201 with a JSON body and the new resource's `Location`.
    public static func created(_ schema: Schema, _ description: String = "Created", example: JSONValue? = nil) -> ResponseDoc {
        ResponseDoc(201, description, .json(schema), headers: [("Location", "Where the new resource is read.")], example: example)
    }

    /// 204 with no body.
    public static func noContent(_ description: String) -> ResponseDoc { ResponseDoc(204, description, .empty) }

    /// The JSON schema, if the body is JSON.
    var schema: Schema? {
        switch body {
        case .json(let s), .jsonOrHTML(let s), .jsonOrCSV(let s): s
        case .csv, .empty: nil
        }
    }
}

/// An OpenAPI link: the operation (method and router pattern) a response leads to, with its
/// path parameters taken from the response (`$response.body#/id`).
public struct ResponseLink: Sendable {
    public var name: String
    public var method: HTTPMethod
    public var path: String
    public var parameters: [(name: String, expression: String)]

    public init(_ name: String, _ method: HTTPMethod, _ path: String, _ parameters: [(name: String, expression: String)]) {
        self.name = name
        self.method = method
        self.path = path
        self.parameters = parameters
    }

    /// `path`'s one parameter from `pointer` in the response body (`/id`, `/shipments/0/id`).
    public init(_ name: String, _ method: HTTPMethod, _ path: String, from pointer: String) {
        let parameter = path.split(separator: "/").last { $0.hasPrefix(":") }.map { String($0.dropFirst()) } ?? "id"
        self.init(name, method, path, [(parameter, "$response.body#" + pointer)])
    }
}

/// An error a route may answer: its status and stable `code`.
public struct ProblemCase: Sendable, Equatable {
    public var status: Int
    public var code: String

    public init(_ status: Int, _ code: String) {
        self.status = status
        self.code = code
    }

    /// A domain error, at the status `DomainErrorResponse` gives its code.
    public static func domain(_ code: DomainError.Code) -> ProblemCase {
        ProblemCase(DomainErrorResponse.status(of: code), code.rawValue)
    }

    /// 400 `invalid_cursor`: `after` is not a cursor this list gave out.
    public static let invalidCursor = ProblemCase(400, "invalid_cursor")

    /// 403 `wrong_channel`: a storefront key named another channel.
    public static let wrongChannel = ProblemCase(403, "wrong_channel")
    /// 412 `version_mismatch`.
    public static let versionMismatch = ProblemCase.domain(.versionMismatch)
    /// 404 `not_found`.
    public static let notFound = ProblemCase.domain(.notFound)
}
