public import BahiStore

/// Editing an order until it is packed: the orders domain verifies and prices the edit,
/// fulfilment releases the old parcels and makes new ones, inventory re-reserves — one
/// transaction, so stock moves atomically.
public enum EditOrderFlow {
    /// Edits lines (quantities, added, removed), shipping address (re-verified) and shipping
    /// charge. The order's units are released and the new lines reserved in the same
    /// transaction, only increases having to fit the channel's buffer; totals are
    /// recomputed and the diff goes into the history. `version` must match
    /// (`version_mismatch`).
    public static func edit(_ db: any Database, id: String, _ input: OrderTransitions.EditInput, policy: OrderPolicy, actor: String?, now: Int64) throws -> Order {
        var order = try OrderTransitions.load(db, id)
        try OrderTransitions.checkEditable(order)
        let shipments = try Shipments.forOrder(db, orderID: id)
        if let packed = shipments.first(where: { $0.status.isPackedOrLater }) {
            throw DomainError(.invalidTransition,
                              "Shipment \(packed.id) of order \(id) is \(packed.status.rawValue); an order can be edited only until it is packed.")
        }
        let policy = try SellerPolicy.applied(db, policy)
        let edit = try OrderTransitions.prepareEdit(db, order: order, input, policy: policy)
        if edit.diff.count == 0 {
            order.shipments = shipments
            return order
        }
        // Stock: give back what the order holds, then reserve the new lines; what it held
        // counts as sellable again, so only an increase must fit the channel's buffer.
        try Shipments.release(db, shipments, orderID: id, reason: "edited", actor: actor, now: now)
        var credit: [String: Int64] = [:]
        for line in edit.oldLines { credit[line.sku, default: 0] += line.qty }
        let allocations = try LineReservation.reserve(
            db, channel: order.channel, lines: edit.newLines.map { Holds.Line(sku: $0.sku, qty: $0.qty) }, reference: id, actor: actor, now: now,
            credit: credit, rank: try OrderIntake.ranker(db, strategy: policy.strategy(for: order.channel), destination: edit.destination))
        try OrderTransitions.applyEdit(db, edit, actor: actor, now: now)
        _ = try Shipments.create(db, orderID: id, allocations: allocations, now: now)
        // The new parcels wait with the new total.
        try FulfilmentQueue.refresh(db, orderID: id)
        return try OrderDetails.load(db, id: id)
    }
}
