import Foundation
import Synchronization
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// An API with a test-only mutation that inserts into a test table, so the idempotency
/// machinery is exercised exactly as a domain route uses it.
func thingsAPI(_ app: BahiContext, gate: Gate? = nil) async throws -> API {
    let strict = app.store.dialect == .sqlite ? " STRICT" : ""
    try await app.store.write { db in try db.execute("CREATE TABLE things (id TEXT PRIMARY KEY, name TEXT NOT NULL)\(strict)") }
    var api = BahiApplication.makeAPI(app)
    let thing = Schema.object(["id": .string(), "name": .string()], allRequired: true)
    api.mutation(.post, "/test/things", access: .roles([.warehouse]), RouteDoc(
        "A test thing", request: .json(.object(["name": .string(), "delay_ms": .integer()])), responses: [.created(thing)]
    )) { ctx in
        let body = try RequestBody.object(ctx.request)
        let v = Validator()
        v.allowOnly(body, ["name", "delay_ms"])
        let name = v.string(body, "name", required: true, maxLength: 20)
        let delay = v.integer(body, "delay_ms", range: 0...2000)
        try v.check()
        if let delay { try await Task.sleep(for: .milliseconds(delay)) }
        if let gate { await gate.pass() }
        let id = EntityID.make(.event)
        return { db in
            try db.execute("INSERT INTO things (id, name) VALUES (?, ?)", [id, name ?? ""])
            try EventLog.append(db, type: "thing.created", entityType: "thing", entityID: id, payload: ["name": .string(name ?? "")], actor: ctx.actor)
            return .json(.object(["id": .string(id), "name": .string(name ?? "")]), status: .created)
        }
    }
    return api
}

/// A gate a handler waits at until the test opens it, so a test can hold a request in flight
/// for exactly as long as it needs rather than guessing with sleeps (which a loaded CI machine
/// defeats).
actor Gate {
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var arrivals: [CheckedContinuation<Void, Never>] = []
    private var isOpen = false
    private var arrived = 0

    /// Called by the handler: waits until the gate is opened.
    func pass() async {
        arrived += 1
        arrivals.forEach { $0.resume() }
        arrivals = []
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Waits until some handler has reached the gate.
    func waitForArrival() async {
        if arrived > 0 { return }
        await withCheckedContinuation { arrivals.append($0) }
    }

    /// Lets every waiting and future handler through.
    func open() {
        isOpen = true
        waiting.forEach { $0.resume() }
        waiting = []
    }
}

func countThings(_ app: BahiContext) async throws -> Int {
    try await app.store.read { db in try db.queryValue("SELECT COUNT(*) FROM things", as: Int.self) ?? -1 }
}

@Suite struct IdempotencyTests {
    @Test func replayReturnsTheStoredResponseAndDoesNothingTwice() async throws {
        try await withApp { app, _ in
            let api = try await thingsAPI(app)
            let key = try await app.keys.create(name: "w", role: .warehouse, channel: nil, actor: "t").secret
            let first = await send(api, .post, "/test/things", key: key, headers: [("Idempotency-Key", "abc-1")], body: #"{"name":"kurta"}"#)
            #expect(first.status == .created)
            #expect(first.headers["idempotent-replayed"] == nil)
            let again = await send(api, .post, "/test/things", key: key, headers: [("Idempotency-Key", "abc-1")], body: #"{"name":"kurta"}"#)
            #expect(again.status == .created)
            #expect(again.body == first.body)
            #expect(again.headers["idempotent-replayed"] == "true")
            #expect(again.headers["content-type"] == "application/json")
            #expect(try await countThings(app) == 1)
            // Same key, another body: 422 idempotency_conflict, nothing written.
            let conflict = await send(api, .post, "/test/things", key: key, headers: [("Idempotency-Key", "abc-1")], body: #"{"name":"saree"}"#)
            #expect(conflict.status.code == 422)
            #expect(conflict.code == "idempotency_conflict")
            #expect(try await countThings(app) == 1)
            // Keys are per owner: another key may use the same Idempotency-Key.
            let other = try await app.keys.create(name: "w2", role: .warehouse, channel: nil, actor: "t").secret
            #expect(await send(api, .post, "/test/things", key: other, headers: [("Idempotency-Key", "abc-1")], body: #"{"name":"saree"}"#).status == .created)
            // Without a key, every POST acts.
            _ = await send(api, .post, "/test/things", key: key, body: #"{"name":"a"}"#)
            _ = await send(api, .post, "/test/things", key: key, body: #"{"name":"a"}"#)
            #expect(try await countThings(app) == 4)
        }
    }

    @Test func aKeyInFlightGets409() async throws {
        try await withApp { app, _ in
            let gate = Gate()
            let api = try await thingsAPI(app, gate: gate)
            let key = try await app.keys.create(name: "w", role: .warehouse, channel: nil, actor: "t").secret
            async let held = send(api, .post, "/test/things", key: key, headers: [("Idempotency-Key", "k")], body: #"{"name":"slow"}"#)
            // The first request has claimed the key and waits at the gate: a retry now is in flight.
            await gate.waitForArrival()
            let second = await send(api, .post, "/test/things", key: key, headers: [("Idempotency-Key", "k")], body: #"{"name":"slow"}"#)
            #expect(second.status == .conflict)
            #expect(second.code == "idempotency_in_flight")
            await gate.open()
            let first = await held
            #expect(first.status == .created)
            let third = await send(api, .post, "/test/things", key: key, headers: [("Idempotency-Key", "k")], body: #"{"name":"slow"}"#)
            #expect(third.status == .created)
            #expect(third.headers["idempotent-replayed"] == "true")
            #expect(try await countThings(app) == 1)
        }
    }

    @Test func concurrentRetriesActExactlyOnce() async throws {
        try await withApp { app, _ in
            let api = try await thingsAPI(app)
            let key = try await app.keys.create(name: "w", role: .warehouse, channel: nil, actor: "t").secret
            let statuses = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<50 {
                    group.addTask { await send(api, .post, "/test/things", key: key, headers: [("Idempotency-Key", "same")], body: #"{"name":"x"}"#).status.code }
                }
                return await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 201 || $0 == 409 })
            #expect(try await countThings(app) == 1)
        }
    }

    @Test func failuresAreNotStoredSoARetryMayAct() async throws {
        try await withApp { app, _ in
            let api = try await thingsAPI(app)
            let key = try await app.keys.create(name: "w", role: .warehouse, channel: nil, actor: "t").secret
            let bad = await send(api, .post, "/test/things", key: key, headers: [("Idempotency-Key", "r")], body: #"{"name":"this name is far too long to be accepted"}"#)
            #expect(bad.status.code == 422)
            let good = await send(api, .post, "/test/things", key: key, headers: [("Idempotency-Key", "r")], body: #"{"name":"ok"}"#)
            #expect(good.status == .created)
        }
    }

    @Test func malformedKeyIs400AndStoredRecordsExpire() async throws {
        try await withApp { app, _ in
            let api = try await thingsAPI(app)
            let key = try await app.keys.create(name: "w", role: .warehouse, channel: nil, actor: "t").secret
            let long = String(repeating: "k", count: 256)
            #expect(await send(api, .post, "/test/things", key: key, headers: [("Idempotency-Key", long)], body: #"{"name":"x"}"#).code == "invalid_idempotency_key")
            // A record past its expiry no longer replays.
            let now = Int64(WallClock.milliseconds())
            try await app.store.write { db in
                try IdempotencyStore.save(db, owner: "key_x", key: "old", response: StoredResponse(requestHash: [1], status: 201, headers: [], body: []),
                                          now: now - 100_000, retentionMilliseconds: 1000)
            }
            let found = try await app.store.read { db in try IdempotencyStore.lookup(db, owner: "key_x", key: "old", now: now) }
            #expect(found == nil)
            let purged = try await app.store.write { db in try IdempotencyStore.purgeExpired(db, now: now) }
            #expect(purged == 1)
        }
    }
}

@Suite struct RequestBodyTests {
    @Test func bodyErrorsNameTheFieldAndTheFix() async throws {
        try await withApp { app, _ in
            let api = try await thingsAPI(app)
            let key = try await app.keys.create(name: "w", role: .warehouse, channel: nil, actor: "t").secret
            let wrongType = await send(api, .post, "/test/things", key: key, headers: [("Content-Type", "text/plain")], body: "name=x")
            #expect(wrongType.status.code == 415)
            let notJSON = await send(api, .post, "/test/things", key: key, body: #"{"name": }"#)
            #expect(notJSON.status.code == 400)
            #expect(notJSON.code == "invalid_json")
            #expect(notJSON.text.contains("line 1, column 10"))
            let badField = await send(api, .post, "/test/things", key: key, body: #"{"name": 5}"#)
            #expect(badField.status.code == 400)
            #expect(badField.text.contains(#""field":"name""#))
            #expect(badField.text.contains("Expected a string, got an integer."))
            let unknown = await send(api, .post, "/test/things", key: key, body: #"{"name": "x", "nmae": "y"}"#)
            #expect(unknown.status.code == 422)
            #expect(unknown.code == "unknown_field")
            #expect(unknown.text.contains("did you mean name?"))
            let missing = await send(api, .post, "/test/things", key: key, body: #"{}"#)
            #expect(missing.status.code == 422)
            #expect(missing.code == "validation_failed")
            #expect(missing.text.contains(#""code":"required""#))
            let fraction = await send(api, .post, "/test/things", key: key, body: #"{"name": "x", "delay_ms": 1.5}"#)
            #expect(fraction.status.code == 400)
            #expect(try await countThings(app) == 0)
        }
    }
}

@Suite struct EventFeedTests {
    @Test func longPollWakesOnCommit() async throws {
        try await withApp { app, _ in
            let api = try await thingsAPI(app)
            let admin = try await app.keys.create(name: "a", role: .admin, channel: nil, actor: "t").secret
            let warehouse = try await app.keys.create(name: "w", role: .warehouse, channel: nil, actor: "t").secret
            let start = await send(api, .get, "/v1/events?type=thing.created", key: admin)
            #expect(start.json?["next_cursor"] == .string("0"))
            let latest = try await app.store.read { db in try EventLog.latestSeq(db) }
            let clock = ContinuousClock()
            let begun = clock.now
            async let polled = send(api, .get, "/v1/events?after=\(latest)&wait=10", key: admin)
            try await Task.sleep(for: .milliseconds(200))
            _ = await send(api, .post, "/test/things", key: warehouse, body: #"{"name":"wake"}"#)
            let response = await polled
            let waited = clock.now - begun
            #expect(waited < .seconds(5))
            #expect(waited >= .milliseconds(150))
            guard case .array(let data)? = response.json?["data"], case .object(let event)? = data.first else { Issue.record("no event"); return }
            #expect(event["type"] == .string("thing.created"))
            #expect(event["seq"] == .number(JSONNumber(latest + 1)))
            #expect(response.json?["next_cursor"] == .string(String(latest + 1)))
        }
    }

    @Test func emptyFeedReturnsAfterTheWait() async throws {
        try await withApp { app, _ in
            let api = BahiApplication.makeAPI(app)
            let admin = try await app.keys.create(name: "a", role: .admin, channel: nil, actor: "t").secret
            let clock = ContinuousClock()
            let begun = clock.now
            let response = await send(api, .get, "/v1/events?after=1000&wait=1", key: admin)
            #expect(clock.now - begun >= .milliseconds(900))
            #expect(response.json?["data"] == .array([]))
            #expect(response.json?["next_cursor"] == .string("1000"))
        }
    }

    @Test func paginationAndQueryValidation() async throws {
        try await withApp { app, _ in
            let api = try await thingsAPI(app)
            let admin = try await app.keys.create(name: "a", role: .admin, channel: nil, actor: "t").secret
            for i in 0..<5 { _ = await send(api, .post, "/test/things", key: admin, body: #"{"name":"t\#(i)"}"#) }
            let page = await send(api, .get, "/v1/events?type=thing.created&limit=2", key: admin)
            #expect(page.json?["has_more"] == .bool(true))
            guard case .array(let data)? = page.json?["data"] else { Issue.record("data"); return }
            #expect(data.count == 2)
            let bad = await send(api, .get, "/v1/events?limit=0&wait=31&after=-1&type=DROP%20TABLE", key: admin)
            #expect(bad.status.code == 400)
            for field in ["limit", "wait", "after", "type"] { #expect(bad.text.contains(#""field":"\#(field)""#)) }
        }
    }
}

@Suite struct OperationsTests {
    @Test func readyKnowsPendingMigrations() async throws {
        try await withApp(migrate: false) { app, _ in
            let api = BahiApplication.makeAPI(app)
            let response = await send(api, .get, "/v1/ready")
            #expect(response.status.code == 503)
            #expect(response.code == "migrations_pending")
            try await BahiSchema.migrate(app.store)
            #expect(await send(api, .get, "/v1/ready").status == .ok)
        }
    }

    // SQLite only: the figures are its group-commit writer's (PostgreSQL answers just its engine).
    @Test func storeStatisticsShowGroupCommits() async throws {
        try await withSQLiteApp { app, store, _ in
            let api = try await thingsAPI(app)
            let admin = try await app.keys.create(name: "a", role: .admin, channel: nil, actor: "t").secret
            let warehouse = try await app.keys.create(name: "w", role: .warehouse, channel: nil, actor: "t").secret
            // Use both keys once and let their last_used_at land, so the only writes queued
            // below are the ten POSTs.
            _ = await send(api, .get, "/v1/me", key: admin)
            _ = await send(api, .get, "/v1/me", key: warehouse)
            while try await app.keys.list().contains(where: { $0.lastUsedAt == nil }) { try await Task.sleep(for: .milliseconds(5)) }
            try await waitUntil { store.queuedWriteCount == 0 }
            store.pauseWriterForTesting(true)
            let before = store.statistics
            async let posted = withTaskGroup(of: Int.self) { group in
                for n in 0..<10 {
                    group.addTask { await send(api, .post, "/test/things", key: warehouse, body: #"{"name":"t\#(n)"}"#).status.code }
                }
                return await group.reduce(into: [Int]()) { $0.append($1) }
            }
            try await waitUntil { store.queuedWriteCount == 10 }
            store.pauseWriterForTesting(false)
            #expect(await posted.allSatisfy { $0 == 201 })
            let response = await send(api, .get, "/v1/admin/store", key: admin)
            guard case .number(let b)? = response.json?["batches"], let batches = b.int64,
                  case .number(let c)? = response.json?["calls"], let calls = c.int64 else { Issue.record("no figures"); return }
            // The ten queued calls committed together, as one batch.
            #expect(calls - Int64(before.calls) == 10)
            #expect(batches - Int64(before.batches) == 1)
            #expect(response.json?["failed_batches"] == .number(JSONNumber(0)))
            #expect(await send(api, .get, "/v1/admin/store", key: warehouse).status == .forbidden)
        }
    }

    // SQLite only: the backup endpoint copies the SQLite file (PostgreSQL: backupIsRefusedOnPostgreSQL).
    @Test func backupUnderWriteLoadIsConsistent() async throws {
        try await withSQLiteApp { app, _, folder in
            let api = try await thingsAPI(app)
            let admin = try await app.keys.create(name: "a", role: .admin, channel: nil, actor: "t").secret
            let stop = ManagedFlag()
            let writers = Task {
                var n = 0
                while !stop.isSet {
                    _ = await send(api, .post, "/test/things", key: admin, body: #"{"name":"w\#(n)"}"#)
                    n += 1
                }
                return n
            }
            try await Task.sleep(for: .milliseconds(100))
            let response = await send(api, .post, "/v1/admin/backup", key: admin)
            stop.set()
            let written = await writers.value
            #expect(response.status == .created)
            #expect(written > 0)
            guard case .string(let path)? = response.json?["path"] else { Issue.record("no path"); return }
            #expect(path.hasPrefix(folder + "/backups/"))
            let copy = try await SQLiteStore(path: path, configuration: .init(readerCount: 1))
            let check = try await copy.read { db in try db.query("PRAGMA integrity_check") { row in try row[0] as String } }
            let things = try await copy.read { db in try db.queryValue("SELECT COUNT(*) FROM things", as: Int.self) ?? 0 }
            await copy.close()
            #expect(check == ["ok"])
            #expect(things <= written)
        }
    }

    // SQLite only: migration 4 is an SQLite table rebuild (PostgreSQL's schema starts complete).
    @Test func migrationFourRebuildsTheLedgerTablesKeepingEveryRow() async throws {
        try await withSQLiteApp(migrate: false) { app, store, _ in
            // A database at version 3 with a ledger, an active hold and a converted one.
            _ = try await store.migrate(Migrator(Array(BahiSchema.migrations.prefix(3)), applicationName: "bahi"))
            try await store.withWriterConnection { db in
                let now: Int64 = 1_763_800_000_000
                try db.execute(
                    """
                    INSERT INTO skus (sku, name, mrp_paise, price_paise, created_at, updated_at) VALUES ('TEE', 'Tee', 100, 100, \(now), \(now));
                    INSERT INTO locations (code, name, pincode, state, district, created_at, updated_at) VALUES ('SURAT', 'Surat', '395003', 'GUJARAT', 'SURAT', \(now), \(now));
                    INSERT INTO channels (code, name, kind, created_at, updated_at) VALUES ('web', 'Web', 'website', \(now), \(now));
                    INSERT INTO stock_levels (sku, location, on_hand, reserved, updated_at) VALUES ('TEE', 'SURAT', 10, 3, \(now));
                    INSERT INTO stock_movements (sku, location, kind, on_hand_delta, created_at) VALUES ('TEE', 'SURAT', 'receive', 10, \(now));
                    INSERT INTO stock_movements (sku, location, kind, reserved_delta, reference, created_at) VALUES ('TEE', 'SURAT', 'reserve', 3, 'res_A', \(now));
                    INSERT INTO reservations (id, channel, status, expires_at, created_at) VALUES ('res_A', 'web', 'active', \(now + 60000), \(now));
                    INSERT INTO reservations (id, channel, status, expires_at, created_at) VALUES ('res_B', 'web', 'converted', \(now), \(now));
                    INSERT INTO reservation_allocations VALUES ('res_A', 0, 'TEE', 'TEE', 'SURAT', 3);
                    INSERT INTO reservation_allocations VALUES ('res_B', 0, 'TEE', 'TEE', 'SURAT', 1);
                    """)
            }
            // Up to migration 4, the one under test (migration 5 only adds views; migrationsProduceSchemaSQL covers it).
            let applied = try await store.migrate(Migrator(Array(BahiSchema.migrations.prefix(4)), applicationName: "bahi"))
            #expect(applied.map(\.version) == [4])
            try await store.withWriterConnection { db in
                #expect(try db.queryValue("SELECT group_concat(id || ':' || kind, ',') FROM (SELECT id, kind FROM stock_movements ORDER BY id)", as: String.self) == "1:receive,2:reserve")
                #expect(try db.queryValue("SELECT group_concat(id || ':' || status, ',') FROM (SELECT id, status FROM reservations ORDER BY id)", as: String.self) == "res_A:active,res_B:converted")
                #expect(try db.queryValue("SELECT sum(qty) FROM reservation_allocations", as: Int64.self) == 4)
                #expect(try db.query("PRAGMA foreign_key_check") { row in try row[0] as String }.isEmpty)
                #expect(try db.queryValue("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%_v4' OR name LIKE '%_v3'", as: Int64.self) == 0)
                // New movements continue the id sequence; bad kinds and statuses are still refused.
                try db.execute("INSERT INTO stock_movements (sku, location, kind, on_hand_delta, created_at) VALUES ('TEE', 'SURAT', 'adjust', 1, 0)")
                #expect(db.lastInsertRowID == 3)
                #expect(throws: (any Error).self) { try db.execute("INSERT INTO stock_movements (sku, location, kind, created_at) VALUES ('TEE', 'SURAT', 'steal', 0)") }
                #expect(throws: (any Error).self) { try db.execute("INSERT INTO reservations (id, channel, status, expires_at, created_at) VALUES ('res_C', 'web', 'lost', 0, 0)") }
                #expect(throws: (any Error).self) { try db.execute("INSERT INTO reservation_allocations VALUES ('res_X', 0, 'TEE', 'TEE', 'SURAT', 1)") }
            }
            // Only the foreign-key check: the others read tables later migrations add.
            let foreignKeys = try #require(InvariantRegistry.all.first { $0.name == "foreign keys" })
            let violations = try await app.store.read { db in try foreignKeys.check(db) }
            #expect(violations == [])
        }
    }

    @Test func migrationsProduceSchemaSQL() async throws {
        // Apply schema.sql to one database and the migrations to another; compare tables,
        // columns and indexes.
        let schema = try String(contentsOfFile: repositoryRoot + "/schema.sql", encoding: .utf8)
        // SQLite only: schema.sql and sqlite_master (schema.postgres.sql is generated from the PostgreSQL migrations).
        try await withSQLiteApp(migrate: true) { _, migrated, _ in
            try await withSQLiteApp(migrate: false) { _, fromFile, _ in
                try await fromFile.withWriterConnection { db in try db.execute(schema) }
                let a = try await describe(migrated)
                let b = try await describe(fromFile)
                #expect(a == b)
                #expect(a.contains("table events on events"))
            }
        }
    }

    func describe(_ store: SQLiteStore) async throws -> [String] {
        try await store.read { db in
            let objects = try db.query("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name") { row in
                (try row[0] as String, try row[1] as String, try row[2] as String)
            }
            var out: [String] = []
            for (type, name, table) in objects {
                out.append("\(type) \(name) on \(table)")
                if type == "table" {
                    out += try db.query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)", [name]) { row in
                        "  \(try row[0] as String) \(try row[1] as String) notnull=\(try row[2] as Int) pk=\(try row[3] as Int)"
                    }
                } else if type == "index" {
                    // A column of an expression (stock_movements_sku's `id >> 16`) has no name.
                    out += try db.query("SELECT name FROM pragma_index_info(?)", [name]) { row in "  on \((try row[0] as String?) ?? "an expression")" }
                }
            }
            return out
        }
    }
}

/// A flag set by one task and read by another.
final class ManagedFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
