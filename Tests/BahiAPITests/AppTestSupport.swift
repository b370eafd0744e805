import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// The API suite on every store: `body` runs against a fresh SQLite store, then — when the
/// run has a test cluster (`BAHI_TEST_POSTGRES`: `scripts/test.sh`, CI) — against a fresh
/// PostgreSQL database (only that, with `BAHI_TEST_POSTGRES_ONLY`). Each run gets its own temporary folder (the `String`: admin-key,
/// backups and CSV files go there). Returns the SQLite run's value.
func withApp<T>(
    configure: (inout BahiConfiguration) -> Void = { _ in },
    migrate: Bool = true,
    _ body: (BahiContext, String) async throws -> T
) async throws -> T {
    let environment = ProcessInfo.processInfo.environment
    guard let conninfo = PostgresTestCluster.conninfo else {
        if environment["BAHI_REQUIRE_POSTGRES"] != nil { throw PostgresTestCluster.Missing() }
        return try await withSQLiteApp(configure: configure, migrate: migrate) { app, _, folder in try await body(app, folder) }
    }
    // scripts/test.sh's second pass: pass 1 ran the SQLite half, without the cluster's load
    // on the timing checks; running it again beside PostgreSQL would only slow both.
    if environment["BAHI_TEST_POSTGRES_ONLY"] != nil {
        return try await withPostgresApp(conninfo, configure: configure, migrate: migrate, body)
    }
    let result = try await withSQLiteApp(configure: configure, migrate: migrate) { app, _, folder in try await body(app, folder) }
    _ = try await withPostgresApp(conninfo, configure: configure, migrate: migrate, body)
    return result
}

/// A migrated SQLite store in a temporary folder and a context over it, torn down after
/// `body`: for tests of what only SQLite has (the group-commit writer, backups, its files).
func withSQLiteApp<T>(
    configure: (inout BahiConfiguration) -> Void = { _ in },
    migrate: Bool = true,
    _ body: (BahiContext, SQLiteStore, String) async throws -> T
) async throws -> T {
    try await withTemporaryFolder { folder in
        var config = BahiConfiguration()
        config.database.path = folder + "/bahi.db"
        configure(&config)
        let store = try await SQLiteStore(path: config.database.path)
        return try await using(store, config: config, migrate: migrate) { app in try await body(app, store, folder) }
    }
}

/// `withApp`'s PostgreSQL run: a database of its own on the test cluster, opened through
/// `database.url` as `bahi serve --db postgres://…` would, dropped afterwards.
func withPostgresApp<T>(
    _ conninfo: String,
    configure: (inout BahiConfiguration) -> Void = { _ in },
    migrate: Bool = true,
    _ body: (BahiContext, String) async throws -> T
) async throws -> T {
    try await PostgresTestCluster.slots.run {
      try await withTemporaryFolder { folder in
        try await PostgresTestCluster.withDatabase(conninfo, migrated: migrate) { url in
            var config = BahiConfiguration()
            config.database.path = folder + "/bahi.db"
            configure(&config)
            config.database.url = url
            config.database.poolSize = 4
            let store = try await DatabaseLocation(config.database).open(config.database)
            // The database came migrated from the template (or deliberately not).
            return try await using(store, config: config, migrate: false) { app in try await body(app, folder) }
        }
      }
    }
}

/// Runs `body` with a new temporary folder, removed afterwards.
func withTemporaryFolder<T>(_ body: (String) async throws -> T) async throws -> T {
    var template = Array("/tmp/bahi-api-test-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else { throw POSIXError(.EIO) }
    let folder = String(cString: created)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await body(folder)
}

/// Migrates `store` (if asked), runs `body` on a context over it, and closes it whether or
/// not either threw.
private func using<T>(_ store: any DataStore, config: BahiConfiguration, migrate: Bool, _ body: (BahiContext) async throws -> T) async throws -> T {
    do {
        if migrate { try await BahiSchema.migrate(store) }
        let result = try await body(BahiContext(configuration: config, store: store, keyCacheTTL: .zero))
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}

/// The throwaway PostgreSQL cluster the README's test command and CI start
/// (`scripts/postgres-test-server.sh`), named by `BAHI_TEST_POSTGRES` as a libpq conninfo.
enum PostgresTestCluster {
    static var conninfo: String? { ProcessInfo.processInfo.environment["BAHI_TEST_POSTGRES"] }

    /// The run was told PostgreSQL is required (the README's test command, CI) but has none.
    struct Missing: Error, CustomStringConvertible {
        var description: String { "BAHI_TEST_POSTGRES is not set: start the cluster with scripts/postgres-test-server.sh" }
    }

    /// Runs `body` with the `postgres://` URL of a new database, dropped afterwards. A
    /// migrated database is a copy of a template migrated once per schema (CREATE DATABASE
    /// … TEMPLATE copies files, far quicker than running the migrations for every test).
    static func withDatabase<T>(_ conninfo: String, migrated: Bool, _ body: (String) async throws -> T) async throws -> T {
        let template = migrated ? try await templates.name(conninfo) : "template0"
        let name = "bahi_api_\(UInt64.random(in: 0...UInt64.max))"
        let admin = try PostgresConnection(conninfo: conninfo)
        try admin.execute("CREATE DATABASE \(name) TEMPLATE \(template)")
        defer { try? admin.execute("DROP DATABASE \(name) WITH (FORCE)") }
        return try await body(url(conninfo, database: name))
    }

    /// `conninfo` with its `dbname=` replaced.
    static func conninfo(_ conninfo: String, database: String) -> String {
        conninfo.split(separator: " ").map { $0.hasPrefix("dbname=") ? "dbname=\(database)" : String($0) }.joined(separator: " ")
    }

    /// A `postgres://` URL for `database` on the cluster `conninfo` names (its `host` is a
    /// socket folder, which a URL carries as `?host=`).
    static func url(_ conninfo: String, database: String) -> String {
        var fields: [String: String] = [:]
        for pair in conninfo.split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        let user = fields["user"].map { $0 + "@" } ?? ""
        let host = fields["host"] ?? "localhost"
        let port = fields["port"].map { ":" + $0 } ?? ""
        return host.hasPrefix("/")
            ? "postgres://\(user)\(port)/\(database)?host=\(host)"
            : "postgres://\(user)\(host)\(port)/\(database)"
    }

    private static let templates = Templates()

    /// At most this many API tests hold a database (a pool of 4 connections each) at once:
    /// the suite runs every test concurrently, and unbounded it exceeds the cluster's
    /// `max_connections`.
    static let slots = Slots(count: 12)

    /// A counting semaphore for async code.
    actor Slots {
        private var free: Int
        private var waiting: [CheckedContinuation<Void, Never>] = []

        init(count: Int) { free = count }

        nonisolated func run<T>(_ body: () async throws -> T) async throws -> T {
            await acquire()
            do {
                let value = try await body()
                await release()
                return value
            } catch {
                await release()
                throw error
            }
        }

        private func acquire() async {
            if free > 0 {
                free -= 1
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        private func release() {
            if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
        }
    }

    /// The migrated template, made once per process and kept on the cluster between runs
    /// under a name derived from the migrations' text (a changed migration gets a new one).
    private actor Templates {
        private var made: Task<String, any Error>?

        func name(_ conninfo: String) async throws -> String {
            if let made { return try await made.value }
            let task = Task { try await Self.make(conninfo) }
            made = task
            return try await task.value
        }

        private static func make(_ conninfo: String) async throws -> String {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: stable across processes, unlike Hasher
            for migration in BahiSchema.postgresMigrations {
                for byte in "\(migration.version) \(migration.sql)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            }
            let name = "bahi_api_template_\(String(hash, radix: 16))"
            let admin = try PostgresConnection(conninfo: conninfo)
            let exists = try admin.queryValue("SELECT count(*) FROM pg_database WHERE datname = ?1", [name], as: Int64.self)
            if exists == 1 { return name }
            // Migrated under a temporary name and renamed when complete, so a run that dies
            // half-way never leaves a half-migrated template under the real name.
            let building = "\(name)_\(UInt64.random(in: 0...UInt64.max))"
            try admin.execute("CREATE DATABASE \(building) TEMPLATE template0")
            do {
                let store = try await PostgresStore(configuration: .init(conninfo: PostgresTestCluster.conninfo(conninfo, database: building), poolSize: 1))
                do {
                    try await BahiSchema.migrate(store)
                    await store.close()
                } catch {
                    await store.close()
                    throw error
                }
                try admin.execute("ALTER DATABASE \(building) RENAME TO \(name)")
            } catch {
                try? admin.execute("DROP DATABASE \(building) WITH (FORCE)")
                throw error
            }
            return name
        }
    }
}

/// Sends one request through the API in-process.
func send(
    _ api: API, _ method: HTTPMethod, _ target: String, key: String? = nil,
    headers: [(String, String)] = [], body: String? = nil
) async -> HTTPResponse {
    var fields = HTTPHeaders()
    fields.add(name: "Host", value: "test")
    if let key { fields.add(name: "Authorization", value: "Bearer \(key)") }
    if body != nil { fields.add(name: "Content-Type", value: "application/json") }
    for (n, v) in headers { fields.replaceOrAdd(name: n, value: v) }
    let head = HTTPRequestHead(method: method, target: target, headers: fields)
    let response = await api.router.respond(to: HTTPRequest(head: head, body: Array((body ?? "").utf8), requestID: "req_test"))
    checkContract(api, method, head.path, response)
    return response
}

/// Holds every response the API suite receives to its route's declaration (status declared,
/// content type, body shape, error code declared): what keeps the declarations honest.
func checkContract(_ api: API, _ method: HTTPMethod, _ path: Substring, _ response: HTTPResponse) {
    guard method != .head, let operation = api.operation(method: method, path: path) else { return }
    for problem in operation.contractProblems(response) {
        Issue.record(Comment(rawValue: "contract: \(problem)\n\(String(decoding: response.body.prefix(600), as: UTF8.self))"))
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONObject? {
        if case .object(let o)? = try? JSONParser.parse(body) { return o }
        return nil
    }
    var code: String? {
        if case .string(let c)? = json?["code"] { return c }
        return nil
    }
}

/// Waits (politely, on the test task) until `condition` holds, failing after `timeout`.
func waitUntil(timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut() }
        try await Task.sleep(for: .milliseconds(2))
    }
}

struct WaitTimedOut: Error {}
