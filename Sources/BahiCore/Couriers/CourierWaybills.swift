public import BahiStore

/// Where a booking's air waybill (AWB) comes from: each courier's `provider` is an adapter.
///
/// - `manual`: the seller booked with the courier by hand (its portal, a phone call) and types
///   in the AWB it gave; it is recorded as issued, so the same AWB is never used twice.
/// - `waybill_pool`: the courier issued a block of AWBs in advance (Delhivery, Blue Dart and
///   Ecom Express all do, as files); they are imported and each booking takes one.
/// - `shiprocket`, `delhivery`: the provider's API issues the AWB (`ShiprocketAPI`,
///   `DelhiveryAPI`); the booking asks it outside any transaction and records the AWB
///   with `CourierRecords.recordIssued` (`BookShipmentFlow.recordProviderBooking`).
public enum CourierWaybills {
    /// The largest import accepted at once (a courier's block is typically 1,000–10,000).
    public static let maxImport = 10_000

    /// The shape every AWB must have: 8 to 30 letters or digits (Delhivery's are 13–14 digits,
    /// Blue Dart's 11, Ecom Express's 9–10; none uses anything else), so a typing slip or a
    /// pasted space is caught before it is printed on a label.
    public static func isAWB(_ text: String) -> Bool {
        let bytes = text.utf8
        return (8...30).contains(bytes.count) && bytes.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    /// What an import did.
    public struct Imported: Sendable, Equatable {
        /// AWBs new to the pool.
        public var added: Int
        /// AWBs it had already (available, issued or cancelled) or repeated in the list, left as they were.
        public var known: Int
        /// AWBs of the courier available after the import.
        public var available: Int64
    }

    /// Adds `awbs` to the pool of waybill-pool courier `code`, in the caller's transaction, and
    /// appends `courier.waybills_imported`.
    /// `not_found` for an unknown courier, `wrong_provider` for one that is not booked from a
    /// pool, 422 naming each AWB of the wrong shape (nothing is added then).
    public static func importPool(_ db: any Database, code: String, awbs: [String], actor: String?, now: Int64) throws -> Imported {
        guard MerchantCode.isValid(code), let courier = try CourierRecords.find(db, code: code) else { throw DomainError.notFound("courier", code) }
        guard courier.fields.provider == .waybillPool else {
            throw DomainError(.wrongProvider, "Courier \(code) is booked through \(courier.fields.provider.rawValue), not from a waybill pool.")
        }
        let problems = awbs.enumerated().compactMap { i, awb in
            isAWB(awb) ? nil : FieldProblem("awbs[\(i)]", "invalid_awb", "An AWB is 8 to 30 letters or digits.")
        }
        guard problems.isEmpty else { throw DomainError.problems(problems) }
        let unique = Array(Set(awbs)).sorted()
        let added = try CourierRecords.addWaybills(db, courier: code, unique, now: now)
        let imported = Imported(added: added, known: awbs.count - added, available: try CourierRecords.availableWaybills(db, courier: code))
        try EventLog.append(db, NewEvent(CourierEvents.waybillsImported, entityID: code, payload: [
            "courier": .string(code), "added": .int(Int64(imported.added)), "known": .int(Int64(imported.known)), "available": .int(imported.available),
        ]), actor: actor, at: now)
        return imported
    }

    /// AWBs a booking tries before giving way to concurrent ones: more than the bookings one
    /// node's group commit can have racing another node's for the same courier's first AWBs.
    static let claimCandidates = 16

    /// The AWB for shipment `shipmentID` booked with `courier`, by its provider: `requested`
    /// (required and shape-checked) for a manual courier, the pool's next for a waybill-pool
    /// one (`waybill_pool_empty` when none is left). `awb_in_use` when a manual AWB was used
    /// before; `courier_unavailable` for API providers (booked by `BookShipmentFlow.plan`).
    public static func issue(_ db: any Database, courier: Courier, requested: String?, shipmentID: String, now: Int64) throws -> String {
        switch courier.fields.provider {
        case .manual:
            guard let awb = requested else {
                throw DomainError.invalid("awb", "required", "Courier \(courier.code) is booked by hand: send the AWB it gave.")
            }
            guard isAWB(awb) else { throw DomainError.invalid("awb", "invalid_awb", "An AWB is 8 to 30 letters or digits.") }
            guard try CourierRecords.recordIssued(db, courier: courier.code, awb: awb, shipmentID: shipmentID, now: now) else {
                throw DomainError(.awbInUse, "Courier \(courier.code)'s AWB \(awb) was used before; an AWB carries one parcel.")
            }
            return awb
        case .waybillPool:
            guard requested == nil else {
                throw DomainError.invalid("awb", "not_allowed", "Courier \(courier.code) takes its AWBs from its pool; send no awb.")
            }
            // The first of a few candidates this call can still claim. Concurrent bookings all
            // see the same first AWB; each that loses it moves on to the next within its own
            // transaction rather than starting again, so contention costs a wait, not a rerun.
            let candidates = try CourierRecords.firstAvailable(db, courier: courier.code, limit: claimCandidates)
            for awb in candidates where try CourierRecords.claimWaybill(db, courier: courier.code, awb: awb, shipmentID: shipmentID, now: now) {
                return awb
            }
            let empty = DomainError(.waybillPoolEmpty, "Courier \(courier.code) has no AWB left in its pool; import more.")
            guard candidates.isEmpty else {
                // Every candidate went to concurrent bookings: the store runs the transaction
                // again, which sees what is left (SQLite's single writer never gets here).
                throw db.concurrentChange(empty)
            }
            throw empty
        case .shiprocket, .delhivery:
            // Such a booking asks the provider first (`BookShipmentFlow.plan`); reaching here
            // means the courier's provider changed in between.
            throw DomainError(.courierUnavailable,
                              "Courier \(courier.code) now books through \(courier.fields.provider.rawValue)'s API; book again.")
        }
    }

    /// Gives up the AWB issued to `shipmentID` when its booking is cancelled: cancelled, never
    /// issued again (the courier may already have it on a manifest).
    static func cancel(_ db: any Database, courier: String, awb: String, shipmentID: String) throws {
        guard try CourierRecords.cancelWaybill(db, courier: courier, awb: awb, shipmentID: shipmentID) else {
            throw DomainError(.corruptRow, "Courier \(courier)'s AWB \(awb) is not recorded as issued to shipment \(shipmentID).")
        }
    }
}
