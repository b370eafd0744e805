import Testing
import BahiStore

@Suite struct MigratorTests {
    static let first = Migration(version: 1, name: "create_items", sql: """
        CREATE TABLE items (code TEXT PRIMARY KEY, title TEXT NOT NULL) STRICT;
        """)
    static let second = Migration(version: 2, name: "item_counts", sql: """
        CREATE TABLE counts (code TEXT NOT NULL REFERENCES items (code), n INTEGER NOT NULL) STRICT;
        INSERT INTO items VALUES ('seed', 'Seeded by migration 2');
        """)
    static let third = Migration(version: 3, name: "index_counts", sql: "CREATE INDEX counts_code ON counts (code)")

    private func withDatabase<T>(_ body: (String) async throws -> T) async throws -> T {
        try await withTemporaryDirectory { directory in try await body(directory + "/m.sqlite") }
    }

    @Test func appliesInOrderRecordsAndIsIdempotent() async throws {
        try await withDatabase { path in
            let db = try Connection(path: path)
            defer { db.close() }
            // Declared out of order: applied by version.
            let migrator = Migrator([Self.second, Self.first])
            #expect(migrator.latestVersion == 2)
            #expect(try migrator.appliedVersion(db) == 0)
            #expect(try migrator.pendingMigrations(db).map(\.version) == [1, 2])

            let applied = try migrator.migrate(db)
            #expect(applied.map(\.version) == [1, 2])
            #expect(try migrator.appliedVersion(db) == 2)
            #expect(try migrator.pendingMigrations(db).isEmpty)
            let recorded = try db.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version") { row in
                (try row[0] as Int, try row[1] as String, try row[2] as Int64)
            }
            #expect(recorded.map(\.0) == [1, 2])
            #expect(recorded.map(\.1) == ["create_items", "item_counts"])
            #expect(recorded.allSatisfy { $0.2 > 1_700_000_000_000 }, "applied_at is Unix milliseconds")
            #expect(try db.queryValue("SELECT title FROM items WHERE code = 'seed'", as: String.self) == "Seeded by migration 2")

            #expect(try migrator.migrate(db).isEmpty, "rerun applies nothing")
            #expect(try db.queryValue("SELECT count(*) FROM items", as: Int64.self) == 1, "rerun did not replay SQL")

            let newer = Migrator([Self.first, Self.second, Self.third])
            #expect(try newer.pendingMigrations(db).map(\.name) == ["index_counts"])
            #expect(try newer.migrate(db).map(\.version) == [3])
            #expect(try newer.appliedVersion(db) == 3)
        }
    }

    @Test func refusesADatabaseNewerThanTheBinary() async throws {
        try await withDatabase { path in
            let db = try Connection(path: path)
            defer { db.close() }
            try Migrator([Self.first, Self.second, Self.third]).migrate(db)
            try db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (7, 'from_the_future', 0)", [])

            let old = Migrator([Self.first, Self.second, Self.third, Migration(version: 5, name: "five", sql: "SELECT 1")])
            let error = #expect(throws: MigrationError.self) { try old.migrate(db) }
            #expect(error?.description == "database schema version 7 is newer than this bahi (knows up to 5); upgrade bahi")
            #expect(throws: MigrationError.self) { try old.pendingMigrations(db) }
            #expect(try old.appliedVersion(db) == 7)
        }
    }

    @Test func aFailingMigrationLeavesTheDatabaseAtThePreviousVersion() async throws {
        try await withDatabase { path in
            let db = try Connection(path: path)
            defer { db.close() }
            let broken = Migration(version: 2, name: "broken", sql: """
                CREATE TABLE half (x INTEGER) STRICT;
                INSERT INTO no_such_table VALUES (1);
                """)
            let error = #expect(throws: MigrationError.self) { try Migrator([Self.first, broken]).migrate(db) }
            #expect(error?.description.contains("migration 2 (broken) failed") == true)
            #expect(error?.description.contains("no such table: no_such_table") == true)
            #expect(try Migrator([Self.first]).appliedVersion(db) == 1, "migration 1 stays applied")
            #expect(try db.queryValue("SELECT count(*) FROM sqlite_schema WHERE name = 'half'", as: Int64.self) == 0)

            let dangling = Migration(version: 2, name: "dangling", sql: """
                CREATE TABLE refs (code TEXT REFERENCES items (code)) STRICT;
                PRAGMA defer_foreign_keys = ON;
                INSERT INTO refs VALUES ('nowhere');
                """)
            let fkError = #expect(throws: MigrationError.self) { try Migrator([Self.first, dangling]).migrate(db) }
            #expect(fkError?.description == "migration 2 (dangling) left 1 foreign key violation(s) and was rolled back")
            #expect(try db.queryValue("SELECT count(*) FROM sqlite_schema WHERE name = 'refs'", as: Int64.self) == 0)
            #expect(try Migrator([Self.first]).appliedVersion(db) == 1)
        }
    }

    /// A migration that writes no rows (an index) does not run the foreign key check, which
    /// reads every table: a dangling row left from before does not stop it. One that writes
    /// rows is still checked, and the same old row then stops it.
    @Test func onlyAMigrationThatWritesRowsIsCheckedForDanglingKeys() async throws {
        try await withDatabase { path in
            let db = try Connection(path: path)
            defer { db.close() }
            let refs = Migration(version: 2, name: "refs", sql: "CREATE TABLE refs (code TEXT REFERENCES items (code)) STRICT;")
            try Migrator([Self.first, refs]).migrate(db)
            try db.execute("PRAGMA foreign_keys = OFF")
            try db.execute("INSERT INTO refs VALUES ('nowhere')")
            try db.execute("PRAGMA foreign_keys = ON")
            let index = Migration(version: 3, name: "index", sql: "CREATE INDEX refs_code ON refs (code);")
            #expect(try Migrator([Self.first, refs, index]).migrate(db).map(\.version) == [3])
            let backfill = Migration(version: 4, name: "backfill", sql: "CREATE TABLE more (x INTEGER) STRICT; INSERT INTO more VALUES (1);")
            let error = #expect(throws: MigrationError.self) { try Migrator([Self.first, refs, index, backfill]).migrate(db) }
            #expect(error?.description == "migration 4 (backfill) left 1 foreign key violation(s) and was rolled back")
            #expect(try Migrator([Self.first, refs, index]).appliedVersion(db) == 3)
        }
    }

    @Test func rejectsDuplicateVersions() async throws {
        try await withDatabase { path in
            let db = try Connection(path: path)
            defer { db.close() }
            let error = #expect(throws: MigrationError.self) {
                try Migrator([Self.first, Migration(version: 1, name: "again", sql: "SELECT 1")]).migrate(db)
            }
            #expect(error?.description.contains("more than once") == true)
        }
    }

    @Test func storeMigratesOnTheWriterAndReadersSeeTheVersion() async throws {
        try await withStore { store, _ async throws in
            let migrator = Migrator([Self.first, Self.second])
            #expect(try await store.migrate(migrator).count == 2)
            #expect(try await store.migrate(migrator).isEmpty)
            #expect(try await store.read { try migrator.appliedVersion($0) } == 2)
            #expect(try await store.read { try migrator.pendingMigrations($0) }.isEmpty)
        }
    }
}
