#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// The socket side of one connection: reads into the state machine's buffer, performs its
/// actions, writes responses with one `writev` each, and tears down in the order libdispatch
/// on Linux needs (cancel every source first; close the descriptor only in the last cancel
/// handler, so its number is never reused while a source still watches it).
///
/// `@unchecked Sendable`: all mutable state is confined to `loop.queue` — the sources fire on
/// it, handler completions re-enter through `queue.async` or run on it through the loop's
/// `IOQueueExecutor` (checked with `isCurrent`), and the one value that crosses
/// threads (the finished response) travels through `inflightState`/`inflightResponse`, which
/// are an atomic and a mutex.
final class Connection: @unchecked Sendable {
    let fd: Int32
    unowned let loop: IOLoop
    let responder: any HTTPResponder
    private var machine: HTTPConnectionStateMachine
    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    private var readSuspended = false
    private var writeSourceArmed = false
    private var liveSources = 0
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var closeAfterWrite = false
    private var closed = false
    private var fdClosed = false

    /// 0: handler running and the I/O queue still inside `Task.immediate`; 1: the handler
    /// finished first (response in `inflightResponse`, the queue sends it inline); 2: the
    /// queue gave up waiting (the task sends it with `queue.async`).
    private let inflightState = Atomic<Int>(0)
    private let inflightResponse = Mutex<HTTPResponse?>(nil)

    /// Stop reading while this much unparsed input waits behind a request in flight.
    private static let highWater = 256 * 1024

    init(fd: Int32, loop: IOLoop, responder: any HTTPResponder) {
        self.fd = fd
        self.loop = loop
        self.responder = responder
        self.machine = HTTPConnectionStateMachine(configuration: loop.connectionConfiguration, now: Clock.monotonicNanoseconds())
    }

    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: loop.queue)
        source.setEventHandler { @Sendable [self] in readable() }
        source.setCancelHandler { @Sendable [self] in sourceCancelled() }
        liveSources += 1
        readSource = source
        source.resume()
    }

    // MARK: Reading

    private func readable() {
        guard !closed else { return }
        var eof = false
        for _ in 0..<4 {
            let want = 16 * 1024
            let n = machine.buffer.writeWithUnsafeMutableBytes(minimumWritable: want) { raw in
                Glibc.read(fd, raw.baseAddress, want)
            }
            if n > 0 {
                machine.bytesReceived(now: Clock.monotonicNanoseconds())
                if n < want { break }
            } else if n == 0 {
                eof = true
                break
            } else {
                let e = errno
                if e == EINTR { continue }
                if e == EAGAIN || e == EWOULDBLOCK { break }
                abort()
                return
            }
        }
        if eof {
            machine.receivedEOF()
            stopReading()
        }
        drive()
        if !closed, !eof, machine.isDispatched || writeSourceArmed, machine.buffer.readableBytes >= Connection.highWater {
            suspendReading()
        }
    }

    private func suspendReading() {
        guard let source = readSource, !readSuspended else { return }
        readSuspended = true
        source.suspend()
    }

    private func resumeReading() {
        guard let source = readSource, readSuspended else { return }
        readSuspended = false
        source.resume()
    }

    /// After EOF there is nothing more to read: retire the read source (a level-triggered
    /// source at EOF would fire forever).
    private func stopReading() {
        guard let source = readSource else { return }
        if readSuspended { readSuspended = false; source.resume() }
        source.cancel()
        readSource = nil
    }

    // MARK: Driving the state machine

    private func drive() {
        while !closed, !writeSourceArmed {
            let now = Clock.monotonicNanoseconds()
            switch machine.next(now: now) {
            case .readMore:
                resumeReading()
                return
            case .wait:
                return
            case .sendContinue:
                send(HTTPResponseEncoder.continueResponse)
            case .dispatch(let request):
                guard let response = dispatch(request) else { return }
                perform(machine.respond(response, now: Clock.monotonicNanoseconds()))
            case .send(let outgoing):
                perform(.send(outgoing))
            case .close:
                close()
                return
            }
        }
    }

    private func perform(_ action: HTTPConnectionStateMachine.Action) {
        switch action {
        case .send(let outgoing):
            loop.log(outgoing.record, now: Clock.monotonicNanoseconds())
            if outgoing.close { closeAfterWrite = true }
            send(outgoing.bytes)
        case .close:
            close()
        default:
            break
        }
    }

    /// Runs the handler. Returns the response if it finished without suspending (served
    /// inline on this queue), or nil if it continues as a task that will call back.
    private func dispatch(_ request: HTTPRequest) -> HTTPResponse? {
        inflightState.store(0, ordering: .relaxed)
        let responder = self.responder
        let executor = loop.executor
        Task.immediate(executorPreference: executor) { [self] in
            let response = await responder.respond(to: request)
            inflightResponse.withLock { $0 = response }
            if inflightState.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged { return }
            // Resumed on the connection's own queue (the usual case, through the executor):
            // write now rather than hopping again.
            if executor.isCurrent {
                handlerFinishedLater()
            } else {
                loop.queue.async { @Sendable [self] in handlerFinishedLater() }
            }
        }
        if inflightState.compareExchange(expected: 0, desired: 2, ordering: .acquiringAndReleasing).exchanged { return nil }
        return inflightResponse.withLock { slot in
            defer { slot = nil }
            return slot
        }
    }

    private func handlerFinishedLater() {
        let response = inflightResponse.withLock { slot in
            defer { slot = nil }
            return slot
        }
        guard !closed, let response else { return }
        perform(machine.respond(response, now: Clock.monotonicNanoseconds()))
        drive()
    }

    // MARK: Writing

    private func send(_ bytes: [UInt8]) {
        guard !closed else { return }
        if pending.isEmpty {
            pending = bytes
            pendingOffset = 0
        } else {
            pending.append(contentsOf: bytes)
        }
        flush()
    }

    /// Writes what is pending; arms the write source on EAGAIN.
    private func flush() {
        while pendingOffset < pending.count {
            let offset = pendingOffset
            let n = pending.withUnsafeBytes { raw in
                Socket.writeOnce(fd, UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
            if n > 0 {
                pendingOffset += n
            } else if n < 0, errno == EINTR {
                continue
            } else if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                armWriteSource()
                return
            } else {
                abort()
                return
            }
        }
        pending.removeAll(keepingCapacity: pending.capacity <= 64 * 1024)
        pendingOffset = 0
        disarmWriteSource()
        if closeAfterWrite { close() }
    }

    private func armWriteSource() {
        if writeSource == nil {
            let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: loop.queue)
            source.setEventHandler { @Sendable [self] in writable() }
            source.setCancelHandler { @Sendable [self] in sourceCancelled() }
            liveSources += 1
            writeSource = source
            writeSourceArmed = true
            source.resume()
        } else if !writeSourceArmed {
            writeSourceArmed = true
            writeSource?.resume()
        }
    }

    private func disarmWriteSource() {
        guard writeSourceArmed, let source = writeSource else { return }
        writeSourceArmed = false
        source.suspend()
    }

    private func writable() {
        guard !closed else { return }
        flush()
        if !closed, !writeSourceArmed { drive() }
    }

    // MARK: Timers and shutdown

    func tick(now: UInt64) {
        guard !closed, let action = machine.tick(now: now) else { return }
        perform(action)
    }

    func drain() {
        guard !closed, let action = machine.startDrain() else { return }
        perform(action)
    }

    /// Closes at once, whatever is pending.
    func abort() {
        pending.removeAll()
        pendingOffset = 0
        close()
    }

    /// Cancels the sources; the descriptor is closed when the last cancel handler has run.
    private func close() {
        guard !closed else { return }
        closed = true
        if let source = readSource {
            if readSuspended { readSuspended = false; source.resume() }
            source.cancel()
            readSource = nil
        }
        if let source = writeSource {
            if !writeSourceArmed { source.resume() }
            writeSourceArmed = false
            source.cancel()
            writeSource = nil
        }
        if liveSources == 0 { closeDescriptor() }
    }

    private func sourceCancelled() {
        liveSources -= 1
        if liveSources == 0, closed { closeDescriptor() }
    }

    private func closeDescriptor() {
        guard !fdClosed else { return }
        fdClosed = true
        Glibc.close(fd)
        loop.forget(fd: fd)
    }
}
