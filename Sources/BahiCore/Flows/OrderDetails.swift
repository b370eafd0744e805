public import BahiStore

/// An order as it is shown: the orders domain's order with fulfilment's shipments. A flow,
/// because showing an order is the one read that needs both domains.
public enum OrderDetails {
    /// The order with its lines, shipments and (optionally) history, or nil.
    public static func find(_ db: any Database, id: String, history: Bool = true) throws -> Order? {
        guard var order = try OrderQueries.find(db, id: id, history: history) else { return nil }
        order.shipments = try Shipments.forOrder(db, orderID: id)
        return order
    }

    /// The order after a change, as a transition answers with it (no history); not-found if
    /// there is none.
    static func load(_ db: any Database, id: String) throws -> Order {
        guard let order = try find(db, id: id, history: false) else { throw DomainError.notFound("order", id) }
        return order
    }
}
