#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization
import CSystem

/// The HTTP/1.1 server: a listener and a fixed set of serial I/O queues, driven by Dispatch
/// sources over non-blocking POSIX sockets.
///
/// The listener accepts in batches on its own queue and hands each connection to one I/O
/// queue, round-robin; from then on that connection is touched only on its queue. Handlers
/// run as Swift tasks started with `Task.immediate`, so a handler that never suspends
/// answers on the I/O queue without a thread hop.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let loops: [IOLoop]
    private let acceptQueue = DispatchQueue(label: "bahi.http.accept")
    private let listener = Mutex<ListenerState?>(nil)
    private let nextLoop = Atomic<Int>(0)
    /// Open connections, for the cap and for drain.
    private let counter: ConnectionCounter
    private let boundPort = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)

    struct ListenerState: @unchecked Sendable {
        // DispatchSourceRead is not Sendable-annotated on Linux; the source is only created,
        // resumed and cancelled under the `listener` mutex, never touched concurrently.
        var fd: Int32
        var source: any DispatchSourceRead
        var spareFD: Int32
    }

    public init(configuration: HTTPServerConfiguration, responder: some HTTPResponder) {
        self.configuration = configuration
        self.responder = responder
        var config = configuration.connection
        let limitSource = responder
        config.bodyLimit = { head in limitSource.bodyLimit(for: head) }
        let connectionConfig = config
        let counter = ConnectionCounter()
        self.counter = counter
        self.loops = (0..<max(1, configuration.ioQueueCount)).map { index in
            IOLoop(index: index, connection: connectionConfig, accessLog: configuration.accessLog,
                   tick: configuration.tickInterval, counter: counter)
        }
    }

    /// The port actually bound (useful with port 0).
    public var port: Int { boundPort.load(ordering: .acquiring) }

    /// Binds, listens and starts accepting. Returns the bound port.
    @discardableResult
    public func start() throws -> Int {
        signal(SIGPIPE, SIG_IGN)
        let (fd, port) = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        boundPort.store(port, ordering: .releasing)
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: acceptQueue)
        let spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
        source.setEventHandler { @Sendable [self] in self.acceptBatch() }
        source.setCancelHandler { @Sendable in
            Glibc.close(fd)
        }
        listener.withLock { $0 = ListenerState(fd: fd, source: source, spareFD: spare) }
        for loop in loops { loop.startTimer() }
        source.resume()
        return port
    }

    /// Accepts every pending connection (up to a batch), surviving EMFILE with the spare
    /// descriptor trick: release the spare, accept and close the connection we cannot serve,
    /// take the spare back — so the backlog drains instead of spinning.
    private func acceptBatch() {
        guard let fd = listener.withLock({ $0?.fd }) else { return }
        for _ in 0..<128 {
            let client = bahi_accept_nonblocking(fd)
            if client < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE:
                    listener.withLock { state in
                        guard var s = state else { return }
                        if s.spareFD >= 0 { Glibc.close(s.spareFD) }
                        let victim = bahi_accept_nonblocking(fd)
                        if victim >= 0 { Glibc.close(victim) }
                        s.spareFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
                        state = s
                    }
                    return
                default:
                    return
                }
            }
            if counter.value.load(ordering: .relaxed) >= configuration.maxConnections {
                HTTPServer.rejectOverCapacity(client)
                continue
            }
            Socket.setNoDelay(client)
            counter.value.add(1, ordering: .relaxed)
            let index = nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue
            let loop = loops[abs(index) % loops.count]
            loop.queue.async { @Sendable in loop.adopt(fd: client, responder: self.responder) }
        }
    }

    private static let overCapacity: [UInt8] = {
        let problem = Problem(status: 503, code: "too_many_connections", title: "Service Unavailable",
                              detail: "The server is at its connection limit; retry shortly.")
        return HTTPResponseEncoder.encode(problem.response(headers: ["Retry-After": "1"]), requestID: "", date: DateCache.shared.current(),
                                          isHeadRequest: false, close: true, keepAliveHeader: false)
    }()

    /// Beyond the connection cap: a best-effort 503 and an immediate close.
    private static func rejectOverCapacity(_ fd: Int32) {
        _ = overCapacity.withUnsafeBytes { Socket.writeOnce(fd, $0) }
        Glibc.close(fd)
    }

    /// Graceful drain: stop accepting, close idle connections, let in-flight requests finish
    /// (answered with `Connection: close`) until `drainTimeout`, then close what is left.
    /// Returns true if every connection finished within the bound.
    @discardableResult
    public func shutdown() async -> Bool {
        if stopped.exchange(true, ordering: .acquiringAndReleasing) { return counter.value.load(ordering: .acquiring) == 0 }
        listener.withLock { state in
            state?.source.cancel()
            if let spare = state?.spareFD, spare >= 0 { Glibc.close(spare) }
            state = nil
        }
        for loop in loops { loop.queue.async { @Sendable in loop.drainAll() } }
        let deadline = Clock.monotonicNanoseconds() &+ configuration.drainTimeout.nanoseconds
        while counter.value.load(ordering: .acquiring) > 0, Clock.monotonicNanoseconds() < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let clean = counter.value.load(ordering: .acquiring) == 0
        for loop in loops { loop.queue.sync { loop.closeAll(); loop.stopTimer() } }
        return clean
    }
}

/// The number of open connections, shared by the listener (cap) and the loops (close).
final class ConnectionCounter: Sendable {
    let value = Atomic<Int>(0)
}
