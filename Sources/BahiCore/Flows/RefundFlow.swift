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
        return try Refunds.open(db, orderID: orderID, orderIsCOD: order.paymentMethod == .cod, request, gateways: gateways, actor: actor, now: now)
    }
}
