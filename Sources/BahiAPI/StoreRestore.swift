public import BahiStore
import BahiCore
import BahiJSON

/// `bahi restore BACKUP --db PATH`: a backup made by `bahi backup` or `POST /v1/admin/backup`
/// put back in place of an SQLite database.
///
/// Refused unless nothing else of bahi has the database open (the exclusive
/// `DatabaseFileLock`; `bahi serve` holds it shared for its whole life), unless the backup
/// passes SQLite's integrity check, and unless it is a Bahi database at a schema version this
/// bahi knows (an older one is fine: `bahi serve` or `bahi migrate` brings it forward). The
/// swap itself is `SQLiteRestore`'s: the path holds the old database or the new one, never
/// half of either. PostgreSQL is restored with its own tools.
public enum StoreRestore {
    /// What a restore did.
    public struct Report: Sendable, Equatable {
        public var backup: String
        public var target: String
        public var bytes: Int64
        /// The restored database's schema version.
        public var schemaVersion: Int
        /// Where the database it replaced is kept (nil if there was none).
        public var previous: String?
    }

    /// Why a restore was refused or failed, phrased for the person who asked.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Restores `backup` into the database at `location`.
    public static func run(backup: String, to location: DatabaseLocation, now: Int64) throws(Failure) -> Report {
        guard case .sqlite(let path) = location else {
            throw Failure(message: "bahi restore puts back an SQLite backup; a PostgreSQL database is restored with pg_restore "
                          + "(pg_restore --clean --if-exists --dbname=DBNAME bahi.dump, from pg_dump --format=custom)")
        }
        let lock: DatabaseFileLock
        do {
            lock = try DatabaseFileLock(databasePath: path, .exclusive)
        } catch {
            throw Failure(message: "refusing to restore over \(path): \(error)")
        }
        defer { withExtendedLifetime(lock) {} }
        var version = 0
        let latest = BahiSchema.migrator.latestVersion
        do {
            let stamp = Timestamps.rfc3339(milliseconds: now).filter { $0 != "-" && $0 != ":" && $0 != "." }
            let report = try SQLiteRestore.restore(backup: backup, to: path, stamp: stamp) { db throws(SQLiteRestore.Failure) in
                version = try schemaVersion(db, latest: latest)
            }
            return Report(backup: backup, target: path, bytes: report.bytes, schemaVersion: version, previous: report.previous)
        } catch {
            throw Failure(message: "refusing to restore \(backup): \(error)")
        }
    }

    /// The backup's schema version, if it is a Bahi database this bahi can serve.
    private static func schemaVersion(_ db: any Database, latest: Int) throws(SQLiteRestore.Failure) -> Int {
        let found: Int?
        do {
            found = try BahiSchema.sqliteVersion(of: db)
        } catch {
            throw .rejected("its schema cannot be read: \(error)")
        }
        guard let version = found else {
            throw .rejected("it is an SQLite database but not a Bahi one (no schema_migrations and api_keys tables)")
        }
        guard version >= 1 else { throw .rejected("it is not a Bahi database (no migration recorded in schema_migrations)") }
        guard version <= latest else {
            throw .rejected("it was made by a newer bahi (schema version \(version); this bahi knows up to \(latest)): restore it with that bahi")
        }
        return version
    }
}
