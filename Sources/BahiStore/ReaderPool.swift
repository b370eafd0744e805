import Dispatch
import Synchronization

/// One queued `SQLiteStore.read` call, type-erased.
struct ReadJob: Sendable {
    /// Runs the caller's closure on a reader connection and resumes the caller.
    let run: @Sendable (Connection) -> Void
    /// Resumes the caller with an error without running (store closed).
    let fail: @Sendable (any Error) -> Void
}

/// A fixed set of reader threads, each owning one read-only connection, serving one queue.
///
/// A counting semaphore carries one token per queued job (and one per thread at shutdown), so
/// an idle reader sleeps in the kernel and exactly one reader wakes per job. Each closure runs
/// in its own read transaction: a consistent WAL snapshot that the writer never blocks.
final class ReaderPool: Sendable {
    struct State {
        var pending = FIFO<ReadJob>()
        var closed = false
        var running = 0
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let state = Mutex(State())
    let available = DispatchSemaphore(value: 0)
    let size: Int

    init(size: Int) {
        self.size = max(1, size)
    }

    /// Starts the threads; returns once every connection is open, or throws (after shutting
    /// down the readers that did open) if any failed.
    func start(path: String, busyTimeout: Duration) async throws {
        state.withLock { $0.running = size }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<size {
                    group.addTask { [self] in
                        try await withCheckedThrowingContinuation { (opened: CheckedContinuation<Void, any Error>) in
                            startThread(name: "bahi.store.reader.\(index)") { [self] in
                                serve(path: path, busyTimeout: busyTimeout, opened: opened)
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

    private func serve(path: String, busyTimeout: Duration, opened: CheckedContinuation<Void, any Error>) {
        let db: Connection
        do {
            db = try Connection(path: path, mode: .readOnly, busyTimeout: busyTimeout)
            db.isOwnedByStore = true
        } catch {
            opened.resume(throwing: error)
            return
        }
        opened.resume()
        while true {
            available.wait()
            enum Next { case job(ReadJob), exit, spurious }
            let next = state.withLock { state -> Next in
                if let job = state.pending.popFirst() { return .job(job) }
                return state.closed ? .exit : .spurious
            }
            switch next {
            case .job(let job): job.run(db)
            case .exit: return
            case .spurious: continue
            }
        }
    }

    /// Queues a read; fails it at once if the store closed.
    func enqueue(_ job: ReadJob) {
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

    /// Stops accepting reads; queued reads still run, then each thread exits.
    func requestShutdown() {
        let wasClosed = state.withLock { state -> Bool in
            defer { state.closed = true }
            return state.closed
        }
        guard !wasClosed else { return }
        for _ in 0..<size { available.signal() }
    }

    /// `requestShutdown()`, then waits until every reader has closed its connection.
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
