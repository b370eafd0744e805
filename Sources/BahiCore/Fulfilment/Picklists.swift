public import BahiStore
public import BahiJSON

/// A pick list: the shipments a picker collects in one walk of a location, aggregated by SKU.
public struct Picklist: Sendable {
    /// One SKU to pick, over all the list's shipments.
    public struct Item: Sendable {
        public var sku: String
        public var name: String
        public var qty: Int64
        public var shipments: Int
    }

    public var id: String
    public var location: String
    public var createdAt: Int64
    public var shipmentIDs: [String]
    public var items: [Item]

    /// The printable pick list.
    public var html: String {
        var rows = ""
        for item in items {
            rows += "<tr><td>\(PrintableHTML.escape(item.sku))</td><td>\(PrintableHTML.escape(item.name))</td><td class=\"num\">\(item.qty)</td><td class=\"num\">\(item.shipments)</td><td class=\"box\"></td></tr>\n"
        }
        let body = """
            <h1>Pick list \(PrintableHTML.escape(id))</h1>
            <p>Location <b>\(PrintableHTML.escape(location))</b> · \(shipmentIDs.count) shipments · \(Timestamps.rfc3339(milliseconds: createdAt))</p>
            <table><thead><tr><th>SKU</th><th>Name</th><th class="num">Qty</th><th class="num">Shipments</th><th>Picked</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            <h2>Shipments</h2>
            <ol>\(shipmentIDs.map { "<li>\(PrintableHTML.escape($0))</li>" }.joined())</ol>
            """
        return PrintableHTML.page(title: "Pick list \(id)", body: body)
    }
}

/// Creating and reading pick lists. Which shipments may be picked depends on their orders,
/// so `PicklistFlow` chooses them; this stores the list and takes the shipments.
public enum Picklists {
    /// Where a named shipment stands, for the flow's checks (nil if there is none).
    static func shipment(_ db: any Database, id: String) throws -> Shipment? {
        try FulfilmentRecords.findShipment(db, id: id)
    }

    /// Stores a new, empty pick list at `location`; returns its id.
    static func open(_ db: any Database, location: String, actor: String?, now: Int64) throws -> String {
        let id = EntityID.make(.picklist, milliseconds: UInt64(now))
        try FulfilmentRecords.insertPicklist(db, id: id, location: location, actor: actor, now: now)
        return id
    }

    /// Moves a shipment `pending` → `picking` onto the pick list with a conditional update, so
    /// two pickers never get the same shipment (`shipments_not_pickable` if another list took
    /// it meanwhile), and announces `shipment.picking`.
    static func take(_ db: any Database, picklistID: String, shipmentID: String, orderID: String, actor: String?, now: Int64) throws {
        guard ShipmentStatus.pending.canMove(to: .picking),
              try FulfilmentRecords.move(db, id: shipmentID, from: .pending, to: .picking, .init(picklistID: picklistID), now: now) else {
            throw DomainError(.shipmentsNotPickable, "Shipment \(shipmentID) was taken by another pick list.")
        }
        try EventLog.append(db, NewEvent(FulfilmentEvents.shipmentPicking, entityID: shipmentID, payload: [
            "shipment_id": .string(shipmentID), "order_id": .string(orderID), "picklist_id": .string(picklistID),
        ]), actor: actor, at: now)
    }

    /// A pick list with its items, or nil. Item names come from the catalog.
    public static func find(_ db: any Database, id: String) throws -> Picklist? {
        guard let head = try FulfilmentRecords.picklistHead(db, id: id) else { return nil }
        // A shipment cancelled (or re-made by an edit) after the list was printed drops out:
        // the picker must not pick it.
        let shipments = try FulfilmentRecords.picklistShipments(db, id: id)
        let items = try FulfilmentRecords.picklistItems(db, id: id).map { item in
            Picklist.Item(sku: item.sku, name: try SKUCatalog.get(db, code: item.sku)?.fields.name ?? "", qty: item.qty, shipments: item.shipments)
        }
        return Picklist(id: id, location: head.location, createdAt: head.createdAt, shipmentIDs: shipments, items: items)
    }
}
