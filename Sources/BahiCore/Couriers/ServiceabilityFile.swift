public import BahiJSON

/// What a courier does at one pincode: deliver prepaid, collect cash, pick up; whether the
/// pincode is out of its delivery area (ODA: extra days or a surcharge) or embargoed for now.
public struct PincodeService: Sendable, Equatable {
    public var pincode: String
    public var prepaid: Bool
    public var cod: Bool
    public var pickup: Bool
    public var oda: Bool
    public var embargo: Bool

    public init(pincode: String, prepaid: Bool, cod: Bool, pickup: Bool, oda: Bool = false, embargo: Bool = false) {
        self.pincode = pincode
        self.prepaid = prepaid
        self.cod = cod
        self.pickup = pickup
        self.oda = oda
        self.embargo = embargo
    }
}

/// A courier's serviceability list as sent, read and checked before anything is written: our
/// CSV (`pincode,prepaid,cod,pickup,oda,embargo`, Y/N), or Delhivery's pincode JSON
/// (`{"delivery_codes":[{"postal_code":{"pin":…,"pre_paid":"Y","cod":"Y","pickup":"Y","is_oda":"N","remarks":""}}]}`).
///
/// Why parsed apart from the write: the whole list replaces the courier's table, so a file
/// that cannot be read at all (not CSV, a missing column, not Delhivery's shape) is refused
/// whole and the table is left as it was; a bad row is reported and left out, which makes its
/// pincode unserviceable — the safe reading of a row nobody can read.
public struct ServiceabilityFile: Sendable {
    /// Which layout the file is in.
    public enum Format: String, Sendable, CaseIterable {
        case csv
        case delhiveryJSON = "delhivery_json"
    }

    /// A refused row: where it is (a spreadsheet row, header = 1; or the entry's position in
    /// `delivery_codes`, from 1), a stable code and what to fix.
    public struct RowError: Sendable, Equatable {
        public var row: Int
        public var code: String
        public var message: String
    }

    public var format: Format
    /// Entries in the file (blank CSV lines aside).
    public var rows: Int
    /// The good rows, in file order, one per pincode.
    public var services: [PincodeService]
    public var errors: [RowError]

    /// The CSV columns, all required.
    public static let columns = ["pincode", "prepaid", "cod", "pickup", "oda", "embargo"]

    /// Reads our CSV layout. Throws `invalid_csv` for a file that is not CSV and
    /// `invalid_header` for missing, unknown or repeated columns.
    public static func csv(_ bytes: [UInt8]) throws -> ServiceabilityFile {
        var reader = CSVReader(bytes)
        var file = ServiceabilityFile(format: .csv, rows: 0, services: [], errors: [])
        do {
            guard let header = try reader.next() else {
                let problem = FieldProblem("header", "missing_column", "The file is empty; its first row names the columns \(columns.joined(separator: ",")).")
                throw DomainError.problems([problem], code: .invalidHeader)
            }
            let map = try CSVImports.columns(header.fields, required: columns, optional: [])
            var entries: [(row: Int, service: PincodeService)] = []
            while let record = try reader.next() {
                if record.fields.allSatisfy({ $0.trimmedASCII().isEmpty }) { continue }
                file.rows += 1
                guard record.fields.count == header.fields.count else {
                    file.errors.append(RowError(row: record.row, code: "wrong_field_count",
                                                message: "This row has \(record.fields.count) fields where the header has \(header.fields.count)."))
                    continue
                }
                func cell(_ name: String) -> String { (CSVImports.cell(record.fields, map[name]) ?? "").trimmedASCII() }
                do throws(RowProblem) {
                    let pincode = try Self.pincode(cell("pincode"))
                    entries.append((record.row, PincodeService(
                        pincode: pincode, prepaid: try flag(cell("prepaid"), "prepaid", pincode), cod: try flag(cell("cod"), "cod", pincode),
                        pickup: try flag(cell("pickup"), "pickup", pincode), oda: try flag(cell("oda"), "oda", pincode),
                        embargo: try flag(cell("embargo"), "embargo", pincode))))
                } catch {
                    file.errors.append(RowError(row: record.row, code: error.code, message: error.message))
                }
            }
            file.keepOnce(entries)
        } catch let error as CSVError {
            throw CSVImports.invalidCSV(error)
        }
        return file
    }

    /// Reads Delhivery's pincode JSON (`GET /c/api/pin-codes/json/` answers, or their entries
    /// gathered into one list). `pin` may be a number or text; `pre_paid`, `cod` and `pickup`
    /// are required Y/N flags (`cash`, which Delhivery also sends, is not read: `cod` is the
    /// flag for cash on delivery); `is_oda` is N when absent; `remarks` "Embargo" (any case)
    /// marks a temporary no-service zone. Other keys are Delhivery's and ignored. An empty
    /// `delivery_codes` is a courier that serves no pincode.
    public static func delhivery(_ document: JSONValue) throws -> ServiceabilityFile {
        guard case .object(let root) = document, case .array(let entries)? = root["delivery_codes"] else {
            throw DomainError.problems([FieldProblem("delivery_codes", "required", "Delhivery's pincode JSON: an object with a delivery_codes array.")])
        }
        var file = ServiceabilityFile(format: .delhiveryJSON, rows: entries.count, services: [], errors: [])
        var good: [(row: Int, service: PincodeService)] = []
        for (index, entry) in entries.enumerated() {
            let row = index + 1
            do throws(RowProblem) {
                guard case .object(let wrapper) = entry, case .object(let code)? = wrapper["postal_code"] else {
                    throw RowProblem(code: "invalid_entry", message: "Each delivery_codes entry is {\"postal_code\": {…}}.")
                }
                let pinText: String
                switch code["pin"] {
                case .number(let n)?: pinText = n.text
                case .string(let s)?: pinText = s.trimmedASCII()
                default: throw RowProblem(code: "invalid_pincode", message: "postal_code.pin is missing; it is the six-digit pincode.")
                }
                let pincode = try Self.pincode(pinText)
                func text(_ key: String) throws(RowProblem) -> String {
                    switch code[key] {
                    case .string(let s)?: return s.trimmedASCII()
                    case nil, .null?: return ""
                    default: throw RowProblem(code: "invalid_flag", message: "\(key) of \(pincode) is not text (Y or N).")
                    }
                }
                let remarks = try text("remarks")
                let oda = try text("is_oda")
                good.append((row, PincodeService(
                    pincode: pincode, prepaid: try flag(text("pre_paid"), "pre_paid", pincode), cod: try flag(text("cod"), "cod", pincode),
                    pickup: try flag(text("pickup"), "pickup", pincode), oda: try oda.isEmpty ? false : flag(oda, "is_oda", pincode),
                    embargo: remarks.lowercased() == "embargo")))
            } catch {
                file.errors.append(RowError(row: row, code: error.code, message: error.message))
            }
        }
        file.keepOnce(good)
        return file
    }

    /// Keeps rows whose pincode appears once; a pincode given twice is refused on every row
    /// that names it, since nobody can tell which row the courier meant.
    private mutating func keepOnce(_ entries: [(row: Int, service: PincodeService)]) {
        var rowsByPincode: [String: [Int]] = [:]
        for entry in entries { rowsByPincode[entry.service.pincode, default: []].append(entry.row) }
        services.reserveCapacity(entries.count)
        for entry in entries {
            let rows = rowsByPincode[entry.service.pincode] ?? []
            if rows.count == 1 {
                services.append(entry.service)
            } else {
                let others = rows.filter { $0 != entry.row }.map(String.init).joined(separator: ", ")
                errors.append(RowError(row: entry.row, code: "duplicate_row", message: "\(entry.service.pincode) also appears on row\(rows.count > 2 ? "s" : "") \(others); give each pincode once."))
            }
        }
        errors.sort { $0.row < $1.row }
    }

    struct RowProblem: Error {
        var code: String
        var message: String
    }

    static func pincode(_ text: String) throws(RowProblem) -> String {
        guard PincodeDirectory.isWellFormed(text) else {
            throw RowProblem(code: "invalid_pincode", message: text.isEmpty ? "The pincode is empty." : "\(text) is not a six-digit pincode.")
        }
        return text
    }

    static func flag(_ text: String, _ name: String, _ pincode: String) throws(RowProblem) -> Bool {
        switch text {
        case "Y", "y": return true
        case "N", "n": return false
        default: throw RowProblem(code: "invalid_flag", message: "\(name) of \(pincode) is \(text.isEmpty ? "empty" : "\"\(text)\""); write Y or N.")
        }
    }
}
