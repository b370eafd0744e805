public import BahiStore

/// A booked shipment's shipping label: a flow, because what it prints lives in five domains —
/// the AWB, package and invoice (Fulfilment), the courier's name (Couriers), the buyer's
/// address, payment and reference (the order, through Orders' public queries), and the return
/// address (the seller profile in force, Settings).
public enum ShipmentLabelFlow {
    /// The label of shipment `shipmentID`. `not_found`; `shipment_not_booked` until booking gave
    /// it a courier and an AWB (a label without an AWB is no label).
    ///
    /// A COD parcel collects the order's total, as the quote priced it (an order split over
    /// several parcels shows the whole total on each label until COD amounts are split per
    /// parcel: a known gap). The ship-to phone is the address's, else the
    /// customer's. The return address is the seller profile's, under its trade name.
    public static func label(_ db: any Database, shipmentID: String, configuredSeller: SellerProfile) throws -> (shipment: Shipment, label: ShippingLabel) {
        guard let shipment = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        guard let code = shipment.courier, let awb = shipment.awb, let weight = shipment.weightG else {
            throw DomainError(.shipmentNotBooked, "Shipment \(shipmentID) is \(shipment.status.rawValue) and not booked with a courier; book it first.")
        }
        guard let order = try OrderQueries.find(db, id: shipment.orderID, history: false) else {
            throw DomainError(.corruptRow, "Shipment \(shipmentID) belongs to order \(shipment.orderID), which does not exist.")
        }
        let courierName = try Couriers.get(db, code: code)?.fields.name ?? code
        let seller = try SellerProfiles.current(db, configured: configuredSeller)
        let invoiceNumber = try shipment.invoiceID.flatMap { try Invoices.find(db, id: $0) }?.number ?? ""
        var shipTo = ShippingLabel.Address(order.shipping)
        shipTo.phone = shipTo.phone ?? order.customerPhone
        let returnTo = ShippingLabel.Address(name: seller.tradeName.isEmpty ? seller.legalName : seller.tradeName, phone: nil, seller.address)
        let package = Packing.Package(weightG: weight, lengthMM: shipment.lengthMM ?? 0, widthMM: shipment.widthMM ?? 0, heightMM: shipment.heightMM ?? 0)
        do {
            let label = try ShippingLabel(awb: awb, courier: courierName, shipTo: shipTo, returnTo: returnTo,
                                          payment: order.paymentMethod == .cod ? .cod(paise: order.totals.totalPaise) : .prepaid,
                                          package: package, invoiceNumber: invoiceNumber, orderReference: order.channelOrderRef)
            return (shipment, label)
        } catch {
            throw DomainError(.corruptRow, "Shipment \(shipmentID)'s AWB \(awb) cannot be printed as Code 128: \(error).")
        }
    }
}
