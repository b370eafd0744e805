import CSQLite

/// One SQLite connection, used by one thread at a time.
///
/// Why `NOMUTEX` and no locks of its own: the store confines every connection to a single
/// thread (the writer thread, or one reader thread), so SQLite's per-connection mutex would be
/// pure overhead. `Connection` is therefore deliberately not `Sendable`; the compiler keeps it
/// on the thread that created it. Opening applies the storage rules of DESIGN §3: WAL (checked,
/// not assumed), `synchronous` FULL by default, `foreign_keys=ON`, and a busy timeout.
public final class Connection: Database {
    /// Always `.sqlite`.
    public var dialect: SQLDialect { .sqlite }

    /// How a connection opens its file.
    public enum OpenMode: Sendable {
        /// Read and write, creating the file if it is missing: the store's single writer.
        case readWrite
        /// Read only (SQLite refuses writes with `SQLITE_READONLY`): the read pool, backups.
        case readOnly
    }

    /// How hard a commit pushes data to disk (`PRAGMA synchronous`).
    public enum Synchronous: String, Sendable {
        /// Every commit is fsynced before it returns: an acknowledged write survives power loss.
        case full = "FULL"
        /// WAL commits are not fsynced individually: faster, and still never corrupt, but the
        /// last commits before a power cut may be lost. A configuration choice, never a default.
        case normal = "NORMAL"
    }

    /// How `BEGIN` takes locks.
    public enum TransactionKind: Sendable {
        /// Takes locks when first needed; fine for reads, risks `SQLITE_BUSY` on a later write.
        case deferred
        /// Takes the write lock at `BEGIN`, so a write transaction never fails half-way for
        /// lock reasons: the store's writer always uses it.
        case immediate
        /// Like immediate; in WAL mode the same thing.
        case exclusive

        var sql: String {
            switch self {
            case .deferred: "BEGIN DEFERRED"
            case .immediate: "BEGIN IMMEDIATE"
            case .exclusive: "BEGIN EXCLUSIVE"
            }
        }
    }

    let handle: OpaquePointer

    /// The database file's path, as given.
    public let path: String

    /// Whether this connection can write.
    public let mode: OpenMode

    private var cache: [String: Statement] = [:]
    /// The same statements keyed by the address of their SQL text's UTF-8 bytes: application
    /// SQL is string literals, whose bytes live at a fixed address, so a lookup hashes one
    /// integer instead of a few hundred bytes of SQL. A hit is confirmed by comparing the
    /// text (instant for the same literal), so a reused address can never pick the wrong one.
    private var cacheByAddress: [Int: Statement] = [:]
    private let guardState = GuardState()
    private var isClosed = false

    /// Work the open transaction defers to its commit (`PreCommitWork`); the writer enables
    /// deferral for its batches and runs or discards the list when the batch ends.
    let preCommitWorkList = PreCommitWorkList()

    /// Set on the store's own connections: their lifetime belongs to the store's threads, so
    /// a closure calling `close()` on one must not be able to take the writer down.
    var isOwnedByStore = false

    /// Beyond this many distinct SQL texts the cache is emptied: application SQL is a fixed
    /// set, so hitting it means SQL is being built with values inlined, which must not grow
    /// memory without bound.
    static let cacheLimit = 512

    /// Opens a connection and applies the store's pragmas.
    ///
    /// - Parameters:
    ///   - path: the database file.
    ///   - mode: `.readWrite` creates the file and switches it to WAL; `.readOnly` requires the
    ///     file to be in WAL mode already (the writer opens first).
    ///   - synchronous: commit durability for the writer (ignored by read-only connections).
    ///   - busyTimeout: how long a statement waits for a lock before failing with
    ///     `SQLITE_BUSY`.
    /// - Throws: `StoreError` if the file cannot be opened or is not (cannot be put) in WAL mode.
    public convenience init(
        path: String,
        mode: OpenMode = .readWrite,
        synchronous: Synchronous = .full,
        busyTimeout: Duration = .seconds(5)
    ) throws {
        let access = mode == .readWrite ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY
        try self.init(openingPath: path, flags: access, mode: mode)
        let milliseconds = busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
        sqlite3_busy_timeout(handle, Int32(clamping: milliseconds))
        if mode == .readWrite {
            let journal: String? = try queryValue("PRAGMA journal_mode=WAL")
            guard journal?.lowercased() == "wal" else {
                throw StoreError(extendedCode: ResultCode.error, message: "could not enable WAL mode (journal_mode is \(journal ?? "unknown"))", sql: "PRAGMA journal_mode=WAL")
            }
            try execute("PRAGMA synchronous=\(synchronous.rawValue)")
        } else {
            let journal: String? = try queryValue("PRAGMA journal_mode")
            guard journal?.lowercased() == "wal" else {
                throw StoreError(extendedCode: ResultCode.error, message: "database is not in WAL mode (journal_mode is \(journal ?? "unknown")); open the writer first", sql: "PRAGMA journal_mode")
            }
        }
        try execute("PRAGMA foreign_keys=ON")
        let foreignKeys: Int64? = try queryValue("PRAGMA foreign_keys")
        guard foreignKeys == 1 else {
            throw StoreError(extendedCode: ResultCode.error, message: "this SQLite build cannot enforce foreign keys", sql: "PRAGMA foreign_keys")
        }
    }

    /// Opens with explicit flags and no pragmas: the backup destination needs a plain file.
    init(openingPath path: String, flags: Int32, mode: OpenMode) throws {
        SQLiteLibrary.configured
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nil)
        guard rc == ResultCode.ok, let db else {
            let error = StoreError.from(rc, db: db, sql: nil)
            sqlite3_close_v2(db)
            throw StoreError(extendedCode: error.extendedCode, message: "cannot open \(path): \(error.message)")
        }
        self.handle = db
        self.path = path
        self.mode = mode
        sqlite3_extended_result_codes(db, 1)
        sqlite3_set_authorizer(db, authorize, Unmanaged.passUnretained(guardState).toOpaque())
    }

    deinit {
        closeNow()
    }

    /// Closes the connection now rather than at deinit, so files are released at a known
    /// point. Later calls throw a misuse error. Ignored on the connections a `SQLiteStore` hands to
    /// its closures: the store closes those itself (`SQLiteStore.close()`).
    public func close() {
        guard !isOwnedByStore else { return }
        closeNow()
    }

    private func closeNow() {
        guard !isClosed else { return }
        isClosed = true
        cache.removeAll()
        cacheByAddress.removeAll()
        sqlite3_set_authorizer(handle, nil, nil)
        // close_v2 defers the real close until statements still held elsewhere are finalized.
        sqlite3_close_v2(handle)
    }

    private func checkOpen(_ sql: String) throws {
        if isClosed { throw StoreError.misuse("connection is closed", sql: sql) }
    }

    // MARK: Statements

    /// The prepared statement for `sql`, from this connection's cache (prepared on first use),
    /// rewound and with bindings cleared.
    ///
    /// If the cached statement is still being iterated (the same SQL used re-entrantly), a
    /// fresh uncached statement is returned instead, so the outer iteration is not disturbed.
    public func statement(_ sql: String) throws -> Statement {
        let statement = try reusableStatement(sql)
        statement.clearBindings()
        return statement
    }

    /// The cached statement for `sql`, rewound but with its old bindings (every caller binds
    /// all parameters before stepping), or a fresh one if the cached one is mid-iteration.
    @usableFromInline
    func reusableStatement(_ sql: String) throws -> Statement {
        let address = sql.utf8.withContiguousStorageIfAvailable { Int(bitPattern: $0.baseAddress) }
        if let address, let cached = cacheByAddress[address], cached.sql == sql {
            guard !cached.isBusy else { return try prepare(sql) }
            cached.reset()
            return cached
        }
        try checkOpen(sql)
        let statement: Statement
        if let cached = cache[sql] {
            guard !cached.isBusy else { return try prepare(sql) }
            cached.reset()
            statement = cached
        } else {
            statement = try prepare(sql)
            if cache.count >= Self.cacheLimit {
                cache.removeAll(keepingCapacity: true)
                cacheByAddress.removeAll(keepingCapacity: true)
            }
            cache[sql] = statement
        }
        if let address, address != 0 {
            // SQL built at run time lands at a new address each call while its text (and so
            // `cache`) stays the same: bound this map on its own.
            if cacheByAddress.count >= Self.cacheLimit { cacheByAddress.removeAll(keepingCapacity: true) }
            cacheByAddress[address] = statement
        }
        return statement
    }

    /// Compiles one statement without caching it.
    func prepare(_ sql: String) throws -> Statement {
        try checkOpen(sql)
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == ResultCode.ok else {
            sqlite3_finalize(statement)
            throw StoreError.from(rc, db: handle, sql: sql)
        }
        guard let statement else {
            throw StoreError.misuse("SQL contains no statement", sql: sql)
        }
        return Statement(handle: statement, sql: sql)
    }

    // MARK: Executing

    /// Runs a script of one or more `;`-separated statements without arguments (schema,
    /// migrations, pragmas). Statements are compiled one at a time and not cached; an error
    /// carries the text of the statement that failed.
    public func execute(_ sql: String) throws {
        try checkOpen(sql)
        let text = Array(sql.utf8CString)
        try text.withUnsafeBufferPointer { buffer in
            guard var cursor = buffer.baseAddress else { return }
            let end = cursor + (buffer.count - 1)  // the terminating NUL
            while cursor < end {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let rc = sqlite3_prepare_v2(handle, cursor, Int32(clamping: end - cursor + 1), &statement, &tail)
                guard rc == ResultCode.ok else {
                    sqlite3_finalize(statement)
                    throw StoreError.from(rc, db: handle, sql: Self.excerpt(String(cString: cursor)))
                }
                guard let next = tail, next > cursor else { sqlite3_finalize(statement); break }
                cursor = next
                guard let statement else { continue }  // only whitespace or a comment
                defer { sqlite3_finalize(statement) }
                var step = sqlite3_step(statement)
                while step == ResultCode.row { step = sqlite3_step(statement) }
                if step != ResultCode.done {
                    let failedSQL = sqlite3_sql(statement).map { String(cString: $0) }
                    throw StoreError.from(step, db: handle, sql: failedSQL)
                }
            }
        }
    }

    private static func excerpt(_ sql: String) -> String {
        let trimmed = sql.drop { $0.isWhitespace }
        return trimmed.count > 500 ? String(trimmed.prefix(500)) + "…" : String(trimmed)
    }

    /// Runs one statement with arguments through the statement cache and returns how many rows
    /// it changed (meaningful for INSERT/UPDATE/DELETE; 0 for statements that cannot write).
    /// The hot path for writes: `try db.execute("UPDATE … WHERE available >= ?", [qty])`.
    @discardableResult
    public func execute(_ sql: String, _ arguments: StatementArguments) throws -> Int {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        while try statement.step() {}
        return statement.isReadOnly ? 0 : Int(sqlite3_changes64(handle))
    }

    // MARK: Executing with converted values

    /// `execute(_:_:)` with values already converted (`Database`'s `binding:` forms).
    @discardableResult
    public func execute(_ sql: String, values: UnsafeBufferPointer<SQLValue>) throws -> Int {
        let statement = try reusableStatement(sql)
        defer { statement.reset() }
        try statement.bindAll(values)
        while try statement.step() {}
        return statement.isReadOnly ? 0 : changes
    }

    /// Runs at once: SQLite is in this process, so there is no round trip to save.
    public func perform(_ sql: String, values: UnsafeBufferPointer<SQLValue>) throws {
        _ = try execute(sql, values: values)
    }

    /// Runs at once and answers the real count (nothing to gain from guessing in-process).
    public func execute(_ sql: String, values: UnsafeBufferPointer<SQLValue>, likely: Int) throws -> Int {
        try execute(sql, values: values)
    }

    /// Hands each result row to `body` until it returns false (`Database`'s `query` forms).
    public func forEachRow(_ sql: String, values: UnsafeBufferPointer<SQLValue>, _ body: (Row) throws -> Bool) throws {
        let statement = try reusableStatement(sql)
        defer { statement.reset() }
        try statement.bindAll(values)
        while try statement.step() {
            guard try body(statement.row) else { return }
        }
    }

    /// `forEachRow(_:values:_:)` with `StatementArguments`.
    public func forEachRow(_ sql: String, _ arguments: StatementArguments, _ body: (Row) throws -> Bool) throws {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        while try statement.step() {
            guard try body(statement.row) else { return }
        }
    }

    /// The rowid of the last successful INSERT on this connection (prefer `RETURNING`).
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by every INSERT/UPDATE/DELETE since the connection opened (failed
    /// statements, whose changes SQLite undid, do not count): the writer compares it around a
    /// call to know whether the call left changes behind.
    var totalChanges: Int64 { sqlite3_total_changes64(handle) }

    /// Rows changed by the most recent INSERT/UPDATE/DELETE on this connection.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// True inside a transaction (SQLite is not in autocommit mode).
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// The current journal mode, lower-cased (`wal`): lets health checks and tests prove the
    /// storage rules hold.
    public func journalMode() throws -> String {
        let mode: String? = try queryValue("PRAGMA journal_mode")
        return mode?.lowercased() ?? ""
    }

    // MARK: Transactions

    /// Runs `body` in a transaction: COMMIT if it returns, ROLLBACK if it (or the COMMIT)
    /// throws, and rethrows. Refuses to nest (use `savepoint`), and is refused inside
    /// `SQLiteStore.write`, whose batch already is the transaction.
    @discardableResult
    public func transaction<T>(kind: TransactionKind = .deferred, _ body: () throws -> T) throws -> T {
        guard !isInTransaction else {
            throw StoreError.misuse("a transaction is already open on this connection; use savepoint(_:_:) to nest", sql: kind.sql)
        }
        try execute(kind.sql, [])
        let value: T
        do {
            value = try body()
            try execute("COMMIT", [])
        } catch {
            rollbackIfNeeded()
            throw error
        }
        return value
    }

    /// Runs `body` inside `SAVEPOINT name`: RELEASE if it returns, `ROLLBACK TO` + RELEASE if
    /// it throws, so only `body`'s changes are undone and the surrounding transaction goes on.
    /// Outside a transaction a savepoint is a transaction of its own.
    @discardableResult
    public func savepoint<T>(_ name: String, _ body: () throws -> T) throws -> T {
        let quoted = Self.quoteIdentifier(name)
        try execute("SAVEPOINT \(quoted)", [])
        do {
            let value = try body()
            try execute("RELEASE \(quoted)", [])
            return value
        } catch {
            if isInTransaction {
                _ = try? execute("ROLLBACK TO \(quoted)", [])
                _ = try? execute("RELEASE \(quoted)", [])
            }
            throw error
        }
    }

    /// Rolls back the open transaction, if any; used on error paths where the original error
    /// is the one worth reporting.
    func rollbackIfNeeded() {
        guard isInTransaction else { return }
        if (try? execute("ROLLBACK", [])) == nil {
            // A statement cache miss cannot be the cause; fall back to the plain interface.
            sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
        }
    }

    /// `"name"` with embedded quotes doubled: savepoint names come from code, but quoting
    /// keeps any name from becoming SQL.
    static func quoteIdentifier(_ name: String) -> String {
        var quoted = "\""
        for character in name {
            quoted.append(character)
            if character == "\"" { quoted.append("\"") }
        }
        return quoted + "\""
    }

    // MARK: SQLiteStore support

    /// While true, the authorizer refuses BEGIN/COMMIT/ROLLBACK: set around user closures in
    /// `SQLiteStore.write`/`SQLiteStore.read`, whose transaction belongs to the store.
    var deniesTransactionControl: Bool {
        get { guardState.deniesTransactionControl }
        set { guardState.deniesTransactionControl = newValue }
    }

    /// Rewinds every statement left mid-iteration (a closure that stopped reading early), so
    /// no stale read lock outlives the closure and COMMIT never meets a running statement.
    func resetUnfinishedStatements() {
        var statement = sqlite3_next_stmt(handle, nil)
        while let current = statement {
            if sqlite3_stmt_busy(current) != 0 { sqlite3_reset(current) }
            statement = sqlite3_next_stmt(handle, current)
        }
    }

    /// Makes the next COMMIT on this connection fail (SQLite turns it into a rollback with
    /// `SQLITE_CONSTRAINT_COMMITHOOK`), through SQLite's real commit-failure path.
    func setCommitFails(_ fails: Bool) {
        if fails {
            sqlite3_commit_hook(handle, { _ in 1 }, nil)
        } else {
            sqlite3_commit_hook(handle, nil, nil)
        }
    }
}

@available(*, unavailable, message: "a Connection is confined to one thread")
extension Connection: Sendable {}

/// State the authorizer callback reads through its context pointer; owned by the connection,
/// which outlives the callback registration (removed in `close()`).
final class GuardState {
    var deniesTransactionControl = false
}

/// SQLite's authorizer: refuses transaction control statements while a store closure runs.
private func authorize(
    _ context: UnsafeMutableRawPointer?, _ action: Int32,
    _: UnsafePointer<CChar>?, _: UnsafePointer<CChar>?, _: UnsafePointer<CChar>?, _: UnsafePointer<CChar>?
) -> Int32 {
    guard action == SQLITE_TRANSACTION, let context else { return SQLITE_OK }
    let state = Unmanaged<GuardState>.fromOpaque(context).takeUnretainedValue()
    return state.deniesTransactionControl ? SQLITE_DENY : SQLITE_OK
}
