import Testing
@testable import BahiStore

/// Counts, at commit, how many rows the transaction left in `t`, and how often it ran.
final class CountAtCommit: PreCommitWork {
    nonisolated(unsafe) static var runs = 0
    nonisolated(unsafe) static var fail = false
    var registrations = 0
    init() {}
    func run(_ db: any Database) throws {
        Self.runs += 1
        if Self.fail { throw StoreError.misuse("deliberate pre-commit failure") }
        let rows = try db.queryValue("SELECT count(*) FROM t", as: Int.self) ?? -1
        try db.execute("INSERT INTO summary (rows, registrations) VALUES (?, ?)", [rows, registrations])
    }
}

@Suite(.serialized) struct PreCommitWorkTests {
    private func schema(_ store: SQLiteStore) async throws {
        try await store.write { db in
            try db.execute("CREATE TABLE t (caller INTEGER PRIMARY KEY) STRICT")
            try db.execute("CREATE TABLE summary (rows INTEGER NOT NULL, registrations INTEGER NOT NULL) STRICT")
        }
    }

    @Test func runsOncePerBatchAfterEveryCallAndSeesRolledBackCallsGone() async throws {
        try await withStore { store, _ in
            try await schema(store)
            CountAtCommit.runs = 0
            CountAtCommit.fail = false
            store.pauseWriterForTesting(true)
            async let all = withTaskGroup(of: Bool.self) { group in
                for caller in 0..<50 {
                    group.addTask {
                        do {
                            try await store.write(rerunnable: caller % 2 == 0) { db in
                                try db.execute("INSERT INTO t (caller) VALUES (?)", [caller])
                                db.preCommitWork(CountAtCommit.self)?.registrations += 1
                                // Every tenth call registers, changes a row, then fails: its row
                                // is undone and the work still runs once, from the database.
                                if caller % 10 == 0 { throw StoreError.misuse("caller \(caller) fails") }
                            }
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            try await waitUntil { store.queuedWriteCount == 50 }
            store.pauseWriterForTesting(false)
            let succeeded = await all
            #expect(CountAtCommit.runs == 1)
            let summary = try await store.read { db in try db.query("SELECT rows, registrations FROM summary") { row in (try row[0] as Int, try row[1] as Int) } }
            #expect(summary.count == 1)
            #expect(summary.first?.0 == 45, "the work saw the 45 rows that commit, not the 5 undone")
            #expect((summary.first?.1 ?? 0) >= 45)
            #expect(succeeded == 45)
        }
    }

    @Test func aFailingPreCommitWorkFailsTheWholeBatchAndLeavesNothing() async throws {
        try await withStore { store, _ in
            try await schema(store)
            CountAtCommit.runs = 0
            CountAtCommit.fail = true
            defer { CountAtCommit.fail = false }
            await #expect(throws: StoreError.self) {
                try await store.write { db in
                    try db.execute("INSERT INTO t (caller) VALUES (1)")
                    _ = db.preCommitWork(CountAtCommit.self)
                }
            }
            #expect(try await store.read { db in try db.queryValue("SELECT count(*) FROM t", as: Int.self) } == 0)
            // The next batch starts clean: no work left over from the failed one.
            CountAtCommit.fail = false
            try await store.write { db in try db.execute("INSERT INTO t (caller) VALUES (2)") }
            #expect(CountAtCommit.runs == 1)
            #expect(try await store.read { db in try db.queryValue("SELECT count(*) FROM summary", as: Int.self) } == 0)
        }
    }

    @Test func outsideTheWritersBatchesNothingIsDeferred() async throws {
        try await withStore { store, _ in
            try await schema(store)
            let inRead = try await store.read { db in db.preCommitWork(CountAtCommit.self) == nil }
            let inExclusive = try await store.withWriterConnection { db in db.preCommitWork(CountAtCommit.self) == nil }
            let inBatch = try await store.write { db in db.preCommitWork(CountAtCommit.self) != nil }
            #expect(inRead && inExclusive && inBatch)
        }
    }
}
