import CSQLite

/// An error from SQLite, or from the store's own checks, with everything needed to act on it.
///
/// Why a single struct rather than an enum of cases: callers branch on a handful of classes
/// (constraint violated, busy, read-only) through the `is…` helpers, while logs and problem
/// responses need the exact extended code, SQLite's message and the SQL that failed. The SQL
/// is the statement text with `?`/`:name` placeholders, never the bound values, so an error
/// can be logged without leaking customer data or secrets.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The primary result code (the low 8 bits of `extendedCode`), e.g. 19 for
    /// `SQLITE_CONSTRAINT`: the stable, coarse class of the failure.
    public let code: Int32

    /// The extended result code, e.g. 2067 for `SQLITE_CONSTRAINT_UNIQUE`: tells a duplicate
    /// key from a foreign-key or CHECK failure without parsing the message.
    public let extendedCode: Int32

    /// SQLite's English message (`UNIQUE constraint failed: skus.code`) or the store's own.
    public let message: String

    /// The SQL text that failed, when there was one (placeholders only, no bound values).
    public let sql: String?

    /// PostgreSQL's SQLSTATE (`23505`, `40001`) when the error came from that store; nil for
    /// SQLite. `extendedCode` carries the equivalent SQLite class, so callers that ask
    /// `isUniqueViolation` or `isBusy` need not know which engine answered.
    public let sqlState: String?

    /// Creates an error from an extended (or primary) result code; the primary code is derived
    /// so the two can never disagree.
    public init(extendedCode: Int32, message: String, sql: String? = nil, sqlState: String? = nil) {
        self.code = extendedCode & 0xFF
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
        self.sqlState = sqlState
    }

    /// A PostgreSQL error from its SQLSTATE, classed as the SQLite code of the same meaning.
    static func postgres(sqlState: String, message: String, sql: String?) -> StoreError {
        let extended: Int32 = switch sqlState {
        case "23505": ResultCode.constraintUnique
        case "23503": ResultCode.constraintForeignKey
        case "23514": ResultCode.constraintCheck
        case "23502": ResultCode.constraintNotNull
        case _ where sqlState.hasPrefix("23"): ResultCode.constraint
        case "40001", "40P01", "55P03": ResultCode.busy
        case "25006": ResultCode.readOnly
        case "22P02", "22003", "42804": ResultCode.mismatch
        default: ResultCode.error
        }
        return StoreError(extendedCode: extended, message: message, sql: sql, sqlState: sqlState)
    }

    /// PostgreSQL refused the transaction because a concurrent one conflicted with it
    /// (serialization failure 40001, deadlock 40P01): running the whole transaction again is
    /// the documented remedy, and nothing of the failed attempt persisted.
    public var isRetryableConflict: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// Any constraint failed (UNIQUE, PRIMARY KEY, FOREIGN KEY, CHECK, NOT NULL, STRICT type,
    /// or a commit hook): the write was refused by the schema's rules, not by the machine.
    public var isConstraintViolation: Bool { code == ResultCode.constraint }

    /// A UNIQUE or PRIMARY KEY constraint failed: the row already exists. The usual way to turn
    /// a race between two creators into a clean 409 instead of a read-then-insert.
    public var isUniqueViolation: Bool {
        extendedCode == ResultCode.constraintUnique || extendedCode == ResultCode.constraintPrimaryKey
    }

    /// A FOREIGN KEY constraint failed: the write refers to a row that does not exist (or
    /// deletes one that is still referred to).
    public var isForeignKeyViolation: Bool { extendedCode == ResultCode.constraintForeignKey }

    /// A CHECK constraint failed: the schema's own invariant (e.g. a non-negative count) held.
    public var isCheckViolation: Bool { extendedCode == ResultCode.constraintCheck }

    /// A NOT NULL constraint failed.
    public var isNotNullViolation: Bool { extendedCode == ResultCode.constraintNotNull }

    /// The database was busy or locked past the busy timeout: a transient condition worth a
    /// retry or a 503, never a 4xx.
    public var isBusy: Bool { code == ResultCode.busy || code == ResultCode.locked }

    /// A write was attempted on a read-only connection (e.g. inside `SQLiteStore.read`).
    public var isReadOnly: Bool { code == ResultCode.readOnly }

    /// The API was used wrongly (closed store, a transaction opened inside `SQLiteStore.write`,
    /// a missing argument): a programming error, not a data problem.
    public var isMisuse: Bool { code == ResultCode.misuse || code == ResultCode.range || code == ResultCode.auth }

    /// The symbolic name of the extended code (`SQLITE_CONSTRAINT_UNIQUE`), for logs.
    public var codeName: String { ResultCode.name(of: extendedCode) }

    /// `SQLITE_CONSTRAINT_UNIQUE (2067): UNIQUE constraint failed: t.k; SQL: INSERT …`.
    public var description: String {
        var text = "\(codeName) (\(extendedCode)): \(message)"
        if let sqlState { text += " [SQLSTATE \(sqlState)]" }
        if let sql { text += "; SQL: \(sql)" }
        return text
    }

    /// The store was used wrongly (closed, nested transaction, …).
    static func misuse(_ message: String, sql: String? = nil) -> StoreError {
        StoreError(extendedCode: ResultCode.misuse, message: message, sql: sql)
    }

    /// The last error recorded on a connection handle, for a call that returned `rc`.
    static func from(_ rc: Int32, db: OpaquePointer?, sql: String?) -> StoreError {
        var extended = rc
        var message = String(cString: sqlite3_errstr(rc))
        if let db {
            let recorded = sqlite3_extended_errcode(db)
            // Only trust the handle's message if it describes this failure.
            if recorded & 0xFF == rc & 0xFF {
                extended = recorded
                message = String(cString: sqlite3_errmsg(db))
            }
        }
        return StoreError(extendedCode: extended, message: message, sql: sql)
    }
}

/// SQLite's result codes, defined by hand: the extended codes are C macros built from other
/// macros, which the Swift importer does not bring in.
enum ResultCode {
    static let ok: Int32 = 0
    static let error: Int32 = 1
    static let busy: Int32 = 5
    static let locked: Int32 = 6
    static let readOnly: Int32 = 8
    static let constraint: Int32 = 19
    static let mismatch: Int32 = 20
    static let misuse: Int32 = 21
    static let auth: Int32 = 23
    static let range: Int32 = 25
    static let row: Int32 = 100
    static let done: Int32 = 101

    static let constraintCheck: Int32 = constraint | (1 << 8)
    static let constraintCommitHook: Int32 = constraint | (2 << 8)
    static let constraintForeignKey: Int32 = constraint | (3 << 8)
    static let constraintNotNull: Int32 = constraint | (5 << 8)
    static let constraintPrimaryKey: Int32 = constraint | (6 << 8)
    static let constraintUnique: Int32 = constraint | (8 << 8)

    private static let primaryNames: [Int32: String] = [
        0: "SQLITE_OK", 1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT",
        5: "SQLITE_BUSY", 6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY",
        9: "SQLITE_INTERRUPT", 10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT", 12: "SQLITE_NOTFOUND",
        13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN", 15: "SQLITE_PROTOCOL", 16: "SQLITE_EMPTY",
        17: "SQLITE_SCHEMA", 18: "SQLITE_TOOBIG", 19: "SQLITE_CONSTRAINT", 20: "SQLITE_MISMATCH",
        21: "SQLITE_MISUSE", 22: "SQLITE_NOLFS", 23: "SQLITE_AUTH", 24: "SQLITE_FORMAT",
        25: "SQLITE_RANGE", 26: "SQLITE_NOTADB", 27: "SQLITE_NOTICE", 28: "SQLITE_WARNING",
        100: "SQLITE_ROW", 101: "SQLITE_DONE",
    ]

    private static let extendedNames: [Int32: String] = [
        constraintCheck: "SQLITE_CONSTRAINT_CHECK",
        constraintCommitHook: "SQLITE_CONSTRAINT_COMMITHOOK",
        constraintForeignKey: "SQLITE_CONSTRAINT_FOREIGNKEY",
        constraint | (4 << 8): "SQLITE_CONSTRAINT_FUNCTION",
        constraintNotNull: "SQLITE_CONSTRAINT_NOTNULL",
        constraintPrimaryKey: "SQLITE_CONSTRAINT_PRIMARYKEY",
        constraint | (7 << 8): "SQLITE_CONSTRAINT_TRIGGER",
        constraintUnique: "SQLITE_CONSTRAINT_UNIQUE",
        constraint | (10 << 8): "SQLITE_CONSTRAINT_ROWID",
        constraint | (12 << 8): "SQLITE_CONSTRAINT_DATATYPE",
        busy | (1 << 8): "SQLITE_BUSY_RECOVERY",
        busy | (2 << 8): "SQLITE_BUSY_SNAPSHOT",
        busy | (3 << 8): "SQLITE_BUSY_TIMEOUT",
        locked | (1 << 8): "SQLITE_LOCKED_SHAREDCACHE",
        readOnly | (1 << 8): "SQLITE_READONLY_RECOVERY",
        readOnly | (2 << 8): "SQLITE_READONLY_CANTLOCK",
        readOnly | (3 << 8): "SQLITE_READONLY_ROLLBACK",
        readOnly | (4 << 8): "SQLITE_READONLY_DBMOVED",
        4 | (2 << 8): "SQLITE_ABORT_ROLLBACK",
        10 | (4 << 8): "SQLITE_IOERR_FSYNC",
        10 | (3 << 8): "SQLITE_IOERR_WRITE",
        10 | (1 << 8): "SQLITE_IOERR_READ",
        11 | (1 << 8): "SQLITE_CORRUPT_VTAB",
        14 | (1 << 8): "SQLITE_CANTOPEN_NOTEMPDIR",
        14 | (2 << 8): "SQLITE_CANTOPEN_ISDIR",
    ]

    /// The symbolic name of a result code; unknown extended codes show their primary class.
    static func name(of code: Int32) -> String {
        if let name = extendedNames[code] { return name }
        let primary = primaryNames[code & 0xFF] ?? "SQLITE_\(code & 0xFF)"
        return code > 0xFF ? "\(primary)+\(code >> 8)" : primary
    }
}
