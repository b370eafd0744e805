import BahiStore

/// Every SQL statement on the `leases` table.
enum LeaseRecords {
    /// Takes the lease for `holder` if it is free, expired or already `holder`'s; returns
    /// whether `holder` holds it now. One statement, so two nodes racing for it cannot both
    /// win: on PostgreSQL the loser's upsert waits on the winner's row and then finds it taken.
    static func acquire(_ db: any Database, name: String, holder: String, until: Int64, now: Int64) throws -> Bool {
        try db.execute(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4
            """, binding: name, holder, until, now) == 1
    }

    /// Ends `holder`'s lease at once (a node shutting down), so nobody waits for it to expire.
    static func release(_ db: any Database, name: String, holder: String) throws {
        try db.execute("UPDATE leases SET expires_at = 0 WHERE name = ?1 AND holder = ?2", binding: name, holder)
    }

    /// Who holds the lease at `now`, or nil if nobody does.
    static func holder(_ db: any Database, name: String, now: Int64) throws -> String? {
        try db.queryFirst("SELECT holder FROM leases WHERE name = ?1 AND expires_at > ?2", binding: name, now) { row in
            try row["holder"] as String
        }
    }

    /// Locks the row `name` until this transaction ends, creating it if needed: transactions
    /// that lock the same name run their locked part one at a time (on SQLite every write
    /// transaction already does).
    static func lockRow(_ db: any Database, name: String) throws {
        try db.execute(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?1, '', 0) ON CONFLICT (name) DO UPDATE SET expires_at = leases.expires_at",
            binding: name)
    }
}
