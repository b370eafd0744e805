import CSQLite

/// Facts about the linked SQLite library. The store proper (connections, the group-commit
/// writer, migrations) arrives with the store issue; this proves the system library target
/// links and lets `bahi version` report what it runs on.
public enum SQLiteLibrary {
    /// The SQLite version string, e.g. `3.40.1`.
    public static var version: String { String(cString: sqlite3_libversion()) }

    /// True if the library was built thread-safe (required: the store uses several
    /// connections from several threads).
    public static var isThreadSafe: Bool { sqlite3_threadsafe() != 0 }

    /// Turns off SQLite's memory-usage statistics before the library initializes, once per
    /// process. Why: with statistics on, every `sqlite3_malloc`/`sqlite3_free` takes a global
    /// mutex — about 2.5 % of the writer thread's time under the holds benchmark — and Bahi
    /// never reads those statistics. Called by `Connection` before opening; idempotent.
    static let configured: Void = {
        _ = bahi_sqlite3_disable_memstatus()
    }()
}
