public import BahiStore

/// The order moves that change only the order (confirm, hold, payments), answered with the
/// order as shown, shipments included.
public enum ConfirmOrderFlow {
    /// `on_hold` → `confirmed` after verification.
    public static func confirm(_ db: any Database, id: String, note: String?, actor: String?, now: Int64) throws -> Order {
        try OrderTransitions.confirm(db, id: id, note: note, actor: actor, now: now)
        return try OrderDetails.load(db, id: id)
    }

    /// `confirmed` → `on_hold`.
    public static func hold(_ db: any Database, id: String, reason: HoldReason, note: String?, actor: String?, now: Int64) throws -> Order {
        try OrderTransitions.hold(db, id: id, reason: reason, note: note, actor: actor, now: now)
        return try OrderDetails.load(db, id: id)
    }

    /// Records a payment (once per gateway payment id); a covering payment confirms an order
    /// waiting for it.
    public static func recordPayment(_ db: any Database, id: String, payment: OrderTransitions.PaymentInput, actor: String?, now: Int64)
        throws -> (order: Order, paymentID: String, created: Bool) {
        let result = try OrderTransitions.recordPayment(db, id: id, payment: payment, actor: actor, now: now)
        return (try OrderDetails.load(db, id: id), result.paymentID, result.created)
    }
}
