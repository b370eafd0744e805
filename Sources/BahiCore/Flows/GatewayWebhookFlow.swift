public import BahiStore

/// A verified gateway event carried into the books: kept once (the provider's identity
/// deduplicates a retry), a payment it reports recorded through `PaymentFlow`, a refund it
/// reports moved up its ladder (or recorded, when Bahi never asked for it) through `Refunds`.
///
/// Why the event is kept even when nothing acts on it yet (settlements before their import
/// lands, types Bahi does not use): it is the gateway's word, verified, and the record of
/// what moved each payment.
public enum GatewayWebhookFlow {
    /// What receiving one event did.
    public enum Outcome: Sendable, Equatable {
        /// A payment was recorded or moved (the payment, and any mismatch it revealed).
        case payment(Payment, mismatch: PaymentMismatch?)
        /// A refund was moved or recorded (as it now stands).
        case refund(Refund)
        /// Kept for the record; nothing else to do yet (a settlement, an ignored type, a refund
        /// of a payment Bahi does not know).
        case kept
        /// Seen before: nothing changed.
        case duplicate
    }

    /// Keeps `event` (its verified raw `body`) and applies it, in the caller's transaction.
    ///
    /// Why the event is kept last: it is stored with the payment it moved, in one INSERT; the
    /// read before anything is written still answers a repeat with nothing changed.
    public static func receive(_ db: any Database, _ event: GatewayEvent, body: String, now: Int64) throws -> Outcome {
        let gateway = event.gateway.rawValue
        guard try !Payments.isKept(db, gateway: gateway, eventID: event.eventID) else { return .duplicate }
        let outcome: Outcome
        let paymentID: String?
        switch event.kind {
        case .refund(let update):
            let refund = try Refunds.applyReported(db, gateway: gateway, update, now: now)
            outcome = refund.map(Outcome.refund) ?? .kept
            paymentID = refund?.paymentID
        case .payment(let update):
            let applied = try PaymentFlow.apply(db, report(update, gateway: gateway), orderID: nil, actor: "gateway:\(gateway)", now: now)
            outcome = .payment(applied.payment, mismatch: applied.mismatch)
            paymentID = applied.payment.id
        case .settlement, .ignored:
            outcome = .kept
            paymentID = nil
        }
        try Payments.keep(db, gateway: gateway, eventID: event.eventID, type: event.eventType, paymentID: paymentID, body: body, now: now)
        return outcome
    }

    /// A gateway's payment update in the Payments domain's words. `refunded` is a payment
    /// that was captured (its refunds are recorded as refunds).
    static func report(_ u: GatewayEvent.PaymentUpdate, gateway: String) -> Payments.Report {
        let status: PaymentState.Status = switch u.status {
        case .captured, .refunded: .captured
        case .authorized: .authorized
        case .pending: .pending
        case .failed: .failed
        }
        return Payments.Report(
            gateway: gateway, gatewayPaymentID: u.gatewayPaymentID, gatewayOrderID: u.gatewayOrderID, receipt: u.receipt,
            method: PaymentInstrument(rawValue: u.method.rawValue) ?? .other,
            state: PaymentState(status: status, amountPaise: u.amountPaise, feePaise: u.feePaise, taxPaise: u.taxPaise,
                                errorCode: status == .failed ? u.errorCode : nil, errorDescription: status == .failed ? u.errorDescription : nil))
    }
}
