public import BahiCore
public import BahiStore

/// Fills a migrated store with a realistic seller's history — customers who come back, a
/// catalogue with kits, three warehouses, four channels, and orders over months that went
/// where real orders go (delivered, cancelled, returned to origin, still waiting) — for the
/// scale benchmark (`BahiBench seed`, `Benchmarks/scale.sh`) and the tests that read it back.
///
/// Why through the domain's own flows and not hand-written rows: the rows must be exactly
/// what production writes (columns, JSON shapes, events, history, the stock ledger), so that
/// the API reads them back and `bahi check` passes; calling `PlaceOrderFlow`, `PaymentFlow`,
/// `PackShipmentFlow`, `BookShipmentFlow`, `ManifestFlow`, `TrackingFlow` and
/// `RTOReceiveFlow` guarantees it, and keeps the seeder true as those flows change. Speed
/// comes from running hundreds of orders per write transaction, not from bypassing them.
///
/// What is deterministic: given the same `SeedPlan` (its `seed` and `now` included), every
/// customer, line, channel, payment method, fate and timestamp is the same; order ids too
/// (their time part is the order's placing time, as an id minted then would be); shipment and
/// event ids are minted by the domain as in production, so they differ per run.
public enum StoreSeeder {
    /// What one seeding wrote.
    public struct Summary: Sendable {
        public var orders = 0
        public var shipments = 0
        /// Orders by where their story ended (waiting, packed, delivered, rtoReceived, …).
        public var statuses: [String: Int] = [:]
        public var seconds = 0.0
    }

    /// Progress after each committed batch: orders written so far, of `total`.
    public typealias Progress = @Sendable (_ written: Int, _ total: Int) -> Void

    /// Seeds `store` (migrated, empty of orders) following `plan`, each batch one write.
    public static func seed(_ store: any DataStore, plan: SeedPlan, progress: Progress = { _, _ in }) async throws -> Summary {
        let isPostgres = store.dialect == .postgres
        return try await seed(plan: plan, progress: progress) { body in
            try await store.write { db in
                let result = try body(db)
                // PostgreSQL numbers events after commit (a serving node's sequencer); the seeder
                // numbers its own so the event feed reads them in order.
                if isPostgres { while try EventLog.numberPending(db) > 0 {} }
                return result
            }
        }
    }

    /// Seeds the SQLite database on `connection` (migrated, empty of orders), each batch one
    /// `BEGIN IMMEDIATE … COMMIT`, with no savepoint around it.
    ///
    /// Why beside the store's writer: the writer runs every call inside a savepoint whose undo
    /// records SQLite keeps in memory (`temp_store=MEMORY`), and each statement with
    /// `RETURNING` that ends inside it truncates that in-memory sub-journal by walking it from
    /// its start: measured, that walk took half the seeding time at 30,000 orders and grew with
    /// the store. A serving node's calls are one order each, where it costs nothing; a seeding
    /// batch of hundreds of orders is where it bites.
    public static func seed(_ connection: Connection, plan: SeedPlan, progress: Progress = { _, _ in }) async throws -> Summary {
        try await seed(plan: plan, progress: progress) { body in
            try connection.transaction(kind: .immediate) { try body(connection) }
        }
    }

    /// Seeds the PostgreSQL database on `connection` (migrated, empty of orders), each batch
    /// one transaction with its writes sent ahead in pipeline mode, its events numbered before
    /// it commits, and the planner's statistics refreshed as the store grows.
    ///
    /// Why beside the store's writer: nothing is gained by queueing one caller's batches
    /// behind a group-commit writer, and the seeder must own when statistics are gathered.
    /// Why statistics: every statement is prepared once per connection, and PostgreSQL keeps
    /// the generic plan it chose for it while the tables were empty — measured, the lookup of
    /// an order by its channel reference scanned the channel's every order through the
    /// `(channel, created_at, id)` index, a cost growing with the store (1 ms per order at
    /// 2,000 orders) until autovacuum's next `ANALYZE` replaced the plan. An `ANALYZE` each
    /// time the store has doubled keeps the plans those of a grown store, at a dozen runs for
    /// a million orders.
    public static func seed(_ connection: PostgresConnection, plan: SeedPlan, progress: Progress = { _, _ in }) async throws -> Summary {
        var written = 0
        var analyzeAt = 0
        return try await seed(plan: plan, progress: progress) { body in
            let part = try connection.transaction(sendingWritesAhead: true) { db in
                let part = try body(db)
                // PostgreSQL numbers events after commit (a serving node's sequencer); the
                // seeder numbers its own so the event feed reads them in order.
                while try EventLog.numberPending(db) > 0 {}
                return part
            }
            written += part.orders
            if written >= analyzeAt {
                try connection.execute("ANALYZE")
                analyzeAt = max(2 * written, 1)
            }
            return part
        }
    }

    /// The batches, through `write` (one transaction each).
    static func seed(
        plan: SeedPlan, progress: Progress,
        write: (@escaping @Sendable (any Database) throws -> SeedWorld.Part) async throws -> SeedWorld.Part
    ) async throws -> Summary {
        let started = ContinuousClock.now
        let world = SeedWorld(plan: plan)
        let demand = world.stockDemand()
        _ = try await write { db in
            try world.setUp(db, demand: demand)
            return SeedWorld.Part()
        }
        var summary = Summary()
        var next = 0
        while next < plan.orders {
            let range = next..<min(plan.orders, next + plan.batch)
            let part = try await write { db in try world.write(db, orders: range) }
            summary.orders += part.orders
            summary.shipments += part.shipments
            for (status, count) in part.statuses { summary.statuses[status, default: 0] += count }
            next = range.upperBound
            progress(next, plan.orders)
        }
        let elapsed = ContinuousClock.now - started
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return summary
    }
}

/// The shape of the store to seed.
public struct SeedPlan: Sendable {
    /// How many orders.
    public var orders: Int
    /// Over how many days before `now` they were placed.
    public var days: Int = 180
    /// The seed every random choice follows.
    public var seed: UInt64 = 1
    /// The moment the history ends (Unix ms): the newest orders are minutes old then.
    public var now: Int64
    public var customers = 50_000
    public var skus = 5_000
    /// How many of `skus` are kits of two or three others.
    public var kits = 50
    /// Units of each stocked SKU received at each location beyond what the history takes:
    /// room for benchmark intake after seeding.
    public var spareUnits: Int64 = 200
    /// Orders placed in the last `backlogDays` are still waiting to be packed (the
    /// fulfilment queue), apart from the few on hold or cancelled.
    public var backlogDays = 2.0
    /// Orders per write transaction.
    public var batch = 500
    /// The delivery pincodes buyers live at (each in the India Post directory).
    public var pincodes: [String]

    public init(orders: Int, now: Int64, pincodes: [String]) {
        self.orders = orders
        self.now = now
        self.pincodes = pincodes
    }

    /// A few dozen pincodes across India, for a store seeded without the directory's CSV.
    public static let fallbackPincodes = [
        "110001", "110017", "110085", "122001", "201301", "226001", "302001", "380009", "395003", "390007", "400001", "400053", "411001",
        "421302", "440010", "452001", "462001", "500001", "500081", "560001", "560068", "560102", "575001", "600001", "600040", "641001",
        "682001", "695001", "700001", "700091", "751001", "781001", "800001", "834001", "160017", "141001", "180001", "248001", "831001",
        "520001", "530001", "570001", "580020", "590001", "403001", "364001", "360001", "388001", "382010", "413001",
    ]
}

/// A deterministic generator (SplitMix64): the same seed gives the same store.
struct SeedRandom: RandomNumberGenerator {
    var state: UInt64

    init(_ seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0xD1B5_4A32_D192_ED03 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<1.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// 0..<n, small values far likelier (a popular few, a long tail).
    mutating func skewed(_ n: Int) -> Int {
        let u = unit()
        return min(n - 1, Int(Double(n) * u * u * u))
    }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}
