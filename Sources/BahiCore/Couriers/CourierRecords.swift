public import BahiStore

/// Every SQL statement on the Couriers domain's tables: `couriers` (one row per courier, its
/// rate card's terms as columns), `courier_rates` (a card's price per zone) and
/// `courier_pincodes` (its serviceability, one row per pincode served) and `courier_waybills`
/// (every AWB it has given out: a pool's, available until issued, or a manual one).
enum CourierRecords {
    // MARK: couriers

    /// The columns `courier(_:)` reads.
    static let columns = """
        code, name, provider, mode, max_weight_g, cod, active, pickup_cutoff, daily_pickup_capacity, zone_e_states, slab_g, volumetric_divisor, \
        min_chargeable_g, cod_fixed_paise, cod_percent_bps, rto_percent_bps, fuel_surcharge_bps, gst_bps, serviceable_pincodes, \
        serviceability_updated_at, version, created_at, updated_at, provider_courier_id, pickup_location
        """

    /// A courier from a row of `columns`, with an empty zone table (`withRates` fills it);
    /// `corrupt_row` for a value no PUT could have written.
    static func courier(_ row: Row) throws -> Courier {
        let code: String = try row["code"]
        let providerText: String = try row["provider"], modeText: String = try row["mode"]
        guard let provider = CourierFields.Provider(rawValue: providerText), let mode = CourierFields.Mode(rawValue: modeText) else {
            throw DomainError(.corruptRow, "couriers \(code) has provider \(providerText), mode \(modeText).")
        }
        var card = RateCard(zones: [:])
        card.slabG = try row["slab_g"]
        card.volumetricDivisor = try row["volumetric_divisor"]
        card.minChargeableG = try row["min_chargeable_g"]
        card.codFixedPaise = try row["cod_fixed_paise"]
        card.codPercentBps = try row["cod_percent_bps"]
        card.rtoPercentBpsOfForward = try row["rto_percent_bps"]
        card.fuelSurchargeBps = try row["fuel_surcharge_bps"]
        card.gstBps = try row["gst_bps"]
        var fields = CourierFields(name: try row["name"], provider: provider, mode: mode, maxWeightG: try row["max_weight_g"], rateCard: card)
        fields.cod = try row["cod"]
        fields.active = try row["active"]
        fields.pickupCutoff = try row["pickup_cutoff"]
        fields.dailyPickupCapacity = try row["daily_pickup_capacity"]
        fields.providerCourierID = try row["provider_courier_id"]
        fields.pickupLocation = try row["pickup_location"]
        let states: String = try row["zone_e_states"]
        fields.zoneEStates = try states.split(separator: ",").map { code in
            guard let state = IndianState(gstCode: String(code)) else { throw DomainError(.corruptRow, "couriers \(code) lists zone E state \(code).") }
            return state
        }
        var courier = Courier(code: code, fields: fields, version: try row["version"], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
        courier.serviceablePincodes = try row["serviceable_pincodes"]
        courier.serviceabilityUpdatedAt = try row["serviceability_updated_at"]
        return courier
    }

    /// The stored text of a list of zone-E states: GST codes, comma-separated ("02,32").
    static func stateCodes(_ states: [IndianState]) -> String {
        states.map(\.gstCode).joined(separator: ",")
    }

    /// One courier with its zone prices, or nil.
    static func find(_ db: any Database, code: String) throws -> Courier? {
        guard let courier = try db.queryFirst("SELECT \(columns) FROM couriers WHERE code = ?1", [code], courier) else { return nil }
        let rates = try db.query("SELECT courier, zone, first_paise, additional_paise FROM courier_rates WHERE courier = ?1", [code], rate)
        return withRates([courier], rates)[0]
    }

    /// Every courier with its zone prices, in code order: two statements, whatever the number
    /// of couriers (what each quote reads).
    static func all(_ db: any Database) throws -> [Courier] {
        let couriers = try db.query("SELECT \(columns) FROM couriers ORDER BY code", [], courier)
        let rates = try db.query("SELECT courier, zone, first_paise, additional_paise FROM courier_rates", [], rate)
        return withRates(couriers, rates)
    }

    /// What a change to any courier's quoted terms changes: (number of couriers, sum of their
    /// versions). Every insert adds a row at version 1 and every update that changes a field
    /// (the rate card's zone prices included, written with it) bumps one row's version, and no
    /// courier is ever deleted, so each commit that changes couriers makes both figures grow
    /// or the sum grow: two snapshots with the same pair hold the same couriers and cards.
    /// One pass over the couriers' rows (a few pages for hundreds of couriers).
    struct PricingVersion: Sendable, Equatable {
        var count: Int64
        var versionSum: Int64

        /// Whether a snapshot with `self` saw fewer courier changes than one with `other`.
        func isOlder(than other: PricingVersion) -> Bool {
            count < other.count || (count == other.count && versionSum < other.versionSum)
        }
    }

    /// The couriers' `PricingVersion` in `db`'s snapshot.
    static func pricingVersion(_ db: any Database) throws -> PricingVersion {
        // CAST: PostgreSQL's SUM of a bigint is numeric; both engines give an integer this way.
        try db.queryFirst("SELECT COUNT(*) AS n, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS total FROM couriers") { row in
            PricingVersion(count: try row["n"], versionSum: try row["total"])
        } ?? PricingVersion(count: 0, versionSum: 0)
    }

    /// Up to `limit` couriers after `after` in code order, optionally only active or inactive ones.
    static func page(_ db: any Database, after: String, active: Bool?, limit: Int) throws -> [Courier] {
        let couriers = if let active {
            try db.query("SELECT \(columns) FROM couriers WHERE code > ?1 AND active = ?2 ORDER BY code LIMIT ?3", [after, active, limit], courier)
        } else {
            try db.query("SELECT \(columns) FROM couriers WHERE code > ?1 ORDER BY code LIMIT ?2", [after, limit], courier)
        }
        guard let first = couriers.first?.code, let last = couriers.last?.code else { return [] }
        let rates = try db.query(
            "SELECT courier, zone, first_paise, additional_paise FROM courier_rates WHERE courier >= ?1 AND courier <= ?2", [first, last], rate)
        return withRates(couriers, rates)
    }

    /// One row of `courier_rates`.
    private static func rate(_ row: Row) throws -> (courier: String, zone: CourierZone, rate: RateCard.ZoneRate) {
        let courier: String = try row["courier"], zoneText: String = try row["zone"]
        guard let zone = CourierZone(rawValue: zoneText) else { throw DomainError(.corruptRow, "courier_rates \(courier) has zone \(zoneText).") }
        return (courier, zone, RateCard.ZoneRate(firstPaise: try row["first_paise"], additionalPaise: try row["additional_paise"]))
    }

    /// `couriers` with their rows of `rates` put into their cards.
    private static func withRates(_ couriers: [Courier], _ rates: [(courier: String, zone: CourierZone, rate: RateCard.ZoneRate)]) -> [Courier] {
        var byCourier: [String: [CourierZone: RateCard.ZoneRate]] = [:]
        for r in rates { byCourier[r.courier, default: [:]][r.zone] = r.rate }
        return couriers.map { courier in
            var courier = courier
            courier.fields.rateCard.zones = byCourier[courier.code] ?? [:]
            return courier
        }
    }

    /// Inserts a courier (and its zone prices) unless the code is taken; returns whether it did.
    static func insert(_ db: any Database, _ c: Courier) throws -> Bool {
        let f = c.fields, card = f.rateCard
        let inserted = try db.execute(
            """
            INSERT INTO couriers (\(columns))
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, 0, NULL, ?19, ?20, ?21, ?22, ?23)
            ON CONFLICT (code) DO NOTHING
            """,
            [c.code, f.name, f.provider.rawValue, f.mode.rawValue, f.maxWeightG, f.cod, f.active, f.pickupCutoff, f.dailyPickupCapacity,
             stateCodes(f.zoneEStates), card.slabG, card.volumetricDivisor, card.minChargeableG, card.codFixedPaise, card.codPercentBps,
             card.rtoPercentBpsOfForward, card.fuelSurchargeBps, card.gstBps, c.version, c.createdAt, c.updatedAt, f.providerCourierID,
             f.pickupLocation]) == 1
        if inserted { try putRates(db, c) }
        return inserted
    }

    /// Writes `c`'s fields over the row (and its zone prices) and bumps its version, only if
    /// the row is still at `version`; returns whether it did.
    static func update(_ db: any Database, _ c: Courier, expecting version: Int64) throws -> Bool {
        let f = c.fields, card = f.rateCard
        let updated = try db.execute(
            """
            UPDATE couriers SET name = ?1, provider = ?2, mode = ?3, max_weight_g = ?4, cod = ?5, active = ?6, pickup_cutoff = ?7,
                   daily_pickup_capacity = ?8, zone_e_states = ?9, slab_g = ?10, volumetric_divisor = ?11, min_chargeable_g = ?12,
                   cod_fixed_paise = ?13, cod_percent_bps = ?14, rto_percent_bps = ?15, fuel_surcharge_bps = ?16, gst_bps = ?17,
                   version = version + 1, updated_at = ?18, provider_courier_id = ?21, pickup_location = ?22
             WHERE code = ?19 AND version = ?20
            """,
            [f.name, f.provider.rawValue, f.mode.rawValue, f.maxWeightG, f.cod, f.active, f.pickupCutoff, f.dailyPickupCapacity,
             stateCodes(f.zoneEStates), card.slabG, card.volumetricDivisor, card.minChargeableG, card.codFixedPaise, card.codPercentBps,
             card.rtoPercentBpsOfForward, card.fuelSurchargeBps, card.gstBps, c.updatedAt, c.code, version, f.providerCourierID,
             f.pickupLocation]) == 1
        if updated { try putRates(db, c) }
        return updated
    }

    /// Stores every zone price of `c`'s card in one statement (a card always has all five).
    private static func putRates(_ db: any Database, _ c: Courier) throws {
        var values: [SQLValue] = [.text(c.code)]
        var rows: [String] = []
        for zone in CourierZone.allCases {
            guard let rate = c.fields.rateCard.zones[zone] else { continue }
            rows.append("(?1, ?\(values.count + 1), ?\(values.count + 2), ?\(values.count + 3))")
            values += [.text(zone.rawValue), .integer(rate.firstPaise), .integer(rate.additionalPaise)]
        }
        try db.execute("DELETE FROM courier_rates WHERE courier = ?1", [c.code])
        guard !rows.isEmpty else { return }
        _ = try db.execute("INSERT INTO courier_rates (courier, zone, first_paise, additional_paise) VALUES \(rows.joined(separator: ", "))", values: values)
    }

    // MARK: courier_pincodes

    /// Rows per multi-row INSERT: 500 × 6 parameters stays far below SQLite's 32,766 and
    /// PostgreSQL's 65,535, and 19,000 pincodes take 38 statements.
    static let pincodeBatch = 500

    /// Replaces the courier's serviceability table with `services` and records their number
    /// and `now` on the courier, in the caller's transaction.
    static func replacePincodes(_ db: any Database, courier: String, _ services: [PincodeService], now: Int64) throws {
        try db.execute("DELETE FROM courier_pincodes WHERE courier = ?1", [courier])
        var start = 0
        while start < services.count {
            let batch = services[start..<min(services.count, start + pincodeBatch)]
            var values: [SQLValue] = [.text(courier)]
            values.reserveCapacity(1 + batch.count * 6)
            var sql = "INSERT INTO courier_pincodes (courier, pincode, prepaid, cod, pickup, oda, embargo) VALUES "
            for (i, s) in batch.enumerated() {
                let p = 2 + i * 6
                sql += i == 0 ? "" : ", "
                sql += "(?1, ?\(p), ?\(p + 1), ?\(p + 2), ?\(p + 3), ?\(p + 4), ?\(p + 5))"
                values += [.text(s.pincode), s.prepaid.sqlValue, s.cod.sqlValue, s.pickup.sqlValue, s.oda.sqlValue, s.embargo.sqlValue]
            }
            _ = try db.execute(sql, values: values)
            start += batch.count
        }
        try db.execute("UPDATE couriers SET serviceable_pincodes = ?1, serviceability_updated_at = ?2 WHERE code = ?3",
                       [Int64(services.count), now, courier])
    }

    /// Every courier's rows for `pincodes` (one or two: a quote's ends), by courier: one
    /// lookup on the table's primary key (pincode, courier).
    static func services(_ db: any Database, pincodes: (String, String)) throws -> [(courier: String, service: PincodeService)] {
        try db.query(
            "SELECT courier, pincode, prepaid, cod, pickup, oda, embargo FROM courier_pincodes WHERE pincode IN (?1, ?2)", [pincodes.0, pincodes.1]
        ) { row in
            (courier: try row["courier"] as String,
             service: PincodeService(pincode: try row["pincode"], prepaid: try row["prepaid"], cod: try row["cod"], pickup: try row["pickup"],
                                     oda: try row["oda"], embargo: try row["embargo"]))
        }
    }

    // MARK: courier_waybills

    /// Adds `awbs` to the courier's pool as available, leaving any it already has (in whatever
    /// status: an issued or cancelled AWB never becomes available again); the number added.
    static func addWaybills(_ db: any Database, courier: String, _ awbs: [String], now: Int64) throws -> Int {
        var added = 0, start = 0
        while start < awbs.count {
            let batch = awbs[start..<min(awbs.count, start + pincodeBatch)]
            var values: [SQLValue] = [.text(courier), .integer(now)]
            values.reserveCapacity(2 + batch.count)
            let rows = batch.indices.map { "(?1, ?\($0 - start + 3), 'available', ?2)" }
            values += batch.map { .text($0) }
            added += try db.execute(
                "INSERT INTO courier_waybills (courier, awb, status, created_at) VALUES \(rows.joined(separator: ", ")) ON CONFLICT (courier, awb) DO NOTHING",
                values: values)
            start += batch.count
        }
        return added
    }

    /// The courier's first `limit` available AWBs, in AWB order (through the partial index
    /// of available ones): the candidates a booking tries to claim.
    static func firstAvailable(_ db: any Database, courier: String, limit: Int) throws -> [String] {
        try db.query("SELECT awb FROM courier_waybills WHERE courier = ?1 AND status = 'available' ORDER BY awb LIMIT ?2", [courier, Int64(limit)]) { row in
            try row["awb"] as String
        }
    }

    /// Issues AWB `awb` to `shipmentID` if it is still available: one conditional UPDATE whose
    /// `status = 'available'` decides, so two bookings can never both take it (on PostgreSQL
    /// the second waits for the first's commit, finds it issued and changes nothing). True
    /// when this call took it.
    static func claimWaybill(_ db: any Database, courier: String, awb: String, shipmentID: String, now: Int64) throws -> Bool {
        try db.execute(
            "UPDATE courier_waybills SET status = 'issued', shipment_id = ?1, issued_at = ?2 WHERE courier = ?3 AND awb = ?4 AND status = 'available'",
            binding: shipmentID, now, courier, awb) == 1
    }

    /// Records a manual courier's AWB (or one a provider's API issued, with the provider's
    /// own order and shipment ids) as issued to `shipmentID`; false when the courier has that
    /// AWB already (one AWB, one parcel).
    static func recordIssued(_ db: any Database, courier: String, awb: String, shipmentID: String, now: Int64,
                             providerOrderID: String? = nil, providerShipmentID: String? = nil) throws -> Bool {
        try db.execute(
            """
            INSERT INTO courier_waybills (courier, awb, status, shipment_id, issued_at, created_at, provider_order_id, provider_shipment_id)
            VALUES (?1, ?2, 'issued', ?3, ?4, ?4, ?5, ?6)
            ON CONFLICT (courier, awb) DO NOTHING
            """,
            [courier, awb, shipmentID, now, providerOrderID, providerShipmentID]) == 1
    }

    /// The provider's references of the AWB issued to `shipmentID` (what pickup, cancellation
    /// and NDR actions at the provider need), or nil when there is no such AWB.
    static func issuedReference(_ db: any Database, courier: String, awb: String, shipmentID: String) throws -> CourierBookingReference? {
        try db.queryFirst(
            "SELECT awb, provider_order_id, provider_shipment_id FROM courier_waybills WHERE courier = ?1 AND awb = ?2 AND shipment_id = ?3 AND status = 'issued'",
            [courier, awb, shipmentID]
        ) { row in
            CourierBookingReference(awb: try row["awb"], providerOrderID: try row["provider_order_id"], providerShipmentID: try row["provider_shipment_id"])
        }
    }

    /// Marks the AWB issued to `shipmentID` cancelled; true when it was issued to it.
    static func cancelWaybill(_ db: any Database, courier: String, awb: String, shipmentID: String) throws -> Bool {
        try db.execute(
            "UPDATE courier_waybills SET status = 'cancelled' WHERE courier = ?1 AND awb = ?2 AND shipment_id = ?3 AND status = 'issued'",
            binding: courier, awb, shipmentID) == 1
    }

    /// AWBs of the courier still available.
    static func availableWaybills(_ db: any Database, courier: String) throws -> Int64 {
        try db.queryValue("SELECT COUNT(*) AS n FROM courier_waybills WHERE courier = ?1 AND status = 'available'", [courier], as: Int64.self) ?? 0
    }
}
