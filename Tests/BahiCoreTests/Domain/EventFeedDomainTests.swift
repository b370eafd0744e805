import Testing
import BahiStore
@testable import BahiCore

/// The event feed on both stores: events are listed in the order they were numbered, and on
/// PostgreSQL, where several nodes commit at once, a reader never passes a number that is
/// still in flight (events are numbered after commit, one sequencer at a time).
@Suite struct EventFeedDomainTests {
    static func append(_ db: any Database, _ entity: String) throws {
        try EventLog.append(db, NewEvent(SystemEvents.keyRevoked, entityID: entity, payload: [:]), actor: "test", at: 1_000)
    }

    @Test func eventsAreListedOnceNumberedInTheOrderTheyCommitted() async throws {
        try await onEveryStore { harnessStore in
            // The bare store, which does not number events after each write as the harness's does.
            let store: any DataStore = (harnessStore as? SequencedStore)?.base ?? harnessStore
            try await store.write { db in
                try Self.append(db, "key_a")
                try Self.append(db, "key_b")
            }
            try await store.write { db in try Self.append(db, "key_c") }
            let numbered = try await store.write { db in try EventLog.numberPending(db) }
            #expect(numbered == (store.dialect == .postgres ? 3 : 0))
            #expect(try await store.write { db in try EventLog.numberPending(db) } == 0)
            #expect(try await store.read { db in try EventLog.hasPending(db) } == false)
            let events = try await store.read { db in try EventLog.list(db, after: 0, type: nil, limit: 10) }
            #expect(events.map(\.entityID) == ["key_a", "key_b", "key_c"])
            #expect(events.map(\.seq) == [1, 2, 3])
            #expect(try await store.read { db in try EventLog.latestSeq(db) } == 3)
        }
    }

    /// The interleaving the issue names, forced with two raw connections: A inserts its event
    /// first but commits last; B inserts after A and commits first. Numbered at insert, A's
    /// event would carry the lower number and appear after a reader had passed B's; numbered
    /// after commit, it gets the next number and the reader sees it.
    @Test func aReaderNeverPassesAnEventStillInFlight() async throws {
        try await onPostgres { store, conninfo in
            let a = try PostgresConnection(conninfo: conninfo)
            let b = try PostgresConnection(conninfo: conninfo)
            try a.execute("BEGIN")
            try Self.append(a, "key_first_in")
            try b.execute("BEGIN")
            try Self.append(b, "key_second_in")
            try b.execute("COMMIT")
            // A is still in flight. Its row exists, with an earlier insert position than B's.
            let positions = try b.query("SELECT entity_id, position FROM events ORDER BY position") { row in try row["entity_id"] as String }
            #expect(positions == ["key_second_in"])  // A's row is invisible until it commits
            #expect(try await store.write { db in try EventLog.numberPending(db) } == 1)
            var cursor: Int64 = 0
            var seen: [String] = []
            func readFeed() async throws {
                let after = cursor
                let page = try await store.read { db in try EventLog.list(db, after: after, type: nil, limit: 100) }
                for event in page {
                    #expect(event.seq > cursor)
                    cursor = event.seq
                    seen.append(event.entityID)
                }
            }
            try await readFeed()
            #expect(seen == ["key_second_in"])
            #expect(cursor == 1)

            try a.execute("COMMIT")
            let order = try b.query("SELECT entity_id FROM events ORDER BY position") { row in try row["entity_id"] as String }
            #expect(order == ["key_first_in", "key_second_in"])  // A really was inserted first
            // Committed but not yet numbered: invisible to the feed, never skipped.
            try await readFeed()
            #expect(seen == ["key_second_in"])
            #expect(try await store.read { db in try EventLog.hasPending(db) })
            #expect(try await store.write { db in try EventLog.numberPending(db) } == 1)
            try await readFeed()
            #expect(seen == ["key_second_in", "key_first_in"])
            #expect(cursor == 2)
        }
    }

    /// Sequencers on several nodes at once never hand out a number twice or below one a
    /// reader has seen: they serialise, and every event gets exactly one number.
    @Test func concurrentSequencersNumberEveryEventOnce() async throws {
        try await onPostgres { store, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for i in 0..<25 {
                            try await store.write { db in try Self.append(db, "key_\(writer)_\(i)") }
                            if i % 5 == 0 { try await store.write { db in _ = try EventLog.numberPending(db) } }
                        }
                    }
                }
                for _ in 0..<2 {
                    group.addTask {
                        for _ in 0..<20 { try await store.write { db in _ = try EventLog.numberPending(db) } }
                    }
                }
                try await group.waitForAll()
            }
            try await store.write { db in _ = try EventLog.numberPending(db) }
            let events = try await store.read { db in try EventLog.list(db, after: 0, type: nil, limit: 1000) }
            #expect(events.count == 100)
            #expect(events.map(\.seq) == Array(1...100))
            #expect(Set(events.map(\.entityID)).count == 100)
        }
    }

    @Test func aLeaseIsHeldByOneNodeUntilItExpiresOrIsReleased() async throws {
        try await onEveryStore { store in
            let name = "expiries"
            #expect(try await store.write { db in try Leases.acquire(db, name: name, holder: "node-a", now: 1_000, ttlMilliseconds: 5_000) })
            #expect(try await store.write { db in try Leases.acquire(db, name: name, holder: "node-b", now: 2_000, ttlMilliseconds: 5_000) } == false)
            // A renews; B still cannot take it until A's renewed lease runs out.
            #expect(try await store.write { db in try Leases.acquire(db, name: name, holder: "node-a", now: 4_000, ttlMilliseconds: 5_000) })
            #expect(try await store.write { db in try Leases.acquire(db, name: name, holder: "node-b", now: 8_999, ttlMilliseconds: 5_000) } == false)
            #expect(try await store.read { db in try Leases.holder(db, name: name, now: 8_999) } == "node-a")
            // A died: once its lease has expired, B takes the job over, and A cannot renew.
            #expect(try await store.write { db in try Leases.acquire(db, name: name, holder: "node-b", now: 9_000, ttlMilliseconds: 5_000) })
            #expect(try await store.write { db in try Leases.acquire(db, name: name, holder: "node-a", now: 9_500, ttlMilliseconds: 5_000) } == false)
            // B stops cleanly: the lease is free at once.
            try await store.write { db in try Leases.release(db, name: name, holder: "node-b") }
            #expect(try await store.read { db in try Leases.holder(db, name: name, now: 9_600) } == nil)
            #expect(try await store.write { db in try Leases.acquire(db, name: name, holder: "node-a", now: 9_600, ttlMilliseconds: 5_000) })
        }
    }

    /// Two nodes racing for a free lease at the same moment: exactly one wins.
    @Test func racingNodesTakeALeaseOnce() async throws {
        try await onEveryStore { store in
            for round in 0..<10 {
                let now = Int64(round) * 100_000
                let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for node in 0..<4 {
                        group.addTask {
                            try await store.write { db in try Leases.acquire(db, name: "race", holder: "node-\(node)-\(round)", now: now, ttlMilliseconds: 50_000) }
                        }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(winners == 1)
            }
        }
    }
}
