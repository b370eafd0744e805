public import BahiStore

/// Booking a packed shipment with a courier, and cancelling that booking before pickup: a
/// flow, because the choice needs the quote (Fulfilment's parcel, Catalog's location, the
/// order through Orders' public queries, Couriers' cards), the AWB is the Couriers domain's
/// (`courier_waybills`) and the shipment's move is Fulfilment's — all in one transaction, so a
/// claimed AWB and the booked shipment commit together or not at all.
///
/// A courier booked through a provider's API (Shiprocket, Delhivery) cannot be booked in one
/// transaction: the provider is called over the network, which never happens while a write
/// transaction is open. `plan` chooses and checks in a read, BahiAPI asks the provider, and
/// `recordProviderBooking` writes what it gave in one transaction that checks the shipment
/// again.
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
        let (shipment, offer, courier) = try chosen(db, shipmentID: shipmentID, courier: code, policy: policy, now: now)
        let awb = try CourierWaybills.issue(db, courier: courier, requested: awb, shipmentID: shipmentID, now: now)
        return try booked(db, shipment, courier: courier, awb: awb, offer: offer, actor: actor, now: now)
    }

    /// The shipment, the offer and the courier a booking would take, refused as `book` says.
    static func chosen(
        _ db: any Database, shipmentID: String, courier code: String?, policy: @Sendable (_ channel: String) -> CourierPolicy, now: Int64
    ) throws -> (Shipment, CourierSelection.Offer, Courier) {
        guard let shipment = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        try bookable(shipment)
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
        return (shipment, offer, courier)
    }

    /// `shipment_not_packed` for a pending or picking shipment, `invalid_transition` for one
    /// already booked or past it.
    static func bookable(_ shipment: Shipment) throws {
        if shipment.status == .pending || shipment.status == .picking {
            throw DomainError(.shipmentNotPacked, "Shipment \(shipment.id) is \(shipment.status.rawValue); pack it before booking a courier.")
        }
        try Shipments.allowed(shipment, to: .ready)
    }

    /// Books `shipment` with `courier` and `awb` (already recorded as issued) and appends
    /// `shipment.booked`; the booked shipment.
    static func booked(_ db: any Database, _ shipment: Shipment, courier: Courier, awb: String, offer: CourierSelection.Offer, actor: String?,
                       now: Int64) throws -> Booking {
        let shipmentID = shipment.id
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

    // MARK: booking through a provider's API

    /// A booking through a provider's API (Shiprocket, Delhivery), chosen and checked before
    /// the provider is asked: the provider is called with no transaction open, then
    /// `recordProviderBooking` writes what it gave.
    public struct ProviderPlan: Sendable {
        public var shipment: Shipment
        public var offer: CourierSelection.Offer
        public var courier: Courier
        /// What the provider is sent.
        public var parcel: CourierParcel
        /// The pickup location's name at the provider (`CourierFields.pickupLocation`).
        public var pickupLocation: String
    }

    /// How a booking goes: wholly in one write transaction (`book`: manual and waybill-pool
    /// couriers), or through a provider's API (`ProviderPlan`).
    public enum Plan: Sendable {
        case local
        case provider(ProviderPlan)
    }

    /// Chooses the courier as `book` does, in a read; for a courier booked through a
    /// provider's API also checks its settings there and builds the parcel. Refused as `book`
    /// says, and: 422 `awb` not_allowed (the provider issues the AWB); 409
    /// `courier_not_configured` naming `pickup_location` or `provider_courier_id` when the
    /// courier lacks it.
    public static func plan(
        _ db: any Database, shipmentID: String, courier code: String?, awb: String?, policy: @Sendable (_ channel: String) -> CourierPolicy = { _ in CourierPolicy() },
        now: Int64
    ) throws -> Plan {
        let (shipment, offer, courier) = try chosen(db, shipmentID: shipmentID, courier: code, policy: policy, now: now)
        let f = courier.fields
        guard f.provider == .shiprocket || f.provider == .delhivery else { return .local }
        guard awb == nil else {
            throw DomainError.invalid("awb", "not_allowed", "Courier \(courier.code) is booked through \(f.provider.rawValue), which issues the AWB; send no awb.")
        }
        var missing: [FieldProblem] = []
        if f.provider == .shiprocket && f.providerCourierID == nil {
            missing.append(FieldProblem("provider_courier_id", "required", "Set courier \(courier.code)'s provider_courier_id: Shiprocket's id of the courier company (43 is Delhivery Surface)."))
        }
        if f.pickupLocation == nil {
            missing.append(FieldProblem("pickup_location", "required", "Set courier \(courier.code)'s pickup_location: the pickup location's name as registered with \(f.provider.rawValue)."))
        }
        guard missing.isEmpty, let pickupLocation = f.pickupLocation else {
            throw DomainError(.courierNotConfigured, "Courier \(courier.code) cannot book through \(f.provider.rawValue) yet: \(missing.map(\.message).joined(separator: " "))",
                              problems: missing)
        }
        guard let order = try OrderQueries.find(db, id: shipment.orderID, history: false) else {
            throw DomainError(.corruptRow, "Shipment \(shipmentID) belongs to order \(shipment.orderID), which does not exist.")
        }
        var to = ShippingLabel.Address(order.shipping)
        to.phone = to.phone ?? order.customerPhone
        let parcel = CourierParcel(
            shipmentID: shipmentID, orderReference: order.channelOrderRef, orderedAt: order.placedAt, name: to.name, addressLines: to.lines,
            city: to.city, state: to.state, pincode: to.pincode, phone: to.phone ?? order.customerPhone, email: order.customerEmail,
            items: order.lines.map { CourierParcel.Item(sku: $0.sku, name: $0.name, units: $0.qty, unitPricePaise: $0.unitPricePaise, hsn: $0.hsn) },
            codPaise: order.paymentMethod == .cod ? order.totals.totalPaise : nil, valuePaise: order.totals.totalPaise,
            subtotalPaise: order.totals.subtotalPaise - order.totals.discountPaise, weightG: shipment.weightG ?? 0,
            lengthMM: shipment.lengthMM ?? 0, widthMM: shipment.widthMM ?? 0, heightMM: shipment.heightMM ?? 0)
        return .provider(ProviderPlan(shipment: shipment, offer: offer, courier: courier, parcel: parcel, pickupLocation: pickupLocation))
    }

    /// Records what the provider gave for `plan`, in the caller's transaction: the shipment is
    /// checked again (still packed — another booking may have won meanwhile), the AWB recorded
    /// as issued with the provider's references, the shipment booked and `shipment.booked`
    /// appended. Refused as `book` says (`shipment_not_packed`, `invalid_transition`,
    /// `awb_in_use`), and `courier_refused` for an AWB of a shape no label can carry; the
    /// caller then cancels at the provider.
    public static func recordProviderBooking(_ db: any Database, _ plan: ProviderPlan, reference: CourierBookingReference, actor: String?,
                                             now: Int64) throws -> Booking {
        let shipmentID = plan.shipment.id
        guard let shipment = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        try bookable(shipment)
        guard let courier = try Couriers.get(db, code: plan.courier.code) else { throw DomainError.notFound("courier", plan.courier.code) }
        guard CourierWaybills.isAWB(reference.awb) else {
            throw DomainError(.courierRefused, "\(courier.fields.provider.rawValue) gave AWB \"\(reference.awb)\", which is not 8 to 30 letters or digits.")
        }
        guard try CourierRecords.recordIssued(db, courier: courier.code, awb: reference.awb, shipmentID: shipmentID, now: now,
                                              providerOrderID: reference.providerOrderID, providerShipmentID: reference.providerShipmentID) else {
            throw DomainError(.awbInUse, "Courier \(courier.code)'s AWB \(reference.awb) was used before; an AWB carries one parcel.")
        }
        return try booked(db, shipment, courier: courier, awb: reference.awb, offer: plan.offer, actor: actor, now: now)
    }

    /// A booked shipment's courier (when it books through a provider's API) and the
    /// provider's references of its AWB: what cancelling at the provider needs, read before
    /// the provider is asked. Nil for a manual or waybill-pool courier, or a shipment that is
    /// not booked (`cancel` refuses it).
    public static func providerBooking(_ db: any Database, shipmentID: String) throws -> (courier: Courier, reference: CourierBookingReference)? {
        guard let shipment = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        guard shipment.status == .ready, let code = shipment.courier, let awb = shipment.awb, let courier = try Couriers.get(db, code: code),
              courier.fields.provider == .shiprocket || courier.fields.provider == .delhivery else { return nil }
        let reference = try CourierRecords.issuedReference(db, courier: code, awb: awb, shipmentID: shipmentID) ?? CourierBookingReference(awb: awb)
        return (courier, reference)
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
