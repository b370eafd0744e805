import Testing
import Foundation
import Synchronization
import BahiStore

@Suite struct StoreTests {
    private static let schema = "CREATE TABLE t (id INTEGER PRIMARY KEY, caller INTEGER NOT NULL UNIQUE, note TEXT NOT NULL DEFAULT '') STRICT"

    private func createSchema(_ store: SQLiteStore) async throws {
        try await store.withWriterConnection { db in try db.execute(Self.schema) }
    }

    /// Runs `count` concurrent write calls; caller i inserts row i and throws when `throws(i)`.
    private func concurrentWrites(
        _ store: SQLiteStore, count: Int, rerunnable: @escaping @Sendable (Int) -> Bool = { _ in false },
        runs: RunCounter? = nil, throwingFirst: @escaping @Sendable (Int) -> Bool = { _ in false },
        throwing throwsFor: @escaping @Sendable (Int) -> Bool
    ) async -> [Int: Result<Int64, any Error>] {
        await withTaskGroup(of: (Int, Result<Int64, any Error>).self) { group in
            for caller in 0..<count {
                group.addTask {
                    do {
                        let id = try await store.write(rerunnable: rerunnable(caller)) { db -> Int64 in
                            runs?.count(caller)
                            if throwingFirst(caller) { throw Deliberate(caller: caller) }
                            try db.execute("INSERT INTO t (caller) VALUES (?)", [caller])
                            if throwsFor(caller) { throw Deliberate(caller: caller) }
                            return (db as! Connection).lastInsertRowID
                        }
                        return (caller, .success(id))
                    } catch {
                        return (caller, .failure(error))
                    }
                }
            }
            var results: [Int: Result<Int64, any Error>] = [:]
            for await (caller, result) in group { results[caller] = result }
            return results
        }
    }

    private func committedCallers(_ store: SQLiteStore) async throws -> Set<Int> {
        Set(try await store.read { db in try db.query("SELECT caller FROM t") { try $0[0] as Int } })
    }

    /// Every 7th caller throws: its row is absent and it got its own error; all others got
    /// their own row id and their rows are committed.
    private func checkEverySeventhThrows(_ results: [Int: Result<Int64, any Error>], committed: Set<Int>, count: Int) {
        #expect(results.count == count)
        var ids = Set<Int64>()
        for caller in 0..<count {
            switch results[caller] {
            case .success(let id):
                #expect(caller % 7 != 0, "caller \(caller) should have thrown")
                ids.insert(id)
            case .failure(let error):
                #expect(caller % 7 == 0, "caller \(caller) failed: \(error)")
                #expect(error as? Deliberate == Deliberate(caller: caller), "each thrower gets its own error")
            case nil:
                Issue.record("caller \(caller) got no result")
            }
        }
        let expected = Set((0..<count).filter { $0 % 7 != 0 })
        #expect(committed == expected)
        #expect(ids.count == expected.count, "every successful caller got its own row id")
    }

    @Test func groupCommitUnderConcurrencyKeepsEachCallersOutcome() async throws {
        try await withStore { store, _ in
            try await createSchema(store)
            let results = await concurrentWrites(store, count: 200) { $0 % 7 == 0 }
            checkEverySeventhThrows(results, committed: try await committedCallers(store), count: 200)
            let statistics = store.statistics
            #expect(statistics.calls >= 200)
            #expect(statistics.failedBatches == 0)
        }
    }

    @Test func twoHundredCallsInOneBatchWithThrowersInside() async throws {
        try await withStore { store, _ in
            try await createSchema(store)
            let before = store.statistics
            store.pauseWriterForTesting(true)
            async let results = concurrentWrites(store, count: 200) { $0 % 7 == 0 }
            try await waitUntil { store.queuedWriteCount == 200 }
            store.pauseWriterForTesting(false)
            checkEverySeventhThrows(await results, committed: try await committedCallers(store), count: 200)
            let after = store.statistics
            #expect(after.batches - before.batches == 1, "all 200 calls were one transaction")
            #expect(after.calls - before.calls == 200)
        }
    }

    @Test func rerunnableCallsInOneBatchStayIndependent() async throws {
        try await withStore { store, _ in
            try await createSchema(store)
            let before = store.statistics
            let runs = RunCounter()
            store.pauseWriterForTesting(true)
            // Mixed: every third caller is an ordinary call (its own savepoint, never re-run).
            async let results = concurrentWrites(store, count: 200, rerunnable: { $0 % 3 != 0 }, runs: runs) { $0 % 7 == 0 }
            try await waitUntil { store.queuedWriteCount == 200 }
            store.pauseWriterForTesting(false)
            checkEverySeventhThrows(await results, committed: try await committedCallers(store), count: 200)
            #expect(store.statistics.batches - before.batches == 1)
            let counts = runs.snapshot
            for caller in 0..<200 where caller % 3 == 0 {
                #expect(counts[caller] == 1, "ordinary call \(caller) ran \(counts[caller] ?? 0) times")
            }
            #expect(try await store.read { db in try db.queryValue("SELECT count(*) FROM t", as: Int.self) } == 200 - (0..<200).filter { $0 % 7 == 0 }.count)
        }
    }

    @Test func rerunnableCallsThatThrowBeforeChangingAnythingCauseNoReruns() async throws {
        try await withStore { store, _ in
            try await createSchema(store)
            let runs = RunCounter()
            store.pauseWriterForTesting(true)
            async let results = concurrentWrites(store, count: 100, rerunnable: { _ in true }, runs: runs, throwingFirst: { $0 % 5 == 0 }) { _ in false }
            try await waitUntil { store.queuedWriteCount == 100 }
            store.pauseWriterForTesting(false)
            let outcomes = await results
            for caller in 0..<100 {
                switch outcomes[caller] {
                case .success: #expect(caller % 5 != 0)
                case .failure(let error): #expect(error as? Deliberate == Deliberate(caller: caller))
                case nil: Issue.record("no outcome for \(caller)")
                }
            }
            #expect(runs.snapshot.values.allSatisfy { $0 == 1 }, "nobody ran twice")
            #expect(try await committedCallers(store) == Set((0..<100).filter { $0 % 5 != 0 }))
        }
    }

    @Test func batchesAreCappedAtTheConfiguredSize() async throws {
        try await withStore(SQLiteStore.Configuration(maxBatchSize: 16)) { store, _ in
            try await createSchema(store)
            let before = store.statistics
            store.pauseWriterForTesting(true)
            async let results = concurrentWrites(store, count: 40) { _ in false }
            try await waitUntil { store.queuedWriteCount == 40 }
            store.pauseWriterForTesting(false)
            #expect(await results.values.allSatisfy { (try? $0.get()) != nil })
            let after = store.statistics
            #expect(after.batches - before.batches == 3)  // 16 + 16 + 8
        }
    }

    @Test func failedCommitAcknowledgesNobody() async throws {
        try await withStore { store, _ in
            try await createSchema(store)
            store.pauseWriterForTesting(true)
            async let results = concurrentWrites(store, count: 50) { _ in false }
            try await waitUntil { store.queuedWriteCount == 50 }
            store.failNextCommitForTesting()
            store.pauseWriterForTesting(false)
            let outcomes = await results
            #expect(outcomes.count == 50)
            for (caller, outcome) in outcomes {
                switch outcome {
                case .success: Issue.record("caller \(caller) was acknowledged although COMMIT failed")
                case .failure(let error):
                    let storeError = error as? StoreError
                    #expect(storeError?.extendedCode == 531, "the commit's own error (SQLITE_CONSTRAINT_COMMITHOOK), got \(error)")
                }
            }
            #expect(try await committedCallers(store).isEmpty, "no row of the failed batch persisted")
            #expect(store.statistics.failedBatches == 1)

            // The writer is healthy afterwards.
            let id = try await store.write { db in
                try db.execute("INSERT INTO t (caller) VALUES (?)", [1000])
                return (db as! Connection).lastInsertRowID
            }
            #expect(id > 0)
            #expect(try await committedCallers(store) == [1000])
        }
    }

    @Test func writeClosuresCannotEndTheBatchTransaction() async throws {
        try await withStore { store, _ in
            try await createSchema(store)
            store.pauseWriterForTesting(true)
            let committer = Task {
                try await store.write { db in
                    try db.execute("INSERT INTO t (caller) VALUES (1)", [])
                    try db.execute("COMMIT", [])
                }
            }
            try await waitUntil { store.queuedWriteCount == 1 }
            let nester = Task {
                try await store.write { db in
                    try (db as! Connection).transaction { try db.execute("INSERT INTO t (caller) VALUES (2)", []) }
                }
            }
            try await waitUntil { store.queuedWriteCount == 2 }
            let sibling = Task { try await store.write { db in try db.execute("INSERT INTO t (caller) VALUES (3)", []) } }
            try await waitUntil { store.queuedWriteCount == 3 }
            store.pauseWriterForTesting(false)
            let committerError = await #expect(throws: StoreError.self) { try await committer.value }
            #expect(committerError?.isMisuse == true)
            let nesterError = await #expect(throws: StoreError.self) { try await nester.value }
            #expect(nesterError?.isMisuse == true)
            #expect(try await sibling.value == 1)
            #expect(try await committedCallers(store) == [3])
        }
    }

    @Test func closingAStoreConnectionInsideAClosureIsIgnored() async throws {
        try await withStore(SQLiteStore.Configuration(readerCount: 1)) { store, _ in
            try await createSchema(store)
            try await store.write { db in (db as! Connection).close(); try db.execute("INSERT INTO t (caller) VALUES (1)", []) }
            try await store.read { db in (db as! Connection).close() }
            try await store.write { db in try db.execute("INSERT INTO t (caller) VALUES (2)", []) }
            #expect(try await committedCallers(store) == [1, 2])
        }
    }

    @Test func readsSeeCommittedDataAndReadersAreReadOnlyWAL() async throws {
        try await withStore { store, _ in
            try await createSchema(store)
            #expect(try await store.read { try ($0 as! Connection).journalMode() } == "wal")
            #expect(try await store.withWriterConnection { try $0.journalMode() } == "wal")
            #expect(try await store.withWriterConnection { try $0.queryValue("PRAGMA synchronous", as: Int64.self) } == 2)
            for caller in 0..<10 {
                try await store.write { db in try db.execute("INSERT INTO t (caller, note) VALUES (?, ?)", [caller, "n\(caller)"]) }
                let seen = try await store.read { db in try db.queryValue("SELECT count(*) FROM t", as: Int64.self) }
                #expect(seen == Int64(caller + 1), "a read after write returned sees the write")
            }
            let refused = await #expect(throws: StoreError.self) {
                try await store.read { db in try db.execute("DELETE FROM t", []) }
            }
            #expect(refused?.isReadOnly == true)
        }
    }

    @Test func aReadSeesOneSnapshotWhileTheWriterCommits() async throws {
        try await withStore { store, _ in
            try await createSchema(store)
            try await store.write { db in try db.execute("INSERT INTO t (caller) VALUES (1)", []) }
            let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
            let proceed = DispatchSemaphore(value: 0)
            async let counts = store.read { db -> (Int64?, Int64?) in
                let before = try db.queryValue("SELECT count(*) FROM t", as: Int64.self)
                startedContinuation.yield()
                proceed.wait()  // blocks a reader thread, never the cooperative pool
                let after = try db.queryValue("SELECT count(*) FROM t", as: Int64.self)
                return (before, after)
            }
            for await _ in started { break }
            try await store.write { db in try db.execute("INSERT INTO t (caller) VALUES (2)", []) }
            let meanwhile = try await store.read { db in try db.queryValue("SELECT count(*) FROM t", as: Int64.self) }
            proceed.signal()
            let (before, after) = try await counts
            #expect(before == 1 && after == 1, "the open read kept its snapshot")
            #expect(meanwhile == 2, "another reader saw the new commit without waiting")
        }
    }

    @Test func backupWhileWritesContinueIsConsistent() async throws {
        try await withStore { store, directory in
            try await store.withWriterConnection { db in
                try db.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, payload TEXT NOT NULL) STRICT; CREATE INDEX log_writer ON log (writer)")
            }
            let stop = Stop()
            let payload = String(repeating: "x", count: 200)
            let writers = Task {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for writer in 0..<8 {
                        group.addTask {
                            var count = 0
                            while !stop.isSet {
                                try await store.write { db in
                                    try db.execute("INSERT INTO log (writer, payload) VALUES (?, ?)", [writer, payload])
                                }
                                count += 1
                            }
                            return count
                        }
                    }
                    return try await group.reduce(0, +)
                }
            }
            // Wait for committed rows, not for `statistics.calls` (counted when a batch starts).
            while try await store.read({ db in try db.queryValue("SELECT count(*) FROM log", as: Int64.self) ?? 0 }) < 2000 {
                try await Task.sleep(for: .milliseconds(5))
            }
            let destination = directory + "/backup.sqlite"
            let size = try await store.backup(to: destination)
            let callsAtBackupEnd = store.statistics.calls
            try await Task.sleep(for: .milliseconds(50))
            stop.set()
            let written = try await writers.value
            #expect(store.statistics.calls > callsAtBackupEnd || written > 0)

            let attributes = try FileManager.default.attributesOfItem(atPath: destination)
            #expect((attributes[.size] as? NSNumber)?.int64Value == size)
            #expect(size > 0)
            #expect(!FileManager.default.fileExists(atPath: destination + ".partial"))

            let copy = try Connection(path: destination)
            defer { copy.close() }
            #expect(try copy.queryValue("PRAGMA integrity_check", as: String.self) == "ok")
            let rows = try copy.queryValue("SELECT count(*) FROM log", as: Int64.self) ?? 0
            #expect(rows >= 2000 && rows <= Int64(written))
            #expect(try copy.queryValue("SELECT count(*) FROM log WHERE payload = ?", [payload], as: Int64.self) == rows)
        }
    }

    @Test func dataSurvivesCloseAndReopen() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/reopen.sqlite"
            let first = try await SQLiteStore(path: path)
            try await first.withWriterConnection { db in try db.execute(Self.schema) }
            try await first.write { db in try db.execute("INSERT INTO t (caller) VALUES (7)", []) }
            await first.close()
            let closed = await #expect(throws: StoreError.self) { try await first.write { _ in 1 } }
            #expect(closed?.isMisuse == true)
            await #expect(throws: StoreError.self) { try await first.read { _ in 1 } }

            let second = try await SQLiteStore(path: path, configuration: SQLiteStore.Configuration(readerCount: 1))
            #expect(try await second.read { db in try db.queryValue("SELECT caller FROM t", as: Int64.self) } == 7)
            await second.close()
        }
    }

    /// The writer's page cache is the configured size (readers keep SQLite's default): the
    /// setting reaches the one connection every write waits on.
    @Test func theWriterHasItsConfiguredPageCache() async throws {
        try await withTemporaryDirectory { directory in
            let store = try await SQLiteStore(path: directory + "/cache.sqlite", configuration: SQLiteStore.Configuration(readerCount: 1, writerCacheKiB: 8_192))
            #expect(try await store.write { db in try db.queryValue("PRAGMA cache_size", as: Int64.self) } == -8_192)
            #expect(try await store.read { db in try db.queryValue("PRAGMA cache_size", as: Int64.self) } == -2_000)
            await store.close()
        }
    }

    @Test func theWriterCheckpointsAtItsConfiguredWALSize() async throws {
        try await withTemporaryDirectory { directory in
            let store = try await SQLiteStore(path: directory + "/ckpt.sqlite", configuration: SQLiteStore.Configuration(readerCount: 1, checkpointPages: 2_500))
            #expect(try await store.write { db in try db.queryValue("PRAGMA wal_autocheckpoint", as: Int64.self) } == 2_500)
            await store.close()
            let defaults = try await SQLiteStore(path: directory + "/default.sqlite")
            #expect(try await defaults.write { db in try db.queryValue("PRAGMA wal_autocheckpoint", as: Int64.self) } == 10_000)
            await defaults.close()
        }
    }

    @Test func openingAStoreInAMissingDirectoryFails() async throws {
        let error = await #expect(throws: StoreError.self) {
            _ = try await SQLiteStore(path: "/nonexistent-bahi-dir/x/y.sqlite")
        }
        #expect(error?.message.contains("cannot open") == true)
    }
}

/// A flag the test sets once and writer tasks poll.
final class Stop: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

/// How many times each caller's write closure ran (a rerunnable one may run twice).
final class RunCounter: Sendable {
    private let runs = Mutex<[Int: Int]>([:])
    func count(_ caller: Int) { runs.withLock { $0[caller, default: 0] += 1 } }
    var snapshot: [Int: Int] { runs.withLock { $0 } }
}
