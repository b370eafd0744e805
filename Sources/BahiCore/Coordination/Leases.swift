public import BahiStore

/// Which node runs a background job now, when several `bahi serve` processes share one
/// PostgreSQL database.
///
/// Why leases in a table rather than PostgreSQL's advisory locks or `FOR UPDATE SKIP LOCKED`:
/// the same statements run on both stores (SQLite has neither), a lease outlives the
/// transaction that took it (a job spans many), and a lease that is not renewed expires, so a
/// node that dies mid-job strands nothing: another takes the job over after `ttl`. Jobs
/// themselves stay safe to run twice (conditional updates), so the short overlap a clock
/// skew could allow costs work, never correctness.
public enum Leases {
    /// Takes or renews the lease `name` for `holder` until `now + ttlMilliseconds`; returns
    /// whether `holder` holds it now (false while another node's lease is live).
    public static func acquire(_ db: any Database, name: String, holder: String, now: Int64, ttlMilliseconds: Int64) throws -> Bool {
        try LeaseRecords.acquire(db, name: name, holder: holder, until: now + ttlMilliseconds, now: now)
    }

    /// Gives `holder`'s lease up at once (a node stopping), so another node need not wait
    /// for it to expire. Releasing a lease one does not hold changes nothing.
    public static func release(_ db: any Database, name: String, holder: String) throws {
        try LeaseRecords.release(db, name: name, holder: holder)
    }

    /// The node holding the lease at `now`, or nil if it is free.
    public static func holder(_ db: any Database, name: String, now: Int64) throws -> String? {
        try LeaseRecords.holder(db, name: name, now: now)
    }

    /// Makes transactions that call this with the same `name` run one at a time from this
    /// call to their commit (PostgreSQL: a row lock; SQLite: its single writer already
    /// does). For short critical sections that must never overlap, such as numbering events.
    public static func serialize(_ db: any Database, name: String) throws {
        try LeaseRecords.lockRow(db, name: name)
    }
}
