public import BahiStore
import BahiJSON

/// All SQL of the orders domain: `orders`, `order_lines`, `order_history`, `order_search`,
/// `customer_stats`, `pincode_stats`. Each row shape is read by one decoder from one column list
/// and written by one statement, so a column is named in exactly one place per direction.
public enum OrderRecords {
    // MARK: - orders

    /// Every column an `Order` is decoded from.
    static let orderColumns = """
        id, channel, channel_order_ref, status, hold_reason, payment_method, payment_status, fulfilment_status, gateway, gateway_order_id,
        paid_paise, refund_due, payment_expires_at, cancel_reason, customer_name, customer_phone, customer_email, shipping_address,
        billing_address, place_of_supply, supply, subtotal_paise, discount_paise, shipping_paise, shipping_taxable_paise, shipping_rate_bps,
        taxable_paise, cgst_paise, sgst_paise, igst_paise, total_paise, risk_score, risk_reasons, reservation_id, tags, notes, version,
        placed_at, created_at, updated_at
        """

    /// The order of one row of `orderColumns` (without lines, shipments or history).
    static func order(_ row: Row) throws -> Order {
        let id: String = try row["id"]
        func corrupt(_ what: String) -> DomainError { DomainError(.corruptOrder, "Order \(id) has an unreadable \(what).") }
        let shippingJSON: String = try row["shipping_address"]
        let billingJSON: String? = try row["billing_address"]
        guard let shipping = OrderAddress(json: try JSONParser.parse(Array(shippingJSON.utf8))) else { throw corrupt("shipping address") }
        let billing = try billingJSON.flatMap { OrderAddress(json: try JSONParser.parse(Array($0.utf8))) }
        guard let supply = SupplyKind(rawValue: try row["supply"]), let placeOfSupply = IndianState(gstCode: try row["place_of_supply"]),
              let status = OrderStatus(rawValue: try row["status"]) else {
            throw DomainError(.corruptOrder, "Order \(id) has an unknown status, supply or state code.")
        }
        guard let method = PaymentMethod(rawValue: try row["payment_method"]), let paymentStatus = PaymentStatus(rawValue: try row["payment_status"]),
              let fulfilmentStatus = FulfilmentStatus(rawValue: try row["fulfilment_status"]) else { throw corrupt("payment or fulfilment status") }
        let holdText: String? = try row["hold_reason"], cancelText: String? = try row["cancel_reason"]
        let holdReason = try holdText.map { text -> HoldReason in
            guard let reason = HoldReason(rawValue: text) else { throw corrupt("hold reason") }
            return reason
        }
        let cancelReason = try cancelText.map { text -> CancelReason in
            guard let reason = CancelReason(rawValue: text) else { throw corrupt("cancel reason") }
            return reason
        }
        let shippingPaise: Int64 = try row["shipping_paise"]
        let shippingTax = GSTLineTax.stored(totalPaise: shippingPaise, discountPaise: 0, taxablePaise: try row["shipping_taxable_paise"],
                                            rateBps: try row["shipping_rate_bps"], supply: supply)
        let totals = OrderTotals(
            subtotalPaise: try row["subtotal_paise"], discountPaise: try row["discount_paise"], shippingPaise: shippingPaise,
            taxablePaise: try row["taxable_paise"], cgstPaise: try row["cgst_paise"], sgstPaise: try row["sgst_paise"],
            igstPaise: try row["igst_paise"], totalPaise: try row["total_paise"])
        let tagsText: String = try row["tags"]
        var tags: [String] = []
        if case .array(let items) = try JSONParser.parse(Array(tagsText.utf8)) {
            tags = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        let reasonsText: String = try row["risk_reasons"]
        return Order(
            id: id, channel: try row["channel"], channelOrderRef: try row["channel_order_ref"], status: status, holdReason: holdReason,
            paymentMethod: method, paymentStatus: paymentStatus, fulfilmentStatus: fulfilmentStatus, gateway: try row["gateway"],
            gatewayOrderID: try row["gateway_order_id"], paidPaise: try row["paid_paise"], refundDue: try row["refund_due"],
            paymentExpiresAt: try row["payment_expires_at"], cancelReason: cancelReason, customerName: try row["customer_name"],
            customerPhone: try row["customer_phone"], customerEmail: try row["customer_email"], shipping: shipping, billing: billing,
            placeOfSupply: placeOfSupply, supply: supply, shippingTax: shippingTax, totals: totals, riskScore: try row["risk_score"],
            riskReasons: try JSONParser.parse(Array(reasonsText.utf8)), reservationID: try row["reservation_id"], tags: tags,
            notes: try row["notes"], version: try row["version"], placedAt: try row["placed_at"], createdAt: try row["created_at"],
            updatedAt: try row["updated_at"])
    }

    /// Stores a new order (not its lines), unless the channel already sent one under the same
    /// reference: the unique (channel, channel_order_ref) decides, so two racing deliveries of
    /// one order cannot both be taken in. True when this call stored it.
    static func insert(_ db: any Database, _ o: Order) throws -> Bool {
        let inserted = try db.execute(
            """
            INSERT INTO orders (id, channel, channel_order_ref, status, hold_reason, payment_method, payment_status, fulfilment_status, gateway,
                                gateway_order_id, paid_paise, refund_due, payment_expires_at, cancel_reason, customer_name, customer_phone,
                                customer_email, shipping_address, billing_address, ship_pincode, place_of_supply, supply, subtotal_paise,
                                discount_paise, shipping_paise, shipping_taxable_paise, shipping_rate_bps, taxable_paise, cgst_paise, sgst_paise,
                                igst_paise, total_paise, risk_score, risk_reasons, reservation_id, tags, notes, version, placed_at, created_at, updated_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27,
                    ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41)
            ON CONFLICT (channel, channel_order_ref) DO NOTHING
            """,
            binding: o.id, o.channel, o.channelOrderRef, o.status.rawValue, o.holdReason?.rawValue, o.paymentMethod.rawValue, o.paymentStatus.rawValue,
            o.fulfilmentStatus.rawValue, o.gateway, o.gatewayOrderID, o.paidPaise, o.refundDue, o.paymentExpiresAt, o.cancelReason?.rawValue,
            o.customerName, o.customerPhone, o.customerEmail, o.shipping.json.encodedText, o.billing.map { $0.json.encodedText }, o.shipping.pincode,
            o.placeOfSupply.gstCode, o.supply.rawValue, o.totals.subtotalPaise, o.totals.discountPaise, o.totals.shippingPaise,
            o.shippingTax.taxablePaise, o.shippingTax.rateBps, o.totals.taxablePaise, o.totals.cgstPaise, o.totals.sgstPaise, o.totals.igstPaise,
            o.totals.totalPaise, o.riskScore, o.riskReasons.encodedText, o.reservationID, JSONValue.array(o.tags.map(JSONValue.string)).encodedText,
            o.notes, o.version, o.placedAt, o.createdAt, o.updatedAt)
        // The changed-row count decides (1 stored, 0 the reference exists); no RETURNING, which
        // SQLite runs through a temporary table at about twice the cost of the INSERT.
        guard inserted == 1 else { return false }
        try insertSearch(db, orderID: o.id, customer: o.customerName, recipient: o.shipping.name, createdAt: o.createdAt)
        return true
    }

    /// The order (without lines, shipments or history), or nil.
    static func find(_ db: any Database, id: String) throws -> Order? {
        try db.queryFirst("SELECT \(orderColumns) FROM orders WHERE id = ?1", [id], order)
    }

    /// The id of the order a channel knows by its own reference, if any.
    static func id(_ db: any Database, channel: String, channelOrderRef: String) throws -> String? {
        try db.queryFirst("SELECT id FROM orders WHERE channel = ?1 AND channel_order_ref = ?2", binding: channel, channelOrderRef) { row in
            try row["id"] as String
        }
    }

    /// The channel an order came from, or nil if there is no such order.
    static func channel(_ db: any Database, id: String) throws -> String? {
        try db.queryValue("SELECT channel FROM orders WHERE id = ?1", [id], as: String.self)
    }

    /// Orders placed in [from, to): how many and their totals, prepaid and COD, cancelled apart.
    static func sales(_ db: any Database, from: Int64, to: Int64) throws -> OrderQueries.Sales {
        try db.queryFirst(
            """
            SELECT COUNT(CASE WHEN status <> 'cancelled' THEN 1 ELSE NULL END) AS orders,
                   CAST(COALESCE(SUM(CASE WHEN status <> 'cancelled' THEN total_paise ELSE 0 END), 0) AS BIGINT) AS total,
                   CAST(COALESCE(SUM(CASE WHEN status <> 'cancelled' AND payment_method = 'prepaid' THEN total_paise ELSE 0 END), 0) AS BIGINT) AS prepaid,
                   CAST(COALESCE(SUM(CASE WHEN status <> 'cancelled' AND payment_method = 'cod' THEN total_paise ELSE 0 END), 0) AS BIGINT) AS cod,
                   COUNT(CASE WHEN status = 'cancelled' THEN 1 ELSE NULL END) AS cancelled,
                   CAST(COALESCE(SUM(CASE WHEN status = 'cancelled' THEN total_paise ELSE 0 END), 0) AS BIGINT) AS cancelled_total
              FROM orders WHERE placed_at >= ?1 AND placed_at < ?2
            """, binding: from, to) { row in
            OrderQueries.Sales(orders: try row["orders"], totalPaise: try row["total"], prepaidPaise: try row["prepaid"], codPaise: try row["cod"],
                               cancelledOrders: try row["cancelled"], cancelledPaise: try row["cancelled_total"])
        } ?? OrderQueries.Sales()
    }

    /// The order's status, or nil if there is no such order.
    static func status(_ db: any Database, id: String) throws -> OrderStatus? {
        guard let text = try db.queryValue("SELECT status FROM orders WHERE id = ?1", [id], as: String.self) else { return nil }
        guard let status = OrderStatus(rawValue: text) else { throw DomainError(.corruptOrder, "Order \(id) has an unknown status \(text).") }
        return status
    }

    /// An order's status and fulfilment status, or nil: all that following its shipments
    /// reads (decoding the whole row, its address JSON included, was a twentieth of a tracking
    /// push's writer time).
    static func statuses(_ db: any Database, id: String) throws -> (status: OrderStatus, fulfilment: FulfilmentStatus)? {
        try db.queryFirst("SELECT status, fulfilment_status FROM orders WHERE id = ?1", [id]) { row in
            let status: String = try row["status"], fulfilment: String = try row["fulfilment_status"]
            guard let s = OrderStatus(rawValue: status), let f = FulfilmentStatus(rawValue: fulfilment) else {
                throw DomainError(.corruptOrder, "Order \(id) has an unknown status \(status) or fulfilment status \(fulfilment).")
            }
            return (status: s, fulfilment: f)
        }
    }

    /// What a status move changes besides the status; nil leaves a column as it is.
    struct StatusChange {
        /// Set the hold reason (`.some(nil)` clears it).
        var holdReason: HoldReason??
        var cancelReason: CancelReason?
        var refundDue: Bool?
        /// Clear the payment deadline (the order no longer waits for payment).
        var clearPaymentExpiry = false
    }

    /// Moves the order from `from` to `to` with a conditional UPDATE (two racing moves cannot
    /// both win), bumping its version; true when it moved.
    static func move(_ db: any Database, id: String, from: OrderStatus, to: OrderStatus, _ change: StatusChange, now: Int64) throws -> Bool {
        let setHold = change.holdReason != nil
        let hold: String? = change.holdReason.flatMap { $0?.rawValue }
        return try db.execute(
            """
            UPDATE orders SET status = ?1, version = version + 1, updated_at = ?2,
                   hold_reason = CASE WHEN ?3 THEN ?4 ELSE hold_reason END,
                   cancel_reason = COALESCE(?5, cancel_reason),
                   refund_due = COALESCE(?6, refund_due),
                   payment_expires_at = CASE WHEN ?7 THEN NULL ELSE payment_expires_at END
             WHERE id = ?8 AND status = ?9
            """,
            binding: to.rawValue, now, setHold, hold, change.cancelReason?.rawValue, change.refundDue, change.clearPaymentExpiry, id, from.rawValue) == 1
    }

    /// What an edit writes: the new address, place of supply and totals, if the order is
    /// still at `version`. True when it was.
    static func updateEdited(_ db: any Database, id: String, version: Int64, shipping: OrderAddress, placeOfSupply: IndianState, supply: SupplyKind,
                             shippingTax: GSTLineTax, totals: OrderTotals, now: Int64) throws -> Bool {
        try db.execute(
            """
            UPDATE orders SET shipping_address = ?1, ship_pincode = ?2, place_of_supply = ?3, supply = ?4, subtotal_paise = ?5, discount_paise = ?6,
                   shipping_paise = ?7, shipping_taxable_paise = ?8, shipping_rate_bps = ?9, taxable_paise = ?10, cgst_paise = ?11, sgst_paise = ?12,
                   igst_paise = ?13, total_paise = ?14, refund_due = (paid_paise > ?14), version = version + 1, updated_at = ?15
             WHERE id = ?16 AND version = ?17
            """,
            binding: shipping.json.encodedText, shipping.pincode, placeOfSupply.gstCode, supply.rawValue, totals.subtotalPaise, totals.discountPaise,
            totals.shippingPaise, shippingTax.taxablePaise, shippingTax.rateBps, totals.taxablePaise, totals.cgstPaise, totals.sgstPaise,
            totals.igstPaise, totals.totalPaise, now, id, version) == 1
    }

    /// One page of orders newest first (by `created_at`, then id), one more than `limit` so
    /// the caller knows whether there is a next page; `after` is the last order of the
    /// previous page (its creation time is read here, then the page starts below it).
    ///
    /// A search's name matches come from their own statement (`nameStatement`), newest first
    /// and stopped at a page, and are merged here with what the exact keys found: a common name
    /// matches tens of thousands of orders, and fetching and sorting them all for every page
    /// was the one search that grew with the store.
    static func list(_ db: any Database, _ filter: OrderQueries.Filter) throws -> [Order] {
        var cursor: (createdAt: Int64, id: String)?
        if let after = filter.after {
            // An id that names no order still pages by the time it carries.
            let createdAt = try db.queryValue("SELECT created_at FROM orders WHERE id = ?1", [after], as: Int64.self)
            cursor = (createdAt ?? Int64(EntityID.milliseconds(of: after) ?? 0), after)
        }
        let statement = listStatement(filter, cursor: cursor, dialect: db.dialect)
        let found = try db.query(statement.sql, StatementArguments(statement.arguments), order)
        var named: [Order]
        switch db.dialect {
        case .postgres:
            named = try postgresNames(db, filter, cursor: cursor)
        case .sqlite:
            guard let names = nameStatement(filter, cursor: cursor) else { return found }
            named = try db.query(names.sql, StatementArguments(names.arguments), order)
        }
        if db.dialect == .sqlite, named.count > filter.limit, let last = named.last {
            // The index orders a millisecond's orders by arrival, the list by id: read the whole
            // of the page's last millisecond so the merge below cuts it where the list would.
            if let tie = nameStatement(filter, cursor: cursor, millisecond: last.createdAt) {
                named += try db.query(tie.sql, StatementArguments(tie.arguments), order)
            }
        }
        var seen = Set<String>()
        return (found + named).filter { seen.insert($0.id).inserted }
            .sorted { a, b in a.createdAt != b.createdAt ? a.createdAt > b.createdAt : b.id.utf8.lexicographicallyPrecedes(a.id.utf8) }
            .prefix(filter.limit + 1).map { $0 }
    }

    /// The order list's statement, exactly as `list` runs it (the plan tests read it from here):
    /// built from fixed fragments, numbering each placeholder as it is added.
    ///
    /// Without `q`, the filters and the cursor are one range of an index in the list's order
    /// (`orders_status`, `orders_channel`, `orders_payment_method`: the column, then
    /// `created_at, id`; `orders_created` with no filter), so a page reads about `limit` rows
    /// however large the store. With `q`, the orders the search's exact keys find (an id, a
    /// reference, a phone: each through its own index, see `OrderSearch`) drive the query: they
    /// are joined to `orders` by primary key — `CROSS JOIN` keeps them the outer loop on SQLite,
    /// which would otherwise walk a filter's index and test every order against the search — and
    /// only they are sorted, the other filters applied to them. (Name matches are
    /// `nameStatement`'s.)
    static func listStatement(_ filter: OrderQueries.Filter, cursor: (createdAt: Int64, id: String)?, dialect: SQLDialect)
        -> (sql: String, arguments: [(any SQLValueConvertible)?]) {
        var p = Placeholders()
        var sql: String
        if let q = filter.q, !q.trimmingSpaces.isEmpty {
            let search = OrderSearch(q)
            var found: [String] = []
            if let id = search.orderID { found.append("SELECT id AS found FROM orders WHERE id = \(p.next(id))") }
            found.append("SELECT id AS found FROM orders WHERE channel_order_ref = \(p.next(search.reference))")
            if let phone = search.phone { found.append("SELECT id AS found FROM orders WHERE customer_phone = \(p.next(phone))") }
            switch dialect {
            case .sqlite:
                sql = "SELECT \(orderColumns) FROM (\(found.joined(separator: " UNION "))) AS m CROSS JOIN orders WHERE orders.id = m.found"
            case .postgres:
                // Each order fetched by primary key for each id found (`OFFSET 0` keeps the
                // planner from flattening the lateral subquery, which it could otherwise turn
                // into a hash of every order).
                sql = "SELECT \(orderColumns) FROM (\(found.joined(separator: " UNION "))) AS m "
                    + "CROSS JOIN LATERAL (SELECT \(orderColumns) FROM orders WHERE orders.id = m.found OFFSET 0) AS orders WHERE 1 = 1"
            }
        } else {
            sql = "SELECT \(orderColumns) FROM orders WHERE 1 = 1"
            if dialect == .postgres, let lead = postgresLead(filter) {
                // PostgreSQL: the filter's index named as a range of its own columns (below).
                var rest = filter
                rest.status = lead.column == "status" ? nil : filter.status
                rest.paymentMethod = lead.column == "payment_method" ? nil : filter.paymentMethod
                let v = p.next(lead.value)
                sql += " AND (\(lead.column), created_at) >= (\(v), \(p.next(filter.createdAfter ?? .min)))"
                if let cursor {
                    sql += " AND (\(lead.column), created_at, id) < (\(v), \(p.next(cursor.createdAt)), \(p.next(cursor.id)))"
                } else {
                    sql += " AND (\(lead.column), created_at) < (\(v), \(p.next(filter.createdBefore ?? .max)))"
                }
                rest.createdAfter = nil
                sql += filters(rest, cursor: nil, &p)
                sql += " ORDER BY \(lead.column) DESC, created_at DESC, id DESC LIMIT \(p.next(filter.limit + 1))"
                return (sql, p.arguments)
            }
        }
        sql += filters(filter, cursor: cursor, &p)
        sql += " ORDER BY created_at DESC, id DESC LIMIT \(p.next(filter.limit + 1))"
        return (sql, p.arguments)
    }

    /// The filter a PostgreSQL order list is read through (status, else payment method), as a
    /// column and its value; nil with neither. (A channel alone keeps the plain shape: its
    /// values are few and evenly spread, and as a range the planner could read it through the
    /// unique `(channel, channel_order_ref)` index and sort.)
    ///
    /// Why not `status = ? ORDER BY created_at DESC`: PostgreSQL drops a sort key fixed by an
    /// equality, so the filter's index `(status, created_at, id)` and `orders_created` look
    /// equally ordered, and for a common value (completed: 83 % of orders) its statistics
    /// choose `orders_created` and a filter — which, at 223,558 orders, read past 25,897
    /// newer orders that were not yet completed (22 ms for one page). Written as a range of
    /// the index's own columns (`(status, created_at) >= (?, after)`, the cursor or
    /// `(status, created_at) < (?, before)`) and ordered by all three, only that index gives
    /// the order without a sort: 0.35 ms. The range holds exactly the value's rows.
    private static func postgresLead(_ filter: OrderQueries.Filter) -> (column: String, value: String)? {
        if let s = filter.status { return ("status", s) }
        if let m = filter.paymentMethod { return ("payment_method", m) }
        return nil
    }

    /// SQLite's name matches for a search, newest first, as `list` runs it; nil when `q` has no
    /// name words. `order_search`'s rowids are `created_at` × `searchRowsPerMillisecond` plus
    /// the order's arrival within that millisecond (`insertSearch`), so FTS5 hands the matches
    /// over in rowid order, newest first, each joined to its order by primary key, and the
    /// query stops after a page — a common name costs what a rare one does. The cursor and the
    /// date filters bound the rowids too. With `millisecond`, every match created in that one
    /// millisecond instead (no limit, no order): the rest of a page's last millisecond.
    static func nameStatement(_ filter: OrderQueries.Filter, cursor: (createdAt: Int64, id: String)?, millisecond: Int64? = nil)
        -> (sql: String, arguments: [(any SQLValueConvertible)?])? {
        guard let q = filter.q, let match = OrderSearch(q).fts5Query else { return nil }
        var p = Placeholders()
        let perMillisecond = searchRowsPerMillisecond
        var sql = "SELECT \(orderColumns) FROM order_search CROSS JOIN orders WHERE order_search MATCH \(p.next(match))"
        // Rowid bounds: [from, to) in creation time, each clamped so the product cannot overflow.
        func rowid(_ ms: Int64) -> Int64 { ms.multipliedReportingOverflow(by: perMillisecond).overflow ? (ms < 0 ? .min : .max) : ms * perMillisecond }
        var from = filter.createdAfter.map(rowid)
        var to = filter.createdBefore.map(rowid)
        if let cursor { to = min(to ?? .max, rowid(cursor.createdAt.addingReportingOverflow(1).overflow ? .max : cursor.createdAt + 1)) }
        if let millisecond {
            from = max(from ?? .min, rowid(millisecond))
            to = min(to ?? .max, rowid(millisecond.addingReportingOverflow(1).overflow ? .max : millisecond + 1))
        }
        if let from { sql += " AND order_search.rowid >= \(p.next(from))" }
        if let to { sql += " AND order_search.rowid < \(p.next(to))" }
        sql += " AND orders.id = order_search.order_id"
        sql += filters(filter, cursor: cursor, &p)
        if millisecond == nil { sql += " ORDER BY order_search.rowid DESC LIMIT \(p.next(filter.limit + 1))" }
        return (sql, p.arguments)
    }

    /// PostgreSQL's name matches in one window of creation time, `[window.lowerBound,
    /// window.upperBound)`, as `postgresNames` reads them; nil when `q` has no name words. A GIN
    /// index hands matches over in no order, so each search row carries its order's
    /// `created_at` and, besides the name's words, the same words marked with the week the
    /// order was created in (`terms`, a column PostgreSQL generates: migration 20). With
    /// `weeks`, the window's weeks are asked for by those lexemes: the index reads a week's
    /// short lists (a first name's week: a few thousand entries) rather than the whole store's
    /// (60,000 for a common first name, 8 ms to intersect two). Without, the words themselves,
    /// for what is left of the window. Either way the matches' narrow rows are sorted by
    /// `(created_at, order_id)` — dates and cursor applied there — and only then is each order
    /// fetched by primary key, in that order, until the page is full.
    static func postgresNameStatement(_ filter: OrderQueries.Filter, cursor: (createdAt: Int64, id: String)?,
                                      window: Range<Int64>, weeks: ClosedRange<Int64>? = nil)
        -> (sql: String, arguments: [(any SQLValueConvertible)?])? {
        guard let q = filter.q, let match = OrderSearch(q).tsQuery(weeks: weeks) else { return nil }
        var p = Placeholders()
        var inner = "SELECT order_id AS found_id, created_at AS found_at FROM order_search"
            + " WHERE terms @@ CAST(\(p.next(match)) AS tsquery)"
        let after = max(filter.createdAfter ?? .min, window.lowerBound)
        let before = min(filter.createdBefore ?? .max, window.upperBound)
        if after > .min { inner += " AND created_at >= \(p.next(after))" }
        if before < .max { inner += " AND created_at < \(p.next(before))" }
        if let cursor { inner += " AND (created_at, order_id) < (\(p.next(cursor.createdAt)), \(p.next(cursor.id)))" }
        // `OFFSET 0` on both subqueries: the matches stay the sorted outer loop, each order
        // a primary-key fetch inside it, and the limit stops the loop.
        var sql = "SELECT \(orderColumns) FROM (\(inner) ORDER BY found_at DESC, found_id DESC OFFSET 0) AS m "
            + "CROSS JOIN LATERAL (SELECT \(orderColumns) FROM orders WHERE orders.id = m.found_id OFFSET 0) AS orders WHERE 1 = 1"
        var rest = filter
        rest.createdAfter = nil
        rest.createdBefore = nil
        sql += filters(rest, cursor: nil, &p)
        sql += " ORDER BY m.found_at DESC, m.found_id DESC LIMIT \(p.next(filter.limit + 1))"
        return (sql, p.arguments)
    }

    /// A name search's page on PostgreSQL: windows of creation time, newest first — the four
    /// newest weeks, the eight before, then sixteen (by their week lexemes), then all older
    /// time (by the words) — each read with `postgresNameStatement` until the page is full. A buyer's
    /// full name with a thousand orders over six months fills a page from the first window (the
    /// newest week is only begun, so two would often not); a name with few matches reads 28
    /// weeks' short lists and then the rest once.
    /// The windows do not overlap and each is read newest first, so the pages are in order.
    static func postgresNames(_ db: any Database, _ filter: OrderQueries.Filter, cursor: (createdAt: Int64, id: String)?) throws -> [Order] {
        guard let q = filter.q, !OrderSearch(q).words.isEmpty else { return [] }
        // The newest order bounds the first window (one seek of `orders_created`).
        guard let newest = try db.queryValue("SELECT MAX(created_at) AS newest FROM orders", as: Int64.self) else { return [] }
        var upper = min(filter.createdBefore ?? .max, newest.addingReportingOverflow(1).overflow ? .max : newest + 1)
        if let cursor { upper = min(upper, cursor.createdAt.addingReportingOverflow(1).overflow ? .max : cursor.createdAt + 1) }
        let lower = filter.createdAfter ?? .min
        var found: [Order] = []
        var span: Int64 = 4
        while found.count <= filter.limit, upper > lower {
            var page = filter
            page.limit = filter.limit - found.count
            let statement: (sql: String, arguments: [(any SQLValueConvertible)?])?
            let top = OrderSearch.week(of: upper - 1)
            if span <= 16 {
                let first = max(top - span + 1, OrderSearch.week(of: lower))
                // Week 0 also holds every time before 1970 (see `OrderSearch.week`).
                let start = first == 0 ? lower : max(first * OrderSearch.weekMilliseconds, lower)
                statement = postgresNameStatement(page, cursor: cursor, window: start..<upper, weeks: first...top)
                upper = start
            } else {
                statement = postgresNameStatement(page, cursor: cursor, window: lower..<upper)
                upper = lower
            }
            guard let statement else { return [] }
            found += try db.query(statement.sql, StatementArguments(statement.arguments), order)
            span *= 2
        }
        return found
    }

    /// The list's filters and cursor on `orders`, as SQL conditions after a WHERE.
    private static func filters(_ filter: OrderQueries.Filter, cursor: (createdAt: Int64, id: String)?,
                                _ p: inout Placeholders) -> String {
        var sql = ""
        if let s = filter.status { sql += " AND status = \(p.next(s))" }
        if let c = filter.channel { sql += " AND channel = \(p.next(c))" }
        if let m = filter.paymentMethod { sql += " AND payment_method = \(p.next(m))" }
        if let t = filter.createdAfter { sql += " AND created_at >= \(p.next(t))" }
        if let t = filter.createdBefore { sql += " AND created_at < \(p.next(t))" }
        if let cursor { sql += " AND (created_at, id) < (\(p.next(cursor.createdAt)), \(p.next(cursor.id)))" }
        return sql
    }

    /// How many `order_search` rowids each millisecond of creation time owns on SQLite (2^20):
    /// more orders than that in one millisecond is impossible, and 2^63 / 2^20 milliseconds is
    /// the year 2248. Migration 22 numbers the existing rows the same way.
    static let searchRowsPerMillisecond: Int64 = 1 << 20

    // MARK: - order_search

    /// The first of the `searchRowsPerMillisecond` SQLite search rowids that belong to the
    /// creation time `createdAt`; a time before 1970 or past the year 2248 has none.
    private static func firstSearchRowid(_ createdAt: Int64) throws -> Int64 {
        let first = createdAt.multipliedReportingOverflow(by: searchRowsPerMillisecond)
        guard !first.overflow, createdAt >= 0 else {
            throw DomainError(.validationFailed, "An order's creation time \(createdAt) is out of range.")
        }
        return first.partialValue
    }

    /// Adds a new order's names to the search index (in the transaction that stores it).
    /// On SQLite its rowid is its creation time's first free number (`searchRowsPerMillisecond`):
    /// the millisecond's highest rowid plus one, a range read of the FTS5 table's rowids. On
    /// PostgreSQL the row carries `created_at`, which `nameStatement` sorts the matches by.
    static func insertSearch(_ db: any Database, orderID: String, customer: String, recipient: String, createdAt: Int64) throws {
        let names = OrderSearch.names(customer: customer, recipient: recipient)
        switch db.dialect {
        case .sqlite:
            try db.perform(
                """
                INSERT INTO order_search (rowid, order_id, names)
                VALUES ((SELECT COALESCE(MAX(rowid) + 1, ?1) FROM order_search WHERE rowid >= ?1 AND rowid < ?1 + ?4), ?2, ?3)
                """, binding: try firstSearchRowid(createdAt), orderID, names, searchRowsPerMillisecond)
        case .postgres:
            try db.perform("INSERT INTO order_search (order_id, names, created_at) VALUES (?1, ?2, ?3)", binding: orderID, names, createdAt)
        }
    }

    /// Numbers SQLite's search rows by their orders' creation times again (as migration 22
    /// does, in the table migration 27 leaves: prefix indexes for words of 2 to 6 letters, the
    /// order id stored but not indexed): `bahi copy` writes the rows with rowids of its own, and a name search reads them
    /// in rowid order. Nothing to do on PostgreSQL.
    static func renumberSearch(_ db: any Database) throws {
        guard db.dialect == .sqlite else { return }
        try db.execute("""
            CREATE TEMP TABLE order_search_copy AS SELECT s.order_id, s.names, o.created_at FROM order_search s JOIN orders o ON o.id = s.order_id;
            DROP TABLE order_search;
            CREATE VIRTUAL TABLE "order_search" USING fts5 (order_id UNINDEXED, names, columnsize = 0, prefix = '2 3 4 5 6');
            INSERT INTO order_search (rowid, order_id, names)
                SELECT created_at * \(searchRowsPerMillisecond) + ROW_NUMBER() OVER (PARTITION BY created_at ORDER BY order_id) - 1, order_id, names
                  FROM order_search_copy;
            DROP TABLE order_search_copy;
            """)
    }

    /// Replaces an order's names in the search index (an edit changed the recipient). On
    /// SQLite `order_id` is stored, not indexed (migration 27): the row is found among its
    /// creation millisecond's rowids (`insertSearch`), a range of the FTS5 table's own rows.
    static func updateSearch(_ db: any Database, orderID: String, customer: String, recipient: String, createdAt: Int64) throws {
        let names = OrderSearch.names(customer: customer, recipient: recipient)
        switch db.dialect {
        case .sqlite:
            try db.execute(
                "UPDATE order_search SET names = ?3 WHERE rowid >= ?1 AND rowid < ?1 + ?2 AND order_id = ?4",
                binding: try firstSearchRowid(createdAt), searchRowsPerMillisecond, names, orderID)
        case .postgres:
            try db.execute("UPDATE order_search SET names = ?2 WHERE order_id = ?1", binding: orderID, names)
        }
    }

    /// When the earliest unpaid order's payment window closes, or nil. (`MIN` over no rows is
    /// one row holding NULL, so the column is read as optional.)
    ///
    /// On SQLite the partial index `orders_payment_expiry` is named: without statistics the
    /// planner takes `orders_status` for the equality and reads the row of every order waiting
    /// for payment — 70 ms for 130,000 of them, five times a second on a reader — where the
    /// partial index holds exactly those orders in deadline order, so MIN is one seek.
    /// PostgreSQL's planner picks the partial index by itself (and has no `INDEXED BY`).
    static func nextPaymentExpiry(_ db: any Database) throws -> Int64? {
        let sql = db.dialect == .sqlite
            ? "SELECT MIN(payment_expires_at) AS next_expiry FROM orders INDEXED BY orders_payment_expiry WHERE status = 'pending_payment'"
            : "SELECT MIN(payment_expires_at) AS next_expiry FROM orders WHERE status = 'pending_payment'"
        return try db.queryFirst(sql) { row in try row["next_expiry"] as Int64? } ?? nil
    }

    /// Orders still waiting for a payment whose window closed by `now`, earliest first (on
    /// SQLite through `orders_payment_expiry`, named for the reason `nextPaymentExpiry` gives).
    static func paymentsOverdue(_ db: any Database, now: Int64, limit: Int) throws -> [String] {
        let sql = db.dialect == .sqlite
            ? "SELECT id FROM orders INDEXED BY orders_payment_expiry WHERE status = 'pending_payment' AND payment_expires_at <= ?1 ORDER BY payment_expires_at LIMIT ?2"
            : "SELECT id FROM orders WHERE status = 'pending_payment' AND payment_expires_at <= ?1 ORDER BY payment_expires_at LIMIT ?2"
        return try db.query(sql, [now, limit]) { row in try row["id"] as String }
    }

    /// What the packing queue sorts an order's shipments by.
    struct QueueFacts {
        var channel: String
        var channelOrderRef: String
        var paymentMethod: String
        var totalPaise: Int64
        var createdAt: Int64
    }

    /// The order's queue facts if it is confirmed or in fulfilment (others may not be picked).
    static func fulfillable(_ db: any Database, id: String) throws -> QueueFacts? {
        try db.queryFirst(
            "SELECT channel, channel_order_ref, payment_method, total_paise, created_at FROM orders WHERE id = ?1 AND status IN ('confirmed', 'in_fulfilment')",
            [id]
        ) { row in
            QueueFacts(channel: try row["channel"], channelOrderRef: try row["channel_order_ref"], paymentMethod: try row["payment_method"],
                       totalPaise: try row["total_paise"], createdAt: try row["created_at"])
        }
    }

    // MARK: - order_lines

    /// Every column an `Order.Line` is decoded from.
    static let lineColumns = "line, sku, name, hsn, qty, unit_price_paise, discount_paise, total_paise, taxable_paise, rate_bps, cgst_paise, sgst_paise, igst_paise, invoice_id"

    /// The line of one row of `lineColumns`.
    static func line(_ row: Row) throws -> Order.Line {
        let qty: Int64 = try row["qty"], unit: Int64 = try row["unit_price_paise"], discount: Int64 = try row["discount_paise"]
        let tax = GSTLineTax(grossPaise: qty * unit, discountPaise: discount, totalPaise: try row["total_paise"], taxablePaise: try row["taxable_paise"],
                             rateBps: try row["rate_bps"], cgstPaise: try row["cgst_paise"], sgstPaise: try row["sgst_paise"], igstPaise: try row["igst_paise"])
        return Order.Line(line: try row["line"], sku: try row["sku"], name: try row["name"], hsn: try row["hsn"], qty: qty, unitPricePaise: unit,
                          discountPaise: discount, tax: tax, invoiceID: try row["invoice_id"])
    }

    /// An order's lines in line order.
    static func lines(_ db: any Database, orderID: String) throws -> [Order.Line] {
        try db.query("SELECT \(lineColumns) FROM order_lines WHERE order_id = ?1 ORDER BY line", [orderID], line)
    }

    /// Stores one line with its tax.
    static func insertLine(_ db: any Database, orderID: String, _ l: Order.Line) throws {
        try db.perform(
            """
            INSERT INTO order_lines (order_id, line, sku, name, hsn, qty, unit_price_paise, discount_paise, total_paise, taxable_paise,
                                     rate_bps, cgst_paise, sgst_paise, igst_paise, invoice_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
            """,
            binding: orderID, l.line, l.sku, l.name, l.hsn, l.qty, l.unitPricePaise, l.discountPaise, l.tax.totalPaise, l.tax.taxablePaise,
            l.tax.rateBps, l.tax.cgstPaise, l.tax.sgstPaise, l.tax.igstPaise, l.invoiceID)
    }

    /// Removes an order's lines (an edit writes them afresh).
    static func deleteLines(_ db: any Database, orderID: String) throws {
        try db.execute("DELETE FROM order_lines WHERE order_id = ?1", [orderID])
    }

    /// Marks a line billed by `invoiceID` unless an invoice billed it already; true when this
    /// call marked it.
    static func markInvoiced(_ db: any Database, orderID: String, line: Int, invoiceID: String) throws -> Bool {
        try db.execute("UPDATE order_lines SET invoice_id = ?1 WHERE order_id = ?2 AND line = ?3 AND invoice_id IS NULL",
                       binding: invoiceID, orderID, line) == 1
    }

    // MARK: - order_history

    /// Appends one history row.
    static func insertHistory(_ db: any Database, orderID: String, action: String, from: OrderStatus?, to: OrderStatus, detailJSON: String,
                              actor: String?, now: Int64) throws {
        try db.perform(
            "INSERT INTO order_history (order_id, action, from_status, to_status, detail, actor, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            binding: orderID, action, from?.rawValue, to.rawValue, detailJSON, actor, now)
    }

    /// An order's history, oldest first.
    static func history(_ db: any Database, orderID: String) throws -> [Order.HistoryEntry] {
        try db.query(
            "SELECT action, from_status, to_status, detail, actor, created_at FROM order_history WHERE order_id = ?1 ORDER BY id", [orderID]
        ) { row in
            let detail: String = try row["detail"]
            return Order.HistoryEntry(action: try row["action"], fromStatus: try row["from_status"], toStatus: try row["to_status"],
                                      detail: try JSONParser.parse(Array(detail.utf8)), actor: try row["actor"], at: try row["created_at"])
        }
    }

    // MARK: - customer_stats, pincode_stats

    /// What RTO risk knows of a phone: orders, cancellations and RTOs (zeros if unknown).
    static func customerStats(_ db: any Database, phone: String) throws -> (orders: Int64, cancellations: Int64, rtos: Int64) {
        try db.queryFirst("SELECT orders, cancellations, rtos FROM customer_stats WHERE phone = ?1", binding: phone) { row in
            (orders: try row["orders"] as Int64, cancellations: try row["cancellations"] as Int64, rtos: try row["rtos"] as Int64)
        } ?? (0, 0, 0)
    }

    /// What RTO risk knows of a pincode: orders and RTOs (zeros if unknown).
    static func pincodeStats(_ db: any Database, pincode: String) throws -> (orders: Int64, rtos: Int64) {
        try db.queryFirst("SELECT orders, rtos FROM pincode_stats WHERE pincode = ?1", binding: pincode) { row in
            (orders: try row["orders"] as Int64, rtos: try row["rtos"] as Int64)
        } ?? (0, 0)
    }

    /// Counts an order for its phone and pincode.
    static func countOrder(_ db: any Database, phone: String, pincode: String) throws {
        try db.perform("INSERT INTO customer_stats (phone, orders) VALUES (?1, 1) ON CONFLICT (phone) DO UPDATE SET orders = customer_stats.orders + 1", binding: phone)
        try db.perform("INSERT INTO pincode_stats (pincode, orders) VALUES (?1, 1) ON CONFLICT (pincode) DO UPDATE SET orders = pincode_stats.orders + 1", binding: pincode)
    }

    /// Counts a cancellation for its phone and pincode.
    static func countCancellation(_ db: any Database, phone: String, pincode: String) throws {
        try db.perform(
            "INSERT INTO customer_stats (phone, cancellations) VALUES (?1, 1) ON CONFLICT (phone) DO UPDATE SET cancellations = customer_stats.cancellations + 1",
            binding: phone)
        try db.perform(
            "INSERT INTO pincode_stats (pincode, cancellations) VALUES (?1, 1) ON CONFLICT (pincode) DO UPDATE SET cancellations = pincode_stats.cancellations + 1",
            binding: pincode)
    }

    /// Counts a parcel that came back (RTO) for its phone and pincode.
    static func countRTO(_ db: any Database, phone: String, pincode: String) throws {
        try db.perform("INSERT INTO customer_stats (phone, rtos) VALUES (?1, 1) ON CONFLICT (phone) DO UPDATE SET rtos = customer_stats.rtos + 1", binding: phone)
        try db.perform("INSERT INTO pincode_stats (pincode, rtos) VALUES (?1, 1) ON CONFLICT (pincode) DO UPDATE SET rtos = pincode_stats.rtos + 1", binding: pincode)
    }

    /// Sets the order's fulfilment status unless it is that already; true when it changed.
    static func setFulfilmentStatus(_ db: any Database, id: String, to status: FulfilmentStatus, now: Int64) throws -> Bool {
        try db.execute("UPDATE orders SET fulfilment_status = ?1, version = version + 1, updated_at = ?2 WHERE id = ?3 AND fulfilment_status <> ?1",
                       binding: status.rawValue, now, id) == 1
    }

    // MARK: - payments

    /// The orders a channel reference names, in any channel (`orders_channel_ref`), at most two.
    static func orderIDs(_ db: any Database, channelOrderRef: String) throws -> [String] {
        try db.query("SELECT id FROM orders WHERE channel_order_ref = ?1 ORDER BY id LIMIT 2", binding: channelOrderRef) { row -> String in try row["id"] }
    }

    /// Sets the order's fulfilment status to `to` if it is `from` or `orFrom` (never
    /// backwards); true when it changed.
    static func setFulfilmentStatus(_ db: any Database, id: String, from: FulfilmentStatus, orFrom: FulfilmentStatus, to: FulfilmentStatus, now: Int64) throws -> Bool {
        try db.execute(
            "UPDATE orders SET fulfilment_status = ?1, version = version + 1, updated_at = ?2 WHERE id = ?3 AND fulfilment_status IN (?4, ?5)",
            binding: to.rawValue, now, id, from.rawValue, orFrom.rawValue) == 1
    }

    /// Moves a COD order whose cash was collected to `cod_remitted`; returns whether it did.
    static func markCODRemitted(_ db: any Database, id: String, now: Int64) throws -> Bool {
        try db.execute(
            "UPDATE orders SET payment_status = 'cod_remitted', version = version + 1, updated_at = ?1 WHERE id = ?2 AND payment_status = 'cod_collected'",
            binding: now, id) == 1
    }

    /// The order a gateway created its order for (`orders_gateway_order`); the lowest id if
    /// several share it. `MIN` rather than `ORDER BY id LIMIT 1`: the same answer without a
    /// sorter opened on every webhook.
    static func orderID(_ db: any Database, gateway: String, gatewayOrderID: String) throws -> String? {
        try db.queryFirst("SELECT MIN(id) AS id FROM orders WHERE gateway = ?1 AND gateway_order_id = ?2 AND gateway_order_id IS NOT NULL",
                          binding: gateway, gatewayOrderID) { row -> String? in try row["id"] } ?? nil
    }

    /// `applyPayment`'s statement, its text built once (the confirmation's condition is in it
    /// three times): one string for the life of the process, so the connection's statement
    /// cache finds it by address.
    private static let applyPaymentSQL: String = {
        let confirming = "?5 AND status = 'pending_payment' AND (paid_paise + ?2 >= total_paise OR (?3 > 0 AND paid_paise + ?2 + ?3 >= total_paise))"
        return """
            UPDATE orders SET
                   payment_status = CASE
                       WHEN ?2 > 0 AND paid_paise + ?2 >= total_paise THEN CASE WHEN payment_method = 'cod' THEN 'cod_collected' ELSE 'paid' END
                       WHEN ?3 > 0 AND payment_status = 'unpaid' AND paid_paise + ?3 >= total_paise THEN 'authorized'
                       ELSE payment_status END,
                   refund_due = (refund_due OR (status = 'cancelled' AND paid_paise + ?2 > 0) OR paid_paise + ?2 > total_paise),
                   status = CASE WHEN \(confirming) THEN 'confirmed' ELSE status END,
                   payment_expires_at = CASE WHEN \(confirming) THEN NULL ELSE payment_expires_at END,
                   version = version + CASE WHEN \(confirming) THEN 2 ELSE 1 END,
                   paid_paise = paid_paise + ?2,
                   updated_at = ?4
             WHERE id = ?1 AND status = ?6
            RETURNING paid_paise, status, total_paise
            """
    }()

    /// The order's payment columns after a payment, applied in one statement if the order is
    /// still at `from` (nil otherwise): captured money is added to what was paid (never read,
    /// added and written back), the payment status advances when the money covers the total,
    /// and `refund_due` is raised when money is held for a cancelled order or beyond the total.
    /// With `confirms`, money that covers a prepaid order waiting for payment (an authorization:
    /// what is still owed) also moves it to `confirmed` and clears its payment deadline, in the
    /// same UPDATE: the order row and its status indexes are written once, not twice. Its
    /// version goes up by two then, as for a payment and a confirmation.
    static func applyPayment(_ db: any Database, id: String, from: OrderStatus, capturedPaise: Int64, authorizedPaise: Int64, confirms: Bool, now: Int64)
        throws -> (paidPaise: Int64, status: OrderStatus, totalPaise: Int64)? {
        try db.queryFirst(
            applyPaymentSQL,
            binding: id, capturedPaise, authorizedPaise, now, confirms, from.rawValue
        ) { row in
            let text: String = try row["status"]
            guard let status = OrderStatus(rawValue: text) else { throw DomainError(.corruptOrder, "Order \(id) has an unknown status \(text).") }
            return (paidPaise: try row["paid_paise"] as Int64, status: status, totalPaise: try row["total_paise"] as Int64)
        }
    }
}
