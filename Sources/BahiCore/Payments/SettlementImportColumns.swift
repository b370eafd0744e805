/// Which header carries each column of an import file: for every column name Bahi reads (its
/// own names, e.g. `awb`, `cod_amount`), the headers that may carry it, tried in order.
///
/// Why a mapping and not one fixed layout: gateways export the same facts under their API's
/// names or their dashboard's (`event_amount`, "Event Amount"), and each courier names its
/// remittance columns its own way ("Waybill" for `awb`). Built-in layouts cover the known ones
/// (`shiprocket`, the default layout, and `delhivery`); a server's configuration
/// (`reconciliation.remittance_columns`) adds couriers, and a request may override single
/// columns (`columns=awb:Waybill,cod_amount:COD Amount`). Matching ignores case, surrounding
/// spaces and a byte-order mark, as it always has.
///
/// Pure: no I/O; the route and the CLI pass the configured mappings in.
public struct SettlementImportColumns: Sendable, Equatable {
    /// A mapping refused: it names a column the kind does not have, or is not `ours:theirs` pairs.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// The column name at fault (empty when the text itself is malformed).
        public var column: String
        public var message: String
        public var description: String { message }
    }

    public let kind: SettlementImport.Kind
    /// Our column → the headers that may carry it, as written (for messages), tried in order.
    public private(set) var headers: [String: [String]]

    /// The built-in layout of `kind`; for `cod_remittance`, `courier`'s when Bahi knows one
    /// (any other courier gets the default layout).
    public init(kind: SettlementImport.Kind, courier: String? = nil) {
        self.kind = kind
        var headers: [String: [String]] = [:]
        for name in Self.names(kind) { headers[name] = [name] }
        switch kind {
        case .razorpaySettlements:
            break
        case .cashfreeSettlements:
            for (name, aliases) in Self.cashfreeAliases { headers[name, default: [name]].append(contentsOf: aliases) }
        case .codRemittance:
            for (name, header) in Self.courierLayouts[courier?.lowercased() ?? ""] ?? [:] { headers[name] = [header] }
        }
        self.headers = headers
    }

    /// The columns a file of `kind` must have.
    public static func required(_ kind: SettlementImport.Kind) -> [String] {
        switch kind {
        case .razorpaySettlements: ["entity_id", "type", "amount", "fee", "tax", "debit", "credit", "settled"]
        case .cashfreeSettlements: ["event_id", "event_type", "event_amount"]
        case .codRemittance: ["remittance_id", "awb", "cod_amount", "net_remitted"]
        }
    }

    /// The columns read when present.
    public static func optional(_ kind: SettlementImport.Kind) -> [String] {
        switch kind {
        case .razorpaySettlements:
            ["on_hold", "settlement_id", "settlement_utr", "order_id", "order_receipt", "payment_id", "method", "created_at", "settled_at"]
        case .cashfreeSettlements:
            ["sale_type", "event_settlement_amount", "event_time", "order_id", "cf_payment_id", "cf_refund_id", "payment_service_charge",
             "payment_service_tax", "cf_settlement_id", "settlement_date", "settlement_utr", "payment_group", "adjustment_remarks"]
        case .codRemittance:
            ["utr", "remittance_date", "channel_order_id", "freight_deducted", "cod_charge", "early_cod_fee", "reversal_amount"]
        }
    }

    /// Every column of `kind`: the names a mapping may use.
    public static func names(_ kind: SettlementImport.Kind) -> [String] { required(kind) + optional(kind) }

    /// Couriers whose remittance layout Bahi knows, as our column → their header.
    ///
    /// shiprocket is the default layout (our own names: no public Shiprocket column list
    /// exists). delhivery's headers are those of its COD remittance report as sellers download
    /// it; Delhivery publishes no specification either, so a layout that differs is configured
    /// (`reconciliation.remittance_columns`) or overridden per request (`columns=`). Delhivery
    /// pays each remittance with one UTR and shows no other remittance number, so the UTR
    /// doubles as the remittance id.
    public static let courierLayouts: [String: [String: String]] = [
        "shiprocket": [:],
        "delhivery": [
            "remittance_id": "UTR No", "utr": "UTR No", "awb": "Waybill", "channel_order_id": "Order ID", "cod_amount": "COD Amount",
            "net_remitted": "Remitted Amount", "remittance_date": "Remittance Date",
        ],
    ]

    /// Other headers Cashfree's settlement recon rows arrive under: the dashboard's Settlement
    /// Recon report names the API's fields in words ("Event Amount"), and the PG recon API
    /// calls the payment's charges `service_charge`/`service_tax`.
    static let cashfreeAliases: [(String, [String])] = [
        ("event_id", ["event id"]), ("event_type", ["event type"]), ("event_amount", ["event amount"]), ("sale_type", ["sale type"]),
        ("event_settlement_amount", ["event settlement amount"]), ("event_time", ["event time"]), ("order_id", ["order id"]),
        ("cf_payment_id", ["payment id", "cf payment id"]), ("cf_refund_id", ["cf refund id"]),
        ("payment_service_charge", ["service_charge", "service charge", "payment service charge"]),
        ("payment_service_tax", ["service_tax", "service tax", "payment service tax"]),
        ("cf_settlement_id", ["settlement_id", "settlement id"]), ("settlement_date", ["settlement date"]),
        ("settlement_utr", ["utr", "settlement utr"]), ("payment_group", ["payment_mode", "payment mode", "payment group"]),
        ("adjustment_remarks", ["adjustment remarks"]),
    ]

    /// The layout for one import: `kind`'s built-in (a courier's, for remittances), then the
    /// server's configured mapping for that courier, then the request's `columns` text, each
    /// replacing the headers of the columns it names.
    public static func layout(
        kind: SettlementImport.Kind, courier: String?, configured: [String: [String: String]], columns: String?
    ) throws(Problem) -> SettlementImportColumns {
        var layout = SettlementImportColumns(kind: kind, courier: courier)
        if kind == .codRemittance, let courier, let own = configured[courier.lowercased()] { try layout.apply(own) }
        if let columns { try layout.apply(try mapping(columns)) }
        return layout
    }

    /// Replaces the headers of the columns `mapping` names (our column → their header).
    public mutating func apply(_ mapping: [String: String]) throws(Problem) {
        if let problem = Self.check(mapping, kind: kind) { throw problem }
        for (name, header) in mapping { headers[name] = [header] }
    }

    /// Why `mapping` cannot be applied to files of `kind`, or nil: an unknown column name, or an
    /// empty header. Unknown names are reported in sorted order, so the message is stable.
    public static func check(_ mapping: [String: String], kind: SettlementImport.Kind) -> Problem? {
        let known = names(kind)
        for name in mapping.keys.sorted() {
            guard known.contains(name) else {
                return Problem(column: name, message: "\(name) is not a \(kind.rawValue) column; the columns are \(known.joined(separator: ", ")).")
            }
            if mapping[name]?.trimmingSpaces.isEmpty ?? true {
                return Problem(column: name, message: "\(name) maps to an empty header; name the header that carries it.")
            }
        }
        return nil
    }

    /// `ours:theirs` pairs separated by commas (`awb:Waybill,cod_amount:COD Amount`) as a
    /// mapping. Names are trimmed and our names lower-cased; a header may hold `:` but not `,`.
    public static func mapping(_ text: String) throws(Problem) -> [String: String] {
        var mapping: [String: String] = [:]
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let pair = String(part)
            guard let colon = pair.firstIndex(of: ":") else {
                throw Problem(column: "", message: "\(pair.trimmingSpaces) is not column:header (e.g. awb:Waybill).")
            }
            let name = String(pair[..<colon]).trimmingSpaces.lowercased(), header = String(pair[pair.index(after: colon)...]).trimmingSpaces
            guard !name.isEmpty else { throw Problem(column: "", message: "\(pair.trimmingSpaces) names no column before the colon.") }
            guard mapping[name] == nil else { throw Problem(column: name, message: "\(name) is mapped twice.") }
            mapping[name] = header
        }
        return mapping
    }

    /// A header as matched: no byte-order mark, no surrounding spaces, lower case.
    static func normalised(_ header: String) -> String {
        header.replacingOccurrences(of: "\u{FEFF}", with: "").trimmingSpaces.lowercased()
    }

    /// Where each column is in a file whose first row is `header`, or the `missing_column`
    /// message naming each required column not found with the header(s) looked for.
    func locate(_ header: [String]) -> (index: [String: Int], missing: SettlementImport.RowError?) {
        var positions: [String: Int] = [:]
        for (i, name) in header.map(Self.normalised).enumerated() where positions[name] == nil { positions[name] = i }
        var index: [String: Int] = [:]
        for (name, candidates) in headers {
            if let found = candidates.lazy.compactMap({ positions[Self.normalised($0)] }).first { index[name] = found }
        }
        let required = Self.required(kind)
        let missing = required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            let named = missing.map { name in
                "\(name) (looked for " + (headers[name] ?? [name]).map { "\"\($0)\"" }.joined(separator: " or ") + ")"
            }
            return (index, SettlementImport.RowError(
                row: 1, code: "missing_column",
                message: "The header lacks \(named.joined(separator: ", ")); it needs \(required.joined(separator: ", ")).")
            )
        }
        return (index, nil)
    }
}
