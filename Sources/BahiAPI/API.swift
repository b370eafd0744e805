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

/// Route registration with access control, rate limiting, access-log key ids and
/// Idempotency-Key handling, on top of the HTTP router.
public struct API: Sendable {
    public private(set) var router: Router
    public let app: BahiContext

    public init(app: BahiContext) {
        self.app = app
        self.router = Router(defaultBodyLimit: app.configuration.server.maxBodyBytes, errorLog: app.log)
    }

    /// A route that reads or does its own writing.
    public mutating func route(
        _ method: HTTPMethod, _ path: String, access: Access, bodyLimit: Int? = nil,
        _ handler: @escaping @Sendable (RequestContext) async throws -> HTTPResponse
    ) {
        let app = self.app
        guard case .roles(let roles) = access else {
            router.on(method, path, bodyLimit: bodyLimit) { request in
                try await handler(RequestContext(request: request, principal: nil, app: app))
            }
            return
        }
        router.on(method, path, bodyLimit: bodyLimit) { request in
            let caller = try await app.authenticator.authenticate(request, roles: roles)
            var response: HTTPResponse
            do {
                response = try await handler(RequestContext(request: request, principal: caller.principal, app: app))
            } catch {
                // Answered here rather than by the router so that an error, too, tells the
                // caller its rate limit and the access log its key.
                response = Router.errorResponse(error, requestID: request.requestID, log: app.log)
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
        _ method: HTTPMethod, _ path: String, access: Access, bodyLimit: Int? = nil,
        _ prepare: @escaping @Sendable (RequestContext) async throws -> Effect
    ) {
        route(method, path, access: access, bodyLimit: bodyLimit) { context in
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
        _ method: HTTPMethod, _ path: String, access: Access, bodyLimit: Int? = nil,
        staged prepare: @escaping @Sendable (RequestContext) async throws -> StagedEffect<Value>
    ) {
        route(method, path, access: access, bodyLimit: bodyLimit) { context in
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
}

extension HTTPResponse {
    /// A JSON response from a `JSONValue`.
    public static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> HTTPResponse {
        .json(value.encoded(), status: status)
    }
}
