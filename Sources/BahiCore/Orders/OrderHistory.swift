public import BahiStore
public import BahiJSON

/// The order's history and its events, written together by every transition so that the
/// history a person reads and the events a webhook consumer reads never disagree.
public enum OrderHistory {
    /// Appends one history row and the matching `order.<event>` event; `emitsEvent` false
    /// when the step already has an event of its own (a packed parcel is `shipment.packed`).
    public static func record(
        _ db: any Database, orderID: String, action: String, event: String? = nil, emitsEvent: Bool = true, from: OrderStatus?, to: OrderStatus,
        detail: JSONObject = [:], actor: String?, now: Int64
    ) throws {
        let text = JSONValue.object(detail).encodedText
        try db.execute("INSERT INTO order_history (order_id, action, from_status, to_status, detail, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       binding: orderID, action, from?.rawValue, to.rawValue, text, actor, now)
        guard emitsEvent else { return }
        var payload = detail
        payload["order_id"] = .string(orderID)
        payload["status"] = .string(to.rawValue)
        if let from { payload["from_status"] = .string(from.rawValue) }
        try EventLog.append(db, type: "order.\(event ?? action)", entityType: "order", entityID: orderID, payload: payload, actor: actor, at: UInt64(now))
    }

    /// Moves an order from one of `from` to `to` with a conditional UPDATE (so two racing
    /// transitions cannot both win), bumping its version. Throws 404 if there is no such
    /// order and 409 `invalid_transition` if it is elsewhere. Returns the status it left.
    @discardableResult
    public static func move(
        _ db: any Database, orderID: String, to: OrderStatus, action: String, extraSet: String = "", extraArguments: [(any SQLValueConvertible)?] = [],
        actor: String?, now: Int64
    ) throws -> OrderStatus {
        guard let current = try db.queryValue("SELECT status FROM orders WHERE id = ?", [orderID], as: String.self).flatMap(OrderStatus.init(rawValue:)) else {
            throw DomainError.notFound("order", orderID)
        }
        guard current.canMove(to: to) else { throw OrderStatus.invalidTransition(orderID, from: current, to: to, action: action) }
        let changed = try db.execute(
            "UPDATE orders SET status = ?, version = version + 1, updated_at = ?\(extraSet) WHERE id = ? AND status = ?",
            StatementArguments([to.rawValue, now] + extraArguments + [orderID, current.rawValue]))
        guard changed == 1 else { throw OrderStatus.invalidTransition(orderID, from: current, to: to, action: action) }
        return current
    }
}
