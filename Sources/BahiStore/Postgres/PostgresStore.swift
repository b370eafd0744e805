/// The PostgreSQL store: a pool of connections, each owned by one thread, serving `write`
/// and `read` calls from one queue. Several `bahi serve` processes may share the database.
///
/// Why per-call transactions on a pool rather than one group-committing writer: several nodes
/// write at once anyway, so correctness already rests on the database (conditional updates,
/// unique constraints) rather than on one writer, and PostgreSQL's own group commit
/// (`commit_delay`, many backends flushing one WAL) batches the fsyncs that SQLite's writer
/// batches by hand.
///
/// A write runs at READ COMMITTED: stock moves are conditional `UPDATE … WHERE available >=
/// qty`, whose re-check after a concurrent commit is what makes them safe. A transaction
/// PostgreSQL aborts for a serialization failure or a deadlock (SQLSTATE 40001, 40P01) is run
/// again, up to `maxAttempts` times; nothing of an aborted attempt persisted, so the retry has
/// no second effect. So is one whose closure found a row changed under it (`ConcurrentChange`). A read runs in one REPEATABLE READ, READ ONLY snapshot.
public final class PostgresStore: DataStore {
    /// Always `.postgres`.
    public var dialect: SQLDialect { .postgres }

    /// How the pool connects and behaves.
    public struct Configuration: Sendable {
        /// libpq connection string (`host=… port=… dbname=… user=… password=…`).
        public var conninfo: String
        /// Connections (and threads) in this node's pool.
        public var poolSize: Int
        /// Attempts for a transaction PostgreSQL aborts as a conflict (40001, 40P01).
        public var maxAttempts: Int

        /// Writes go through one group-committing connection per node (`PostgresWriter`);
        /// false runs each write as its own transaction on the pool (measured slower: see
        /// `PostgresWriter`), kept for comparison.
        public var groupCommit: Bool

        public init(conninfo: String, poolSize: Int = 8, maxAttempts: Int = 5, groupCommit: Bool = true) {
            self.conninfo = conninfo
            self.poolSize = poolSize
            self.maxAttempts = maxAttempts
            self.groupCommit = groupCommit
        }
    }

    public let configuration: Configuration
    private let pool: ConnectionPool<PostgresConnection>
    private let writer: PostgresWriter?

    /// Opens every connection of the pool; throws (with libpq's reason, never the password)
    /// if one cannot connect.
    public init(configuration: Configuration) async throws {
        self.configuration = configuration
        let conninfo = configuration.conninfo
        let pool = ConnectionPool<PostgresConnection>(size: configuration.poolSize, name: "bahi.store.pg")
        try await pool.start(
            open: { try PostgresConnection(conninfo: conninfo) },
            // A connection the server dropped (restart, failover) is replaced before the next
            // job; if the server is still away, the job fails with the connection's error.
            revive: { db in db.isHealthy ? db : ((try? PostgresConnection(conninfo: conninfo)) ?? db) })
        self.pool = pool
        do {
            writer = configuration.groupCommit ? try await PostgresWriter(conninfo: conninfo, maxAttempts: configuration.maxAttempts) : nil
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    private func submit<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            pool.enqueue(.init(run: { db in continuation.resume(with: Result { try body(db) }) },
                               fail: { continuation.resume(throwing: $0) }))
        }
    }

    // MARK: DataStore

    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        if let writer { return try await writer.write(body) }
        return try await writeAlone(body)
    }

    /// A transaction of its own on the pool, outside the group-commit batches, retried on
    /// conflicts: see `DataStore.writeAlone`.
    @discardableResult
    public func writeAlone<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        let attempts = max(1, configuration.maxAttempts)
        return try await submit { db in
            var attempt = 1
            while true {
                do {
                    return try db.transaction(begin: "BEGIN", deferringWork: true, body)
                } catch let error as StoreError where error.isRetryableConflict && attempt < attempts {
                    attempt += 1
                } catch let change as ConcurrentChange {
                    guard attempt < attempts else { throw change.underlying }
                    attempt += 1
                }
            }
        }
    }

    /// The same as `write(_:)`: every PostgreSQL write may run again after a conflict.
    @discardableResult
    public func write<T: Sendable>(rerunnable: Bool, _ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        try await write(body)
    }

    @discardableResult
    public func read<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        try await submit { db in
            try db.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", deferringWork: false, body)
        }
    }

    /// Runs `body` alone on one connection outside any transaction: migrations, which manage
    /// their own.
    @discardableResult
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await submit(body)
    }

    /// Applies `migrator`'s pending migrations (PostgreSQL's own numbered list).
    @discardableResult
    public func migrate(_ migrator: Migrator) async throws -> [Migration] {
        try await withConnection { db in try migrator.migrate(db) }
    }

    public func close() async {
        await writer?.close()
        await pool.shutdown()
    }
}
