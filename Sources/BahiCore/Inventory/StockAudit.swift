public import BahiStore

/// The proof that every stock level equals the sum of its movements (DESIGN §4), without
/// re-adding the whole ledger each time.
///
/// Why checkpoints: `stock_movements` grows with every order (3.3 million rows at a million
/// orders), and re-adding it all took 17 s per `GET /v1/inventory/audit`. Movements are
/// append-only (nothing updates or deletes them; a restore replaces the whole store, the
/// checkpoint with it), so the sum of the movements up to a given id never changes. A
/// checkpoint (`stock_audit_checkpoints`) stores those sums per (SKU, location) through a
/// movement id, and the audit adds only the movements after it — a range of the primary key —
/// to them. It is written only from sums proven equal to the levels in the same snapshot
/// (`advance`), so it starts from a clean ledger; drift after it shows in the tail.
///
/// What a checkpoint cannot see is a movement changed behind Bahi's back at or below its
/// `through_id`, or a corrupted checkpoint row: `run(full: true)` (`bahi check --full`,
/// `GET /v1/inventory/audit?full=true`) re-adds every movement from zero and checks every
/// checkpoint row against the movements up to it.
public enum StockAudit {
    /// What an audit found and how it got there.
    public struct Report: Sendable, Equatable {
        /// One sentence per level that differs from its ledger sum (and, in a full audit, per
        /// checkpoint row that differs from its movements); empty when the ledger is clean.
        public var drift: [String]
        /// The checkpoint the sums started from: the movements after this id were added to
        /// it. 0 when every movement was re-added from the first.
        public var from: Int64
        /// Whether this was the full audit (everything re-added, checkpoints checked too).
        public var full: Bool
    }

    /// One (SKU, location)'s ledger sum through a checkpoint.
    public struct Sum: Sendable, Equatable {
        public var sku: String
        public var location: String
        public var onHand: Int64
        public var reserved: Int64
        public var damaged: Int64
    }

    /// Audits the ledger in `db`'s snapshot: the newest checkpoint plus the movements after
    /// it, or with `full` every movement from zero and every checkpoint row against the
    /// movements up to it.
    public static func run(_ db: any Database, full: Bool) throws -> Report {
        guard full else {
            let from = try StockRecords.latestCheckpoint(db) ?? 0
            return Report(drift: try StockRecords.audit(db, from: from), from: from, full: false)
        }
        var drift = try StockRecords.audit(db, from: 0)
        for through in try StockRecords.checkpoints(db) {
            drift += try StockRecords.checkpointDrift(db, through: through)
        }
        return Report(drift: drift, from: 0, full: true)
    }

    /// How many movements after the newest checkpoint make `advance` write a new one: the
    /// audit then adds at most this many plus what arrives before the next turn.
    public static let defaultCheckpointTail: Int64 = 50_000

    /// What `advance` did.
    public enum Outcome: Sendable, Equatable {
        /// Fewer than the minimum movements after the newest checkpoint: nothing written.
        case current(through: Int64)
        /// A new checkpoint through this movement id, with this many (SKU, location) sums.
        case written(through: Int64, sums: Int)
        /// The levels did not equal the ledger, so no checkpoint was written: the drift found.
        case drift([String])
        /// PostgreSQL: the movements in flight did not finish within the lock timeout; try later.
        case busy
    }

    /// Writes a new checkpoint when at least `minimumTail` movements follow the newest one.
    ///
    /// Three steps. (1) A short write transaction of its own finds the settled end of the
    /// ledger: the largest movement id with no insert still in flight at or below it
    /// (`Database.settledMaximumID`; on PostgreSQL identities are handed out before commit).
    /// (2) One read snapshot, begun after that, audits the levels against the current
    /// checkpoint plus every movement after it; if anything differs, nothing is written. If
    /// clean, the same snapshot adds the checkpoint and the movements up to the settled id —
    /// a sum that can never change, movements being append-only. (3) A write stores the sums
    /// unless a checkpoint as new already exists (another node's), and deletes older ones.
    public static func advance(_ store: any DataStore, minimumTail: Int64 = defaultCheckpointTail, now: Int64,
                               lockTimeoutMilliseconds: Int = 500) async throws -> Outcome {
        let (latest, last) = try await store.read { db in (try StockRecords.latestCheckpoint(db) ?? 0, try StockRecords.lastMovementID(db)) }
        if last - latest < max(1, minimumTail) { return .current(through: latest) }
        let settled: Int64
        do {
            settled = try await store.writeAlone { db in try db.settledMaximumID(of: "stock_movements", lockTimeoutMilliseconds: lockTimeoutMilliseconds) }
        } catch let error as StoreError where error.sqlState == "55P03" {
            return .busy
        }
        enum Proof: Sendable { case current(Int64), drift([String]), sums(from: Int64, [Sum]) }
        let proof = try await store.read { db -> Proof in
            let from = try StockRecords.latestCheckpoint(db) ?? 0
            guard settled > from else { return .current(from) }
            let drift = try StockRecords.audit(db, from: from)
            guard drift.isEmpty else { return .drift(drift) }
            return .sums(from: from, try StockRecords.ledgerSums(db, from: from, through: settled))
        }
        switch proof {
        case .current(let through): return .current(through: through)
        case .drift(let drift): return .drift(drift)
        case .sums(_, let sums):
            return try await store.write { db -> Outcome in
                if let newest = try StockRecords.latestCheckpoint(db), newest >= settled { return .current(through: newest) }
                try StockRecords.insertCheckpoint(db, through: settled, sums: sums, now: now)
                try StockRecords.deleteCheckpoints(db, below: settled)
                return .written(through: settled, sums: sums.count)
            }
        }
    }
}
