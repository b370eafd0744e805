/// What the HTTP server needs of an event loop: descriptors watched for readiness, jobs run
/// one at a time in order, repeating timers. Two backends satisfy it (`server.io`):
///
/// - `EpollEventLoop` (Linux, the default): one thread in `epoll_wait`, each descriptor
///   registered once, edge-triggered. Measured faster (Benchmarks/README.md).
/// - `DispatchEventLoop` (portable; what builds where there is no epoll): one serial queue,
///   a read and a write source per descriptor.
///
/// Why one interface rather than two servers: the connection's rules live in
/// `HTTPConnectionStateMachine` and its socket handling in `Connection`; only how readiness
/// reaches them differs, so everything above the loop is shared and tested on both.
///
/// Everything except `enqueue`, `execute`, `submit`, `stop` and `inLoop` is called on the
/// loop (from a job, an event or a timer), where a loop's confined state lives.
protocol EventLoop: AnyObject, Sendable {
    /// For thread names and queue labels.
    var name: String { get }

    /// Starts the loop (its thread, or nothing for a queue). Call once.
    func start() throws(SocketError)

    /// True when the caller runs on this loop.
    var inLoop: Bool { get }

    /// Hands a job to the loop from any thread; from the loop itself it runs after the
    /// current event or job.
    func enqueue(_ job: EventLoopJob)

    /// Finishes the jobs already handed over, then stops; later jobs run on a global queue.
    func stop()

    /// Watches `fd` for `events` (`IOEvent` bits) and hands them to `handler` on the loop
    /// until `deregister` or `close`. With `IOEvent.edgeTriggered` a handler must read or
    /// write until `EAGAIN` or remember that more is waiting.
    func register(fd: Int32, events: UInt32, handler: any EventLoopHandler) throws(SocketError)

    /// Whether the handler wants input events now: a backend whose readiness is
    /// level-triggered must stop reporting input the handler will not read (back-pressure,
    /// or after the peer's end of input), or it would report it forever.
    func wantInput(fd: Int32, _ wanted: Bool)

    /// Whether the handler wants output events now (it has bytes the socket would not take).
    func wantOutput(fd: Int32, _ wanted: Bool)

    /// Stops watching `fd` without closing it.
    func deregister(fd: Int32)

    /// Stops watching `fd` and closes it as soon as nothing of the loop refers to it (at
    /// once for epoll; after its sources' cancellation for Dispatch, where closing earlier
    /// lets a new descriptor with the same number meet the old sources).
    func close(fd: Int32)

    /// Calls `body` on the loop every `interval`, first after one interval; returns an id.
    @discardableResult
    func scheduleRepeating(every interval: Duration, _ body: @escaping () -> Void) -> Int

    /// Stops a timer.
    func cancelTimer(_ id: Int)
}

extension EventLoop {
    /// Runs `body` on the loop, after the current event or job when called from it.
    func execute(_ body: @escaping @Sendable () -> Void) {
        enqueue(.closure(body))
    }

    /// Runs `body` on the loop and waits (suspending, never blocking) for it.
    func submit<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            execute { continuation.resume(returning: body()) }
        }
    }
}

/// Work for a loop.
enum EventLoopJob: Sendable {
    case closure(@Sendable () -> Void)
    /// A Swift task job, run with the task executor it was enqueued on.
    case task(UnownedJob, UnownedTaskExecutor)

    func run() {
        switch self {
        case .closure(let body): body()
        case .task(let job, let executor): job.runSynchronously(on: executor)
        }
    }
}

/// Readiness bits, with epoll's values (so the epoll loop passes them through unchanged; a
/// test holds them equal to `<sys/epoll.h>`'s).
enum IOEvent {
    static let input: UInt32 = 0x001
    static let output: UInt32 = 0x004
    static let error: UInt32 = 0x008
    static let hangUp: UInt32 = 0x010
    static let peerShutDown: UInt32 = 0x2000
    static let edgeTriggered: UInt32 = 1 << 31
}

/// Which event loop the server runs on (`server.io`).
public enum IOBackend: String, Sendable, CaseIterable {
    /// Our own `epoll` loops: Linux only, and the faster.
    case epoll
    /// Dispatch sources on serial queues: portable.
    case dispatch

    /// epoll where it exists.
    public static var platformDefault: IOBackend {
        #if os(Linux)
        .epoll
        #else
        .dispatch
        #endif
    }

    /// The kinds this platform has (epoll only on Linux).
    public static var availableHere: [IOBackend] {
        #if os(Linux)
        allCases
        #else
        [.dispatch]
        #endif
    }

    /// Makes a loop of this kind.
    func makeLoop(name: String) -> any EventLoop {
        #if os(Linux)
        switch self {
        case .epoll: return EpollEventLoop(name: name)
        case .dispatch: return DispatchEventLoop(name: name)
        }
        #else
        return DispatchEventLoop(name: name)
        #endif
    }
}
