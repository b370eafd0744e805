public import BahiStore
public import BahiJSON

/// Tracking's storage in the Couriers domain: every scan a courier reported, reports parked for
/// AWBs Bahi does not know, failed delivery attempts (NDR) and what each courier has done for
/// the seller per destination. The decisions are elsewhere and pure (`TrackingProgress`,
/// `NDRPolicy`, `CourierPerformance`); `TrackingFlow` joins them to the shipment and the order.
public enum Tracking {
    /// A report parked because no shipment has its AWB.
    public struct Parked: Sendable, Equatable {
        public var identity: String
        public var provider: String
        public var awb: String
        /// The shipment status it reported, when it mapped to one.
        public var status: String?
        public var occurredAt: Int64
        /// The report exactly as it arrived.
        public var body: String
        public var receivedAt: Int64
    }

    /// One stored tally: a courier's finished shipments to one destination key.
    public struct TallyRow: Sendable, Equatable {
        public var courier: String
        /// `zone`, `state` or `prefix`.
        public var level: String
        /// `E`; a state's GST code (`18`); a 3-digit pincode prefix (`781`).
        public var key: String
        public var tally: CourierPerformance.Tally
    }

    /// Where a parcel went, in the three keys performance is learned by.
    public struct Destination: Sendable, Equatable {
        public var zone: CourierZone
        public var state: IndianState
        /// The first three digits of the pincode (the sorting district).
        public var prefix: String

        public init(zone: CourierZone, state: IndianState, prefix: String) {
            self.zone = zone
            self.state = state
            self.prefix = prefix
        }

        /// The destination of a parcel from pincode `from` to `to`, or nil when the directory
        /// knows either not.
        public init?(from: String, to: String) {
            guard let origin = PincodeDirectory.lookup(from), let destination = PincodeDirectory.lookup(to) else { return nil }
            self.init(zone: CourierZone.between(origin: origin, destination: destination), state: destination.stateCode, prefix: String(to.prefix(3)))
        }
    }

    // MARK: - scans

    /// Keeps each of `scans` of shipment `shipmentID` not kept before (same time and code);
    /// returns how many were new.
    public static func keep(_ db: any Database, shipmentID: String, provider: TrackingUpdate.Provider, scans: [TrackingScan], now: Int64) throws -> Int {
        try TrackingRecords.insertScans(db, shipmentID: shipmentID, provider: provider.rawValue, scans, now: now)
    }

    /// A shipment's scans in time order, each with who reported it and when Bahi heard.
    public static func scans(_ db: any Database, shipmentID: String) throws -> [(scan: TrackingScan, provider: String, receivedAt: Int64)] {
        try TrackingRecords.scans(db, shipmentID: shipmentID)
    }

    /// Parks `update` (its raw `body`) for operators; false when it is parked already.
    public static func park(_ db: any Database, _ update: TrackingUpdate, body: String, now: Int64) throws -> Bool {
        try TrackingRecords.park(db, identity: update.identity, provider: update.provider.rawValue, awb: update.awb, status: update.status,
                                 occurredAt: update.occurredAt, body: body, now: now)
    }

    /// Parked reports, newest first.
    public static func parked(_ db: any Database, before: Int64?, limit: Int) throws -> [Parked] {
        try TrackingRecords.parked(db, before: before, limit: limit)
    }

    // MARK: - NDR

    /// Records a failed attempt of shipment `shipmentID`; nil when that attempt is recorded
    /// already (a resent report).
    public static func raiseNDR(_ db: any Database, shipmentID: String, attempt: Int, ndr: TrackingUpdate.NDR, at: Int64, now: Int64) throws -> ShipmentNDR? {
        let record = ShipmentNDR(id: EntityID.make(.ndr, milliseconds: UInt64(max(0, at))), shipmentID: shipmentID, attempt: max(1, attempt),
                                 reason: ndr.reason, code: ndr.code, text: ndr.text, raisedAt: at, status: .open)
        guard try TrackingRecords.insertNDR(db, record) else { return nil }
        return record
    }

    /// A shipment's NDRs, first attempt first.
    public static func ndrs(_ db: any Database, shipmentID: String) throws -> [ShipmentNDR] {
        try TrackingRecords.ndrs(db, shipmentID: shipmentID)
    }

    /// NDRs in `status` (nil: all), oldest first, after cursor `after`.
    public static func ndrs(_ db: any Database, status: ShipmentNDR.Status?, after: String?, limit: Int) throws -> [ShipmentNDR] {
        try TrackingRecords.ndrs(db, status: status, after: after, limit: limit)
    }

    /// The shipment's open NDR (the latest attempt), or nil.
    public static func openNDR(_ db: any Database, shipmentID: String) throws -> ShipmentNDR? {
        try TrackingRecords.ndrs(db, shipmentID: shipmentID).last { $0.status == .open }
    }

    /// Records the seller's `action` on NDR `id` (still open): `invalid_transition` otherwise.
    public static func act(_ db: any Database, id: String, action: ShipmentNDR.Action, detail: JSONObject, actor: String?, now: Int64) throws -> ShipmentNDR {
        guard try TrackingRecords.act(db, id: id, action: action, detail: JSONValue.object(detail).encodedText, actor: actor, now: now),
              let acted = try TrackingRecords.findNDR(db, id: id) else {
            throw DomainError(.invalidTransition, "NDR \(id) is no longer open; a newer attempt, the delivery or the return overtook it.")
        }
        return acted
    }

    /// Records what the courier answered to NDR `id`'s action.
    public static func recordReply(_ db: any Database, ndrID: String, reply: String) throws {
        try TrackingRecords.setReply(db, id: ndrID, reply: String(reply.prefix(500)))
    }

    /// Closes shipment `shipmentID`'s NDRs (`by`: delivered, rto, policy, reattempt); `action`
    /// is recorded on those nobody acted on.
    public static func closeNDRs(_ db: any Database, shipmentID: String, by: String, action: ShipmentNDR.Action? = nil, actor: String?, now: Int64) throws {
        try TrackingRecords.close(db, shipmentID: shipmentID, by: by, action: action, actor: actor, now: now)
    }

    // MARK: - performance

    /// Adds a finished shipment of `courier` to `destination`'s three tallies.
    public static func tally(_ db: any Database, courier: String, destination: Destination, delivered: Bool, rto: Bool, transitDays: Int64) throws {
        for (level, key) in [("zone", destination.zone.rawValue), ("state", destination.state.gstCode), ("prefix", destination.prefix)] {
            try TrackingRecords.tally(db, courier: courier, level: level, key: key, delivered: delivered, rto: rto, transitDays: max(0, transitDays))
        }
    }

    /// Every stored tally (one courier's when given).
    public static func tallies(_ db: any Database, courier: String?) throws -> [TallyRow] {
        try TrackingRecords.tallies(db, courier: courier)
    }

    /// Each courier's learned estimate for `destination`, for the couriers in `expectedDays`
    /// (their quoted days, the figure a courier with no history is assumed to keep).
    public static func estimates(_ db: any Database, destination: Destination, expectedDays: [String: Int64]) throws -> [String: CourierPerformance] {
        let rows = try TrackingRecords.tallies(db, zone: destination.zone.rawValue, state: destination.state.gstCode, prefix: destination.prefix)
        var found: [String: (zone: CourierPerformance.Tally, state: CourierPerformance.Tally, prefix: CourierPerformance.Tally)] = [:]
        for row in rows where expectedDays[row.courier] != nil {
            var entry = found[row.courier] ?? (.init(), .init(), .init())
            switch row.level {
            case "zone": entry.zone = row.tally
            case "state": entry.state = row.tally
            default: entry.prefix = row.tally
            }
            found[row.courier] = entry
        }
        var estimates: [String: CourierPerformance] = [:]
        for (courier, days) in expectedDays {
            let t = found[courier] ?? (.init(), .init(), .init())
            estimates[courier] = CourierPerformance.estimate(zone: t.zone, state: t.state, prefix: t.prefix, expectedDays: days)
        }
        return estimates
    }
}
