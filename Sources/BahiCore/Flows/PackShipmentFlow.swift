public import BahiStore

/// Packing a shipment in one transaction: fulfilment checks the scans and packs it, the
/// order moves to `in_fulfilment`, the GST invoice is issued and its lines marked billed.
public enum PackShipmentFlow {
    /// Packs a `pending` or `picking` shipment of a confirmed order. The scanned SKUs must
    /// match the shipment's lines exactly (`scan_mismatch` naming what is extra and what is
    /// missing), then the shipment is `packed` and its invoice issued.
    ///
    /// A shipment that needs an invoice (it carries lines no earlier invoice billed) is refused
    /// with `seller_profile_incomplete`, naming the missing fields, while the seller profile in
    /// force lacks anything a Rule 46 invoice must state; the check comes before any write.
    public static func pack(
        _ db: any Database, shipmentID: String, package: Packing.Package, scanned: [String], policy: OrderPolicy, actor: String?, now: Int64
    ) throws -> (shipment: Shipment, invoice: Invoices.Invoice?) {
        let shipment = try Packing.packable(db, shipmentID: shipmentID)
        guard let order = try OrderQueries.find(db, id: shipment.orderID, history: false) else { throw DomainError.notFound("order", shipment.orderID) }
        guard order.status == .confirmed || order.status == .inFulfilment else {
            throw DomainError(.invalidTransition, "Order \(order.id) is \(order.status.rawValue); only confirmed orders are packed.")
        }
        let seller = try SellerProfiles.current(db, configured: policy.seller)
        if !Invoices.billableLines(order: order, shipment: shipment).isEmpty { try Invoices.checkSeller(seller) }
        try Packing.pack(db, shipment, package: package, scanned: scanned, now: now)
        try OrderTransitions.startFulfilment(db, orderID: order.id, cause: ["shipment_id": .string(shipmentID)], actor: actor, now: now)
        let invoice = try Invoices.issue(db, order: order, shipment: shipment, seller: seller, invoicePrefix: policy.invoicePrefix, now: now)
        if let invoice { try OrderTransitions.markInvoiced(db, orderID: order.id, lines: invoice.lines, invoiceID: invoice.id) }
        try Packing.announcePacked(db, shipment, package: package, invoiceID: invoice?.id, actor: actor, now: now)
        try OrderTransitions.recordPacked(db, orderID: order.id, shipmentID: shipmentID, invoiceNumber: invoice?.number, actor: actor, now: now)
        guard let packed = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        return (packed, invoice)
    }
}
