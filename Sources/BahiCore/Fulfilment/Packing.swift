public import BahiStore
import BahiJSON

/// Packing a shipment: the scan check that stops wrong-item parcels and the package's
/// measurements. `PackShipmentFlow` adds the order's move and the GST invoice in the same
/// transaction.
public enum Packing {
    /// The parcel as weighed and measured.
    public struct Package: Sendable {
        public var weightG: Int64
        public var lengthMM: Int64
        public var widthMM: Int64
        public var heightMM: Int64
        public init(weightG: Int64, lengthMM: Int64, widthMM: Int64, heightMM: Int64) {
            self.weightG = weightG
            self.lengthMM = lengthMM
            self.widthMM = widthMM
            self.heightMM = heightMM
        }
    }

    /// The shipment if it exists and may be packed (`pending` or `picking`): not-found or
    /// `invalid_transition` otherwise. Not `canMove(to: .packed)` alone: ready → packed is a
    /// cancelled booking, never a second packing of a parcel already packed.
    static func packable(_ db: any Database, shipmentID: String) throws -> Shipment {
        guard let shipment = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        guard shipment.status.canMove(to: .packed), shipment.status != .ready else {
            throw DomainError(.invalidTransition, "Shipment \(shipmentID) is \(shipment.status.rawValue); only pending or picking shipments can be packed.")
        }
        return shipment
    }

    /// Packs the shipment: the scanned SKUs must match its lines exactly (`scan_mismatch`
    /// naming what is extra and what is missing), then it is `packed` with its measurements.
    static func pack(_ db: any Database, _ shipment: Shipment, package: Package, scanned: [String], now: Int64) throws {
        try ScanCheck.check(expected: shipment.expectedScan, scanned: scanned)
        try Shipments.move(db, shipment, to: .packed, change: .init(package: package, packedAt: now), now: now)
    }

    /// Records the invoice issued with the packed shipment and announces `shipment.packed`.
    static func announcePacked(_ db: any Database, _ shipment: Shipment, package: Package, invoiceID: String?, actor: String?, now: Int64) throws {
        if let invoiceID { try FulfilmentRecords.setInvoice(db, shipmentID: shipment.id, invoiceID: invoiceID) }
        try EventLog.append(db, NewEvent(FulfilmentEvents.shipmentPacked, entityID: shipment.id, payload: [
            "shipment_id": .string(shipment.id), "order_id": .string(shipment.orderID), "weight_g": .int(package.weightG),
            "invoice_id": .optional(invoiceID),
        ]), actor: actor, at: now)
    }
}
