// BahiBench: measurements that back the design's performance claims.
//
//   BahiBench store [--duration SECONDS] [--callers 1,16,64,256] [--synchronous full|normal]
//                   [--dir PATH] [--no-baseline]
//   BahiBench domain [--duration SECONDS] [--callers 64] [--synchronous full|normal] [--dir PATH]
//                    [--only holds|orders]
//
// `seed` writes a realistic large store through the domain's flows (SeedCommand.swift, BahiSeed).
// `domain` runs checkout holds and orders straight through the store (DomainBenchmark.swift).
//
// `store` measures single-row `SQLiteStore.write` calls per second at several levels of concurrent
// callers (each call inserts one row; every acknowledged call is durable at the chosen
// `synchronous` level), with the mean group-commit batch size and call latency percentiles.
// The baseline runs the same inserts through one bare connection, one COMMIT per row and one
// per 16 rows, to show what group commit buys.
import BahiStore
import Foundation

/// Parsed command-line options for `store`.
struct StoreOptions {
    var duration: Double = 5
    var callers: [Int] = [1, 16, 64, 256]
    var synchronous: Connection.Synchronous = .full
    var directory = NSTemporaryDirectory()
    var baseline = true
}

/// One level's figures.
struct LevelResult {
    let callers: Int
    let calls: Int
    let seconds: Double
    let meanBatch: Double
    let p50: Duration
    let p99: Duration
    let max: Duration
}

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: BahiBench store [--duration SECONDS] [--callers 1,16,64,256] [--synchronous full|normal] [--dir PATH] [--no-baseline]
               BahiBench domain [--duration SECONDS] [--callers 64] [--synchronous full|normal] [--dir PATH] [--only holds|orders]
               BahiBench receiver --port N [--secret whsec_…] [--log FILE] [--fail-every N]
               BahiBench seed --orders N (--db PATH | --postgres CONNINFO) [--days 180] [--seed 1] [--now MS] [--backlog-days 2] [--batch 500] [--pincodes CSV]
               BahiBench produce --url http://127.0.0.1:PORT --key KEY --rate N --duration S [--skus 10] [--threads 8]

        """.utf8))
    exit(2)
}

/// The options `store` and `domain` share: `--duration`, `--synchronous` and `--dir`.
func parseSharedOption(
    _ flag: String, _ rest: inout ArraySlice<String>, duration: inout Double, synchronous: inout Connection.Synchronous, directory: inout String
) {
    switch flag {
    case "--duration":
        guard let value = rest.popFirst().flatMap(Double.init), value > 0 else { usage() }
        duration = value
    case "--synchronous":
        guard let value = rest.popFirst().flatMap({ Connection.Synchronous(rawValue: $0.uppercased()) }) else { usage() }
        synchronous = value
    default:
        guard let value = rest.popFirst() else { usage() }
        directory = value
    }
}

func parseStoreOptions(_ arguments: ArraySlice<String>) -> StoreOptions {
    var options = StoreOptions()
    var rest = arguments
    while let flag = rest.popFirst() {
        switch flag {
        case "--duration", "--synchronous", "--dir":
            parseSharedOption(flag, &rest, duration: &options.duration, synchronous: &options.synchronous, directory: &options.directory)
        case "--callers":
            guard let list = rest.popFirst() else { usage() }
            let levels = list.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
            guard !levels.isEmpty else { usage() }
            options.callers = levels
        case "--no-baseline":
            options.baseline = false
        default:
            usage()
        }
    }
    return options
}

/// A fresh mkdtemp directory under `parent`, removed by the caller.
func makeTemporaryDirectory(in parent: String) -> String {
    var template = Array((parent.hasSuffix("/") ? parent : parent + "/").appending("bahi-bench-XXXXXX").utf8CString)
    guard let created = mkdtemp(&template) else {
        FileHandle.standardError.write(Data("cannot create a directory in \(parent)\n".utf8))
        exit(1)
    }
    return String(cString: created)
}

let createTable = "CREATE TABLE bench (id INTEGER PRIMARY KEY, caller INTEGER NOT NULL, seq INTEGER NOT NULL, payload TEXT NOT NULL) STRICT"
let insertRow = "INSERT INTO bench (caller, seq, payload) VALUES (?, ?, ?)"
let payload = "order-event-payload-0123456789"

/// Runs `callers` concurrent loops of single-row writes for `seconds`; returns each call's
/// latency and how many calls completed.
func drive(_ store: SQLiteStore, callers: Int, seconds: Double) async throws -> [Duration] {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    return try await withThrowingTaskGroup(of: [Duration].self) { group in
        for caller in 0..<callers {
            group.addTask {
                var latencies: [Duration] = []
                latencies.reserveCapacity(Int(seconds * 200_000) / callers + 16)
                var seq = 0
                while ContinuousClock.now < deadline {
                    let start = ContinuousClock.now
                    let sequence = seq
                    try await store.write { db in
                        try db.execute(insertRow, [caller, sequence, payload])
                    }
                    latencies.append(ContinuousClock.now - start)
                    seq += 1
                }
                return latencies
            }
        }
        var all: [Duration] = []
        for try await latencies in group { all += latencies }
        return all
    }
}

func measureLevel(callers: Int, options: StoreOptions) async throws -> LevelResult {
    let directory = makeTemporaryDirectory(in: options.directory)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let store = try await SQLiteStore(path: directory + "/bench.sqlite", configuration: SQLiteStore.Configuration(synchronous: options.synchronous))
    try await store.withWriterConnection { db in try db.execute(createTable) }

    _ = try await drive(store, callers: callers, seconds: min(1, options.duration / 5))  // warm-up
    let before = store.statistics
    let started = ContinuousClock.now
    var latencies = try await drive(store, callers: callers, seconds: options.duration)
    let elapsed = ContinuousClock.now - started
    let after = store.statistics

    let committed = try await store.read { db in try db.queryValue("SELECT count(*) FROM bench", as: Int64.self) ?? 0 }
    await store.close()
    guard committed >= Int64(latencies.count) else {
        fatalError("only \(committed) rows committed for \(latencies.count) acknowledged calls")
    }

    latencies.sort()
    func percentile(_ p: Double) -> Duration {
        latencies.isEmpty ? .zero : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
    }
    let batches = after.batches - before.batches
    return LevelResult(
        callers: callers,
        calls: latencies.count,
        seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
        meanBatch: batches == 0 ? 0 : Double(after.calls - before.calls) / Double(batches),
        p50: percentile(0.50), p99: percentile(0.99), max: latencies.last ?? .zero)
}

/// Inserts through one bare connection, `rowsPerCommit` rows per transaction, for `seconds`;
/// returns (rows, commits, elapsed seconds).
func rawCommits(rowsPerCommit: Int, seconds: Double, options: StoreOptions) throws -> (rows: Int, commits: Int, seconds: Double) {
    let directory = makeTemporaryDirectory(in: options.directory)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let db = try Connection(path: directory + "/raw.sqlite", synchronous: options.synchronous)
    defer { db.close() }
    try db.execute(createTable)
    let start = ContinuousClock.now
    let deadline = start + .milliseconds(Int(seconds * 1000))
    var rows = 0
    var commits = 0
    while ContinuousClock.now < deadline {
        try db.transaction(kind: .immediate) {
            for _ in 0..<rowsPerCommit {
                try db.execute(insertRow, [0, rows, payload])
                rows += 1
            }
        }
        commits += 1
    }
    let elapsed = ContinuousClock.now - start
    return (rows, commits, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

func runStoreBenchmark(_ options: StoreOptions) async throws {
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    print("BahiBench store: SQLite \(SQLiteLibrary.version), synchronous=\(options.synchronous.rawValue), WAL, "
        + "\(ProcessInfo.processInfo.activeProcessorCount) cores, load \(load), \(options.duration)s per level, dir \(options.directory)")
    print("")
    print("callers     calls    calls/s  mean batch   p50 ms   p99 ms   max ms")
    for callers in options.callers {
        let result = try await measureLevel(callers: callers, options: options)
        print(String(format: "%7d %9d %10.0f %11.1f %8.3f %8.3f %8.3f",
                     result.callers, result.calls, Double(result.calls) / result.seconds, result.meanBatch,
                     milliseconds(result.p50), milliseconds(result.p99), milliseconds(result.max)))
    }
    guard options.baseline else { return }
    print("")
    print("baseline: one bare connection, no group commit")
    let seconds = min(options.duration, 3)
    for rowsPerCommit in [1, 16] {
        let raw = try rawCommits(rowsPerCommit: rowsPerCommit, seconds: seconds, options: options)
        print(String(format: "  %2d row(s)/COMMIT: %9.0f rows/s  %8.0f commits/s  (%.3f ms per commit)",
                     rowsPerCommit, Double(raw.rows) / raw.seconds, Double(raw.commits) / raw.seconds,
                     raw.seconds * 1000 / Double(max(raw.commits, 1))))
    }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "store":
    do {
        try await runStoreBenchmark(parseStoreOptions(arguments.dropFirst()))
    } catch {
        FileHandle.standardError.write(Data("BahiBench store failed: \(error)\n".utf8))
        exit(1)
    }
case "domain":
    do {
        try await runDomainBenchmark(parseDomainOptions(arguments.dropFirst()))
    } catch {
        FileHandle.standardError.write(Data("BahiBench domain failed: \(error)\n".utf8))
        exit(1)
    }
case "receiver":
    do {
        try await runReceiver(arguments.dropFirst())
    } catch {
        FileHandle.standardError.write(Data("BahiBench receiver failed: \(error)\n".utf8))
        exit(1)
    }
case "seed":
    do {
        try await runSeed(parseSeedOptions(arguments.dropFirst()))
    } catch {
        FileHandle.standardError.write(Data("BahiBench seed failed: \(error)\n".utf8))
        exit(1)
    }
case "produce":
    do {
        try await runProducer(arguments.dropFirst())
    } catch {
        FileHandle.standardError.write(Data("BahiBench produce failed: \(error)\n".utf8))
        exit(1)
    }
default:
    usage()
}
