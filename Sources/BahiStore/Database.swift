/// The connection interface every domain records type is written against: run a statement,
/// map its rows by column name, learn what changed. SQLite's `Connection` satisfies it today;
/// the PostgreSQL store satisfies it next, so records and flows run unchanged on either.
///
/// Why a protocol of a few calls and not the SQLite class: domain code must not depend on
/// one engine's mechanics (statement handles, rowids, `sqlite3_changes`). Everything a record
/// needs is here: a changed-row count decides conditional writes, `RETURNING` replaces
/// "last insert rowid", and `Row` is read by name. SQL given here is written portably
/// (DESIGN §3): `?N` placeholders, `ON CONFLICT`, `RETURNING`, `TRUE`/`FALSE`,
/// `GREATEST`/`LEAST`; where the engines still differ, the implementation translates, so the
/// difference lives in BahiStore, never in domain code.
///
/// A `Database` is used by one thread at a time (the store's writer or one reader) and is
/// not `Sendable`.
public protocol Database: AnyObject {
    /// Which engine this is, for the rare statement the store must phrase per engine (DDL in
    /// migrations); domain records never branch on it.
    var dialect: SQLDialect { get }

    /// Runs one or more `;`-separated statements that take no arguments (schema, scripts).
    func execute(_ sql: String) throws

    /// Runs one statement with its arguments; returns how many rows it changed (0 for a
    /// statement that cannot change rows).
    @discardableResult
    func execute(_ sql: String, _ arguments: StatementArguments) throws -> Int

    /// Runs a statement with its arguments and hands each result row to `body` while it is
    /// current, until `body` returns false or the rows run out.
    func forEachRow(_ sql: String, _ arguments: StatementArguments, _ body: (Row) throws -> Bool) throws

    /// `execute(_:_:)` with values already converted: what the `binding:` forms below call.
    ///
    /// Why a buffer and not an array: the `binding:` forms build the values on the stack
    /// where the call is compiled, so a statement on the writer's hot path allocates nothing
    /// to cross this boundary.
    @discardableResult
    func execute(_ sql: String, values: UnsafeBufferPointer<SQLValue>) throws -> Int

    /// Runs a write whose only outcome its caller uses is "it did not fail": an `INSERT` of a
    /// ledger row, a history row, an event. Unlike `execute`, it returns nothing, so a store
    /// may send it ahead without waiting for its answer.
    ///
    /// Why: on PostgreSQL every statement waited for is a round trip to the server (over a
    /// hundred microseconds between two processes here, a network hop in production), and a
    /// hold or an order is mostly such writes. The group-commit writer sends them in pipeline
    /// mode together with the next statement whose result is needed, or with the commit. If
    /// one fails, the error surfaces at that later statement and the writer reruns the whole
    /// batch without pipelining, so each call still meets its own error and nothing of a
    /// failed call persists. So: use it only for writes whose failure the caller does not
    /// catch and handle. SQLite runs it at once, as `execute`.
    func perform(_ sql: String, values: UnsafeBufferPointer<SQLValue>) throws

    /// `execute(_:values:)` for a conditional write whose changed-row count the caller can
    /// predict (`likely`) from what it read in this transaction: a store may send it ahead
    /// and answer `likely` at once, checking the real count when it reads the result. If the
    /// two differ, the transaction fails as a `perform` failure does: the group-commit writer
    /// reruns the batch waiting for every statement, so the caller then sees the real count
    /// and takes the path it decides. SQLite runs it at once and answers the real count.
    ///
    /// Why: on a checkout hold the stock `UPDATE … WHERE available >= qty` follows a read of
    /// that very level in the same transaction, so its outcome is known unless another node
    /// changed the row in between; waiting for it cost a round trip per hold on PostgreSQL.
    func execute(_ sql: String, values: UnsafeBufferPointer<SQLValue>, likely: Int) throws -> Int

    /// `forEachRow(_:_:_:)` with values already converted.
    ///
    /// Why rows go to a non-generic closure rather than a generic `query<T>` requirement:
    /// records call through `any Database`, where a generic requirement runs unspecialised,
    /// fetching `T`'s metadata (a tuple's, built at run time) and moving every result through
    /// value witnesses. The `query` forms below are inlinable extensions that collect the
    /// rows, specialised for `T` in the caller's module.
    func forEachRow(_ sql: String, values: UnsafeBufferPointer<SQLValue>, _ body: (Row) throws -> Bool) throws

    /// Runs `body` inside a savepoint: only its changes are undone if it throws, and the
    /// surrounding transaction goes on.
    @discardableResult
    func savepoint<T>(_ name: String, _ body: () throws -> T) throws -> T

    /// This transaction's shared instance of `W`, made on first use; nil when the connection
    /// does not defer work to its commit (see `PreCommitWork`).
    func preCommitWork<W: PreCommitWork>(_ type: W.Type) -> W?
}

extension Database {
    /// Runs a query and maps every row; `transform` sees each `Row` only while it is current.
    @inlinable @inline(__always)
    public func query<T>(_ sql: String, _ arguments: StatementArguments, _ transform: (Row) throws -> T) throws -> [T] {
        try DatabaseCalls.collect(self, sql, arguments, transform)
    }

    /// Runs a query and maps its first row, or nil. Also the way to read `… RETURNING`.
    @inlinable @inline(__always)
    public func queryFirst<T>(_ sql: String, _ arguments: StatementArguments, _ transform: (Row) throws -> T) throws -> T? {
        try DatabaseCalls.first(self, sql, arguments, transform)
    }

    /// `execute(_:_:)` with values already converted, in an array.
    @discardableResult @inlinable @inline(__always)
    public func execute(_ sql: String, values: [SQLValue]) throws -> Int {
        try DatabaseCalls.execute(self, sql, values)
    }

    /// `query(_:_:_:)` with values already converted, in an array.
    @inlinable @inline(__always)
    public func query<T>(_ sql: String, values: [SQLValue], map transform: (Row) throws -> T) throws -> [T] {
        try DatabaseCalls.collect(self, sql, values, transform)
    }

    /// `queryFirst(_:_:_:)` with values already converted, in an array.
    @inlinable @inline(__always)
    public func queryFirst<T>(_ sql: String, values: [SQLValue], map transform: (Row) throws -> T) throws -> T? {
        try DatabaseCalls.first(self, sql, values, transform)
    }

    /// `execute(_:_:)` with the values bound straight from their types: the writer's hot
    /// paths (`db.execute("UPDATE … WHERE sku = ?1 AND qty >= ?2", binding: sku, qty)`).
    ///
    /// Why existential variadics rather than a parameter pack or a generic requirement:
    /// records call through `any Database`, where a generic requirement runs unspecialised;
    /// and the optimiser does not specialise functions generic over a pack, so a pack here
    /// made the whole call — the query's `T`, its array, its closure — generic code fetching
    /// type metadata at run time. Values of these types fit an existential's inline buffer
    /// (no allocation), each converts through one witness call, and the converted values
    /// live on the stack (see `DatabaseCalls`).
    @discardableResult @inlinable @inline(__always)
    public func execute(_ sql: String, binding first: any SQLValueConvertible, _ rest: any SQLValueConvertible...) throws -> Int {
        try DatabaseCalls.execute(self, sql, first, rest)
    }

    /// `perform(_:values:)` with the values bound straight from their types (see
    /// `execute(_:binding:)`).
    @inlinable @inline(__always)
    public func perform(_ sql: String, binding first: any SQLValueConvertible, _ rest: any SQLValueConvertible...) throws {
        try DatabaseCalls.perform(self, sql, first, rest)
    }

    /// `execute(_:values:likely:)` with directly bound values (see `execute(_:binding:)`).
    @discardableResult @inlinable @inline(__always)
    public func execute(_ sql: String, likely: Int, binding first: any SQLValueConvertible, _ rest: any SQLValueConvertible...) throws -> Int {
        try DatabaseCalls.execute(self, sql, likely: likely, first, rest)
    }

    /// `perform(_:values:)` for a statement that takes no arguments (`SAVEPOINT …`).
    @inlinable @inline(__always)
    public func perform(_ sql: String) throws {
        try DatabaseCalls.perform(self, sql)
    }

    /// `query(_:_:_:)` with directly bound values (see `execute(_:binding:)`).
    @inlinable @inline(__always)
    public func query<T>(_ sql: String, binding first: any SQLValueConvertible, _ rest: any SQLValueConvertible..., map transform: (Row) throws -> T) throws -> [T] {
        try DatabaseCalls.collect(self, sql, first, rest, transform)
    }

    /// `queryFirst(_:_:_:)` with directly bound values (see `execute(_:binding:)`).
    @inlinable @inline(__always)
    public func queryFirst<T>(_ sql: String, binding first: any SQLValueConvertible, _ rest: any SQLValueConvertible..., map transform: (Row) throws -> T) throws -> T? {
        try DatabaseCalls.first(self, sql, first, rest, transform)
    }

    /// The first column of the first row, or nil if there is no row: for `SELECT count(*)`,
    /// `EXISTS (…)` and `… RETURNING one_column`.
    @inlinable @inline(__always)
    public func queryValue<V: SQLValueConvertible>(_ sql: String, _ arguments: StatementArguments = [], as type: V.Type = V.self) throws -> V? {
        try DatabaseCalls.first(self, sql, arguments) { row -> V in try row.firstColumn() }
    }

    /// A query with no arguments.
    @inlinable @inline(__always)
    public func query<T>(_ sql: String, _ transform: (Row) throws -> T) throws -> [T] {
        try DatabaseCalls.collect(self, sql, StatementArguments([]), transform)
    }

    /// The first row of a query with no arguments.
    @inlinable @inline(__always)
    public func queryFirst<T>(_ sql: String, _ transform: (Row) throws -> T) throws -> T? {
        try DatabaseCalls.first(self, sql, StatementArguments([]), transform)
    }
}

/// The bodies of `Database`'s convenience calls, as functions of `any Database`.
///
/// Why not in the protocol extension itself: a protocol-extension method called on
/// `any Database` is generic over the opened type, which the optimiser cannot specialise, so
/// its body — and every generic call inside it — would run as unspecialised generic code,
/// looking up type metadata at run time on every statement. The extension methods are
/// forced inline and hand `self` on as `any Database`; these functions are generic only
/// over the row type, and are specialised for it in the caller's module.
@usableFromInline
enum DatabaseCalls {
    @inlinable
    static func collect<T>(_ db: any Database, _ sql: String, _ arguments: StatementArguments, _ transform: (Row) throws -> T) throws -> [T] {
        var results: [T] = []
        try db.forEachRow(sql, arguments) { row in
            results.append(try transform(row))
            return true
        }
        return results
    }

    @inlinable
    static func first<T>(_ db: any Database, _ sql: String, _ arguments: StatementArguments, _ transform: (Row) throws -> T) throws -> T? {
        var result: T?
        try db.forEachRow(sql, arguments) { row in
            result = try transform(row)
            return false
        }
        return result
    }

    @inlinable
    static func collect<T>(_ db: any Database, _ sql: String, _ values: UnsafeBufferPointer<SQLValue>, _ transform: (Row) throws -> T) throws -> [T] {
        var results: [T] = []
        try db.forEachRow(sql, values: values) { row in
            results.append(try transform(row))
            return true
        }
        return results
    }

    @inlinable
    static func first<T>(_ db: any Database, _ sql: String, _ values: UnsafeBufferPointer<SQLValue>, _ transform: (Row) throws -> T) throws -> T? {
        var result: T?
        try db.forEachRow(sql, values: values) { row in
            result = try transform(row)
            return false
        }
        return result
    }

    @inlinable
    static func execute(_ db: any Database, _ sql: String, _ values: [SQLValue]) throws -> Int {
        try values.withUnsafeBufferPointer { try db.execute(sql, values: $0) }
    }

    @inlinable
    static func collect<T>(_ db: any Database, _ sql: String, _ values: [SQLValue], _ transform: (Row) throws -> T) throws -> [T] {
        try values.withUnsafeBufferPointer { try collect(db, sql, $0, transform) }
    }

    @inlinable
    static func first<T>(_ db: any Database, _ sql: String, _ values: [SQLValue], _ transform: (Row) throws -> T) throws -> T? {
        try values.withUnsafeBufferPointer { try first(db, sql, $0, transform) }
    }

    @inlinable
    static func execute(_ db: any Database, _ sql: String, _ first: any SQLValueConvertible, _ rest: [any SQLValueConvertible]) throws -> Int {
        try withValues(first, rest) { try db.execute(sql, values: $0) }
    }

    @inlinable
    static func perform(_ db: any Database, _ sql: String, _ first: any SQLValueConvertible, _ rest: [any SQLValueConvertible]) throws {
        try withValues(first, rest) { try db.perform(sql, values: $0) }
    }

    @inlinable
    static func execute(_ db: any Database, _ sql: String, likely: Int, _ first: any SQLValueConvertible, _ rest: [any SQLValueConvertible]) throws -> Int {
        try withValues(first, rest) { try db.execute(sql, values: $0, likely: likely) }
    }

    @inlinable
    static func perform(_ db: any Database, _ sql: String) throws {
        try withUnsafeTemporaryAllocation(of: SQLValue.self, capacity: 0) { buffer in
            try db.perform(sql, values: UnsafeBufferPointer(buffer))
        }
    }

    @inlinable
    static func collect<T>(_ db: any Database, _ sql: String, _ first: any SQLValueConvertible, _ rest: [any SQLValueConvertible], _ transform: (Row) throws -> T) throws -> [T] {
        try withValues(first, rest) { try collect(db, sql, $0, transform) }
    }

    @inlinable
    static func first<T>(_ db: any Database, _ sql: String, _ first: any SQLValueConvertible, _ rest: [any SQLValueConvertible], _ transform: (Row) throws -> T) throws -> T? {
        try withValues(first, rest) { try Self.first(db, sql, $0, transform) }
    }

    /// The values of a `binding:` call, converted in order into stack memory for the
    /// duration of `body`.
    @inlinable
    static func withValues<R>(_ first: any SQLValueConvertible, _ rest: [any SQLValueConvertible], _ body: (UnsafeBufferPointer<SQLValue>) throws -> R) throws -> R {
        try withUnsafeTemporaryAllocation(of: SQLValue.self, capacity: rest.count + 1) { buffer in
            buffer.initializeElement(at: 0, to: first.sqlValue)
            for index in rest.indices { buffer.initializeElement(at: index + 1, to: rest[index].sqlValue) }
            defer { _ = buffer.deinitialize() }
            return try body(UnsafeBufferPointer(buffer))
        }
    }
}

extension Database {
    /// The engine's own check of its files: `["ok"]` when sound, else one line per problem.
    /// SQLite runs `PRAGMA integrity_check`; PostgreSQL checks pages as it reads them and has
    /// no in-SQL equivalent, so it answers `["ok"]` (its own tools, `amcheck`, go deeper).
    public func engineIntegrityCheck() throws -> [String] {
        switch dialect {
        case .sqlite: try query("PRAGMA integrity_check") { row in try row["integrity_check"] as String }
        case .postgres: ["ok"]
        }
    }

    /// Rows whose foreign key points to no row. SQLite can hold such rows (keys are checked
    /// per connection setting) and `PRAGMA foreign_key_check` finds them; PostgreSQL refuses
    /// them on every write, so it has none.
    public func danglingForeignKeys() throws -> [(table: String, rowID: Int64?, parent: String)] {
        switch dialect {
        case .sqlite:
            try query("PRAGMA foreign_key_check") { row in
                (table: try row["table"] as String, rowID: try row["rowid"] as Int64?, parent: try row["parent"] as String)
            }
        case .postgres: []
        }
    }
}

extension Database {
    /// The largest `id` of an append-only `table` with an integer `id` key below which no row
    /// can still appear: every insert that took a number up to it has committed or rolled back,
    /// so any snapshot begun after this call's transaction sees every such row there will ever
    /// be (0 for an empty table). Call it in a write transaction of its own (`writeAlone`).
    ///
    /// Why a function with two answers: SQLite's one writer numbers rows as it inserts them and
    /// readers see only commits, so the largest committed id is settled. A PostgreSQL identity
    /// hands numbers out before commit, so a transaction that took a lower number may commit
    /// after a higher one is visible. There the table is locked in SHARE mode, which waits for
    /// every transaction that has inserted into it (each holds ROW EXCLUSIVE until it ends) and
    /// holds new inserts back until this transaction ends — one index lookup later. It waits
    /// at most `lockTimeoutMilliseconds` for the inserters to finish rather than stall the
    /// writers queued behind it, and then throws a busy `StoreError` (SQLSTATE 55P03).
    public func settledMaximumID(of table: String, lockTimeoutMilliseconds: Int) throws -> Int64 {
        if dialect == .postgres {
            try perform("SET LOCAL lock_timeout = \(max(1, lockTimeoutMilliseconds))")
            try perform("LOCK TABLE \(table) IN SHARE MODE")
        }
        return try queryValue("SELECT COALESCE(MAX(id), 0) FROM \(table)", as: Int64.self) ?? 0
    }
}

/// The SQL engines Bahi stores its data in.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres
}

/// The store as the application sees it: group-committed writes and snapshot reads over
/// `Database` connections. `SQLiteStore` is the embedded default; the PostgreSQL store is a
/// second implementation for several nodes on one database.
///
/// The contract of `write` is the same for every implementation: the closure runs inside a
/// transaction; the call returns only after that transaction committed, or throws and
/// nothing of it persists.
public protocol DataStore: AnyObject, Sendable {
    /// The engine behind this store.
    var dialect: SQLDialect { get }

    /// Runs `body` in a write transaction and returns after it committed.
    @discardableResult
    func write<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T

    /// `write(_:)` for a closure that only uses the connection and may run more than once
    /// (its value is the committed run's); see `SQLiteStore.write(rerunnable:_:)`.
    @discardableResult
    func write<T: Sendable>(rerunnable: Bool, _ body: @escaping @Sendable (any Database) throws -> T) async throws -> T

    /// `write(_:)` in a transaction of its own, never batched with other calls: for a short
    /// transaction that takes a lock every node's write batches would otherwise meet (the
    /// PostgreSQL event sequencer's), so that no batch ever waits on it while holding row
    /// locks another node's batch wants. SQLite's single writer has no such cycle.
    @discardableResult
    func writeAlone<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T

    /// Runs `body` in one read-only snapshot.
    @discardableResult
    func read<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T

    /// Applies `migrator`'s pending migrations, each in its own transaction, outside any
    /// other work; returns those applied. The migrator must be this engine's list (the
    /// SQLite and PostgreSQL schemas are separate numbered lists). Throws
    /// `MigrationError.databaseNewer` for a database a newer binary migrated.
    @discardableResult
    func migrate(_ migrator: Migrator) async throws -> [Migration]

    /// Finishes queued work and closes every connection.
    func close() async
}
