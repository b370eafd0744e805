import BahiStore

/// The invariant audit's queries: the one documented exception to "each domain reads only its
/// own tables".
///
/// Why the exception: an invariant such as "reserved stock equals what active holds and
/// unshipped parcels hold" is true or false *across* domains (Inventory's levels against
/// Inventory's holds and Fulfilment's parcels), so checking it means reading every table the
/// statement names in one snapshot. The audit is a read-only checker, like `fsck`: `bahi check`
/// and the tests run it over a store's read snapshot, no domain service calls it, and nothing
/// here writes. A domain that can check its own tables alone keeps that check (and its SQL) in
/// its own records (`StockLedger.audit`, `Invoices.seriesProblems`); only the checks that span
/// domains, or the engine itself, live here.
///
/// Rows are read by column name (computed columns carry an `AS` name). The engine's own
/// integrity checks come from BahiStore (`engineIntegrityCheck`, `danglingForeignKeys`);
/// every statement here is portable SQL.
enum InvariantRecords {
    /// SQLite's `PRAGMA integrity_check`: one row `ok` when the file is sound, otherwise one
    /// row per problem found.
    static func integrityCheck(_ db: any Database) throws -> [String] {
        try db.engineIntegrityCheck()
    }

    /// A row whose foreign key points to no row (SQLite's `PRAGMA foreign_key_check`).
    struct DanglingReference {
        /// The table holding the row that refers.
        var table: String
        /// That row's rowid (nil for a table without one).
        var rowID: Int64?
        /// The table the reference should find a row in.
        var parent: String
    }

    /// Every row whose foreign key points to a missing row.
    static func danglingReferences(_ db: any Database) throws -> [DanglingReference] {
        try db.danglingForeignKeys().map { DanglingReference(table: $0.table, rowID: $0.rowID, parent: $0.parent) }
    }

    /// Keys whose channel disagrees with their role: a storefront key must name a channel,
    /// and no other key may.
    static func keysWithMisboundChannel(_ db: any Database) throws -> [String] {
        try db.query("SELECT id FROM api_keys WHERE (role = 'storefront') <> (channel IS NOT NULL)") { row in
            try row["id"] as String
        }
    }

    /// Ids of (up to 20) events whose payload is not a JSON object. Ids, not sequence
    /// numbers: on PostgreSQL an event has no number until the sequencer gives it one.
    static func eventsWithNonObjectPayload(_ db: any Database) throws -> [String] {
        try db.query("SELECT id FROM events WHERE json_valid(payload) = FALSE OR json_type(payload) <> 'object' ORDER BY id LIMIT 20") { row in
            try row["id"] as String
        }
    }

    /// A kit rule broken by one SKU: the SKU and the sentence that finishes "SKU … ".
    struct KitProblem {
        var sku: String
        var problem: String
    }

    /// Up to 50 kit rules broken: a kit without components, a kit inside a kit, components
    /// under a SKU not marked a kit, stock held by a kit.
    static func kitProblems(_ db: any Database) throws -> [KitProblem] {
        try db.query(
            """
            SELECT s.sku AS sku, 'is a kit without components' AS problem FROM skus s
             WHERE s.is_kit = TRUE AND NOT EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = s.sku)
            UNION ALL
            SELECT k.kit_sku, 'contains the kit ' || k.component_sku FROM kit_components k JOIN skus c ON c.sku = k.component_sku WHERE c.is_kit = TRUE
            UNION ALL
            SELECT k.kit_sku, 'has components but is not marked a kit' FROM kit_components k JOIN skus s ON s.sku = k.kit_sku WHERE s.is_kit = FALSE
            UNION ALL
            SELECT l.sku, 'holds stock at ' || l.location FROM stock_levels l JOIN skus s ON s.sku = l.sku
             WHERE s.is_kit = TRUE AND (l.on_hand <> 0 OR l.reserved <> 0 OR l.damaged <> 0)
            LIMIT 50
            """
        ) { row in KitProblem(sku: try row["sku"], problem: try row["problem"]) }
    }

    /// A location's stored address parts, to be checked against the pincode directory.
    struct LocationAddress {
        var code: String
        var pincode: String
        var state: String
        var district: String
    }

    /// Every location's pincode, state and district.
    static func locationAddresses(_ db: any Database) throws -> [LocationAddress] {
        try db.query("SELECT code, pincode, state, district FROM locations") { row in
            LocationAddress(code: try row["code"], pincode: try row["pincode"], state: try row["state"], district: try row["district"])
        }
    }

    /// A stock level whose `reserved` differs from what holds and parcels hold there.
    struct ReservedMismatch {
        var sku: String
        var location: String
        /// What the level says is reserved.
        var reserved: Int64
        /// What active holds and unshipped parcels hold.
        var held: Int64
    }

    /// Up to 50 (SKU, location) pairs whose reserved count is not the sum of active hold
    /// allocations and unshipped parcel lines.
    static func reservedMismatches(_ db: any Database) throws -> [ReservedMismatch] {
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
                     WHERE s.status IN ('pending', 'picking', 'packed', 'ready')) AS parts
                 GROUP BY sku, location)
            SELECT l.sku AS sku, l.location AS location, l.reserved AS reserved, COALESCE(h.qty, 0) AS held
              FROM stock_levels l LEFT JOIN held h ON h.sku = l.sku AND h.location = l.location
             WHERE l.reserved <> COALESCE(h.qty, 0)
            UNION ALL
            SELECT h.sku, h.location, 0, h.qty FROM held h
             WHERE NOT EXISTS (SELECT 1 FROM stock_levels l WHERE l.sku = h.sku AND l.location = h.location)
             LIMIT 50
            """
        ) { row in
            ReservedMismatch(sku: try row["sku"], location: try row["location"], reserved: try row["reserved"], held: try row["held"])
        }
    }

    /// Up to 50 sentences, each naming a shipment the stored packing queue (`fulfilment_queue`)
    /// gets wrong: one waiting (pending, its order confirmed or in fulfilment) that it lacks or
    /// keeps with other facts than its shipment and order have, or one it keeps that does not wait.
    static func queueMismatches(_ db: any Database) throws -> [String] {
        try db.query(
            """
            SELECT s.id AS shipment_id, 'waits but is missing from the queue or kept with stale facts' AS problem
              FROM shipments s JOIN orders o ON o.id = s.order_id
             WHERE s.status = 'pending' AND o.status IN ('confirmed', 'in_fulfilment')
               AND NOT EXISTS (SELECT 1 FROM fulfilment_queue q
                                WHERE q.shipment_id = s.id AND q.order_id = s.order_id AND q.location = s.location AND q.channel = o.channel
                                  AND q.channel_order_ref = o.channel_order_ref AND q.payment_method = o.payment_method
                                  AND q.value_paise = o.total_paise AND q.order_created_at = o.created_at)
            UNION ALL
            SELECT q.shipment_id, 'is in the queue but does not wait (not pending, or its order may not be picked)'
              FROM fulfilment_queue q
             WHERE NOT EXISTS (SELECT 1 FROM shipments s JOIN orders o ON o.id = s.order_id
                                WHERE s.id = q.shipment_id AND s.status = 'pending' AND o.status IN ('confirmed', 'in_fulfilment'))
             LIMIT 50
            """
        ) { row in "shipment \(try row["shipment_id"] as String) \(try row["problem"] as String)" }
    }

    /// Up to 50 sentences, each naming a parcel, order or hold whose reservation has no live
    /// owner (or an order whose parcels carry other amounts than it ordered). Every part reads
    /// live parcels and orders through their status indexes, except the converted holds
    /// without an order: no index finds those, so they are looked for only when
    /// `convertedHolds` (a scan of every reservation ever made: `bahi check --full`).
    static func orphanedReservations(_ db: any Database, convertedHolds: Bool) throws -> [String] {
        try db.query(
            """
            SELECT 'shipment ' || s.id || ' holds stock for order ' || o.id || ', which is ' || o.status AS problem
              FROM shipments s JOIN orders o ON o.id = s.order_id
             WHERE s.status IN ('pending', 'picking', 'packed', 'ready') AND o.status NOT IN ('pending_payment', 'on_hold', 'confirmed', 'in_fulfilment')
            UNION ALL
            SELECT 'order ' || o.id || ' is ' || o.status || ' but no parcel holds its stock'
              FROM orders o
             WHERE o.status IN ('pending_payment', 'on_hold', 'confirmed')
               AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id AND s.status IN ('pending', 'picking', 'packed', 'ready'))
            UNION ALL\(convertedHolds ? """

            SELECT 'reservation ' || r.id || ' is converted but no order took it'
              FROM reservations r
             WHERE r.status = 'converted' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.reservation_id = r.id)
            UNION ALL
            """ : "")
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
        ) { row in try row["problem"] as String }
    }
}
