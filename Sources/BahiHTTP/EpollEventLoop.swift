#if os(Linux)
import Glibc
import CSystem
import Dispatch
import Synchronization

/// One thread running an `epoll` loop: the descriptors registered with it, jobs handed to it
/// from any thread, and repeating timers.
///
/// Why our own loop rather than Dispatch sources: a `DispatchSourceRead` is level-triggered
/// and one-shot inside libdispatch, so its manager thread re-arms it after every event (two
/// `epoll_ctl` and a manager wake-up per request, ~15 % of the HTTP side's CPU). Here a
/// descriptor is registered once, edge-triggered, and the thread that waits in `epoll_wait`
/// is the one that reads, runs the handler and writes.
///
/// - Descriptors: `register` adds one with its handler; events are delivered to the handler on
///   this thread. Each registration carries a generation in the epoll data, so an event
///   already fetched for a descriptor that was closed (and its number reused) in the same
///   batch is dropped rather than delivered to the newcomer.
/// - Jobs: `execute` from this thread appends to a local list (no lock, no system call); from
///   another thread it appends under a mutex and writes the `eventfd` only if no wake-up is
///   already pending, so a burst of completions costs one wake-up.
/// - Timers: their nearest deadline is the `epoll_wait` timeout.
///
/// `@unchecked Sendable`: the properties marked *loop-confined* are read and written only on
/// the loop thread (every public entry point that touches them asserts `inLoop`, and the
/// thread is the only caller of `run`). What other threads touch is `remote` (a mutex),
/// `wakePending` and `threadID` (atomics), and the immutable descriptors.
final class EpollEventLoop: EventLoop, @unchecked Sendable {
    typealias Job = EventLoopJob

    /// Jobs handed over by other threads, and whether the loop still takes them.
    private struct Remote {
        var jobs: [Job] = []
        var stopped = false
    }

    private struct Registration {
        var generation: UInt32
        var handler: any EventLoopHandler
    }

    private struct Timer {
        var id: Int
        var deadline: UInt64
        var interval: UInt64
        var body: () -> Void
    }

    /// Epoll data of the wake-up `eventfd`. Descriptors use `generation << 32 | fd` with a
    /// generation below `UInt32.max`, so they never collide with it.
    private static let wakeToken = UInt64.max
    private static let eventCapacity: Int32 = 256

    let name: String
    /// The epoll descriptor; set by `start` before the thread exists, then used only by it.
    private var epfd: Int32 = -1
    /// The wake-up eventfd, -1 until `start`. Atomic because producers read it from any
    /// thread (a job handed over before `start` waits in `remote` and runs once it starts).
    private let wakeFD = Atomic<Int32>(-1)
    private var events: UnsafeMutableRawPointer?
    /// `pthread_self()` of the loop thread while it runs, else 0.
    private let threadID = Atomic<UInt>(0)
    private let remote = Mutex<Remote>(Remote())
    /// True from the first remote `execute` after a drain until the loop drains again: later
    /// producers skip the `eventfd` write.
    private let wakePending = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)

    // Loop-confined.
    private var local: [Job] = []
    private var spare: [Job] = []
    private var registrations: [Int32: Registration] = [:]
    private var nextGeneration: UInt32 = 0
    private var timers: [Timer] = []
    private var nextTimerID = 0
    private var stopping = false

    /// A loop with no thread and no descriptors yet; `start()` creates them.
    init(name: String) {
        self.name = name
    }

    /// Creates the epoll and eventfd descriptors and starts the loop thread, which keeps the
    /// loop alive until it stops. Call once.
    func start() throws(SocketError) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let ep = bahi_epoll_create()
        guard ep >= 0 else { throw SocketError(call: "epoll_create1", errno: errno) }
        let wake = bahi_eventfd()
        guard wake >= 0 else {
            let e = errno
            Glibc.close(ep)
            throw SocketError(call: "eventfd", errno: e)
        }
        // Edge-triggered and never read: each write is a new edge (as mio's waker does), so
        // a wake-up costs the producer one write(2) and the loop nothing beyond its wait.
        guard bahi_epoll_add(ep, wake, BAHI_EPOLLIN | BAHI_EPOLLET, Self.wakeToken) == 0,
              let buffer = bahi_epoll_events_alloc(Self.eventCapacity) else {
            let e = errno
            Glibc.close(wake)
            Glibc.close(ep)
            throw SocketError(call: "epoll_ctl(eventfd)", errno: e)
        }
        epfd = ep
        events = buffer
        wakeFD.store(wake, ordering: .releasing)
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let loop = Unmanaged<EpollEventLoop>.fromOpaque(raw).takeRetainedValue()
            loop.run()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<EpollEventLoop>.fromOpaque(box).release()
            wakeFD.store(-1, ordering: .releasing)
            Glibc.close(wake)
            Glibc.close(ep)
            bahi_epoll_events_free(buffer)
            throw SocketError(call: "pthread_create", errno: rc)
        }
        pthread_detach(thread)
    }

    deinit {
        let wake = wakeFD.load(ordering: .acquiring)
        if wake >= 0 { Glibc.close(wake) }
    }

    /// True when called on this loop's thread.
    var inLoop: Bool {
        let id = threadID.load(ordering: .relaxed)
        return id != 0 && id == UInt(pthread_self())
    }

    // MARK: Jobs

    /// Hands a job to the loop: on the loop thread to the unlocked local list, from any
    /// other thread to the locked remote list plus an eventfd write unless one is pending.
    func enqueue(_ job: Job) {
        if inLoop {
            local.append(job)
            return
        }
        let accepted = remote.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.jobs.append(job)
            return true
        }
        guard accepted else {
            // The loop has stopped (server shut down): a late job (a handler that outlived
            // the drain) still runs, elsewhere, and finds its connection closed.
            DispatchQueue.global().async { job.run() }
            return
        }
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) { wake() }
    }

    private func wake() {
        let wakeFD = wakeFD.load(ordering: .acquiring)
        guard wakeFD >= 0 else { return }  // not started: `start` finds the jobs waiting
        var one: UInt64 = 1
        while true {
            let n = Glibc.write(wakeFD, &one, 8)
            if n == 8 { return }
            let e = errno
            if n < 0, e == EINTR { continue }
            if n < 0, e == EAGAIN {
                // The counter is never read, so in theory it could fill: reset and retry.
                var sink: UInt64 = 0
                _ = Glibc.read(wakeFD, &sink, 8)
                continue
            }
            return
        }
    }

    /// Asks the loop to finish: it runs the jobs already handed to it, then its thread ends
    /// and its descriptors close. Jobs handed over later run on a global queue.
    func stop() {
        execute { [self] in stopping = true }
    }

    // MARK: Descriptors

    /// Registers `fd` once for `events` (`BAHI_EPOLL*` bits); events go to `handler` on the
    /// loop thread until `deregister`. Loop thread only.
    func register(fd: Int32, events: UInt32, handler: any EventLoopHandler) throws(SocketError) {
        assert(inLoop, "EpollEventLoop.register off its thread")
        nextGeneration = nextGeneration == UInt32.max - 1 ? 0 : nextGeneration + 1
        let generation = nextGeneration
        let data = UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
        guard bahi_epoll_add(epfd, fd, events, data) == 0 else { throw SocketError(call: "epoll_ctl(ADD)", errno: errno) }
        registrations[fd] = Registration(generation: generation, handler: handler)
    }

    /// Removes `fd` from epoll. Call before closing it. Loop thread only.
    func deregister(fd: Int32) {
        assert(inLoop, "EpollEventLoop.deregister off its thread")
        guard registrations.removeValue(forKey: fd) != nil else { return }
        _ = bahi_epoll_del(epfd, fd)
    }

    /// Out of epoll, then closed at once: nothing else watches the number.
    func close(fd: Int32) {
        deregister(fd: fd)
        Glibc.close(fd)
    }

    /// Nothing to do: the descriptor is registered once for both directions, edge-triggered,
    /// and the handler ignores edges it has no use for.
    func wantInput(fd: Int32, _ wanted: Bool) {}

    /// Nothing to do (see `wantInput`).
    func wantOutput(fd: Int32, _ wanted: Bool) {}

    // MARK: Timers

    /// Calls `body` on the loop thread every `interval` (first after one interval). Returns
    /// an id for `cancelTimer`. Loop thread only.
    @discardableResult
    func scheduleRepeating(every interval: Duration, _ body: @escaping () -> Void) -> Int {
        assert(inLoop, "EpollEventLoop.scheduleRepeating off its thread")
        let step = max(1, interval.nanoseconds)
        nextTimerID += 1
        timers.append(Timer(id: nextTimerID, deadline: Clock.monotonicNanoseconds() &+ step, interval: step, body: body))
        return nextTimerID
    }

    /// Stops a timer. Loop thread only.
    func cancelTimer(_ id: Int) {
        assert(inLoop, "EpollEventLoop.cancelTimer off its thread")
        timers.removeAll { $0.id == id }
    }

    /// Milliseconds `epoll_wait` may sleep: 0 with local jobs waiting, until the nearest
    /// timer (rounded up, so a timer is never early), or forever.
    private func waitTimeout() -> Int32 {
        if !local.isEmpty || stopping { return 0 }
        guard var nearest = timers.first?.deadline else { return -1 }
        for timer in timers.dropFirst() where timer.deadline < nearest { nearest = timer.deadline }
        let now = Clock.monotonicNanoseconds()
        if nearest <= now { return 0 }
        let ms = (nearest - now + 999_999) / 1_000_000
        return Int32(clamping: ms)
    }

    private func runDueTimers() {
        guard !timers.isEmpty else { return }
        let now = Clock.monotonicNanoseconds()
        var index = 0
        while index < timers.count {
            if timers[index].deadline <= now {
                let id = timers[index].id
                timers[index].deadline = now &+ timers[index].interval
                let body = timers[index].body
                body()
                // The body may have cancelled timers (this one included): find our place again.
                if let position = timers.firstIndex(where: { $0.id == id }) { index = position + 1 } else { continue }
            } else {
                index += 1
            }
        }
    }

    // MARK: The loop

    private func run() {
        threadID.store(UInt(pthread_self()), ordering: .releasing)
        name.withCString { bahi_set_thread_name($0) }
        guard let events else { return }
        // Jobs handed over before the thread existed (their producers may have found no
        // eventfd to write, or one that a later producer skipped): take them now.
        runRemoteJobs(force: true)
        while !stopping {
            let count = bahi_epoll_wait(epfd, events, Self.eventCapacity, waitTimeout())
            if count > 0 {
                for i in 0..<count {
                    let data = bahi_epoll_event_data(events, i)
                    if data == Self.wakeToken { continue }
                    let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: data))
                    guard let registration = registrations[fd], registration.generation == UInt32(truncatingIfNeeded: data >> 32) else { continue }
                    registration.handler.handleEvents(bahi_epoll_event_bits(events, i))
                }
            }
            runDueTimers()
            runRemoteJobs()
            runLocalJobs()
        }
        finish()
    }

    private func runRemoteJobs(force: Bool = false) {
        // Cleared before taking the jobs, with a read-modify-write like the producers' (all
        // of them are then totally ordered on this one atomic, and its acquire keeps the
        // take below from moving above it; a plain store could): a producer that appends
        // after the take sees false and writes the eventfd; one whose exchange saw true
        // before this one made its append visible to the take. No job waits without a
        // wake-up. The relaxed load only skips the RMW on turns with nothing handed over;
        // a stale false there is followed by the producer's eventfd write.
        guard force || wakePending.load(ordering: .relaxed) else { return }
        guard wakePending.exchange(false, ordering: .acquiringAndReleasing) || force else { return }
        var jobs = remote.withLock { state -> [Job] in
            let taken = state.jobs
            state.jobs = []
            return taken
        }
        for job in jobs { job.run() }
        jobs.removeAll()
    }

    /// Runs the jobs queued so far; jobs they queue run on the next turn, after I/O.
    private func runLocalJobs() {
        guard !local.isEmpty else { return }
        swap(&local, &spare)
        for job in spare { job.run() }
        spare.removeAll(keepingCapacity: true)
    }

    private func finish() {
        let late = remote.withLock { state -> [Job] in
            state.stopped = true
            let taken = state.jobs
            state.jobs = []
            return taken
        }
        for job in late { job.run() }
        var rounds = 0
        while !local.isEmpty, rounds < 100 {
            runLocalJobs()
            rounds += 1
        }
        for fd in registrations.keys { _ = bahi_epoll_del(epfd, fd) }
        registrations.removeAll()
        timers.removeAll()
        threadID.store(0, ordering: .releasing)
        // The eventfd stays open until deinit: a producer may still be inside `wake()`
        // (it holds a reference, so deinit cannot run under it), and writing to a closed
        // number could hit a descriptor reused by a new connection.
        Glibc.close(epfd)
        epfd = -1
        bahi_epoll_events_free(events)
        events = nil
    }
}
#endif
