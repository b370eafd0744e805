public import BahiJSON
public import BahiStore

/// What happened to one row of an imported CSV file.
public struct ImportRowResult: Sendable, Equatable {
    /// The outcome of a row.
    public enum Status: String, Sendable {
        /// The row changed something (a stock movement, a SKU created or updated).
        case applied
        /// The row described what was already there: nothing written.
        case unchanged
        /// The row was refused; `code` and `message` say why.
        case error
        /// An all-or-nothing import refused another row, so this good row was not applied.
        case skipped
    }

    /// The spreadsheet row number (the header is row 1).
    public var row: Int
    /// The SKU code as the file gave it (possibly invalid or empty).
    public var sku: String
    /// The location code, for stock rows.
    public var location: String?
    /// What happened to the row.
    public var status: Status
    /// A stable machine code for an error (`unknown_sku`, `insufficient_stock`, …).
    public var code: String?
    /// What is wrong and how to fix it.
    public var message: String?
    /// What an applied row did — `created`/`updated` for SKUs, the movement kind for stock —
    /// so summaries can count it; not part of the API's row object.
    public var action: String?

    /// A row's outcome; `code` and `message` are for errors and skips.
    public init(row: Int, sku: String, location: String? = nil, status: Status, code: String? = nil, message: String? = nil, action: String? = nil) {
        self.row = row
        self.sku = sku
        self.location = location
        self.status = status
        self.code = code
        self.message = message
        self.action = action
    }

    /// A refused row.
    public static func error(row: Int, sku: String, location: String?, _ code: String, _ message: String) -> ImportRowResult {
        ImportRowResult(row: row, sku: sku, location: location, status: .error, code: code, message: message)
    }
}

/// The outcome of one import, as the API answers it, the CLI prints it and the
/// `*.imported` event records it.
public struct ImportReport: Sendable {
    /// `imp_…`: the movements' reference and the event's entity id, so every change an
    /// import made can be traced back to it.
    public var importID: String
    /// `set` or `delta` for stock; nil for SKUs.
    public var mode: String?
    /// Whether one refused row stopped every row.
    public var allOrNothing: Bool
    /// Every data row, in file order.
    public var results: [ImportRowResult]

    /// A report over every row's result, in any order (they are sorted by row).
    public init(importID: String, mode: String?, allOrNothing: Bool, results: [ImportRowResult]) {
        self.importID = importID
        self.mode = mode
        self.allOrNothing = allOrNothing
        self.results = results.sorted { $0.row < $1.row }
    }

    /// Data rows in the file (the header excluded).
    public var rows: Int { results.count }
    /// Rows that changed something.
    public var applied: Int { results.count { $0.status == .applied } }
    /// Rows that described what was already there.
    public var unchanged: Int { results.count { $0.status == .unchanged } }
    /// Rows refused.
    public var errors: Int { results.count { $0.status == .error } }
    /// Good rows left out because an all-or-nothing import refused another.
    public var skipped: Int { results.count { $0.status == .skipped } }
    /// True when every row applied or was already so: the CLI's exit status.
    public var succeeded: Bool { errors == 0 && skipped == 0 }

    /// At most this many rows are listed when only errors are: a file of half a million bad
    /// rows must not become a response (and an idempotency record) of hundreds of megabytes.
    public static let maxListedErrors = 10_000

    /// The API's response: counts, then every row if there are at most `allRowsUpTo`,
    /// otherwise only the errors (at most `maxListedErrors`, with `results_truncated`).
    public func json(allRowsUpTo limit: Int = 1000) -> [UInt8] {
        var json = JSONWriter(capacity: 256 + min(results.count, limit) * 96)
        json.beginObject()
        json.key("import_id"); json.string(importID)
        if let mode { json.key("mode"); json.string(mode) }
        json.key("all_or_nothing"); json.bool(allOrNothing)
        json.key("rows"); json.int(rows)
        json.key("applied"); json.int(applied)
        json.key("unchanged"); json.int(unchanged)
        json.key("errors"); json.int(errors)
        json.key("skipped"); json.int(skipped)
        let listed: [ImportRowResult] = results.count <= limit
            ? results
            : Array(results.lazy.filter { $0.status == .error }.prefix(Self.maxListedErrors))
        json.key("results_truncated"); json.bool(results.count > limit && errors > Self.maxListedErrors)
        json.key("results")
        json.beginArray()
        for r in listed {
            json.beginObject()
            json.key("row"); json.int(r.row)
            json.key("sku"); json.string(r.sku)
            if let location = r.location { json.key("location"); json.string(location) }
            json.key("status"); json.string(r.status.rawValue)
            json.key("code"); if let code = r.code { json.string(code) } else { json.null() }
            json.key("message"); if let message = r.message { json.string(message) } else { json.null() }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    /// The counts the `*.imported` event carries (`source` is `api` or `cli`).
    public func eventPayload(source: String) -> JSONObject {
        var payload: JSONObject = [
            "import_id": .string(importID), "source": .string(source), "all_or_nothing": .bool(allOrNothing),
            "rows": .number(JSONNumber(rows)), "applied": .number(JSONNumber(applied)), "unchanged": .number(JSONNumber(unchanged)),
            "errors": .number(JSONNumber(errors)), "skipped": .number(JSONNumber(skipped)),
        ]
        if let mode { payload["mode"] = .string(mode) }
        let actions = Dictionary(grouping: results.compactMap(\.action), by: { $0 }).mapValues(\.count)
        for (action, n) in actions.sorted(by: { $0.key < $1.key }) { payload[action] = .number(JSONNumber(n)) }
        return payload
    }
}

/// A parsed import: rows that may apply and rows already refused, plus the code that checks
/// and applies them. Stock and SKU imports conform, so chunking, all-or-nothing and progress
/// are written once (`CSVImports`).
public protocol CSVImportJob: Sendable {
    /// One row that parsed.
    associatedtype Item: Sendable

    /// Rows whose cells parsed, in file order.
    var items: [Item] { get }
    /// Rows refused while parsing (wrong field count, not a number, duplicates…).
    var refused: [ImportRowResult] { get }
    /// Data rows in the file.
    var rowCount: Int { get }

    /// Where an item is in the file and what it names, for rows a failed write takes down.
    func identity(of item: Item) -> (row: Int, sku: String, location: String?)

    /// One result per item, in order. With `write == false` (in a read) it only checks,
    /// answering what would happen; with `write == true` (in a write) it applies. Applying
    /// re-checks everything, because the data may have changed since the check.
    func process(_ db: any Database, _ items: ArraySlice<Item>, write: Bool, context: ImportContext) throws -> [ImportRowResult]
}

/// Who is importing and under which reference.
public struct ImportContext: Sendable {
    /// `imp_…`, the movements' reference.
    public var importID: String
    /// The API key id, or `cli`.
    public var actor: String
    /// The time every change is stamped with.
    public var now: Int64

    /// A new import (fresh `imp_…` id, stamped now) by `actor`.
    public init(importID: String = EntityID.make(.importBatch), actor: String, now: Int64 = Int64(WallClock.milliseconds())) {
        self.importID = importID
        self.actor = actor
        self.now = now
    }
}

/// Runs imports against a store without knowing which store API wraps it: the HTTP layer
/// passes `BahiContext.write` (which also wakes event long-polls), the CLI `DataStore.write`.
public enum CSVImports {
    /// Runs a closure in a read or write transaction and returns its rows.
    public typealias Transaction = @Sendable (@escaping @Sendable (any Database) throws -> [ImportRowResult]) async throws -> [ImportRowResult]
    /// Called with rows whose outcome is known and the file's row count.
    public typealias Progress = @Sendable (_ done: Int, _ total: Int) -> Void

    /// Rows per write transaction in best-effort mode. Big enough that per-transaction costs
    /// (fsync, events per SKU) are shared by many rows; small enough that the writer is held
    /// for tens of milliseconds, so orders keep flowing during a 100,000-row import.
    public static let chunkSize = 2000

    /// What the check found: the items that may apply, and every row refused so far.
    public struct Checked<Item: Sendable>: Sendable {
        /// Items the check found good (or already so), to apply.
        public var passed: [Item]
        /// Every row refused, by the parse or by the check.
        public var refused: [ImportRowResult]
    }

    /// Checks every item in one read transaction (one snapshot), off the writer, so a file
    /// full of unknown SKUs never holds up other writes.
    public static func check<Job: CSVImportJob>(_ job: Job, read: Transaction, context: ImportContext) async throws -> Checked<Job.Item> {
        let items = job.items
        guard !items.isEmpty else { return Checked(passed: [], refused: job.refused) }
        let results = try await read { db in try job.process(db, items[...], write: false, context: context) }
        var passed: [Job.Item] = []
        var refused = job.refused
        passed.reserveCapacity(items.count)
        for (item, result) in zip(items, results) {
            if result.status == .error { refused.append(result) } else { passed.append(item) }
        }
        return Checked(passed: passed, refused: refused)
    }

    /// Best effort: applies `items` in chunks of `chunkSize`, one write each, and returns
    /// their results. A chunk whose transaction fails (the disk is full, the commit failed)
    /// reports each of its rows as `write_failed` and the import goes on.
    public static func applyInChunks<Job: CSVImportJob>(
        _ job: Job, _ items: [Job.Item], alreadyDone: Int = 0, write: Transaction, context: ImportContext,
        chunkSize: Int = CSVImports.chunkSize, progress: Progress? = nil
    ) async -> [ImportRowResult] {
        var results: [ImportRowResult] = []
        results.reserveCapacity(items.count)
        var start = 0
        while start < items.count {
            let chunk = items[start..<min(start + chunkSize, items.count)]
            do {
                results += try await write { db in try job.process(db, chunk, write: true, context: context) }
            } catch {
                results += chunk.map { item in
                    let id = job.identity(of: item)
                    return ImportRowResult.error(row: id.row, sku: id.sku, location: id.location, "write_failed",
                                                 "The write holding this row failed and was rolled back (\(error)); import the row again.")
                }
            }
            start = chunk.endIndex
            progress?(alreadyDone + start, job.rowCount)
        }
        return results
    }

    /// All or nothing: applies every item inside one savepoint of the caller's write; if any
    /// row fails now (the data changed since the check), everything is rolled back and the
    /// good rows are reported `skipped`. Call inside `DataStore.write`.
    public static func applyAtomically<Job: CSVImportJob>(
        _ db: any Database, _ job: Job, _ items: [Job.Item], context: ImportContext
    ) throws -> [ImportRowResult] {
        do {
            return try db.savepoint("csv_import") {
                let results = try job.process(db, items[...], write: true, context: context)
                if results.contains(where: { $0.status == .error }) { throw RolledBack(results: results) }
                return results
            }
        } catch let rolledBack as RolledBack {
            return skippingGoodRows(rolledBack.results)
        }
    }

    /// In an all-or-nothing import that found an error, every row that was not an error
    /// becomes `skipped`.
    public static func skippingGoodRows(_ results: [ImportRowResult]) -> [ImportRowResult] {
        results.map { r in
            guard r.status != .error else { return r }
            var skipped = r
            skipped.status = .skipped
            skipped.code = "not_applied"
            skipped.message = "Not applied: the import is all-or-nothing and another row was refused."
            skipped.action = nil
            return skipped
        }
    }

    /// An import checked (and, in best-effort mode, applied) whose last step — the
    /// all-or-nothing write, if any, and the `*.imported` event — runs in the caller's final
    /// write, so the HTTP layer can commit it with the Idempotency-Key record.
    public struct Pending: Sendable {
        /// Rows whose outcome is already known.
        public var results: [ImportRowResult]
        /// The all-or-nothing apply still to run, if the check passed every row.
        var atomic: (@Sendable (any Database) throws -> [ImportRowResult])?
        /// The import's id, actor and time.
        public var context: ImportContext
        /// `set`/`delta` for stock, nil for SKUs.
        public var mode: String?
        /// Whether the import is all-or-nothing.
        public var allOrNothing: Bool

        /// Runs the remaining work inside a write and appends one `event` (entity `import`,
        /// id `imp_…`) with the counts. Returns the report.
        public func finish(_ db: any Database, event: EventDefinition, source: String) throws -> ImportReport {
            var all = results
            if let atomic { all += try atomic(db) }
            let report = ImportReport(importID: context.importID, mode: mode, allOrNothing: allOrNothing, results: all)
            try EventLog.append(db, NewEvent(event, entityID: context.importID, payload: report.eventPayload(source: source)),
                                actor: context.actor, at: context.now)
            return report
        }

        /// `finish(_:event:source:)` with the import event named by its type (`sku.imported`,
        /// `inventory.imported`: see `SystemEvents.imported`).
        public func finish(_ db: any Database, eventType: String, source: String) throws -> ImportReport {
            guard let event = SystemEvents.imported(eventType) else {
                throw DomainError(.validationFailed, "\(eventType) is not an import event; imports append sku.imported or inventory.imported.")
            }
            return try finish(db, event: event, source: source)
        }
    }

    /// Checks every row in one read; then, best effort, applies the good rows in chunks, or,
    /// all or nothing, leaves them for `Pending.finish` to apply in one write (or reports them
    /// `skipped` if any row was refused). `progress` sees rows as their outcome becomes known.
    public static func prepare<Job: CSVImportJob>(
        _ job: Job, mode: String?, allOrNothing: Bool, read: Transaction, write: Transaction, context: ImportContext,
        chunkSize: Int = CSVImports.chunkSize, progress: Progress? = nil
    ) async throws -> Pending {
        let checked = try await check(job, read: read, context: context)
        progress?(checked.refused.count, job.rowCount)
        var pending = Pending(results: checked.refused, atomic: nil, context: context, mode: mode, allOrNothing: allOrNothing)
        if allOrNothing {
            if checked.refused.isEmpty {
                let items = checked.passed
                pending.atomic = { db in
                    let results = try applyAtomically(db, job, items, context: context)
                    progress?(job.rowCount, job.rowCount)
                    return results
                }
            } else {
                pending.results += checked.passed.map { item in
                    let id = job.identity(of: item)
                    return ImportRowResult(row: id.row, sku: id.sku, location: id.location, status: .unchanged)
                }
                pending.results = skippingGoodRows(pending.results)
                progress?(job.rowCount, job.rowCount)
            }
        } else {
            pending.results += await applyInChunks(job, checked.passed, alreadyDone: checked.refused.count, write: write,
                                                   context: context, chunkSize: chunkSize, progress: progress)
        }
        return pending
    }

    private struct RolledBack: Error {
        var results: [ImportRowResult]
    }

    // MARK: Header and cells

    /// Maps header names (trimmed, lower-cased) to column indices, or throws `invalid_header`
    /// naming the unknown, duplicate or missing columns. `ignored` columns are allowed and unused.
    public static func columns(_ header: [String], required: [String], optional: [String], ignored: [String] = []) throws -> [String: Int] {
        var map: [String: Int] = [:]
        var problems: [FieldProblem] = []
        let known = Set(required + optional + ignored)
        for (i, raw) in header.enumerated() {
            let name = raw.trimmedASCII().lowercased()
            if !known.contains(name) {
                problems.append(FieldProblem("header[\(i + 1)]", "unknown_column", "Unknown column \"\(raw)\"; the columns are \((required + optional).joined(separator: ", "))."))
            } else if map[name] != nil {
                problems.append(FieldProblem("header[\(i + 1)]", "duplicate_column", "Column \(name) appears twice."))
            } else {
                map[name] = i
            }
        }
        for name in required where map[name] == nil {
            problems.append(FieldProblem(name, "missing_column", "The header needs a \(name) column."))
        }
        if !problems.isEmpty { throw DomainError.problems(problems, code: .invalidHeader) }
        return map
    }

    /// `invalid_csv` for a file that cannot be read as CSV at all, naming the row.
    public static func invalidCSV(_ error: CSVError) -> DomainError {
        DomainError(.invalidCSV, error.description, problems: [FieldProblem("row \(error.row)", "invalid_csv", error.description)])
    }

    /// A cell as the import reads it: formula-guard removed (see `CSV`).
    static func cell(_ fields: [String], _ index: Int?) -> String? {
        guard let index, index < fields.count else { return nil }
        return CSV.unneutralised(fields[index])
    }

    /// An integer cell: optional sign and ASCII digits, surrounding spaces ignored; nil for
    /// anything else (`1,000`, `2.0`, `1e3`).
    static func integer(_ text: String) -> Int64? {
        let trimmed = text.trimmedASCII()
        guard !trimmed.isEmpty, trimmed.utf8.count <= 19 else { return nil }
        var body = trimmed.utf8[...]
        if body.first == 0x2B || body.first == 0x2D { body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(trimmed.utf8.first == 0x2B ? String(trimmed.dropFirst()) : trimmed)
    }
}

extension String {
    /// The text without leading and trailing ASCII spaces and tabs.
    func trimmedASCII() -> String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        if first == utf8.startIndex, utf8.index(after: last) == utf8.endIndex { return self }
        return String(self[first...last])
    }
}
