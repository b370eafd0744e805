public import BahiCore
import BahiHTTP
import BahiStore

/// Background upkeep while serving: releasing holds and cancelling unpaid orders as they
/// expire, and purging expired Idempotency-Key records.
///
/// Why a type of its own: these jobs run for the life of the server with nobody waiting on
/// them, so a failure has no response to show up in. Each failed run writes one JSON line
/// to the context's `log` naming the job and the error, and the loop goes on (a busy or
/// briefly unavailable store is the usual cause, and the next turn retries).
public struct Maintenance: Sendable {
    /// Holds released per write transaction: a batch short of this means none are left due.
    public static let holdExpiryBatch = 500
    /// Unpaid orders cancelled per write transaction (each releases its parcels' stock, so
    /// batches are smaller than for holds).
    public static let paymentExpiryBatch = 200
    /// How often expiries are looked for: a hold is released well within a second of its time.
    public static let expiryPollInterval: Duration = .milliseconds(200)

    /// The job names the log uses.
    public enum Job: String, Sendable {
        case purgeIdempotencyKeys = "purge_idempotency_keys"
        case expireHolds = "expire_holds"
        case expireUnpaidOrders = "expire_unpaid_orders"
    }

    let app: BahiContext

    /// Upkeep for the store and log of `app`.
    public init(_ app: BahiContext) {
        self.app = app
    }

    /// Starts the loops: the idempotency purge every `interval`, expiries every
    /// `expiryPollInterval`. Cancel the returned task to stop them.
    public func start(interval: Duration = .seconds(600)) -> Task<Void, Never> {
        Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    repeat {
                        await run(.purgeIdempotencyKeys) {
                            let now = Int64(WallClock.milliseconds())
                            try await app.store.write { db in try IdempotencyStore.purgeExpired(db, now: now) }
                        }
                    } while await pause(interval)
                }
                group.addTask {
                    repeat {
                        await run(.expireHolds) { try await expireHolds() }
                        await run(.expireUnpaidOrders) { try await expireUnpaidOrders() }
                    } while await pause(Maintenance.expiryPollInterval)
                }
            }
        }
    }

    /// Releases holds whose time has come; a cheap read decides whether the writer is
    /// needed at all. Returns how many were released.
    @discardableResult
    public func expireHolds() async throws -> Int {
        try await expireDue(batch: Maintenance.holdExpiryBatch, nextDue: { db in try Holds.nextExpiry(db) }) { db, now, limit in
            try Holds.expire(db, now: now, limit: limit)
        }
    }

    /// Cancels prepaid orders whose payment did not arrive in time (`payment_timeout`),
    /// releasing their stock; a cheap read decides whether the writer is needed at all.
    @discardableResult
    public func expireUnpaidOrders() async throws -> Int {
        try await expireDue(batch: Maintenance.paymentExpiryBatch, nextDue: { db in try OrderTransitions.nextPaymentExpiry(db) }) { db, now, limit in
            try OrderTransitions.expirePayments(db, now: now, limit: limit)
        }
    }

    /// The shape both expiries share: read when the next one is due; if that time has come,
    /// run `expire` in write transactions of at most `batch` items until one comes back short.
    private func expireDue(
        batch: Int, nextDue: @escaping @Sendable (any Database) throws -> Int64?,
        expire: @escaping @Sendable (any Database, _ now: Int64, _ limit: Int) throws -> Int
    ) async throws -> Int {
        let now = Int64(WallClock.milliseconds())
        guard let due = try await app.store.read(nextDue), due <= now else { return 0 }
        var total = 0
        while true {
            let done = try await app.write { db in try expire(db, now, batch) }
            total += done
            if done < batch { return total }
        }
    }

    /// Runs one turn of a job; a failure is logged with the job's name and the loop goes on.
    private func run(_ job: Job, _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch {
            app.log.error("maintenance job failed", [("job", .string(job.rawValue))], cause: error)
        }
    }

    /// Sleeps for `duration`; false once the task is cancelled (the loop then ends).
    private func pause(_ duration: Duration) async -> Bool {
        do {
            try await Task.sleep(for: duration)
            return !Task.isCancelled
        } catch {
            return false
        }
    }
}

extension BahiContext {
    /// Starts `Maintenance` over this context; cancel the returned task to stop it.
    public func startMaintenance(interval: Duration = .seconds(600)) -> Task<Void, Never> {
        Maintenance(self).start(interval: interval)
    }

    /// `Maintenance.expireHolds()` over this context.
    @discardableResult
    public func expireHolds() async throws -> Int {
        try await Maintenance(self).expireHolds()
    }

    /// `Maintenance.expireUnpaidOrders()` over this context.
    @discardableResult
    public func expireUnpaidOrders() async throws -> Int {
        try await Maintenance(self).expireUnpaidOrders()
    }
}
