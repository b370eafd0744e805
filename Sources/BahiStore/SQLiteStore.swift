import CSQLite
import Foundation

/// The database: one writer with group commit, a pool of readers, online backup.
///
/// Why this shape (DESIGN §3): SQLite allows one writer at a time, and with
/// `synchronous=FULL` every commit costs an fsync. Funnelling all writes through one thread
/// that commits many callers' work together turns "one fsync per request" into "one fsync
/// per batch", while savepoints keep each caller's work independent: one caller's failure
/// undoes only its own changes. Reads never wait for the writer: WAL gives each read
/// transaction a snapshot of the last commit.
///
/// All SQLite work happens on the store's own threads; `async` callers only wait on a
/// continuation, so neither the cooperative pool nor Dispatch's queues are ever blocked.
public final class SQLiteStore: DataStore {
    /// Always `.sqlite`.
    public var dialect: SQLDialect { .sqlite }

    /// Tuning knobs; the defaults are the production defaults.
    public struct Configuration: Sendable {
        /// Read-only connections (and threads) in the read pool.
        public var readerCount: Int
        /// Commit durability: `.full` (default) or `.normal`.
        public var synchronous: Connection.Synchronous
        /// How long a statement waits for a lock before `SQLITE_BUSY`.
        public var busyTimeout: Duration
        /// The most write calls committed in one transaction: bounds how much work one
        /// failing COMMIT can take down and how long the first caller in a batch waits.
        public var maxBatchSize: Int
        /// The writer connection's page cache, in KiB (readers keep SQLite's 2 MB each). Every
        /// order writes into a dozen indexes whose keys are random (phones, pincodes, ids): on a
        /// store of millions of orders their pages no longer fit in 2 MB, and each miss is a
        /// `pread` on the one thread every write waits for.
        public var writerCacheKiB: Int
        /// How many pages the WAL takes before a commit copies them into the database file
        /// (`PRAGMA wal_autocheckpoint` on the writer; SQLite's default is 1,000). The copy runs
        /// on the writer thread, inside the commit every caller of the batch waits for, and
        /// writes each page once however often the WAL holds it: hot pages (stock levels, the
        /// tails of the ledger's indexes) are copied once per checkpoint, not once per 1,000
        /// frames. At 10,000 (a WAL of about 40 MB, reused) intake ran 11–23 % faster on an
        /// empty store and 8–34 % faster at 1.9 M orders (Benchmarks/README.md, "Scale").
        public var checkpointPages: Int

        /// The production defaults: 4 readers, `synchronous=FULL`, 5 s busy timeout,
        /// batches of up to 512 calls, a 32 MB writer page cache, checkpoints every 10,000 pages.
        public init(
            readerCount: Int = 4,
            synchronous: Connection.Synchronous = .full,
            busyTimeout: Duration = .seconds(5),
            maxBatchSize: Int = 512,
            writerCacheKiB: Int = 32 * 1024,
            checkpointPages: Int = 10_000
        ) {
            self.readerCount = readerCount
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
            self.maxBatchSize = maxBatchSize
            self.writerCacheKiB = writerCacheKiB
            self.checkpointPages = checkpointPages
        }
    }

    /// Counters for the writer since the store opened, for metrics and benchmarks.
    public struct Statistics: Sendable, Equatable {
        /// Transactions the writer started (each a batch of calls).
        public var batches: Int
        /// Write calls run inside those batches.
        public var calls: Int
        /// Batches that did not commit (BEGIN or COMMIT failed, or the transaction was lost).
        public var failedBatches: Int

        /// Mean calls per batch: how much group commit is saving.
        public var meanBatchSize: Double { batches == 0 ? 0 : Double(calls) / Double(batches) }
    }

    /// The database file.
    public let path: String

    /// The configuration the store was opened with.
    public let configuration: Configuration

    let writer: Writer
    let readers: ReaderPool

    /// Opens (creating if needed) the database: first the writer, which switches the file to
    /// WAL and applies the pragmas, then the readers. Returns when every connection is open.
    ///
    /// - Throws: `StoreError` if any connection cannot be opened; nothing is left running.
    public init(path: String, configuration: Configuration = Configuration()) async throws {
        self.path = path
        self.configuration = configuration
        self.writer = Writer(maxBatchSize: configuration.maxBatchSize)
        self.readers = ReaderPool(size: configuration.readerCount)
        try await writer.start(path: path, synchronous: configuration.synchronous, busyTimeout: configuration.busyTimeout,
                               cacheKiB: configuration.writerCacheKiB, checkpointPages: configuration.checkpointPages)
        do {
            try await readers.start(path: path, busyTimeout: configuration.busyTimeout)
        } catch {
            await writer.shutdown()
            await readers.shutdown()
            throw error
        }
    }

    deinit {
        writer.requestShutdown()
        readers.requestShutdown()
    }

    // MARK: Writing

    /// Runs `body` on the writer connection as part of the next group commit and returns its
    /// value once the COMMIT holding it has returned.
    ///
    /// `body` runs inside its own savepoint within the batch's `BEGIN IMMEDIATE` transaction:
    /// if it throws, only its changes are rolled back and the error is rethrown here. It must
    /// be short and synchronous (every other writer waits for it) and must not control the
    /// transaction: `BEGIN`/`COMMIT`/`ROLLBACK` are refused inside it (savepoints are fine).
    /// If the COMMIT fails, every call in the batch throws the commit's error and none of
    /// their changes persist: a returned value always means the work is durable.
    ///
    /// Cancelling the calling task does not withdraw a queued call: its outcome must stay
    /// knowable, so it runs and the caller still gets the result.
    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        try await write(rerunnable: false, body)
    }

    /// `write(_:)`: the single writer meets no other node's locks (see `DataStore.writeAlone`).
    @discardableResult
    public func writeAlone<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        try await write(rerunnable: false, body)
    }

    /// `write(_:)` for a closure that only uses the connection — SQL reads and row changes
    /// (no DDL, no pragmas) and pure computation, with no effect outside the database and
    /// nothing kept from a run — so the writer may run it more than once.
    ///
    /// Why: the writer can then run consecutive such calls under one shared savepoint
    /// instead of one each, which saves SQLite copying every page each call touches into a
    /// savepoint journal (a quarter of the SQL time of a stock hold). If one of them throws
    /// after changing rows, the group is rolled back and its calls run again, each in its
    /// own savepoint. The guarantees are unchanged: exactly one run's changes commit (or
    /// none, if it throws), the value returned is that run's, and only after the COMMIT.
    /// Values from a discarded run (ids, times) are never seen by anyone.
    @discardableResult
    public func write<T: Sendable>(rerunnable: Bool, _ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            var request = WriteRequest(
                perform: { db in
                    do {
                        let value = try body(db)
                        return .returned(acknowledge: { continuation.resume(returning: value) })
                    } catch {
                        return .threw(error)
                    }
                },
                fail: { continuation.resume(throwing: $0) }
            )
            request.rerunnable = rerunnable
            writer.enqueue(.call(request))
        }
    }

    /// Runs `body` alone on the writer connection, outside any transaction, between batches:
    /// for work that manages its own transactions or cannot run in one (migrations, `VACUUM`,
    /// `PRAGMA wal_checkpoint`). A transaction left open by `body` is rolled back and reported
    /// as an error.
    @discardableResult
    public func withWriterConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            writer.enqueue(.exclusive(
                run: { db in
                    continuation.resume(with: Result {
                        let value = try body(db)
                        if db.isInTransaction {
                            db.rollbackIfNeeded()
                            throw StoreError.misuse("a transaction was left open and has been rolled back")
                        }
                        return value
                    })
                },
                fail: { continuation.resume(throwing: $0) }
            ))
        }
    }

    /// Applies `migrator`'s pending migrations on the writer connection; returns those applied.
    @discardableResult
    public func migrate(_ migrator: Migrator) async throws -> [Migration] {
        try await withWriterConnection { db in try migrator.migrate(db) }
    }

    // MARK: Reading

    /// Runs `body` on a read-only connection from the pool, inside one read transaction, so
    /// every query in it sees the same snapshot: the last commit before its first read.
    /// Writes fail with `SQLITE_READONLY`. Reads run concurrently with each other and with
    /// the writer.
    @discardableResult
    public func read<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            readers.enqueue(ReadJob(
                run: { db in
                    continuation.resume(with: Result { try Self.readSnapshot(db, body) })
                },
                fail: { continuation.resume(throwing: $0) }
            ))
        }
    }

    private static func readSnapshot<T>(_ db: Connection, _ body: (any Database) throws -> T) throws -> T {
        try db.execute("BEGIN DEFERRED", [])
        db.deniesTransactionControl = true
        let result = Result { try body(db) }
        db.deniesTransactionControl = false
        db.resetUnfinishedStatements()
        if db.isInTransaction {
            do {
                try db.execute("COMMIT", [])
            } catch {
                db.rollbackIfNeeded()
                if case .success = result { throw error }
            }
        }
        return try result.get()
    }

    // MARK: Backup

    /// Copies the whole database to `destination` with SQLite's online backup API and returns
    /// the copy's size in bytes.
    ///
    /// Runs on its own thread with its own read-only connection, copying in one step from one
    /// WAL snapshot, so writes continue meanwhile and the copy is a consistent point in time.
    /// The copy is written to `destination.partial`, fsynced, then renamed over `destination`,
    /// so a crash never leaves a half-written file under the real name.
    public func backup(to destination: String) async throws -> Int64 {
        guard !writer.isClosed else { throw StoreError.misuse("store is closed") }
        let source = path
        let busyTimeout = configuration.busyTimeout
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int64, any Error>) in
            startThread(name: "bahi.store.backup") {
                continuation.resume(with: Result {
                    try OnlineBackup.copy(from: source, to: destination, busyTimeout: busyTimeout)
                })
            }
        }
    }

    // MARK: Lifecycle

    /// Stops accepting work, lets queued writes and reads finish, and closes every connection.
    /// Calls made afterwards throw a misuse `StoreError`.
    public func close() async {
        await writer.shutdown()
        await readers.shutdown()
    }

    /// The writer's counters so far.
    public var statistics: Statistics {
        Statistics(
            batches: writer.batchCount.load(ordering: .relaxed),
            calls: writer.callCount.load(ordering: .relaxed),
            failedBatches: writer.failedBatchCount.load(ordering: .relaxed))
    }

    // MARK: Test support (package scope: reachable from this package's tests only)

    /// Makes the next batch's COMMIT fail through SQLite's commit hook, so tests can prove
    /// that a failed COMMIT acknowledges nobody.
    package func failNextCommitForTesting() {
        writer.failNextCommit.store(true, ordering: .relaxed)
    }

    /// Holds (true) or releases (false) the writer between batches, so a test can queue many
    /// calls and have them committed as one batch.
    package func pauseWriterForTesting(_ paused: Bool) {
        writer.setPaused(paused)
    }

    /// Write calls queued and not yet taken into a batch.
    package var queuedWriteCount: Int { writer.queuedCount }
}

/// SQLite's online backup, done so the result is durable and appears atomically.
enum OnlineBackup {
    static func copy(from source: String, to destination: String, busyTimeout: Duration) throws -> Int64 {
        let partial = destination + ".partial"
        unlink(partial)
        do {
            try copyPages(from: source, to: partial, busyTimeout: busyTimeout)
            try syncFile(partial)
            guard rename(partial, destination) == 0 else {
                throw systemError("cannot rename \(partial) to \(destination)")
            }
            try syncFile(directory(of: destination))
            var info = stat()
            guard stat(destination, &info) == 0 else { throw systemError("cannot stat \(destination)") }
            return Int64(info.st_size)
        } catch {
            unlink(partial)
            throw error
        }
    }

    private static func copyPages(from source: String, to target: String, busyTimeout: Duration) throws {
        try copyPages(from: try Connection(path: source, mode: .readOnly, busyTimeout: busyTimeout), named: source, to: target)
    }

    /// Copies every page of `from` (one snapshot) into a new file at `target`; closes both.
    static func copyPages(from: Connection, named source: String, to target: String) throws {
        let to = try Connection(openingPath: target, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, mode: .readWrite)
        // The partial file is thrown away on any failure and fsynced by hand at the end, so
        // it needs neither a journal nor per-write syncs.
        try to.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF")
        guard let backup = sqlite3_backup_init(to.handle, "main", from.handle, "main") else {
            throw StoreError.from(sqlite3_errcode(to.handle), db: to.handle, sql: nil)
        }
        // One step of all pages: the source read transaction then spans the whole copy, so
        // concurrent commits (by the writer connection) neither block it nor restart it.
        var rc = sqlite3_backup_step(backup, -1)
        var retries = 0
        while (rc & 0xFF == ResultCode.busy || rc & 0xFF == ResultCode.locked) && retries < 1000 {
            retries += 1
            sqlite3_sleep(10)
            rc = sqlite3_backup_step(backup, -1)
        }
        let finished = sqlite3_backup_finish(backup)
        guard rc == ResultCode.done, finished == ResultCode.ok else {
            let failure = StoreError.from(rc == ResultCode.done ? finished : rc, db: to.handle, sql: nil)
            throw StoreError(extendedCode: failure.extendedCode, message: "backup of \(source) failed: \(failure.message)")
        }
        to.close()
        from.close()
    }

    static func syncFile(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw systemError("cannot open \(path)") }
        defer { Foundation.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw systemError("cannot fsync \(path)") }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func systemError(_ message: String) -> StoreError {
        StoreError(extendedCode: 10, message: "\(message): \(String(cString: strerror(errno)))")  // SQLITE_IOERR
    }
}
