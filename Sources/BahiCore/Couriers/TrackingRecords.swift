public import BahiStore
import BahiJSON

/// All SQL of tracking, within the Couriers domain: `tracking_scans`, `tracking_parked`,
/// `shipment_ndrs` and `courier_performance`. Each row shape is read by one decoder from one
/// column list and written by one statement.
enum TrackingRecords {
    // MARK: - tracking_scans

    /// Keeps each of `scans` of shipment `shipmentID` not kept already (same time and code);
    /// returns how many were new. One multi-row INSERT per `scansPerStatement` scans: a
    /// Shiprocket push carries the parcel's whole history, and a statement per scan was a third
    /// of the push's statements.
    static func insertScans(_ db: any Database, shipmentID: String, provider: String, _ scans: [TrackingScan], now: Int64) throws -> Int {
        var added = 0
        var start = scans.startIndex
        while start < scans.endIndex {
            let chunk = scans[start..<min(start + scansPerStatement, scans.endIndex)]
            start = chunk.endIndex
            var values: [SQLValue] = []
            values.reserveCapacity(chunk.count * 6 + 3)
            values += [.text(shipmentID), .text(provider), .integer(now)]
            var rows: [String] = []
            for scan in chunk {
                let n = values.count
                rows.append("(?1, ?\(n + 1), ?\(n + 2), ?2, ?\(n + 3), ?\(n + 4), ?\(n + 5), ?3)")
                values += [.integer(scan.at), .text(scan.code), scan.status.map { .text($0.rawValue) } ?? .null,
                           scan.label.map { .text($0) } ?? .null, scan.location.map { .text($0) } ?? .null]
            }
            added += try db.execute(
                """
                INSERT INTO tracking_scans (shipment_id, at, code, provider, status, label, location, received_at)
                VALUES \(rows.joined(separator: ", ")) ON CONFLICT (shipment_id, at, code) DO NOTHING
                """, values: values)
        }
        return added
    }

    /// Scans per INSERT: 5 values each, far below either store's limit on parameters.
    static let scansPerStatement = 100

    /// A shipment's scans in time order, with who reported each.
    static func scans(_ db: any Database, shipmentID: String) throws -> [(scan: TrackingScan, provider: String, receivedAt: Int64)] {
        try db.query("SELECT at, code, provider, status, label, location, received_at FROM tracking_scans WHERE shipment_id = ?1 ORDER BY at, code",
                     [shipmentID]) { row in
            let status: String? = try row["status"]
            return (scan: TrackingScan(at: try row["at"], code: try row["code"], label: try row["label"], location: try row["location"],
                                       status: status.flatMap(ShipmentStatus.init(rawValue:))),
                    provider: try row["provider"] as String, receivedAt: try row["received_at"] as Int64)
        }
    }

    // MARK: - tracking_parked

    /// Parks a report for an AWB no shipment has; false when this report is parked already.
    static func park(_ db: any Database, identity: String, provider: String, awb: String, status: ShipmentStatus?, occurredAt: Int64, body: String,
                     now: Int64) throws -> Bool {
        try db.execute(
            """
            INSERT INTO tracking_parked (identity, provider, awb, status, occurred_at, body, received_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (identity) DO NOTHING
            """,
            binding: identity, provider, awb, status?.rawValue, occurredAt, body, now) == 1
    }

    /// The parked list's statement: a range of `tracking_parked_received` (received_at,
    /// identity) read backwards from the cursor (`Int64.max` for the first page); ties on the
    /// time in identity order, descending, so the index gives the order without a sort.
    static let parkedSQL = """
        SELECT identity, provider, awb, status, occurred_at, body, received_at FROM tracking_parked
         WHERE received_at < ?1 ORDER BY received_at DESC, identity DESC LIMIT ?2
        """

    /// Parked reports, newest first, received before `before` (a cursor), at most `limit`.
    static func parked(_ db: any Database, before: Int64?, limit: Int) throws -> [Tracking.Parked] {
        try db.query(parkedSQL, [before ?? Int64.max, limit]) { row in
            Tracking.Parked(identity: try row["identity"], provider: try row["provider"], awb: try row["awb"], status: try row["status"],
                            occurredAt: try row["occurred_at"], body: try row["body"], receivedAt: try row["received_at"])
        }
    }

    // MARK: - shipment_ndrs

    static let ndrColumns = "id, shipment_id, attempt, reason, code, text, raised_at, status, action, action_detail, action_by, actioned_at, courier_reply, closed_by"

    static func ndr(_ row: Row) throws -> ShipmentNDR {
        let id: String = try row["id"]
        guard let reason = NDRReason(rawValue: try row["reason"]), let status = ShipmentNDR.Status(rawValue: try row["status"]) else {
            throw DomainError(.corruptRow, "NDR \(id) has an unknown reason or status.")
        }
        let action: String? = try row["action"]
        let detail: String? = try row["action_detail"]
        var object: JSONObject = [:]
        if let detail, case .object(let o)? = try? JSONParser.parse(detail) { object = o }
        return ShipmentNDR(id: id, shipmentID: try row["shipment_id"], attempt: Int(try row["attempt"] as Int64), reason: reason, code: try row["code"],
                           text: try row["text"], raisedAt: try row["raised_at"], status: status, action: action.flatMap(ShipmentNDR.Action.init(rawValue:)),
                           actionDetail: object, actionBy: try row["action_by"], actionedAt: try row["actioned_at"], courierReply: try row["courier_reply"],
                           closedBy: try row["closed_by"])
    }

    /// Stores a new NDR; false when the shipment has this attempt already (a resent report).
    static func insertNDR(_ db: any Database, _ n: ShipmentNDR) throws -> Bool {
        try db.execute(
            """
            INSERT INTO shipment_ndrs (id, shipment_id, attempt, reason, code, text, raised_at, status)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (shipment_id, attempt) DO NOTHING
            """,
            binding: n.id, n.shipmentID, Int64(n.attempt), n.reason.rawValue, n.code, n.text, n.raisedAt, n.status.rawValue) == 1
    }

    static func findNDR(_ db: any Database, id: String) throws -> ShipmentNDR? {
        try db.queryFirst("SELECT \(ndrColumns) FROM shipment_ndrs WHERE id = ?1", [id], ndr)
    }

    /// A shipment's NDRs, first attempt first.
    static func ndrs(_ db: any Database, shipmentID: String) throws -> [ShipmentNDR] {
        try db.query("SELECT \(ndrColumns) FROM shipment_ndrs WHERE shipment_id = ?1 ORDER BY attempt", [shipmentID], ndr)
    }

    /// NDRs in `status` (nil: every one), oldest attempt first (ids sort by when the attempt
    /// failed), after the cursor `after`, at most `limit`.
    static func ndrs(_ db: any Database, status: ShipmentNDR.Status?, after: String?, limit: Int) throws -> [ShipmentNDR] {
        if let status {
            return try db.query(ndrsInStatusSQL, [status.rawValue, after ?? "", limit], ndr)
        }
        return try db.query(ndrsSQL, [after ?? "", limit], ndr)
    }

    /// The NDR list's statements: one status (`shipment_ndrs_status`, status then id) or all
    /// (the primary key), each a range in id order from the cursor ("" before every id). Two
    /// texts rather than `(?1 IS NULL OR status = ?1)`, which no index can answer.
    static let ndrsInStatusSQL = "SELECT \(ndrColumns) FROM shipment_ndrs WHERE status = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
    static let ndrsSQL = "SELECT \(ndrColumns) FROM shipment_ndrs WHERE id > ?1 ORDER BY id LIMIT ?2"

    /// Records the seller's action on an open NDR; false when it is no longer open.
    static func act(_ db: any Database, id: String, action: ShipmentNDR.Action, detail: String, actor: String?, now: Int64) throws -> Bool {
        try db.execute(
            "UPDATE shipment_ndrs SET status = 'actioned', action = ?1, action_detail = ?2, action_by = ?3, actioned_at = ?4 WHERE id = ?5 AND status = 'open'",
            binding: action.rawValue, detail, actor, now, id) == 1
    }

    /// Records what the courier answered to an action.
    static func setReply(_ db: any Database, id: String, reply: String) throws {
        try db.perform("UPDATE shipment_ndrs SET courier_reply = ?1 WHERE id = ?2", binding: reply, id)
    }

    /// Closes a shipment's NDRs not closed yet (`by`: delivered, rto, policy); with `action`,
    /// the open ones record it as the action taken (by `actor`).
    static func close(_ db: any Database, shipmentID: String, by: String, action: ShipmentNDR.Action?, actor: String?, now: Int64) throws {
        try db.perform(
            """
            UPDATE shipment_ndrs SET closed_by = ?1, action = COALESCE(action, ?2), action_by = CASE WHEN action IS NULL AND ?2 IS NOT NULL THEN ?3 ELSE action_by END,
                   actioned_at = CASE WHEN action IS NULL AND ?2 IS NOT NULL THEN ?4 ELSE actioned_at END, status = 'closed'
             WHERE shipment_id = ?5 AND status <> 'closed'
            """,
            binding: by, action?.rawValue, actor, now, shipmentID)
    }

    // MARK: - courier_performance

    /// Adds one finished shipment to a courier's tally for a destination level and key.
    static func tally(_ db: any Database, courier: String, level: String, key: String, delivered: Bool, rto: Bool, transitDays: Int64) throws {
        try db.perform(
            """
            INSERT INTO courier_performance (courier, level, key, finished, delivered, rto, transit_days) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6)
            ON CONFLICT (courier, level, key) DO UPDATE SET finished = courier_performance.finished + 1,
                   delivered = courier_performance.delivered + excluded.delivered, rto = courier_performance.rto + excluded.rto,
                   transit_days = courier_performance.transit_days + excluded.transit_days
            """,
            binding: courier, level, key, delivered ? 1 : 0, rto ? 1 : 0, transitDays)
    }

    /// Tallies, by courier, level and key; only `courier`'s when given.
    static func tallies(_ db: any Database, courier: String?) throws -> [Tracking.TallyRow] {
        try db.query(
            """
            SELECT courier, level, key, finished, delivered, rto, transit_days FROM courier_performance
             WHERE (CAST(?1 AS TEXT) IS NULL OR courier = ?1) ORDER BY courier, level, key
            """, [courier]
        ) { row in
            Tracking.TallyRow(courier: try row["courier"], level: try row["level"], key: try row["key"],
                              tally: CourierPerformance.Tally(finished: try row["finished"], delivered: try row["delivered"], rto: try row["rto"],
                                                              transitDays: try row["transit_days"]))
        }
    }

    /// The tallies of every courier for three keys (its zone, state and prefix).
    static func tallies(_ db: any Database, zone: String, state: String, prefix: String) throws -> [Tracking.TallyRow] {
        try db.query(
            """
            SELECT courier, level, key, finished, delivered, rto, transit_days FROM courier_performance
             WHERE (level = 'zone' AND key = ?1) OR (level = 'state' AND key = ?2) OR (level = 'prefix' AND key = ?3)
            """, [zone, state, prefix]
        ) { row in
            Tracking.TallyRow(courier: try row["courier"], level: try row["level"], key: try row["key"],
                              tally: CourierPerformance.Tally(finished: try row["finished"], delivered: try row["delivered"], rto: try row["rto"],
                                                              transitDays: try row["transit_days"]))
        }
    }
}
