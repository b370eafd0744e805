public import BahiStore

/// The order moves that change only the order (confirm, hold, payments), answered with the
/// order as shown, shipments included; the packing queue follows the order in and out.
public enum ConfirmOrderFlow {
    /// `on_hold` → `confirmed` after verification.
    public static func confirm(_ db: any Database, id: String, note: String?, actor: String?, now: Int64) throws -> Order {
        try OrderTransitions.confirm(db, id: id, note: note, actor: actor, now: now)
        try FulfilmentQueue.refresh(db, orderID: id)
        return try OrderDetails.load(db, id: id)
    }

    /// `confirmed` → `on_hold`.
    public static func hold(_ db: any Database, id: String, reason: HoldReason, note: String?, actor: String?, now: Int64) throws -> Order {
        try OrderTransitions.hold(db, id: id, reason: reason, note: note, actor: actor, now: now)
        try FulfilmentQueue.refresh(db, orderID: id)
        return try OrderDetails.load(db, id: id)
    }

    /// Records a payment entered by hand (once per gateway payment id: a later report of the
    /// same payment merges with it); a covering payment confirms an order waiting for it.
    public static func recordPayment(_ db: any Database, id: String, payment: OrderTransitions.PaymentInput, actor: String?, now: Int64)
        throws -> (order: Order, paymentID: String, created: Bool) {
        let status: PaymentState.Status = switch payment.status {
        case .captured: .captured
        case .authorized: .authorized
        case .failed: .failed
        }
        let report = Payments.Report(gateway: payment.gateway, gatewayPaymentID: payment.gatewayPaymentID,
                                     state: PaymentState(status: status, amountPaise: payment.amountPaise))
        let outcome = try PaymentFlow.apply(db, report, orderID: id, actor: actor, now: now)
        return (try OrderDetails.load(db, id: id), outcome.payment.id, outcome.created)
    }
}
