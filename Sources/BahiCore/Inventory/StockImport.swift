public import BahiStore

/// Stock levels in and out of CSV: a warehouse's stock-take spreadsheet, a supplier's
/// delivery note, a migration from another system.
///
/// Two kinds of file, told apart by the header (columns in any order, names case-insensitive):
/// - `sku,location,on_hand` (mode `set`): the units counted. Each row records a `count`
///   movement of the difference, reason `import` — like `POST /v1/inventory/movements` kind
///   `count`, it may leave on_hand below what is reserved (the shortfall then shows for a person
///   to resolve) because a count records what is physically there.
/// - `sku,location,delta` (mode `delta`): units arriving (`receive`) or leaving (`adjust`).
///   A negative delta must leave on_hand at least what is reserved plus safety stock — the
///   rule of a manual `adjust` — else the row fails with `insufficient_stock`.
///
/// The export's read-only columns (`reserved`, `safety_stock`, `damaged`, `available`) are
/// accepted and ignored, so an export can be edited and imported back. Kits have no stock of
/// their own and are refused. A (sku, location) given twice is refused on every row that gives
/// it: neither value is more right than the other.
///
/// Every movement carries the import's `imp_…` id as its reference; `InventoryChanges`
/// emits `inventory.changed` and the low-stock / reorder alerts once per SKU per write, so
/// channel feeds see the import without one event per row.
public struct StockImport: CSVImportJob {
    /// What the quantity column means.
    public enum Mode: String, Sendable, CaseIterable {
        /// The quantity is the counted on_hand.
        case set
        /// The quantity is a signed change to on_hand.
        case delta

        /// The header column that carries the quantity.
        public var column: String { self == .set ? "on_hand" : "delta" }
    }

    /// One row that parsed.
    public struct Line: Sendable, Equatable {
        /// The spreadsheet row.
        public var row: Int
        public var sku: String
        public var location: String
        /// The counted on_hand (`set`) or the signed change (`delta`).
        public var quantity: Int64
    }

    /// The columns `GET /v1/inventory/export` writes, in order.
    public static let exportColumns = ["sku", "location", "on_hand", "reserved", "safety_stock", "damaged", "available"]
    /// Export columns an import reads past.
    static let readOnlyColumns = ["reserved", "safety_stock", "damaged", "available"]
    /// The quantities a row may carry (the same bounds as the movements API).
    static let onHandRange: ClosedRange<Int64> = 0...1_000_000_000
    static let deltaRange: ClosedRange<Int64> = -1_000_000_000...1_000_000_000

    /// What the file's quantities mean (from its header).
    public let mode: Mode
    /// Rows that parsed, without duplicates.
    public let items: [Line]
    /// Rows refused while parsing.
    public let refused: [ImportRowResult]
    /// Data rows in the file.
    public let rowCount: Int

    /// Parses a file. Problems with the file as a whole — not CSV, no header, unknown or
    /// missing columns, a header that contradicts the requested mode — throw a
    /// `DomainError`; problems with a row become that row's error.
    ///
    /// - Parameter requested: the mode the caller asked for; nil takes it from the header.
    public init(csv bytes: [UInt8], mode requested: Mode?) throws {
        var reader = CSVReader(bytes)
        do {
            guard let header = try reader.next() else { throw CSVError(.missingHeader, row: 1, line: 1) }
            let names = Set(header.fields.map { $0.trimmedASCII().lowercased() })
            let mode: Mode
            switch (names.contains("on_hand"), names.contains("delta")) {
            case (true, true):
                throw DomainError.problems([FieldProblem("header", "ambiguous_mode", "Give on_hand (the counted units) or delta (a change), not both.")], code: .invalidHeader)
            case (false, false):
                throw DomainError.problems([FieldProblem("header", "missing_column", "The header needs sku, location and on_hand (mode set) or delta (mode delta).")], code: .invalidHeader)
            case (true, false): mode = .set
            case (false, true): mode = .delta
            }
            if let requested, requested != mode {
                throw DomainError(.modeMismatch,
                                  "mode=\(requested.rawValue) expects a \(requested.column) column, but the file has \(mode.column); fix the mode or the header.",
                                  problems: [FieldProblem("mode", "mode_mismatch", "The header's \(mode.column) column means mode \(mode.rawValue).")])
            }
            let columns = try CSVImports.columns(header.fields, required: ["sku", "location", mode.column], optional: [], ignored: Self.readOnlyColumns)
            self.mode = mode
            var lines: [Line] = []
            var refused: [ImportRowResult] = []
            var rowCount = 0
            while let record = try reader.next() {
                rowCount += 1
                switch Self.parse(record, columns: columns, headerCount: header.fields.count, mode: mode) {
                case .success(let line): lines.append(line)
                case .failure(let error): refused.append(error.result)
                }
            }
            (self.items, self.refused) = Self.refusingDuplicates(lines, refused)
            self.rowCount = rowCount
        } catch let error as CSVError {
            throw CSVImports.invalidCSV(error)
        }
    }

    /// A refused row, carried through `Result`.
    struct RowError: Error {
        var result: ImportRowResult
    }

    static func parse(_ record: CSVRecord, columns: [String: Int], headerCount: Int, mode: Mode) -> Result<Line, RowError> {
        let sku = (CSVImports.cell(record.fields, columns["sku"]) ?? "").trimmedASCII()
        let location = (CSVImports.cell(record.fields, columns["location"]) ?? "").trimmedASCII()
        func refuse(_ code: String, _ message: String) -> Result<Line, RowError> {
            .failure(RowError(result: .error(row: record.row, sku: sku, location: location, code, message)))
        }
        guard record.fields.count == headerCount else {
            return refuse("wrong_field_count", "This row has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s") where the header has \(headerCount); quote cells that contain commas.")
        }
        for (name, code) in [("sku", sku), ("location", location)] {
            if code.isEmpty { return refuse("required", "The \(name) cell is empty.") }
            if !MerchantCode.isValid(code) { return refuse("invalid_code", "The \(name) \"\(code)\" is not a valid code: \(MerchantCode.rule).") }
        }
        let text = CSVImports.cell(record.fields, columns[mode.column]) ?? ""
        if text.trimmedASCII().isEmpty { return refuse("required", "The \(mode.column) cell is empty.") }
        let range = mode == .set ? onHandRange : deltaRange
        guard let quantity = CSVImports.integer(text), range.contains(quantity) else {
            return refuse("invalid_quantity", "\(mode.column) \"\(text)\" must be a whole number from \(range.lowerBound) to \(range.upperBound), without separators or decimals.")
        }
        return .success(Line(row: record.row, sku: sku, location: location, quantity: quantity))
    }

    /// Moves every line whose (sku, location) appears more than once to the refused rows.
    static func refusingDuplicates(_ lines: [Line], _ refused: [ImportRowResult]) -> ([Line], [ImportRowResult]) {
        var rowsByKey: [String: [Int]] = [:]
        for line in lines { rowsByKey[line.sku + "\u{0}" + line.location, default: []].append(line.row) }
        guard rowsByKey.count < lines.count else { return (lines, refused) }
        var kept: [Line] = []
        var refused = refused
        for line in lines {
            let rows = rowsByKey[line.sku + "\u{0}" + line.location] ?? []
            if rows.count == 1 {
                kept.append(line)
            } else {
                let others = rows.filter { $0 != line.row }.map(String.init).joined(separator: ", ")
                refused.append(.error(row: line.row, sku: line.sku, location: line.location, "duplicate_row",
                                      "\(line.sku) at \(line.location) also appears on row\(rows.count > 2 ? "s" : "") \(others); give each SKU and location once."))
            }
        }
        return (kept, refused)
    }

    /// The row, SKU and location of a line.
    public func identity(of item: Line) -> (row: Int, sku: String, location: String?) { (item.row, item.sku, item.location) }

    /// Checks or applies lines (see `CSVImportJob.process`). SKU facts and locations are
    /// looked up once per write, and with `write` each touched SKU's change events are
    /// emitted once at the end, not once per row.
    public func process(_ db: any Database, _ items: ArraySlice<Line>, write: Bool, context: ImportContext) throws -> [ImportRowResult] {
        var facts: [String: Availability.SKUFacts?] = [:]
        var locations: [String: Bool] = [:]
        var changes = InventoryChanges()
        var results: [ImportRowResult] = []
        results.reserveCapacity(items.count)
        for line in items {
            func refuse(_ code: String, _ message: String) -> ImportRowResult {
                .error(row: line.row, sku: line.sku, location: line.location, code, message)
            }
            let sku: Availability.SKUFacts?
            if let known = facts[line.sku] {
                sku = known
            } else {
                sku = try Availability.facts(db, sku: line.sku)
                facts[line.sku] = .some(sku)
            }
            guard let sku else {
                results.append(refuse("unknown_sku", "No SKU \(line.sku); create it first."))
                continue
            }
            guard !sku.isKit else {
                results.append(refuse("kit_has_no_stock", "\(line.sku) is a kit; import its components' stock instead."))
                continue
            }
            let locationExists: Bool
            if let known = locations[line.location] {
                locationExists = known
            } else {
                locationExists = try StockRecords.locationExists(db, code: line.location)
                locations[line.location] = locationExists
            }
            guard locationExists else {
                results.append(refuse("unknown_location", "No location \(line.location)."))
                continue
            }
            if write { try changes.touch(db, sku: line.sku) }
            results.append(try apply(db, line, write: write, context: context))
        }
        if write { try changes.emit(db, actor: context.actor, reference: context.importID, now: context.now) }
        return results
    }

    /// One row: the movement it implies, checked against the level (and applied if `write`).
    private func apply(_ db: any Database, _ line: Line, write: Bool, context: ImportContext) throws -> ImportRowResult {
        let level = try StockRecords.level(db, sku: line.sku, location: line.location).map { (onHand: $0.onHand, reserved: $0.reserved, safety: $0.safetyStock) }
            ?? (onHand: 0, reserved: 0, safety: 0)
        let change: StockChange
        switch mode {
        case .set:
            let delta = line.quantity - level.onHand
            guard delta != 0 else { return ImportRowResult(row: line.row, sku: line.sku, location: line.location, status: .unchanged) }
            // A count records what is there, even below what is reserved (see the type's notes).
            change = StockChange(sku: line.sku, location: line.location, kind: .count, onHand: delta, requiredAvailable: Int64.min / 2,
                                 reference: context.importID, reason: "import")
        case .delta:
            let delta = line.quantity
            guard delta != 0 else { return ImportRowResult(row: line.row, sku: line.sku, location: line.location, status: .unchanged) }
            change = delta > 0
                ? StockChange(sku: line.sku, location: line.location, kind: .receive, onHand: delta, reference: context.importID, reason: "import")
                : StockChange(sku: line.sku, location: line.location, kind: .adjust, onHand: delta, requiredAvailable: -delta,
                              reference: context.importID, reason: "import")
        }
        let refusal = ImportRowResult.error(
            row: line.row, sku: line.sku, location: line.location, "insufficient_stock",
            level.onHand + change.onHand < 0
                ? "A delta of \(change.onHand) is more than the \(level.onHand) on hand at \(line.location)."
                : "A delta of \(change.onHand) would take away units that are reserved or kept as safety stock at \(line.location) "
                    + "(on hand \(level.onHand), reserved \(level.reserved), safety stock \(level.safety)).")
        if !write {
            let fits = level.onHand + change.onHand >= 0 && level.onHand - level.reserved - level.safety >= change.requiredAvailable
            return fits ? ImportRowResult(row: line.row, sku: line.sku, location: line.location, status: .applied, action: change.kind.rawValue) : refusal
        }
        guard try StockLedger.apply(db, change, actor: context.actor, now: context.now) else { return refusal }
        return ImportRowResult(row: line.row, sku: line.sku, location: line.location, status: .applied, action: change.kind.rawValue)
    }

    // MARK: Export

    /// Every stock level (at one location, or all), ordered by SKU then location, as CSV with
    /// `exportColumns`. `available` is on_hand − reserved − safety_stock, shown as at least 0.
    public static func export(_ db: any Database, location: String?) throws -> [UInt8] {
        var csv = CSVWriter(capacity: 1 << 16)
        csv.row(exportColumns)
        try StockRecords.allLevels(db, location: location) { level in
            csv.append(level.sku)
            csv.append(level.location)
            csv.append(level.onHand)
            csv.append(level.reserved)
            csv.append(level.safetyStock)
            csv.append(level.damaged)
            csv.append(level.available)
            csv.endRow()
        }
        return csv.bytes
    }
}
