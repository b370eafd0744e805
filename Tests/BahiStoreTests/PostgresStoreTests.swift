import Foundation
import Synchronization
import Testing
@testable import BahiStore

/// The PostgreSQL connection and store against a real server: the throwaway cluster
/// `scripts/postgres-test-server.sh` starts, named by `BAHI_TEST_POSTGRES` (CI always sets it).
@Suite struct PostgresStoreTests {
    @Test func placeholdersAreRenumberedOutsideQuotesAndComments() {
        #expect(PostgresSQL.translate("SELECT ?1, ?2 WHERE a = ?1").sql == "SELECT $1, $2 WHERE a = $1")
        #expect(PostgresSQL.translate("SELECT ?, ?, ?5, ?").sql == "SELECT $1, $2, $5, $6")
        #expect(PostgresSQL.translate("SELECT '?1', \"a?\" -- ?2\n, ?1").sql == "SELECT '?1', \"a?\" -- ?2\n, $1")
        #expect(PostgresSQL.translate("SELECT 'it''s ?'").sql == "SELECT 'it''s ?'")
        #expect(PostgresSQL.translate("SELECT ?1, ?3").parameterCount == 3)
    }

    @Test func readsWritesAndErrorsThroughTheDatabaseInterface() async throws {
        try await PostgresTestDatabase.with { store in
            try await store.write { db in
                try db.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT NOT NULL, ok BOOLEAN NOT NULL DEFAULT FALSE, data BYTEA, price NUMERIC)")
            }
            let changed = try await store.write { db in
                try db.execute("INSERT INTO t (id, name, ok, data, price) VALUES (?1, ?2, ?3, ?4, ?5)", binding: Int64(1), "chai ☕", true, [UInt8]([0, 255, 7]), Int64(12))
            }
            #expect(changed == 1)
            let row = try await store.read { db in
                try db.queryFirst("SELECT id, name, ok, data, price, (SELECT SUM(id) FROM t) AS total FROM t WHERE id = ?1", binding: Int64(1)) { row in
                    (try row["id"] as Int64, try row["name"] as String, try row["ok"] as Bool, try row["data"] as [UInt8], try row["price"] as Int64, try row["total"] as Int64)
                }
            }
            #expect(row?.0 == 1 && row?.1 == "chai ☕" && row?.2 == true && row?.3 == [0, 255, 7] && row?.4 == 12 && row?.5 == 1)
            // A duplicate key is a unique violation, whatever the engine; nothing of the call persists.
            do {
                try await store.write { db in
                    try db.execute("INSERT INTO t (id, name) VALUES (?1, ?2)", binding: Int64(2), "two")
                    try db.execute("INSERT INTO t (id, name) VALUES (?1, ?2)", binding: Int64(1), "again")
                }
                Issue.record("expected a unique violation")
            } catch let error as StoreError {
                #expect(error.isUniqueViolation && error.sqlState == "23505")
            }
            #expect(try await store.read { db in try db.queryValue("SELECT COUNT(*) FROM t", as: Int64.self) } == 1)
            // RETURNING, a conditional update's row count, and a savepoint that undoes only itself.
            let updated = try await store.write { db -> Int in
                _ = try? db.savepoint("inner") { try db.execute("INSERT INTO t (id, name) VALUES (?1, ?2)", binding: Int64(1), "dup") }
                return try db.execute("UPDATE t SET name = ?1 WHERE id = ?2 AND ok = TRUE", binding: "masala", Int64(1))
            }
            #expect(updated == 1)
            let id = try await store.write { db in
                try db.queryFirst("INSERT INTO t (id, name) VALUES (?1, ?2) RETURNING id", binding: Int64(3), "three") { row in try row["id"] as Int64 }
            }
            #expect(id == 3)
        }
    }

    @Test(arguments: [true, false]) func concurrentConditionalUpdatesNeverOversell(groupCommit: Bool) async throws {
        try await PostgresTestDatabase.with(groupCommit: groupCommit) { store in
            try await store.write { db in
                try db.execute("CREATE TABLE stock (sku TEXT PRIMARY KEY, available BIGINT NOT NULL CHECK (available >= 0))")
                try db.execute("INSERT INTO stock VALUES ('TEE', 100)", [])
            }
            let wins = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<300 {
                    group.addTask {
                        try await store.write { db in
                            try db.execute("UPDATE stock SET available = available - ?1 WHERE sku = ?2 AND available >= ?1", binding: Int64(1), "TEE")
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(wins == 100)
            #expect(try await store.read { db in try db.queryValue("SELECT available FROM stock", as: Int64.self) } == 0)
        }
    }

    struct Refused: Error, Equatable { let call: Int }

    /// The group-committing writer: concurrent calls share transactions (fewer transaction
    /// ids than calls), and a call that throws is undone alone while its batch commits.
    @Test func groupCommitSharesTransactionsAndFailsOnlyTheCallThatThrew() async throws {
        try await PostgresTestDatabase.with { store in
            try await store.write { db in try db.execute("CREATE TABLE calls (call BIGINT PRIMARY KEY, xid TEXT NOT NULL)") }
            let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for call in 0..<200 {
                    group.addTask {
                        do {
                            try await store.write { db in
                                try db.execute("INSERT INTO calls (call, xid) VALUES (?1, pg_current_xact_id()::text)", binding: call)
                                if call % 10 == 0 { throw Refused(call: call) }
                            }
                            return (call, true)
                        } catch let refused as Refused {
                            #expect(refused.call == call)
                            return (call, false)
                        }
                    }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(results.count == 200)
            #expect(results.filter { !$0.value }.keys.sorted() == Array(stride(from: 0, to: 200, by: 10)))
            let rows = try await store.read { db in try db.query("SELECT call, xid FROM calls ORDER BY call") { row in (try row["call"] as Int64, try row["xid"] as String) } }
            #expect(rows.map(\.0) == (0..<200).filter { $0 % 10 != 0 }.map(Int64.init))
            let transactions = Set(rows.map(\.1)).count
            #expect(transactions < rows.count, "\(transactions) transactions for \(rows.count) calls: nothing was batched")
        }
    }

    /// Writes sent ahead (`perform`, pipelined in a batch): a read after them sees them; one
    /// that fails — found only at a later statement or at the commit — fails its own call
    /// alone (the batch reruns with every statement waited for), and the rest commit once.
    @Test func pipelinedWritesFailOnlyTheirOwnCall() async throws {
        try await PostgresTestDatabase.with { store in
            try await store.write { db in
                try db.execute("CREATE TABLE notes (id BIGINT PRIMARY KEY, call BIGINT NOT NULL)")
                try db.execute("CREATE TABLE runs (call BIGINT NOT NULL)")
            }
            let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for call in 0..<120 {
                    group.addTask {
                        do {
                            let seen = try await store.write { db -> Int64 in
                                try db.perform("INSERT INTO runs (call) VALUES (?1)", binding: call)
                                // Every 7th call collides with call 0's note id: a unique
                                // violation the pipeline reports later than it happened.
                                try db.perform("INSERT INTO notes (id, call) VALUES (?1, ?2)", binding: call % 7 == 0 && call > 0 ? 0 : call, call)
                                try db.perform("INSERT INTO notes (id, call) VALUES (?1, ?2)", binding: 1000 + call, call)
                                // A read after the sends sees them.
                                return try db.queryValue("SELECT count(*) FROM notes WHERE call = ?1", [call], as: Int64.self) ?? -1
                            }
                            return (call, "ok \(seen)")
                        } catch let error as StoreError {
                            return (call, error.isUniqueViolation ? "unique" : "other \(error)")
                        }
                    }
                }
                return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
            }
            for call in 0..<120 {
                #expect(results[call] == (call % 7 == 0 && call > 0 ? "unique" : "ok 2"), "call \(call)")
            }
            let counts = try await store.read { db in
                try db.query("SELECT call, count(*) AS n FROM runs GROUP BY call") { row in (try row["call"] as Int64, try row["n"] as Int64) }
            }
            // Every successful call's writes are there exactly once; a failed call's not at all.
            #expect(counts.map(\.0).sorted() == (0..<120).filter { !($0 % 7 == 0 && $0 > 0) }.map(Int64.init))
            #expect(counts.allSatisfy { $0.1 == 1 })
        }
    }

    /// A call that swallows the error of a write it sent ahead cannot let its batch commit
    /// an aborted transaction as if it had succeeded: the batch reruns, waiting for each
    /// statement, and the call that swallowed it sees its own failure the normal way.
    @Test func aSwallowedPipelinedFailureNeverCommitsSilently() async throws {
        try await PostgresTestDatabase.with { store in
            try await store.write { db in try db.execute("CREATE TABLE once (id BIGINT PRIMARY KEY)") }
            try await store.write { db in try db.execute("INSERT INTO once (id) VALUES (1)") }
            await #expect(throws: StoreError.self) {
                try await store.write { db in
                    try? db.perform("INSERT INTO once (id) VALUES (1)")
                    try db.perform("INSERT INTO once (id) VALUES (2)")
                }
            }
            #expect(try await store.read { db in try db.query("SELECT id FROM once ORDER BY id") { row in try row["id"] as Int64 } } == [1])
        }
    }

    /// A connection's own transaction with its writes sent ahead (`BahiBench seed`'s): a read
    /// sees them, the body commits once; a write that fails makes the body run again waiting
    /// for each statement, so it meets its own error, and nothing of either run persists.
    @Test func aConnectionsOwnPipelinedTransaction() async throws {
        try await PostgresTestDatabase.with { store in
            try await store.write { db in try db.execute("CREATE TABLE once (id BIGINT PRIMARY KEY)") }
            let connection = try PostgresConnection(conninfo: store.configuration.conninfo)
            var runs = 0
            let seen = try connection.transaction(sendingWritesAhead: true) { db -> Int64 in
                runs += 1
                try db.perform("INSERT INTO once (id) VALUES (1)")
                try db.perform("INSERT INTO once (id) VALUES (2)")
                return try db.queryValue("SELECT count(*) FROM once", as: Int64.self) ?? -1
            }
            #expect(seen == 2 && runs == 1)
            runs = 0
            var failedAt: [Int] = []
            #expect(throws: StoreError.self) {
                try connection.transaction(sendingWritesAhead: true) { db in
                    runs += 1
                    try db.perform("INSERT INTO once (id) VALUES (3)")
                    do {
                        try db.perform("INSERT INTO once (id) VALUES (1)")
                    } catch {
                        failedAt.append(runs)
                        throw error
                    }
                    try db.perform("INSERT INTO once (id) VALUES (4)")
                }
            }
            // Sent ahead, the collision surfaced at the commit; run again, at its own statement.
            #expect(runs == 2 && failedAt == [2])
            #expect(try await store.read { db in try db.query("SELECT id FROM once ORDER BY id") { row in try row["id"] as Int64 } } == [1, 2])
        }
    }

    /// A guessed changed-row count (`execute(_:likely:binding:)`) that turns out wrong — the
    /// row changed under the guess — never stands: the batch reruns waiting for each
    /// statement, and the call acts on the real count.
    @Test func aWrongGuessOfChangedRowsReruns() async throws {
        try await PostgresTestDatabase.with { store in
            try await store.write { db in
                try db.execute("CREATE TABLE level (sku TEXT PRIMARY KEY, available BIGINT NOT NULL)")
                try db.execute("INSERT INTO level (sku, available) VALUES ('A', 5)")
                try db.execute("CREATE TABLE outcomes (call BIGINT NOT NULL, took BOOLEAN NOT NULL)")
            }
            // Twenty calls each guess that taking one unit succeeds; only five can.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for call in 0..<20 {
                    group.addTask {
                        try await store.write { db in
                            let took = try db.execute("UPDATE level SET available = available - 1 WHERE sku = ?1 AND available >= 1", likely: 1, binding: "A") == 1
                            try db.perform("INSERT INTO outcomes (call, took) VALUES (?1, ?2)", binding: call, took)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let took = try await store.read { db in try db.queryValue("SELECT count(*) FROM outcomes WHERE took", as: Int64.self) }
            let refused = try await store.read { db in try db.queryValue("SELECT count(*) FROM outcomes WHERE NOT took", as: Int64.self) }
            let left = try await store.read { db in try db.queryValue("SELECT available FROM level", as: Int64.self) }
            #expect(took == 5 && refused == 15 && left == 0)
        }
    }

    /// A call whose conditional write lost a race (`ConcurrentChange`) runs again inside its
    /// batch; its first run's changes are undone, so it takes effect once.
    @Test func aLostRaceRunsTheCallAgainOnce() async throws {
        try await PostgresTestDatabase.with { store in
            try await store.write { db in try db.execute("CREATE TABLE effects (n BIGSERIAL PRIMARY KEY, note TEXT NOT NULL)") }
            let runs = Mutex(0)
            let value = try await store.write { db -> String in
                let run = runs.withLock { $0 += 1; return $0 }
                try db.execute("INSERT INTO effects (note) VALUES (?1)", binding: "run \(run)")
                if run == 1 { throw db.concurrentChange(Refused(call: run)) }
                return "done on run \(run)"
            }
            #expect(value == "done on run 2")
            #expect(try await store.read { db in try db.query("SELECT note FROM effects") { row in try row["note"] as String } } == ["run 2"])
        }
    }
}

/// A fresh database on the test cluster for one test, dropped afterwards.
enum PostgresTestDatabase {
    static var conninfo: String? { ProcessInfo.processInfo.environment["BAHI_TEST_POSTGRES"] }

    static func with(groupCommit: Bool = true, _ body: (PostgresStore) async throws -> Void) async throws {
        guard let base = conninfo else {
            // Only a bare `swift test` gets here; the README's test command and CI start the
            // cluster and require it (BAHI_REQUIRE_POSTGRES), so there this is a failure.
            if ProcessInfo.processInfo.environment["BAHI_REQUIRE_POSTGRES"] != nil {
                Issue.record("BAHI_TEST_POSTGRES is not set: start the cluster with scripts/postgres-test-server.sh")
            }
            return
        }
        let name = "bahi_test_\(UInt64.random(in: 0...UInt64.max))"
        let admin = try PostgresConnection(conninfo: base)
        try admin.execute("CREATE DATABASE \(name)")
        let store = try await PostgresStore(configuration: .init(conninfo: base.replacingDatabase(with: name), poolSize: 4, groupCommit: groupCommit))
        do {
            try await body(store)
            await store.close()
        } catch {
            await store.close()
            try? admin.execute("DROP DATABASE \(name)")
            throw error
        }
        try admin.execute("DROP DATABASE \(name)")
    }
}

extension String {
    /// The conninfo with `dbname=` replaced.
    func replacingDatabase(with name: String) -> String {
        split(separator: " ").map { $0.hasPrefix("dbname=") ? "dbname=\(name)" : String($0) }.joined(separator: " ")
    }
}

@Suite struct PostgresURLTests {
    @Test func parsesEveryPartAndNeverPrintsThePassword() throws {
        let url = try PostgresURL("postgres://bahi:s%40cret@db.example.in:6543/shop?sslmode=require&connect_timeout=5")
        #expect(url.user == "bahi" && url.password == "s@cret" && url.host == "db.example.in" && url.port == 6543 && url.database == "shop")
        #expect(url.conninfo == "host='db.example.in' port='6543' dbname='shop' user='bahi' password='s@cret' sslmode='require' connect_timeout='5'")
        #expect(url.redacted == "postgres://bahi:***@db.example.in:6543/shop?sslmode=require&connect_timeout=5")
        #expect(!"\(url)".contains("s@cret"))
        let socket = try PostgresURL("postgresql:///bahi?host=/var/run/postgresql")
        #expect(socket.host == "/var/run/postgresql" && socket.port == 5432 && socket.user == nil)
        #expect(try PostgresURL("postgres://[::1]:5433/x").host == "::1")
        // libpq's port in the query, beside a socket folder; printed back in the authority.
        let queryPort = try PostgresURL("postgres://bahi@/shop?host=/tmp/pg&port=55481")
        #expect(queryPort.host == "/tmp/pg" && queryPort.port == 55481 && queryPort.options.isEmpty)
        #expect(queryPort.redacted == "postgres://bahi@:55481/shop?host=/tmp/pg")
    }

    @Test func badURLsNameWhatToFix() {
        func message(_ text: String) -> String {
            do { _ = try PostgresURL(text); return "" } catch { return error.description }
        }
        #expect(message("mysql://h/db").contains("postgres://"))
        #expect(message("postgres://h:99999/db").contains("port"))
        #expect(message("postgres://h/db?port=x").contains("port \"x\""))
        #expect(message("postgres://h:5432").contains("names no database"))
        #expect(message("postgres://h/db?sslmod=require").contains("unknown option \"sslmod\""))
        #expect(message("postgres://u:p%zz@h/db").contains("password has a broken"))
        #expect(!message("postgres://u:hunter2@h:99999/db").contains("hunter2"))
    }
}
