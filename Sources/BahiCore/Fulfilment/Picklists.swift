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

    public var json: JSONValue {
        .object([
            "id": .string(id), "location": .string(location), "created_at": .string(Timestamps.rfc3339(milliseconds: createdAt)),
            "shipment_ids": .array(shipmentIDs.map(JSONValue.string)),
            "items": .array(items.map { i in
                .object(["sku": .string(i.sku), "name": .string(i.name), "qty": .int(i.qty), "shipments": .int(Int64(i.shipments))])
            }),
            "total_units": .int(items.reduce(0) { $0 + $1.qty }),
        ])
    }

    /// The printable pick list.
    public var html: String {
        var rows = ""
        for item in items {
            rows += "<tr><td>\(PrintableHTML.escape(item.sku))</td><td>\(PrintableHTML.escape(item.name))</td><td class=\"n\">\(item.qty)</td><td class=\"n\">\(item.shipments)</td><td class=\"box\"></td></tr>\n"
        }
        let body = """
            <h1>Pick list \(PrintableHTML.escape(id))</h1>
            <p>Location <b>\(PrintableHTML.escape(location))</b> · \(shipmentIDs.count) shipments · \(Timestamps.rfc3339(milliseconds: createdAt))</p>
            <table><thead><tr><th>SKU</th><th>Name</th><th class="n">Qty</th><th class="n">Shipments</th><th>Picked</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            <h2>Shipments</h2>
            <ol>\(shipmentIDs.map { "<li>\(PrintableHTML.escape($0))</li>" }.joined())</ol>
            """
        return PrintableHTML.page(title: "Pick list \(id)", body: body)
    }
}

/// Creating and reading pick lists.
public enum Picklists {
    /// Makes a pick list at `location` from the named shipments, or from the first `limit`
    /// of the queue. The shipments move `pending` → `picking` with conditional updates, so
    /// two pickers never get the same shipment; their orders move to `in_fulfilment`.
    public static func create(
        _ db: any Database, location: String, shipmentIDs: [String]?, limit: Int, rules: FulfilmentPriorityRules, actor: String?, now: Int64
    ) throws -> Picklist {
        guard try db.queryValue("SELECT 1 FROM locations WHERE code = ?", [location], as: Int64.self) != nil else {
            throw DomainError.invalid("location", "unknown_location", "No location \(location).")
        }
        var chosen: [(shipment: String, order: String)] = []
        if let shipmentIDs {
            var problems: [(field: String, code: String, message: String)] = []
            for (i, sid) in shipmentIDs.enumerated() {
                let row = try db.queryFirst(
                    "SELECT s.location, s.status, o.status, o.id FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.id = ?", [sid]
                ) { row in (location: try row[0] as String, status: try row[1] as String, orderStatus: try row[2] as String, order: try row[3] as String) }
                guard let row else { problems.append(("shipment_ids[\(i)]", "unknown_shipment", "No shipment \(sid).")); continue }
                if row.location != location {
                    problems.append(("shipment_ids[\(i)]", "wrong_location", "Shipment \(sid) ships from \(row.location), not \(location)."))
                } else if row.status != "pending" {
                    problems.append(("shipment_ids[\(i)]", "not_pending", "Shipment \(sid) is \(row.status), not pending."))
                } else if row.orderStatus != "confirmed" && row.orderStatus != "in_fulfilment" {
                    problems.append(("shipment_ids[\(i)]", "order_not_confirmed", "Order \(row.order) is \(row.orderStatus); confirm it first."))
                } else if !chosen.contains(where: { $0.shipment == sid }) {
                    chosen.append((sid, row.order))
                }
            }
            if !problems.isEmpty {
                throw DomainError(status: 409, code: "shipments_not_pickable", detail: "Some shipments cannot be picked now; nothing was changed.", fields: problems)
            }
        } else {
            chosen = try FulfilmentQueue.entries(db, location: location, rules: rules, now: now).prefix(limit).map { ($0.item.shipmentID, $0.item.orderID) }
        }
        guard !chosen.isEmpty else {
            throw DomainError(status: 409, code: "nothing_to_pick", detail: "No confirmed shipment is waiting at \(location).")
        }
        let id = EntityID.make(.picklist, milliseconds: UInt64(now))
        try db.execute("INSERT INTO picklists (id, location, created_at, actor) VALUES (?, ?, ?, ?)", [id, location, now, actor])
        for (shipment, order) in chosen {
            guard try db.execute("UPDATE shipments SET status = 'picking', picklist_id = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
                                 [id, now, shipment]) == 1 else {
                throw DomainError(status: 409, code: "shipments_not_pickable", detail: "Shipment \(shipment) was taken by another pick list.")
            }
            try EventLog.append(db, type: "shipment.picking", entityType: "shipment", entityID: shipment,
                                payload: ["shipment_id": .string(shipment), "order_id": .string(order), "picklist_id": .string(id)], actor: actor, at: UInt64(now))
            try startFulfilment(db, orderID: order, cause: ["picklist_id": .string(id)], actor: actor, now: now)
        }
        guard let list = try find(db, id: id) else { throw DomainError.notFound("picklist", id) }
        return list
    }

    /// `confirmed` → `in_fulfilment` when the first of its shipments is picked or packed.
    static func startFulfilment(_ db: any Database, orderID: String, cause: JSONObject, actor: String?, now: Int64) throws {
        guard try db.queryValue("SELECT status FROM orders WHERE id = ?", [orderID], as: String.self) == OrderStatus.confirmed.rawValue else { return }
        try OrderHistory.move(db, orderID: orderID, to: .inFulfilment, action: "fulfilment started", actor: actor, now: now)
        try OrderHistory.record(db, orderID: orderID, action: "in_fulfilment", from: .confirmed, to: .inFulfilment, detail: cause, actor: actor, now: now)
    }

    /// A pick list with its items, or nil.
    public static func find(_ db: any Database, id: String) throws -> Picklist? {
        guard let head = try db.queryFirst("SELECT location, created_at FROM picklists WHERE id = ?", [id], { row in
            (location: try row[0] as String, createdAt: try row[1] as Int64)
        }) else { return nil }
        // A shipment cancelled (or re-made by an edit) after the list was printed drops out:
        // the picker must not pick it.
        let shipments = try db.query("SELECT id FROM shipments WHERE picklist_id = ? AND status <> 'cancelled' ORDER BY id", [id]) { row in try row[0] as String }
        let items = try db.query(
            """
            SELECT l.stock_sku, COALESCE(k.name, ''), SUM(l.qty), COUNT(DISTINCT l.shipment_id)
              FROM shipment_lines l JOIN shipments s ON s.id = l.shipment_id LEFT JOIN skus k ON k.sku = l.stock_sku
             WHERE s.picklist_id = ? AND s.status <> 'cancelled' GROUP BY l.stock_sku ORDER BY l.stock_sku
            """, [id]
        ) { row in Picklist.Item(sku: try row[0], name: try row[1], qty: try row[2], shipments: try row[3]) }
        return Picklist(id: id, location: head.location, createdAt: head.createdAt, shipmentIDs: shipments, items: items)
    }
}
