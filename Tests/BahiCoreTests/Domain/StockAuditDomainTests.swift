import Testing
import BahiStore
@testable import BahiCore
@testable import BahiSeed

/// The stock audit from its checkpoint (`StockAudit`), on every store: drift after the
/// checkpoint shows in the fast audit, drift hidden below it (a movement or a checkpoint row
/// changed behind Bahi's back) shows in the full one, and the two agree on a random history.
/// (The drift is written with SQL on purpose: no service would write it.)
@Suite struct StockAuditDomainTests {
    static let now = StockDomainTests.now

    /// A random history of receipts, adjustments, damage, transfers, holds and releases over
    /// two SKUs at two locations; every change goes through the services, so the ledger is
    /// clean. `random` decides; the same generator state gives the same history.
    static func history(_ db: any Database, steps: Int, _ random: inout some RandomNumberGenerator) throws {
        let skus = ["TEE", "MUG"], locations = ["SURAT", "JAIPUR"]
        var holds: [String] = []
        for _ in 0..<steps {
            let sku = skus.randomElement(using: &random) ?? "TEE", location = locations.randomElement(using: &random) ?? "SURAT"
            let request: Movements.Request
            switch Int.random(in: 0..<6, using: &random) {
            case 0: request = .adjust(delta: -Int64.random(in: 1...3, using: &random))
            case 1: request = .damage(qty: Int64.random(in: 1...2, using: &random))
            case 2: request = .transfer(qty: Int64.random(in: 1...4, using: &random), to: location == "SURAT" ? "JAIPUR" : "SURAT")
            case 3:
                let qty = Int64.random(in: 1...3, using: &random)
                // Refused when the stock is short: in a savepoint, so PostgreSQL's transaction goes on.
                if let hold = try? db.savepoint("hold", { try Holds.place(db, channel: "web", lines: [Holds.Line(sku: sku, qty: qty)], ttlSeconds: 900,
                                                                           reference: nil, actor: "test", now: now) }) {
                    holds.append(hold.id)
                }
                continue
            case 4:
                if let id = holds.popLast() { _ = try Holds.release(db, id: id, actor: "test", now: now) }
                continue
            default: request = .receive(qty: Int64.random(in: 1...20, using: &random))
            }
            // A change the stock cannot take (more than is there) is refused and leaves no row.
            _ = try? db.savepoint("step") { try Movements.record(db, sku: sku, location: location, request: request, reason: nil, reference: nil, actor: "test", now: now) }
        }
    }

    static func audit(_ store: any DataStore, full: Bool) async throws -> StockAudit.Report {
        try await store.read { db in try StockAudit.run(db, full: full) }
    }

    static func prepared(_ store: any DataStore) async throws {
        try await store.write { db in
            try StockDomainTests.seed(db)
            try StockDomainTests.receive(db, "TEE", 50)
            try StockDomainTests.receive(db, "MUG", at: "JAIPUR", 30)
        }
    }

    @Test func driftAfterTheCheckpointIsReportedByTheFastAudit() async throws {
        try await onEveryStore { store in
            try await Self.prepared(store)
            let written = try await StockAudit.advance(store, minimumTail: 1, now: Self.now)
            guard case .written(let through, let sums) = written else { Issue.record("no checkpoint: \(written)"); return }
            #expect(sums == 2)
            #expect(try await Self.audit(store, full: false) == StockAudit.Report(drift: [], from: through, full: false))
            // More movements after it: still clean, the tail added.
            try await store.write { db in try StockDomainTests.receive(db, "TEE", at: "JAIPUR", 7) }
            #expect(try await Self.audit(store, full: false).drift.isEmpty)
            try await store.write { db in try db.perform("UPDATE stock_levels SET on_hand = on_hand + 1 WHERE sku = 'TEE' AND location = 'SURAT'") }
            let fast = try await Self.audit(store, full: false), full = try await Self.audit(store, full: true)
            #expect(fast.from == through)
            #expect(fast.drift == ["TEE@SURAT: level on_hand 51, reserved 0, damaged 0; ledger says 50, 0, 0"])
            #expect(full.drift == fast.drift)
            // A checkpoint is never written over drift.
            try await store.write { db in try StockDomainTests.receive(db, "MUG", 1) }
            #expect(try await StockAudit.advance(store, minimumTail: 1, now: Self.now) == .drift(fast.drift))
            #expect(try await store.read { db in try StockRecords.latestCheckpoint(db) } == through)
        }
    }

    @Test func driftBelowTheCheckpointIsReportedByTheFullAudit() async throws {
        try await onEveryStore { store in
            try await Self.prepared(store)
            guard case .written(let through, _) = try await StockAudit.advance(store, minimumTail: 1, now: Self.now) else {
                Issue.record("no checkpoint"); return
            }
            try await store.write { db in try StockDomainTests.receive(db, "TEE", 5) }
            // A movement at or below the checkpoint changed: the levels still equal the
            // checkpoint plus the tail, so only the full audit sees it.
            try await store.write { db in
                try db.perform("UPDATE stock_movements SET on_hand_delta = on_hand_delta + 2 WHERE id = (SELECT MIN(id) FROM stock_movements WHERE sku = 'TEE')")
            }
            #expect(try await Self.audit(store, full: false).drift.isEmpty)
            let full = try await Self.audit(store, full: true)
            #expect(full.from == 0 && full.full)
            #expect(full.drift == [
                "TEE@SURAT: level on_hand 55, reserved 0, damaged 0; ledger says 57, 0, 0",
                "checkpoint through movement \(through), TEE@SURAT: checkpoint on_hand 50, reserved 0, damaged 0; movements up to it add up to 52, 0, 0",
            ])
            // Put right, then a checkpoint row corrupted instead: again only the full audit sees it.
            try await store.write { db in
                try db.perform("UPDATE stock_movements SET on_hand_delta = on_hand_delta - 2 WHERE id = (SELECT MIN(id) FROM stock_movements WHERE sku = 'TEE')")
                try db.perform("UPDATE stock_audit_checkpoints SET reserved = 3 WHERE sku = 'MUG'")
            }
            #expect(try await Self.audit(store, full: false).drift == ["MUG@JAIPUR: level on_hand 30, reserved 0, damaged 0; ledger says 30, 3, 0"])
            #expect(try await Self.audit(store, full: true).drift == [
                "checkpoint through movement \(through), MUG@JAIPUR: checkpoint on_hand 30, reserved 3, damaged 0; movements up to it add up to 30, 0, 0",
            ])
            // A checkpoint row deleted: the full audit names the sum it lacks.
            try await store.write { db in try db.perform("DELETE FROM stock_audit_checkpoints WHERE sku = 'MUG'") }
            #expect(try await Self.audit(store, full: true).drift == [
                "checkpoint through movement \(through), MUG@JAIPUR: checkpoint on_hand 0, reserved 0, damaged 0; movements up to it add up to 30, 0, 0",
            ])
        }
    }

    @Test func theFastAuditAgreesWithTheFullOneOnARandomHistory() async throws {
        try await onEveryStore { store in
            // A failing history is replayed from the seed the message names.
            let seed = UInt64.random(in: 0...UInt64.max)
            var random = SeedRandom(seed)
            try await Self.prepared(store)
            var checkpoints: [Int64] = []
            for round in 0..<4 {
                let start = random
                random = try await store.write { db in
                    var generator = start
                    try Self.history(db, steps: 40, &generator)
                    return generator
                }
                if round < 3, case .written(let through, _) = try await StockAudit.advance(store, minimumTail: 1, now: Self.now) { checkpoints.append(through) }
                let fast = try await Self.audit(store, full: false), full = try await Self.audit(store, full: true)
                #expect(fast.drift.isEmpty && full.drift.isEmpty, "seed \(seed) round \(round): \(fast.drift) \(full.drift)")
            }
            #expect(checkpoints.count == 3 && checkpoints == checkpoints.sorted(), "seed \(seed): \(checkpoints)")
            // Only the newest is kept, and its sums are the movements' up to it.
            #expect(try await store.read { db in try StockRecords.checkpoints(db) } == [checkpoints.last ?? -1])
            // Drift in a random level: both audits name the same level the same way.
            try await store.write { db in
                try db.perform("UPDATE stock_levels SET damaged = damaged + 1 WHERE sku = 'TEE' AND location = 'SURAT'")
            }
            let fast = try await Self.audit(store, full: false), full = try await Self.audit(store, full: true)
            #expect(fast.drift.count == 1 && fast.drift == full.drift, "seed \(seed)")
        }
    }

    @Test func aCheckpointTakenWhileStockMovesStaysCorrect() async throws {
        try await onEveryStore { store in
            try await Self.prepared(store)
            // Writers receiving stock all the while checkpoints are taken.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for _ in 0..<25 {
                            try await store.write { db in try StockDomainTests.receive(db, writer % 2 == 0 ? "TEE" : "MUG", at: writer < 2 ? "SURAT" : "JAIPUR", 1) }
                        }
                    }
                }
                group.addTask {
                    for _ in 0..<8 {
                        let outcome = try await StockAudit.advance(store, minimumTail: 1, now: Self.now)
                        if case .drift(let drift) = outcome { Issue.record("drift while writing: \(drift)") }
                    }
                }
                try await group.waitForAll()
            }
            try await store.write { db in try StockDomainTests.receive(db, "TEE", 3) }
            #expect(try await StockAudit.advance(store, minimumTail: 1, now: Self.now) != .busy)
            try await store.write { db in try StockDomainTests.receive(db, "MUG", 2) }
            let fast = try await Self.audit(store, full: false), full = try await Self.audit(store, full: true)
            #expect(fast.from > 0)
            #expect(fast.drift.isEmpty && full.drift.isEmpty, "\(fast.drift) \(full.drift)")
            let totals = try await store.read { db in (try StockDomainTests.totals(db, "TEE").onHand, try StockDomainTests.totals(db, "MUG").onHand) }
            #expect(totals.0 == 50 + 50 + 3 && totals.1 == 30 + 50 + 2)
        }
    }

    @Test func aStoreWithoutACheckpointIsAuditedFromTheFirstMovement() async throws {
        try await onEveryStore { store in
            try await Self.prepared(store)
            #expect(try await StockAudit.advance(store, minimumTail: 3, now: Self.now) == .current(through: 0))
            #expect(try await Self.audit(store, full: false) == StockAudit.Report(drift: [], from: 0, full: false))
            try await store.write { db in try db.perform("UPDATE stock_levels SET reserved = 1 WHERE sku = 'MUG'") }
            #expect(try await Self.audit(store, full: false).drift == ["MUG@JAIPUR: level on_hand 30, reserved 1, damaged 0; ledger says 30, 0, 0"])
        }
    }
}
