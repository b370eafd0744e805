public import BahiCore
public import BahiHTTP
public import BahiJSON

/// One registered route with its declaration: what the OpenAPI document, the authorization
/// matrix and the test suite's response check read. `API.route` makes one per registration,
/// so a route cannot exist without its description.
public struct Operation: Sendable {
    public var method: HTTPMethod
    /// The router's pattern (`/v1/orders/:id`).
    public var path: String
    public var access: Access
    public var doc: RouteDoc
    /// Registered through `API.mutation`: honours `Idempotency-Key`.
    public var idempotent: Bool
    public var bodyLimit: Int?

    /// The path parameters' names, in order.
    public var pathParameters: [String] {
        path.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
    }

    /// The path as OpenAPI writes it (`/v1/orders/{id}`).
    public var openAPIPath: String {
        "/" + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    /// The roles admitted, or nil for an open route.
    public var roles: Set<Role>? {
        switch access {
        case .open: nil
        case .roles(let roles): roles.union([.admin])
        }
    }

    /// Every error the route may answer: its declared ones and those its shape implies.
    public var problems: [ProblemCase] {
        var cases = doc.errors
        if roles != nil {
            cases += [ProblemCase(401, "unauthenticated"), ProblemCase(401, "invalid_api_key"), ProblemCase(429, "rate_limited"),
                      ProblemCase(503, "store_unavailable")]
            if roles != Set(Role.allCases) { cases.append(ProblemCase(403, "forbidden")) }
        }
        switch doc.request {
        case .json?:
            cases += [ProblemCase(400, "invalid_json"), ProblemCase(400, "invalid_body"), ProblemCase(400, "empty_body"),
                      ProblemCase(413, "body_too_large"), ProblemCase(415, "unsupported_media_type"),
                      ProblemCase(422, "validation_failed"), ProblemCase(422, "unknown_field")]
        case .csv?:
            cases += [ProblemCase(413, "body_too_large"), ProblemCase(415, "unsupported_media_type"), .domain(.invalidCSV), .domain(.invalidHeader)]
        case .csvOrJSON?:
            cases += [ProblemCase(400, "invalid_json"), ProblemCase(400, "empty_body"), ProblemCase(413, "body_too_large"),
                      ProblemCase(415, "unsupported_media_type"), .domain(.invalidCSV), .domain(.invalidHeader)]
        case .raw?:
            cases += [ProblemCase(413, "body_too_large")]
        case nil:
            break
        }
        if !pathParameters.isEmpty { cases += [.notFound, ProblemCase(400, "invalid_path")] }
        // A query can be longer than the server reads in a request line (8 KiB, `maxTargetLength`):
        // a declared maximum counts characters, and each may take twelve bytes percent-encoded.
        if !doc.query.isEmpty { cases += [ProblemCase(400, "invalid_query"), ProblemCase(414, "request_target_too_long")] }
        // A list's cursor: malformed, or sent to a list that is always one page.
        if doc.query.contains(where: { $0.name == "after" }) || doc.onePage { cases.append(.invalidCursor) }
        if idempotent {
            cases += [ProblemCase(400, "invalid_idempotency_key"), ProblemCase(409, "idempotency_in_flight"), ProblemCase(422, "idempotency_conflict")]
        }
        if doc.ifMatch { cases += [ProblemCase(400, "invalid_header"), .versionMismatch] }
        cases.append(ProblemCase(500, "internal_error"))
        var seen = Set<String>()
        return cases.filter { seen.insert("\($0.status) \($0.code)").inserted }
    }

    /// Whether this operation serves `method` on `path` (a concrete path without query).
    /// Returns how many segments matched literally (the router prefers a literal segment to a
    /// parameter), or nil.
    public func match(method: HTTPMethod, path concrete: Substring) -> Int? {
        guard method == self.method || (method == .head && self.method == .get) else { return nil }
        let pattern = path.split(separator: "/")
        let parts = concrete.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard pattern.count == parts.count else { return nil }
        var literal = 0
        for (p, c) in zip(pattern, parts) {
            if p.hasPrefix(":") { if c.isEmpty { return nil } } else if p == c { literal += 1 } else { return nil }
        }
        return literal
    }

    /// What is wrong with `response` as an answer of this operation: an undeclared status, the
    /// wrong content type, a body that breaks the declared shape, an undeclared error code.
    /// Empty when it keeps the contract. The test suite runs every response it receives
    /// through this, which is what keeps the declarations honest.
    public func contractProblems(_ response: HTTPResponse) -> [String] {
        let status = response.status.code
        let contentType = response.headers["content-type"] ?? ""
        var out: [String] = []
        let label = "\(method) \(path) → \(status)"
        if status >= 400 {
            guard contentType == "application/problem+json" else { return ["\(label): Content-Type \(contentType), not application/problem+json"] }
            let code: String
            if case .object(let o)? = try? JSONParser.parse(response.body), case .string(let c)? = o["code"] { code = c } else {
                return ["\(label): not a problem document"]
            }
            if !problems.contains(ProblemCase(status, code)) { out.append("\(label): undeclared error \(code)") }
            return out
        }
        guard let declared = doc.responses.first(where: { $0.status == status }) else { return ["\(label): status not declared"] }
        switch declared.body {
        case .empty:
            if !response.body.isEmpty { out.append("\(label): a body where none is declared") }
        case .csv:
            if !contentType.hasPrefix("text/csv") { out.append("\(label): Content-Type \(contentType), not text/csv") }
        case .json(let schema), .jsonOrHTML(let schema), .jsonOrCSV(let schema):
            if case .jsonOrHTML = declared.body, contentType.hasPrefix("text/html") { return out }
            if case .jsonOrCSV = declared.body, contentType.hasPrefix("text/csv") { return out }
            guard contentType == "application/json" else { return ["\(label): Content-Type \(contentType), not application/json"] }
            guard let value = try? JSONParser.parse(response.body) else { return ["\(label): body is not JSON"] }
            out += schema.problems(value).map { "\(label): \($0.field) \($0.code): \($0.message)" }
        }
        return out
    }
}

extension Sequence where Element == Operation {
    /// The operation that serves `method` on `path`, preferring literal segments as the router does.
    public func operation(method: HTTPMethod, path: Substring) -> Operation? {
        var best: (Operation, Int)?
        for op in self {
            if let score = op.match(method: method, path: path), score > (best?.1 ?? -1) { best = (op, score) }
        }
        return best?.0
    }
}
