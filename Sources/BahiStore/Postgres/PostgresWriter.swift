import Synchronization

/// Group commit on PostgreSQL: one connection per node that runs the writes queued while it
/// was busy as one transaction, each call in its own savepoint, and commits them together.
///
/// Why, measured: with a transaction per call on the pool, every checkout hold on a popular
/// SKU locks that SKU's stock row from its conditional `UPDATE` until its own `COMMIT` has
/// reached the disk, so the holds on one SKU run strictly one after another, one fsync each:
/// about 300 holds/s at 64 connections here, where SQLite's group-committing writer does
/// thousands. Batched, one fsync serves every call in the batch, as on SQLite; the row is
/// still locked by one transaction at a time, so two nodes' writers alternate batches
/// rather than calls.
///
/// The contract of `DataStore.write` holds per call: a call that throws is rolled back to
/// its savepoint and fails alone; a call whose conditional write lost to another node
/// (`ConcurrentChange`) is run again in the same batch, up to `maxAttempts`; a deadlock or
/// serialization failure (40P01, 40001) — which two nodes' batches meet on each other's row
/// locks — rolls the whole batch back and runs it again, so the other batch can finish;
/// nobody is answered before the commit, and a failed commit fails every call of the batch
/// (none of them persisted).
final class PostgresWriter: Sendable {
    /// One queued call, type-erased so calls of any result type share the queue.
    struct Request: Sendable {
        /// Runs the call's closure; on success returns how to answer the caller (after commit).
        let run: @Sendable (PostgresConnection) -> Ran
        /// Answers the caller with an error.
        let fail: @Sendable (any Error) -> Void
    }

    /// What one run of a call left: its answer for after the commit, or its error.
    enum Ran: Sendable {
        case value(answer: @Sendable () -> Void)
        case error(any Error)
    }

    private struct Queue {
        var pending: [Request] = []
        /// True while a drain job is queued or running: new calls join it instead of
        /// starting another.
        var draining = false
    }

    private let connection: ConnectionPool<PostgresConnection>
    private let queue = Mutex(Queue())
    private let maxAttempts: Int
    /// The largest batch: bounds how long one transaction holds its row locks.
    private let maxBatch: Int
    /// Whether batches send `Database.perform` writes ahead in pipeline mode (on unless a
    /// test compares).
    private let pipelining: Bool

    init(conninfo: String, maxAttempts: Int, maxBatch: Int = 256, pipelining: Bool = true) async throws {
        self.maxAttempts = max(1, maxAttempts)
        self.maxBatch = max(1, maxBatch)
        self.pipelining = pipelining
        connection = ConnectionPool(size: 1, name: "bahi.store.pg.writer")
        try await connection.start(
            open: { try PostgresConnection(conninfo: conninfo) },
            revive: { db in db.isHealthy ? db : ((try? PostgresConnection(conninfo: conninfo)) ?? db) })
    }

    /// Queues `body` and returns its value once the batch that ran it has committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit(Request(
                run: { db in
                    do {
                        let value = try body(db)
                        return .value(answer: { continuation.resume(returning: value) })
                    } catch {
                        return .error(error)
                    }
                },
                fail: { continuation.resume(throwing: $0) }))
        }
    }

    func close() async {
        await connection.shutdown()
        // Calls queued after the last drain job ran (the store was closing) are refused.
        let left = queue.withLock { state -> [Request] in
            defer { state.pending = [] }
            return state.pending
        }
        for request in left { request.fail(StoreError.misuse("store is closed")) }
    }

    private func submit(_ request: Request) {
        let startDrain = queue.withLock { state -> Bool in
            state.pending.append(request)
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        guard startDrain else { return }
        connection.enqueue(.init(run: { [self] db in drain(db) }, fail: { [self] error in failPending(error) }))
    }

    /// Runs batches until the queue is empty.
    private func drain(_ db: PostgresConnection) {
        while true {
            let batch = queue.withLock { state -> [Request] in
                let count = min(state.pending.count, maxBatch)
                let batch = Array(state.pending.prefix(count))
                state.pending.removeFirst(count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            runBatch(batch, db)
        }
    }

    private func failPending(_ error: any Error) {
        let left = queue.withLock { state -> [Request] in
            defer { state.pending = []; state.draining = false }
            return state.pending
        }
        for request in left { request.fail(error) }
    }

    private func runBatch(_ batch: [Request], _ db: PostgresConnection) {
        var attempt = 1
        // Writes are sent ahead (pipelined) until one of them fails; then the batch runs
        // again with every statement waited for, so each call meets its own error.
        var pipelined = pipelining
        while true {
            var outcomes: [Ran] = []
            outcomes.reserveCapacity(batch.count)
            do {
                db.defersWrites = pipelined
                db.preCommitWorkList.isDeferring = true
                defer {
                    db.defersWrites = false
                    db.preCommitWorkList.isDeferring = false
                    db.preCommitWorkList.discard()
                }
                try db.perform("BEGIN")
                for request in batch { outcomes.append(try runCall(request, db)) }
                try db.preCommitWorkList.runAll(db)
                try db.execute("COMMIT")
            } catch is PipelinedWriteFailure where pipelined {
                _ = try? db.rollBack()
                pipelined = false
                continue
            } catch let error as StoreError where error.isRetryableConflict && attempt < maxAttempts * 4 {
                // Generous: under two nodes' load a batch may lose a few deadlocks in a row.
                _ = try? db.rollBack()
                attempt += 1
                continue
            } catch {
                _ = try? db.rollBack()
                for request in batch { request.fail((error as? PipelinedWriteFailure)?.underlying ?? error) }
                return
            }
            for (request, outcome) in zip(batch, outcomes) {
                switch outcome {
                case .value(let answer): answer()
                case .error(let error): request.fail(error)
                }
            }
            return
        }
    }

    /// Runs one call in a savepoint; its error stays its own (rolled back to the savepoint),
    /// and a lost race runs it again. Throws when the transaction itself broke, or on a
    /// deadlock or serialization failure (the batch reruns).
    private func runCall(_ request: Request, _ db: PostgresConnection) throws -> Ran {
        var attempt = 1
        while true {
            try db.perform("SAVEPOINT bahi_call")
            let ran = request.run(db)
            guard case .error(let error) = ran else {
                try db.perform("RELEASE SAVEPOINT bahi_call")
                return ran
            }
            // A write this call or an earlier one sent ahead failed: the batch reruns.
            if let failure = error as? PipelinedWriteFailure { throw failure }
            try db.perform("ROLLBACK TO SAVEPOINT bahi_call")
            try db.perform("RELEASE SAVEPOINT bahi_call")
            // A deadlock or serialization failure involves locks the batch's earlier calls
            // hold too: rerunning this call alone would meet them again (another node's
            // batch waits on them). The whole batch rolls back and runs again instead.
            if let conflict = error as? StoreError, conflict.isRetryableConflict { throw conflict }
            if error is ConcurrentChange, attempt < maxAttempts {
                attempt += 1
                continue
            }
            if let change = error as? ConcurrentChange { return .error(change.underlying) }
            return ran
        }
    }
}
