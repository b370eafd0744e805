import Dispatch
import Synchronization

/// A fixed set of threads, each owning one connection, serving one queue of jobs: SQLite's
/// read pool (`ReaderPool`) and the PostgreSQL store's connections.
///
/// A counting semaphore carries one token per queued job (and one per thread at shutdown), so
/// an idle thread sleeps in the kernel and exactly one wakes per job. A connection never
/// leaves its thread, so `Handle` need not be `Sendable`: only jobs (closures that take it)
/// cross threads.
final class ConnectionPool<Handle>: Sendable {
    /// One queued call, type-erased.
    struct Job: Sendable {
        /// Runs the caller's closure on a connection and resumes the caller.
        let run: @Sendable (Handle) -> Void
        /// Resumes the caller with an error without running (store closed).
        let fail: @Sendable (any Error) -> Void
    }

    /// What a woken thread does next.
    enum Next { case job(Job), exit, spurious }

    struct State {
        var pending = FIFO<Job>()
        var closed = false
        var running = 0
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let state = Mutex(State())
    let available = DispatchSemaphore(value: 0)
    let size: Int
    let name: String

    init(size: Int, name: String) {
        self.size = max(1, size)
        self.name = name
    }

    /// Starts the threads, each opening its connection with `open`; returns once every one is
    /// open, or throws (after shutting down those that did open) if any failed. Before each
    /// job, `revive` may replace a connection that went bad (a PostgreSQL server restart).
    func start(open: @escaping @Sendable () throws -> Handle, revive: @escaping @Sendable (Handle) -> Handle = { $0 }) async throws {
        state.withLock { $0.running = size }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<size {
                    group.addTask { [self] in
                        try await withCheckedThrowingContinuation { (opened: CheckedContinuation<Void, any Error>) in
                            startThread(name: "\(name).\(index)") { [self] in
                                serve(open: open, revive: revive, opened: opened)
                                markExited()
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            await shutdown()
            throw error
        }
    }

    private func serve(open: () throws -> Handle, revive: (Handle) -> Handle, opened: CheckedContinuation<Void, any Error>) {
        var handle: Handle
        do {
            handle = try open()
        } catch {
            opened.resume(throwing: error)
            return
        }
        opened.resume()
        while true {
            available.wait()
            let next = state.withLock { state -> Next in
                if let job = state.pending.popFirst() { return .job(job) }
                return state.closed ? .exit : .spurious
            }
            switch next {
            case .job(let job):
                handle = revive(handle)
                job.run(handle)
            case .exit: return
            case .spurious: continue
            }
        }
    }

    /// Queues a job; fails it at once if the pool is closed.
    func enqueue(_ job: Job) {
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.pending.append(job)
            return true
        }
        if accepted {
            available.signal()
        } else {
            job.fail(StoreError.misuse("store is closed"))
        }
    }

    /// Stops accepting jobs; queued jobs still run, then each thread exits.
    func requestShutdown() {
        let wasClosed = state.withLock { state -> Bool in
            defer { state.closed = true }
            return state.closed
        }
        guard !wasClosed else { return }
        for _ in 0..<size { available.signal() }
    }

    /// `requestShutdown()`, then waits until every thread has closed its connection.
    func shutdown() async {
        requestShutdown()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let finished = state.withLock { state -> Bool in
                if state.running > 0 { state.exitWaiters.append(done) }
                return state.running == 0
            }
            if finished { done.resume() }
        }
    }

    private func markExited() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.exitWaiters = [] }
            return state.exitWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// SQLite's read pool: N threads, each owning a read-only connection; every read is one WAL
/// snapshot that the writer never blocks.
typealias ReaderPool = ConnectionPool<Connection>

/// One queued `SQLiteStore.read` call.
typealias ReadJob = ReaderPool.Job

extension ConnectionPool where Handle == Connection {
    /// The read pool over the database file at `path`.
    convenience init(size: Int) {
        self.init(size: size, name: "bahi.store.reader")
    }

    /// Opens every reader's read-only connection (the writer opened the file in WAL first).
    func start(path: String, busyTimeout: Duration) async throws {
        try await start(open: {
            let db = try Connection(path: path, mode: .readOnly, busyTimeout: busyTimeout)
            db.isOwnedByStore = true
            return db
        })
    }
}
