public import BahiStore

/// The catalog in and out of CSV: a merchant's product sheet, or a bulk price change.
///
/// Columns (`columns`, any order, names case-insensitive): only `sku` is required. A row
/// creates the SKU if it does not exist — then `name`, `mrp_paise` and `price_paise` are
/// needed — or updates it, bumping `version`, if any value differs. Per column:
/// - a column missing from the header leaves that field as it is (or its default, for a new
///   SKU), so a sheet of `sku,price_paise` changes prices only;
/// - an empty cell does the same for `name`, numbers and booleans; for `hsn` an empty cell
///   means "no HSN code", which is a value of its own;
/// - numbers are whole paise, grams, millimetres or basis points (`12.50` is refused: paise,
///   not rupees); booleans are `true`/`false` (also `1`/`0`, `yes`/`no`).
///
/// Rows are validated by the catalog's own rules (`SKUFields.problems`), so a CSV can store
/// nothing that `PUT /v1/skus/:sku` would refuse. Kits are not imported or exported: their
/// component lists do not fit a flat row, so they are edited with PUT, and a row naming an
/// existing kit is refused. One `sku.imported` event records the import, with counts.
public struct SKUImport: CSVImportJob {
    /// The columns `GET /v1/skus/export` writes, in order; an import accepts any subset that
    /// includes `sku`.
    public static let columns = [
        "sku", "name", "mrp_paise", "price_paise", "weight_g", "length_mm", "width_mm", "height_mm", "hsn", "gst_rate_bps",
        "active", "returnable", "return_window_days", "low_stock_threshold", "reorder_point", "reorder_qty",
    ]
    // Computed, not stored: key paths are not Sendable, so they cannot live in a static.
    static var integerColumns: [(name: String, path: WritableKeyPath<SKUFields, Int64>)] { [
        ("mrp_paise", \.mrpPaise), ("price_paise", \.pricePaise), ("weight_g", \.weightG), ("length_mm", \.lengthMM),
        ("width_mm", \.widthMM), ("height_mm", \.heightMM), ("gst_rate_bps", \.gstRateBps), ("return_window_days", \.returnWindowDays),
        ("low_stock_threshold", \.lowStockThreshold), ("reorder_point", \.reorderPoint), ("reorder_qty", \.reorderQty),
    ] }
    static var booleanColumns: [(name: String, path: WritableKeyPath<SKUFields, Bool>)] { [("active", \.active), ("returnable", \.returnable)] }

    /// One row that parsed: the values it sets (nil: leave as is).
    public struct Line: Sendable {
        /// The spreadsheet row.
        public var row: Int
        public var sku: String
        var name: String?
        var hsn: String?
        var integers: [Int64?]
        var booleans: [Bool?]
    }

    /// Rows that parsed, without duplicates.
    public let items: [Line]
    /// Rows refused while parsing.
    public let refused: [ImportRowResult]
    /// Data rows in the file.
    public let rowCount: Int

    /// Parses a file; problems with the file as a whole throw a `DomainError` (`invalid_csv`,
    /// `invalid_header`), problems
    /// with a row become that row's error.
    public init(csv bytes: [UInt8]) throws {
        var reader = CSVReader(bytes)
        do {
            guard let header = try reader.next() else { throw CSVError(.missingHeader, row: 1, line: 1) }
            let map = try CSVImports.columns(header.fields, required: ["sku"], optional: Array(Self.columns.dropFirst()))
            var lines: [Line] = []
            var refused: [ImportRowResult] = []
            var rowCount = 0
            while let record = try reader.next() {
                rowCount += 1
                switch Self.parse(record, columns: map, headerCount: header.fields.count) {
                case .success(let line): lines.append(line)
                case .failure(let error): refused.append(error.result)
                }
            }
            var rowsBySKU: [String: [Int]] = [:]
            for line in lines { rowsBySKU[line.sku, default: []].append(line.row) }
            var kept: [Line] = []
            for line in lines {
                let rows = rowsBySKU[line.sku] ?? []
                if rows.count == 1 {
                    kept.append(line)
                } else {
                    let others = rows.filter { $0 != line.row }.map(String.init).joined(separator: ", ")
                    refused.append(.error(row: line.row, sku: line.sku, location: nil, "duplicate_row",
                                          "\(line.sku) also appears on row\(rows.count > 2 ? "s" : "") \(others); give each SKU once."))
                }
            }
            self.items = kept
            self.refused = refused
            self.rowCount = rowCount
        } catch let error as CSVError {
            throw CSVImports.invalidCSV(error)
        }
    }

    static func parse(_ record: CSVRecord, columns: [String: Int], headerCount: Int) -> Result<Line, StockImport.RowError> {
        let sku = (CSVImports.cell(record.fields, columns["sku"]) ?? "").trimmedASCII()
        func refuse(_ code: String, _ message: String) -> Result<Line, StockImport.RowError> {
            .failure(StockImport.RowError(result: .error(row: record.row, sku: sku, location: nil, code, message)))
        }
        guard record.fields.count == headerCount else {
            return refuse("wrong_field_count", "This row has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s") where the header has \(headerCount); quote cells that contain commas.")
        }
        if sku.isEmpty { return refuse("required", "The sku cell is empty.") }
        if !MerchantCode.isValid(sku) { return refuse("invalid_code", "The sku \"\(sku)\" is not a valid code: \(MerchantCode.rule).") }
        var line = Line(row: record.row, sku: sku, integers: [], booleans: [])
        // Names are trimmed of spaces and tabs, as the catalog API trims them.
        if let name = CSVImports.cell(record.fields, columns["name"])?.trimmedASCII(), !name.allSatisfy(\.isWhitespace) { line.name = name }
        if let hsn = CSVImports.cell(record.fields, columns["hsn"]) { line.hsn = hsn.trimmedASCII() }
        for column in integerColumns {
            guard let text = CSVImports.cell(record.fields, columns[column.name]), !text.trimmedASCII().isEmpty else {
                line.integers.append(nil)
                continue
            }
            guard let value = CSVImports.integer(text) else {
                let hint = column.name.hasSuffix("_paise") ? " (paise, not rupees: ₹12.50 is 1250)" : ""
                return refuse("invalid_number", "\(column.name) \"\(text)\" must be a whole number\(hint).")
            }
            line.integers.append(value)
        }
        for column in booleanColumns {
            guard let text = CSVImports.cell(record.fields, columns[column.name]), !text.trimmedASCII().isEmpty else {
                line.booleans.append(nil)
                continue
            }
            switch text.trimmedASCII().lowercased() {
            case "true", "1", "yes": line.booleans.append(true)
            case "false", "0", "no": line.booleans.append(false)
            default: return refuse("invalid_boolean", "\(column.name) \"\(text)\" must be true or false.")
            }
        }
        return .success(line)
    }

    /// The row and SKU of a line.
    public func identity(of item: Line) -> (row: Int, sku: String, location: String?) { (item.row, item.sku, nil) }

    /// Checks or applies lines (see `CSVImportJob.process`): each row reads the SKU as it is
    /// now, so an update merges onto the current values and is guarded by their version.
    public func process(_ db: any Database, _ items: ArraySlice<Line>, write: Bool, context: ImportContext) throws -> [ImportRowResult] {
        var results: [ImportRowResult] = []
        results.reserveCapacity(items.count)
        for line in items {
            results.append(try apply(db, line, write: write, context: context))
        }
        return results
    }

    private func apply(_ db: any Database, _ line: Line, write: Bool, context: ImportContext) throws -> ImportRowResult {
        func refuse(_ code: String, _ message: String) -> ImportRowResult { .error(row: line.row, sku: line.sku, location: nil, code, message) }
        let current = try CatalogRecords.sku(db, code: line.sku)
        if current?.isKit == true {
            return refuse("kit_not_importable", "\(line.sku) is a kit; a kit's components are edited on the kit itself, not by CSV.")
        }
        var fields: SKUFields
        if let current {
            fields = current.sku.fields
        } else {
            let mrpIndex = Self.integerColumns.firstIndex { $0.name == "mrp_paise" } ?? 0
            let priceIndex = Self.integerColumns.firstIndex { $0.name == "price_paise" } ?? 1
            guard let name = line.name, let mrp = line.integers[mrpIndex], let price = line.integers[priceIndex] else {
                let missing = [("name", line.name == nil), ("mrp_paise", line.integers[mrpIndex] == nil), ("price_paise", line.integers[priceIndex] == nil)]
                    .filter(\.1).map(\.0).joined(separator: ", ")
                return refuse("required", "\(line.sku) is a new SKU, so it needs \(missing).")
            }
            fields = SKUFields(name: name, mrpPaise: mrp, pricePaise: price)
        }
        if let name = line.name { fields.name = name }
        if let hsn = line.hsn { fields.hsn = hsn }
        for (column, value) in zip(Self.integerColumns, line.integers) { if let value { fields[keyPath: column.path] = value } }
        for (column, value) in zip(Self.booleanColumns, line.booleans) { if let value { fields[keyPath: column.path] = value } }

        let problems = fields.problems(code: line.sku)
        if let first = problems.first {
            return refuse(first.code, problems.map { "\($0.path): \($0.message)" }.joined(separator: " "))
        }
        if let current, current.sku.fields == fields {
            return ImportRowResult(row: line.row, sku: line.sku, status: .unchanged)
        }
        let action = current == nil ? "created" : "updated"
        if write {
            // Conditional writes decide: insert unless another writer created the SKU, update
            // only at the version read (a SKU that became a kit since has a newer one).
            let written = if let current {
                try CatalogRecords.updateSKU(db, code: line.sku, fields: fields, version: current.sku.version, now: context.now)
            } else {
                try CatalogRecords.insertSKU(db, code: line.sku, fields: fields, now: context.now)
            }
            guard written else {
                return refuse("conflict", "\(line.sku) changed while the import ran; import the row again.")
            }
        }
        return ImportRowResult(row: line.row, sku: line.sku, status: .applied, action: action)
    }

    // MARK: Export

    /// Every SKU that is not a kit, by code, as CSV with `columns`.
    public static func export(_ db: any Database) throws -> [UInt8] {
        var csv = CSVWriter(capacity: 1 << 16)
        csv.row(columns)
        try CatalogRecords.forEachStockedSKU(db) { sku in
            let f = sku.fields
            csv.append(sku.code)
            csv.append(f.name)
            csv.append(f.mrpPaise)
            csv.append(f.pricePaise)
            csv.append(f.weightG)
            csv.append(f.lengthMM)
            csv.append(f.widthMM)
            csv.append(f.heightMM)
            csv.append(f.hsn)
            csv.append(f.gstRateBps)
            csv.append(f.active)
            csv.append(f.returnable)
            csv.append(f.returnWindowDays)
            csv.append(f.lowStockThreshold)
            csv.append(f.reorderPoint)
            csv.append(f.reorderQty)
            csv.endRow()
        }
        return csv.bytes
    }
}
