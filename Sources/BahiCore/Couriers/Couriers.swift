public import BahiJSON
public import BahiStore

/// The couriers service: couriers and their rate cards (PUT semantics, versions, events),
/// their serviceability tables, and quotes. Reads and writes only the Couriers domain's tables,
/// in the caller's transaction.
public enum Couriers {
    /// The courier, or nil.
    public static func get(_ db: any Database, code: String) throws -> Courier? {
        try CourierRecords.find(db, code: code)
    }

    /// One page of couriers in code order, optionally only active or inactive ones.
    public static func list(_ db: any Database, active: Bool?, after: String?, limit: Int) throws -> CatalogPage<Courier> {
        try CatalogPage(fetched: CourierRecords.page(db, after: after ?? "", active: active, limit: limit + 1), limit: limit, code: \.code)
    }

    /// Creates or replaces a courier (every field; the card whole). Refused with 422 problems
    /// for an invalid code or field (`CourierFields.problems`); `precondition` as in the
    /// catalog (`version_mismatch`). Appends `courier.created` or `courier.updated` (with the
    /// fields that changed); a PUT that changes nothing writes nothing.
    public static func put(
        _ db: any Database, code: String, fields: CourierFields, precondition: VersionPrecondition = .none,
        actor: String?, now: Int64 = Int64(WallClock.milliseconds())
    ) throws -> PutOutcome<Courier> {
        var problems = fields.problems()
        if let p = CatalogRules.codeProblem(code, field: "code") { problems.insert(p, at: 0) }
        guard problems.isEmpty else { throw DomainError.problems(problems) }
        var fields = fields
        fields.zoneEStates = Array(Set(fields.zoneEStates)).sorted { $0.gstCode < $1.gstCode }
        let current = try CourierRecords.find(db, code: code)
        try precondition.check(current: current?.version, what: "courier", id: code)
        guard let current else {
            let courier = Courier(code: code, fields: fields, version: 1, createdAt: now, updatedAt: now)
            guard try CourierRecords.insert(db, courier) else { throw VersionPrecondition.lostRace("courier", code) }
            try EventLog.append(db, NewEvent(CourierEvents.courierCreated, entityID: code, payload: catalogPayload(courier.json)), actor: actor, at: now)
            return .created(courier)
        }
        let changes = fields.changedFields(from: current.fields)
        guard !changes.isEmpty else { return .unchanged(current) }
        var courier = current
        courier.fields = fields
        courier.version = current.version + 1
        courier.updatedAt = now
        guard try CourierRecords.update(db, courier, expecting: current.version) else { throw VersionPrecondition.lostRace("courier", code) }
        var payload = catalogPayload(courier.json)
        payload["changes"] = .array(changes.map(JSONValue.string))
        try EventLog.append(db, NewEvent(CourierEvents.courierUpdated, entityID: code, payload: payload), actor: actor, at: now)
        return .updated(courier)
    }

    /// Replaces the courier's serviceability table with the good rows of `file`, in the
    /// caller's transaction (one batch of multi-row INSERTs), and appends
    /// `courier.serviceability_replaced`. `not_found` for an unknown courier.
    public static func replaceServiceability(
        _ db: any Database, code: String, _ file: ServiceabilityFile, actor: String?, now: Int64 = Int64(WallClock.milliseconds())
    ) throws {
        guard MerchantCode.isValid(code), try CourierRecords.find(db, code: code) != nil else { throw DomainError.notFound("courier", code) }
        try CourierRecords.replacePincodes(db, courier: code, file.services, now: now)
        let payload: JSONObject = [
            "courier": .string(code), "format": .string(file.format.rawValue), "rows": .int(Int64(file.rows)),
            "pincodes": .int(Int64(file.services.count)), "errors": .int(Int64(file.errors.count)),
        ]
        try EventLog.append(db, NewEvent(CourierEvents.serviceabilityReplaced, entityID: code, payload: payload), actor: actor, at: now)
    }

    /// Every courier's offer for `parcel` from `from` to `to`, cheapest first, and every
    /// courier left out with its reason (`CourierSelection`). Three statements whatever the
    /// number of couriers: couriers, their zone prices, and both pincodes' serviceability rows;
    /// with a `cache` (the node's, `BahiContext.courierQuotes`), two while the couriers are
    /// unchanged: their version and the serviceability rows (`CourierQuoteCache`).
    /// `invalid_pincode` naming `from_pincode` / `to_pincode` for a pincode the India Post
    /// directory does not know (no zone can be priced for it).
    ///
    /// `bookedToday`: parcels each courier has booked for today's pickup (`pickup_capacity_full`
    /// once a courier's `daily_pickup_capacity` is reached). Bookings are Fulfilment's, so the
    /// caller counts them (`ShipmentQuoteFlow`); a quote for any parcel passes none. `cache`:
    /// this node's couriers and rate cards, re-read only when their version moved.
    public static func quote(
        _ db: any Database, from: String, to: String, parcel: Parcel, bookedToday: [String: Int64] = [:], cache: CourierQuoteCache? = nil
    ) throws -> CourierSelection.Result {
        var problems: [FieldProblem] = []
        let origin = PincodeDirectory.lookup(from), destination = PincodeDirectory.lookup(to)
        if origin == nil { problems.append(FieldProblem("from_pincode", "invalid_pincode", "\(from) is not in the India Post pincode directory.")) }
        if destination == nil { problems.append(FieldProblem("to_pincode", "invalid_pincode", "\(to) is not in the India Post pincode directory.")) }
        guard let origin, let destination else { throw DomainError.problems(problems, code: .invalidPincode) }
        let couriers = try cache?.couriers(db) ?? CourierRecords.all(db)
        var ends: [String: CourierSelection.Ends] = [:]
        ends.reserveCapacity(couriers.count)
        for (courier, service) in try CourierRecords.services(db, pincodes: (from, to)) {
            var end = ends[courier] ?? CourierSelection.Ends(origin: nil, destination: nil)
            if service.pincode == from { end.origin = service }
            if service.pincode == to { end.destination = service }
            ends[courier] = end
        }
        return CourierSelection.select(couriers: couriers, origin: origin, destination: destination, parcel: parcel, ends: ends, bookedToday: bookedToday)
    }
}
