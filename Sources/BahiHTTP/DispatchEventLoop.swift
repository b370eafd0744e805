#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// The portable event loop (`server.io: dispatch`): one serial queue, a read source and a
/// write source per descriptor, timers as timer sources.
///
/// Why keep it beside `EpollEventLoop`: it builds wherever Dispatch does (macOS has no
/// epoll), and it is the reference the product was first specified on. Its sources are
/// level-triggered, so the handler tells it what it wants (`wantInput`/`wantOutput`): the
/// write source runs only while bytes wait for room, and the read source pauses under
/// back-pressure and after the peer's end of input, where it would otherwise fire forever.
///
/// Teardown follows what swift-corelibs-libdispatch needs on Linux (issues #833, #949:
/// its epoll bookkeeping breaks when a descriptor is closed under a live source, or when
/// sources for one number churn from several threads): every source of a loop is created,
/// resumed, suspended and cancelled on the loop's own queue; a source is never released
/// suspended or inactive (it is resumed or activated first, then cancelled); and the
/// descriptor is closed in the cancel handler of its last source, so its number cannot be
/// reused while a source still watches it.
///
/// `@unchecked Sendable`: `registrations`, `timers` and `nextTimerID` are touched only on
/// `queue` (serial, and every entry point that touches them runs there: events, timers and
/// jobs); `stopped` is read from any thread but only guards where late jobs run, and is
/// written once on the queue.
final class DispatchEventLoop: EventLoop, @unchecked Sendable {
    let name: String
    private let queue: DispatchQueue
    private let key = DispatchSpecificKey<UInt8>()
    private let stoppedFlag = LockedFlag()

    /// One watched descriptor.
    private final class Registration {
        let read: (any DispatchSourceRead)?
        let write: (any DispatchSourceWrite)?
        /// Whether each source is delivering events (a source starts inactive: it is
        /// activated on the first `want…(true)`, then suspended and resumed).
        var reading = false
        var readActivated = false
        var writing = false
        var writeActivated = false
        /// Cancel handlers still to run before the descriptor may close.
        var cancelsLeft = 0

        init(read: (any DispatchSourceRead)?, write: (any DispatchSourceWrite)?) {
            self.read = read
            self.write = write
        }
    }

    private var registrations: [Int32: Registration] = [:]
    private var timers: [Int: any DispatchSourceTimer] = [:]
    private var nextTimerID = 0

    init(name: String) {
        self.name = name
        queue = DispatchQueue(label: name)
        queue.setSpecific(key: key, value: 1)
    }

    /// Nothing to start: the queue exists from `init`.
    func start() throws(SocketError) {}

    var inLoop: Bool { DispatchQueue.getSpecific(key: key) != nil }

    func enqueue(_ job: EventLoopJob) {
        guard !stoppedFlag.isSet else {
            DispatchQueue.global().async { job.run() }
            return
        }
        queue.async { job.run() }
    }

    func stop() {
        execute { [self] in
            stoppedFlag.set()
            for timer in timers.values { timer.cancel() }
            timers.removeAll()
            for fd in Array(registrations.keys) { deregister(fd: fd) }
        }
    }

    // MARK: Descriptors

    func register(fd: Int32, events: UInt32, handler: any EventLoopHandler) throws(SocketError) {
        assert(inLoop, "DispatchEventLoop.register off its queue")
        let read = events & IOEvent.input != 0 ? DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue) : nil
        let write = events & IOEvent.output != 0 ? DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue) : nil
        let registration = Registration(read: read, write: write)
        // The handlers hold the handler weakly-by-registration: once deregistered, a late
        // event (already queued) finds no registration and is dropped.
        read?.setEventHandler { [weak self, weak registration] in
            guard let self, let registration, self.registrations[fd] === registration else { return }
            handler.handleEvents(IOEvent.input)
        }
        write?.setEventHandler { [weak self, weak registration] in
            guard let self, let registration, self.registrations[fd] === registration else { return }
            handler.handleEvents(IOEvent.output)
        }
        registrations[fd] = registration
        // Input is wanted from the start (bytes may already wait); output only when asked.
        if read != nil { wantInput(fd: fd, true) }
    }

    func wantInput(fd: Int32, _ wanted: Bool) {
        assert(inLoop, "DispatchEventLoop.wantInput off its queue")
        guard let registration = registrations[fd], let source = registration.read, registration.reading != wanted else { return }
        registration.reading = wanted
        if wanted {
            if registration.readActivated { source.resume() } else { registration.readActivated = true; source.activate() }
        } else {
            source.suspend()
        }
    }

    func wantOutput(fd: Int32, _ wanted: Bool) {
        assert(inLoop, "DispatchEventLoop.wantOutput off its queue")
        guard let registration = registrations[fd], let source = registration.write, registration.writing != wanted else { return }
        registration.writing = wanted
        if wanted {
            if registration.writeActivated { source.resume() } else { registration.writeActivated = true; source.activate() }
        } else {
            source.suspend()
        }
    }

    func deregister(fd: Int32) {
        cancel(fd: fd, closing: false)
    }

    func close(fd: Int32) {
        cancel(fd: fd, closing: true)
    }

    /// Cancels `fd`'s sources (each running, never suspended or inactive, when cancelled)
    /// and, when `closing`, closes the descriptor in the last cancel handler.
    private func cancel(fd: Int32, closing: Bool) {
        assert(inLoop, "DispatchEventLoop.close off its queue")
        guard let registration = registrations.removeValue(forKey: fd) else {
            if closing { closeDescriptor(fd) }
            return
        }
        let sources: [any DispatchSourceProtocol] = [registration.read, registration.write].compactMap { $0 }
        registration.cancelsLeft = sources.count
        guard !sources.isEmpty else {
            if closing { closeDescriptor(fd) }
            return
        }
        for source in sources {
            source.setCancelHandler {
                registration.cancelsLeft -= 1
                if registration.cancelsLeft == 0, closing { closeDescriptor(fd) }
            }
        }
        if let read = registration.read {
            if !registration.readActivated { read.activate() } else if !registration.reading { read.resume() }
            read.cancel()
        }
        if let write = registration.write {
            if !registration.writeActivated { write.activate() } else if !registration.writing { write.resume() }
            write.cancel()
        }
    }

    // MARK: Timers

    @discardableResult
    func scheduleRepeating(every interval: Duration, _ body: @escaping () -> Void) -> Int {
        assert(inLoop, "DispatchEventLoop.scheduleRepeating off its queue")
        let step = max(1, interval.nanoseconds)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .nanoseconds(Int(clamping: step)), repeating: .nanoseconds(Int(clamping: step)))
        timer.setEventHandler(handler: body)
        nextTimerID += 1
        timers[nextTimerID] = timer
        timer.activate()
        return nextTimerID
    }

    func cancelTimer(_ id: Int) {
        assert(inLoop, "DispatchEventLoop.cancelTimer off its queue")
        timers.removeValue(forKey: id)?.cancel()
    }
}

/// A flag set once, read from any thread.
private final class LockedFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

private func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}
