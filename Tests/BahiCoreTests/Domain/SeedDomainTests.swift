import Testing
import BahiCore
import BahiStore
import BahiSeed

/// `BahiBench seed`'s generator (`StoreSeeder`) on a small plan, on every store: what it writes
/// passes every invariant `bahi check` runs (the stock ledger included), every order reads back
/// through the domain with its shipments, the history went where a real seller's goes, and the
/// same plan writes the same orders (ids included) on either store.
@Suite struct SeedDomainTests {
    static let plan: SeedPlan = {
        var plan = SeedPlan(orders: 240, now: 1_796_400_000_000, pincodes: SeedPlan.fallbackPincodes)
        plan.days = 20
        plan.customers = 150
        plan.skus = 60
        plan.kits = 4
        plan.batch = 70
        plan.backlogDays = 3
        return plan
    }()

    /// Orders by id with their status and total, from one seeded store.
    typealias Digest = [String: String]

    @Test func seededStoreIsCleanAndReadsBack() async throws {
        var digests: [Digest] = []
        try await DomainStores.sqlite { store in
            digests.append(try await Self.check(store) { try await StoreSeeder.seed(store, plan: Self.plan) })
        }
        // On PostgreSQL as `BahiBench seed` writes it: on a connection of its own beside the
        // store, writes pipelined.
        try await onPostgres { store, conninfo in
            let connection = try PostgresConnection(conninfo: conninfo)
            digests.append(try await Self.check(store) { try await StoreSeeder.seed(connection, plan: Self.plan) })
        }
        if digests.count == 2 { #expect(digests[0] == digests[1]) }
    }

    /// Seeds `store` with `seed` and checks what it wrote; returns its orders' digest.
    static func check(_ store: any DataStore, seed: () async throws -> StoreSeeder.Summary) async throws -> Digest {
        let summary = try await seed()
        #expect(summary.orders == Self.plan.orders)
        #expect(summary.shipments >= Self.plan.orders - (summary.statuses["pendingPayment"] ?? 0))

        let found = try await store.read { db in try InvariantRegistry.run(db) }
        for invariant in found { #expect(invariant.violations.isEmpty, "\(invariant.name): \(invariant.violations.prefix(3))") }
        #expect(try await store.read { db in try StockLedger.audit(db) }.isEmpty)

        let digest = try await store.read { db -> Digest in
            let ids = try db.query("SELECT id FROM orders ORDER BY id", []) { row in try row["id"] as String }
            var digest: Digest = [:]
            for id in ids {
                guard let order = try OrderDetails.find(db, id: id) else { throw DomainError.notFound("order", id) }
                #expect(!order.lines.isEmpty && !order.history.isEmpty)
                if order.status == .completed { #expect(!order.shipments.isEmpty && order.shipments.allSatisfy { $0.status == .delivered || $0.status.isRTO }) }
                digest[id] = "\(order.status.rawValue) \(order.paymentStatus.rawValue) \(order.totals.totalPaise)"
            }
            return digest
        }
        #expect(digest.count == Self.plan.orders)
        let statuses = Set(digest.values.map { String($0.split(separator: " ")[0]) })
        // Most delivered, some cancelled, and the newest still waiting in the queue.
        #expect(statuses.isSuperset(of: ["completed", "cancelled", "confirmed"]))
        let completed = digest.values.filter { $0.hasPrefix("completed ") }.count
        #expect(completed > Self.plan.orders / 2)
        let waiting = try await store.read { db in try FulfilmentQueue.entries(db, location: nil, limit: 50, rules: FulfilmentPriorityRules(), now: Self.plan.now) }
        #expect(!waiting.isEmpty)
        // Repeat buyers: fewer phones than orders.
        let phones = try await store.read { db in try db.queryValue("SELECT COUNT(*) FROM customer_stats", as: Int64.self) ?? 0 }
        #expect(phones > 0 && phones < Int64(Self.plan.orders))
        return digest
    }
}
