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
        let name = "bahi_domain_\(UInt64.random(in: 0...UInt64.max))"
        let admin = try PostgresConnection(conninfo: conninfo)
        try admin.execute("CREATE DATABASE \(name)")
        defer { try? admin.execute("DROP DATABASE \(name) WITH (FORCE)") }
        let store = try await PostgresStore(configuration: .init(conninfo: Self.conninfo(conninfo, database: name), poolSize: 4))
        return try await using(store, migrate: { try await store.migrate(BahiSchema.postgresMigrator) }, body)
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
struct PostgresMissing: Error, CustomStringConvertible {
    var description: String { "BAHI_TEST_POSTGRES is not set: start the cluster with scripts/postgres-test-server.sh" }
}
