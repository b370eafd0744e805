import BahiCore
public import BahiStore
import Foundation

/// `bahi copy`: moves a whole Bahi database from one store to another — SQLite onto
/// PostgreSQL when a seller outgrows one machine, or PostgreSQL back into an SQLite file.
///
/// Why one type: the copy is only safe as a whole — a source at this binary's schema, read in
/// one snapshot; a target that holds no Bahi rows, migrated first, filled in one transaction
/// in foreign-key order (`BahiSchema.tables`) with its identity sequences moved past the
/// copied keys; and then proved, by the same invariants `bahi check` runs and by the row
/// counts of every table on both sides. The rows themselves move through BahiStore's
/// `TableCopier` (COPY on PostgreSQL, multi-row INSERTs on SQLite).
///
/// Locations print as the path or the redacted URL, so no message carries a password.
public struct StoreCopy: Sendable {
    public let from: DatabaseLocation
    public let to: DatabaseLocation
    /// Rows per batch: per COPY (or set of INSERTs) and per progress report.
    public var batchRows = 10_000
    /// How rows are written to a PostgreSQL target (`.copy` unless measuring).
    public var method = TableCopier.Method.copy

    public init(from: DatabaseLocation, to: DatabaseLocation) {
        self.from = from
        self.to = to
    }

    /// What the copy is doing, for a progress display.
    public enum Progress: Sendable {
        /// A table's copy begins; `total` rows are in the source snapshot.
        case started(table: String, total: Int)
        /// `copied` of `total` rows are written (after every batch).
        case copied(table: String, copied: Int, total: Int)
        /// The table is done.
        case finished(table: String, rows: Int, seconds: Double)
        /// Every table is copied and committed; the checks on the target run now.
        case checking
    }

    /// One table's rows on each side after the copy.
    public struct TableCount: Sendable, Equatable {
        public let table: String
        public let source: Int
        public let target: Int
    }

    /// What a finished copy found.
    public struct Report: Sendable {
        /// Every table, in copy order.
        public let counts: [TableCount]
        /// `bahi check`'s invariants run on the target: (name, violations).
        public let checks: [(name: String, violations: [String])]
        /// Rows written.
        public let rows: Int
        /// Seconds spent copying rows (from the first table's start to the commit).
        public let seconds: Double

        /// Tables whose counts differ.
        public var mismatches: [TableCount] { counts.filter { $0.source != $0.target } }
        /// Whether every count matched and every invariant held.
        public var isClean: Bool { mismatches.isEmpty && checks.allSatisfy { $0.violations.isEmpty } }
        /// Rows written per second of copying.
        public var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }
    }

    /// Why a copy was refused or stopped: one line naming what to do.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Copies on a thread of its own (every call blocks on a database, so none runs on the
    /// Swift cooperative pool), handing `progress` each step from that thread.
    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws(Failure) -> Report {
        let result: Result<Report, Failure> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(Failure) -> Report in try perform(progress) })
            }
            thread.name = "bahi.copy"
            thread.start()
        }
        return try result.get()
    }

    /// The copy itself, synchronously on the calling thread.
    public func perform(_ progress: (Progress) -> Void = { _ in }) throws(Failure) -> Report {
        guard from != to else { throw Failure("--from and --to name the same database (\(from))") }
        let source: any Database
        let target: any Database
        do {
            source = try from.connect(readOnly: true)
            target = try to.connect(readOnly: false)
        } catch {
            throw Failure(error.description)
        }
        do {
            return try TableCopier.inSnapshot(source) {
                try checkSourceSchema(source)
                try prepareTarget(target)
                let totals = try BahiSchema.tables.map { try TableCopier.rowCount(of: $0.name, in: source) }
                let started = ContinuousClock.now
                let copier = TableCopier(source: source, target: target, batchRows: batchRows, method: method)
                let rows = try TableCopier.inWriteTransaction(target) {
                    var rows = 0
                    for (table, total) in zip(BahiSchema.tables, totals) {
                        progress(.started(table: table.name, total: total))
                        let tableStarted = ContinuousClock.now
                        let copied = try copier.copy(table) { progress(.copied(table: table.name, copied: $0, total: total)) }
                        try TableCopier.resetIdentities(of: table.name, in: target)
                        progress(.finished(table: table.name, rows: copied, seconds: Self.seconds(since: tableStarted)))
                        rows += copied
                    }
                    try OrderQueries.renumberSearch(target)
                    return rows
                }
                let seconds = Self.seconds(since: started)
                // PostgreSQL plans from table statistics, and a target filled by COPY has none
                // until autovacuum comes by: the checks below (joins of orders and shipments)
                // ran for many minutes at 200,000 orders on the empty-table plans.
                if target.dialect == .postgres { try target.execute("ANALYZE") }
                progress(.checking)
                return try TableCopier.inSnapshot(target) {
                    let counts = try zip(BahiSchema.tables, totals).map { table, total in
                        TableCount(table: table.name, source: total, target: try TableCopier.rowCount(of: table.name, in: target))
                    }
                    return Report(counts: counts, checks: try InvariantRegistry.run(target), rows: rows, seconds: seconds)
                }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("copy from \(from) to \(to) failed: \(Self.oneLine(error))")
        }
    }

    /// The source must be at exactly this binary's schema: copying an older one would leave
    /// out what its migrations add, and a newer one holds what this binary cannot know.
    private func checkSourceSchema(_ source: any Database) throws {
        let migrator = BahiSchema.migrator(for: source.dialect)
        let version = try migrator.appliedVersion(source)
        if version > migrator.latestVersion {
            throw Failure("the source \(from) is at schema version \(version), newer than this bahi's \(migrator.latestVersion): copy with the newer bahi")
        }
        if version < migrator.latestVersion {
            throw Failure("the source \(from) is at schema version \(version), this bahi's is \(migrator.latestVersion): run `bahi migrate --db \(from)` on it first")
        }
    }

    /// Refuses a target holding any Bahi row (before changing anything in it), then brings
    /// it to this binary's schema.
    private func prepareTarget(_ target: any Database) throws {
        let occupied = try BahiSchema.tables.map(\.name).filter { try TableCopier.hasRows($0, in: target) }
        if let first = occupied.first {
            let more = occupied.count > 1 ? " and \(occupied.count - 1) more table\(occupied.count > 2 ? "s" : "")" : ""
            throw Failure("the target \(to) is not empty (rows in \(first)\(more)): copy into a new, empty database")
        }
        do {
            try BahiSchema.migrator(for: target.dialect).migrate(connection: target)
        } catch {
            throw Failure("cannot migrate the target \(to): \(Self.oneLine(error))")
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// An error's text on one line (libpq's messages span lines).
    static func oneLine(_ error: any Error) -> String {
        "\(error)".split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
