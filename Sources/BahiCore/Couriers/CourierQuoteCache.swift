public import BahiStore
import Synchronization

/// The couriers and their rate cards as quotes price them, kept in memory per node and keyed
/// by the couriers' version, so a quote reads one small aggregate instead of every courier row
/// and every zone price (`POST /v1/quotes` is asked at checkout, tens of thousands a second).
///
/// Why a version read on every quote rather than invalidation on this node's writes: on
/// PostgreSQL other nodes change couriers too, and none of their writes pass through here.
/// The version (`CourierRecords.pricingVersion`) is read in the quote's own snapshot, so a
/// quote prices with exactly the couriers that snapshot holds: a change committed anywhere is
/// seen by the next quote whose snapshot includes it, on every node, with no TTL.
///
/// What the snapshot serves: quotes only. Serviceability is not cached (it is read per quote,
/// both ends in one indexed statement), and the courier's serviceability counters in the
/// snapshot may lag an upload (an upload changes no price, so it bumps no version).
public final class CourierQuoteCache: Sendable {
    /// The couriers as one snapshot read them, with the version that snapshot had.
    struct Entry: Sendable {
        var version: CourierRecords.PricingVersion
        var couriers: [Courier]
    }

    private let entry = Mutex<Entry?>(nil)

    public init() {}

    /// Every courier with its rate card, in code order, as `db`'s snapshot holds them: the
    /// cached list when its version is the snapshot's, else read (two statements) and kept.
    func couriers(_ db: any Database) throws -> [Courier] {
        let version = try CourierRecords.pricingVersion(db)
        if let cached = entry.withLock({ $0 }), cached.version == version { return cached.couriers }
        let couriers = try CourierRecords.all(db)
        // A reader on an older snapshot must not push a newer list out (the versions only
        // grow: see `pricingVersion`); it would only cost the next quote a reload.
        entry.withLock { stored in
            if stored.map({ $0.version.isOlder(than: version) }) ?? true { stored = Entry(version: version, couriers: couriers) }
        }
        return couriers
    }
}
