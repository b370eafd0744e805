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

    /// Runs a query and maps every row; `transform` sees each `Row` only while it is current.
    func query<T>(_ sql: String, _ arguments: StatementArguments, _ transform: (Row) throws -> T) throws -> [T]

    /// Runs a query and maps its first row, or nil. Also the way to read `… RETURNING`.
    func queryFirst<T>(_ sql: String, _ arguments: StatementArguments, _ transform: (Row) throws -> T) throws -> T?

    /// `execute(_:_:)` with values already converted: what the `binding:` forms below call.
    @discardableResult
    func execute(_ sql: String, values: [SQLValue]) throws -> Int

    /// `query(_:_:_:)` with values already converted.
    func query<T>(_ sql: String, values: [SQLValue], map transform: (Row) throws -> T) throws -> [T]

    /// `queryFirst(_:_:_:)` with values already converted.
    func queryFirst<T>(_ sql: String, values: [SQLValue], map transform: (Row) throws -> T) throws -> T?

    /// Runs `body` inside a savepoint: only its changes are undone if it throws, and the
    /// surrounding transaction goes on.
    @discardableResult
    func savepoint<T>(_ name: String, _ body: () throws -> T) throws -> T

    /// This transaction's shared instance of `W`, made on first use; nil when the connection
    /// does not defer work to its commit (see `PreCommitWork`).
    func preCommitWork<W: PreCommitWork>(_ type: W.Type) -> W?
}

extension Database {
    /// `execute(_:_:)` with the values bound straight from their types: the writer's hot
    /// paths (`db.execute("UPDATE … WHERE sku = ?1 AND qty >= ?2", binding: sku, qty)`).
    ///
    /// Why an inlinable extension over an array requirement rather than a generic
    /// requirement: records call through `any Database`, and a generic requirement then runs
    /// unspecialised, looking up each value's type metadata at run time. Here the values are
    /// converted where the call is compiled, for its concrete types, and one array crosses.
    @discardableResult @inlinable
    public func execute<First: SQLValueConvertible, each V: SQLValueConvertible>(_ sql: String, binding first: First, _ values: repeat each V) throws -> Int {
        try execute(sql, values: sqlValues(first, repeat each values))
    }

    /// `query(_:_:_:)` with directly bound values (see `execute(_:binding:)`).
    @inlinable
    public func query<T, First: SQLValueConvertible, each V: SQLValueConvertible>(_ sql: String, binding first: First, _ values: repeat each V, map transform: (Row) throws -> T) throws -> [T] {
        try query(sql, values: sqlValues(first, repeat each values), map: transform)
    }

    /// `queryFirst(_:_:_:)` with directly bound values (see `execute(_:binding:)`).
    @inlinable
    public func queryFirst<T, First: SQLValueConvertible, each V: SQLValueConvertible>(_ sql: String, binding first: First, _ values: repeat each V, map transform: (Row) throws -> T) throws -> T? {
        try queryFirst(sql, values: sqlValues(first, repeat each values), map: transform)
    }

    /// The values of a `binding:` call, in order.
    @inlinable
    func sqlValues<First: SQLValueConvertible, each V: SQLValueConvertible>(_ first: First, _ rest: repeat each V) -> [SQLValue] {
        var count = 1
        for _ in repeat each rest { count += 1 }
        var values: [SQLValue] = []
        values.reserveCapacity(count)
        values.append(first.sqlValue)
        for value in repeat each rest { values.append(value.sqlValue) }
        return values
    }

    /// The first column of the first row, or nil if there is no row: for `SELECT count(*)`,
    /// `EXISTS (…)` and `… RETURNING one_column`.
    public func queryValue<V: SQLValueConvertible>(_ sql: String, _ arguments: StatementArguments = [], as type: V.Type = V.self) throws -> V? {
        try queryFirst(sql, arguments) { row -> V in try row.firstColumn() }
    }

    /// A query with no arguments.
    public func query<T>(_ sql: String, _ transform: (Row) throws -> T) throws -> [T] {
        try query(sql, StatementArguments([]), transform)
    }

    /// The first row of a query with no arguments.
    public func queryFirst<T>(_ sql: String, _ transform: (Row) throws -> T) throws -> T? {
        try queryFirst(sql, StatementArguments([]), transform)
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
