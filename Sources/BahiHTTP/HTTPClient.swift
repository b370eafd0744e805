import Synchronization

/// An HTTP/1.1 client with TLS: how the application calls other servers.
///
/// One client is shared by everything that calls out. It keeps a bounded pool of keep-alive
/// connections per origin (scheme, host, port) and a TLS session per origin for resumption;
/// it reads responses with `HTTPResponseParser`, as strict about framing as the server is
/// about requests; it bounds every exchange with connect, read and total timeouts; it follows
/// redirects only when a request asks; and every failure is one `HTTPClientError` case.
///
/// Blocking I/O on non-blocking sockets with `poll`: `executeBlocking` runs the exchange on
/// the calling thread (a background worker's own thread), and `execute` hands it to the
/// client's own worker threads and suspends, so neither an event loop nor the cooperative
/// pool ever waits for the network. An exchange is short and strictly request-then-response,
/// which a thread expresses directly; readiness callbacks would buy nothing at the client's
/// volume but a second state machine.
///
/// A connection whose response said `Connection: close`, ran to the close, or failed in any
/// way is closed, never reused. A pooled connection found closed when reused (no byte of a
/// response, or a reset) is retried once on a new connection — for idempotent methods only,
/// since a POST may have been acted on.
public final class HTTPClient: Sendable {
    /// Counters for tests and metrics.
    public struct Statistics: Sendable, Equatable {
        /// New connections, TLS handshakes included.
        public var connectionsOpened: Int
        /// Requests sent on a pooled connection.
        public var connectionsReused: Int
        /// TLS handshakes that resumed a kept session.
        public var tlsSessionsResumed: Int
        /// Idempotent requests sent again after a pooled connection proved dead.
        public var staleConnectionRetries: Int
    }

    /// The settings it was made with (per-request timeouts override `timeouts`).
    public let configuration: HTTPClientConfiguration
    private let pool: ClientConnectionPool
    private let tlsContext: TLSClientContext
    private let workers: ClientWorkers
    private let opened = Atomic<Int>(0)
    private let reused = Atomic<Int>(0)
    private let resumed = Atomic<Int>(0)
    private let retried = Atomic<Int>(0)

    /// Creates a client; `.tls(.configuration)` if the configured CA file cannot be loaded.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws(HTTPClientError) {
        self.configuration = configuration
        pool = ClientConnectionPool(
            maxOpenPerOrigin: configuration.maxConnectionsPerOrigin,
            maxIdlePerOrigin: configuration.maxIdleConnectionsPerOrigin,
            idleTimeout: configuration.idleTimeout
        )
        tlsContext = try TLSClientContext(configuration: configuration.tls)
        workers = ClientWorkers(count: configuration.workerThreads)
    }

    deinit {
        workers.shutdown()
        pool.closeIdle()
    }

    /// The counters so far: how tests prove reuse and resumption, and what metrics export.
    public var statistics: Statistics {
        Statistics(
            connectionsOpened: opened.load(ordering: .relaxed), connectionsReused: reused.load(ordering: .relaxed),
            tlsSessionsResumed: resumed.load(ordering: .relaxed), staleConnectionRetries: retried.load(ordering: .relaxed)
        )
    }

    /// Closes the idle connections now (those in use close when their exchange ends).
    public func closeIdleConnections() {
        pool.closeIdle()
    }

    /// Sends `request` and returns its response, suspending the caller while one of the
    /// client's worker threads does the blocking exchange.
    /// The total timeout counts from the call, so time spent queued for a worker is part of it.
    public func execute(_ request: HTTPClientRequest) async throws(HTTPClientError) -> HTTPClientResponse {
        let submitted = Clock.monotonicNanoseconds()
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPClientResponse, HTTPClientError>, Never>) in
            workers.submit { [self] in
                do throws(HTTPClientError) {
                    continuation.resume(returning: .success(try executeBlocking(request, startedAt: submitted)))
                } catch let error {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Runs `body` on one of the client's worker threads and returns what it returns: for a
    /// caller that sends several requests in a row (a webhook endpoint's deliveries, in order)
    /// with `executeBlocking`, paying one thread hand-off for the lot instead of two per request.
    public func onWorkerThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            workers.submit { continuation.resume(returning: body()) }
        }
    }

    /// Sends `request` and returns its response, blocking the calling thread (at most for
    /// the request's total timeout). Never call it on an event loop or from async code; use
    /// `execute` there.
    public func executeBlocking(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse {
        try executeBlocking(request, startedAt: Clock.monotonicNanoseconds())
    }

    private func executeBlocking(_ request: HTTPClientRequest, startedAt: UInt64) throws(HTTPClientError) -> HTTPClientResponse {
        let timeouts = request.timeouts ?? configuration.timeouts
        var deadlines = ClientDeadlines(timeouts: timeouts, now: startedAt)
        var current = request
        var redirects = 0
        while true {
            let response = try exchange(current, timeouts: timeouts, deadlines: &deadlines)
            guard request.followRedirects > 0, let next = redirect(from: current, response: response) else { return response }
            redirects += 1
            if redirects > request.followRedirects { throw .tooManyRedirects(request.followRedirects) }
            current = next
        }
    }

    /// One request and its response over a pooled or new connection, with the one retry a
    /// stale pooled connection earns an idempotent request.
    private func exchange(_ request: HTTPClientRequest, timeouts: HTTPClientTimeouts, deadlines: inout ClientDeadlines) throws(HTTPClientError) -> HTTPClientResponse {
        let head = try request.encodeHead(userAgent: configuration.userAgent)
        var fresh = false
        while true {
            let origin = request.url.origin
            let connection: ClientConnection
            switch try pool.checkOut(origin, fresh: fresh, deadline: min(deadlines.total, Clock.monotonicNanoseconds() &+ ClientDeadlines.nanoseconds(timeouts.connect))) {
            case .reused(let pooled):
                connection = pooled
                reused.add(1, ordering: .relaxed)
            case .open:
                deadlines.beginConnecting(timeouts)
                do {
                    connection = try ClientConnection.open(
                        origin, tlsContext: origin.scheme == .https ? tlsContext : nil,
                        allow: configuration.allowAddress, deadlines: deadlines
                    )
                } catch let error {
                    pool.release(origin)
                    throw error
                }
                deadlines.connecting = false
                opened.add(1, ordering: .relaxed)
                if connection.resumedTLSSession { resumed.add(1, ordering: .relaxed) }
            }
            let wasPooled = connection.exchanges > 0
            do {
                let outcome = try connection.exchange(
                    head: head, body: request.body, method: request.method, limits: configuration.limits,
                    excerptLimit: request.bodyExcerptLimit, deadlines: deadlines
                )
                connection.keepSession(in: origin.scheme == .https ? tlsContext : nil)
                pool.checkIn(connection, reusable: outcome.reusable)
                return HTTPClientResponse(
                    status: outcome.head.status, version: outcome.head.version, headers: outcome.head.headers,
                    body: outcome.body, bodyTruncated: outcome.truncated, url: request.url
                )
            } catch let error {
                pool.checkIn(connection, reusable: false)
                guard wasPooled, !fresh, request.isIdempotent, HTTPClient.isStale(error) else { throw error }
                retried.add(1, ordering: .relaxed)
                fresh = true
            }
        }
    }

    /// Errors that mean a pooled connection had been closed by the server before our request
    /// reached it: nothing of a response came back.
    private static func isStale(_ error: HTTPClientError) -> Bool {
        switch error {
        case .connectionClosedEarly(.beforeResponse): return true
        case .io(_, let errno): return errno == ECONNRESET || errno == EPIPE
        default: return false
        }
    }

    /// The request a redirect asks for, or nil if `response` is not one the client follows.
    /// 303 (and 301/302 after a POST, as browsers do) becomes a GET without a body; 307 and
    /// 308 repeat the method and body. Credentials are not carried to another origin.
    private func redirect(from request: HTTPClientRequest, response: HTTPClientResponse) -> HTTPClientRequest? {
        let code = response.status.code
        guard [301, 302, 303, 307, 308].contains(code), let location = response.headers["Location"],
              let target = request.url.resolving(location) else { return nil }
        var next = request
        next.url = target
        if code == 303 || ((code == 301 || code == 302) && request.method == .post) {
            if request.method != .head { next.method = .get }
            next.body = []
            for name in ["Content-Type", "Content-Encoding", "Content-Language", "Content-Location"] { next.headers.remove(name: name) }
        }
        if target.origin != request.url.origin {
            for name in ["Authorization", "Cookie", "Proxy-Authorization"] { next.headers.remove(name: name) }
        }
        return next
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
