import BahiJSON

/// Something that answers requests: the server's only contract with the application.
///
/// `respond` never throws — errors have been turned into problem+json by then — and
/// `bodyLimit` lets the connection refuse an oversized body with 413 from its headers alone,
/// before a byte of it is read.
public protocol HTTPResponder: Sendable {
    /// Answers one request.
    func respond(to request: HTTPRequest) async -> HTTPResponse
    /// The largest body accepted for this request head.
    func bodyLimit(for head: HTTPRequestHead) -> Int
}

/// Method + path routing with `:param` segments.
///
/// Knows 404 (no route has this path) from 405 (the path exists, the method does not; `Allow`
/// lists what does). HEAD is served by every GET route (the connection drops the body). A
/// handler's error that carries a status becomes problem+json; any other error becomes a 500
/// that names only the request id. Every 5xx answer writes one `errorLog` line with the
/// request id and the underlying error, so the operator learns what the client is not told.
public struct Router: HTTPResponder {
    /// A route handler.
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    struct Route: Sendable {
        var handler: Handler
        var bodyLimit: Int?
    }

    struct Node: Sendable {
        var statics: [String: Node] = [:]
        var paramName: String?
        /// Zero or one child for a `:param` segment (an array gives the recursion storage).
        var paramChild: [Node] = []
        var routes: [HTTPMethod: Route] = [:]
    }

    /// The outcome of matching a method and path.
    public enum Match: Sendable {
        case found(Handler, parameters: [String: String], bodyLimit: Int?)
        case methodNotAllowed(allow: [HTTPMethod])
        case notFound
        case badPath
    }

    private var root = Node()
    /// Body limit for routes that do not set their own (1 MiB).
    public var defaultBodyLimit: Int
    /// Where 5xx answers are explained (standard output, beside the access log, by default).
    public var errorLog: ErrorLog

    public init(defaultBodyLimit: Int = 1 << 20, errorLog: ErrorLog = .standardOutput) {
        self.defaultBodyLimit = defaultBodyLimit
        self.errorLog = errorLog
    }

    /// Registers `handler` for `method` and a path pattern such as `/v1/skus/:sku`.
    /// Registering the same method and pattern twice, or two parameter names at one
    /// position, is a programming error and traps at startup.
    public mutating func on(_ method: HTTPMethod, _ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping Handler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        Router.insert(into: &root, segments: segments[...], method: method, route: Route(handler: handler, bodyLimit: bodyLimit))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { on(.get, pattern, handler) }
    public mutating func post(_ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping Handler) { on(.post, pattern, bodyLimit: bodyLimit, handler) }
    public mutating func put(_ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping Handler) { on(.put, pattern, bodyLimit: bodyLimit, handler) }
    public mutating func patch(_ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping Handler) { on(.patch, pattern, bodyLimit: bodyLimit, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping Handler) { on(.delete, pattern, handler) }

    private static func insert(into node: inout Node, segments: ArraySlice<String>, method: HTTPMethod, route: Route) {
        guard let first = segments.first else {
            precondition(node.routes[method] == nil, "route registered twice: \(method)")
            node.routes[method] = route
            return
        }
        let rest = segments.dropFirst()
        if first.hasPrefix(":") {
            let name = String(first.dropFirst())
            precondition(node.paramName == nil || node.paramName == name, "conflicting parameter names :\(node.paramName ?? "") and :\(name)")
            node.paramName = name
            if node.paramChild.isEmpty { node.paramChild = [Node()] }
            insert(into: &node.paramChild[0], segments: rest, method: method, route: route)
        } else {
            insert(into: &node.statics[first, default: Node()], segments: rest, method: method, route: route)
        }
    }

    /// Finds the route for a method and a path (without query).
    public func match(method: HTTPMethod, path: Substring) -> Match {
        guard path.first == "/" else { return .notFound }
        var node = root
        var parameters: [String: String] = [:]
        var remaining = path.dropFirst()
        while !remaining.isEmpty {
            let end = remaining.firstIndex(of: "/") ?? remaining.endIndex
            let segment = remaining[..<end]
            remaining = end == remaining.endIndex ? remaining[end...] : remaining[remaining.index(after: end)...]
            if segment.isEmpty { return .notFound }
            if let next = node.statics[String(segment)] {
                node = next
            } else if let name = node.paramName, let next = node.paramChild.first {
                guard let value = PercentDecoding.decode(segment) else { return .badPath }
                parameters[name] = value
                node = next
            } else {
                return .notFound
            }
            if end != path.endIndex, remaining.isEmpty, path.last == "/" { return .notFound }
        }
        if let route = node.routes[method] ?? (method == .head ? node.routes[.get] : nil) {
            return .found(route.handler, parameters: parameters, bodyLimit: route.bodyLimit)
        }
        if node.routes.isEmpty { return .notFound }
        var allow = Array(node.routes.keys)
        if node.routes[.get] != nil, node.routes[.head] == nil { allow.append(.head) }
        return .methodNotAllowed(allow: allow.sorted { $0.rawValue < $1.rawValue })
    }

    /// Every registered method and pattern (`/v1/orders/:id`), sorted: lets an application
    /// prove its description lists exactly the routes it serves.
    public var registered: [(method: HTTPMethod, pattern: String)] {
        var out: [(method: HTTPMethod, pattern: String)] = []
        func walk(_ node: Node, _ prefix: String) {
            for method in node.routes.keys { out.append((method, prefix.isEmpty ? "/" : prefix)) }
            for (segment, child) in node.statics { walk(child, prefix + "/" + segment) }
            if let name = node.paramName, let child = node.paramChild.first { walk(child, prefix + "/:" + name) }
        }
        walk(root, "")
        return out.sorted { ($0.pattern, $0.method.rawValue) < ($1.pattern, $1.method.rawValue) }
    }

    public func bodyLimit(for head: HTTPRequestHead) -> Int {
        if case .found(_, _, let limit?) = match(method: head.method, path: head.path) { return limit }
        return defaultBodyLimit
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        switch match(method: request.method, path: request.path) {
        case .found(let handler, let parameters, _):
            var request = request
            request.parameters = parameters
            do {
                return try await handler(request)
            } catch {
                return Router.errorResponse(error, requestID: request.requestID, log: errorLog)
            }
        case .methodNotAllowed(let allow):
            let list = allow.map(\.rawValue).joined(separator: ", ")
            let error = HTTPError(
                .methodNotAllowed, code: "method_not_allowed",
                detail: "\(request.method) is not allowed here; allowed: \(list).", headers: ["Allow": list]
            )
            return Router.errorResponse(error, requestID: request.requestID, log: errorLog)
        case .notFound:
            return Router.errorResponse(HTTPError.notFound(), requestID: request.requestID, log: errorLog)
        case .badPath:
            let error = HTTPError(.badRequest, code: "invalid_path", detail: "A path segment has a malformed percent-escape or is not UTF-8.")
            return Router.errorResponse(error, requestID: request.requestID, log: errorLog)
        }
    }

    /// Turns any error into a problem+json response carrying the request id. Errors without a
    /// status become a 500 that reveals nothing else. A 5xx answer (500, 503, …) writes one
    /// line to `log` with the request id and the underlying error: the error's `cause` when it
    /// carries one, else the error itself.
    public static func errorResponse(_ error: any Error, requestID: String, log: ErrorLog) -> HTTPResponse {
        var problem: Problem
        var headers = HTTPHeaders()
        var cause = error
        if let known = error as? any HTTPResponseError {
            problem = known.problem
            headers = known.headers
            if let underlying = known.cause { cause = underlying }
        } else {
            problem = Problem(
                status: 500, code: "internal_error", title: "Internal Server Error",
                detail: "An unexpected error occurred. Quote the request id \(requestID) when reporting it."
            )
        }
        if problem.status >= 500 {
            log.error("request failed", [("request_id", .string(requestID)), ("status", .int(problem.status)), ("code", .string(problem.code))], cause: cause)
        }
        problem.addRequestID(requestID)
        return problem.response(headers: headers)
    }
}
