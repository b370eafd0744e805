import Foundation
import BahiStore
import BahiCore

/// The stores the domain-level suite runs on. Each test body takes `any DataStore` and never
/// names an engine, so the same suite proves the records and flows on SQLite and PostgreSQL.
enum DomainStores {
    /// A fresh, migrated SQLite store in a temporary folder, closed and removed after `body`.
    static func sqlite<T>(_ body: (any DataStore) async throws -> T) async throws -> T {
        var template = Array("/tmp/bahi-domain-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw POSIXError(.EIO) }
        let directory = String(cString: created)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteStore(path: directory + "/bahi.db")
        return try await using(store, migrate: { try await store.migrate(BahiSchema.migrator) }, body)
    }

    /// Migrates `store`, runs `body` on it, and closes it whether or not either threw.
    private static func using<T>(_ store: any DataStore, migrate: () async throws -> Void, _ body: (any DataStore) async throws -> T) async throws -> T {
        do {
            try await migrate()
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// The throwaway cluster's connection string (`scripts/postgres-test-server.sh`; the
    /// README's test command and CI set it), or nil when the run has no PostgreSQL.
    static var postgresConninfo: String? { ProcessInfo.processInfo.environment["BAHI_TEST_POSTGRES"] }

    /// A fresh database on the test cluster, migrated with the PostgreSQL migrations, dropped
    /// after `body`.
    static func postgres<T>(_ conninfo: String, _ body: (any DataStore) async throws -> T) async throws -> T {
        try await postgresDatabase(conninfo) { store, _ in try await body(store) }
    }

    /// A fresh, migrated PostgreSQL database, with the conninfo that reaches it (for tests
    /// that drive raw connections beside the store).
    static func postgresDatabase<T>(_ conninfo: String, _ body: (any DataStore, String) async throws -> T) async throws -> T {
        let name = "bahi_domain_\(UInt64.random(in: 0...UInt64.max))"
        let admin = try PostgresConnection(conninfo: conninfo)
        try admin.execute("CREATE DATABASE \(name)")
        defer { try? admin.execute("DROP DATABASE \(name) WITH (FORCE)") }
        let database = Self.conninfo(conninfo, database: name)
        let postgres = try await PostgresStore(configuration: .init(conninfo: database, poolSize: 4))
        return try await using(SequencedStore(postgres), migrate: { try await postgres.migrate(BahiSchema.postgresMigrator) }) { store in
            try await body(store, database)
        }
    }

    /// `conninfo` with its `dbname=` replaced.
    static func conninfo(_ conninfo: String, database: String) -> String {
        conninfo.split(separator: " ").map { $0.hasPrefix("dbname=") ? "dbname=\(database)" : String($0) }.joined(separator: " ")
    }
}

/// Runs `body` against every store the suite covers: SQLite always, PostgreSQL whenever the
/// run has a test cluster (always in CI).
func onEveryStore(_ body: (any DataStore) async throws -> Void) async throws {
    try await DomainStores.sqlite(body)
    if let conninfo = DomainStores.postgresConninfo {
        try await DomainStores.postgres(conninfo, body)
    } else if ProcessInfo.processInfo.environment["BAHI_REQUIRE_POSTGRES"] != nil {
        throw PostgresMissing()
    }
}

/// The run was told PostgreSQL is required (the README's test command, CI) but has none.
/// Runs `body` on a fresh PostgreSQL database (with its conninfo) when the test cluster is
/// given; without it, does nothing, or fails when BAHI_REQUIRE_POSTGRES is set.
func onPostgres(_ body: (any DataStore, String) async throws -> Void) async throws {
    if let conninfo = DomainStores.postgresConninfo {
        try await DomainStores.postgresDatabase(conninfo, body)
    } else if ProcessInfo.processInfo.environment["BAHI_REQUIRE_POSTGRES"] != nil {
        throw PostgresMissing()
    }
}

/// Two transactions at once on PostgreSQL, as two nodes would run them, each on a connection
/// of its own: `first` runs and stays open while `second` runs on another thread (a connection
/// stays on one) until it waits for a lock; then `first` commits and `second` finishes and
/// commits. True when `second` was seen waiting for a lock (within five seconds).
func overlapOnPostgres(_ store: any DataStore, conninfo: String, first: (any Database) throws -> Void,
                       second: @escaping @Sendable (any Database) throws -> Void) async throws -> Bool {
    let a = try PostgresConnection(conninfo: conninfo)
    try a.execute("BEGIN")
    try first(a)
    // `second` blocks in libpq waiting for the lock, so it runs on a thread of its own, never
    // on the cooperative pool: on two cores that pool has two threads, and two tests waiting
    // so at once held both while the tasks that would commit their `first` waited for one (a
    // deadlock seen in CI).
    let other = Task {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                do {
                    let b = try PostgresConnection(conninfo: conninfo)
                    try b.execute("BEGIN")
                    try second(b)
                    try b.execute("COMMIT")
                    done.resume()
                } catch {
                    done.resume(throwing: error)
                }
            }
        }
    }
    var waiting = false
    for _ in 0..<250 where !waiting {
        try await Task.sleep(for: .milliseconds(20))
        waiting = try await store.read { db in
            try db.queryFirst("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                              StatementArguments([])) { row in try row["n"] as Int64 } ?? 0
        } > 0
    }
    try a.execute("COMMIT")
    try await other.value
    return waiting
}

struct PostgresMissing: Error, CustomStringConvertible {
    var description: String { "BAHI_TEST_POSTGRES is not set: start the cluster with scripts/postgres-test-server.sh" }
}

/// A PostgreSQL store that numbers committed events after every write, as a serving node's
/// sequencer does moments later: lets a domain test read the feed right after a write.
final class SequencedStore: DataStore {
    let base: PostgresStore
    init(_ base: PostgresStore) { self.base = base }

    var dialect: SQLDialect { base.dialect }

    func write<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        try await write(rerunnable: false, body)
    }

    func write<T: Sendable>(rerunnable: Bool, _ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        let value = try await base.write(rerunnable: rerunnable, body)
        try await base.write { db in _ = try EventLog.numberPending(db) }
        return value
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        try await base.read(body)
    }

    func writeAlone<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        try await base.writeAlone(body)
    }

    func migrate(_ migrator: Migrator) async throws -> [Migration] {
        try await base.migrate(migrator)
    }

    func close() async { await base.close() }
}

/// Inside a write transaction on PostgreSQL, numbers the transaction's own events so a test
/// can list them before it commits; elsewhere it changes nothing (SQLite numbers at insert,
/// and a read-only snapshot refuses the update, undone by the savepoint).
func numberOwnEvents(_ db: any Database) {
    _ = try? db.savepoint("number_own_events") { try EventLog.numberPending(db) }
}
