public import BahiStore

/// Making a pick list: which shipments may be picked depends on their orders (confirmed or
/// in fulfilment), and taking them moves those orders to `in_fulfilment`.
public enum PicklistFlow {
    /// Makes a pick list at `location` from the named shipments, or from the first `limit`
    /// of the queue. The shipments move `pending` → `picking` with conditional updates, so
    /// two pickers never get the same shipment; their orders move to `in_fulfilment`.
    public static func create(
        _ db: any Database, location: String, shipmentIDs: [String]?, limit: Int, rules: FulfilmentPriorityRules, actor: String?, now: Int64
    ) throws -> Picklist {
        guard try LocationCatalog.exists(db, code: location) else {
            throw DomainError.invalid("location", "unknown_location", "No location \(location).")
        }
        var chosen: [(shipment: String, order: String)] = []
        if let shipmentIDs {
            var problems: [FieldProblem] = []
            for (i, sid) in shipmentIDs.enumerated() {
                guard let shipment = try Picklists.shipment(db, id: sid) else {
                    problems.append(.inItem("shipment_ids", i, "unknown_shipment", "No shipment \(sid)."))
                    continue
                }
                let orderStatus = try OrderQueries.status(db, id: shipment.orderID)
                if shipment.location != location {
                    problems.append(.inItem("shipment_ids", i, "wrong_location", "Shipment \(sid) ships from \(shipment.location), not \(location)."))
                } else if shipment.status != .pending {
                    problems.append(.inItem("shipment_ids", i, "not_pending", "Shipment \(sid) is \(shipment.status.rawValue), not pending."))
                } else if orderStatus != .confirmed && orderStatus != .inFulfilment {
                    problems.append(.inItem("shipment_ids", i, "order_not_confirmed",
                                            "Order \(shipment.orderID) is \(orderStatus?.rawValue ?? "missing"); confirm it first."))
                } else if !chosen.contains(where: { $0.shipment == sid }) {
                    chosen.append((sid, shipment.orderID))
                }
            }
            if !problems.isEmpty {
                throw DomainError(.shipmentsNotPickable, "Some shipments cannot be picked now; nothing was changed.", problems: problems)
            }
        } else {
            chosen = try FulfilmentQueue.entries(db, location: location, limit: limit, rules: rules, now: now).map { ($0.item.shipmentID, $0.item.orderID) }
        }
        guard !chosen.isEmpty else {
            throw DomainError(.nothingToPick, "No confirmed shipment is waiting at \(location).")
        }
        let id = try Picklists.open(db, location: location, actor: actor, now: now)
        for (shipment, order) in chosen {
            try Picklists.take(db, picklistID: id, shipmentID: shipment, orderID: order, actor: actor, now: now)
            try OrderTransitions.startFulfilment(db, orderID: order, cause: ["picklist_id": .string(id)], actor: actor, now: now)
        }
        guard let list = try Picklists.find(db, id: id) else { throw DomainError.notFound("picklist", id) }
        return list
    }
}
