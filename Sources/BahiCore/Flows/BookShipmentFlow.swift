public import BahiStore

/// Booking a packed shipment with a courier, and cancelling that booking before pickup: a
/// flow, because the choice needs the quote (Fulfilment's parcel, Catalog's location, the
/// order through Orders' public queries, Couriers' cards), the AWB is the Couriers domain's
/// (`courier_waybills`) and the shipment's move is Fulfilment's — all in one transaction, so a
/// claimed AWB and the booked shipment commit together or not at all.
public enum BookShipmentFlow {
    /// What a booking chose.
    public struct Booking: Sendable {
        public var shipment: Shipment
        /// The offer it was booked at.
        public var offer: CourierSelection.Offer
    }

    /// Books packed shipment `shipmentID` with courier `code`, or when none is named the courier
    /// `policy` (the configuration's rules and policy for the order's channel) chooses among
    /// those that can carry it, with each courier's performance learned from the seller's
    /// finished shipments to this destination (`Tracking.estimates`). The AWB comes from the courier's
    /// provider (`CourierWaybills.issue`).
    ///
    /// Refusals: `not_found`; `shipment_not_packed` for a pending or picking shipment;
    /// `invalid_transition` for one already booked or past it (`ShipmentStatus.canMove`);
    /// `courier_cannot_carry` naming the quote's reason (or every courier's when none can);
    /// 422 `unknown_courier` for a code that is no courier; the provider's refusals.
    public static func book(
        _ db: any Database, shipmentID: String, courier code: String?, awb: String?, policy: @Sendable (_ channel: String) -> CourierPolicy = { _ in CourierPolicy() },
        actor: String?, now: Int64
    ) throws -> Booking {
        guard let shipment = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        if shipment.status == .pending || shipment.status == .picking {
            throw DomainError(.shipmentNotPacked, "Shipment \(shipmentID) is \(shipment.status.rawValue); pack it before booking a courier.")
        }
        try Shipments.allowed(shipment, to: .ready)
        let quotes = try ShipmentQuoteFlow.quote(db, shipmentID: shipmentID, now: now)
        var offer = try choose(quotes.result, code: code, shipmentID: shipmentID)
        if code == nil, let order = try OrderQueries.find(db, id: shipment.orderID, history: false) {
            // No courier named: the seller's rules and policy for the order's channel decide
            // (`couriers.*`); the cheapest stays the answer when they name none it can use.
            var modes: [String: CourierFields.Mode] = [:]
            for o in quotes.result.offers { modes[o.courier] = try Couriers.get(db, code: o.courier)?.fields.mode }
            let parcel = CourierPolicy.Parcel(cod: quotes.parcel.cod, valuePaise: quotes.parcel.valuePaise, destinationPincode: quotes.toPincode,
                                              zone: offer.quote.zone, channel: order.channel)
            let learned = try Tracking.Destination(from: quotes.fromPincode, to: quotes.toPincode).map { destination in
                try Tracking.estimates(db, destination: destination,
                                       expectedDays: Dictionary(quotes.result.offers.map { ($0.courier, $0.expectedDays) }, uniquingKeysWith: { a, _ in a }))
            } ?? [:]
            if let chosen = policy(order.channel).choose(quotes.result.offers, parcel: parcel, modes: modes, performance: learned),
               let picked = quotes.result.offers.first(where: { $0.courier == chosen.courier }) {
                offer = picked
            }
        }
        guard let courier = try Couriers.get(db, code: offer.courier) else { throw DomainError.notFound("courier", offer.courier) }
        let awb = try CourierWaybills.issue(db, courier: courier, requested: awb, shipmentID: shipmentID, now: now)
        try Shipments.book(db, shipment, courier: courier.code, awb: awb, now: now)
        // What the parcel costs forward, and back should it return (RTO cost = both).
        try Shipments.recordCosts(db, id: shipmentID, shippingPaise: offer.quote.totalPaise,
                                  rtoChargePaise: offer.quote.rtoChargePaise(card: courier.fields.rateCard) ?? 0)
        try EventLog.append(db, NewEvent(FulfilmentEvents.shipmentBooked, entityID: shipmentID, payload: [
            "shipment_id": .string(shipmentID), "order_id": .string(shipment.orderID), "courier": .string(courier.code), "awb": .string(awb),
            "total_paise": .int(offer.quote.totalPaise),
        ]), actor: actor, at: now)
        guard let booked = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        return Booking(shipment: booked, offer: offer)
    }

    /// The offer of courier `code`, or the cheapest when nil; refused as `book` says.
    static func choose(_ result: CourierSelection.Result, code: String?, shipmentID: String) throws -> CourierSelection.Offer {
        guard let code else {
            guard let cheapest = result.offers.first else {
                let reasons = result.exclusions.map { "\($0.courier): \($0.reason.rawValue)" }.joined(separator: ", ")
                throw DomainError(.courierCannotCarry, "No courier can carry shipment \(shipmentID)\(reasons.isEmpty ? " (none is set up)" : " (\(reasons))").")
            }
            return cheapest
        }
        if let offer = result.offers.first(where: { $0.courier == code }) { return offer }
        if let excluded = result.exclusions.first(where: { $0.courier == code }) {
            throw DomainError(.courierCannotCarry, "Courier \(code) cannot carry shipment \(shipmentID): \(excluded.reason.rawValue).",
                              problems: [FieldProblem("courier", excluded.reason.rawValue, "The quote leaves \(code) out: \(excluded.reason.rawValue).")])
        }
        throw DomainError.invalid("courier", "unknown_courier", "No courier \(code).")
    }

    /// Cancels the booking of shipment `shipmentID` before pickup: the shipment is packed again
    /// with no courier, AWB, costs or manifest (a manifested parcel leaves its manifest), and the AWB is cancelled (a pool's is never issued again: the
    /// courier may have it on a manifest). `invalid_transition` unless the shipment is `ready`.
    public static func cancel(_ db: any Database, shipmentID: String, actor: String?, now: Int64) throws -> Shipment {
        guard let shipment = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        try Shipments.allowed(shipment, to: .packed)
        guard shipment.status == .ready, let courier = shipment.courier, let awb = shipment.awb else {
            throw DomainError(.invalidTransition, "Shipment \(shipmentID) is \(shipment.status.rawValue); only a booked (ready) shipment's booking can be cancelled.")
        }
        try Shipments.unbook(db, shipment, now: now)
        // Off its manifest too (the UPDATE cleared it): the courier will not be handed it.
        try CourierWaybills.cancel(db, courier: courier, awb: awb, shipmentID: shipmentID)
        try EventLog.append(db, NewEvent(FulfilmentEvents.shipmentBookingCancelled, entityID: shipmentID, payload: [
            "shipment_id": .string(shipmentID), "order_id": .string(shipment.orderID), "courier": .string(courier), "awb": .string(awb),
        ]), actor: actor, at: now)
        guard let packed = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        return packed
    }
}
