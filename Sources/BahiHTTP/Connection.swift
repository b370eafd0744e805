#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystem
import Synchronization

/// The socket side of one connection: reads into the state machine's buffer, performs its
/// actions, writes responses with one `writev` each.
///
/// The socket is registered with its loop once, edge-triggered, for both directions: an
/// edge says "something changed", so reading goes on until `EAGAIN` (or a short read), or
/// the connection remembers that input may still wait (back-pressure, or the per-event read
/// cap that keeps one fast sender from starving the loop) and reads again later by itself.
/// `EPOLLOUT` edges are ignored unless a write is pending. No `epoll_ctl` after the first.
///
/// `@unchecked Sendable`: all mutable state is confined to the loop thread — events and
/// deferred reads run on it, handler completions re-enter through `eventLoop.execute` or run
/// on it through the loop's `EventLoopExecutor` (checked with `isCurrent`), and the one value
/// that crosses threads (the finished response) travels through
/// `inflightState`/`inflightResponse`, which are an atomic and a mutex.
final class Connection: EventLoopHandler, @unchecked Sendable {
    let fd: Int32
    unowned let loop: IOLoop
    let responder: any HTTPResponder
    private var machine: HTTPConnectionStateMachine
    /// Back-pressure: input may be waiting but is not read until the state machine asks.
    private var readPaused = false
    /// A read pass is queued on the loop (input may still wait in the socket).
    private var readScheduled = false
    /// The peer closed its side (read returned 0): nothing more will arrive.
    private var inputEnded = false
    /// An event said the peer shut down its side (`EPOLLRDHUP`): read on to the 0, since a
    /// short read no longer proves there is nothing left (the FIN rode the same edge).
    private var peerShutDown = false
    /// Bytes wait in `pending` for an `EPOLLOUT` edge.
    private var writePending = false
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var closeAfterWrite = false
    private var closed = false

    /// 0: handler running and the loop still inside `Task.immediate`; 1: the handler
    /// finished first (response in `inflightResponse`, the loop sends it inline); 2: the
    /// loop gave up waiting (the task sends it, on the loop).
    private let inflightState = Atomic<Int>(0)
    private let inflightResponse = Mutex<HTTPResponse?>(nil)

    /// Stop reading while this much unparsed input waits behind a request in flight.
    private static let highWater = 256 * 1024
    /// Reads per readiness event before yielding the loop to other connections.
    private static let readsPerTurn = 4
    private static let readSize = 16 * 1024

    init(fd: Int32, loop: IOLoop, responder: any HTTPResponder) {
        self.fd = fd
        self.loop = loop
        self.responder = responder
        self.machine = HTTPConnectionStateMachine(configuration: loop.connectionConfiguration, now: Clock.monotonicNanoseconds())
    }

    /// Registers the socket with the loop, once, edge-triggered for input and output. Bytes
    /// that arrived before registration raise an event at once.
    func start() {
        do {
            try loop.eventLoop.register(fd: fd, events: IOEvent.input | IOEvent.output | IOEvent.peerShutDown | IOEvent.edgeTriggered, handler: self)
        } catch {
            closed = true
            Glibc.close(fd)
            loop.forget(fd: fd)
        }
    }

    /// One edge: input (or the peer's shutdown, or an error, which a read reports) first,
    /// then output if a write waits for room. Output bits ride along with every input edge
    /// and are ignored while nothing is pending.
    func handleEvents(_ events: UInt32) {
        if events & (IOEvent.peerShutDown | IOEvent.hangUp | IOEvent.error) != 0 { peerShutDown = true }
        if events & (IOEvent.input | IOEvent.peerShutDown | IOEvent.hangUp | IOEvent.error) != 0 { readable() }
        if writePending, events & (IOEvent.output | IOEvent.hangUp | IOEvent.error) != 0 { writable() }
    }

    // MARK: Reading

    private func readable() {
        guard !closed, !inputEnded, !readPaused else { return }
        var drained = false
        var turns = 0
        while turns < Connection.readsPerTurn {
            let want = Connection.readSize
            let n = machine.buffer.writeWithUnsafeMutableBytes(minimumWritable: want) { raw in
                Glibc.read(fd, raw.baseAddress, want)
            }
            if n > 0 {
                machine.bytesReceived(now: Clock.monotonicNanoseconds())
                turns += 1
                // A short read emptied the socket; anything arriving later is a new edge
                // (unless the peer's FIN came with this one: then read on to see the 0).
                if n < want, !peerShutDown { drained = true; break }
            } else if n == 0 {
                inputEnded = true
                break
            } else {
                let e = errno
                if e == EINTR { continue }
                if e == EAGAIN || e == EWOULDBLOCK { drained = true; break }
                abort()
                return
            }
        }
        if inputEnded {
            // Nothing more will come; a level-triggered backend would report the end forever.
            loop.eventLoop.wantInput(fd: fd, false)
            machine.receivedEOF()
        }
        drive()
        guard !closed, !inputEnded else { return }
        if machine.isDispatched || writePending, machine.buffer.readableBytes >= Connection.highWater {
            // No edge will come for input already waiting: `resumeReading` reads it.
            readPaused = true
            loop.eventLoop.wantInput(fd: fd, false)
        } else if !drained {
            scheduleRead()
        }
    }

    /// Reads again on a later turn of the loop, after other connections' events.
    private func scheduleRead() {
        guard !readScheduled else { return }
        readScheduled = true
        loop.eventLoop.execute { @Sendable [self] in
            readScheduled = false
            readable()
        }
    }

    private func resumeReading() {
        guard readPaused else { return }
        readPaused = false
        loop.eventLoop.wantInput(fd: fd, true)
        scheduleRead()
    }

    // MARK: Driving the state machine

    private func drive() {
        while !closed, !writePending {
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
    /// inline on the loop), or nil if it continues as a task that will call back.
    private func dispatch(_ request: HTTPRequest) -> HTTPResponse? {
        inflightState.store(0, ordering: .relaxed)
        let responder = self.responder
        let executor = loop.executor
        Task.immediate(executorPreference: executor) { [self] in
            let response = await responder.respond(to: request)
            inflightResponse.withLock { $0 = response }
            if inflightState.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged { return }
            // Resumed on the connection's own loop (the usual case, through the executor):
            // write now rather than hopping again.
            if executor.isCurrent {
                handlerFinishedLater()
            } else {
                loop.eventLoop.execute { @Sendable [self] in handlerFinishedLater() }
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
        // Already waiting for EPOLLOUT: the socket is full, the edge will flush everything.
        if !writePending { flush() }
    }

    /// Writes what is pending; on EAGAIN waits for the `EPOLLOUT` edge (already registered).
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
                if !writePending { loop.eventLoop.wantOutput(fd: fd, true) }
                writePending = true
                return
            } else {
                abort()
                return
            }
        }
        pending.removeAll(keepingCapacity: pending.capacity <= 64 * 1024)
        pendingOffset = 0
        if writePending { loop.eventLoop.wantOutput(fd: fd, false) }
        writePending = false
        if closeAfterWrite { close() }
    }

    private func writable() {
        guard !closed else { return }
        flush()
        if !closed, !writePending { drive() }
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

    /// Stops watching the socket and closes it (see `EventLoop.close`). Nothing can touch the number after:
    /// a queued read pass and a late handler completion check `closed` first, and an event
    /// already fetched in the same batch is dropped by the registration's generation.
    private func close() {
        guard !closed else { return }
        closed = true
        writePending = false
        loop.eventLoop.close(fd: fd)
        loop.forget(fd: fd)
    }
}
