public import BahiStore
public import BahiJSON

/// The order's history and its events, written together by every transition so that the
/// history a person reads and the events a webhook consumer reads never disagree.
public enum OrderHistory {
    /// What a history row records (stored as its raw value).
    public enum Action: String, Sendable, CaseIterable {
        case created, confirmed, cancelled, edited, payment, packed, shipped, completed
        /// The fulfilment status followed the shipments (delivered, RTO).
        case fulfilment
        case onHold = "on_hold"
        case paymentFailed = "payment_failed"
        case inFulfilment = "in_fulfilment"
    }

    /// Appends one history row and, unless `event` is nil (the step has an event of its own,
    /// as a packed parcel's `shipment.packed`), the event: the detail plus the order's id, its
    /// status and the status it left.
    static func record(
        _ db: any Database, orderID: String, action: Action, event: EventDefinition?, from: OrderStatus?, to: OrderStatus,
        detail: JSONObject = [:], actor: String?, now: Int64
    ) throws {
        try OrderRecords.insertHistory(db, orderID: orderID, action: action.rawValue, from: from, to: to, detailJSON: JSONValue.object(detail).encodedText,
                                       actor: actor, now: now)
        guard let event else { return }
        var payload = detail
        payload["order_id"] = .string(orderID)
        payload["status"] = .string(to.rawValue)
        if let from { payload["from_status"] = .string(from.rawValue) }
        try EventLog.append(db, NewEvent(event, entityID: orderID, payload: payload), actor: actor, at: now)
    }

    /// Moves an order to `to` with a conditional UPDATE (so two racing transitions cannot both
    /// win), bumping its version and applying `change`. Throws not-found if there is no such
    /// order and `invalid_transition` if it is elsewhere. Returns the status it left.
    @discardableResult
    static func move(
        _ db: any Database, orderID: String, to: OrderStatus, action: String, change: OrderRecords.StatusChange = .init(), now: Int64
    ) throws -> OrderStatus {
        guard let current = try OrderRecords.status(db, id: orderID) else { throw DomainError.notFound("order", orderID) }
        guard current.canMove(to: to) else { throw OrderStatus.invalidTransition(orderID, from: current, to: to, action: action) }
        guard try OrderRecords.move(db, id: orderID, from: current, to: to, change, now: now) else {
            throw db.concurrentChange(OrderStatus.invalidTransition(orderID, from: current, to: to, action: action))
        }
        return current
    }
}
