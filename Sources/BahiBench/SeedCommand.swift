import BahiCore
import BahiSeed
import BahiStore
import Foundation

/// `BahiBench seed --orders N [--db PATH | --postgres CONNINFO] [--days 180] [--seed 1] [--now MS]
/// [--backlog-days 2] [--batch 500] [--pincodes data/india-pincodes.csv]`: a realistic store of N
/// orders written through the domain's flows (`StoreSeeder`), migrated first, with progress
/// (orders/s) on standard error and a summary (status mix, seconds) on standard output.
///
/// Why a mode of the bench tool and not of `bahi`: seeding is for measuring, and must never be
/// one typo away from an operator's production store.
struct SeedOptions {
    var orders = 1_000_000
    var path: String?
    var postgres: String?
    var days = 180
    var seed: UInt64 = 1
    var now: Int64?
    var backlogDays = 2.0
    var batch = 500
    var pincodes = "data/india-pincodes.csv"
}

func parseSeedOptions(_ arguments: ArraySlice<String>) -> SeedOptions {
    var options = SeedOptions()
    var rest = arguments
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { usage() }
        switch flag {
        case "--orders": options.orders = Int(value) ?? { usage() }()
        case "--db": options.path = value
        case "--postgres": options.postgres = value
        case "--days": options.days = Int(value) ?? { usage() }()
        case "--seed": options.seed = UInt64(value) ?? { usage() }()
        case "--now": options.now = Int64(value) ?? { usage() }()
        case "--backlog-days": options.backlogDays = Double(value) ?? { usage() }()
        case "--batch": options.batch = Int(value) ?? { usage() }()
        case "--pincodes": options.pincodes = value
        default: usage()
        }
    }
    guard options.orders >= 0, options.days > 0, options.batch > 0, (options.path == nil) != (options.postgres == nil) else { usage() }
    return options
}

/// The delivery pincodes in the India Post CSV at `path` (pincode,state,district) that the
/// directory knows, every 7th for a spread across the country; the built-in few when absent.
func seedPincodes(_ path: String) -> [String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        FileHandle.standardError.write(Data("seed: no \(path); using \(SeedPlan.fallbackPincodes.count) built-in pincodes\n".utf8))
        return SeedPlan.fallbackPincodes
    }
    var pincodes: [String] = []
    for (i, line) in text.split(whereSeparator: \.isNewline).enumerated() where i > 0 && i % 7 == 0 {
        let code = String(line.prefix(6))
        if PincodeDirectory.lookup(code) != nil { pincodes.append(code) }
    }
    if pincodes.isEmpty { FileHandle.standardError.write(Data("seed: no pincode of \(path) is in the directory; using the built-in few\n".utf8)) }
    return pincodes.isEmpty ? SeedPlan.fallbackPincodes : pincodes
}

func runSeed(_ options: SeedOptions) async throws {
    let store: any DataStore
    if let path = options.path {
        let sqlite = try await SQLiteStore(path: path, configuration: .init(synchronous: .normal))
        _ = try await sqlite.migrate(BahiSchema.migrator)
        store = sqlite
    } else {
        let postgres = try await PostgresStore(configuration: .init(conninfo: options.postgres ?? "", poolSize: 2))
        _ = try await postgres.migrate(BahiSchema.postgresMigrator)
        store = postgres
    }
    let existing = try await store.read { db in try db.queryValue("SELECT COUNT(*) FROM orders", as: Int64.self) ?? 0 }
    guard existing == 0 else {
        FileHandle.standardError.write(Data("seed: the store already holds \(existing) orders; seed an empty one\n".utf8))
        exit(1)
    }
    var plan = SeedPlan(orders: options.orders, now: options.now ?? Int64(Date().timeIntervalSince1970 * 1000), pincodes: seedPincodes(options.pincodes))
    plan.days = options.days
    plan.seed = options.seed
    plan.backlogDays = options.backlogDays
    plan.batch = options.batch
    FileHandle.standardError.write(Data("seed: \(options.orders) orders over \(plan.days) days, \(plan.customers) customers, \(plan.skus) SKUs (\(plan.kits) kits), \(plan.pincodes.count) pincodes, seed \(plan.seed), now \(plan.now)\n".utf8))
    let started = Date()
    let reporter = ProgressReporter(started: started)
    let summary: StoreSeeder.Summary
    if let path = options.path {
        // SQLite: migrated through the store, then one connection of our own, batches in
        // plain transactions (`StoreSeeder.seed(_: Connection…)` says why), with a page cache
        // the size of a busy server's (each order reads back rows written moments earlier).
        await store.close()
        let connection = try Connection(path: path, synchronous: .normal)
        defer { connection.close() }
        try connection.execute("PRAGMA cache_size = -524288")
        summary = try await StoreSeeder.seed(connection, plan: plan) { written, total in reporter.report(written, total) }
    } else {
        // PostgreSQL: migrated through the store, then one connection of our own, batches in
        // plain transactions with their writes pipelined (`StoreSeeder.seed(_: PostgresConnection…)`),
        // not waiting for the WAL to reach the disk at each commit (a crash loses the last
        // batches, never consistency: the store is rebuilt by seeding again anyway).
        await store.close()
        let connection = try PostgresConnection(conninfo: options.postgres ?? "")
        try connection.execute("SET synchronous_commit = off")
        summary = try await StoreSeeder.seed(connection, plan: plan) { written, total in reporter.report(written, total) }
    }
    // The stock audit's checkpoint, as a serving node's maintenance would take it at start:
    // the store is measured as a running one has it, not as one just upgraded.
    let checkpointed: any DataStore = if let path = options.path {
        try await SQLiteStore(path: path, configuration: .init(synchronous: .normal))
    } else {
        try await PostgresStore(configuration: .init(conninfo: options.postgres ?? "", poolSize: 2))
    }
    let checkpoint = try await StockAudit.advance(checkpointed, minimumTail: 1, now: Int64(Date().timeIntervalSince1970 * 1000))
    await checkpointed.close()
    FileHandle.standardError.write(Data("seed: stock audit checkpoint: \(checkpoint)\n".utf8))
    print(String(format: "seeded %d orders, %d shipments in %.1f s (%.0f orders/s)", summary.orders, summary.shipments, summary.seconds,
                 Double(summary.orders) / max(summary.seconds, 0.001)))
    for (status, count) in summary.statuses.sorted(by: { $0.value > $1.value }) {
        print(String(format: "  %-32@ %9d  %5.1f %%", status as NSString, count, 100 * Double(count) / Double(max(summary.orders, 1))))
    }
}

/// Prints a progress line at most every two seconds. `@unchecked Sendable`: its one mutable
/// field is only touched under `lock`.
final class ProgressReporter: @unchecked Sendable {
    let started: Date
    let lock = NSLock()
    var last = Date.distantPast

    init(started: Date) { self.started = started }

    func report(_ written: Int, _ total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(last) >= 2 || written == total else { return }
        last = now
        let seconds = now.timeIntervalSince(started)
        FileHandle.standardError.write(Data(String(format: "seed: %d / %d orders, %.0f s, %.0f orders/s\n", written, total, seconds, Double(written) / max(seconds, 0.001)).utf8))
    }
}
