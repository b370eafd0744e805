#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One event-loop thread's share of the server: the connections it owns, a timer that
/// applies timeouts and flushes the buffered access log.
///
/// A fixed set of these (one per core) carries all connections: no thread per connection, so
/// thousands of connections never become thousands of threads, and a connection never
/// changes thread, so its state needs no lock.
///
/// `@unchecked Sendable`: every mutable property is read and written only on the loop thread
/// (the listener reaches a loop only through `eventLoop.execute` unless it runs on it, the
/// server only through `execute`/`submit`, events and the timer fire on it). That
/// confinement is the proof; `assert(eventLoop.inLoop)` checks it in debug builds.
final class IOLoop: @unchecked Sendable {
    let eventLoop: any EventLoop
    /// Runs handler tasks on the loop thread after they suspend (see `EventLoopExecutor`).
    let executor: EventLoopExecutor
    let connectionConfiguration: HTTPConnectionStateMachine.Configuration
    let accessLog: AccessLog
    let tickInterval: Duration
    let counter: ConnectionCounter
    private var connections: [Int32: Connection] = [:]
    private var timer: Int?
    private var logBuffer: [UInt8] = []

    init(index: Int, io: IOBackend, connection: HTTPConnectionStateMachine.Configuration, accessLog: AccessLog, tick: Duration, counter: ConnectionCounter) {
        self.eventLoop = io.makeLoop(name: "bahi-http-\(index)")
        self.executor = EventLoopExecutor(loop: eventLoop)
        self.connectionConfiguration = connection
        self.accessLog = accessLog
        self.tickInterval = tick
        self.counter = counter
    }

    /// Starts the loop thread and its tick.
    func start() throws(SocketError) {
        try eventLoop.start()
        eventLoop.execute { @Sendable [self] in
            timer = eventLoop.scheduleRepeating(every: tickInterval) { [self] in tick() }
        }
    }

    func stopTimer() {
        assert(eventLoop.inLoop)
        if let timer { eventLoop.cancelTimer(timer) }
        timer = nil
        flushLog()
    }

    /// Takes ownership of an accepted socket. Loop thread only.
    func adopt(fd: Int32, responder: any HTTPResponder) {
        assert(eventLoop.inLoop)
        let connection = Connection(fd: fd, loop: self, responder: responder)
        connections[fd] = connection
        connection.start()
    }

    /// Called by a connection once its descriptor is closed.
    func forget(fd: Int32) {
        assert(eventLoop.inLoop)
        if connections.removeValue(forKey: fd) != nil {
            counter.value.subtract(1, ordering: .releasing)
        }
    }

    private func tick() {
        let now = Clock.monotonicNanoseconds()
        for connection in connections.values { connection.tick(now: now) }
        flushLog()
    }

    func drainAll() {
        assert(eventLoop.inLoop)
        for connection in connections.values { connection.drain() }
    }

    func closeAll() {
        assert(eventLoop.inLoop)
        for connection in connections.values { connection.abort() }
    }

    /// Logs one exchange.
    func log(_ record: HTTPConnectionStateMachine.ExchangeRecord, now: UInt64) {
        switch accessLog {
        case .disabled:
            return
        case .custom(let sink):
            let line = AccessLog.line(record, wallMilliseconds: Clock.wallMilliseconds(), durationNanoseconds: now &- record.startedAt, extra: record.extra)
            sink(String(decoding: line.dropLast(), as: UTF8.self))
        case .fileDescriptor:
            logBuffer.append(contentsOf: AccessLog.line(record, wallMilliseconds: Clock.wallMilliseconds(), durationNanoseconds: now &- record.startedAt, extra: record.extra))
            if logBuffer.count >= 32 * 1024 { flushLog() }
        }
    }

    private func flushLog() {
        guard case .fileDescriptor(let fd) = accessLog, !logBuffer.isEmpty else { return }
        var offset = 0
        logBuffer.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            while offset < raw.count {
                let n = Glibc.write(fd, base + offset, raw.count - offset)
                if n > 0 { offset += n } else if n < 0, errno == EINTR { continue } else { break }
            }
        }
        logBuffer.removeAll(keepingCapacity: true)
    }
}
