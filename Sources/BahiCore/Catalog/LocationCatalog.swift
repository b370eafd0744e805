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

    /// Every problem, including an unknown pincode (422 `invalid_pincode` on `pincode`).
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
    static let columns = "code, name, pincode, state, district, address, priority, active, version, created_at, updated_at"

    static func decode(_ row: Row) throws -> Location {
        var f = LocationFields(name: try row[1], pincode: try row[2])
        f.address = try row[5]
        f.priority = try row[6]
        f.active = try row[7]
        return Location(code: try row[0], fields: f, state: try row[3], district: try row[4],
                        version: try row[8], createdAt: try row[9], updatedAt: try row[10])
    }

    /// The location, or nil.
    /// Whether a location with this code exists (active or not).
    public static func exists(_ db: any Database, code: String) throws -> Bool {
        try db.queryValue("SELECT COUNT(*) FROM locations WHERE code = ?1", [code], as: Int64.self) == 1
    }

    public static func get(_ db: any Database, code: String) throws -> Location? {
        try db.queryFirst("SELECT \(columns) FROM locations WHERE code = ?", [code], decode)
    }

    /// One page of locations in code order, optionally only active or inactive ones.
    public static func list(_ db: any Database, active: Bool?, after: String?, limit: Int) throws -> CatalogPage<Location> {
        var rows = try db.query(
            "SELECT \(columns) FROM locations WHERE code > :after AND (:active IS NULL OR active = :active) ORDER BY code LIMIT :limit",
            StatementArguments(named: [":after": after ?? "", ":active": active, ":limit": limit + 1]), decode)
        let more = rows.count > limit
        if more { rows.removeLast() }
        return CatalogPage(items: rows, lastCodeIfMore: more ? rows.last?.code : nil)
    }

    /// Creates or replaces a location (PUT semantics); state and district are derived from
    /// the pincode every time, so a corrected directory is picked up by the next PUT.
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
        let stamp = UInt64(max(0, now))

        guard let current else {
            let location = Location(code: code, fields: fields, state: place.state, district: place.district, version: 1, createdAt: now, updatedAt: now)
            try db.execute(
                "INSERT INTO locations (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                [code, fields.name, fields.pincode, place.state, place.district, fields.address, fields.priority, fields.active, now, now])
            try EventLog.append(db, type: "location.created", entityType: "location", entityID: code, payload: catalogPayload(location.json), actor: actor, at: stamp)
            return .created(location)
        }
        var changes = fields.changedFields(from: current.fields)
        if changes.isEmpty, place.state != current.state || place.district != current.district { changes = ["pincode"] }
        guard !changes.isEmpty else { return .unchanged(current) }
        let changed = try db.execute(
            """
            UPDATE locations SET name = ?, pincode = ?, state = ?, district = ?, address = ?, priority = ?, active = ?,
                   version = version + 1, updated_at = ?
             WHERE code = ? AND version = ?
            """,
            [fields.name, fields.pincode, place.state, place.district, fields.address, fields.priority, fields.active, now, code, current.version])
        guard changed == 1 else {
            throw DomainError(status: 412, code: "version_mismatch", detail: "Location \(code) changed while this request ran; GET it again and reapply the change.")
        }
        let location = Location(code: code, fields: fields, state: place.state, district: place.district,
                                version: current.version + 1, createdAt: current.createdAt, updatedAt: now)
        var payload = catalogPayload(location.json)
        payload["changes"] = .array(changes.map(JSONValue.string))
        try EventLog.append(db, type: "location.updated", entityType: "location", entityID: code, payload: payload, actor: actor, at: stamp)
        if changes.contains("active") { try InventoryChanges.announce(db, .stockedAt(location: code), actor: actor, now: now) }
        return .updated(location)
    }
}

/// The members of an object value (empty for anything else): event payloads are objects.
func catalogPayload(_ value: JSONValue) -> JSONObject {
    if case .object(let o) = value { return o }
    return [:]
}
