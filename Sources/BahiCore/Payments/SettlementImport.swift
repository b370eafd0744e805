import BahiJSON
public import BahiStore
import Synchronization

/// Importing what gateways settled and couriers remitted, from their CSV files: every row
/// checked and reported on its own, stored once per (gateway, type, entity) or (courier,
/// remittance, AWB), so the same file twice changes nothing and a row the gateway has since
/// updated (settled, its UTR) replaces the old one; remitted COD cash moves its order to
/// `cod_remitted`.
///
/// Why rows are parsed apart from the database: a file is checked whole before anything is
/// written, so a report names every bad row at once, and the writer's transactions hold only
/// the good ones (in batches, so 100,000 rows never hold the writer for long).
public enum SettlementImport {
    public enum Kind: String, Sendable, CaseIterable {
        /// Razorpay's settlement reconciliation rows (the recon API's or the dashboard's columns).
        case razorpaySettlements = "razorpay_settlements"
        /// Cashfree's settlement reconciliation rows (`CashfreeSettlementRecon`).
        case cashfreeSettlements = "cashfree_settlements"
        /// A courier's COD remittance file.
        case codRemittance = "cod_remittance"

        /// The gateway whose settlements a file of this kind lists (`settlement_lines.gateway`);
        /// nil for a courier's remittances.
        public var gateway: String? {
            switch self {
            case .razorpaySettlements: "razorpay"
            case .cashfreeSettlements: "cashfree"
            case .codRemittance: nil
            }
        }

        /// The kind of settlement file a gateway exports, or nil for a gateway Bahi cannot read.
        public init?(gateway: String) {
            guard let kind = Self.allCases.first(where: { $0.gateway == gateway.lowercased() }) else { return nil }
            self = kind
        }
    }

    /// Rows written per transaction.
    public static let batch = 5_000

    /// A refused row: the spreadsheet row number (the header is row 1), a stable code and what to fix.
    public struct RowError: Sendable, Equatable {
        public var row: Int
        public var code: String
        public var message: String
    }

    /// A file read and checked, not yet written: its good rows and its refused ones.
    public struct Parsed: Sendable {
        public var kind: Kind
        var settlements: [SettlementLine] = []
        var remittances: [Remittance] = []
        public var errors: [RowError] = []
        public var rowCount: Int { settlements.count + remittances.count + errors.count }
        public var goodRows: Int { settlements.count + remittances.count }
    }

    /// What an import did, counted over its batches.
    public struct Report: Sendable, Equatable {
        public var importID: String
        public var kind: Kind
        public var rows: Int
        /// Rows that were new or replaced an older version of themselves.
        public var applied: Int
        /// Rows already stored exactly so.
        public var unchanged: Int
        public var errors: [RowError]
        /// COD orders this import moved to `cod_remitted`.
        public var ordersRemitted: Int

        /// The report of a file checked (its refused rows counted) before any batch is written.
        public init(importID: String, parsed: Parsed) {
            self.importID = importID
            self.kind = parsed.kind
            self.rows = parsed.rowCount
            self.applied = 0
            self.unchanged = 0
            self.errors = parsed.errors
            self.ordersRemitted = 0
        }
    }

    struct SettlementLine: Sendable {
        var type: String, entityID: String
        var amount: Int64, fee: Int64, tax: Int64, debit: Int64, credit: Int64
        var onHold: Bool, settled: Bool
        var settlementID: String?, settlementUTR: String?, gatewayOrderID: String?, orderReceipt: String?, gatewayPaymentID: String?, method: String?
        var createdAt: Int64?, settledAt: Int64?
        /// Every stored field's digest: a row imported again unchanged is recognised by it.
        var hash = ""

        /// The line with its `hash` computed.
        func hashed() -> SettlementLine {
            var line = self
            line.hash = SettlementImport.hash([
                type, entityID, String(amount), String(fee), String(tax), String(debit), String(credit), String(onHold), String(settled), settlementID,
                settlementUTR, gatewayOrderID, orderReceipt, gatewayPaymentID, method, createdAt.map(String.init), settledAt.map(String.init),
            ])
            return line
        }
    }

    struct Remittance: Sendable {
        var remittanceID: String, awb: String, utr: String?, date: Int64?, channelOrderID: String?
        var cod: Int64, freight: Int64, codCharge: Int64, earlyFee: Int64, reversal: Int64, net: Int64
        var hash: String
    }

    // MARK: parsing (pure)

    /// Reads and checks a whole file of `kind` in its built-in layout.
    public static func parse(_ bytes: [UInt8], kind: Kind) -> Parsed {
        parse(bytes, columns: SettlementImportColumns(kind: kind))
    }

    /// Reads and checks a whole file whose headers `columns` maps; a file that is not CSV, or
    /// lacks a required column, is one error at row 1.
    public static func parse(_ bytes: [UInt8], columns: SettlementImportColumns) -> Parsed {
        let kind = columns.kind
        var parsed = Parsed(kind: kind)
        var reader = CSVReader(bytes)
        let header: CSVRecord
        do {
            guard let first = try reader.next() else {
                parsed.errors.append(RowError(row: 1, code: "missing_header", message: "The file is empty; the first row names the columns."))
                return parsed
            }
            header = first
        } catch {
            parsed.errors.append(RowError(row: error.row, code: "invalid_csv", message: "\(error)"))
            return parsed
        }
        let (index, missing) = columns.locate(header.fields)
        if let missing {
            parsed.errors.append(missing)
            return parsed
        }
        while true {
            let record: CSVRecord
            do {
                guard let next = try reader.next() else { break }
                record = next
            } catch {
                parsed.errors.append(RowError(row: error.row, code: "invalid_csv", message: "\(error)"))
                break
            }
            if record.fields.allSatisfy({ $0.isEmpty }) { continue }
            func field(_ name: String) -> String? {
                guard let i = index[name], i < record.fields.count else { return nil }
                let value = CSV.unneutralised(record.fields[i]).trimmingSpaces
                return value.isEmpty ? nil : value
            }
            do {
                switch kind {
                case .razorpaySettlements: parsed.settlements.append(try settlement(field))
                case .cashfreeSettlements: parsed.settlements.append(try CashfreeSettlementRecon.line(field))
                case .codRemittance: parsed.remittances.append(try remittance(field))
                }
            } catch {
                parsed.errors.append(RowError(row: record.row, code: error.code, message: error.message))
            }
        }
        return parsed
    }

    struct Problem: Error { var code: String; var message: String }

    /// Paise from a recon amount: an integer is paise (the recon API's unit); text with a
    /// decimal point is rupees (a dashboard export), converted exactly.
    static func paise(_ text: String?, _ name: String, required: Bool = true) throws(Problem) -> Int64 {
        guard let text else {
            if required { throw Problem(code: "missing_value", message: "\(name) is empty.") }
            return 0
        }
        if text.contains(".") {
            guard let value = PaiseAmount.paise(fromRupees: text) else { throw Problem(code: "invalid_amount", message: "\(name) \(text) is not an amount in rupees (at most two decimals).") }
            return value
        }
        guard let value = Int64(text), value >= 0 else { throw Problem(code: "invalid_amount", message: "\(name) \(text) is not a whole number of paise.") }
        return value
    }

    /// Rupees to paise (couriers' files are in rupees, with or without decimals).
    static func rupees(_ text: String?, _ name: String, required: Bool = false) throws(Problem) -> Int64 {
        guard let text else {
            if required { throw Problem(code: "missing_value", message: "\(name) is empty.") }
            return 0
        }
        guard let value = PaiseAmount.paise(fromRupees: text) else { throw Problem(code: "invalid_amount", message: "\(name) \(text) is not an amount in rupees (at most two decimals).") }
        return value
    }

    /// A time: Unix seconds (Razorpay's recon API), RFC 3339 (Cashfree's), a dashboard's local
    /// `YYYY-MM-DD HH:MM:SS` (IST), or a date YYYY-MM-DD (midnight IST).
    static func time(_ text: String?, _ name: String) throws(Problem) -> Int64? {
        guard let text else { return nil }
        if let seconds = Int64(text) {
            // Far outside any real date: a number that large would overflow milliseconds.
            guard (0...253_402_300_799).contains(seconds) else { throw Problem(code: "invalid_time", message: "\(name) \(text) is not a time in Unix seconds.") }
            return seconds * 1000
        }
        if let ms = Timestamps.milliseconds(rfc3339: text) { return ms }
        if let ms = Timestamps.milliseconds(rfc3339: text + "T00:00:00+05:30") { return ms }
        // A dashboard export's local time, `YYYY-MM-DD HH:MM:SS` (Cashfree's reports): IST.
        if text.utf8.count == 19, let ms = Timestamps.milliseconds(rfc3339: text.replacingOccurrences(of: " ", with: "T") + "+05:30") { return ms }
        throw Problem(code: "invalid_time", message: "\(name) \(text) is not Unix seconds, an RFC 3339 time, YYYY-MM-DD HH:MM:SS (IST) or a date YYYY-MM-DD.")
    }

    static func flag(_ text: String?, _ name: String) throws(Problem) -> Bool {
        switch text?.lowercased() {
        case nil, "0", "false", "no": return false
        case "1", "true", "yes": return true
        default: throw Problem(code: "invalid_flag", message: "\(name) \(text ?? "") is not 1/0 or true/false.")
        }
    }

    static func hash(_ parts: [String?]) -> String {
        Digest.hex(Digest.sha256(Array(parts.map { $0 ?? "\u{0}" }.joined(separator: "\u{1F}").utf8)))
    }

    static func settlement(_ field: (String) -> String?) throws(Problem) -> SettlementLine {
        guard let entity = field("entity_id") else { throw Problem(code: "missing_value", message: "entity_id is empty.") }
        guard let type = field("type")?.lowercased(), ["payment", "refund", "transfer", "adjustment"].contains(type) else {
            throw Problem(code: "invalid_type", message: "type \(field("type") ?? "") is not payment, refund, transfer or adjustment.")
        }
        return SettlementLine(
            type: type, entityID: entity, amount: try paise(field("amount"), "amount"), fee: try paise(field("fee"), "fee", required: false),
            tax: try paise(field("tax"), "tax", required: false), debit: try paise(field("debit"), "debit", required: false),
            credit: try paise(field("credit"), "credit", required: false), onHold: try flag(field("on_hold"), "on_hold"),
            settled: try flag(field("settled"), "settled"), settlementID: field("settlement_id"), settlementUTR: field("settlement_utr"),
            gatewayOrderID: field("order_id"), orderReceipt: field("order_receipt"), gatewayPaymentID: field("payment_id"), method: field("method"),
            createdAt: try time(field("created_at"), "created_at"), settledAt: try time(field("settled_at"), "settled_at")
        ).hashed()
    }

    static func remittance(_ field: (String) -> String?) throws(Problem) -> Remittance {
        guard let id = field("remittance_id") else { throw Problem(code: "missing_value", message: "remittance_id is empty.") }
        guard let awb = field("awb") else { throw Problem(code: "missing_value", message: "awb is empty.") }
        var r = Remittance(
            remittanceID: id, awb: awb, utr: field("utr"), date: try time(field("remittance_date"), "remittance_date"), channelOrderID: field("channel_order_id"),
            cod: try rupees(field("cod_amount"), "cod_amount", required: true), freight: try rupees(field("freight_deducted"), "freight_deducted"),
            codCharge: try rupees(field("cod_charge"), "cod_charge"), earlyFee: try rupees(field("early_cod_fee"), "early_cod_fee"),
            reversal: try rupees(field("reversal_amount"), "reversal_amount"), net: try rupees(field("net_remitted"), "net_remitted", required: true), hash: "")
        r.hash = hash([r.remittanceID, r.awb, r.utr, r.date.map(String.init), r.channelOrderID, String(r.cod), String(r.freight), String(r.codCharge),
                       String(r.earlyFee), String(r.reversal), String(r.net)])
        return r
    }

    // MARK: writing

    /// Writes good rows `range` of `parsed` (one batch, in the caller's transaction); returns
    /// (applied, unchanged, COD orders moved to `cod_remitted`).
    public static func write(
        _ db: any Database, _ parsed: Parsed, range: Range<Int>, courier: String, importID: String, now: Int64
    ) throws -> (applied: Int, unchanged: Int, remitted: Int) {
        var applied = 0, unchanged = 0, remitted = 0
        switch parsed.kind {
        case .razorpaySettlements, .cashfreeSettlements:
            let gateway = parsed.kind.gateway ?? ""
            for line in parsed.settlements[range.clamped(to: parsed.settlements.indices)] {
                if try PaymentRecords.upsertSettlementLine(db, gateway: gateway, line, importID: importID, now: now) { applied += 1 } else { unchanged += 1 }
            }
        case .codRemittance:
            for r in parsed.remittances[range.clamped(to: parsed.remittances.indices)] {
                let orderID = try r.channelOrderID.flatMap { try OrderTransitions.orderID(db, channelOrderRef: $0) }
                if try PaymentRecords.upsertRemittance(db, courier: courier, r, orderID: orderID, importID: importID, now: now) {
                    applied += 1
                    if let orderID, r.net > 0, try OrderTransitions.markCODRemitted(db, orderID: orderID, now: now) { remitted += 1 }
                } else {
                    unchanged += 1
                }
            }
        }
        return (applied, unchanged, remitted)
    }

    /// Writes a checked file in batches of `batch` rows, each through `write` (its own
    /// transaction: the API's and the CLI's store call), reporting progress after each, then
    /// announces the import; returns the report. Shared by `POST /v1/reconciliation/imports`
    /// and `bahi import settlements|remittances`.
    public static func run(
        _ parsed: Parsed, importID: String, courier: String, actor: String?,
        write: @escaping @Sendable (@escaping @Sendable (any Database) throws -> Void) async throws -> Void,
        progress: @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) async throws -> Report {
        final class Tally: Sendable {
            let counts = Mutex<(applied: Int, unchanged: Int, remitted: Int)>((0, 0, 0))
        }
        let tally = Tally()
        var start = 0
        while start < parsed.goodRows {
            let range = start..<min(parsed.goodRows, start + batch)
            try await write { db in
                let done = try Self.write(db, parsed, range: range, courier: courier, importID: importID, now: Int64(WallClock.milliseconds()))
                tally.counts.withLock { $0 = ($0.applied + done.applied, $0.unchanged + done.unchanged, $0.remitted + done.remitted) }
            }
            start = range.upperBound
            progress(start, parsed.goodRows)
        }
        var report = Report(importID: importID, parsed: parsed)
        (report.applied, report.unchanged, report.ordersRemitted) = tally.counts.withLock { $0 }
        let finished = report
        try await write { db in try announce(db, finished, actor: actor, now: Int64(WallClock.milliseconds())) }
        return report
    }

    /// Announces a finished import (`reconciliation.import_completed`).
    public static func announce(_ db: any Database, _ report: Report, actor: String?, now: Int64) throws {
        var o = JSONObject()
        o["import_id"] = .string(report.importID)
        o["kind"] = .string(report.kind.rawValue)
        o["rows"] = .int(Int64(report.rows))
        o["applied"] = .int(Int64(report.applied))
        o["unchanged"] = .int(Int64(report.unchanged))
        o["errors"] = .int(Int64(report.errors.count))
        o["orders_remitted"] = .int(Int64(report.ordersRemitted))
        try EventLog.append(db, NewEvent(PaymentEvents.importCompleted, entityID: report.importID, payload: o), actor: actor, at: now)
    }
}
