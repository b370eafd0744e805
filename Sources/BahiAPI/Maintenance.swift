public import BahiCore
import BahiHTTP
import BahiStore
#if canImport(Glibc)
import Glibc
#endif

/// Background upkeep while serving: releasing holds and cancelling unpaid orders as they
/// expire, purging expired Idempotency-Key records, and moving the stock audit's checkpoint
/// forward.
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

    /// How often a PostgreSQL node looks for committed events to number: the feed's delay.
    public static let sequencerInterval: Duration = .milliseconds(20)
    /// How long a node's lease on the expiry jobs lasts unrenewed: how long a dead node's
    /// jobs wait before another node takes them over. Renewed at half-time.
    public static let leaseTTLMilliseconds: Int64 = 10_000
    /// The lease the expiry jobs run under.
    public static let expiryLease = "expiries"

    /// The job names the log uses.
    public enum Job: String, Sendable {
        case purgeIdempotencyKeys = "purge_idempotency_keys"
        case expireHolds = "expire_holds"
        case expireUnpaidOrders = "expire_unpaid_orders"
        case numberEvents = "number_events"
        case renewLease = "renew_lease"
        case deliverWebhooks = "deliver_webhooks"
        case reconciliationChecks = "reconciliation_checks"
        case stockAuditCheckpoint = "stock_audit_checkpoint"
    }

    /// The lease the stock audit's checkpoint runs under: one node adds up the ledger at a time.
    public static let stockAuditLease = "stock_audit"
    /// How often the checkpoint job looks at how many movements follow the newest checkpoint
    /// (two index lookups), writing a new one past `StockAudit.defaultCheckpointTail`.
    public static let stockAuditInterval: Duration = .seconds(60)

    /// The lease the reconciliation checks run under: one node checks at a time.
    public static let reconciliationLease = "reconciliation"

    /// The lease the webhook worker runs under: one node delivers at a time.
    public static let webhookLease = "webhooks"
    /// The longest the webhook worker sleeps with nothing to do: how late a retry falls due
    /// at most (a commit wakes it at once).
    public static let webhookIdleWait: Duration = .milliseconds(50)
    /// How long the webhook worker sleeps while no endpoint is enabled.
    public static let webhookDormantWait: Duration = .milliseconds(500)

    let app: BahiContext
    /// This process among the nodes sharing the database: what its leases are held as.
    public let node: String

    /// Upkeep for the store and log of `app`.
    public init(_ app: BahiContext, node: String = Maintenance.nodeName()) {
        self.app = app
        self.node = node
    }

    /// A name for this process unique among nodes: host, process id and a random part (a
    /// restarted process must not inherit its predecessor's leases).
    public static func nodeName() -> String {
        var host = [CChar](repeating: 0, count: 256)
        let hostName = gethostname(&host, host.count) == 0 ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
        return "\(hostName):\(getpid()):\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
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
                    // Expiries run on one node at a time: the holder of the expiry lease.
                    var lease = JobLease(name: Maintenance.expiryLease)
                    repeat {
                        guard await holds(&lease) else { continue }
                        await run(.expireHolds) { try await expireHolds() }
                        await run(.expireUnpaidOrders) { try await expireUnpaidOrders() }
                    } while await pause(Maintenance.expiryPollInterval)
                    try? await app.store.write { [node] db in try Leases.release(db, name: Maintenance.expiryLease, holder: node) }
                }
                if app.configuration.webhooks.deliver {
                    group.addTask { await deliverWebhooks() }
                }
                let checkEvery = app.configuration.reconciliation.checkIntervalSeconds
                if checkEvery > 0 {
                    group.addTask {
                        var lease = JobLease(name: Maintenance.reconciliationLease)
                        while await pause(.seconds(checkEvery)) {
                            guard await holds(&lease) else { continue }
                            await run(.reconciliationChecks) { _ = try await app.runReconciliationChecks() }
                        }
                        try? await app.store.write { [node] db in try Leases.release(db, name: Maintenance.reconciliationLease, holder: node) }
                    }
                }
                group.addTask {
                    // The first turn at start: a store without a checkpoint (new, or just
                    // migrated) gets one while the server serves, not at the first audit.
                    var lease = JobLease(name: Maintenance.stockAuditLease)
                    repeat {
                        guard await holds(&lease) else { continue }
                        await run(.stockAuditCheckpoint) { try await advanceStockAudit() }
                    } while await pause(Maintenance.stockAuditInterval)
                    try? await app.store.write { [node] db in try Leases.release(db, name: Maintenance.stockAuditLease, holder: node) }
                }
                if app.store.dialect == .postgres {
                    group.addTask {
                        repeat {
                            await run(.numberEvents) { try await app.numberPendingEvents() }
                        } while await pause(Maintenance.sequencerInterval)
                    }
                }
            }
        }
    }

    /// The webhook worker's loop: while this node holds the `webhooks` lease, a turn of the
    /// dispatcher, then a wait for the next commit (new events, a finished batch) or
    /// `webhookIdleWait`, whichever comes first.
    private func deliverWebhooks() async {
        let dispatcher: WebhookDispatcher
        do {
            dispatcher = try WebhookDispatcher(app)
        } catch {
            app.log.error("maintenance job failed", [("job", .string(Job.deliverWebhooks.rawValue))], cause: error)
            return
        }
        var lease = JobLease(name: Maintenance.webhookLease)
        while !Task.isCancelled {
            guard await holds(&lease) else {
                guard await pause(.milliseconds(500)) else { break }
                continue
            }
            let generation = app.notifier.generation
            var started = 0
            await run(.deliverWebhooks) { started = try await dispatcher.turn() }
            // No endpoint enabled: nothing can fall due, so the worker sleeps instead of waking
            // on every commit (under a write-heavy load those wake-ups cost a tenth of a core).
            // A new endpoint's deliveries start within `webhookDormantWait`; nothing is skipped,
            // as fan-out follows each endpoint's cursor.
            if started == 0, dispatcher.isIdle, (try? await app.store.read({ db in try WebhookEndpoints.anyEnabled(db) })) == false {
                guard await pause(Maintenance.webhookDormantWait) else { break }
                continue
            }
            await app.notifier.wait(since: generation, timeout: Maintenance.webhookIdleWait)
        }
        await dispatcher.finish()
        try? await app.store.write { [node] db in try Leases.release(db, name: Maintenance.webhookLease, holder: node) }
    }

    /// A lease this node holds, and until when (Unix ms; 0 when not held).
    struct JobLease {
        let name: String
        var heldUntil: Int64 = 0
    }

    /// Whether this node holds `lease` now, renewing it once half its time has passed.
    private func holds(_ lease: inout JobLease) async -> Bool {
        let now = Int64(WallClock.milliseconds())
        if lease.heldUntil - now > Maintenance.leaseTTLMilliseconds / 2 { return true }
        do {
            let name = lease.name, node = node
            let held = try await app.store.write { db in
                try Leases.acquire(db, name: name, holder: node, now: now, ttlMilliseconds: Maintenance.leaseTTLMilliseconds)
            }
            lease.heldUntil = held ? now + Maintenance.leaseTTLMilliseconds : 0
            return held
        } catch {
            app.log.error("maintenance job failed", [("job", .string(Job.renewLease.rawValue)), ("lease", .string(lease.name))], cause: error)
            lease.heldUntil = 0
            return false
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

    /// Writes a new stock audit checkpoint when enough movements follow the newest
    /// (`StockAudit.advance`); drift found on the way is logged, and no checkpoint written.
    @discardableResult
    public func advanceStockAudit(minimumTail: Int64 = StockAudit.defaultCheckpointTail) async throws -> StockAudit.Outcome {
        let outcome = try await StockAudit.advance(app.store, minimumTail: minimumTail, now: Int64(WallClock.milliseconds()))
        if case .drift(let drift) = outcome {
            app.log.error("stock levels differ from their movements: no audit checkpoint written", [
                ("job", .string(Job.stockAuditCheckpoint.rawValue)), ("levels", .int(drift.count)), ("first", .string(drift.first ?? "")),
            ])
        }
        return outcome
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
    /// On PostgreSQL, numbers the events committed so far that have no number yet
    /// (`EventLog.numberPending`), so a feed read that follows sees every event committed
    /// before it began, on whichever node; a cheap read first keeps the writer out of it when
    /// there are none. Nothing on SQLite, which numbers events as it inserts them.
    public func numberPendingEvents() async throws {
        guard store.dialect == .postgres, try await store.read({ db in try EventLog.hasPending(db) }) else { return }
        // In a transaction of its own: inside a write batch, the sequencer's lock would join
        // the batch's row locks, and two nodes' batches would deadlock on the pair.
        if try await store.writeAlone({ db in try EventLog.numberPending(db) }) > 0 { notifier.signal() }
    }

    /// How long a long-polling feed reader waits before looking at the store again even if
    /// this node committed nothing: on PostgreSQL other nodes commit too.
    var feedRecheckInterval: Duration {
        store.dialect == .postgres ? .milliseconds(100) : .seconds(3600)
    }

    /// Starts `Maintenance` over this context; cancel the returned task to stop it.
    public func startMaintenance(interval: Duration = .seconds(600)) -> Task<Void, Never> {
        Maintenance(self).start(interval: interval)
    }

    /// Runs the reconciliation checks now, as of now, by this configuration's policy: after an
    /// import, when finance asks, and every `reconciliation.check_interval_seconds`.
    @discardableResult
    public func runReconciliationChecks(now: Int64 = Int64(WallClock.milliseconds())) async throws -> ReconciliationChecks.Outcome {
        let store = store
        return try await ReconciliationChecks.run(
            policy: configuration.reconciliation.policy, now: now,
            read: { body in try await store.read(body) }, write: { body in try await self.write(body) })
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
