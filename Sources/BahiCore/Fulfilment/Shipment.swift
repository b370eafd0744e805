public import BahiStore
public import BahiJSON

/// One parcel of an order, from one location. Its lines hold their stock reserved at that
/// location until the parcel leaves (or the order is cancelled).
public struct Shipment: Sendable, Equatable {
    /// What the parcel carries of one order line: the stocked SKU picked (a kit line's
    /// components, each on its own row).
    public struct Line: Sendable, Equatable {
        public var line: Int
        public var sku: String
        public var stockSKU: String
        public var qty: Int64

        public var json: JSONValue {
            .object(["line": .int(Int64(line)), "sku": .string(sku), "stock_sku": .string(stockSKU), "qty": .int(qty)])
        }
    }

    public var id: String
    public var orderID: String
    public var location: String
    public var status: ShipmentStatus
    public var picklistID: String?
    public var weightG: Int64?
    public var lengthMM: Int64?
    public var widthMM: Int64?
    public var heightMM: Int64?
    public var invoiceID: String?
    public var packedAt: Int64?
    public var createdAt: Int64
    public var lines: [Line] = []

    /// Units of each stocked SKU the parcel must contain (what a packing scan is checked against).
    public var expectedScan: [String: Int64] {
        lines.reduce(into: [:]) { $0[$1.stockSKU, default: 0] += $1.qty }
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["order_id"] = .string(orderID)
        o["location"] = .string(location)
        o["status"] = .string(status.rawValue)
        o["picklist_id"] = .optional(picklistID)
        o["package"] = weightG.map { w in
            .object(["weight_g": .int(w), "length_mm": .int(lengthMM ?? 0), "width_mm": .int(widthMM ?? 0), "height_mm": .int(heightMM ?? 0)])
        } ?? .null
        o["invoice_id"] = .optional(invoiceID)
        o["packed_at"] = packedAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null
        o["created_at"] = .string(Timestamps.rfc3339(milliseconds: createdAt))
        o["lines"] = .array(lines.map(\.json))
        return .object(o)
    }
}

/// Shipments: made from an order's reservation, released when it is cancelled or edited.
public enum Shipments {
    static let columns = "id, order_id, location, status, picklist_id, weight_g, length_mm, width_mm, height_mm, invoice_id, packed_at, created_at"

    static func decode(_ row: Row) throws -> Shipment {
        Shipment(id: try row[0], orderID: try row[1], location: try row[2], status: ShipmentStatus(rawValue: try row[3]) ?? .cancelled,
                 picklistID: try row[4], weightG: try row[5], lengthMM: try row[6], widthMM: try row[7], heightMM: try row[8],
                 invoiceID: try row[9], packedAt: try row[10], createdAt: try row[11])
    }

    /// Lines of one shipment.
    static func lines(_ db: any Database, shipmentID: String) throws -> [Shipment.Line] {
        try db.query("SELECT line, sku, stock_sku, qty FROM shipment_lines WHERE shipment_id = ? ORDER BY line, stock_sku", [shipmentID]) { row in
            Shipment.Line(line: try row[0], sku: try row[1], stockSKU: try row[2], qty: try row[3])
        }
    }

    /// One shipment with its lines, or nil.
    public static func find(_ db: any Database, id: String) throws -> Shipment? {
        guard var shipment = try db.queryFirst("SELECT \(columns) FROM shipments WHERE id = ?", [id], decode) else { return nil }
        shipment.lines = try lines(db, shipmentID: id)
        return shipment
    }

    /// An order's shipments (cancelled ones included, for the record), oldest first.
    public static func forOrder(_ db: any Database, orderID: String) throws -> [Shipment] {
        var shipments = try db.query("SELECT \(columns) FROM shipments WHERE order_id = ? ORDER BY id", [orderID], decode)
        for i in shipments.indices { shipments[i].lines = try lines(db, shipmentID: shipments[i].id) }
        return shipments
    }

    /// Groups a reservation's allocations by location into new `pending` shipments and
    /// stores them. The stock stays reserved (the reservation's movements reference the order).
    public static func create(_ db: any Database, orderID: String, allocations: [Holds.Allocation], now: Int64) throws -> [Shipment] {
        var byLocation: [(location: String, lines: [Shipment.Line])] = []
        for a in allocations {
            let line = Shipment.Line(line: a.line, sku: a.sku, stockSKU: a.stockSKU, qty: a.qty)
            if let i = byLocation.firstIndex(where: { $0.location == a.location }) {
                if let j = byLocation[i].lines.firstIndex(where: { $0.line == a.line && $0.stockSKU == a.stockSKU }) {
                    byLocation[i].lines[j].qty += a.qty
                } else {
                    byLocation[i].lines.append(line)
                }
            } else {
                byLocation.append((a.location, [line]))
            }
        }
        var shipments: [Shipment] = []
        for group in byLocation {
            let id = EntityID.make(.shipment, milliseconds: UInt64(now))
            try db.execute("INSERT INTO shipments (id, order_id, location, status, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)",
                           binding: id, orderID, group.location, now, now)
            for line in group.lines {
                try db.execute("INSERT INTO shipment_lines (shipment_id, line, sku, stock_sku, qty) VALUES (?, ?, ?, ?, ?)",
                               binding: id, line.line, line.sku, line.stockSKU, line.qty)
            }
            shipments.append(Shipment(id: id, orderID: orderID, location: group.location, status: .pending, createdAt: now, lines: group.lines))
        }
        return shipments
    }

    /// Cancels every shipment of the order still in the warehouse and releases its stock
    /// (one `release` movement per line, referencing the order). Returns the shipments
    /// cancelled. A shipment a courier already has is left alone: the caller decides
    /// whether that forbids the whole operation.
    @discardableResult
    public static func releaseAll(_ db: any Database, orderID: String, reason: String, actor: String?, now: Int64) throws -> [Shipment] {
        let live = try forOrder(db, orderID: orderID).filter(\.status.isInWarehouse)
        var held: [(sku: String, location: String, qty: Int64)] = []
        for shipment in live {
            for line in shipment.lines { held.append((line.stockSKU, shipment.location, line.qty)) }
            try db.execute("UPDATE shipments SET status = 'cancelled', updated_at = ? WHERE id = ?", [now, shipment.id])
        }
        if !held.isEmpty { try LineReservation.release(db, held, reference: orderID, reason: reason, actor: actor, now: now) }
        return live
    }
}
