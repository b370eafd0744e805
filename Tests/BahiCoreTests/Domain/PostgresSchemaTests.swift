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
}
