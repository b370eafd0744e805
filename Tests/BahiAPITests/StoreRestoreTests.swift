import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiStore

/// `bahi restore`: a backup put back after its checks, refused while the database is open
/// elsewhere, and refused when corrupt or not Bahi's. SQLite only: PostgreSQL has pg_restore.
@Suite(.serialized) struct StoreRestoreTests {
    /// Opens the database at `path`, migrated, runs `body` and closes it.
    func withStore<T>(_ path: String, _ body: (SQLiteStore) async throws -> T) async throws -> T {
        let store = try await SQLiteStore(path: path)
        do {
            try await BahiSchema.migrate(store)
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// A database at `path` with keys named `before`, backed up to `backup`, then keys named
    /// `after` added (in the WAL until a checkpoint).
    func seed(_ path: String, backup: String, before: [String], after: [String] = []) async throws {
        try await withStore(path) { store in
            let keys = APIKeyStore(store: store)
            for name in before { _ = try await keys.create(name: name, role: .admin, channel: nil, actor: "t") }
            _ = try await store.backup(to: backup)
            for name in after { _ = try await keys.create(name: name, role: .admin, channel: nil, actor: "t") }
        }
    }

    func keyNames(_ path: String) async throws -> [String] {
        try await withStore(path) { store in try await APIKeyStore(store: store).list().map(\.name).sorted() }
    }

    func failure(_ backup: String, _ path: String) -> String? {
        do {
            _ = try StoreRestore.run(backup: backup, to: .sqlite(path: path), now: 1)
            return nil
        } catch let error as StoreRestore.Failure {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func roundTripBringsTheDataBack() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/bahi.db", backup = folder + "/backup.db"
            try await seed(path, backup: backup, before: ["before"], after: ["after"])
            #expect(try await keyNames(path) == ["after", "before"])
            let report = try StoreRestore.run(backup: backup, to: .sqlite(path: path), now: 42)
            #expect(report.schemaVersion == BahiSchema.migrator.latestVersion)
            #expect(report.previous == path + ".replaced-19700101T000000042Z")
            #expect(try await keyNames(path) == ["before"])
            // The database it replaced is kept whole (its WAL emptied into it first).
            #expect(try await keyNames(path + ".replaced-19700101T000000042Z") == ["after", "before"])
            // Nothing of the swap is left lying around, and the store opens and checks clean.
            #expect(!FileManager.default.fileExists(atPath: path + ".restoring"))
            let violations = try await withStore(path) { store in try await store.read { db in try InvariantRegistry.run(db) } }
            #expect(violations.allSatisfy { $0.violations.isEmpty })
            // Restoring into a path with no database yet works too.
            _ = try StoreRestore.run(backup: backup, to: .sqlite(path: folder + "/new.db"), now: 43)
            #expect(try await keyNames(folder + "/new.db") == ["before"])
        }
    }

    @Test func refusedWhileTheDatabaseIsOpenElsewhere() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/bahi.db", backup = folder + "/backup.db"
            try await seed(path, backup: backup, before: ["live"], after: ["newer"])
            // What bahi serve (and every bahi command) holds while it has the database open.
            var serving: DatabaseFileLock? = try DatabaseFileLock(databasePath: path, .shared)
            let message = try #require(failure(backup, path))
            #expect(message.contains("open in another bahi process"), "\(message)")
            #expect(message.contains("stop it first"))
            #expect(try await keyNames(path) == ["live", "newer"])
            // A restore in progress keeps a server from opening the file.
            serving = nil
            let restoring = try DatabaseFileLock(databasePath: path, .exclusive)
            do {
                _ = try DatabaseFileLock(databasePath: path, .shared)
                Issue.record("a server could open a database being restored")
            } catch let error as DatabaseFileLock.Failure {
                #expect(error == .held(lockPath: path + ".lock", wanted: .shared))
            }
            withExtendedLifetime(restoring) {}
            withExtendedLifetime(serving) {}
        }
    }

    @Test func corruptForeignAndNewerBackupsAreRefused() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/bahi.db", backup = folder + "/backup.db"
            try await seed(path, backup: backup, before: ["keep"])
            let good = try Data(contentsOf: URL(fileURLWithPath: backup))
            // Pages overwritten in the middle of the file.
            var damaged = good
            let pageSize = 4096
            #expect(damaged.count > 8 * pageSize)
            for i in (3 * pageSize)..<(6 * pageSize) { damaged[i] = UInt8(truncatingIfNeeded: i &* 131) }
            try damaged.write(to: URL(fileURLWithPath: folder + "/damaged.db"))
            let corrupt = try #require(failure(folder + "/damaged.db", path))
            #expect(corrupt.contains("integrity check") || corrupt.contains("not a readable SQLite database"), "\(corrupt)")
            // Not SQLite at all.
            try Data("name,qty\nTEE,4\n".utf8).write(to: URL(fileURLWithPath: folder + "/stock.csv"))
            #expect(try #require(failure(folder + "/stock.csv", path)).contains("not a readable SQLite database"))
            // Missing.
            #expect(try #require(failure(folder + "/nope.db", path)).contains("cannot read the backup"))
            // SQLite, but not Bahi's.
            let other = try Connection(path: folder + "/other.db")
            try other.execute("CREATE TABLE notes (body TEXT)")
            other.close()
            #expect(try #require(failure(folder + "/other.db", path)).contains("not a Bahi one"))
            // Made by a newer bahi.
            try good.write(to: URL(fileURLWithPath: folder + "/newer.db"))
            let newer = try Connection(path: folder + "/newer.db")
            _ = try newer.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)", [])
            newer.close()
            #expect(try #require(failure(folder + "/newer.db", path)).contains("newer bahi"))
            // PostgreSQL is pg_restore's.
            let url = try PostgresURL("postgres://bahi@localhost:5432/bahi")
            do {
                _ = try StoreRestore.run(backup: backup, to: .postgres(url), now: 1)
                Issue.record("restored onto PostgreSQL")
            } catch let error as StoreRestore.Failure {
                #expect(error.message.contains("pg_restore"))
            }
            // Every refusal left the database as it was, with no leftovers.
            #expect(try await keyNames(path) == ["keep"])
            #expect(!FileManager.default.fileExists(atPath: path + ".restoring"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".replaced-") || $0.hasSuffix(".restoring") } == [])
        }
    }
}
