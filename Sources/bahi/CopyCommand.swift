#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BahiAPI
import Synchronization

/// `bahi copy --from SOURCE --to TARGET`: a whole database onto another store (`StoreCopy`),
/// with progress on standard error and the checks' summary on standard output.
enum CopyCommand {
    static let usage = """
    Usage: bahi copy --from PATH|URL --to URL|PATH

    Copies every table of a Bahi database into another store: an SQLite file onto
    PostgreSQL (or back). The source must be at this bahi's schema version (bahi migrate
    it first) and is read in one snapshot, so it may keep serving; the target is migrated
    first and must hold no Bahi rows. Afterwards every `bahi check` invariant runs on the
    target and each table's rows are counted on both sides.

      --from PATH|URL  the database to read (SQLite file or postgres://user:password@host/db)
      --to URL|PATH    the empty database to fill
      --help           this text

    Exit codes: 0 copied and checked clean, 1 refused, failed, or a check or count differs.
    """

    static func run(_ args: ArraySlice<String>) async throws(UsageError) -> Int32 {
        let arguments = try Arguments(args, valueFlags: ["from", "to"], switchFlags: ["help"])
        if arguments.switches.contains("help") {
            print(usage)
            return ExitCode.success.rawValue
        }
        guard arguments.positional.isEmpty else { throw UsageError(description: "copy takes no arguments besides --from and --to; got '\(arguments.positional[0])'") }
        guard let fromText = arguments["from"] else { throw UsageError(description: "copy needs --from: the SQLite file or postgres:// URL to read") }
        guard let toText = arguments["to"] else { throw UsageError(description: "copy needs --to: the empty postgres:// URL or SQLite file to fill") }
        let copy: StoreCopy
        do {
            copy = StoreCopy(from: try DatabaseLocation(argument: fromText, flag: "--from"),
                             to: try DatabaseLocation(argument: toText, flag: "--to"))
        } catch {
            throw UsageError(description: error.message, showsUsage: false)
        }
        printError("copying \(copy.from) to \(copy.to)")
        let display = CopyProgress(terminal: isatty(2) == 1)
        let report: StoreCopy.Report
        do {
            report = try await copy.run { display.show($0) }
        } catch let failure {
            display.interrupt()
            Runtime.fail(failure.description)
        }
        print(summary(report))
        return report.isClean ? ExitCode.success.rawValue : ExitCode.failure.rawValue
    }

    /// The checks and the counts, as `bahi check` prints its results, then one verdict line.
    static func summary(_ report: StoreCopy.Report) -> String {
        var lines: [String] = []
        for check in report.checks {
            lines.append(check.violations.isEmpty ? "ok    \(check.name)" : "FAIL  \(check.name)")
            lines += check.violations.map { "      \($0)" }
        }
        let mismatches = report.mismatches
        if mismatches.isEmpty {
            lines.append("ok    row counts equal in all \(report.counts.count) tables")
        } else {
            lines.append("FAIL  row counts")
            lines += mismatches.map { "      \($0.table): \($0.source) in the source, \($0.target) in the target" }
        }
        let rate = Int(report.rowsPerSecond.rounded())
        lines.append("\(report.isClean ? "copied" : "copied, with the problems above:") \(grouped(report.rows)) rows in \(String(format1: report.seconds)) s (\(grouped(rate)) rows/s)")
        return lines.joined(separator: "\n")
    }
}

/// `bahi copy`'s progress on standard error: on a terminal a bar per table (`ProgressDisplay`,
/// rows copied of the total), kept as the table's line once it is done; otherwise one plain
/// line per finished table, for logs.
final class CopyProgress: Sendable {
    let terminal: Bool
    private let bar = Mutex<ProgressDisplay?>(nil)

    init(terminal: Bool) { self.terminal = terminal }

    func show(_ progress: StoreCopy.Progress) {
        switch progress {
        case .started(let table, let total):
            if terminal { bar.withLock { $0 = ProgressDisplay(total: total, terminal: true, label: "  \(table.padded(24)) ") } }
        case .copied(_, let copied, let total):
            bar.withLock { $0?.update(done: copied, total: total) }
        case .finished(let table, let rows, let seconds):
            // A table with rows leaves its finished bar; an empty one drew none, so it gets the line.
            interrupt()
            if !terminal || rows == 0 {
                printError("  \(table.padded(24)) \(grouped(rows)) rows in \(String(format1: seconds)) s")
            }
        case .checking:
            printError("checking the target")
        }
    }

    /// Ends the current table's bar line, so what follows starts on a fresh one.
    func interrupt() {
        bar.withLock { bar in
            bar?.finish()
            bar = nil
        }
    }
}
