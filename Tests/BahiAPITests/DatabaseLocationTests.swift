import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore
#if canImport(Glibc)
import Glibc
#endif

/// Choosing the store: `--db`, `BAHI_DB` and `database.url` name it (flag > environment >
/// file > default), a mistake is one line naming what to fix, and no message ever carries
/// the password.
@Suite struct DatabaseLocationTests {
    func file(_ text: String) -> (path: String, contents: [UInt8]) { ("bahi.json", Array(text.utf8)) }

    func location(file text: String? = nil, environment: [String: String] = [:], db: String? = nil) throws -> DatabaseLocation {
        let config = try ConfigurationLoader.load(file: text.map(file), environment: environment,
                                                  flags: db.map { [ConfigurationLoader.databaseChoice.path: $0] } ?? [:])
        return try DatabaseLocation(config.database)
    }

    @Test func theHighestLevelNamingTheDatabaseDecides() throws {
        let pg = "postgres://bahi:s3cret@db.example.in:5433/shop"
        #expect(try location() == .sqlite(path: "./bahi-data/bahi.db"))
        // The file's URL makes it PostgreSQL; database.path alone stays SQLite.
        #expect(try location(file: #"{"database": {"url": "\#(pg)"}}"#) == .postgres(try PostgresURL(pg)))
        #expect(try location(file: #"{"database": {"path": "/srv/a.db"}}"#) == .sqlite(path: "/srv/a.db"))
        // BAHI_DB over the file, either way round.
        #expect(try location(file: #"{"database": {"url": "\#(pg)"}}"#, environment: ["BAHI_DB": "/srv/b.db"]) == .sqlite(path: "/srv/b.db"))
        #expect(try location(file: #"{"database": {"path": "/srv/a.db"}}"#, environment: ["BAHI_DB": pg]) == .postgres(try PostgresURL(pg)))
        #expect(try location(environment: ["BAHI_DATABASE_URL": pg]) == .postgres(try PostgresURL(pg)))
        // --db over both.
        #expect(try location(file: #"{"database": {"url": "\#(pg)"}}"#, environment: ["BAHI_DB": pg], db: "/srv/c.db") == .sqlite(path: "/srv/c.db"))
        let other = "postgresql://other@10.0.0.5/bahi?sslmode=require"
        #expect(try location(environment: ["BAHI_DB": "/srv/b.db"], db: other) == .postgres(try PostgresURL(other)))
        // Printing a location never shows the password.
        #expect("\(try location(db: pg))" == "postgres://bahi:***@db.example.in:5433/shop")
    }

    @Test func aBadURLIsOneLineNamingThePartAndNeverThePassword() {
        func message(file text: String? = nil, environment: [String: String] = [:], db: String? = nil) -> String {
            do {
                _ = try location(file: text, environment: environment, db: db)
                return ""
            } catch {
                return "\(error)"
            }
        }
        let badPort = message(db: "postgres://bahi:hunter2@db:99999/shop")
        #expect(badPort.hasPrefix("--db: ") && badPort.contains("port") && !badPort.contains("hunter2") && !badPort.contains("\n"))
        let noDatabase = message(environment: ["BAHI_DB": "postgres://bahi:hunter2@db:5432"])
        #expect(noDatabase.contains("BAHI_DB") && noDatabase.contains("names no database") && !noDatabase.contains("hunter2"))
        let fromFile = message(file: #"{"database": {"url": "postgres://bahi:hunter2@db/shop?sslmod=require"}}"#)
        #expect(fromFile.contains("database.url") && fromFile.contains("sslmod") && !fromFile.contains("hunter2"))
        // Another scheme is a mistake, not a file name; a non-URL in database.url too.
        #expect(message(db: "mysql://bahi:hunter2@db/shop").contains("postgres://"))
        #expect(message(file: #"{"database": {"url": "./bahi.db"}}"#).contains("must be a postgres:// URL"))
    }

    @Test func anUnreachableServerIsOneLineNamingHostAndPort() async throws {
        let port = try closedPort()
        let url = try PostgresURL("postgres://bahi:hunter2@127.0.0.1:\(port)/shop")
        var database = BahiConfiguration().database
        database.url = "postgres://bahi:hunter2@127.0.0.1:\(port)/shop"
        do {
            _ = try await DatabaseLocation.postgres(url).open(database)
            Issue.record("connected to a closed port")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix("cannot connect to PostgreSQL at postgres://bahi:***@127.0.0.1:\(port)/shop: "), "\(text)")
            #expect(text.contains("port \(port)") && text.contains("refused"), "\(text)")
            #expect(!text.contains("\n") && !text.contains("\t") && !text.contains("hunter2"), "\(text)")
        }
    }

    /// A loopback TCP port nothing listens on: bound, then released.
    func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// What differs on PostgreSQL, against the test cluster: its migrations through the CLI's
/// path, the refusal of a newer database, and the SQLite-only endpoints answering clearly.
@Suite struct PostgresOperationsTests {
    /// The cluster, or nil (recording an issue when the run requires it) — these tests mean
    /// nothing without one.
    func cluster() -> String? {
        guard let conninfo = PostgresTestCluster.conninfo else {
            if ProcessInfo.processInfo.environment["BAHI_REQUIRE_POSTGRES"] != nil { Issue.record("\(PostgresTestCluster.Missing())") }
            return nil
        }
        return conninfo
    }

    @Test func migrateTwiceIsANoOpAndANewerDatabaseIsRefused() async throws {
        guard let conninfo = cluster() else { return }
        try await PostgresTestCluster.withDatabase(conninfo, migrated: false) { url in
            var database = BahiConfiguration().database
            database.url = url
            database.poolSize = 2
            let store = try await DatabaseLocation(database).open(database)
            do {
                try await migrateTwiceThenRefuseNewer(store)
                await store.close()
            } catch {
                await store.close()
                throw error
            }
        }
    }

    func migrateTwiceThenRefuseNewer(_ store: any DataStore) async throws {
            let latest = BahiSchema.postgresMigrator.latestVersion
            // Every migration, in order (numbers may skip: each branch is given its own).
            #expect(try await BahiSchema.migrate(store).map(\.version) == BahiSchema.postgresMigrations.map(\.version))
            #expect(try await BahiSchema.migrate(store).isEmpty)
            // A newer bahi migrated it: this one refuses, saying what to do.
            try await store.write { db in
                try db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, 'from the future', 0)", binding: Int64(latest + 1))
            }
            do {
                try await BahiSchema.migrate(store)
                Issue.record("migrated a newer database")
            } catch let error as MigrationError {
                #expect(error.description == "database schema version \(latest + 1) is newer than this bahi (knows up to \(latest)); upgrade bahi")
            }
    }

    @Test func sqliteOnlyEndpointsAnswerClearly() async throws {
        guard let conninfo = cluster() else { return }
        try await withPostgresApp(conninfo) { app, _ in
            let api = BahiApplication.makeAPI(app)
            let admin = try await app.keys.create(name: "a", role: .admin, channel: nil, actor: "t").secret
            let backup = await send(api, .post, "/v1/admin/backup", key: admin)
            #expect(backup.status == .notImplemented)
            #expect(backup.code == "backup_not_supported")
            #expect(backup.text.contains("pg_dump"))
            let store = await send(api, .get, "/v1/admin/store", key: admin)
            #expect(store.json?["engine"] == .string("postgres"))
            let ready = await send(api, .get, "/v1/ready")
            #expect(ready.json?["schema_version"] == .number(JSONNumber(BahiSchema.postgresMigrator.latestVersion)))
        }
    }
}
