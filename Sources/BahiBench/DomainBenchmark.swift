import BahiCore
import BahiStore
import Foundation

/// `BahiBench domain`: checkout holds and orders written straight through the store, with no
/// HTTP in front — the same `Holds.place` and `OrderIntake.create` the endpoints run, from N
/// concurrent callers, durable (`synchronous=FULL` unless told otherwise).
///
/// Why: on a two-core machine the HTTP benchmarks share the cores between `wrk`, the
/// connection handling and the store's writer thread, so their figure mixes all three. This
/// one isolates the writer: its rate is the most the endpoint could ever reach on this
/// machine whatever the HTTP side did, and its writer CPU per operation is the figure that
/// schema and store changes move.
struct DomainOptions {
    var duration: Double = 5
    var callers = 64
    var synchronous: Connection.Synchronous = .full
    var directory = NSTemporaryDirectory()
    var kinds = ["holds", "orders"]
}

/// One run's figures.
struct DomainResult {
    let kind: String
    let operations: Int
    let seconds: Double
    let meanBatch: Double
    let writerMicrosecondsPerOperation: Double
    let processMicrosecondsPerOperation: Double
    let p50: Duration
    let p99: Duration
}

func parseDomainOptions(_ arguments: ArraySlice<String>) -> DomainOptions {
    var options = DomainOptions()
    var rest = arguments
    while let flag = rest.popFirst() {
        switch flag {
        case "--duration", "--synchronous", "--dir":
            parseSharedOption(flag, &rest, duration: &options.duration, synchronous: &options.synchronous, directory: &options.directory)
        case "--callers":
            guard let value = rest.popFirst().flatMap(Int.init), value > 0 else { usage() }
            options.callers = value
        case "--only":
            guard let value = rest.popFirst(), ["holds", "orders"].contains(value) else { usage() }
            options.kinds = [value]
        default:
            usage()
        }
    }
    return options
}

/// CPU ticks (user + system) of every thread of this process, by thread id, from /proc.
func threadTicks() -> [Int: Int] {
    var ticks: [Int: Int] = [:]
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    for task in tasks {
        guard let tid = Int(task), let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        // Fields after the command name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { continue }
        ticks[tid] = user + system
    }
    return ticks
}

/// Seeds what the HTTP benchmarks seed (Benchmarks/seed_bench.py): one location in Surat,
/// channel `web`, SKUs BENCH-1…10 with plenty of stock received through the ledger.
func seedDomain(_ store: SQLiteStore) async throws {
    _ = try await store.migrate(BahiSchema.migrator)
    try await store.write { db in
        let now = Int64(WallClock.milliseconds())
        try db.execute("INSERT INTO locations (code, name, pincode, state, district, priority, created_at, updated_at) VALUES ('SURAT', 'Surat', '395003', 'GUJARAT', 'SURAT', 1, ?, ?)", [now, now])
        try db.execute("INSERT INTO channels (code, name, kind, created_at, updated_at) VALUES ('web', 'Website', 'website', ?, ?)", [now, now])
        for i in 1...10 {
            try db.execute("INSERT INTO skus (sku, name, mrp_paise, price_paise, gst_rate_bps, created_at, updated_at) VALUES (?, ?, 99900, 79900, 1200, ?, ?)",
                           ["BENCH-\(i)", "Bench item \(i)", now, now])
            _ = try Movements.record(db, sku: "BENCH-\(i)", location: "SURAT", request: .receive(qty: 100_000_000), reason: nil, reference: "bench-seed", actor: "bench", now: now)
        }
    }
}

/// The order `Benchmarks/orders.lua` posts: two lines, shipping, prepaid and paid, Surat.
func benchmarkDraft(_ reference: String) -> OrderDraft {
    OrderDraft(
        channel: "web", channelOrderRef: reference, customerName: "Asha Patel", customerPhone: "+919825012345",
        shipping: OrderAddress(name: "Asha Patel", line1: "12 Ring Road, Athwa", landmark: "Near Kinnary cinema", city: "Surat", pincode: "395002"),
        lines: [OrderDraft.Line(sku: "BENCH-1", qty: 1, unitPricePaise: 79900), OrderDraft.Line(sku: "BENCH-2", qty: 2, unitPricePaise: 79900, discountPaise: 5000)],
        shippingPaise: 4900, paymentMethod: .prepaid, gateway: "razorpay", paid: true)
}

func runDomain(kind: String, store: SQLiteStore, options: DomainOptions) async throws -> DomainResult {
    let policy = {
        var policy = OrderPolicy()
        policy.seller.state = .gujarat
        return policy
    }()
    let deadline = ContinuousClock.now + .milliseconds(Int(options.duration * 1000))
    let before = store.statistics
    let ticksBefore = threadTicks()
    let started = ContinuousClock.now
    let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
        for caller in 0..<options.callers {
            group.addTask {
                var mine: [Duration] = []
                var n = 0
                while ContinuousClock.now < deadline {
                    n += 1
                    let begun = ContinuousClock.now
                    if kind == "orders" {
                        let draft = benchmarkDraft("D\(caller)-\(n)")
                        let id = EntityID.make(.order)
                        _ = try await store.write(rerunnable: true) { db in
                            try OrderIntake.create(db, draft: draft, policy: policy, actor: "bench", now: Int64(WallClock.milliseconds()), id: id)
                        }
                    } else {
                        let id = EntityID.make(.reservation)
                        _ = try await store.write(rerunnable: true) { db in
                            try Holds.place(db, channel: "web", lines: [Holds.Line(sku: "BENCH-1", qty: 1)], ttlSeconds: 900, reference: nil,
                                            actor: "bench", now: Int64(WallClock.milliseconds()), id: id)
                        }
                    }
                    mine.append(ContinuousClock.now - begun)
                }
                return mine
            }
        }
        return try await group.reduce(into: [Duration]()) { $0 += $1 }.sorted()
    }
    let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
    let ticksAfter = threadTicks()
    let deltas = ticksAfter.map { ($0.value - (ticksBefore[$0.key] ?? 0)) }
    let writerTicks = deltas.max() ?? 0
    let allTicks = deltas.reduce(0, +)
    let after = store.statistics
    let operations = latencies.count
    let tick = 1_000_000.0 / Double(sysconf(Int32(_SC_CLK_TCK)))
    return DomainResult(
        kind: kind, operations: operations, seconds: seconds,
        meanBatch: Double(after.calls - before.calls) / Double(max(1, after.batches - before.batches)),
        writerMicrosecondsPerOperation: Double(writerTicks) * tick / Double(max(1, operations)),
        processMicrosecondsPerOperation: Double(allTicks) * tick / Double(max(1, operations)),
        p50: latencies.isEmpty ? .zero : latencies[latencies.count / 2],
        p99: latencies.isEmpty ? .zero : latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
}

func runDomainBenchmark(_ options: DomainOptions) async throws {
    print("domain: \(options.callers) callers, \(options.duration) s each, synchronous=\(options.synchronous.rawValue), no HTTP")
    print("kind        ops/s   mean batch   writer µs/op   process µs/op   p50 ms   p99 ms")
    for kind in options.kinds {
        let folder = options.directory + "/bahi-domain-\(ProcessInfo.processInfo.processIdentifier)-\(kind)"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try await SQLiteStore(path: folder + "/bahi.db", configuration: .init(synchronous: options.synchronous))
        try await seedDomain(store)
        // A short warm-up, so statement caches and the WAL are in their steady state.
        var warm = options
        warm.duration = min(1, options.duration)
        _ = try await runDomain(kind: kind, store: store, options: warm)
        let r = try await runDomain(kind: kind, store: store, options: options)
        let ms = { (d: Duration) in Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000 }
        print(String(format: "%-7@ %9.0f %12.1f %14.1f %15.1f %8.2f %8.2f", kind as NSString, Double(r.operations) / r.seconds, r.meanBatch,
                     r.writerMicrosecondsPerOperation, r.processMicrosecondsPerOperation, ms(r.p50), ms(r.p99)))
        await store.close()
    }
}
