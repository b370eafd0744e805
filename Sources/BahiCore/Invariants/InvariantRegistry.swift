public import BahiStore

/// A named check of something that must always hold in the data ("levels equal the sum of
/// their movements", "invoice numbers have no gaps"). `bahi check` runs them all; each
/// returns a description of every violation it finds, empty when clean.
public struct Invariant: Sendable {
    public let name: String
    public let check: @Sendable (any Database) throws -> [String]

    public init(name: String, check: @escaping @Sendable (any Database) throws -> [String]) {
        self.name = name
        self.check = check
    }
}

/// The invariants Bahi knows. Each domain adds its own here as it lands.
public enum InvariantRegistry {
    public static let all: [Invariant] = [
        Invariant(name: "sqlite integrity") { db in
            let rows = try db.query("PRAGMA integrity_check") { row in try row[0] as String }
            return rows == ["ok"] ? [] : rows
        },
        Invariant(name: "foreign keys") { db in
            try db.query("PRAGMA foreign_key_check") { row in
                "table \(try row[0] as String) row \(try row[1] as Int64? ?? -1) points to a missing \(try row[2] as String)"
            }
        },
        Invariant(name: "storefront keys are bound to a channel") { db in
            try db.query("SELECT id FROM api_keys WHERE (role = 'storefront') <> (channel IS NOT NULL)") { row in
                "api key \(try row[0] as String) has a channel only storefront keys may have, or lacks one"
            }
        },
        Invariant(name: "event payloads are JSON objects") { db in
            try db.query("SELECT seq FROM events WHERE json_valid(payload) = 0 OR json_type(payload) <> 'object' LIMIT 20") { row in
                "event seq \(try row[0] as Int64) has a payload that is not a JSON object"
            }
        },
        Invariant(name: "kits have components, never contain kits, and hold no stock") { db in
            try db.query(
                """
                SELECT sku, 'is a kit without components' FROM skus s
                 WHERE is_kit = 1 AND NOT EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = s.sku)
                UNION ALL
                SELECT k.kit_sku, 'contains the kit ' || k.component_sku FROM kit_components k JOIN skus c ON c.sku = k.component_sku WHERE c.is_kit = 1
                UNION ALL
                SELECT k.kit_sku, 'has components but is not marked a kit' FROM kit_components k JOIN skus s ON s.sku = k.kit_sku WHERE s.is_kit = 0
                UNION ALL
                SELECT l.sku, 'holds stock at ' || l.location FROM stock_levels l JOIN skus s ON s.sku = l.sku
                 WHERE s.is_kit = 1 AND (l.on_hand <> 0 OR l.reserved <> 0 OR l.damaged <> 0)
                LIMIT 50
                """
            ) { row in "SKU \(try row[0] as String) \(try row[1] as String)" }
        },
        Invariant(name: "locations match their pincode's state and district") { db in
            try db.query("SELECT code, pincode, state, district FROM locations") { row in
                (code: try row[0] as String, pincode: try row[1] as String, state: try row[2] as String, district: try row[3] as String)
            }.compactMap { l in
                guard let info = PincodeDirectory.lookup(l.pincode) else { return "location \(l.code) has pincode \(l.pincode), which the directory does not know" }
                return info.state == l.state && info.district == l.district ? nil
                    : "location \(l.code) says \(l.state)/\(l.district) but pincode \(l.pincode) is \(info.state)/\(info.district)"
            }
        },
        Invariant(name: "stock levels equal the sum of their movements") { db in
            try StockLedger.audit(db)
        },
        Invariant(name: "reserved stock equals what active holds and unshipped order parcels hold") { db in
            try db.query(
                """
                WITH held AS (
                    SELECT sku, location, SUM(qty) AS qty FROM (
                        SELECT a.stock_sku AS sku, a.location, a.qty
                          FROM reservation_allocations a JOIN reservations r ON r.id = a.reservation_id
                         WHERE r.status = 'active'
                        UNION ALL
                        SELECT l.stock_sku, s.location, l.qty
                          FROM shipment_lines l JOIN shipments s ON s.id = l.shipment_id
                         WHERE s.status IN ('pending', 'picking', 'packed', 'ready'))
                     GROUP BY sku, location)
                SELECT l.sku, l.location, l.reserved, COALESCE(h.qty, 0)
                  FROM stock_levels l LEFT JOIN held h ON h.sku = l.sku AND h.location = l.location
                 WHERE l.reserved <> COALESCE(h.qty, 0)
                UNION ALL
                SELECT h.sku, h.location, 0, h.qty FROM held h
                 WHERE NOT EXISTS (SELECT 1 FROM stock_levels l WHERE l.sku = h.sku AND l.location = h.location)
                 LIMIT 50
                """
            ) { row in
                "\(try row[0] as String)@\(try row[1] as String): reserved \(try row[2] as Int64) but holds and parcels hold \(try row[3] as Int64)"
            }
        },
        Invariant(name: "every live reservation belongs to a live order or hold") { db in
            try db.query(
                """
                SELECT 'shipment ' || s.id || ' holds stock for order ' || o.id || ', which is ' || o.status
                  FROM shipments s JOIN orders o ON o.id = s.order_id
                 WHERE s.status IN ('pending', 'picking', 'packed', 'ready') AND o.status NOT IN ('pending_payment', 'on_hold', 'confirmed', 'in_fulfilment')
                UNION ALL
                SELECT 'order ' || o.id || ' is ' || o.status || ' but no parcel holds its stock'
                  FROM orders o
                 WHERE o.status IN ('pending_payment', 'on_hold', 'confirmed')
                   AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id AND s.status IN ('pending', 'picking', 'packed', 'ready'))
                UNION ALL
                SELECT 'reservation ' || r.id || ' is converted but no order took it'
                  FROM reservations r
                 WHERE r.status = 'converted' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.reservation_id = r.id)
                UNION ALL
                SELECT 'order ' || ol.order_id || ' line ' || ol.line || ' (' || ol.sku || ') has ' || ol.qty || ' ordered but parcels carry other amounts'
                  FROM order_lines ol JOIN orders o ON o.id = ol.order_id
                 WHERE o.status IN ('pending_payment', 'on_hold', 'confirmed', 'in_fulfilment')
                   AND EXISTS (
                       SELECT 1 FROM (
                           SELECT l.stock_sku, SUM(l.qty) AS units
                             FROM shipment_lines l JOIN shipments s ON s.id = l.shipment_id
                            WHERE s.order_id = ol.order_id AND l.line = ol.line AND s.status <> 'cancelled'
                            GROUP BY l.stock_sku) carried
                        WHERE carried.units <> ol.qty * COALESCE((SELECT k.qty FROM kit_components k WHERE k.kit_sku = ol.sku AND k.component_sku = carried.stock_sku), 1))
                LIMIT 50
                """
            ) { row in try row[0] as String }
        },
        Invariant(name: "invoice numbers have no gaps or repeats") { db in
            try Invoices.seriesProblems(db)
        },
    ]

    /// Runs every invariant; returns (name, violations) for each.
    public static func run(_ db: any Database) throws -> [(name: String, violations: [String])] {
        try all.map { (name: $0.name, violations: try $0.check(db)) }
    }
}
