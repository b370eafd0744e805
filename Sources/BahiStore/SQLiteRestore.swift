import CSQLite
import Foundation

/// Puts a backup (an SQLite file made by `SQLiteStore.backup`) in place of a database, so
/// that at every instant the database path holds either the old database, whole, or the
/// checked copy of the backup, whole.
///
/// The backup is copied page by page (SQLite's backup API, which reads only a real SQLite
/// file) into `PATH.restoring` beside the target, switched to WAL, checked there
/// (`PRAGMA integrity_check`, then the caller's `validate`) and fsynced; only then is the old
/// database checkpointed (its WAL emptied into it), kept under another name by a hard link,
/// its `-wal` and `-shm` removed — a stale WAL must never meet the new file — and the copy
/// renamed over it, the folder fsynced. A failure before the rename leaves the old database
/// untouched. The caller makes sure no process has the database open (`DatabaseFileLock`).
public enum SQLiteRestore {
    /// What a restore did.
    public struct Report: Sendable, Equatable {
        /// The restored database's size.
        public var bytes: Int64
        /// Where the database it replaced is kept (nil if there was none).
        public var previous: String?
    }

    /// Why a backup was refused or could not be put in place.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The backup file cannot be read.
        case unreadable(String)
        /// The file is not an SQLite database, or SQLite cannot read all of it.
        case notSQLite(String)
        /// `PRAGMA integrity_check` found problems (its first lines).
        case corrupt([String])
        /// `validate` refused it.
        case rejected(String)
        /// Copying, syncing or renaming failed; the old database is untouched.
        case io(String)

        public var description: String {
            switch self {
            case .unreadable(let why): return "cannot read the backup: \(why)"
            case .notSQLite(let why): return "the backup is not a readable SQLite database: \(why)"
            case .corrupt(let problems): return "the backup fails SQLite's integrity check: \(problems.joined(separator: "; "))"
            case .rejected(let why): return why
            case .io(let why): return "the restore failed and the database was left as it was: \(why)"
            }
        }
    }

    /// Replaces the database at `target` with the one in `backup`. `validate` sees the copy
    /// before it is put in place (a connection to it) and throws a `Failure` to refuse it.
    /// The database it replaces is kept as `TARGET.replaced-<stamp>`.
    public static func restore(
        backup: String, to target: String, stamp: String, validate: (any Database) throws(Failure) -> Void
    ) throws(Failure) -> Report {
        var info = stat()
        guard stat(backup, &info) == 0 else { throw .unreadable("\(backup): \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .unreadable("\(backup) is not a regular file") }
        guard access(backup, R_OK) == 0 else { throw .unreadable("\(backup): \(String(cString: strerror(errno)))") }

        let copy = target + ".restoring"
        let sidecars = { (path: String) in [path + "-wal", path + "-shm", path + "-journal"] }
        func removeCopy() { for path in [copy] + sidecars(copy) { unlink(path) } }
        removeCopy()
        do {
            // Read-only and immutable: reading the backup never writes beside it.
            let uri = "file:" + backup.map { "%?#".contains($0) ? "%" + String($0.asciiValue ?? 0, radix: 16) : String($0) }.joined() + "?immutable=1"
            let source = try Connection(openingPath: uri, flags: SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, mode: .readOnly)
            try OnlineBackup.copyPages(from: source, named: backup, to: copy)
        } catch let error as StoreError {
            removeCopy()
            throw .notSQLite(error.message)
        } catch {
            removeCopy()
            throw .notSQLite("\(error)")
        }
        do {
            try check(copy, validate: validate)
            try OnlineBackup.syncFile(copy)
        } catch let failure as Failure {
            removeCopy()
            throw failure
        } catch {
            removeCopy()
            throw .io("\(error)")
        }

        var previous: String?
        if access(target, F_OK) == 0 {
            // Empty the old database's WAL into it first, so the file kept aside is whole and
            // removing the WAL loses nothing. A database too damaged to checkpoint is kept as
            // it is, WAL beside it.
            let checkpointed = (try? checkpoint(target)) != nil
            let kept = target + ".replaced-" + stamp
            guard link(target, kept) == 0 else {
                let why = String(cString: strerror(errno))
                removeCopy()
                throw .io("cannot keep the old database as \(kept): \(why)")
            }
            previous = kept
            for sidecar in sidecars(target) {
                if !checkpointed, sidecar.hasSuffix("-wal"), access(sidecar, F_OK) == 0 { _ = link(sidecar, kept + "-wal") }
                unlink(sidecar)
            }
        }
        guard rename(copy, target) == 0 else {
            let why = String(cString: strerror(errno))
            removeCopy()
            throw .io("cannot rename \(copy) to \(target): \(why)")
        }
        removeCopy()
        do {
            try OnlineBackup.syncFile(OnlineBackup.directory(of: target))
        } catch {
            throw .io("\(error)")
        }
        guard stat(target, &info) == 0 else { throw .io("cannot stat \(target): \(String(cString: strerror(errno)))") }
        return Report(bytes: Int64(info.st_size), previous: previous)
    }

    /// Switches the copy to WAL (as every Bahi database is), runs the integrity check and
    /// the caller's validation on it.
    private static func check(_ path: String, validate: (any Database) throws(Failure) -> Void) throws(Failure) {
        let db: Connection
        do {
            db = try Connection(openingPath: path, flags: SQLITE_OPEN_READWRITE, mode: .readWrite)
            let journal: String? = try db.queryValue("PRAGMA journal_mode=WAL")
            guard journal?.lowercased() == "wal" else { throw Failure.io("cannot switch \(path) to WAL (journal_mode is \(journal ?? "unknown"))") }
            let problems = try db.query("PRAGMA integrity_check(20)") { row in try row[0] as String }
            guard problems == ["ok"] else { throw Failure.corrupt(problems) }
        } catch let failure as Failure {
            throw failure
        } catch let error as StoreError {
            throw .notSQLite(error.message)
        } catch {
            throw .notSQLite("\(error)")
        }
        defer { db.close() }
        try validate(db)
    }

    /// `PRAGMA wal_checkpoint(TRUNCATE)` on the database at `path`.
    private static func checkpoint(_ path: String) throws {
        let db = try Connection(openingPath: path, flags: SQLITE_OPEN_READWRITE, mode: .readWrite)
        defer { db.close() }
        let busy: Int64? = try db.queryValue("PRAGMA wal_checkpoint(TRUNCATE)")
        guard busy == 0 else { throw StoreError(extendedCode: ResultCode.busy, message: "checkpoint of \(path) was blocked") }
    }
}
