public import BahiStore

/// Opening a refund for an order: the Orders domain says whether the order exists and was
/// COD (a COD order's money comes back as a payout the seller makes), the Payments domain
/// reserves the amount and keeps the refund.
///
/// Why a flow: the refund belongs to the Payments domain, but whether it is a payout depends
/// on the order's payment method, which the Orders domain owns.
public enum RefundFlow {
    /// Transaction 1 of a refund (see `Refunds`): checks, reserves, stores it `pending`.
    public static func open(
        _ db: any Database, orderID: String, _ request: Refunds.Request, gateways: Set<String>, actor: String?, now: Int64
    ) throws -> Refund {
        guard let order = try OrderQueries.find(db, id: orderID, history: false) else { throw DomainError.notFound("order", orderID) }
        if let lines = request.lines { try check(lines, against: order) }
        return try Refunds.open(db, orderID: orderID, orderIsCOD: order.paymentMethod == .cod, request, gateways: gateways, actor: actor, now: now)
    }

    /// Each refunded line must be a SKU the order has, no more of it than it ordered (the same
    /// SKU on two lines counts once, summed): a refund names what came back, so a typo is caught
    /// before money moves. Pure over the order.
    static func check(_ lines: [Refunds.Line], against order: Order) throws {
        var ordered: [String: Int64] = [:]
        for line in order.lines { ordered[line.sku, default: 0] += line.qty }
        var asked: [String: Int64] = [:]
        for (i, line) in lines.enumerated() {
            guard let have = ordered[line.sku] else {
                throw DomainError.invalid("lines[\(i)].sku", "unknown_line", "Order \(order.id) has no line of \(line.sku); its SKUs are \(ordered.keys.sorted().joined(separator: ", ")).")
            }
            asked[line.sku, default: 0] += line.qty
            if asked[line.sku, default: 0] > have {
                throw DomainError.invalid("lines[\(i)].qty", "exceeds_ordered", "Order \(order.id) has \(have) of \(line.sku); the lines refund \(asked[line.sku, default: 0]).")
            }
        }
    }
}
