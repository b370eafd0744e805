/// One numbered schema change.
///
/// Why numbered SQL rather than code: a migration must mean the same thing forever, so it is
/// frozen text, applied once and recorded with its number; the next change is a new number.
public struct Migration: Sendable, Hashable {
    /// Position in the sequence, starting at 1; never reused or renumbered.
    public let version: Int
    /// A short human label, recorded in `schema_migrations` for people reading the database.
    public let name: String
    /// The script to run (one or more statements).
    public let sql: String

    /// Declares a migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Why a migration run stopped.
public enum MigrationError: Error, CustomStringConvertible {
    /// The database was migrated by a newer binary: running an older one against it could
    /// misread or corrupt data, so it refuses to start.
    case databaseNewer(databaseVersion: Int, knownVersion: Int, application: String)
    /// The list of migrations itself is wrong (duplicate or non-positive versions).
    case invalidMigrations(String)
    /// A migration's SQL failed; its transaction was rolled back and nothing of it remains.
    case failed(version: Int, name: String, underlying: any Error)
    /// After a migration, `PRAGMA foreign_key_check` found rows pointing nowhere; rolled back.
    case foreignKeyViolations(version: Int, name: String, count: Int)

    /// One line for an operator, saying what to do where there is something to do.
    public var description: String {
        switch self {
        case .databaseNewer(let database, let known, let application):
            "database schema version \(database) is newer than this \(application) (knows up to \(known)); upgrade \(application)"
        case .invalidMigrations(let reason):
            "invalid migration list: \(reason)"
        case .failed(let version, let name, let underlying):
            "migration \(version) (\(name)) failed and was rolled back: \(underlying)"
        case .foreignKeyViolations(let version, let name, let count):
            "migration \(version) (\(name)) left \(count) foreign key violation(s) and was rolled back"
        }
    }
}

/// Brings a database up to the newest schema the binary knows, one migration at a time.
///
/// Applied versions are recorded in `schema_migrations`; each migration runs in its own
/// `BEGIN IMMEDIATE` transaction together with its record, so a crash or error leaves the
/// database at a clean earlier version, never between two. Running it again is a no-op.
public struct Migrator: Sendable {
    /// The known migrations, in version order.
    public let migrations: [Migration]

    /// The name used in operator messages ("upgrade bahi").
    public let applicationName: String

    static let createTableSQL = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at INTEGER NOT NULL
        ) STRICT
        """

    /// Declares the known migrations (any order; they are sorted by version).
    public init(_ migrations: [Migration], applicationName: String = "bahi") {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.applicationName = applicationName
    }

    /// The newest version this binary knows (0 with no migrations).
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// The highest version recorded in the database (0 for a new database). Works on a
    /// read-only connection.
    public func appliedVersion(_ db: any Database) throws -> Int {
        let catalogue = switch db.dialect {
        case .sqlite: "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'"
        case .postgres: "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
        }
        let exists = try db.queryValue(catalogue, as: Int64.self)
        guard exists == 1 else { return 0 }
        let version = try db.queryValue("SELECT coalesce(max(version), 0) FROM schema_migrations", as: Int64.self)
        return Int(version ?? 0)
    }

    /// The migrations `migrate` would apply, in order. Throws `MigrationError.databaseNewer`
    /// if the database is ahead of this binary.
    public func pendingMigrations(_ db: any Database) throws -> [Migration] {
        try validate()
        let current = try appliedVersion(db)
        try checkNotNewer(current)
        return migrations.filter { $0.version > current }
    }

    /// Applies every pending migration in order, each in its own transaction, and returns
    /// those applied (empty when already up to date).
    ///
    /// Runs on a connection outside any transaction (`SQLiteStore.migrate` arranges that). A
    /// migration that must toggle `PRAGMA foreign_keys` cannot do so inside its transaction;
    /// such table rebuilds keep foreign keys on and are checked by `foreign_key_check` instead
    /// (when the migration wrote rows: one that only changes indexes cannot leave any dangling).
    @discardableResult
    public func migrate(_ db: Connection) throws -> [Migration] {
        try validate()
        try db.execute(Self.createTableSQL)
        try checkNotNewer(try appliedVersion(db))
        var applied: [Migration] = []
        for migration in migrations {
            let didApply = try db.transaction(kind: .immediate) { () throws -> Bool in
                // Re-read inside the write lock: another process may have migrated meanwhile.
                let current = try appliedVersion(db)
                try checkNotNewer(current)
                guard migration.version > current else { return false }
                let changesBefore = db.totalChanges
                do {
                    try db.execute(migration.sql)
                } catch {
                    throw MigrationError.failed(version: migration.version, name: migration.name, underlying: error)
                }
                // Only rows the migration wrote (a table rebuild's copy, a backfill) can point
                // nowhere; a migration that only adds or drops indexes skips the check, which reads
                // every table: 28 s on a 20 GB store in the page cache, minutes when it is not.
                if db.totalChanges != changesBefore {
                    let violations = try db.query("PRAGMA foreign_key_check") { _ in () }.count
                    guard violations == 0 else {
                        throw MigrationError.foreignKeyViolations(version: migration.version, name: migration.name, count: violations)
                    }
                }
                try db.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [migration.version, migration.name, unixMilliseconds()])
                return true
            }
            if didApply { applied.append(migration) }
        }
        return applied
    }

    /// Applies every pending migration to a PostgreSQL database, each in its own transaction
    /// with its record; returns those applied.
    ///
    /// Several nodes may start at once: each migration's transaction first takes an exclusive
    /// lock on `schema_migrations` and re-reads the version under it, so exactly one node
    /// applies each migration and the others see it done. PostgreSQL checks foreign keys as
    /// rows change, so there is no separate check.
    @discardableResult
    public func migrate(_ db: PostgresConnection) throws -> [Migration] {
        try validate()
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
        try checkNotNewer(try appliedVersion(db))
        var applied: [Migration] = []
        for migration in migrations {
            try db.execute("BEGIN")
            do {
                try db.execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")
                let current = try appliedVersion(db)
                try checkNotNewer(current)
                guard migration.version > current else {
                    try db.execute("COMMIT")
                    continue
                }
                do {
                    try db.execute(migration.sql)
                } catch {
                    throw MigrationError.failed(version: migration.version, name: migration.name, underlying: error)
                }
                try db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                               binding: migration.version, migration.name, unixMilliseconds())
                try db.execute("COMMIT")
                applied.append(migration)
            } catch {
                _ = try? db.execute("ROLLBACK")
                throw error
            }
        }
        return applied
    }

    /// Applies pending migrations on a plain connection of either engine (outside any
    /// transaction): for tools that hold a connection rather than a store (`bahi copy`).
    @discardableResult
    public func migrate(connection db: any Database) throws -> [Migration] {
        switch db {
        case let sqlite as Connection: try migrate(sqlite)
        case let postgres as PostgresConnection: try migrate(postgres)
        default: throw MigrationError.invalidMigrations("no migrator for a \(db.dialect) connection of type \(type(of: db))")
        }
    }

    private func checkNotNewer(_ current: Int) throws {
        if current > latestVersion {
            throw MigrationError.databaseNewer(databaseVersion: current, knownVersion: latestVersion, application: applicationName)
        }
    }

    private func validate() throws {
        var previous = 0
        for migration in migrations {
            guard migration.version > 0 else {
                throw MigrationError.invalidMigrations("version \(migration.version) (\(migration.name)) must be positive")
            }
            guard migration.version != previous else {
                throw MigrationError.invalidMigrations("version \(migration.version) appears more than once")
            }
            previous = migration.version
        }
    }
}
