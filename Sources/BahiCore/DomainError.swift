/// A domain rule refused an operation.
///
/// Why no HTTP status: the domain speaks no transport. It says *what* went wrong — a stable
/// `code` clients switch on, a message for a person (naming no route), the inputs at fault
/// and structured details (which line, which SKU, what was short) — and BahiAPI decides, in
/// one table, which status and which request paths that becomes (`DomainErrorResponse`).
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every failure the domain reports. A new case must be given a status in BahiAPI's
    /// table, which the compiler enforces (the switch there is exhaustive).
    public enum Code: String, Sendable, CaseIterable {
        // The thing named does not exist.
        case notFound = "not_found"
        // Inputs that break a rule; `problems` name each one.
        case validationFailed = "validation_failed"
        case invalidPincode = "invalid_pincode"
        case invalidKit = "invalid_kit"
        case invalidHeader = "invalid_header"
        case invalidCSV = "invalid_csv"
        case invalidGSTIN = "invalid_gstin"
        case codBlockedPincode = "cod_blocked_pincode"
        case codLimitExceeded = "cod_limit_exceeded"
        case codNotAvailable = "cod_not_available"
        case modeMismatch = "mode_mismatch"
        case scanMismatch = "scan_mismatch"
        case totalsMismatch = "totals_mismatch"
        case unknownLocation = "unknown_location"
        case unknownReservation = "unknown_reservation"
        case courierCannotCarry = "courier_cannot_carry"
        // The request is sound but the current state refuses it.
        case insufficientStock = "insufficient_stock"
        case invalidTransition = "invalid_transition"
        case invoiceSeriesExhausted = "invoice_series_exhausted"
        case nothingToPick = "nothing_to_pick"
        case paymentBelongsElsewhere = "payment_belongs_elsewhere"
        case reservationNotActive = "reservation_not_active"
        case sellerProfileIncomplete = "seller_profile_incomplete"
        case sellerStateUnknown = "seller_state_unknown"
        case shipmentsNotPickable = "shipments_not_pickable"
        case shipmentNotPacked = "shipment_not_packed"
        case skuHasStock = "sku_has_stock"
        case endpointDisabled = "endpoint_disabled"
        case refundExceedsCaptured = "refund_exceeds_captured"
        case gatewayNotConfigured = "gateway_not_configured"
        case shipmentNotBooked = "shipment_not_booked"
        case waybillPoolEmpty = "waybill_pool_empty"
        case awbInUse = "awb_in_use"
        case nothingToManifest = "nothing_to_manifest"
        case pickupCapacityFull = "pickup_capacity_full"
        case rtoAlreadyReceived = "rto_already_received"
        case wrongProvider = "wrong_provider"
        // A courier that books through a provider's API lacks what the call needs: its
        // credentials (a secret) or its settings there (`provider_courier_id`, `pickup_location`).
        case courierNotConfigured = "courier_not_configured"
        // The courier's provider was asked and refused (its words and field in the message):
        // nothing was booked or changed.
        case courierRefused = "courier_refused"
        // The courier's provider could not be reached, timed out or answered nothing certain:
        // nothing changed in Bahi; safe to ask again.
        case courierUnavailable = "courier_unavailable"
        // Defined but not built yet: the request is right and will work in a later version.
        case providerNotSupportedYet = "provider_not_supported_yet"
        // The caller's idea of the resource's version is stale.
        case versionMismatch = "version_mismatch"
        // Bahi's own data broke an invariant: never the caller's fault.
        case corruptOrder = "corrupt_order"
        case corruptRow = "corrupt_row"
        case invoiceSeriesFailed = "invoice_series_failed"
        case ledgerInconsistent = "ledger_inconsistent"
    }

    /// The stable machine code.
    public var code: Code
    /// What went wrong and how to fix it, for a person; names no route or request path.
    public var message: String
    /// Every input at fault (empty when the failure is not about one input).
    public var problems: [FieldProblem]
    /// Structured facts for the client (e.g. `shortfall`: per-line requested and available),
    /// each as a key and the JSON text of its value.
    public var details: [Detail]

    /// One structured fact: a key and its value as JSON text.
    public struct Detail: Sendable, Equatable {
        public var key: String
        public var json: String
        public init(key: String, json: String) {
            self.key = key
            self.json = json
        }
    }

    public init(_ code: Code, _ message: String, problems: [FieldProblem] = [], details: [Detail] = []) {
        self.code = code
        self.message = message
        self.problems = problems
        self.details = details
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func == (lhs: DomainError, rhs: DomainError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.problems == rhs.problems && lhs.details == rhs.details
    }

    /// `not_found`: no `what` with this id or code.
    public static func notFound(_ what: String, _ id: String) -> DomainError {
        DomainError(.notFound, "No \(what) \(id).")
    }

    /// `validation_failed` with one input at fault.
    public static func invalid(_ field: String, _ code: String, _ message: String) -> DomainError {
        DomainError(.validationFailed, "\(field): \(message)", problems: [FieldProblem(field, code, message)])
    }

    /// Every problem at once (`validation_failed` unless a more specific code names the kind of
    /// failure, such as `invalid_kit` or `invalid_pincode`).
    public static func problems(_ problems: [FieldProblem], code: Code = .validationFailed) -> DomainError {
        let message = problems.count == 1 ? "\(problems[0].path): \(problems[0].message)" : "Some fields are invalid; see errors."
        return DomainError(code, message, problems: problems)
    }

    /// The same error with every problem moved under item `index` of the list `list` (a line
    /// of an order, a row of a file): how a check of one line reports where it failed.
    public func within(_ list: String, _ index: Int) -> DomainError {
        var copy = self
        copy.problems = problems.map { p in
            var p = p
            p.item = FieldProblem.Item(list: list, index: index)
            return p
        }
        return copy
    }
}

/// One problem with one input of a domain operation: which input (a field of the operation's
/// input, optionally inside one item of a list such as an order's lines), a stable code and
/// how to fix it. Domain validation collects these rather than throwing on the first, so one
/// answer can list every mistake.
///
/// The field is named in the domain's terms (`pincode` of the shipping address, `sku` of
/// line 2); BahiAPI renders it as the request path its route uses.
public struct FieldProblem: Sendable, Equatable {
    /// An item of a list input: `lines` 2, `components` 0.
    public struct Item: Sendable, Equatable {
        public var list: String
        public var index: Int
        public init(list: String, index: Int) {
            self.list = list
            self.index = index
        }
    }

    /// The input at fault (`sku`, `shipping.pincode`); empty when the whole item is at fault.
    public var field: String
    /// The list item the field belongs to, if any.
    public var item: Item?
    public var code: String
    public var message: String

    public init(_ field: String, _ code: String, _ message: String, item: Item? = nil) {
        self.field = field
        self.code = code
        self.message = message
        self.item = item
    }

    /// A problem with item `index` of `list` (or one of its fields).
    public static func inItem(_ list: String, _ index: Int, field: String = "", _ code: String, _ message: String) -> FieldProblem {
        FieldProblem(field, code, message, item: Item(list: list, index: index))
    }

    /// The input's path in the operation's own terms: `lines[2].sku`, `components[0]`, `name`.
    public var path: String {
        guard let item else { return field }
        let base = "\(item.list)[\(item.index)]"
        return field.isEmpty ? base : "\(base).\(field)"
    }
}
