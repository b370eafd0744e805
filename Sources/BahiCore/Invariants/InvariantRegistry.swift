public import BahiStore

/// A named check of something that must always hold in the data ("levels equal the sum of
/// their movements", "invoice numbers have no gaps"). `bahi check` runs them all; each
/// returns a description of every violation it finds, empty when clean.
///
/// Why two checks per invariant: at a million orders, a check that rescans a table growing
/// with orders takes tens of seconds. A plain `bahi check` runs `quick` — the check itself when
/// it reads only tables that do not grow with orders (or an index range), a cheaper proof of
/// the same thing where one exists (the stock ledger from its audit checkpoint), or nothing
/// when the only proof is the rescan — and `bahi check --full` runs every `check`.
public struct Invariant: Sendable {
    /// What must hold, as `bahi check` prints it.
    public let name: String
    /// The whole proof: finds the violations, one sentence each, empty when the data is clean.
    public let check: @Sendable (any Database) throws -> [String]
    /// What a run without `--full` does instead; nil when only `--full` checks this.
    public let quick: (@Sendable (any Database) throws -> [String])?

    /// An invariant named `name` that `check` verifies; `everyRun` false when `check`
    /// rescans a table that grows with orders, so only `--full` runs it.
    public init(name: String, everyRun: Bool = true, check: @escaping @Sendable (any Database) throws -> [String]) {
        self.name = name
        self.check = check
        self.quick = everyRun ? check : nil
    }

    /// An invariant with a cheaper proof for runs without `--full`.
    public init(name: String, quick: @escaping @Sendable (any Database) throws -> [String], check: @escaping @Sendable (any Database) throws -> [String]) {
        self.name = name
        self.check = check
        self.quick = quick
    }
}

/// The invariants Bahi knows. Checks that span domains read through `InvariantRecords` (the
/// audit's documented exception to domain-owned tables); a domain that can check its own
/// tables alone exposes that check and is listed here.
public enum InvariantRegistry {
    /// Every invariant, in the order `bahi check` reports them.
    public static let all: [Invariant] = [
        Invariant(name: "storage integrity", everyRun: false) { db in
            let rows = try InvariantRecords.integrityCheck(db)
            return rows == ["ok"] ? [] : rows
        },
        Invariant(name: "foreign keys", everyRun: false) { db in
            try InvariantRecords.danglingReferences(db).map { r in
                "table \(r.table) row \(r.rowID ?? -1) points to a missing \(r.parent)"
            }
        },
        Invariant(name: "storefront keys are bound to a channel") { db in
            try InvariantRecords.keysWithMisboundChannel(db).map { id in
                "api key \(id) has a channel only storefront keys may have, or lacks one"
            }
        },
        Invariant(name: "event payloads are JSON objects", everyRun: false) { db in
            try InvariantRecords.eventsWithNonObjectPayload(db).map { id in
                "event \(id) has a payload that is not a JSON object"
            }
        },
        Invariant(name: "kits have components, never contain kits, and hold no stock") { db in
            try InvariantRecords.kitProblems(db).map { k in "SKU \(k.sku) \(k.problem)" }
        },
        Invariant(name: "locations match their pincode's state and district") { db in
            try InvariantRecords.locationAddresses(db).compactMap { l in
                guard let info = PincodeDirectory.lookup(l.pincode) else { return "location \(l.code) has pincode \(l.pincode), which the directory does not know" }
                return info.state == l.state && info.district == l.district ? nil
                    : "location \(l.code) says \(l.state)/\(l.district) but pincode \(l.pincode) is \(info.state)/\(info.district)"
            }
        },
        Invariant(name: "stock levels equal the sum of their movements",
                  quick: { db in try StockAudit.run(db, full: false).drift },
                  check: { db in try StockAudit.run(db, full: true).drift }),
        Invariant(name: "reserved stock equals what active holds and unshipped order parcels hold") { db in
            try InvariantRecords.reservedMismatches(db).map { m in
                "\(m.sku)@\(m.location): reserved \(m.reserved) but holds and parcels hold \(m.held)"
            }
        },
        Invariant(name: "every live reservation belongs to a live order or hold",
                  quick: { db in try InvariantRecords.orphanedReservations(db, convertedHolds: false) },
                  check: { db in try InvariantRecords.orphanedReservations(db, convertedHolds: true) }),
        Invariant(name: "the packing queue holds exactly the waiting shipments, with their orders' facts, classed by its rules") { db in
            try InvariantRecords.queueMismatches(db) + PackingQueue.classProblems(db)
        },
        // A grouped read of the queue, which holds what waits (not every order): every run, like
        // the check above.
        Invariant(name: "the packing queue's count at each location is its number of rows") { db in
            try PackingQueue.countProblems(db)
        },
        Invariant(name: "invoice numbers have no gaps or repeats", everyRun: false) { db in
            try Invoices.seriesProblems(db)
        },
        Invariant(name: "refunds never take more than a payment took, and refunded amounts add up", everyRun: false) { db in
            try Refunds.ceilingProblems(db)
        },
    ]

    /// One invariant's turn in a run.
    public struct Outcome: Sendable {
        /// The invariant's name.
        public var name: String
        /// What it found; empty when clean or not run.
        public var violations: [String]
        /// False when this run skipped it (only `--full` checks it).
        public var ran: Bool
        /// How long it took.
        public var seconds: Double
    }

    /// Runs every invariant (`full`: each one's whole `check`; otherwise its `quick` proof,
    /// skipping those without one), telling `progress` about each as it finishes so a long
    /// run shows how far it got; returns (name, violations) for each one run.
    public static func run(_ db: any Database, full: Bool = true, progress: (Outcome) -> Void = { _ in }) throws -> [(name: String, violations: [String])] {
        var results: [(name: String, violations: [String])] = []
        let clock = ContinuousClock()
        for invariant in all {
            guard let check = full ? invariant.check : invariant.quick else {
                progress(Outcome(name: invariant.name, violations: [], ran: false, seconds: 0))
                continue
            }
            let started = clock.now
            let violations = try check(db)
            let took = (clock.now - started).components
            progress(Outcome(name: invariant.name, violations: violations, ran: true,
                             seconds: Double(took.seconds) + Double(took.attoseconds) / 1e18))
            results.append((name: invariant.name, violations: violations))
        }
        return results
    }
}
