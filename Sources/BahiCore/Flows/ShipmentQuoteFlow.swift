public import BahiStore

/// Quotes for a shipment as it stands: a flow, because the parcel's facts live in three
/// domains — the packed weight and box (Fulfilment), where it leaves from (the location's
/// pincode, Catalog) and where it goes, whether it is COD and what it is worth (the order,
/// read through Orders' public queries) — and the prices in a fourth (Couriers).
public enum ShipmentQuoteFlow {
    /// What was priced and the couriers' answers.
    public struct Quotes: Sendable {
        public var fromPincode: String
        public var toPincode: String
        public var parcel: Parcel
        public var result: CourierSelection.Result
    }

    /// The quotes for shipment `id`. `not_found` for an unknown shipment; `shipment_not_packed`
    /// until packing recorded its weight and box (a quote of a guessed weight would mislead).
    /// COD and the value are the order's: a COD order's parcel collects and is insured for the
    /// order's total (an order split over several parcels is priced at its whole value, the
    /// safe side, until booking splits it).
    ///
    /// Each courier's parcels booked today (IST, at `now`) count against its daily pickup
    /// capacity.
    public static func quote(
        _ db: any Database, shipmentID id: String, now: Int64 = Int64(WallClock.milliseconds()), cache: CourierQuoteCache? = nil
    ) throws -> Quotes {
        guard let shipment = try Shipments.find(db, id: id) else { throw DomainError.notFound("shipment", id) }
        guard let weight = shipment.weightG, let length = shipment.lengthMM, let width = shipment.widthMM, let height = shipment.heightMM else {
            throw DomainError(.shipmentNotPacked, "Shipment \(id) is \(shipment.status.rawValue) and has no packed weight and dimensions yet; pack it first.")
        }
        guard let location = try LocationCatalog.get(db, code: shipment.location) else {
            throw DomainError(.corruptRow, "Shipment \(id) leaves from location \(shipment.location), which does not exist.")
        }
        guard let order = try OrderQueries.find(db, id: shipment.orderID, history: false) else {
            throw DomainError(.corruptRow, "Shipment \(id) belongs to order \(shipment.orderID), which does not exist.")
        }
        let parcel = Parcel(weightG: weight, lengthMM: length, widthMM: width, heightMM: height,
                            cod: order.paymentMethod == .cod, valuePaise: order.totals.totalPaise)
        let from = location.fields.pincode, to = order.shipping.pincode
        let booked = try Shipments.bookedPerCourier(db, since: CourierTime.istDayStart(now))
        return Quotes(fromPincode: from, toPincode: to, parcel: parcel,
                      result: try Couriers.quote(db, from: from, to: to, parcel: parcel, bookedToday: booked, cache: cache))
    }
}
