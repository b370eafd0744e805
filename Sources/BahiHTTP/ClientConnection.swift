/// One connection of `HTTPClient` to one origin: a socket, TLS over it for `https`, and the
/// bytes received but not yet parsed. It carries one exchange at a time.
///
/// `@unchecked Sendable`: a connection is owned by exactly one thread at a time — the
/// request that opened or checked it out, or the pool while it is idle (under the pool's
/// lock) — and it moves between them only through the pool's lock, which orders the
/// accesses. No two threads ever touch it at once.
final class ClientConnection: @unchecked Sendable {
    let origin: HTTPOrigin
    private let socket: ClientSocket
    private let tls: TLSConnection?
    private var buffer = ByteBuffer(capacity: 16 * 1024)
    /// Exchanges completed on this connection (0 while the first is in flight).
    private(set) var exchanges = 0
    /// When it went back to the pool (monotonic nanoseconds).
    var idleSince: UInt64 = 0
    private var closed = false

    /// Whether the TLS handshake resumed a kept session.
    var resumedTLSSession: Bool { tls?.sessionReused ?? false }

    private init(origin: HTTPOrigin, socket: ClientSocket, tls: TLSConnection?) {
        self.origin = origin
        self.socket = socket
        self.tls = tls
    }

    deinit { close() }

    /// Resolves, connects and (for https) completes a verified TLS handshake, all within the
    /// connect deadline.
    static func open(_ origin: HTTPOrigin, tlsContext: TLSClientContext?, allow: (@Sendable (HTTPResolvedAddress) -> Bool)?,
                     deadlines: ClientDeadlines) throws(HTTPClientError) -> ClientConnection {
        let socket = try ClientSocket.connect(host: origin.host, port: origin.port, allow: allow, deadlines: deadlines)
        guard origin.scheme == .https else { return ClientConnection(origin: origin, socket: socket, tls: nil) }
        guard let tlsContext else {
            socket.close()
            throw .tls(.configuration("no TLS context"))
        }
        let tls: TLSConnection
        do {
            tls = try TLSConnection(context: tlsContext, origin: origin)
            try tls.handshake(socket, deadlines: deadlines)
        } catch let error {
            socket.close()
            if case .tls = error { tlsContext.forgetSession(for: origin) }
            throw error
        }
        return ClientConnection(origin: origin, socket: socket, tls: tls)
    }

    /// True if an idle connection can carry another request: open, nothing unread, and the
    /// server has neither closed it nor written to it unasked.
    var isReusable: Bool { !closed && buffer.isEmpty && socket.isQuiet() }

    /// What one exchange produced, and whether the connection may carry another.
    struct Outcome {
        var head: HTTPResponseHead
        var body: [UInt8]
        var truncated: Bool
        var reusable: Bool
    }

    /// Sends the request (one `send`) and reads its response. Any error leaves the
    /// connection unusable; the caller closes it.
    func exchange(head: [UInt8], body: [UInt8], method: HTTPMethod, limits: HTTPResponseParser.Limits,
                  excerptLimit: Int?, deadlines: ClientDeadlines) throws(HTTPClientError) -> Outcome {
        if let tls {
            try tls.write(head, body, socket: socket, deadlines: deadlines)
        } else {
            try socket.send(head, body, deadlines: deadlines)
        }
        var limits = limits
        if excerptLimit != nil {
            // Reading stops at the excerpt, so memory stays bounded by it: a large answer is
            // cut short, never an error that would hide its status.
            limits.maxBodyBytes = Int.max
        }
        var parser = HTTPResponseParser(requestMethod: method, limits: limits)
        var responseHead: HTTPResponseHead?
        var received: [UInt8] = []
        var truncated = false
        while true {
            let event: HTTPResponseParser.Event
            do {
                event = try parser.parse(&buffer)
            } catch let error {
                throw HTTPClientError(error, during: responseHead == nil ? .head : .body)
            }
            switch event {
            case .head(let head):
                responseHead = head
            case .body(let piece):
                if let excerptLimit, received.count + piece.count > excerptLimit {
                    received.append(contentsOf: piece.prefix(max(0, excerptLimit - received.count)))
                    truncated = true
                }
                if !truncated { received.append(contentsOf: piece) }
            case .end:
                guard let responseHead else { throw .connectionClosedEarly(.head) }
                exchanges += 1
                return Outcome(head: responseHead, body: received, truncated: false, reusable: responseHead.keepAlive && buffer.isEmpty)
            case .needMoreData:
                break
            }
            if truncated, let responseHead {
                // The excerpt is full: stop reading; the rest of the body dies with the connection.
                return Outcome(head: responseHead, body: received, truncated: true, reusable: false)
            }
            guard case .needMoreData = event else { continue }
            let n: Int
            if let tls {
                n = try tls.read(into: &buffer, socket: socket, deadlines: deadlines)
            } else {
                n = try socket.receive(into: &buffer, deadlines: deadlines)
            }
            if n > 0 { continue }
            // The server closed: the parser decides whether the message was complete.
            let during: HTTPClientError.ClosedDuring = !parser.hasStarted ? .beforeResponse : (responseHead == nil ? .head : .body)
            if !parser.hasStarted { throw .connectionClosedEarly(.beforeResponse) }
            if let tls, responseHead?.framing == .untilClose, !tls.closedCleanly {
                // Without close_notify, a TCP close could be an attacker's truncation.
                throw .connectionClosedEarly(.body)
            }
            let last: HTTPResponseParser.Event
            do {
                last = try parser.finish()
            } catch let error {
                throw HTTPClientError(error, during: during)
            }
            guard case .end = last, let responseHead else { throw .connectionClosedEarly(during) }
            exchanges += 1
            return Outcome(head: responseHead, body: received, truncated: false, reusable: false)
        }
    }

    /// Keeps this connection's TLS session for the origin's next connection.
    func keepSession(in context: TLSClientContext?) {
        guard let context, let tls else { return }
        context.keepSession(for: origin, from: tls.ssl)
    }

    func close() {
        guard !closed else { return }
        closed = true
        tls?.shutdown(socket)
        socket.close()
    }
}
