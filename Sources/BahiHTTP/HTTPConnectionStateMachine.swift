import BahiJSON

/// One HTTP/1.1 connection's logic, with no sockets in it.
///
/// The socket layer puts received bytes into `buffer`, calls `next(now:)` and does what the
/// returned `Action` says: read more, write, run a handler, close. When a handler answers it
/// calls `respond(_:now:)`. Timers call `tick(now:)`, shutdown calls `startDrain()`. Time is a
/// parameter (monotonic nanoseconds), so every rule — pipelining in order, 100-continue, 413
/// decided from the headers, keep-alive, 408 timeouts, drain — is tested by feeding bytes
/// and reading actions, as Hummingbird and SwiftNIO test their channel handlers.
///
/// One request is in flight at a time; later pipelined requests wait in the buffer, which
/// keeps responses in request order without any reordering queue.
public struct HTTPConnectionStateMachine: Sendable {
    /// Limits and timeouts for one connection.
    public struct Configuration: Sendable {
        public var limits = HTTPRequestParser.Limits()
        /// From the first byte of a request to the end of its header block (408 after).
        public var headerTimeout: Duration = .seconds(10)
        /// Longest silence while a body is being received (408 after).
        public var bodyIdleTimeout: Duration = .seconds(30)
        /// Longest silence between requests before the connection is closed quietly.
        public var keepAliveTimeout: Duration = .seconds(60)
        /// Body limit for a request head; routes may set their own (default 1 MiB).
        public var bodyLimit: @Sendable (HTTPRequestHead) -> Int = { _ in 1 << 20 }

        public init() {}
    }

    /// A response ready to be written, and what to log about it.
    public struct Outgoing: Sendable {
        public var bytes: [UInt8]
        /// Close the connection once these bytes are written.
        public var close: Bool
        public var record: ExchangeRecord
    }

    /// What the access log needs to know about one exchange.
    public struct ExchangeRecord: Sendable, Equatable {
        public var requestID: String
        public var method: String
        public var path: String
        public var status: Int
        /// Body bytes sent.
        public var bytes: Int
        /// Monotonic nanoseconds when the request started arriving.
        public var startedAt: UInt64
        /// The response's `logFields`.
        public var extra: [(String, String)] = []

        public static func == (lhs: ExchangeRecord, rhs: ExchangeRecord) -> Bool {
            lhs.requestID == rhs.requestID && lhs.method == rhs.method && lhs.path == rhs.path && lhs.status == rhs.status
                && lhs.bytes == rhs.bytes && lhs.startedAt == rhs.startedAt
                && lhs.extra.map { $0.0 + "=" + $0.1 } == rhs.extra.map { $0.0 + "=" + $0.1 }
        }
    }

    /// What the socket layer must do next.
    public enum Action: Sendable {
        /// Wait for more bytes.
        case readMore
        /// A response is outstanding; nothing to do until `respond`.
        case wait
        /// Write the interim `100 Continue`, then call `next` again.
        case sendContinue
        /// Run the handler for this request, then call `respond`.
        case dispatch(HTTPRequest)
        /// Write this response (then close if it says so, else call `next` again).
        case send(Outgoing)
        /// Close the connection now.
        case close
    }

    private enum Phase: Sendable { case open, dispatched, closed }

    public let configuration: Configuration
    /// Received bytes not yet parsed. The socket layer reads into it.
    public var buffer = ByteBuffer(capacity: 4096)
    private var parser: HTTPRequestParser
    private var phase = Phase.open
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyLimit = 0
    private var requestID = ""
    private var ids: RequestIDGenerator
    private var draining = false
    private var peerClosed = false
    /// When the current request's first byte arrived (nil while idle).
    private var requestStartedAt: UInt64?
    private var lastReadAt: UInt64
    private var idleSince: UInt64
    /// Wall clock for request ids, injectable for tests.
    private let wallClockMilliseconds: @Sendable () -> UInt64

    public init(
        configuration: Configuration = Configuration(), now: UInt64,
        idSeed: UInt64 = UInt64.random(in: .min ... .max),
        wallClockMilliseconds: @escaping @Sendable () -> UInt64 = { Clock.wallMilliseconds() }
    ) {
        self.configuration = configuration
        self.parser = HTTPRequestParser(limits: configuration.limits)
        self.ids = RequestIDGenerator(seed: idSeed)
        self.lastReadAt = now
        self.idleSince = now
        self.wallClockMilliseconds = wallClockMilliseconds
    }

    /// True once the machine has decided the connection is over.
    public var isClosed: Bool { phase == .closed }

    /// True while a handler is running for this connection.
    public var isDispatched: Bool { phase == .dispatched }

    /// Records that bytes were just appended to `buffer`.
    public mutating func bytesReceived(now: UInt64) {
        lastReadAt = now
        if requestStartedAt == nil, !buffer.isEmpty { requestStartedAt = now }
    }

    /// Convenience for tests: append bytes and record their arrival.
    public mutating func receive(_ bytes: some Collection<UInt8>, now: UInt64) {
        buffer.write(bytes)
        bytesReceived(now: now)
    }

    /// The peer closed its sending side (read returned 0). Requests already buffered are
    /// still served; call `next` afterwards. The connection closes once nothing complete
    /// is left to answer.
    public mutating func receivedEOF() {
        peerClosed = true
    }

    /// Advances as far as the buffered bytes allow.
    public mutating func next(now: UInt64) -> Action {
        switch phase {
        case .closed: return .close
        case .dispatched: return .wait
        case .open: break
        }
        while true {
            if head == nil, parser.isIdle, buffer.isEmpty, draining || peerClosed {
                phase = .closed
                return .close
            }
            let event: HTTPRequestParser.Event
            do {
                event = try parser.parse(&buffer)
            } catch {
                return reject(error, now: now)
            }
            switch event {
            case .needMoreData:
                if peerClosed {
                    phase = .closed
                    return .close
                }
                return .readMore
            case .head(let parsed):
                head = parsed
                body = []
                bodyLimit = parsed.framing == .none ? 0 : configuration.bodyLimit(parsed)
                if let given = parsed.headers.first(name: "x-request-id"), RequestIDGenerator.isSane(given) {
                    requestID = given
                } else {
                    requestID = ids.next(millisecondsSinceEpoch: wallClockMilliseconds())
                }
                if case .length(let length) = parsed.framing, length > bodyLimit {
                    return reject(.bodyTooLarge, now: now)
                }
                if parsed.expectsContinue, buffer.isEmpty { return .sendContinue }
            case .body(let bytes):
                if body.count + bytes.count > bodyLimit { return reject(.bodyTooLarge, now: now) }
                if body.isEmpty { body = bytes } else { body.append(contentsOf: bytes) }
            case .end:
                guard let finished = head else { return reject(.invalidRequestLine, now: now) }
                phase = .dispatched
                let request = HTTPRequest(head: finished, body: body, requestID: requestID)
                body = []
                return .dispatch(request)
            }
        }
    }

    /// Encodes the handler's response for the request in flight. Afterwards, call `next`
    /// again (unless `close` is set) to serve a pipelined request.
    public mutating func respond(_ response: HTTPResponse, now: UInt64) -> Action {
        guard phase == .dispatched, let current = head else { return .close }
        // After EOF, close with the last buffered request; earlier pipelined ones are still served.
        let close = !current.keepAlive || draining || (peerClosed && buffer.isEmpty)
            || response.headers.first(name: "connection")?.lowercased() == "close"
        let bytes = HTTPResponseEncoder.encode(
            response, requestID: requestID, date: DateCache.shared.current(),
            isHeadRequest: current.method == .head, close: close,
            keepAliveHeader: current.version == .http1_0
        )
        let record = ExchangeRecord(
            requestID: requestID, method: current.method.rawValue, path: String(current.path),
            status: response.status.code,
            bytes: current.method == .head || !response.status.allowsBody ? 0 : response.body.count,
            startedAt: requestStartedAt ?? now, extra: response.logFields
        )
        head = nil
        requestID = ""
        phase = close ? .closed : .open
        idleSince = now
        // Bytes that waited in the buffer while the handler ran are not the client's silence.
        lastReadAt = now
        requestStartedAt = buffer.isEmpty ? nil : now
        return .send(Outgoing(bytes: bytes, close: close, record: record))
    }

    /// Applies the timeouts: 408 and close for a request that stalls, a quiet close for an
    /// idle keep-alive connection. Returns nil when nothing is due.
    public mutating func tick(now: UInt64) -> Action? {
        guard phase == .open else { return nil }
        if head == nil, parser.isIdle, buffer.isEmpty {
            if now &- idleSince >= configuration.keepAliveTimeout.nanoseconds {
                phase = .closed
                return .close
            }
            return nil
        }
        if parser.isReadingBody {
            if now &- lastReadAt >= configuration.bodyIdleTimeout.nanoseconds { return timeout(now: now) }
        } else if let started = requestStartedAt, now &- started >= configuration.headerTimeout.nanoseconds {
            return timeout(now: now)
        }
        return nil
    }

    /// Begins a graceful drain: an idle connection closes now; a busy one finishes the request
    /// in hand and answers it with `Connection: close`.
    public mutating func startDrain() -> Action? {
        draining = true
        if phase == .open, head == nil, parser.isIdle, buffer.isEmpty {
            phase = .closed
            return .close
        }
        return nil
    }

    private mutating func timeout(now: UInt64) -> Action {
        errorResponse(problem: Problem(
            status: 408, code: "request_timeout", title: "Request Timeout",
            detail: "The request did not arrive in time; send it again on a new connection."
        ), now: now)
    }

    private mutating func reject(_ error: HTTPParserError, now: UInt64) -> Action {
        errorResponse(problem: error.problem, now: now)
    }

    /// Answers an error the connection itself detected and closes: framing can't be trusted.
    private mutating func errorResponse(problem: Problem, now: UInt64) -> Action {
        if requestID.isEmpty { requestID = ids.next(millisecondsSinceEpoch: wallClockMilliseconds()) }
        var problem = problem
        problem.addRequestID(requestID)
        let response = problem.response()
        let bytes = HTTPResponseEncoder.encode(
            response, requestID: requestID, date: DateCache.shared.current(),
            isHeadRequest: head?.method == .head, close: true, keepAliveHeader: false
        )
        let record = ExchangeRecord(
            requestID: requestID, method: head?.method.rawValue ?? "-", path: head.map { String($0.path) } ?? "-",
            status: problem.status, bytes: head?.method == .head ? 0 : response.body.count, startedAt: requestStartedAt ?? now
        )
        phase = .closed
        head = nil
        return .send(Outgoing(bytes: bytes, close: true, record: record))
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating), for comparisons with monotonic stamps.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        let (ns, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : ns &+ UInt64(attoseconds / 1_000_000_000)
    }
}
