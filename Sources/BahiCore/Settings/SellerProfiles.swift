public import BahiStore
import BahiJSON

/// The seller profile service: which profile is in force, and storing a new one.
///
/// The profile lives in the database (`seller_profile`, one row) so an admin can correct it
/// without a restart and every node of a PostgreSQL deployment reads the same one; the
/// configuration's `seller.*` keys are the default until the first PUT.
public enum SellerProfiles {
    /// A profile as sent, before it is checked: text as the client wrote it. `profile` trims
    /// it, upper-cases the GSTIN and reads the state by name or GST code.
    public struct Input: Sendable, Equatable {
        /// `legal_name`.
        public var legalName = ""
        /// `trade_name`; may be empty.
        public var tradeName = ""
        /// `gstin`, in any case; upper-cased before it is checked.
        public var gstin = ""
        /// `address.line1`.
        public var line1 = ""
        /// `address.line2`; may be empty.
        public var line2 = ""
        /// `address.city`.
        public var city = ""
        /// A state's name ("Gujarat", "Tamil Nadu", spelt as `IndianState(name:)` reads it) or
        /// its two-digit GST code ("24").
        public var state = ""
        /// `address.pincode`.
        public var pincode = ""

        /// An empty input, filled field by field from a request.
        public init() {}

        /// The profile this input describes (state nil when `state` names none).
        public var profile: SellerProfile {
            func t(_ s: String) -> String { s.trimmingSpaces }
            let state = IndianState(name: t(state)) ?? IndianState(gstCode: t(state))
            return SellerProfile(legalName: t(legalName), tradeName: t(tradeName), gstin: t(gstin).uppercased(),
                                 address: .init(line1: t(line1), line2: t(line2), city: t(city), state: state, pincode: t(pincode)))
        }
    }

    /// The profile in force: the stored one, else `configured` (the configuration's).
    public static func current(_ db: any Database, configured: SellerProfile) throws -> SellerProfile {
        try SettingsRecords.profile(db) ?? configured
    }

    /// Stores `input` as the seller profile, replacing every field. Refused with 422 problems
    /// (`invalid_gstin` when only the GSTIN is at fault, `validation_failed` otherwise) for a
    /// profile an invoice could not carry: see `SellerProfile.problems`. `precondition` as in
    /// the catalog (`version_mismatch`). Appends `settings.seller_updated` when anything changed.
    public static func put(
        _ db: any Database, _ input: Input, precondition: VersionPrecondition = .none, actor: String?, now: Int64 = Int64(WallClock.milliseconds())
    ) throws -> PutOutcome<SellerProfile> {
        let problems = problems(input)
        guard problems.isEmpty else {
            throw DomainError.problems(problems, code: isGSTINOnly(problems) ? .invalidGSTIN : .validationFailed)
        }
        var profile = input.profile
        let current = try SettingsRecords.profile(db)
        try precondition.check(current: current?.version, what: "seller profile", id: "settings")
        profile.source = .stored
        profile.updatedAt = now
        guard let current else {
            profile.version = 1
            guard try SettingsRecords.insert(db, profile, actor: actor) else { throw VersionPrecondition.lostRace("seller profile", "settings") }
            try announce(db, profile, changes: changes(from: SellerProfile(), to: profile), actor: actor, now: now)
            return .created(profile)
        }
        let changed = changes(from: current, to: profile)
        guard !changed.isEmpty else { return .unchanged(current) }
        profile.version = current.version + 1
        guard try SettingsRecords.update(db, profile, expecting: current.version, actor: actor) else {
            throw VersionPrecondition.lostRace("seller profile", "settings")
        }
        try announce(db, profile, changes: changed, actor: actor, now: now)
        return .updated(profile)
    }

    /// Every problem with `input` as a profile to store (`SellerProfile.problems`), a state that
    /// names none reported as sent.
    public static func problems(_ input: Input) -> [FieldProblem] {
        let stateText = input.state.trimmingSpaces
        return input.profile.problems(stateText: stateText.isEmpty ? nil : stateText)
    }

    /// Whether every problem is the GSTIN's own (an invalid one, or one of another state): the
    /// failure clients see as `invalid_gstin`.
    public static func isGSTINOnly(_ problems: [FieldProblem]) -> Bool {
        !problems.isEmpty && problems.allSatisfy { $0.field == "gstin" && ($0.code == "invalid_gstin" || $0.code == "state_mismatch") }
    }

    /// The request names of the fields that differ between two profiles.
    static func changes(from old: SellerProfile, to new: SellerProfile) -> [String] {
        var changed: [String] = []
        if old.legalName != new.legalName { changed.append("legal_name") }
        if old.tradeName != new.tradeName { changed.append("trade_name") }
        if old.gstin != new.gstin { changed.append("gstin") }
        if old.address.line1 != new.address.line1 { changed.append("address.line1") }
        if old.address.line2 != new.address.line2 { changed.append("address.line2") }
        if old.address.city != new.address.city { changed.append("address.city") }
        if old.address.state != new.address.state { changed.append("address.state") }
        if old.address.pincode != new.address.pincode { changed.append("address.pincode") }
        return changed
    }

    private static func announce(_ db: any Database, _ profile: SellerProfile, changes: [String], actor: String?, now: Int64) throws {
        guard case .object(var payload) = profile.json else { return }
        payload["changes"] = .array(changes.map(JSONValue.string))
        try EventLog.append(db, NewEvent(SettingsEvents.sellerUpdated, entityID: "seller", payload: payload), actor: actor, at: now)
    }
}
