public import BahiStore

/// A named check of something that must always hold in the data ("levels equal the sum of
/// their movements", "invoice numbers have no gaps"). `bahi check` runs them all; each
/// returns a description of every violation it finds, empty when clean.
public struct Invariant: Sendable {
    /// What must hold, as `bahi check` prints it.
    public let name: String
    /// Finds the violations: one sentence each, empty when the data is clean.
    public let check: @Sendable (any Database) throws -> [String]

    /// An invariant named `name` that `check` verifies.
    public init(name: String, check: @escaping @Sendable (any Database) throws -> [String]) {
        self.name = name
        self.check = check
    }
}

/// The invariants Bahi knows. Checks that span domains read through `InvariantRecords` (the
/// audit's documented exception to domain-owned tables); a domain that can check its own
/// tables alone exposes that check and is listed here.
public enum InvariantRegistry {
    /// Every invariant, in the order `bahi check` reports them.
    public static let all: [Invariant] = [
        Invariant(name: "storage integrity") { db in
            let rows = try InvariantRecords.integrityCheck(db)
            return rows == ["ok"] ? [] : rows
        },
        Invariant(name: "foreign keys") { db in
            try InvariantRecords.danglingReferences(db).map { r in
                "table \(r.table) row \(r.rowID ?? -1) points to a missing \(r.parent)"
            }
        },
        Invariant(name: "storefront keys are bound to a channel") { db in
            try InvariantRecords.keysWithMisboundChannel(db).map { id in
                "api key \(id) has a channel only storefront keys may have, or lacks one"
            }
        },
        Invariant(name: "event payloads are JSON objects") { db in
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
        Invariant(name: "stock levels equal the sum of their movements") { db in
            try StockLedger.audit(db)
        },
        Invariant(name: "reserved stock equals what active holds and unshipped order parcels hold") { db in
            try InvariantRecords.reservedMismatches(db).map { m in
                "\(m.sku)@\(m.location): reserved \(m.reserved) but holds and parcels hold \(m.held)"
            }
        },
        Invariant(name: "every live reservation belongs to a live order or hold") { db in
            try InvariantRecords.orphanedReservations(db)
        },
        Invariant(name: "the packing queue holds exactly the waiting shipments, with their orders' facts, classed by its rules") { db in
            try InvariantRecords.queueMismatches(db) + PackingQueue.classProblems(db)
        },
        Invariant(name: "invoice numbers have no gaps or repeats") { db in
            try Invoices.seriesProblems(db)
        },
        Invariant(name: "refunds never take more than a payment took, and refunded amounts add up") { db in
            try Refunds.ceilingProblems(db)
        },
    ]

    /// Runs every invariant; returns (name, violations) for each.
    public static func run(_ db: any Database) throws -> [(name: String, violations: [String])] {
        try all.map { (name: $0.name, violations: try $0.check(db)) }
    }
}
