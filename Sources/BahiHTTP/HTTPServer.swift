#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization
import CSystem

/// The HTTP/1.1 server: a listener and a fixed set of event loops (one thread each, `epoll`
/// over non-blocking POSIX sockets).
///
/// The first loop accepts in batches and hands each connection to one loop, round-robin;
/// from then on that connection is touched only on its loop's thread. Handlers run as Swift
/// tasks started with `Task.immediate`, so a handler that never suspends answers on the loop
/// without a thread hop, and one that suspends resumes on the loop through its executor.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let loops: [IOLoop]
    private let listener = Mutex<Listener?>(nil)
    private let nextLoop = Atomic<Int>(0)
    /// Open connections, for the cap and for drain.
    private let counter: ConnectionCounter
    private let boundPort = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)

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
            IOLoop(index: index, io: configuration.io, connection: connectionConfig, accessLog: configuration.accessLog,
                   tick: configuration.tickInterval, counter: counter)
        }
    }

    /// The port actually bound (useful with port 0).
    public var port: Int { boundPort.load(ordering: .acquiring) }

    /// Binds, listens, starts the loops and starts accepting. Returns the bound port.
    @discardableResult
    public func start() throws -> Int {
        signal(SIGPIPE, SIG_IGN)
        let (fd, port) = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        var startedLoops: [IOLoop] = []
        do {
            for loop in loops {
                try loop.start()
                startedLoops.append(loop)
            }
        } catch {
            Glibc.close(fd)
            for loop in startedLoops { loop.eventLoop.stop() }
            throw error
        }
        let first = loops[0]
        let listener = Listener(fd: fd, loop: first.eventLoop) { @Sendable [self] client in admit(client) }
        // Registration must happen on the loop thread; wait for it, so a failure is thrown here
        // and the server accepts by the time `start` returns. The loop thread never waits on
        // the caller, so this cannot deadlock.
        let outcome = Mutex<SocketError?>(nil)
        let done = DispatchSemaphore(value: 0)
        first.eventLoop.execute { @Sendable in
            do throws(SocketError) {
                try listener.register()
            } catch {
                outcome.withLock { $0 = error }
                listener.close()
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLock({ $0 }) {
            for loop in loops { loop.eventLoop.stop() }
            throw error
        }
        self.listener.withLock { $0 = listener }
        boundPort.store(port, ordering: .releasing)
        return port
    }

    /// Admits one accepted connection (on the first loop's thread): the cap, TCP_NODELAY, and
    /// a loop chosen round-robin — adopted at once when that is this loop, else handed over.
    private func admit(_ client: Int32) {
        let open = counter.value.load(ordering: .relaxed)
        if open >= configuration.maxConnections {
            HTTPServer.rejectOverCapacity(client)
            // No request was read, so there is no request id: the line names the limit.
            configuration.errorLog.error("connection refused", [
                ("status", .int(503)), ("code", .string("too_many_connections")),
                ("open_connections", .int(open)), ("max_connections", .int(configuration.maxConnections)),
            ])
            return
        }
        Socket.setNoDelay(client)
        counter.value.add(1, ordering: .relaxed)
        let index = nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue
        let loop = loops[abs(index % loops.count)]
        let responder = self.responder
        if loop.eventLoop.inLoop {
            loop.adopt(fd: client, responder: responder)
        } else {
            loop.eventLoop.execute { @Sendable in loop.adopt(fd: client, responder: responder) }
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
    /// (answered with `Connection: close`) until `drainTimeout`, then close what is left and
    /// stop the loop threads. Returns true if every connection finished within the bound.
    @discardableResult
    public func shutdown() async -> Bool {
        if stopped.exchange(true, ordering: .acquiringAndReleasing) { return counter.value.load(ordering: .acquiring) == 0 }
        guard let listener = listener.withLock({ state in
            defer { state = nil }
            return state
        }) else { return counter.value.load(ordering: .acquiring) == 0 }  // never started
        await listener.loop.submit { listener.close() }
        for loop in loops { loop.eventLoop.execute { @Sendable in loop.drainAll() } }
        let deadline = Clock.monotonicNanoseconds() &+ configuration.drainTimeout.nanoseconds
        while counter.value.load(ordering: .acquiring) > 0, Clock.monotonicNanoseconds() < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let clean = counter.value.load(ordering: .acquiring) == 0
        for loop in loops {
            await loop.eventLoop.submit { loop.closeAll(); loop.stopTimer() }
            loop.eventLoop.stop()
        }
        return clean
    }
}

/// The number of open connections, shared by the listener (cap) and the loops (close).
final class ConnectionCounter: Sendable {
    let value = Atomic<Int>(0)
}
