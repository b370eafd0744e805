import Testing
@testable import BahiCore
import BahiStore

/// The stored packing queue (`fulfilment_queue`) on every store: after a random mix of the
/// flows that change it (orders placed prepaid, unpaid and COD on two channels across two
/// locations; payments, holds, releases, cancels, edits, packs, pick lists), the queue read
/// from the indexes is exactly `FulfilmentPriority.sort` (the pure reference) over what the
/// orders and shipments themselves say — at several moments (the SLA passing), for one
/// location and all, for several limits, under several priority rules (adopted, and not yet
/// adopted); its count is the reference's, and each location's stored count is its number of
/// rows after every step; and `bahi check`'s queue invariants hold, and fail when the queue or
/// its counts are tampered with.
@Suite struct FulfilmentQueueDomainTests {
    static let now = OrderDomainTests.now
    static let hour: Int64 = 3_600_000

    /// A deterministic generator (SplitMix64), so a failure repeats.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D4_9BB1_3311_EB01
            return z ^ (z >> 31)
        }
    }

    /// Surat and Ahmedabad; web and amazon; TEE stocked only in Surat, MUG only in Ahmedabad,
    /// CAP in both (so an order may ship in two parcels).
    static func seed(_ db: any Database) throws {
        try OrderDomainTests.seed(db, stock: 1_000)
        _ = try LocationCatalog.put(db, code: "AMD", fields: LocationFields(name: "Ahmedabad", pincode: "380001"), actor: "t", now: now)
        _ = try ChannelCatalog.put(db, code: "amazon", fields: ChannelFields(name: "Amazon", kind: .marketplace), actor: "t", now: now)
        _ = try Movements.record(db, sku: "MUG", location: "SURAT", request: .adjust(delta: -1_000), reason: "count", reference: "t", actor: "t", now: now)
        _ = try Movements.record(db, sku: "MUG", location: "AMD", request: .receive(qty: 1_000), reason: nil, reference: "PO", actor: "t", now: now)
        var cap = SKUFields(name: "CAP", mrpPaise: 200_000, pricePaise: 100_000)
        cap.hsn = "6505"
        cap.gstRateBps = 500
        _ = try SKUCatalog.put(db, code: "CAP", fields: cap, actor: "t", now: now)
        for location in ["SURAT", "AMD"] {
            _ = try Movements.record(db, sku: "CAP", location: location, request: .receive(qty: 1_000), reason: nil, reference: "PO", actor: "t", now: now)
        }
    }

    /// The queue as the orders and shipments say it, sorted by the reference: every pending
    /// shipment (at `location`, or anywhere) of an order confirmed or in fulfilment.
    static func reference(_ db: any Database, orders: [String], location: String?, rules: FulfilmentPriorityRules, at: Int64) throws -> [String] {
        var items: [QueueItem] = []
        for id in orders {
            let order = try #require(try OrderDetails.find(db, id: id, history: false))
            guard order.status == .confirmed || order.status == .inFulfilment else { continue }
            for shipment in order.shipments where shipment.status == .pending && (location == nil || shipment.location == location) {
                items.append(QueueItem(shipmentID: shipment.id, orderID: id, channel: order.channel, paymentMethod: order.paymentMethod.rawValue,
                                       orderValuePaise: order.totals.totalPaise, createdAt: order.createdAt,
                                       express: rules.expressChannels.contains(order.channel)))
            }
        }
        return FulfilmentPriority.sort(items, rules: rules, now: at).map(\.shipmentID)
    }

    static let variants = [
        FulfilmentPriorityRules(),
        FulfilmentPriorityRules(prepaidFirst: false, expressChannels: ["amazon"], slaHours: 24),
        FulfilmentPriorityRules(prepaidFirst: true, expressChannels: ["amazon"], slaHours: 48),
    ]

    /// What the checks saw, so the test can prove it exercised both halves of the queue.
    struct Seen {
        var breached = 0
        var fresh = 0
        var waiting = 0
    }

    static func queueViolations(_ db: any Database) throws -> [String] {
        try InvariantRegistry.all.filter { $0.name.hasPrefix("the packing queue") }.flatMap { try $0.check(db) }
    }

    /// Each location's rows in the queue, counted.
    static func rowsPerLocation(_ db: any Database) throws -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: try db.query("SELECT location, COUNT(*) AS n FROM fulfilment_queue GROUP BY location", []) { row in
            (try row["location"] as String, try row["n"] as Int64)
        })
    }

    /// Each location's stored count as `PackingQueue.count` reads it, against its rows; and the
    /// invariant sees nothing wrong. Returns the counts.
    @discardableResult
    static func expectCountsKept(_ db: any Database, _ context: String) throws -> [String: Int64] {
        let rows = try rowsPerLocation(db)
        var stored: [String: Int64] = [:]
        for location in ["SURAT", "AMD"] {
            stored[location] = try PackingQueue.count(db, location: location)
            #expect(stored[location] == rows[location, default: 0], "\(db.dialect) \(context): \(location)")
        }
        #expect(Set(rows.keys).isSubset(of: ["SURAT", "AMD"]))
        #expect(try PackingQueue.countProblems(db) == [], "\(db.dialect) \(context)")
        return stored
    }

    /// The indexed queue against the reference, every way it is read.
    static func check(_ db: any Database, orders: [String], seen: inout Seen) throws {
        for rules in variants {
            try FulfilmentQueue.adopt(db, rules: rules)
            #expect(try PackingQueue.storedRules(db) == PackingQueue.ClassRules(rules))
            for at in [now, now + 20 * hour, now + 200 * hour] {
                for location in ["SURAT", "AMD", nil] {
                    let expected = try reference(db, orders: orders, location: location, rules: rules, at: at)
                    for limit in [1, 3, 1_000] {
                        let got = try FulfilmentQueue.entries(db, location: location, limit: limit, rules: rules, now: at).map(\.item.shipmentID)
                        #expect(got == Array(expected.prefix(limit)), "\(db.dialect) \(rules) at \(at) \(location ?? "all") limit \(limit)")
                    }
                    #expect(try FulfilmentQueue.count(db, location: location) == Int64(expected.count))
                    if let location, at == now {
                        let cutoff = try #require(FulfilmentPriority.breachCutoff(now: at, rules: rules))
                        seen.breached += try PackingQueue.top(db, location: location, limit: 1_000, breachedUpTo: cutoff).filter { $0.orderCreatedAt <= cutoff }.count
                        seen.fresh += try PackingQueue.top(db, location: location, limit: 1_000, breachedUpTo: cutoff).filter { $0.orderCreatedAt > cutoff }.count
                        seen.waiting += expected.count
                    }
                }
            }
        }
        // Rules this node has not adopted yet (the stored classes follow the last variant):
        // the reference sort over the stored rows gives the same queue.
        let unadopted = FulfilmentPriorityRules(prepaidFirst: false, expressChannels: ["web"], slaHours: 30)
        #expect(try PackingQueue.storedRules(db) != PackingQueue.ClassRules(unadopted))
        for location in ["SURAT", "AMD", nil] {
            let expected = try reference(db, orders: orders, location: location, rules: unadopted, at: now)
            #expect(try FulfilmentQueue.entries(db, location: location, limit: 1_000, rules: unadopted, now: now).map(\.item.shipmentID) == expected)
            #expect(try FulfilmentQueue.entries(db, location: location, limit: 2, rules: unadopted, now: now).map(\.item.shipmentID) == Array(expected.prefix(2)))
        }
        #expect(try queueViolations(db) == [])
    }

    @Test func theStoredQueueIsTheReferenceAfterARandomMixOfFlows() async throws {
        try await onEveryStore { store in
            try await store.write { db in try Self.randomMix(db) }
        }
    }

    /// The body of the test above, in one transaction: a plain function, not a closure.
    static func randomMix(_ db: any Database) throws {
        try Self.seed(db)
        var rng = SplitMix(state: 0x15_0004)
        var orders: [String] = []
        var seen = Seen()
        var done: [String: Int] = [:]
        let policy = OrderDomainTests.policy
        func load(_ id: String) throws -> Order { try #require(try OrderDetails.find(db, id: id, history: false)) }
        func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[Int.random(in: 0..<items.count, using: &rng)] }
        func placed(_ wanted: (Order) -> Bool) throws -> [Order] { try orders.map(load).filter(wanted) }
        var counts = try Self.expectCountsKept(db, "seeded")
        for step in 0..<150 {
            let at = Self.now + Int64(step)
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<35:
                var lines: [OrderDraft.Line] = []
                for sku in ["TEE", "MUG", "CAP"] where Bool.random(using: &rng) {
                    lines.append(OrderDraft.Line(sku: sku, qty: Int64.random(in: 1...2, using: &rng), unitPricePaise: pick([49_900, 99_900]) ?? 49_900))
                }
                if lines.isEmpty { lines = [OrderDraft.Line(sku: "CAP", qty: 1, unitPricePaise: 49_900)] }
                var draft = OrderDomainTests.draft("R-\(step)", lines: lines)
                draft.channel = pick(["web", "amazon"]) ?? "web"
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: draft.paid = false
                case 1: draft.paymentMethod = .cod; draft.paid = false; draft.gateway = nil; draft.gatewayOrderID = nil
                default: break
                }
                // Placed on a coarse grid of hours in the last two days, so ages tie.
                let placedAt = Self.now - Int64.random(in: 0...8, using: &rng) * 6 * Self.hour
                orders.append(try PlaceOrderFlow.place(db, draft: draft, policy: policy, actor: "t", now: placedAt).order.id)
                done["place", default: 0] += 1
            case 35..<45:
                guard let order = pick(try placed { $0.status == .pendingPayment }) else { continue }
                _ = try ConfirmOrderFlow.recordPayment(db, id: order.id, payment: .init(amountPaise: order.totals.totalPaise, status: .captured,
                                                                                       gateway: "razorpay", gatewayPaymentID: "pay_\(step)"),
                                                       actor: "t", now: at)
                done["pay", default: 0] += 1
            case 45..<55:
                guard let order = pick(try placed { $0.status == .confirmed }) else { continue }
                _ = try ConfirmOrderFlow.hold(db, id: order.id, reason: .customerRequest, note: nil, actor: "t", now: at)
                done["hold", default: 0] += 1
            case 55..<63:
                guard let order = pick(try placed { $0.status == .onHold }) else { continue }
                _ = try ConfirmOrderFlow.confirm(db, id: order.id, note: nil, actor: "t", now: at)
                done["release", default: 0] += 1
            case 63..<70:
                guard let order = pick(try placed { [.confirmed, .onHold, .pendingPayment, .inFulfilment].contains($0.status) }) else { continue }
                _ = try CancelOrderFlow.cancel(db, id: order.id, reason: .customer, note: nil, actor: "t", now: at)
                done["cancel", default: 0] += 1
            case 70..<80:
                let packable = try placed { $0.status == .confirmed || $0.status == .inFulfilment }
                    .flatMap { order in order.shipments.filter { $0.status == .pending } }
                guard let shipment = pick(packable) else { continue }
                let scans = shipment.lines.flatMap { Array(repeating: $0.stockSKU, count: Int($0.qty)) }
                _ = try PackShipmentFlow.pack(db, shipmentID: shipment.id, package: .init(weightG: 500, lengthMM: 300, widthMM: 200, heightMM: 100),
                                              scanned: scans, policy: policy, actor: "t", now: at)
                done["pack", default: 0] += 1
            case 80..<88:
                let location = pick(["SURAT", "AMD"]) ?? "SURAT"
                guard try FulfilmentQueue.count(db, location: location) > 0 else { continue }
                _ = try PicklistFlow.create(db, location: location, shipmentIDs: nil, limit: Int.random(in: 1...3, using: &rng),
                                            rules: FulfilmentPriorityRules(), actor: "t", now: at)
                done["picklist", default: 0] += 1
            default:
                let editable = try placed { ($0.status == .confirmed || $0.status == .onHold) && !$0.shipments.contains { $0.status.isPackedOrLater } }
                guard let order = pick(editable) else { continue }
                let lines = order.lines.map { OrderDraft.Line(sku: $0.sku, qty: $0.qty == 1 ? 3 : 1, unitPricePaise: $0.unitPricePaise) }
                _ = try EditOrderFlow.edit(db, id: order.id, OrderTransitions.EditInput(version: order.version, lines: lines), policy: policy,
                                           actor: "t", now: at)
                done["edit", default: 0] += 1
            }
            // The counts follow every step; note a step that took rows away at both locations
            // at once (one order's parcels at each: a single delete counted per location).
            let before = counts
            counts = try Self.expectCountsKept(db, "step \(step)")
            if counts.allSatisfy({ $0.value < before[$0.key, default: 0] }) { done["removed at both locations", default: 0] += 1 }
            if step % 50 == 49 { try Self.check(db, orders: orders, seen: &seen) }
        }
        // Every kind of change happened, and the checks saw both halves of the queue.
        for kind in ["place", "pay", "hold", "release", "cancel", "pack", "picklist", "edit", "removed at both locations"] {
            #expect(done[kind, default: 0] > 0, "no \(kind)")
        }
        #expect(seen.breached > 0 && seen.fresh > 0 && seen.waiting == seen.breached + seen.fresh)

        // The audit catches a count that disagrees with the rows: one too many, a location's
        // row missing, a location without rows that counts some; a row at 0 is no problem.
        #expect(counts["SURAT", default: 0] > 0 && counts["AMD", default: 0] > 0)
        try db.perform("UPDATE fulfilment_queue_counts SET waiting = waiting + 1 WHERE location = 'SURAT'")
        #expect(try PackingQueue.countProblems(db) == ["location SURAT has \(counts["SURAT", default: 0]) shipments in the queue but its count says \(counts["SURAT", default: 0] + 1)"])
        #expect(try Self.queueViolations(db).count == 1)
        try db.perform("UPDATE fulfilment_queue_counts SET waiting = waiting - 1 WHERE location = 'SURAT'")
        try db.perform("DELETE FROM fulfilment_queue_counts WHERE location = 'AMD'")
        #expect(try Self.queueViolations(db).count == 1)
        #expect(try PackingQueue.count(db, location: "AMD") == 0)
        try PackingQueueRecords.addToCount(db, location: "AMD", counts["AMD", default: 0])
        try PackingQueueRecords.addToCount(db, location: "NOWHERE", 2)
        #expect(try Self.queueViolations(db).count == 1)
        try PackingQueueRecords.addToCount(db, location: "NOWHERE", -2)
        #expect(try Self.queueViolations(db) == [])

        // The audit catches a queue that disagrees with its sources.
        let row = try #require(try PackingQueue.everyRow(db).first)
        try db.perform("UPDATE fulfilment_queue SET priority_class = priority_class + 10 WHERE shipment_id = ?1", binding: row.shipmentID)
        #expect(try Self.queueViolations(db).count == 1)
        // A row deleted behind the records' back: missing, and its location's count is one too many.
        try db.perform("DELETE FROM fulfilment_queue WHERE shipment_id = ?1", binding: row.shipmentID)
        #expect(try Self.queueViolations(db).count == 2)
        #expect(try PackingQueue.countProblems(db).count == 1)
        try db.perform("UPDATE fulfilment_queue SET value_paise = value_paise + 1")
        // Every waiting shipment is now stale or missing (the audit names at most 50), and the count still off.
        #expect(try Self.queueViolations(db).count == min(50, try PackingQueue.everyRow(db).count + 1) + 1)
    }

    /// Migration 20 (PostgreSQL 15) fills the queue of a store that had none with exactly the
    /// rows the flows keep: taken back to version 19 (the queue's tables dropped), migrated
    /// again, it holds what it held before.
    @Test func theMigrationBackfillsWhatTheFlowsKeep() async throws {
        try await onEveryStore { store in
            let kept = try await store.write { db -> [WaitingShipment] in
                try Self.placeSome(db)
                return try PackingQueue.everyRow(db)
            }
            #expect(kept.count >= 4)  // two confirmed orders at least, each in two parcels
            let version = store.dialect == .sqlite ? 20 : 15
            try await store.write { db in
                try db.perform("DROP TABLE fulfilment_queue")
                try db.perform("DROP TABLE fulfilment_queue_rules")
                try db.perform("CREATE INDEX shipments_pending_location ON shipments (location, id) WHERE status = 'pending'")
                try db.perform("DELETE FROM schema_migrations WHERE version >= ?1", binding: Int64(version))
            }
            // The store as it stood at version 19, brought to 20 alone (later migrations are
            // other changes, already applied here).
            let upTo = BahiSchema.migrator(for: store.dialect).migrations.filter { $0.version <= version }
            let applied = try await store.migrate(Migrator(upTo))
            #expect(applied.map(\.version) == [version])
            let backfilled = try await store.read { db in try PackingQueue.everyRow(db) }
            #expect(backfilled == kept)
            #expect(try await store.read { db in try Self.queueViolations(db) } == [])
        }
    }

    /// Migration 26 (PostgreSQL 21) counts the queue of a store that had no counts exactly as
    /// the flows keep them: the counts after intake, payment, hold, cancel and a pack (rows
    /// leaving one at a time and by order), dropped with the migration's record and migrated
    /// again, come back the same (rows at 0 aside: the backfill writes none).
    @Test func theCountsMigrationBackfillsWhatTheFlowsKeep() async throws {
        try await onEveryStore { store in
            let kept = try await store.write { db -> [String] in
                try Self.placeSome(db)
                let shipment = try #require(try PackingQueue.everyRow(db).first { $0.location == "SURAT" })
                let order = try #require(try OrderDetails.find(db, id: shipment.orderID, history: false))
                let lines = try #require(order.shipments.first { $0.id == shipment.shipmentID }).lines
                _ = try PackShipmentFlow.pack(db, shipmentID: shipment.shipmentID, package: .init(weightG: 500, lengthMM: 300, widthMM: 200, heightMM: 100),
                                              scanned: lines.flatMap { Array(repeating: $0.stockSKU, count: Int($0.qty)) }, policy: OrderDomainTests.policy,
                                              actor: "t", now: Self.now)
                try Self.expectCountsKept(db, "before the migration")
                return try Self.storedCounts(db)
            }
            #expect(kept.count == 2)  // both locations wait
            let version = store.dialect == .sqlite ? 26 : 21
            // The migrator applies what follows the newest recorded version: that one's record
            // and every later one's go (the later ones run again, as on a store just below them).
            try await store.write { db in
                try db.perform("DROP TABLE fulfilment_queue_counts")
                try db.perform("DELETE FROM schema_migrations WHERE version >= ?1", binding: Int64(version))
            }
            let migrator = BahiSchema.migrator(for: store.dialect)
            let applied = try await store.migrate(migrator)
            #expect(applied.map(\.version) == migrator.migrations.map(\.version).filter { $0 >= version })
            #expect(try await store.read { db in try Self.storedCounts(db) } == kept)
            #expect(try await store.read { db in try PackingQueue.countProblems(db) } == [])
        }
    }

    /// Two nodes change one location's queue at once on PostgreSQL: A takes a shipment out (not
    /// yet committed) while B removes that shipment's whole order. B's delete waits for A's
    /// row, then finds it gone: B must take off only the rows its own delete removed, or the
    /// shipment would be counted off twice (as a count read before the delete would); and B's
    /// change to the location's count waits for A's and loses nothing.
    @Test func concurrentRemovalsOnPostgresCountEachRowOnce() async throws {
        try await onPostgres { store, conninfo in
            let (shipmentID, orderID) = try await store.write { db in
                try Self.placeSome(db)
                let row = try #require(try PackingQueue.everyRow(db).first { $0.location == "SURAT" })
                return (row.shipmentID, row.orderID)
            }
            let expected = try await store.read { db in
                Dictionary(grouping: try PackingQueue.everyRow(db).filter { $0.orderID != orderID }, by: \.location).mapValues { Int64($0.count) }
            }
            #expect(expected.count == 2)
            let waited = try await overlapOnPostgres(store, conninfo: conninfo, first: { a in try PackingQueueRecords.deleteShipment(a, shipmentID: shipmentID) },
                                                     second: { b in try PackingQueueRecords.deleteOrder(b, orderID: orderID) })
            #expect(waited)
            try await store.read { db throws in
                #expect(try Self.rowsPerLocation(db) == expected)
                for (location, n) in expected { #expect(try PackingQueue.count(db, location: location) == n, "\(location)") }
                #expect(try PackingQueue.countProblems(db) == [])
            }
        }
    }

    /// The stored counts other than 0, as "location=n" in location order.
    static func storedCounts(_ db: any Database) throws -> [String] {
        try db.query("SELECT location, waiting FROM fulfilment_queue_counts WHERE waiting <> 0 ORDER BY location", []) { row in
            "\(try row["location"] as String)=\(try row["waiting"] as Int64)"
        }
    }

    /// Six orders over two channels and both locations (each in a parcel at Surat and one at
    /// Ahmedabad): prepaid and COD, paid and unpaid; one held, one cancelled.
    static func placeSome(_ db: any Database) throws {
        try Self.seed(db)
        let policy = OrderDomainTests.policy
        var ids: [String] = []
        for (i, (channel, method, paid)) in [("web", PaymentMethod.prepaid, true), ("amazon", .cod, false), ("web", .prepaid, false),
                                             ("amazon", .prepaid, true), ("web", .cod, false), ("web", .prepaid, true)].enumerated() {
            var draft = OrderDomainTests.draft("M-\(i)", lines: [OrderDraft.Line(sku: "TEE", qty: 1, unitPricePaise: 49_900 * Int64(i + 1)),
                                                               OrderDraft.Line(sku: "MUG", qty: 1, unitPricePaise: 29_900)])
            draft.channel = channel
            draft.paymentMethod = method
            draft.paid = paid
            if method == .cod { draft.gateway = nil; draft.gatewayOrderID = nil }
            ids.append(try PlaceOrderFlow.place(db, draft: draft, policy: policy, actor: "t", now: Self.now - Int64(i) * 7 * Self.hour).order.id)
        }
        _ = try ConfirmOrderFlow.hold(db, id: ids[3], reason: .addressReview, note: nil, actor: "t", now: Self.now)
        _ = try CancelOrderFlow.cancel(db, id: ids[5], reason: .customer, note: nil, actor: "t", now: Self.now)
    }

    /// The SLA's cutoff is exactly the reference's "breached" at every edge: ordered at or
    /// before the cutoff ⇔ `now` at or past the due time.
    @Test func breachCutoffMatchesSLADue() {
        var rng = SplitMix(state: 7)
        let edges: [Int64] = [.min, .min + 1, -1, 0, 1, 3_600_000, Self.now, .max - 1, .max]
        let hours = [-5, 0, 1, 24, 48, Int.max / 3_600_000, Int.max]
        for _ in 0..<2_000 {
            let now = Bool.random(using: &rng) ? (edges.randomElement(using: &rng) ?? 0) : Int64.random(in: .min ... .max, using: &rng)
            let rules = FulfilmentPriorityRules(slaHours: hours.randomElement(using: &rng) ?? 24)
            let cutoff = FulfilmentPriority.breachCutoff(now: now, rules: rules)
            var times = edges + [now, now &- 1, now &+ 1]
            if let cutoff { times += [cutoff, cutoff &- 1, cutoff &+ 1] }
            times.append(Int64.random(in: .min ... .max, using: &rng))
            for createdAt in times {
                let breached = now >= FulfilmentPriority.slaDue(createdAt: createdAt, rules: rules)
                #expect(breached == (cutoff.map { createdAt <= $0 } ?? false), "now \(now) sla \(rules.slaHours) created \(createdAt) cutoff \(String(describing: cutoff))")
            }
        }
    }
}
