public import BahiStore

/// Cancelling an order: fulfilment cancels its parcels still in the warehouse and inventory
/// releases their stock, then the order is marked cancelled — one transaction.
public enum CancelOrderFlow {
    /// Cancels an order that no courier has yet: releases its stock, cancels its shipments
    /// (a booked one's AWB cancelled too), and flags `refund_due` if money was taken.
    public static func cancel(_ db: any Database, id: String, reason: CancelReason, note: String?, actor: String?, now: Int64) throws -> Order {
        let order = try OrderTransitions.load(db, id)
        guard order.status.canMove(to: .cancelled) else {
            throw OrderStatus.invalidTransition(id, from: order.status, to: .cancelled, action: "cancelled")
        }
        let shipments = try Shipments.forOrder(db, orderID: id)
        if let gone = Shipments.dispatched(shipments) {
            throw DomainError(.invalidTransition,
                              "Shipment \(gone.id) of order \(id) is \(gone.status.rawValue): a courier has it, so the order can no longer be cancelled.")
        }
        let released = try Shipments.release(db, shipments, orderID: id, reason: "cancelled", actor: actor, now: now)
        // A booked parcel's AWB is given up with it (cancelled, never issued again); the
        // cancelled shipment keeps its courier and AWB as the record.
        for shipment in released where shipment.status == .ready {
            if let courier = shipment.courier, let awb = shipment.awb { try CourierWaybills.cancel(db, courier: courier, awb: awb, shipmentID: shipment.id) }
        }
        try OrderTransitions.markCancelled(
            db, order: order, reason: reason, note: note, releasedUnits: released.reduce(0) { $0 + $1.lines.reduce(0) { $0 + $1.qty } },
            invoiced: shipments.contains { $0.invoiceID != nil }, actor: actor, now: now)
        try FulfilmentQueue.refresh(db, orderID: id)
        return try OrderDetails.load(db, id: id)
    }

    /// Cancels prepaid orders whose payment did not arrive in time (`payment_timeout`),
    /// releasing their stock; returns how many. The server's sweeper calls it.
    public static func expirePayments(_ db: any Database, now: Int64, limit: Int = 200) throws -> Int {
        let due = try OrderTransitions.paymentsOverdue(db, now: now, limit: limit)
        for id in due { _ = try cancel(db, id: id, reason: .paymentTimeout, note: nil, actor: "system", now: now) }
        return due.count
    }
}

extension OrderTransitions {
    /// `CancelOrderFlow.expirePayments`, under the name the maintenance loop calls.
    public static func expirePayments(_ db: any Database, now: Int64, limit: Int = 200) throws -> Int {
        try CancelOrderFlow.expirePayments(db, now: now, limit: limit)
    }
}
