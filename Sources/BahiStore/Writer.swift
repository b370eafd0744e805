import Dispatch
import Synchronization

/// What a write call's closure did, kept on the writer thread until its batch commits.
enum WriteOutcome {
    /// The closure returned; `acknowledge` resumes the caller with its value. Called only
    /// after the COMMIT holding the call returned successfully.
    case returned(acknowledge: () -> Void)
    /// The closure threw; its savepoint was rolled back.
    case threw(any Error)
}

/// One queued `SQLiteStore.write` call, type-erased so calls of any result type share a queue.
struct WriteRequest: Sendable {
    /// Runs the caller's closure on the writer connection.
    let perform: @Sendable (Connection) -> WriteOutcome
    /// Resumes the caller with an error (its own, the batch's, or the commit's).
    let fail: @Sendable (any Error) -> Void
    /// The closure only uses the connection (see `SQLiteStore.write(rerunnable:_:)`), so the writer
    /// may run it without a savepoint of its own and, if a neighbour fails, run it again.
    var rerunnable = false
}

/// Work for the writer thread.
enum WriterJob: Sendable {
    /// A group-committed write call.
    case call(WriteRequest)
    /// Work that needs the bare writer connection outside any batch (migrations, VACUUM).
    /// The closure resumes its caller itself.
    case exclusive(run: @Sendable (Connection) -> Void, fail: @Sendable (any Error) -> Void)

    func fail(_ error: any Error) {
        switch self {
        case .call(let request): request.fail(error)
        case .exclusive(_, let fail): fail(error)
        }
    }
}

/// The single writer: one thread, one read-write connection, group commit.
///
/// Callers append jobs under a `Mutex`; the thread takes everything queued (up to
/// `maxBatchSize` calls) as one batch: `BEGIN IMMEDIATE`, each call in its own savepoint,
/// one `COMMIT`, then every caller is resumed. While a batch commits (the fsync), new calls
/// queue up and form the next batch, so the batch size grows with load by itself and no
/// timer or delay is needed. When the queue is empty the thread sleeps on a semaphore; a
/// caller signals it only if it was marked asleep, so a busy writer costs no extra syscalls.
final class Writer: Sendable {
    struct State {
        var pending = FIFO<WriterJob>()
        var sleeping = false
        var closed = false
        var paused = false
        var exited = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let state = Mutex(State())
    let wake = DispatchSemaphore(value: 0)
    let maxBatchSize: Int
    let failNextCommit = Atomic<Bool>(false)
    let batchCount = Atomic<Int>(0)
    let callCount = Atomic<Int>(0)
    let failedBatchCount = Atomic<Int>(0)

    private static let savepointName = "bahi_write_call"

    init(maxBatchSize: Int) {
        self.maxBatchSize = max(1, maxBatchSize)
    }

    /// Starts the writer thread, which opens the connection; returns once it is open.
    func start(path: String, synchronous: Connection.Synchronous, busyTimeout: Duration, cacheKiB: Int = 2_000,
               checkpointPages: Int = 1_000) async throws {
        try await withCheckedThrowingContinuation { (opened: CheckedContinuation<Void, any Error>) in
            startThread(name: "bahi.store.writer") { [self] in
                serve(path: path, synchronous: synchronous, busyTimeout: busyTimeout, cacheKiB: cacheKiB,
                      checkpointPages: checkpointPages, opened: opened)
                // The connection and its statements were released when `serve` returned, so
                // the file is really closed before anyone waiting in `shutdown()` resumes.
                markExited()
            }
        }
    }

    private func serve(
        path: String, synchronous: Connection.Synchronous, busyTimeout: Duration, cacheKiB: Int,
        checkpointPages: Int, opened: CheckedContinuation<Void, any Error>
    ) {
        let db: Connection
        let statements: BatchStatements
        do {
            db = try Connection(path: path, mode: .readWrite, synchronous: synchronous, busyTimeout: busyTimeout)
            db.isOwnedByStore = true
            // Each call runs in a SAVEPOINT, whose undo records (the sub-journal) SQLite keeps
            // in a temporary file by default: a pwrite of every page a call first touches.
            // In memory they cost nothing and are just as correct (they never outlive the
            // transaction; durability comes from the WAL).
            try db.execute("PRAGMA temp_store=MEMORY")
            // A negative cache_size is KiB (SQLiteStore.Configuration.writerCacheKiB says why).
            try db.execute("PRAGMA cache_size=-\(max(100, cacheKiB))")
            // Checkpoints run in the writer's commits (SQLiteStore.Configuration.checkpointPages
            // says why this many).
            try db.execute("PRAGMA wal_autocheckpoint=\(max(1, checkpointPages))")
            // The batch's own statements, compiled once and held: a batch pays no cache lookups.
            statements = try BatchStatements(db, savepoint: Self.savepointName)
        } catch {
            opened.resume(throwing: error)
            return
        }
        opened.resume()
        run(db, statements: statements)
    }

    // MARK: Callers' side

    /// Queues a job, waking the thread if it sleeps; fails the job at once if the store closed.
    func enqueue(_ job: WriterJob) {
        enum Admission { case accepted, acceptedWake, refused }
        let admission = state.withLock { state -> Admission in
            if state.closed { return .refused }
            state.pending.append(job)
            if state.sleeping && !state.paused {
                state.sleeping = false
                return .acceptedWake
            }
            return .accepted
        }
        switch admission {
        case .accepted: break
        case .acceptedWake: wake.signal()
        case .refused: job.fail(StoreError.misuse("store is closed"))
        }
    }

    /// Stops accepting work; the thread finishes what is queued, closes the connection, exits.
    func requestShutdown() {
        let wakeNeeded = state.withLock { state -> Bool in
            state.closed = true
            guard state.sleeping else { return false }
            state.sleeping = false
            return true
        }
        if wakeNeeded { wake.signal() }
    }

    /// `requestShutdown()`, then waits until the thread has closed the connection.
    func shutdown() async {
        requestShutdown()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let exited = state.withLock { state -> Bool in
                if !state.exited { state.exitWaiters.append(done) }
                return state.exited
            }
            if exited { done.resume() }
        }
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    var queuedCount: Int { state.withLock { $0.pending.count } }

    /// Test support: hold new batches so that many calls can be queued into one.
    func setPaused(_ paused: Bool) {
        let wakeNeeded = state.withLock { state -> Bool in
            state.paused = paused
            guard !paused, state.sleeping else { return false }
            state.sleeping = false
            return true
        }
        if wakeNeeded { wake.signal() }
    }

    private func markExited() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.exited = true
            state.closed = true
            defer { state.exitWaiters = [] }
            return state.exitWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    // MARK: The writer thread

    private enum Next {
        case sleep
        case exit
        case batch([WriteRequest])
        case exclusive(run: @Sendable (Connection) -> Void, fail: @Sendable (any Error) -> Void)
    }

    private func run(_ db: Connection, statements: BatchStatements) {
        while true {
            let next = state.withLock { state -> Next in
                if state.pending.isEmpty || (state.paused && !state.closed) {
                    if state.pending.isEmpty && state.closed { return .exit }
                    state.sleeping = true
                    return .sleep
                }
                if case .exclusive(let run, let fail) = state.pending.first {
                    _ = state.pending.popFirst()
                    return .exclusive(run: run, fail: fail)
                }
                var calls: [WriteRequest] = []
                calls.reserveCapacity(min(state.pending.count, maxBatchSize))
                while calls.count < maxBatchSize, case .call(let request) = state.pending.first {
                    _ = state.pending.popFirst()
                    calls.append(request)
                }
                return .batch(calls)
            }
            switch next {
            case .sleep:
                wake.wait()
            case .exit:
                return
            case .exclusive(let run, _):
                run(db)
                if db.isInTransaction { db.rollbackIfNeeded() }
            case .batch(let calls):
                runBatch(calls, db: db, statements: statements)
            }
        }
    }

    /// One group commit. Every caller is resumed exactly once, and only after the COMMIT that
    /// holds its work returned; if anything makes the batch's transaction unusable, nobody in
    /// it is acknowledged.
    private func runBatch(_ calls: [WriteRequest], db: Connection, statements: BatchStatements) {
        batchCount.add(1, ordering: .relaxed)
        callCount.add(calls.count, ordering: .relaxed)
        do {
            try statements.begin.run()
        } catch {
            failedBatchCount.add(1, ordering: .relaxed)
            for call in calls { call.fail(error) }
            return
        }
        // Work the calls defer to the commit runs just before it (below); on every other way
        // out of this batch the transaction is gone and so is its work.
        db.preCommitWorkList.isDeferring = true
        defer {
            db.preCommitWorkList.isDeferring = false
            db.preCommitWorkList.discard()
        }

        var outcomes: [WriteOutcome] = []
        outcomes.reserveCapacity(calls.count)
        var index = 0
        while index < calls.count {
            let result: (next: Int, abort: (at: Int, error: any Error)?)
            if calls[index].rerunnable {
                result = runGroup(calls, from: index, db: db, statements: statements, outcomes: &outcomes)
            } else {
                let abort = runCall(calls[index], db: db, statements: statements, outcomes: &outcomes)
                result = (index + 1, abort.map { (index, $0) })
            }
            if let (failedIndex, abortError) = result.abort {
                // The transaction is lost (SQLite rolled it back on I/O error, or the closure
                // ended it): fail this call and everyone before it, retry the rest next batch.
                failedBatchCount.add(1, ordering: .relaxed)
                db.rollbackIfNeeded()
                for earlier in calls[...failedIndex] { earlier.fail(abortError) }
                let rest = calls[(failedIndex + 1)...]
                if !rest.isEmpty {
                    state.withLock { $0.pending.prepend(contentsOf: rest.map(WriterJob.call)) }
                }
                return
            }
            index = result.next
        }

        let injectFailure = failNextCommit.exchange(false, ordering: .relaxed)
        if injectFailure { db.setCommitFails(true) }
        defer { if injectFailure { db.setCommitFails(false) } }
        do {
            db.deniesTransactionControl = true
            defer { db.deniesTransactionControl = false }
            try db.preCommitWorkList.runAll(db)
            db.resetUnfinishedStatements()
        } catch {
            failedBatchCount.add(1, ordering: .relaxed)
            db.rollbackIfNeeded()
            for call in calls { call.fail(error) }
            return
        }
        do {
            try statements.commit.run()
        } catch {
            failedBatchCount.add(1, ordering: .relaxed)
            db.rollbackIfNeeded()
            for call in calls { call.fail(error) }
            return
        }
        for (call, outcome) in zip(calls, outcomes) {
            switch outcome {
            case .returned(let acknowledge): acknowledge()
            case .threw(let error): call.fail(error)
            }
        }
    }

    /// Runs consecutive rerunnable calls from `start` inside one shared savepoint instead of
    /// one each, and returns the index after the last call it handled, or the call whose
    /// error makes the whole transaction unusable.
    ///
    /// Why: SQLite copies every page a savepoint first touches into its undo journal, so a
    /// savepoint per call copied each hold's dozen pages again — about a quarter of the
    /// writer's SQL time. A call that throws without having changed a row needs no undo and
    /// the group goes on. One that throws after changing rows needs its changes undone, which
    /// only a savepoint of its own can do: the group is rolled back to its start and its calls
    /// (which only use the connection, so may run again) are run once more, each in its own
    /// savepoint as usual; the outcomes of the first run are discarded unanswered.
    private func runGroup(
        _ calls: [WriteRequest], from start: Int, db: Connection, statements: BatchStatements, outcomes: inout [WriteOutcome]
    ) -> (next: Int, abort: (at: Int, error: any Error)?) {
        do {
            try statements.groupSavepoint.run()
        } catch {
            return (start, (start, error))
        }
        var groupOutcomes: [WriteOutcome] = []
        var index = start
        var undoFrom: Int?
        while index < calls.count, calls[index].rerunnable {
            let changesBefore = db.totalChanges
            db.deniesTransactionControl = true
            let outcome = calls[index].perform(db)
            db.deniesTransactionControl = false
            db.resetUnfinishedStatements()
            guard db.isInTransaction else {
                if case .threw(let error) = outcome { return (index, (index, error)) }
                return (index, (index, StoreError.misuse("the batch transaction ended inside a write closure")))
            }
            if case .threw = outcome, db.totalChanges != changesBefore {
                undoFrom = index
                break
            }
            groupOutcomes.append(outcome)
            index += 1
        }
        guard let failed = undoFrom else {
            do {
                try statements.groupRelease.run()
            } catch {
                return (index, (max(start, index - 1), error))
            }
            outcomes.append(contentsOf: groupOutcomes)
            return (index, nil)
        }
        do {
            try statements.groupRollbackTo.run()
            try statements.groupRelease.run()
        } catch {
            return (failed, (failed, error))
        }
        for again in start...failed {
            if let abort = runCall(calls[again], db: db, statements: statements, outcomes: &outcomes) {
                return (again, (again, abort))
            }
        }
        return (failed + 1, nil)
    }

    /// Runs one call inside its savepoint. Returns nil when the batch can go on, or the error
    /// that makes the whole transaction unusable.
    private func runCall(
        _ call: WriteRequest, db: Connection, statements: BatchStatements, outcomes: inout [WriteOutcome]
    ) -> (any Error)? {
        do {
            try statements.savepoint.run()
        } catch {
            return error
        }
        db.deniesTransactionControl = true
        let outcome = call.perform(db)
        db.deniesTransactionControl = false
        db.resetUnfinishedStatements()
        guard db.isInTransaction else {
            if case .threw(let error) = outcome { return error }
            return StoreError.misuse("the batch transaction ended inside a write closure")
        }
        do {
            if case .threw = outcome {
                try statements.rollbackTo.run()
            }
            try statements.release.run()
        } catch {
            return error
        }
        outcomes.append(outcome)
        return nil
    }
}

/// The statements a batch runs, prepared once per writer connection.
struct BatchStatements {
    let begin: Statement
    let commit: Statement
    let savepoint: Statement
    let release: Statement
    let rollbackTo: Statement
    let groupSavepoint: Statement
    let groupRelease: Statement
    let groupRollbackTo: Statement

    init(_ db: Connection, savepoint name: String) throws {
        let quoted = Connection.quoteIdentifier(name)
        let group = Connection.quoteIdentifier(name + "_group")
        begin = try db.prepare("BEGIN IMMEDIATE")
        commit = try db.prepare("COMMIT")
        savepoint = try db.prepare("SAVEPOINT \(quoted)")
        release = try db.prepare("RELEASE \(quoted)")
        rollbackTo = try db.prepare("ROLLBACK TO \(quoted)")
        groupSavepoint = try db.prepare("SAVEPOINT \(group)")
        groupRelease = try db.prepare("RELEASE \(group)")
        groupRollbackTo = try db.prepare("ROLLBACK TO \(group)")
    }
}
