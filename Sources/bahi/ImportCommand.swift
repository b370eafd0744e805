#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BahiCore
import BahiStore
import Synchronization

/// `bahi import stock FILE` and `bahi import skus FILE`: the API's CSV imports, run against
/// the database directly (the server may be running: the store's writer and WAL make that
/// safe), for files too big or too routine to upload.
enum ImportCommand {
    static let usage = """
    Usage: bahi import stock FILE [--mode set|delta] [--all-or-nothing] [--config FILE] [--db PATH|URL]
           bahi import skus FILE [--all-or-nothing] [--config FILE] [--db PATH|URL]
           bahi import settlements FILE [--gateway razorpay|cashfree] [--columns MAP] [--config FILE] [--db PATH|URL]
           bahi import remittances FILE [--courier shiprocket] [--columns MAP] [--config FILE] [--db PATH|URL]

    Imports a CSV file (FILE, or - for standard input), exactly as POST /v1/inventory/import
    and POST /v1/skus/import do.

    stock: header sku,location,on_hand (mode set: the units counted) or sku,location,delta
           (mode delta: units received, or taken away if negative). --mode, if given, must
           match the header.
    skus:  header sku plus any of name, mrp_paise, price_paise, weight_g, length_mm, width_mm,
           height_mm, hsn, gst_rate_bps, active, returnable, return_window_days,
           low_stock_threshold, reorder_point, reorder_qty. Kits are not imported by CSV.
    settlements: a gateway's settlement reconciliation, as POST /v1/reconciliation/imports
           takes it: --gateway razorpay (default; kind=razorpay_settlements) or cashfree
           (kind=cashfree_settlements: the settlement recon API's fields or the dashboard
           report's headers, amounts in rupees).
    remittances: a courier's COD remittance file (remittance_id, awb, cod_amount,
           net_remitted, …), as kind=cod_remittance; remitted orders move to cod_remitted.
           The courier picks the header layout: delhivery's is built in, others come from
           reconciliation.remittance_columns in the configuration.

      --all-or-nothing  apply nothing if any row is refused (one transaction)
      --columns MAP     headers for single columns, column:header pairs separated by
                        commas, e.g. --columns 'awb:Waybill,cod_amount:COD Amount'
    \(AdminCommands.commonOptions)

    Shows a progress bar on a terminal. Exit status: 0 if every row applied or was already
    so, 1 if any row was refused or the file could not be read, 2 for a usage error.
    """

    static func run(_ args: ArraySlice<String>) async throws(UsageError) -> Int32 {
        let arguments = try Arguments(args, valueFlags: Runtime.configFlags.union(["mode", "gateway", "courier", "columns"]), switchFlags: ["all-or-nothing", "help"])
        AdminCommands.helpRequested(arguments, usage)
        guard arguments.positional.count == 2, let what = arguments.positional.first, let path = arguments.positional.last else {
            throw UsageError(description: "import needs what to import (stock, skus, settlements or remittances) and a FILE")
        }
        if what == "settlements" || what == "remittances" { return try await reconciliation(what, path: path, arguments) }
        guard what == "stock" || what == "skus" else {
            throw UsageError(description: "import stock, skus, settlements or remittances FILE, not '\(what)'")
        }
        if arguments["columns"] != nil { throw UsageError(description: "--columns is for settlements and remittances imports only") }
        var mode: StockImport.Mode?
        if let text = arguments["mode"] {
            guard what == "stock" else { throw UsageError(description: "--mode is for stock imports only") }
            guard let parsed = StockImport.Mode(rawValue: text) else { throw UsageError(description: "--mode is set or delta, not '\(text)'") }
            mode = parsed
        }
        let allOrNothing = arguments.switches.contains("all-or-nothing")
        let config = try Runtime.configuration(arguments)

        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            Runtime.fail("cannot read \(path): \(error.message)")
        }
        let started = ContinuousClock.now
        let store = await Runtime.openStore(config)
        _ = await Runtime.migrate(store)
        let exitCode: Int32
        do {
            if what == "stock" {
                let job = try StockImport(csv: bytes, mode: mode)
                exitCode = try await importFile(job, mode: job.mode.rawValue, allOrNothing: allOrNothing, eventType: "inventory.imported",
                                                path: path, store: store, started: started)
            } else {
                let job = try SKUImport(csv: bytes)
                exitCode = try await importFile(job, mode: nil, allOrNothing: allOrNothing, eventType: "sku.imported",
                                                path: path, store: store, started: started)
            }
        } catch let error as DomainError {
            printError("bahi: \(path): \(error.message)")
            for problem in error.problems where error.problems.count > 1 { printError("  \(problem.path): \(problem.message)") }
            exitCode = ExitCode.failure.rawValue
        } catch {
            printError("bahi: import of \(path) failed: \(error)")
            exitCode = ExitCode.failure.rawValue
        }
        await store.close()
        return exitCode
    }

    /// `bahi import settlements|remittances FILE`: the reconciliation import, with a progress bar.
    static func reconciliation(_ what: String, path: String, _ arguments: Arguments) async throws(UsageError) -> Int32 {
        let gateway = (arguments["gateway"] ?? "razorpay").lowercased()
        let courier = (arguments["courier"] ?? "shiprocket").lowercased()
        let kind: SettlementImport.Kind
        if what == "settlements" {
            guard arguments["courier"] == nil else { throw UsageError(description: "--courier is for remittances; settlements take --gateway") }
            guard let gatewayKind = SettlementImport.Kind(gateway: gateway) else {
                throw UsageError(description: "--gateway is razorpay or cashfree (the settlement files Bahi reads), not '\(gateway)'")
            }
            kind = gatewayKind
        } else {
            guard arguments["gateway"] == nil else { throw UsageError(description: "--gateway is for settlements; remittances take --courier") }
            guard MerchantCode.isValid(courier) else { throw UsageError(description: "--courier is a code such as shiprocket or delhivery, not '\(courier)'") }
            kind = .codRemittance
        }
        let config = try Runtime.configuration(arguments)
        let columns: SettlementImportColumns
        do throws(SettlementImportColumns.Problem) {
            columns = try SettlementImportColumns.layout(kind: kind, courier: courier, configured: config.reconciliation.remittanceColumns,
                                                         columns: arguments["columns"])
        } catch {
            throw UsageError(description: "--columns: \(error.message)")
        }
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            Runtime.fail("cannot read \(path): \(error.message)")
        }
        let started = ContinuousClock.now
        let parsed = SettlementImport.parse(bytes, columns: columns)
        let store = await Runtime.openStore(config)
        _ = await Runtime.migrate(store)
        let progress = ProgressDisplay(total: parsed.goodRows, terminal: isatty(2) == 1)
        progress.note("\(path): \(grouped(parsed.rowCount)) rows, \(grouped(parsed.errors.count)) refused; writing…")
        let exitCode: Int32
        do {
            let report = try await SettlementImport.run(
                parsed, importID: EntityID.make(.importBatch), courier: courier, actor: "cli",
                write: { body in try await store.write(body) }, progress: { done, total in progress.update(done: done, total: total) })
            progress.finish()
            let seconds = max(0.001, Self.seconds(ContinuousClock.now - started))
            print("imported \(path): \(grouped(report.rows)) rows in \(String(format1: seconds)) s: \(grouped(report.applied)) applied, "
                  + "\(grouped(report.unchanged)) unchanged, \(grouped(report.errors.count)) errors"
                  + (what == "remittances" ? ", \(grouped(report.ordersRemitted)) orders remitted" : "") + " [\(report.importID)]")
            for e in report.errors.prefix(50) { print("  row \(e.row): \(e.code): \(e.message)") }
            if report.errors.count > 50 { print("  … and \(grouped(report.errors.count - 50)) more errors") }
            let checks = try await ReconciliationChecks.run(
                policy: config.reconciliation.policy, now: Int64(WallClock.milliseconds()),
                read: { body in try await store.read(body) }, write: { body in try await store.write(body) })
            print("reconciliation checks: \(grouped(checks.foundTotal)) mismatches found, \(grouped(checks.resolved)) resolved")
            exitCode = report.errors.isEmpty ? ExitCode.success.rawValue : ExitCode.failure.rawValue
        } catch {
            progress.finish()
            printError("bahi: import of \(path) failed: \(error)")
            exitCode = ExitCode.failure.rawValue
        }
        await store.close()
        return exitCode
    }

    /// Runs one import with a progress display and prints its summary; returns the exit code.
    static func importFile<Job: CSVImportJob>(
        _ job: Job, mode: String?, allOrNothing: Bool, eventType: String, path: String, store: any DataStore, started: ContinuousClock.Instant
    ) async throws -> Int32 {
        let progress = ProgressDisplay(total: job.rowCount, terminal: isatty(2) == 1)
        progress.note("\(path): \(grouped(job.rowCount)) rows; checking…")
        let pending = try await CSVImports.prepare(
            job, mode: mode, allOrNothing: allOrNothing,
            read: { body in try await store.read(body) },
            write: { body in try await store.write(body) },
            context: ImportContext(actor: "cli"),
            progress: { done, total in progress.update(done: done, total: total) })
        let report = try await store.write { db in try pending.finish(db, eventType: eventType, source: "cli") }
        progress.finish()

        let seconds = max(0.001, Self.seconds(ContinuousClock.now - started))
        print("imported \(path): \(grouped(report.rows)) rows in \(String(format1: seconds)) s (\(grouped(Int(Double(report.rows) / seconds))) rows/s): "
              + "\(grouped(report.applied)) applied, \(grouped(report.unchanged)) unchanged, \(grouped(report.errors)) errors"
              + (report.skipped > 0 ? ", \(grouped(report.skipped)) skipped (all or nothing)" : "") + " [\(report.importID)]")
        let failed = report.results.filter { $0.status == .error }
        for r in failed.prefix(50) {
            let subject = r.location.map { "\(r.sku) at \($0)" } ?? r.sku
            print("  row \(r.row)\(subject.isEmpty ? "" : " (\(subject))"): \(r.code ?? "error"): \(r.message ?? "")")
        }
        if failed.count > 50 { print("  … and \(grouped(failed.count - 50)) more errors") }
        return report.succeeded ? ExitCode.success.rawValue : ExitCode.failure.rawValue
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The whole file, or standard input for `-`.
    static func readFile(_ path: String) throws(FileError) -> [UInt8] {
        let descriptor = path == "-" ? 0 : open(path, O_RDONLY)
        guard descriptor >= 0 else { throw FileError(message: String(cString: strerror(errno))) }
        defer { if descriptor != 0 { close(descriptor) } }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(message: String(cString: strerror(errno)))
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: buffer[0..<n])
        }
    }

    /// Why a file could not be read.
    struct FileError: Error {
        var message: String
    }
}

/// Progress on standard error: on a terminal a bar redrawn in place (at most ten times a
/// second), otherwise one line per 10%, so logs of scripted imports stay short.
final class ProgressDisplay: Sendable {
    private struct State {
        var done = 0
        var lastDraw: ContinuousClock.Instant?
        var lastDecile = 0
        var drewBar = false
    }

    private let total: Int
    private let terminal: Bool
    /// Printed before the bar (`bahi copy`'s table name).
    private let label: String
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(total: Int, terminal: Bool, label: String = "") {
        self.total = total
        self.terminal = terminal
        self.label = label
    }

    /// A line of text before the bar starts.
    func note(_ text: String) {
        if terminal { printError(text) }
    }

    /// Records progress; called from the importing task or the store's writer thread.
    func update(done: Int, total: Int) {
        let now = ContinuousClock.now
        let line: String? = state.withLock { s in
            s.done = done
            if terminal {
                if let last = s.lastDraw, now - last < .milliseconds(100), done < total { return nil }
                s.lastDraw = now
                s.drewBar = true
                return "\r" + bar(done: done, now: now)
            }
            let decile = total == 0 ? 10 : done * 10 / total
            guard decile > s.lastDecile else { return nil }
            s.lastDecile = decile
            return "bahi: \(grouped(done))/\(grouped(total)) rows (\(total == 0 ? 100 : done * 100 / total)%)\n"
        }
        if let line { writeError(line) }
    }

    /// Ends the bar's line so what follows starts on a fresh one.
    func finish() {
        let drew = state.withLock { $0.drewBar }
        if terminal, drew { writeError("\r" + bar(done: total, now: ContinuousClock.now) + "\n") }
    }

    /// `[#####.....] 45% 45,000/100,000 rows  12,345 rows/s`.
    private func bar(done: Int, now: ContinuousClock.Instant) -> String {
        let width = 30
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        let filled = min(width, Int(fraction * Double(width)))
        let seconds = ImportCommand.seconds(now - started)
        let rate = seconds > 0 ? Int(Double(done) / seconds) : 0
        return label + "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + "\(Int(fraction * 100))% \(grouped(done))/\(grouped(total)) rows  \(grouped(rate)) rows/s\u{1B}[K"
    }
}

/// Writes text to standard error without a newline.
func writeError(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// `123456` as `123,456`: counts a person reads at a glance.
func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}

extension String {
    /// A number with one decimal (`3.2`), without Foundation's formatting.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(tenths % 10)"
    }
}
