public import BahiCore
public import BahiHTTP
public import BahiStore
public import BahiJSON

/// One authenticated request as a route handler sees it.
public struct RequestContext: Sendable {
    public let request: HTTPRequest
    /// The caller; nil only on open routes.
    public let principal: Principal?
    public let app: BahiContext
    /// The JSON body (empty when the route declares none, or an optional body was left out).
    public var body: JSONObject = JSONObject()
    /// What the route's declared request shape found wrong with `body`. The handler's
    /// `validator()` starts with these, so its own checks (cross-field rules, domain rules)
    /// are listed in the same answer; if a handler never checks, the API throws them itself
    /// before anything is written.
    public var bodyProblems: [FieldError] = []

    /// A validator holding the shape's problems, for the handler's further checks.
    public func validator() -> Validator { Validator(seed: bodyProblems) }

    /// Throws the shape's problems, if any (what `Validator.check` would).
    func checkBody() throws(HTTPError) {
        if !bodyProblems.isEmpty { try Validator(seed: bodyProblems).check() }
    }

    /// The caller's key id for events and audit ("anonymous" on open routes).
    public var actor: String { principal?.keyID ?? "anonymous" }
}

/// The work of a mutating route, run inside the writer's transaction so that the
/// Idempotency-Key record (when there is one) commits together with the effect.
public typealias Effect = @Sendable (any Database) throws -> HTTPResponse

/// A mutating route's work in two parts: `run` inside the writer's transaction, `render`
/// turning its result into the response.
///
/// Why split: the writer thread runs every write of the server one after another, so
/// whatever a closure does there limits throughput. Building a response (JSON, headers) does
/// not need the transaction, so without an Idempotency-Key `render` runs on the caller's side
/// after the COMMIT; with one, it runs inside the transaction, because the stored replay must
/// commit together with the effect.
///
/// `run` must use nothing but the connection (SQL reads and row changes, pure computation:
/// no DDL, no effects elsewhere), because the writer may run it more than once and commit
/// only one run (`DataStore.write(rerunnable:_:)`); that lets it skip a savepoint per call.
public struct StagedEffect<Value: Sendable>: Sendable {
    public let run: @Sendable (any Database) throws -> Value
    public let render: @Sendable (Value) -> HTTPResponse

    public init(run: @escaping @Sendable (any Database) throws -> Value, render: @escaping @Sendable (Value) -> HTTPResponse) {
        self.run = run
        self.render = render
    }
}

/// Who may call a route.
public enum Access: Sendable {
    /// No key needed (health, readiness).
    case open
    /// A key with one of these roles (admin is always admitted).
    case roles(Set<Role>)

    /// Every role: reads that support staff may make too.
    public static let anyRole = Access.roles(Set(Role.allCases))
}

/// Route registration with access control, rate limiting, access-log key ids,
/// Idempotency-Key handling and the route's declaration (`RouteDoc`), on top of the HTTP
/// router. Every registration records an `Operation`: the OpenAPI document, the
/// authorization matrix and the tests' response check read `operations`, so a route and its
/// description are one statement.
public struct API: Sendable {
    public private(set) var router: Router
    public let app: BahiContext
    /// Every route registered, with its declaration, in registration order.
    public private(set) var operations: [Operation] = []

    public init(app: BahiContext) {
        self.app = app
        self.router = Router(defaultBodyLimit: app.configuration.server.maxBodyBytes, errorLog: app.log)
    }

    /// A route that reads or does its own writing. A declared JSON request body is parsed and
    /// checked against its shape (after the key, before the handler) and handed over as
    /// `RequestContext.body`.
    public mutating func route(
        _ method: HTTPMethod, _ path: String, access: Access, bodyLimit: Int? = nil, _ doc: RouteDoc,
        _ handler: @escaping @Sendable (RequestContext) async throws -> HTTPResponse
    ) {
        register(Operation(method: method, path: path, access: access, doc: doc, idempotent: false, bodyLimit: bodyLimit), handler)
    }

    private mutating func register(_ operation: Operation, _ handler: @escaping @Sendable (RequestContext) async throws -> HTTPResponse) {
        let app = self.app
        let access = operation.access
        let requestDoc = operation.doc.request
        operations.append(operation)
        /// The declared JSON body, parsed and checked against its shape before the handler.
        @Sendable func context(_ incoming: HTTPRequest, _ principal: Principal?) throws -> RequestContext {
            var context = RequestContext(request: incoming, principal: principal, app: app)
            if case .json(let schema, let optional, _)? = requestDoc, !(optional && incoming.body.isEmpty) {
                let body = try RequestBody.object(incoming)
                context.bodyProblems = schema.problems(.object(body))
                context.body = body
            }
            return context
        }
        guard case .roles(let roles) = access else {
            router.on(operation.method, operation.path, bodyLimit: operation.bodyLimit) { incoming in
                let context = try context(incoming, nil)
                let response = try await handler(context)
                try context.checkBody()
                return response
            }
            return
        }
        router.on(operation.method, operation.path, bodyLimit: operation.bodyLimit) { incoming in
            let caller = try await app.authenticator.authenticate(incoming, roles: roles)
            var response: HTTPResponse
            do {
                let context = try context(incoming, caller.principal)
                response = try await handler(context)
                try context.checkBody()
            } catch {
                // Answered here rather than by the router so that an error, too, tells the
                // caller its rate limit and the access log its key.
                response = Router.errorResponse(error, requestID: incoming.requestID, log: app.log)
            }
            caller.addRateLimitFields(to: &response.headers)
            response.logFields.append(("key_id", caller.principal.keyID))
            return response
        }
    }

    /// A POST that creates or moves something. `prepare` validates (and may read) outside
    /// the writer; the `Effect` it returns runs in the writer's transaction. With an
    /// `Idempotency-Key`, the first successful response is stored in that same transaction
    /// and replayed for a retry with the same body; another body gets 422
    /// `idempotency_conflict`; a retry while the first is still running gets 409.
    public mutating func mutation(
        _ method: HTTPMethod, _ path: String, access: Access, bodyLimit: Int? = nil, _ doc: RouteDoc,
        _ prepare: @escaping @Sendable (RequestContext) async throws -> Effect
    ) {
        let prepare: @Sendable (RequestContext) async throws -> Effect = { context in
            let effect = try await prepare(context)
            try context.checkBody()
            return effect
        }
        register(Operation(method: method, path: path, access: access, doc: doc, idempotent: true, bodyLimit: bodyLimit)) { context in
            if let key = context.request.headers["idempotency-key"] {
                return try await Idempotency.perform(key: key, context: context, prepare: prepare)
            }
            return try await context.app.write(try await prepare(context))
        }
    }

    /// `mutation` for a route whose effect is a `StagedEffect`: the response is rendered
    /// outside the writer when no Idempotency-Key asks for it to be stored. Idempotency,
    /// access control and logging behave exactly as in `mutation`.
    public mutating func mutation<Value: Sendable>(
        _ method: HTTPMethod, _ path: String, access: Access, bodyLimit: Int? = nil, _ doc: RouteDoc,
        staged prepare: @escaping @Sendable (RequestContext) async throws -> StagedEffect<Value>
    ) {
        let prepare: @Sendable (RequestContext) async throws -> StagedEffect<Value> = { context in
            let staged = try await prepare(context)
            try context.checkBody()
            return staged
        }
        register(Operation(method: method, path: path, access: access, doc: doc, idempotent: true, bodyLimit: bodyLimit)) { context in
            if let key = context.request.headers["idempotency-key"] {
                return try await Idempotency.perform(key: key, context: context, rerunnable: true) { context in
                    let staged = try await prepare(context)
                    return { db in staged.render(try staged.run(db)) }
                }
            }
            let staged = try await prepare(context)
            return staged.render(try await context.app.write(rerunnable: true, staged.run))
        }
    }

    /// Registers `GET /v1/openapi.json` (no key): the document of every route registered so
    /// far and of itself, encoded once. Call it last.
    public mutating func serveOpenAPI() {
        let operation = Operation(method: .get, path: "/v1/openapi.json", access: .open, doc: RouteDoc(
            "This API's OpenAPI 3.1 description", description: "Generated from the route declarations; the same as openapi.json in the repository.",
            responses: [.ok(.freeObject)]).tagged("system"), idempotent: false, bodyLimit: nil)
        let bytes = OpenAPIDocument.make(operations + [operation]).prettyEncoded()
        register(operation) { _ in HTTPResponse.json(bytes) }
    }

    /// The OpenAPI document of the routes registered.
    public var openAPIDocument: JSONValue { OpenAPIDocument.make(operations) }

    /// The operation that serves `method` on `path`, if any (the tests' response check).
    public func operation(method: HTTPMethod, path: Substring) -> Operation? {
        operations.operation(method: method, path: path)
    }
}

extension HTTPResponse {
    /// A JSON response from a `JSONValue`.
    public static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> HTTPResponse {
        .json(value.encoded(), status: status)
    }
}
