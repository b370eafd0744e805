public import BahiStore
import BahiJSON

/// All SQL of the fulfilment domain: `shipments`, `shipment_lines`, `picklists`,
/// `invoice_series` and `invoices`. Each row shape is read by one decoder from one column
/// list and written by one statement.
public enum FulfilmentRecords {
    // MARK: - shipments

    /// Every column a `Shipment` is decoded from.
    static let shipmentColumns = """
        id, order_id, location, status, picklist_id, weight_g, length_mm, width_mm, height_mm, invoice_id, packed_at, courier, awb, booked_at, \
        manifest_id, shipping_cost_paise, rto_charge_paise, created_at, status_at, picked_up_at, delivered_at
        """

    /// The shipment of one row of `shipmentColumns` (without its lines).
    static func shipment(_ row: Row) throws -> Shipment {
        let id: String = try row["id"], text: String = try row["status"]
        guard let status = ShipmentStatus(rawValue: text) else { throw DomainError(.corruptRow, "Shipment \(id) has an unknown status \(text).") }
        return Shipment(id: id, orderID: try row["order_id"], location: try row["location"], status: status, picklistID: try row["picklist_id"],
                        weightG: try row["weight_g"], lengthMM: try row["length_mm"], widthMM: try row["width_mm"], heightMM: try row["height_mm"],
                        invoiceID: try row["invoice_id"], packedAt: try row["packed_at"], courier: try row["courier"], awb: try row["awb"],
                        bookedAt: try row["booked_at"], manifestID: try row["manifest_id"], shippingCostPaise: try row["shipping_cost_paise"],
                        rtoChargePaise: try row["rto_charge_paise"], createdAt: try row["created_at"], statusAt: try row["status_at"],
                        pickedUpAt: try row["picked_up_at"], deliveredAt: try row["delivered_at"])
    }

    /// One shipment without its lines, or nil.
    static func findShipment(_ db: any Database, id: String) throws -> Shipment? {
        try db.queryFirst("SELECT \(shipmentColumns) FROM shipments WHERE id = ?1", [id], shipment)
    }

    /// An order's shipments without their lines, oldest first.
    static func shipments(_ db: any Database, orderID: String) throws -> [Shipment] {
        try db.query("SELECT \(shipmentColumns) FROM shipments WHERE order_id = ?1 ORDER BY id", [orderID], shipment)
    }

    /// The lines of one shipment.
    static func shipmentLines(_ db: any Database, shipmentID: String) throws -> [Shipment.Line] {
        try db.query("SELECT line, sku, stock_sku, qty FROM shipment_lines WHERE shipment_id = ?1 ORDER BY line, stock_sku", [shipmentID]) { row in
            Shipment.Line(line: try row["line"], sku: try row["sku"], stockSKU: try row["stock_sku"], qty: try row["qty"])
        }
    }

    /// Stores a new shipment with its lines.
    static func insert(_ db: any Database, _ s: Shipment, now: Int64) throws {
        try db.perform("INSERT INTO shipments (id, order_id, location, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                       binding: s.id, s.orderID, s.location, s.status.rawValue, s.createdAt, now)
        for line in s.lines {
            try db.perform("INSERT INTO shipment_lines (shipment_id, line, sku, stock_sku, qty) VALUES (?1, ?2, ?3, ?4, ?5)",
                           binding: s.id, line.line, line.sku, line.stockSKU, line.qty)
        }
    }

    /// What a move sets besides the status; nil leaves a column as it is.
    struct ShipmentChange {
        var picklistID: String?
        var package: Packing.Package?
        var packedAt: Int64?
    }

    /// Moves a shipment from `from` to `to` if it is still `from` (so two pickers or packers
    /// cannot both take it); true when it moved.
    /// A shipment leaving `pending` leaves the stored packing queue in the same transaction.
    static func move(_ db: any Database, id: String, from: ShipmentStatus, to: ShipmentStatus, _ change: ShipmentChange, now: Int64) throws -> Bool {
        let moved = try db.execute(
            """
            UPDATE shipments SET status = ?1, updated_at = ?2, picklist_id = COALESCE(?3, picklist_id), weight_g = COALESCE(?4, weight_g),
                   length_mm = COALESCE(?5, length_mm), width_mm = COALESCE(?6, width_mm), height_mm = COALESCE(?7, height_mm),
                   packed_at = COALESCE(?8, packed_at), manifest_id = CASE WHEN ?1 = 'cancelled' THEN NULL ELSE manifest_id END
             WHERE id = ?9 AND status = ?10
            """,
            binding: to.rawValue, now, change.picklistID, change.package?.weightG, change.package?.lengthMM, change.package?.widthMM,
            change.package?.heightMM, change.packedAt, id, from.rawValue) == 1
        if moved, from == .pending, to != .pending { try PackingQueue.remove(db, shipmentID: id) }
        return moved
    }

    /// Moves a shipment from `from` to `to` setting its booking (courier, AWB, time), or clearing
    /// it when `booking` is nil, if it is still `from`; true when it moved.
    static func setBooking(_ db: any Database, id: String, from: ShipmentStatus, to: ShipmentStatus,
                           booking: (courier: String, awb: String, at: Int64)?, now: Int64) throws -> Bool {
        try db.execute(
            """
            UPDATE shipments SET status = ?1, courier = ?2, awb = ?3, booked_at = ?4, updated_at = ?5,
                   manifest_id = NULL, shipping_cost_paise = NULL, rto_charge_paise = NULL
             WHERE id = ?6 AND status = ?7
            """,
            binding: to.rawValue, booking?.courier, booking?.awb, booking?.at, now, id, from.rawValue) == 1
    }

    /// The newest shipment booked under `awb` (without its lines), or nil (`shipments_awb`).
    static func shipment(_ db: any Database, awb: String) throws -> Shipment? {
        try db.queryFirst("SELECT \(shipmentColumns) FROM shipments WHERE awb = ?1 ORDER BY booked_at DESC LIMIT 1", [awb], shipment)
    }

    /// The id and status of each of an order's shipments, oldest first.
    static func statuses(_ db: any Database, orderID: String) throws -> [(id: String, status: ShipmentStatus)] {
        try db.query("SELECT id, status FROM shipments WHERE order_id = ?1 ORDER BY id", [orderID]) { row in
            let id: String = try row["id"], text: String = try row["status"]
            guard let status = ShipmentStatus(rawValue: text) else { throw DomainError(.corruptRow, "Shipment \(id) has an unknown status \(text).") }
            return (id: id, status: status)
        }
    }

    /// A courier-reported move from `from` to `to` at `at`, if the shipment is still `from`;
    /// the pickup time is set once, the delivery time when given.
    static func track(_ db: any Database, id: String, from: ShipmentStatus, to: ShipmentStatus, at: Int64, pickedUpAt: Int64?, deliveredAt: Int64?,
                      now: Int64) throws -> Bool {
        try db.execute(
            """
            UPDATE shipments SET status = ?1, status_at = ?2, picked_up_at = COALESCE(picked_up_at, ?3), delivered_at = COALESCE(?4, delivered_at),
                   updated_at = ?5
             WHERE id = ?6 AND status = ?7
            """,
            binding: to.rawValue, at, pickedUpAt, deliveredAt, now, id, from.rawValue) == 1
    }

    /// Moves the current status's time forward to `at` (never back).
    static func restamp(_ db: any Database, id: String, status: ShipmentStatus, at: Int64) throws {
        try db.perform("UPDATE shipments SET status_at = ?1 WHERE id = ?2 AND status = ?3 AND (status_at IS NULL OR status_at < ?1)",
                       binding: at, id, status.rawValue)
    }

    /// Records what booking priced: the forward cost and the RTO charge.
    static func setCosts(_ db: any Database, id: String, shippingPaise: Int64, rtoChargePaise: Int64) throws {
        try db.perform("UPDATE shipments SET shipping_cost_paise = ?1, rto_charge_paise = ?2 WHERE id = ?3", binding: shippingPaise, rtoChargePaise, id)
    }

    /// Shipments booked since `since` and not cancelled, per courier (a cancelled booking
    /// cleared its courier).
    static func bookedPerCourier(_ db: any Database, since: Int64) throws -> [(courier: String, count: Int64)] {
        try db.query(
            "SELECT courier, COUNT(*) AS n FROM shipments WHERE booked_at >= ?1 AND courier IS NOT NULL AND status <> 'cancelled' GROUP BY courier", [since]
        ) { row in (courier: try row["courier"] as String, count: try row["n"] as Int64) }
    }

    /// Records the invoice issued with a shipment.
    static func setInvoice(_ db: any Database, shipmentID: String, invoiceID: String) throws {
        try db.execute("UPDATE shipments SET invoice_id = ?1 WHERE id = ?2", binding: invoiceID, shipmentID)
    }

    /// An order's pending shipments (id and location) in id order: what waits in the queue
    /// when the order may be picked (`shipments_order`).
    static func pending(_ db: any Database, orderID: String) throws -> [(id: String, location: String)] {
        try db.query("SELECT id, location FROM shipments WHERE order_id = ?1 AND status = 'pending' ORDER BY id", [orderID]) { row in
            (id: try row["id"] as String, location: try row["location"] as String)
        }
    }

    // MARK: - manifests

    /// Stores a new manifest's head.
    static func insertManifest(_ db: any Database, _ m: Manifest) throws {
        try db.perform("INSERT INTO manifests (id, courier, location, created_at, actor) VALUES (?1, ?2, ?3, ?4, ?5)",
                       binding: m.id, m.courier, m.location, m.createdAt, m.actor)
    }

    /// Puts shipment `id` on manifest `manifestID` if it is still ready with `courier` at
    /// `location` and on no manifest (so two manifests cannot both take it); true when it did.
    static func manifest(_ db: any Database, id: String, manifestID: String, courier: String, location: String, now: Int64) throws -> Bool {
        try db.execute(
            """
            UPDATE shipments SET manifest_id = ?1, updated_at = ?2
             WHERE id = ?3 AND status = 'ready' AND manifest_id IS NULL AND courier = ?4 AND location = ?5
            """, binding: manifestID, now, id, courier, location) == 1
    }

    /// Ready shipments booked with `courier` at `location` and on no manifest, oldest booking first.
    static func unmanifested(_ db: any Database, courier: String, location: String) throws -> [String] {
        try db.query(
            "SELECT id FROM shipments WHERE status = 'ready' AND manifest_id IS NULL AND courier = ?1 AND location = ?2 ORDER BY booked_at, id",
            binding: courier, location) { row in try row["id"] as String }
    }

    /// Parcels on manifests of `courier` at `location` made since `since` (a day's start).
    static func manifestedSince(_ db: any Database, courier: String, location: String, since: Int64) throws -> Int64 {
        try db.queryValue(
            """
            SELECT COUNT(*) AS n FROM shipments s JOIN manifests m ON m.id = s.manifest_id
             WHERE m.courier = ?1 AND m.location = ?2 AND m.created_at >= ?3
            """, [courier, location, since], as: Int64.self) ?? 0
    }

    /// The columns a manifest head is read from, with its status worked out from its parcels.
    private static let manifestColumns = """
        m.id, m.courier, m.location, m.created_at, m.actor,
        (SELECT COUNT(*) FROM shipments s WHERE s.manifest_id = m.id AND s.status = 'ready') AS waiting,
        (SELECT COUNT(*) FROM shipments s WHERE s.manifest_id = m.id AND s.status <> 'ready') AS handed
        """

    /// A manifest head from `manifestColumns`.
    static func manifest(_ row: Row) throws -> Manifest {
        let waiting: Int64 = try row["waiting"], handed: Int64 = try row["handed"]
        return Manifest(id: try row["id"], courier: try row["courier"], location: try row["location"],
                        status: ManifestStatus(waiting: waiting, handedOver: handed), createdAt: try row["created_at"], actor: try row["actor"])
    }

    /// One manifest's head, or nil.
    static func findManifest(_ db: any Database, id: String) throws -> Manifest? {
        try db.queryFirst("SELECT \(manifestColumns) FROM manifests m WHERE m.id = ?1", [id], manifest)
    }

    /// Manifests newest first, before `before`, of `courier` (or all); the caller filters by status.
    static func manifests(_ db: any Database, courier: String?, status: ManifestStatus?, before: String?, limit: Int) throws -> [Manifest] {
        try db.query(manifestsSQL, [courier, before, status?.rawValue, limit], manifest)
    }

    /// The manifest list's statement: manifests (a few a day) walked newest first by primary
    /// key, each one's shipments counted through `shipments_manifest`.
    static let manifestsSQL = """
        SELECT \(manifestColumns) FROM manifests m
         WHERE (CAST(?1 AS TEXT) IS NULL OR m.courier = ?1) AND (CAST(?2 AS TEXT) IS NULL OR m.id < ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR ?3 = \(manifestStatus))
         ORDER BY m.id DESC LIMIT ?4
        """

    /// A manifest's status from its parcels, as `ManifestStatus(waiting:handedOver:)` derives
    /// it, each test an `EXISTS` that stops at the first parcel found in
    /// `shipments_manifest (manifest_id, status)`. Only the status filter evaluates it, row by
    /// row in the list's order until the page is full: without the filter, the page's counts
    /// (`manifestColumns`) are the only ones computed.
    private static let manifestStatus = """
        CASE WHEN NOT EXISTS (SELECT 1 FROM shipments s WHERE s.manifest_id = m.id AND s.status <> 'ready') THEN 'open' \
        WHEN NOT EXISTS (SELECT 1 FROM shipments s WHERE s.manifest_id = m.id AND s.status = 'ready') THEN 'handed_over' \
        ELSE 'partially_handed_over' END
        """

    /// The shipments on a manifest (without their lines), by AWB.
    static func manifestShipments(_ db: any Database, manifestID: String) throws -> [Shipment] {
        try db.query("SELECT \(shipmentColumns) FROM shipments WHERE manifest_id = ?1 ORDER BY awb, id", [manifestID], shipment)
    }

    // MARK: - RTO receipts

    /// Stores the receipt of a returned shipment unless one exists; true when this call stored it.
    static func insertRTOReceipt(_ db: any Database, _ r: RTOReceipt) throws -> Bool {
        guard try db.execute("INSERT INTO rto_receipts (shipment_id, received_at, actor) VALUES (?1, ?2, ?3) ON CONFLICT (shipment_id) DO NOTHING",
                             binding: r.shipmentID, r.receivedAt, r.actor) == 1 else { return false }
        for (i, line) in r.lines.enumerated() {
            try db.perform("INSERT INTO rto_receipt_lines (shipment_id, line, sku, qty, condition) VALUES (?1, ?2, ?3, ?4, ?5)",
                           binding: r.shipmentID, Int64(i), line.sku, line.qty, line.condition.rawValue)
        }
        return true
    }

    /// A shipment's RTO receipt, or nil.
    static func rtoReceipt(_ db: any Database, shipmentID: String) throws -> RTOReceipt? {
        guard let head = try db.queryFirst("SELECT received_at, actor FROM rto_receipts WHERE shipment_id = ?1", [shipmentID], { row in
            (at: try row["received_at"] as Int64, actor: try row["actor"] as String?)
        }) else { return nil }
        let lines = try db.query("SELECT sku, qty, condition FROM rto_receipt_lines WHERE shipment_id = ?1 ORDER BY line", [shipmentID]) { row in
            let text: String = try row["condition"]
            guard let condition = RTOReceipt.Condition(rawValue: text) else { throw DomainError(.corruptRow, "RTO receipt of \(shipmentID) has a line in condition \(text).") }
            return RTOReceipt.Line(sku: try row["sku"], qty: try row["qty"], condition: condition)
        }
        return RTOReceipt(shipmentID: shipmentID, receivedAt: head.at, actor: head.actor, lines: lines)
    }

    // MARK: - picklists

    /// Stores a new pick list's head.
    static func insertPicklist(_ db: any Database, id: String, location: String, actor: String?, now: Int64) throws {
        try db.execute("INSERT INTO picklists (id, location, created_at, actor) VALUES (?1, ?2, ?3, ?4)", binding: id, location, now, actor)
    }

    /// A pick list's location and creation time, or nil.
    static func picklistHead(_ db: any Database, id: String) throws -> (location: String, createdAt: Int64)? {
        try db.queryFirst("SELECT location, created_at FROM picklists WHERE id = ?1", [id]) { row in
            (location: try row["location"] as String, createdAt: try row["created_at"] as Int64)
        }
    }

    /// The pick list's shipments that are not cancelled, by id.
    static func picklistShipments(_ db: any Database, id: String) throws -> [String] {
        try db.query("SELECT id FROM shipments WHERE picklist_id = ?1 AND status <> 'cancelled' ORDER BY id", [id]) { row in try row["id"] as String }
    }

    /// Units of each stocked SKU over the pick list's live shipments, and in how many.
    static func picklistItems(_ db: any Database, id: String) throws -> [(sku: String, qty: Int64, shipments: Int)] {
        try db.query(
            """
            SELECT l.stock_sku AS sku, SUM(l.qty) AS qty, COUNT(DISTINCT l.shipment_id) AS shipments
              FROM shipment_lines l JOIN shipments s ON s.id = l.shipment_id
             WHERE s.picklist_id = ?1 AND s.status <> 'cancelled' GROUP BY l.stock_sku ORDER BY l.stock_sku
            """, [id]
        ) { row in (sku: try row["sku"] as String, qty: try row["qty"] as Int64, shipments: try row["shipments"] as Int) }
    }

    // MARK: - invoices

    /// Advances the financial year's series and returns the number now taken (one upsert:
    /// the series never reads, adds and writes back).
    static func nextSequence(_ db: any Database, financialYear: String) throws -> Int64? {
        try db.queryValue(
            """
            INSERT INTO invoice_series (financial_year, last_sequence) VALUES (?1, 1)
            ON CONFLICT (financial_year) DO UPDATE SET last_sequence = invoice_series.last_sequence + 1 RETURNING last_sequence
            """, [financialYear], as: Int64.self)
    }

    /// Stores an issued invoice with the `ifFirst` document and total when no invoice of its
    /// order exists yet, and the `otherwise` ones when one does: the statement decides which,
    /// so the order's first invoice is the one the database stored first. True when it
    /// stored `ifFirst`.
    static func insertInvoice(_ db: any Database, _ invoice: Invoices.Invoice, financialYear: String, sequence: Int64,
                              ifFirst: (document: String, total: Int64), otherwise: (document: String, total: Int64), now: Int64) throws -> Bool {
        let first = try db.queryFirst(
            """
            INSERT INTO invoices (id, number, financial_year, sequence, order_id, shipment_id, total_paise, document, issued_at)
            SELECT ?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN f.is_first THEN CAST(?7 AS BIGINT) ELSE CAST(?8 AS BIGINT) END, CASE WHEN f.is_first THEN ?9 ELSE ?10 END, ?11
              FROM (SELECT NOT EXISTS (SELECT 1 FROM invoices WHERE order_id = ?5) AS is_first) AS f
            RETURNING document = ?9 AS is_first
            """,
            binding: invoice.id, invoice.number, financialYear, sequence, invoice.orderID, invoice.shipmentID, ifFirst.total, otherwise.total,
            ifFirst.document, otherwise.document, now, map: { row -> Bool in try row["is_first"] })
        guard let first else { throw DomainError(.invoiceSeriesFailed, "Invoice \(invoice.number) was not stored.") }
        return first
    }

    /// An invoice by id, or nil.
    static func findInvoice(_ db: any Database, id: String) throws -> Invoices.Invoice? {
        try db.queryFirst("SELECT id, number, order_id, shipment_id, document FROM invoices WHERE id = ?1", [id]) { row in
            let text: String = try row["document"]
            return Invoices.Invoice(id: try row["id"], number: try row["number"], orderID: try row["order_id"], shipmentID: try row["shipment_id"],
                                    document: try JSONParser.parse(Array(text.utf8)))
        }
    }

    /// Invoice series that have a gap or a repeat, one message each.
    static func seriesProblems(_ db: any Database) throws -> [String] {
        try db.query(
            """
            SELECT s.financial_year AS financial_year, s.last_sequence AS last_sequence, COUNT(i.id) AS invoices, COUNT(DISTINCT i.sequence) AS distinct_numbers,
                   COALESCE(MIN(i.sequence), 0) AS first_number, COALESCE(MAX(i.sequence), 0) AS last_number
              FROM invoice_series s LEFT JOIN invoices i ON i.financial_year = s.financial_year
             GROUP BY s.financial_year, s.last_sequence
            HAVING COUNT(i.id) <> s.last_sequence OR COUNT(DISTINCT i.sequence) <> COUNT(i.id)
                OR (COUNT(i.id) > 0 AND (MIN(i.sequence) <> 1 OR MAX(i.sequence) <> s.last_sequence))
            """, StatementArguments([])
        ) { row in
            "invoice series \(try row["financial_year"] as String): last number \(try row["last_sequence"] as Int64) but \(try row["invoices"] as Int64) invoices with \(try row["distinct_numbers"] as Int64) distinct numbers from \(try row["first_number"] as Int64) to \(try row["last_number"] as Int64)"
        } + db.query(
            "SELECT financial_year FROM invoices WHERE financial_year NOT IN (SELECT financial_year FROM invoice_series) GROUP BY financial_year",
            StatementArguments([])
        ) { row in "invoices of \(try row["financial_year"] as String) have no series row" }
    }
}
