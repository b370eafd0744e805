public import BahiStore

/// A returned-to-origin parcel opened at the location it left from: a flow, because the
/// receipt is Fulfilment's (`rto_receipts`) and the stock is Inventory's — in one transaction,
/// so the receipt and the movements commit together or not at all.
public enum RTOReceiveFlow {
    /// Receives shipment `shipmentID` back, once, with what was found: good units restocked
    /// (`restock_rto`, on_hand +qty at the shipment's location), damaged ones recorded as damaged
    /// (`damage`, damaged +qty; they never re-enter on_hand), missing ones named. The receipt
    /// (who, when, lines) is kept on the shipment and `shipment.rto_received` appended.
    ///
    /// Refusals, before anything is written: `not_found`; `invalid_transition` unless the
    /// shipment is `rto_delivered`; 422 naming `lines[i].sku` (`not_in_shipment`) or
    /// `lines[i].qty` (`qty_mismatch`: a SKU's lines must add up to exactly what it carried);
    /// 409 `rto_already_received` for a second receipt.
    public static func receive(_ db: any Database, shipmentID: String, lines: [RTOReceipt.Line], actor: String?, now: Int64) throws -> Shipment {
        guard let shipment = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        if shipment.rtoReceipt != nil { throw alreadyReceived(shipmentID) }
        guard shipment.status == .rtoDelivered else {
            throw DomainError(.invalidTransition, "Shipment \(shipmentID) is \(shipment.status.rawValue); only a parcel back at its origin (rto_delivered) can be received.")
        }
        let problems = RTOReceipt.problems(lines, carried: shipment.expectedScan)
        if !problems.isEmpty { throw DomainError.problems(problems) }
        let receipt = RTOReceipt(shipmentID: shipmentID, receivedAt: now, actor: actor, lines: lines)
        // The receipt's primary key decides who was first: a concurrent second receipt stores nothing.
        guard try Shipments.recordRTOReceipt(db, receipt) else { throw db.concurrentChange(alreadyReceived(shipmentID)) }
        func units(_ condition: RTOReceipt.Condition) -> [StockLedger.Units] {
            receipt.units(condition).sorted { $0.key < $1.key }.map { StockLedger.Units(sku: $0.key, location: shipment.location, qty: $0.value) }
        }
        try StockLedger.receiveRTO(db, good: units(.good), damaged: units(.damaged), reference: shipmentID, actor: actor, now: now)
        func total(_ condition: RTOReceipt.Condition) -> Int64 { receipt.units(condition).values.reduce(0, +) }
        try EventLog.append(db, NewEvent(FulfilmentEvents.shipmentRTOReceived, entityID: shipmentID, payload: [
            "shipment_id": .string(shipmentID), "order_id": .string(shipment.orderID), "location": .string(shipment.location),
            "good": .int(total(.good)), "damaged": .int(total(.damaged)), "missing": .int(total(.missing)),
        ]), actor: actor, at: now)
        guard let received = try Shipments.find(db, id: shipmentID) else { throw DomainError.notFound("shipment", shipmentID) }
        return received
    }

    static func alreadyReceived(_ id: String) -> DomainError {
        DomainError(.rtoAlreadyReceived, "Shipment \(id) was received back already; its receipt is on the shipment.")
    }
}
