public import BahiStore
import BahiJSON

/// Packing a shipment: the scan check that stops wrong-item parcels, the package's
/// measurements, and the GST invoice, in one transaction.
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

    /// Packs a `pending` or `picking` shipment of a confirmed order. The scanned SKUs must
    /// match the shipment's lines exactly (422 `scan_mismatch` naming what is extra and
    /// what is missing), then the shipment is `packed` and its invoice issued.
    public static func pack(
        _ db: any Database, shipmentID: String, package: Package, scanned: [String], policy: OrderPolicy, actor: String?, now: Int64
    ) throws -> (shipment: Shipment, invoice: Invoices.Invoice?) {
        guard let shipment = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        guard shipment.status == .pending || shipment.status == .picking else {
            throw DomainError(status: 409, code: "invalid_transition", detail: "Shipment \(shipmentID) is \(shipment.status.rawValue); only pending or picking shipments can be packed.")
        }
        guard let order = try OrderQueries.find(db, id: shipment.orderID, history: false) else { throw DomainError.notFound("order", shipment.orderID) }
        guard order.status == .confirmed || order.status == .inFulfilment else {
            throw DomainError(status: 409, code: "invalid_transition", detail: "Order \(order.id) is \(order.status.rawValue); only confirmed orders are packed.")
        }
        try ScanCheck.check(expected: shipment.expectedScan, scanned: scanned)
        guard try db.execute(
            """
            UPDATE shipments SET status = 'packed', weight_g = ?, length_mm = ?, width_mm = ?, height_mm = ?, packed_at = ?, updated_at = ?
             WHERE id = ? AND status IN ('pending', 'picking')
            """, [package.weightG, package.lengthMM, package.widthMM, package.heightMM, now, now, shipmentID]) == 1 else {
            throw DomainError(status: 409, code: "invalid_transition", detail: "Shipment \(shipmentID) changed while it was being packed.")
        }
        try Picklists.startFulfilment(db, orderID: order.id, cause: ["shipment_id": .string(shipmentID)], actor: actor, now: now)
        let invoice = try Invoices.issue(db, order: order, shipment: shipment, policy: policy, now: now)
        if let invoice { try db.execute("UPDATE shipments SET invoice_id = ? WHERE id = ?", [invoice.id, shipmentID]) }
        try EventLog.append(db, type: "shipment.packed", entityType: "shipment", entityID: shipmentID,
                            payload: ["shipment_id": .string(shipmentID), "order_id": .string(order.id), "weight_g": .int(package.weightG),
                                      "invoice_id": .optional(invoice?.id)], actor: actor, at: UInt64(now))
        let status = try db.queryValue("SELECT status FROM orders WHERE id = ?", [order.id], as: String.self).flatMap(OrderStatus.init(rawValue:)) ?? order.status
        var detail: JSONObject = ["shipment_id": .string(shipmentID)]
        if let invoice { detail["invoice_number"] = .string(invoice.number) }
        try OrderHistory.record(db, orderID: order.id, action: "packed", emitsEvent: false, from: status, to: status, detail: detail, actor: actor, now: now)
        guard let packed = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        return (packed, invoice)
    }
}
