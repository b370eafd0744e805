import Foundation
import Testing
import BahiStore
import BahiCore

/// The PostgreSQL schema: generated from the SQLite one, applied by the PostgreSQL migrator.
@Suite struct PostgresSchemaTests {
    /// `schema.postgres.sql` and `PostgresSchema.swift` are what the generator makes of
    /// `schema.sql` today: a schema change on SQLite without regenerating fails here.
    @Test func generatedSchemaIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/postgres-schema.py").path, "--check"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "run python3 scripts/postgres-schema.py and commit its output")
    }

    @Test func migrationsApplyOnceAndRecordTheirVersion() async throws {
        try await onEveryStore { store in
            guard store.dialect == .postgres else { return }
            let tables = try await store.read { db in
                try db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name", []) { row in
                    try row["table_name"] as String
                }
            }
            #expect(tables.contains("orders") && tables.contains("stock_levels") && tables.contains("events"))
            #expect(try await store.read { db in try BahiSchema.postgresMigrator.appliedVersion(db) } == BahiSchema.postgresMigrator.latestVersion)
            // Applying again changes nothing.
            let again = try await ((store as? SequencedStore)?.base ?? store as? PostgresStore)?.migrate(BahiSchema.postgresMigrator)
            #expect(again?.isEmpty == true)
        }
    }

    /// The migrations (migration 1 frozen, later ones from the marked parts of schema.sql) lead to exactly
    /// `schema.postgres.sql`: the same tables, columns, indexes and constraints.
    @Test func migrationsLeadToTheReadableSchema() async throws {
        guard let conninfo = DomainStores.postgresConninfo else {
            if ProcessInfo.processInfo.environment["BAHI_REQUIRE_POSTGRES"] != nil { throw PostgresMissing() }
            return
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let schema = try String(contentsOf: root.appendingPathComponent("schema.postgres.sql"), encoding: .utf8)
        let admin = try PostgresConnection(conninfo: conninfo)
        let suffix = UInt64.random(in: 0...UInt64.max)
        let names = ["bahi_schema_migrated_\(suffix)", "bahi_schema_file_\(suffix)"]
        for name in names { try admin.execute("CREATE DATABASE \(name)") }
        defer { for name in names { try? admin.execute("DROP DATABASE \(name) WITH (FORCE)") } }
        func describe(_ db: PostgresConnection) throws -> [String] {
            let columns = try db.query("""
                SELECT table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable || ' default=' || COALESCE(column_default, '') AS d
                FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position
                """, []) { row in try row["d"] as String }
            let indexes = try db.query("SELECT indexdef AS d FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname", []) { row in
                try row["d"] as String
            }
            let constraints = try db.query("""
                SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d FROM pg_constraint
                WHERE connamespace = current_schema()::regnamespace ORDER BY conrelid::regclass::text, conname
                """, []) { row in try row["d"] as String }
            return columns + indexes + constraints
        }
        let migrated = try PostgresConnection(conninfo: DomainStores.conninfo(conninfo, database: names[0]))
        try BahiSchema.postgresMigrator.migrate(migrated)
        let fromFile = try PostgresConnection(conninfo: DomainStores.conninfo(conninfo, database: names[1]))
        try fromFile.execute(schema)
        let a = try describe(migrated), b = try describe(fromFile)
        #expect(a == b, "\(a.difference(from: b))")
        #expect(a.contains { $0.hasPrefix("api_keys.rate_limit_per_second bigint") })
        // The name index has no pending list for every search to read (PostgreSQL migrations
        // 19 and 20), and its terms are generated from the names and the creation time (20).
        #expect(a.contains { $0.contains("order_search_terms") && $0.contains("fastupdate=off") }, "\(a.filter { $0.contains("order_search_terms") })")
        #expect(!a.contains { $0.contains("order_search_names") })
    }
}
