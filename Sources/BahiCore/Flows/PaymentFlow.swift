public import BahiStore

/// A payment report, from any source, carried through to its order: the Payments domain
/// records the payment; the Orders domain takes the money; what went wrong is named.
///
/// Why a flow: payments and orders are separate domains, and one report touches both in one
/// transaction — so a webhook, a second webhook and a cancel racing for one order end in
/// exactly one consistent state (the writer runs them one after another on SQLite; on
/// PostgreSQL the conditional UPDATEs make a loser rerun and see the winner).
public enum PaymentFlow {
    /// What one report did.
    public struct Outcome: Sendable, Equatable {
        public var payment: Payment
        /// True when the report stored a new payment.
        public var created: Bool
        /// A mismatch this report found (paid after cancel, double charge, amount mismatch, orphan).
        public var mismatch: PaymentMismatch?
    }

    /// Records `report` for `orderID` (a payment entered by hand names its order) or, when nil,
    /// for the order its gateway ids name (webhooks; none: kept as an orphan). A report about a
    /// payment already stored for another order is refused (`payment_belongs_elsewhere`).
    public static func apply(_ db: any Database, _ report: Payments.Report, orderID explicit: String?, actor: String?, now: Int64) throws -> Outcome {
        var orderID = explicit
        if let explicit {
            guard try OrderTransitions.exists(db, id: explicit) else { throw DomainError.notFound("order", explicit) }
            if let gateway = report.gateway, let gatewayPaymentID = report.gatewayPaymentID,
               let stored = try Payments.find(db, gateway: gateway, gatewayPaymentID: gatewayPaymentID), stored.orderID != explicit {
                throw DomainError(.paymentBelongsElsewhere, "Gateway payment \(gatewayPaymentID) is already recorded for \(stored.orderID.map { "order \($0)" } ?? "no order (an orphan)").")
            }
        } else {
            orderID = try OrderTransitions.orderForPayment(db, gateway: report.gateway, gatewayOrderID: report.gatewayOrderID, receipt: report.receipt)
        }
        let change = try Payments.record(db, report, orderID: orderID, actor: actor, now: now)
        let payment = change.payment
        guard let owner = payment.orderID else {
            // Kept, not dropped: finance matches it by hand (its capture is due back if none).
            let mismatch = change.isNew || change.statusChanged
                ? try Payments.recordMismatch(db, kind: .orphanPayment, payment: payment, expectedPaise: nil,
                                              refundDuePaise: payment.state.capturedPaise, actor: actor, now: now)
                : nil
            return Outcome(payment: payment, created: change.isNew, mismatch: mismatch)
        }
        guard change.statusChanged else { return Outcome(payment: payment, created: change.isNew, mismatch: nil) }
        let captured = payment.state.capturedPaise - (change.before?.capturedPaise ?? 0)
        let authorized = payment.state.status == .authorized ? payment.state.amountPaise : 0
        let applied = try OrderTransitions.applyPayment(
            db, orderID: owner, paymentID: payment.id, status: payment.state.status.rawValue, amountPaise: payment.state.amountPaise,
            capturedPaise: captured, authorizedPaise: authorized, gateway: payment.gateway, actor: actor, now: now)
        // Money covering an order waiting for it confirms it: its parcels join the queue.
        if applied.statusWhenPaid == .pendingPayment { try FulfilmentQueue.refresh(db, orderID: owner) }
        var mismatch: PaymentMismatch?
        if captured > 0, let found = PaymentMismatch.onCapture(
            amountPaise: captured, orderTotalPaise: applied.totalPaise, paidBeforePaise: applied.paidPaise - captured,
            cancelled: applied.statusWhenPaid == .cancelled) {
            mismatch = try Payments.recordMismatch(db, kind: found.kind, payment: payment, expectedPaise: applied.totalPaise,
                                                   refundDuePaise: found.refundDuePaise, actor: actor, now: now)
        }
        return Outcome(payment: payment, created: change.isNew, mismatch: mismatch)
    }

    /// The seam the courier flow calls when a COD parcel is delivered and its cash collected:
    /// a payment of method `cod` under gateway `cod`, keyed by `reference` (the AWB or the
    /// shipment), so a repeated delivery scan records it once; the order's payment status
    /// moves `cod_pending` → `cod_collected` once the cash covers it. Remittance (the courier
    /// paying the seller) comes with the remittance import.
    public static func codCollected(
        _ db: any Database, orderID: String, amountPaise: Int64, reference: String, actor: String?, now: Int64
    ) throws -> Outcome {
        let report = Payments.Report(gateway: "cod", gatewayPaymentID: reference, method: .cod,
                                     state: PaymentState(status: .captured, amountPaise: amountPaise))
        return try apply(db, report, orderID: orderID, actor: actor, now: now)
    }
}
