#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// One serial I/O queue and the connections it owns, with a timer that applies timeouts and
/// flushes the buffered access log.
///
/// A fixed set of these (one per core) carries all connections: no queue per connection, so
/// thousands of connections never become thousands of threads.
///
/// `@unchecked Sendable`: every mutable property is read and written only on `queue` (the
/// listener reaches a loop only through `queue.async`, the server only through
/// `queue.async`/`queue.sync`, sources and the timer fire on `queue`). That confinement is
/// the proof; `dispatchPrecondition` checks it in debug builds.
final class IOLoop: @unchecked Sendable {
    let queue: DispatchQueue
    /// Runs handler tasks on `queue` after they suspend (see `IOQueueExecutor`).
    let executor: IOQueueExecutor
    let connectionConfiguration: HTTPConnectionStateMachine.Configuration
    let accessLog: AccessLog
    let tickInterval: Duration
    let counter: ConnectionCounter
    private var connections: [Int32: Connection] = [:]
    private var timer: (any DispatchSourceTimer)?
    private var logBuffer: [UInt8] = []

    init(index: Int, connection: HTTPConnectionStateMachine.Configuration, accessLog: AccessLog, tick: Duration, counter: ConnectionCounter) {
        self.queue = DispatchQueue(label: "bahi.http.io.\(index)")
        self.executor = IOQueueExecutor(queue: queue)
        self.connectionConfiguration = connection
        self.accessLog = accessLog
        self.tickInterval = tick
        self.counter = counter
    }

    func startTimer() {
        queue.async { @Sendable [self] in
            let timer = DispatchSource.makeTimerSource(queue: queue)
            let interval = DispatchTimeInterval.nanoseconds(Int(tickInterval.nanoseconds))
            timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(5))
            timer.setEventHandler { @Sendable [self] in tick() }
            timer.resume()
            self.timer = timer
        }
    }

    func stopTimer() {
        dispatchPrecondition(condition: .onQueue(queue))
        timer?.cancel()
        timer = nil
        flushLog()
    }

    /// Takes ownership of an accepted socket.
    func adopt(fd: Int32, responder: any HTTPResponder) {
        dispatchPrecondition(condition: .onQueue(queue))
        let connection = Connection(fd: fd, loop: self, responder: responder)
        connections[fd] = connection
        connection.start()
    }

    /// Called by a connection once its descriptor is closed.
    func forget(fd: Int32) {
        dispatchPrecondition(condition: .onQueue(queue))
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
        dispatchPrecondition(condition: .onQueue(queue))
        for connection in connections.values { connection.drain() }
    }

    func closeAll() {
        dispatchPrecondition(condition: .onQueue(queue))
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

/// A task executor that runs jobs on one I/O queue.
///
/// Why: a handler that suspends (every write waits for the store's group commit) used to
/// resume on the cooperative pool and then hop back to its connection's queue with
/// `queue.async` to write the response: two thread wake-ups per request, one of them paid on
/// the store's writer thread. With this executor as the handler task's preference, it resumes
/// directly on the connection's queue and writes the response there: one hop, and none when
/// the queue is already busy. Work isolated to an actor still runs on that actor; only
/// nonisolated async code (the handlers) comes here.
final class IOQueueExecutor: TaskExecutor {
    let queue: DispatchQueue
    /// Marks `queue`, so code can tell it is running on it (`isCurrent`).
    private static let key = DispatchSpecificKey<ObjectIdentifier>()

    init(queue: DispatchQueue) {
        self.queue = queue
        queue.setSpecific(key: Self.key, value: ObjectIdentifier(queue))
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    /// True when the calling code runs on this executor's queue.
    var isCurrent: Bool { DispatchQueue.getSpecific(key: Self.key) == ObjectIdentifier(queue) }
}
