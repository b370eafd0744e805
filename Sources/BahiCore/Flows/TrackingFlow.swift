public import BahiStore
public import BahiJSON

/// A courier's tracking report carried through every domain it touches, in one transaction:
/// the scans kept (Couriers' tracking), the shipment moved only forward (Fulfilment, as
/// `TrackingProgress` decides), a failed attempt recorded and the NDR policy applied, and the
/// consequences — COD cash collected (the payments seam), the order's fulfilment status and
/// completion (Orders), RTO counted against the phone and pincode (Orders), the courier's
/// performance tallied (Couriers).
///
/// Why one flow for the providers and a person: Shiprocket pushes histories, Delhivery single
/// scans, a person posts one status; all arrive as a `TrackingUpdate`, twice, late and out of
/// order, and every rule here holds for each.
public enum TrackingFlow {
    /// The seller's NDR rule.
    public struct Policy: Sendable, Equatable {
        /// Failed attempts after which the parcel goes back (default 3, the couriers' own).
        public var maxAttempts: Int

        public init(maxAttempts: Int = NDRPolicy.defaultMaxAttempts) { self.maxAttempts = maxAttempts }
    }

    /// A message the courier must be sent after the transaction commits.
    public struct Instruction: Sendable, Equatable {
        public var courier: String
        public var awb: String
        public var ndrID: String
        public var action: ShipmentNDR.Action
    }

    /// What a report did.
    public struct Outcome: Sendable, Equatable {
        public enum Result: String, Sendable {
            /// The shipment moved.
            case applied
            /// Scans were kept; the shipment stayed (`kept` says why).
            case kept
            /// No shipment has the AWB: parked for operators.
            case parked
            /// Seen before: nothing changed.
            case duplicate
        }

        public var result: Result
        public var shipmentID: String?
        /// The shipment's status afterwards.
        public var status: ShipmentStatus?
        /// The statuses the shipment entered, in order (skipped ones included).
        public var moved: [ShipmentStatus] = []
        public var newScans: Int = 0
        public var kept: TrackingProgress.Kept?
        /// The failed attempt recorded, if the report was one.
        public var ndr: ShipmentNDR?
        /// The courier must be told (the NDR policy sent the parcel back).
        public var instruction: Instruction?
    }

    /// Receives a provider's `update` (its verified raw `body` kept if it must be parked).
    public static func receive(_ db: any Database, _ update: TrackingUpdate, body: String, policy: Policy, actor: String?, now: Int64) throws -> Outcome {
        guard let shipment = try Shipments.find(db, awb: update.awb) else {
            let parked = try Tracking.park(db, update, body: body, now: now)
            return Outcome(result: parked ? .parked : .duplicate)
        }
        return try apply(db, update, to: shipment, policy: policy, actor: actor, now: now)
    }

    /// Applies `update` to booked shipment `shipmentID` (a person's report): `not_found`, or
    /// `shipment_not_booked` for a shipment no courier has.
    public static func receive(_ db: any Database, _ update: TrackingUpdate, shipmentID: String, policy: Policy, actor: String?, now: Int64) throws -> Outcome {
        guard let shipment = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        guard let awb = shipment.awb, shipment.courier != nil else {
            throw DomainError(.shipmentNotBooked, "Shipment \(shipmentID) is \(shipment.status.rawValue) and not booked with a courier; there is nothing to track yet.")
        }
        var update = update
        update.awb = awb
        return try apply(db, update, to: shipment, policy: policy, actor: actor, now: now)
    }

    static func apply(_ db: any Database, _ update: TrackingUpdate, to shipment: Shipment, policy: Policy, actor: String?, now: Int64) throws -> Outcome {
        let scans = update.scans.isEmpty
            ? [TrackingScan(at: update.occurredAt, code: update.codes.first?.code ?? update.status?.rawValue ?? "report", label: update.codes.first?.label,
                            location: update.location, status: update.status)]
            : update.scans
        let added = try Tracking.keep(db, shipmentID: shipment.id, provider: update.provider, scans: scans, now: now)
        var outcome = Outcome(result: added > 0 ? .kept : .duplicate, shipmentID: shipment.id, status: shipment.status, newScans: added)
        // A reverse pickup's statuses belong to a return, not to this forward parcel.
        if update.isReturn {
            outcome.kept = .informational
            return outcome
        }
        let decision = TrackingProgress.decide(current: shipment.status, incoming: update.status, currentSince: shipment.statusAt, incomingAt: update.occurredAt)
        guard case .move(let to, let implied) = decision else {
            if case .keep(let why) = decision {
                outcome.kept = why
                if why == .unchanged {
                    try Shipments.restamp(db, shipment, at: update.occurredAt)
                    // Another failed attempt with no out-for-delivery reported between: a new NDR.
                    if shipment.status == .undelivered, let since = shipment.statusAt, update.occurredAt > since {
                        outcome = try failedAttempt(db, update, shipment: shipment, outcome: outcome, policy: policy, actor: actor, now: now, repeated: true)
                    }
                }
            }
            return outcome
        }
        var current = shipment
        try move(db, &current, to: to, implied: implied, update: update, cause: "courier", actor: actor, now: now)
        outcome.result = .applied
        outcome.moved = implied + [to]
        outcome.status = current.status
        if to == .undelivered { outcome = try failedAttempt(db, update, shipment: current, outcome: outcome, policy: policy, actor: actor, now: now) }
        return outcome
    }

    /// Records the failed attempt `update` reports for `shipment` (now undelivered) and applies
    /// the NDR policy: a refusal or the last attempt sends the parcel back at once.
    static func failedAttempt(_ db: any Database, _ update: TrackingUpdate, shipment: Shipment, outcome: Outcome, policy: Policy, actor: String?,
                              now: Int64, repeated: Bool = false) throws -> Outcome {
        var outcome = outcome
        let earlier = try Tracking.ndrs(db, shipmentID: shipment.id)
        // A report of the current undelivered status naming an attempt already recorded is that
        // attempt resent with a newer time: its NDR, and the seller's answer to it, stay.
        if repeated, let stated = update.ndr?.attempt, earlier.contains(where: { $0.attempt == stated }) { return outcome }
        // The next attempt, or the courier's number when higher (its count of a push's scans can
        // only be lower than ours when the push carried part of the history).
        let attempt = max(update.ndr?.attempt ?? 0, (earlier.map(\.attempt).max() ?? 0) + 1)
        let reported = update.ndr ?? TrackingUpdate.NDR(reason: .other, attempt: nil, code: update.codes.first?.code, text: update.codes.first?.label)
        // Earlier attempts are overtaken by this one.
        try Tracking.closeNDRs(db, shipmentID: shipment.id, by: "reattempted", actor: actor, now: now)
        guard let ndr = try Tracking.raiseNDR(db, shipmentID: shipment.id, attempt: attempt, ndr: reported, at: update.occurredAt, now: now) else { return outcome }
        outcome.ndr = ndr
        if outcome.result == .duplicate || outcome.result == .kept { outcome.result = .applied }
        let decision = NDRPolicy.next(attempts: attempt, reason: ndr.reason, maxAttempts: policy.maxAttempts)
        var payload = journey(shipment, at: update.occurredAt, location: update.location, implied: false)
        payload["ndr_id"] = .string(ndr.id)
        payload["attempt"] = .int(Int64(attempt))
        payload["reason"] = .string(ndr.reason.rawValue)
        payload["code"] = .optional(ndr.code)
        payload["text"] = .optional(ndr.text)
        switch decision {
        case .reattempt:
            payload["next"] = .string("reattempt")
            try EventLog.append(db, NewEvent(TrackingEvents.ndr, entityID: shipment.id, payload: payload), actor: actor, at: now)
        case .returnToOrigin(let cause):
            payload["next"] = .string("rto")
            try EventLog.append(db, NewEvent(TrackingEvents.ndr, entityID: shipment.id, payload: payload), actor: actor, at: now)
            try Tracking.closeNDRs(db, shipmentID: shipment.id, by: "policy", action: .return, actor: "policy", now: now)
            var current = shipment
            if current.status == .undelivered {
                try move(db, &current, to: .rtoInitiated, implied: [], update: update, cause: cause.rawValue, actor: "policy", now: now)
                outcome.moved.append(.rtoInitiated)
                outcome.status = current.status
            }
            if let courier = shipment.courier, let awb = shipment.awb {
                outcome.instruction = Instruction(courier: courier, awb: awb, ndrID: ndr.id, action: .return)
            }
            outcome.ndr = try Tracking.ndrs(db, shipmentID: shipment.id).first { $0.id == ndr.id } ?? ndr
        }
        return outcome
    }

    /// Moves `shipment` to `to` through `implied` as reported by `update`, announces each
    /// status entered and applies its consequences.
    static func move(_ db: any Database, _ shipment: inout Shipment, to: ShipmentStatus, implied: [ShipmentStatus], update: TrackingUpdate, cause: String,
                     actor: String?, now: Int64) throws {
        let leaving = shipment.status == .ready
        guard try Shipments.track(db, shipment, to: to, at: update.occurredAt, pickedUp: leaving, now: now) else {
            throw db.concurrentChange(DomainError(.invalidTransition, "Shipment \(shipment.id) changed while a courier report moved it to \(to.rawValue)."))
        }
        let before = shipment.status
        shipment.status = to
        shipment.statusAt = update.occurredAt
        if leaving && shipment.pickedUpAt == nil { shipment.pickedUpAt = update.occurredAt }
        if to == .delivered { shipment.deliveredAt = update.occurredAt }
        // A parcel no handover scanned leaves with the courier's first report: its stock ships
        // here, once (ManifestFlow.shipStock, as a handover would).
        if leaving { try ManifestFlow.shipStock(db, shipment, actor: actor, now: now) }
        let walk = implied + [to]
        // The order as COD collection and the courier's tallies read it (its payment method and
        // due, its pincode), read once; only when the parcel's journey ended.
        let ended = walk.contains(.delivered) || walk.contains(.rtoInitiated) || (walk.contains(.lost) && !before.isRTO)
        let order = ended ? try OrderQueries.find(db, id: shipment.orderID, history: false, lines: false) : nil
        for status in walk where status != .undelivered {
            guard let definition = TrackingEvents.event(for: status) else { continue }
            var payload = journey(shipment, at: update.occurredAt, location: update.location, implied: status != to)
            if status == .rtoInitiated { payload["cause"] = .string(cause) }
            if status == .pickedUp { payload["manifest_id"] = .optional(shipment.manifestID) }
            if status == .delivered { payload["cod_collected_paise"] = try collectCOD(db, shipment, order: order, actor: actor, now: now).map { .int($0) } ?? .null }
            try EventLog.append(db, NewEvent(definition, entityID: shipment.id, payload: payload), actor: actor, at: now)
        }
        if before == .undelivered && walk.contains(.outForDelivery) {
            try Tracking.closeNDRs(db, shipmentID: shipment.id, by: "reattempted", actor: actor, now: now)
        }
        if walk.contains(.delivered) {
            try Tracking.closeNDRs(db, shipmentID: shipment.id, by: "delivered", actor: actor, now: now)
            try tally(db, shipment, order: order, delivered: true, rto: false)
        }
        if walk.contains(.rtoInitiated) {
            try Tracking.closeNDRs(db, shipmentID: shipment.id, by: "rto", actor: actor, now: now)
            try OrderTransitions.countRTO(db, orderID: shipment.orderID)
            try tally(db, shipment, order: order, delivered: false, rto: true)
        }
        if walk.contains(.lost) && !before.isRTO { try tally(db, shipment, order: order, delivered: false, rto: false) }
        try followOrder(db, shipment, actor: actor, now: now)
    }

    /// Records the seller's answer to shipment `shipmentID`'s open failed attempt: `not_found`;
    /// `invalid_transition` when the shipment is not undelivered or has no open NDR. The
    /// action's `detail` (deferred date, address, phone, note) is kept as given; sending it to
    /// the courier is the caller's, after the commit. Returns the NDR and the shipment.
    public static func answerNDR(_ db: any Database, shipmentID: String, action: ShipmentNDR.Action, detail: JSONObject, actor: String?,
                                 now: Int64) throws -> (ndr: ShipmentNDR, shipment: Shipment) {
        guard let shipment = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        guard shipment.status == .undelivered, let open = try Tracking.openNDR(db, shipmentID: shipmentID) else {
            throw DomainError(.invalidTransition, "Shipment \(shipmentID) is \(shipment.status.rawValue) with no open failed attempt (NDR) to answer.")
        }
        let ndr = try Tracking.act(db, id: open.id, action: action, detail: detail, actor: actor, now: now)
        var payload: JSONObject = ["shipment_id": .string(shipmentID), "order_id": .string(shipment.orderID), "ndr_id": .string(ndr.id),
                                   "action": .string(action.rawValue)]
        if case .string(let day)? = detail["deferred_date"] { payload["deferred_date"] = .string(day) }
        try EventLog.append(db, NewEvent(TrackingEvents.ndrActioned, entityID: shipmentID, payload: payload), actor: actor, at: now)
        return (ndr, shipment)
    }

    /// A delivered COD parcel's cash, recorded through the payments seam: the order's total still
    /// unpaid, once (an order split over parcels collects it with the first delivered, as its
    /// label asks the whole total: a known gap until COD amounts are split per parcel).
    static func collectCOD(_ db: any Database, _ shipment: Shipment, order: Order?, actor: String?, now: Int64) throws -> Int64? {
        guard let order, order.paymentMethod == .cod,
              order.paymentStatus == .codPending else { return nil }
        let due = order.totals.totalPaise - order.paidPaise
        guard due > 0 else { return nil }
        _ = try PaymentFlow.codCollected(db, orderID: order.id, amountPaise: due, reference: shipment.awb ?? shipment.id, actor: actor, now: now)
        return due
    }

    /// Adds a finished shipment (of `order`) to its courier's tallies for its destination.
    static func tally(_ db: any Database, _ shipment: Shipment, order: Order?, delivered: Bool, rto: Bool) throws {
        guard let courier = shipment.courier, let order,
              let location = try LocationCatalog.get(db, code: shipment.location),
              let destination = Tracking.Destination(from: location.fields.pincode, to: order.shipping.pincode) else { return }
        var days: Int64 = 0
        if delivered, let end = shipment.deliveredAt, let start = shipment.pickedUpAt ?? shipment.bookedAt {
            days = max(0, (end - start + 86_399_999) / 86_400_000)
        }
        try Tracking.tally(db, courier: courier, destination: destination, delivered: delivered, rto: rto, transitDays: days)
    }

    /// The order's fulfilment status and completion, from all its shipments' statuses (read
    /// without their lines; the order is read once, by Orders).
    static func followOrder(_ db: any Database, _ shipment: Shipment, actor: String?, now: Int64) throws {
        let statuses = try Shipments.statuses(db, orderID: shipment.orderID).map { $0.id == shipment.id ? shipment.status : $0.status }
        try OrderTransitions.followShipments(db, orderID: shipment.orderID, shipmentID: shipment.id, actor: actor, now: now) { current in
            fulfilment(of: statuses, current: current)
        }
    }

    /// An order's fulfilment status from its shipments' statuses (cancelled ones aside), and
    /// whether every one has ended: all delivered → delivered; some → partially_delivered;
    /// none delivered but some returning → rto; every one with the courier → shipped; some →
    /// partially_shipped; else the current status stays.
    public static func fulfilment(of statuses: [ShipmentStatus], current: FulfilmentStatus) -> (FulfilmentStatus, complete: Bool) {
        let live = statuses.filter { $0 != .cancelled }
        guard !live.isEmpty else { return (current, false) }
        let delivered = live.filter { $0 == .delivered }.count
        let away = live.filter { !$0.isInWarehouse }.count
        let status: FulfilmentStatus =
            if delivered == live.count { .delivered }
            else if delivered > 0 { .partiallyDelivered }
            else if live.contains(where: \.isRTO) { .rto }
            else if away == live.count { .shipped }
            else if away > 0 { .partiallyShipped }
            else { current }
        return (status, live.allSatisfy(\.isFinal))
    }

    /// The fields every journey event carries.
    static func journey(_ shipment: Shipment, at: Int64, location: String?, implied: Bool) -> JSONObject {
        [
            "shipment_id": .string(shipment.id), "order_id": .string(shipment.orderID), "courier": .string(shipment.courier ?? ""),
            "awb": .string(shipment.awb ?? ""), "at": .string(Timestamps.rfc3339(milliseconds: at)), "location": .optional(location),
            "implied": .bool(implied),
        ]
    }
}
