public import BahiJSON

/// The seller's GST identity, as a tax invoice states it (CGST Rule 46(a): the supplier's
/// name, address and GSTIN) and as intake needs it (the state of registration decides CGST +
/// SGST against IGST).
///
/// Two sources: the profile stored by `PUT /v1/settings/seller` (`SellerProfiles.put`, always
/// complete and checked), and while none is stored, the configuration's `seller.*` keys
/// (`OrderPolicy.seller`), which may leave parts empty. Packing refuses to issue an invoice from
/// an incomplete profile (`missingForInvoice`) rather than print one without a GSTIN.
public struct SellerProfile: Sendable, Equatable {
    /// The registered address (the principal place of business on the registration).
    public struct Address: Sendable, Equatable {
        /// Building and street: required on an invoice.
        public var line1: String
        /// Area or locality; may be empty.
        public var line2: String
        /// Required on an invoice.
        public var city: String
        /// The state or union territory: the first two characters of the GSTIN name it too.
        public var state: IndianState?
        /// Six digits, in the India Post directory and in `state` once stored.
        public var pincode: String

        /// An address by its parts; the configuration's may leave any empty.
        public init(line1: String = "", line2: String = "", city: String = "", state: IndianState? = nil, pincode: String = "") {
            self.line1 = line1
            self.line2 = line2
            self.city = city
            self.state = state
            self.pincode = pincode
        }

        /// "line1, line2, city, State pincode", the parts that are set: how an invoice prints it.
        public var printed: String {
            let place = [state?.name ?? "", pincode].filter { !$0.isEmpty }.joined(separator: " ")
            return [line1, line2, city, place].filter { !$0.isEmpty }.joined(separator: ", ")
        }
    }

    /// Where a profile came from.
    public enum Source: String, Sendable {
        /// `PUT /v1/settings/seller`, in the database.
        case stored
        /// The configuration's `seller.*` keys (no profile stored yet).
        case configuration
    }

    /// The name on the registration (Rule 46(a) "name of the supplier").
    public var legalName: String
    /// The trade name, when the business trades under another (printed beside the legal name).
    public var tradeName: String
    /// The 15-character GSTIN of the registration (`GSTIN.problems` checks it).
    public var gstin: String
    /// The registered address, printed under the name.
    public var address: Address
    /// Stored, or the configuration's stand-in.
    public var source: Source
    /// 1 on the first PUT, +1 per change; 0 for the configuration's profile.
    public var version: Int64
    /// When it was last stored (Unix ms); nil for the configuration's profile.
    public var updatedAt: Int64?

    /// A profile by its parts: the configuration builds one, `SettingsRecords` reads one.
    public init(legalName: String = "", tradeName: String = "", gstin: String = "", address: Address = Address(),
                source: Source = .configuration, version: Int64 = 0, updatedAt: Int64? = nil) {
        self.legalName = legalName
        self.tradeName = tradeName
        self.gstin = gstin
        self.address = address
        self.source = source
        self.version = version
        self.updatedAt = updatedAt
    }

    /// The state of registration (the address's state); nil leaves intake to use the first
    /// location's state.
    public var state: IndianState? {
        get { address.state }
        set { address.state = newValue }
    }

    /// The fields a tax invoice needs that are empty, by their request names (`gstin`,
    /// `address.pincode`); empty when an invoice can be issued.
    public var missingForInvoice: [String] {
        var missing: [String] = []
        if legalName.isEmpty { missing.append("legal_name") }
        if gstin.isEmpty { missing.append("gstin") }
        if address.line1.isEmpty { missing.append("address.line1") }
        if address.city.isEmpty { missing.append("address.city") }
        if address.state == nil { missing.append("address.state") }
        if address.pincode.isEmpty { missing.append("address.pincode") }
        return missing
    }

    /// Every problem with this profile as one to store, each naming its field and the fix:
    /// names and lines present and printable, the pincode in the India Post directory and in
    /// the address's state, the GSTIN valid and registered in that state. `stateText` is what
    /// the caller was sent for the state when it named no state (reported as not one).
    public func problems(stateText: String? = nil) -> [FieldProblem] {
        var problems = CatalogRules.nameProblems(legalName, field: "legal_name")
        problems += Self.textProblems(tradeName, field: "trade_name", required: false)
        problems += Self.textProblems(address.line1, field: "address.line1", required: true)
        problems += Self.textProblems(address.line2, field: "address.line2", required: false)
        problems += Self.textProblems(address.city, field: "address.city", required: true)
        if address.state == nil {
            problems.append(stateText.map {
                FieldProblem("address.state", "invalid_state", "\($0) is not an Indian state or union territory; send its name (Gujarat) or GST state code (24).")
            } ?? FieldProblem("address.state", "required", "The state of the registered address, by name (Gujarat) or GST state code (24)."))
        }
        if !PincodeDirectory.isWellFormed(address.pincode) {
            problems.append(FieldProblem("address.pincode", "invalid_pincode", "A pincode is six digits, the first not 0 (395003)."))
        } else if let place = PincodeDirectory.lookup(address.pincode) {
            if let state = address.state, place.stateCode != state {
                problems.append(FieldProblem("address.pincode", "state_mismatch",
                                             "Pincode \(address.pincode) is in \(place.stateCode.name), not \(state.name); correct the pincode or the state."))
            }
        } else {
            problems.append(FieldProblem("address.pincode", "invalid_pincode", "\(address.pincode) is not in the India Post pincode directory."))
        }
        if gstin.isEmpty {
            problems.append(FieldProblem("gstin", "required", "The 15-character GSTIN of the registration this address belongs to (24AAKFK1234K1ZF)."))
        } else {
            problems += GSTIN.problems(gstin, state: address.state)
        }
        return problems
    }

    /// A printable line (`CatalogRules.nameProblems`: not blank, at most 200 characters, no
    /// control characters, since it ends up on invoices and labels); an optional one may be empty.
    private static func textProblems(_ text: String, field: String, required: Bool) -> [FieldProblem] {
        !required && text.allSatisfy(\.isWhitespace) ? [] : CatalogRules.nameProblems(text, field: field)
    }

    /// The profile as the API shows it: every field, the state by name and code, whether an
    /// invoice can be issued from it (`missing` names what is not set) and where it came from.
    public var json: JSONValue {
        .object([
            "legal_name": .string(legalName), "trade_name": .string(tradeName), "gstin": .string(gstin),
            "address": .object([
                "line1": .string(address.line1), "line2": .string(address.line2), "city": .string(address.city),
                "state": .optional(address.state?.name), "state_code": .optional(address.state?.gstCode), "pincode": .string(address.pincode),
            ]),
            "complete": .bool(missingForInvoice.isEmpty), "missing": .array(missingForInvoice.map(JSONValue.string)),
            "source": .string(source.rawValue), "version": source == .stored ? .int(version) : .null,
            "updated_at": updatedAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null,
        ])
    }
}
