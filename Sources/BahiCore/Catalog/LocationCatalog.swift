public import BahiJSON
public import BahiStore

/// Everything about a location that a PUT sets (state and district are not among them: they
/// come from the pincode, so they can never disagree with it).
public struct LocationFields: Sendable, Equatable {
    public var name: String
    public var pincode: String
    public var address: String = ""
    /// Lower ships first when several locations could fulfil an order.
    public var priority: Int64 = 100
    public var active = true

    /// The required fields; address, priority and active start at their defaults.
    public init(name: String, pincode: String) {
        self.name = name
        self.pincode = pincode
    }

    /// Accepted priorities.
    public static let priorityRange: ClosedRange<Int64> = 0...1_000_000

    /// Every problem, including an unknown pincode (`invalid_pincode` on `pincode`).
    public func problems() -> [FieldProblem] {
        var out = CatalogRules.nameProblems(name)
        if !PincodeDirectory.isWellFormed(pincode) {
            out.append(FieldProblem("pincode", "invalid_pincode", "A six-digit Indian pincode such as 560001."))
        } else if PincodeDirectory.lookup(pincode) == nil {
            out.append(FieldProblem("pincode", "invalid_pincode", "\(pincode) is not in the India Post pincode directory."))
        }
        if address.count > CatalogRules.maxAddressLength {
            out.append(FieldProblem("address", "too_long", "At most \(CatalogRules.maxAddressLength) characters."))
        } else if address.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) {
            out.append(FieldProblem("address", "invalid", "Must not contain control characters other than line breaks."))
        }
        if let p = CatalogRules.rangeProblem(priority, Self.priorityRange, field: "priority") { out.append(p) }
        return out
    }

    /// The JSON names of the fields that differ from `other`.
    public func changedFields(from other: LocationFields) -> [String] {
        var names: [String] = []
        if name != other.name { names.append("name") }
        if pincode != other.pincode { names.append("pincode") }
        if address != other.address { names.append("address") }
        if priority != other.priority { names.append("priority") }
        if active != other.active { names.append("active") }
        return names
    }
}

/// A warehouse, store or dark store that holds stock, as stored.
public struct Location: Sendable, Equatable {
    public var code: String
    public var fields: LocationFields
    /// From the India Post directory, as it spells them ("KARNATAKA", "BENGALURU URBAN").
    public var state: String
    public var district: String
    public var version: Int64
    /// Unix milliseconds UTC.
    public var createdAt: Int64
    /// Unix milliseconds UTC of the last change.
    public var updatedAt: Int64

    /// The location as the API shows it and events carry it.
    public var json: JSONValue {
        .object([
            "code": .string(code), "name": .string(fields.name), "pincode": .string(fields.pincode),
            "state": .string(state), "district": .string(district), "address": .string(fields.address),
            "priority": .number(JSONNumber(fields.priority)), "active": .bool(fields.active),
            "version": .number(JSONNumber(version)),
            "created_at": .string(Timestamps.rfc3339(milliseconds: createdAt)),
            "updated_at": .string(Timestamps.rfc3339(milliseconds: updatedAt)),
        ])
    }
}

/// Reads and writes locations, in the caller's transaction, with their events.
public enum LocationCatalog {
    /// The pincode of the highest-priority active location (ties by code), or nil when there
    /// is none: where a small seller without a configured state is registered.
    public static func primaryPincode(_ db: any Database) throws -> String? {
        try CatalogRecords.primaryPincode(db)
    }

    /// Every active location's code, priority and pincode, in priority then code order: the
    /// candidates an allocation strategy ranks.
    public static func activeLocations(_ db: any Database) throws -> [(code: String, priority: Int64, pincode: String)] {
        try CatalogRecords.activeLocations(db)
    }

    /// Whether a location with this code exists (active or not).
    public static func exists(_ db: any Database, code: String) throws -> Bool {
        try CatalogRecords.locationExists(db, code: code)
    }

    /// The location, or nil.
    public static func get(_ db: any Database, code: String) throws -> Location? {
        try CatalogRecords.location(db, code: code)
    }

    /// One page of locations in code order, optionally only active or inactive ones.
    public static func list(_ db: any Database, active: Bool?, after: String?, limit: Int) throws -> CatalogPage<Location> {
        try CatalogPage(fetched: CatalogRecords.locationPage(db, after: after ?? "", active: active, limit: limit + 1), limit: limit, code: \.code)
    }

    /// Creates or replaces a location (PUT semantics); state and district are derived from
    /// the pincode every time, so a corrected directory is picked up by the next PUT. The
    /// write is conditional, so a writer that lost a race gets `version_mismatch`.
    public static func put(
        _ db: any Database, code: String, fields: LocationFields, precondition: VersionPrecondition = .none,
        actor: String?, now: Int64 = Int64(WallClock.milliseconds())
    ) throws -> PutOutcome<Location> {
        if let p = CatalogRules.codeProblem(code, field: "code") { throw DomainError.problems([p]) }
        let problems = fields.problems()
        guard problems.isEmpty else {
            throw DomainError.problems(problems, code: problems.allSatisfy { $0.code == "invalid_pincode" } ? .invalidPincode : .validationFailed)
        }
        guard let place = PincodeDirectory.lookup(fields.pincode) else {
            throw DomainError.problems([FieldProblem("pincode", "invalid_pincode", "\(fields.pincode) is not in the India Post pincode directory.")], code: .invalidPincode)
        }
        let current = try get(db, code: code)
        try precondition.check(current: current?.version, what: "location", id: code)

        guard let current else {
            let location = Location(code: code, fields: fields, state: place.state, district: place.district, version: 1, createdAt: now, updatedAt: now)
            guard try CatalogRecords.insertLocation(db, location) else { throw VersionPrecondition.lostRace("location", code) }
            try EventLog.append(db, NewEvent(CatalogEvents.locationCreated, entityID: code, payload: catalogPayload(location.json)), actor: actor, at: now)
            return .created(location)
        }
        var changes = fields.changedFields(from: current.fields)
        if changes.isEmpty, place.state != current.state || place.district != current.district { changes = ["pincode"] }
        guard !changes.isEmpty else { return .unchanged(current) }
        let location = Location(code: code, fields: fields, state: place.state, district: place.district,
                                version: current.version + 1, createdAt: current.createdAt, updatedAt: now)
        guard try CatalogRecords.updateLocation(db, location, expecting: current.version) else { throw VersionPrecondition.lostRace("location", code) }
        var payload = catalogPayload(location.json)
        payload["changes"] = .array(changes.map(JSONValue.string))
        try EventLog.append(db, NewEvent(CatalogEvents.locationUpdated, entityID: code, payload: payload), actor: actor, at: now)
        if changes.contains("active") { try InventoryChanges.announce(db, .stockedAt(location: code), actor: actor, now: now) }
        return .updated(location)
    }
}

/// The members of an object value (empty for anything else): event payloads are objects.
func catalogPayload(_ value: JSONValue) -> JSONObject {
    if case .object(let o) = value { return o }
    return [:]
}
