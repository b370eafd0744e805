public import BahiStore

/// Where a manifest's parcels are: none scanned by the pickup person yet, some, or all.
/// Worked out from its parcels whenever it is read, never stored, so a parcel leaving the
/// manifest (its booking cancelled, its order cancelled) cannot leave a stale status behind.
public enum ManifestStatus: String, Sendable, CaseIterable {
    case open
    case partiallyHandedOver = "partially_handed_over"
    case handedOver = "handed_over"

    /// The status of a manifest with `waiting` parcels still ready and `handedOver` picked up
    /// (or further).
    public init(waiting: Int64, handedOver: Int64) {
        self = handedOver == 0 ? .open : waiting == 0 ? .handedOver : .partiallyHandedOver
    }
}

/// A courier's pickup list: the ready parcels booked with one courier at one location, printed
/// for the pickup person, whose scans at handover hand them over (`ManifestFlow`). Its parcels
/// are the shipments whose `manifestID` names it.
public struct Manifest: Sendable, Equatable {
    public var id: String
    public var courier: String
    public var location: String
    public var status: ManifestStatus
    public var createdAt: Int64
    public var actor: String?
    /// Its parcels (without their lines), by AWB; empty when only the head was read.
    public var shipments: [Shipment] = []

    /// The day the manifest is for, in IST (YYYY-MM-DD): pickups are counted per Indian day.
    public var day: String { ReconciliationPeriod.day(createdAt) }
}

/// Manifests: the rows and the rules that are Fulfilment's alone. Which parcels may go on one
/// and how many the courier takes a day is `ManifestFlow`'s (it asks Couriers).
public enum Manifests {
    /// Most manifests a list returns per page.
    public static let maxPage = 200

    /// One manifest with its parcels, or nil.
    public static func find(_ db: any Database, id: String) throws -> Manifest? {
        guard var manifest = try FulfilmentRecords.findManifest(db, id: id) else { return nil }
        manifest.shipments = try FulfilmentRecords.manifestShipments(db, manifestID: id)
        return manifest
    }

    /// Manifests newest first (heads only), of one courier and status or all, before the id
    /// `before` (the cursor).
    public static func list(_ db: any Database, courier: String?, status: ManifestStatus?, before: String?, limit: Int) throws -> [Manifest] {
        try FulfilmentRecords.manifests(db, courier: courier, status: status, before: before, limit: limit)
    }

    /// Ready, unmanifested shipments booked with `courier` at `location`, oldest booking first.
    static func eligible(_ db: any Database, courier: String, location: String) throws -> [String] {
        try FulfilmentRecords.unmanifested(db, courier: courier, location: location)
    }

    /// Parcels already on `courier`'s manifests at `location` made since `since` (the IST day's
    /// start): what counts against its daily pickup capacity.
    static func manifestedSince(_ db: any Database, courier: String, location: String, since: Int64) throws -> Int64 {
        try FulfilmentRecords.manifestedSince(db, courier: courier, location: location, since: since)
    }

    /// Stores a manifest of `shipmentIDs`, each put on it by a conditional UPDATE (still ready,
    /// of that courier and location, on no manifest); a shipment a concurrent call changed
    /// reruns the transaction.
    static func create(_ db: any Database, courier: String, location: String, shipmentIDs: [String], actor: String?, now: Int64) throws -> String {
        let manifest = Manifest(id: EntityID.make(.manifest, milliseconds: UInt64(now)), courier: courier, location: location, status: .open,
                                createdAt: now, actor: actor)
        try FulfilmentRecords.insertManifest(db, manifest)
        for id in shipmentIDs {
            guard try FulfilmentRecords.manifest(db, id: id, manifestID: manifest.id, courier: courier, location: location, now: now) else {
                throw db.concurrentChange(DomainError(.invalidTransition, "Shipment \(id) changed while it was being put on a manifest."))
            }
        }
        return manifest.id
    }
}
