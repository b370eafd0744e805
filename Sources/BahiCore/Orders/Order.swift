public import BahiStore
public import BahiJSON

/// An order as stored: what `GET /v1/orders/{id}` shows and what transitions check.
public struct Order: Sendable {
    /// One line with the tax computed for it.
    public struct Line: Sendable, Equatable {
        public var line: Int
        public var sku: String
        public var name: String
        public var hsn: String
        public var qty: Int64
        public var unitPricePaise: Int64
        public var discountPaise: Int64
        public var tax: GSTLineTax
        public var invoiceID: String?

        public var json: JSONValue {
            .object([
                "line": .int(Int64(line)), "sku": .string(sku), "name": .string(name), "hsn": .string(hsn), "qty": .int(qty),
                "unit_price_paise": .int(unitPricePaise), "discount_paise": .int(discountPaise), "total_paise": .int(tax.totalPaise),
                "taxable_paise": .int(tax.taxablePaise), "gst_rate_bps": .int(tax.rateBps), "cgst_paise": .int(tax.cgstPaise),
                "sgst_paise": .int(tax.sgstPaise), "igst_paise": .int(tax.igstPaise), "invoice_id": .optional(invoiceID),
            ])
        }
    }

    /// One entry of the order's history.
    public struct HistoryEntry: Sendable {
        public var action: String
        public var fromStatus: String?
        public var toStatus: String
        public var detail: JSONValue
        public var actor: String?
        public var at: Int64

        public var json: JSONValue {
            .object([
                "action": .string(action), "from_status": .optional(fromStatus), "to_status": .string(toStatus), "detail": detail,
                "actor": .optional(actor), "at": .string(Timestamps.rfc3339(milliseconds: at)),
            ])
        }
    }

    public var id: String
    public var channel: String
    public var channelOrderRef: String
    public var status: OrderStatus
    public var holdReason: String?
    public var paymentMethod: String
    public var paymentStatus: String
    public var fulfilmentStatus: String
    public var gateway: String?
    public var gatewayOrderID: String?
    public var paidPaise: Int64
    public var refundDue: Bool
    public var paymentExpiresAt: Int64?
    public var cancelReason: String?
    public var customerName: String
    public var customerPhone: String
    public var customerEmail: String?
    public var shipping: OrderAddress
    public var billing: OrderAddress?
    public var placeOfSupply: IndianState
    public var supply: SupplyKind
    public var shippingTax: GSTLineTax
    public var totals: OrderTotals
    public var riskScore: Int
    public var riskReasons: JSONValue
    public var reservationID: String?
    public var tags: [String]
    public var notes: String?
    public var version: Int64
    public var placedAt: Int64
    public var createdAt: Int64
    public var updatedAt: Int64
    public var lines: [Line] = []
    public var shipments: [Shipment] = []
    public var history: [HistoryEntry] = []

    /// The order as the API shows it.
    public func json(includeHistory: Bool = true) -> JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["channel"] = .string(channel)
        o["channel_order_ref"] = .string(channelOrderRef)
        o["status"] = .string(status.rawValue)
        o["hold_reason"] = .optional(holdReason)
        o["payment"] = .object([
            "method": .string(paymentMethod), "status": .string(paymentStatus), "gateway": .optional(gateway),
            "gateway_order_id": .optional(gatewayOrderID), "paid_paise": .int(paidPaise), "refund_due": .bool(refundDue),
            "expires_at": paymentExpiresAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null,
        ])
        o["fulfilment_status"] = .string(fulfilmentStatus)
        o["cancel_reason"] = .optional(cancelReason)
        o["customer"] = .object(["name": .string(customerName), "phone": .string(customerPhone), "email": .optional(customerEmail)])
        o["shipping_address"] = shipping.json
        o["billing_address"] = billing?.json ?? .null
        o["place_of_supply"] = .object(["state": .string(placeOfSupply.name), "state_code": .string(placeOfSupply.gstCode)])
        o["supply"] = .string(supply.rawValue)
        o["lines"] = .array(lines.map(\.json))
        o["shipping"] = .object([
            "total_paise": .int(shippingTax.totalPaise), "taxable_paise": .int(shippingTax.taxablePaise), "gst_rate_bps": .int(shippingTax.rateBps),
            "cgst_paise": .int(shippingTax.cgstPaise), "sgst_paise": .int(shippingTax.sgstPaise), "igst_paise": .int(shippingTax.igstPaise),
        ])
        o["totals"] = totals.json
        o["risk"] = .object(["score": .int(Int64(riskScore)), "reasons": riskReasons])
        o["reservation_id"] = .optional(reservationID)
        o["tags"] = .array(tags.map(JSONValue.string))
        o["notes"] = .optional(notes)
        o["shipments"] = .array(shipments.map(\.json))
        if includeHistory { o["history"] = .array(history.map(\.json)) }
        o["version"] = .int(version)
        o["placed_at"] = .string(Timestamps.rfc3339(milliseconds: placedAt))
        o["created_at"] = .string(Timestamps.rfc3339(milliseconds: createdAt))
        o["updated_at"] = .string(Timestamps.rfc3339(milliseconds: updatedAt))
        return .object(o)
    }
}

/// Reading orders back.
public enum OrderQueries {
    static let columns = """
        id, channel, channel_order_ref, status, hold_reason, payment_method, payment_status, fulfilment_status, gateway, gateway_order_id,
        paid_paise, refund_due, payment_expires_at, cancel_reason, customer_name, customer_phone, customer_email, shipping_address,
        billing_address, place_of_supply, supply, subtotal_paise, discount_paise, shipping_paise, shipping_taxable_paise, shipping_rate_bps,
        taxable_paise, cgst_paise, sgst_paise, igst_paise, total_paise, risk_score, risk_reasons, reservation_id, tags, notes, version,
        placed_at, created_at, updated_at
        """

    static func decode(_ row: Row) throws -> Order {
        let shippingJSON: String = try row[17]
        let billingJSON: String? = try row[18]
        guard let shipping = OrderAddress(json: try JSONParser.parse(Array(shippingJSON.utf8))) else {
            throw DomainError(status: 500, code: "corrupt_order", detail: "Order \(try row[0] as String) has an unreadable shipping address.")
        }
        let billing = try billingJSON.flatMap { OrderAddress(json: try JSONParser.parse(Array($0.utf8))) }
        guard let supply = SupplyKind(rawValue: try row[20]), let placeOfSupply = IndianState(gstCode: try row[19]),
              let status = OrderStatus(rawValue: try row[3]) else {
            throw DomainError(status: 500, code: "corrupt_order", detail: "Order \(try row[0] as String) has an unknown status, supply or state code.")
        }
        let shippingPaise: Int64 = try row[23], shippingTaxable: Int64 = try row[24]
        let shippingTax = GSTLineTax.stored(totalPaise: shippingPaise, discountPaise: 0, taxablePaise: shippingTaxable, rateBps: try row[25], supply: supply)
        let totals = OrderTotals(
            subtotalPaise: try row[21], discountPaise: try row[22], shippingPaise: shippingPaise, taxablePaise: try row[26],
            cgstPaise: try row[27], sgstPaise: try row[28], igstPaise: try row[29], totalPaise: try row[30])
        let tagsText: String = try row[34]
        var tags: [String] = []
        if case .array(let items) = try JSONParser.parse(Array(tagsText.utf8)) {
            tags = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        let reasonsText: String = try row[32]
        return Order(
            id: try row[0], channel: try row[1], channelOrderRef: try row[2], status: status,
            holdReason: try row[4], paymentMethod: try row[5], paymentStatus: try row[6], fulfilmentStatus: try row[7], gateway: try row[8],
            gatewayOrderID: try row[9], paidPaise: try row[10], refundDue: try row[11], paymentExpiresAt: try row[12], cancelReason: try row[13],
            customerName: try row[14], customerPhone: try row[15], customerEmail: try row[16], shipping: shipping, billing: billing,
            placeOfSupply: placeOfSupply, supply: supply, shippingTax: shippingTax, totals: totals,
            riskScore: try row[31], riskReasons: try JSONParser.parse(Array(reasonsText.utf8)), reservationID: try row[33], tags: tags,
            notes: try row[35], version: try row[36], placedAt: try row[37], createdAt: try row[38], updatedAt: try row[39])
    }

    /// The order with its lines, shipments and (optionally) history, or nil.
    public static func find(_ db: any Database, id: String, history: Bool = true) throws -> Order? {
        guard var order = try db.queryFirst("SELECT \(columns) FROM orders WHERE id = ?", [id], decode) else { return nil }
        order.lines = try lines(db, orderID: id, supply: order.supply)
        order.shipments = try Shipments.forOrder(db, orderID: id)
        if history { order.history = try self.history(db, orderID: id) }
        return order
    }

    /// The order a channel knows by its own reference, if any.
    public static func id(_ db: any Database, channel: String, channelOrderRef: String) throws -> String? {
        try db.queryFirst("SELECT id FROM orders WHERE channel = ? AND channel_order_ref = ?", binding: channel, channelOrderRef) { row in try row[0] as String }
    }

    /// An order's lines.
    public static func lines(_ db: any Database, orderID: String, supply: SupplyKind) throws -> [Order.Line] {
        try db.query(
            """
            SELECT line, sku, name, hsn, qty, unit_price_paise, discount_paise, total_paise, taxable_paise, rate_bps, cgst_paise, sgst_paise, igst_paise, invoice_id
              FROM order_lines WHERE order_id = ? ORDER BY line
            """, [orderID]
        ) { row in
            let qty: Int64 = try row[4], unit: Int64 = try row[5], discount: Int64 = try row[6]
            let tax = GSTLineTax(grossPaise: qty * unit, discountPaise: discount, totalPaise: try row[7], taxablePaise: try row[8], rateBps: try row[9],
                                 cgstPaise: try row[10], sgstPaise: try row[11], igstPaise: try row[12])
            return Order.Line(line: try row[0], sku: try row[1], name: try row[2], hsn: try row[3], qty: qty, unitPricePaise: unit,
                              discountPaise: discount, tax: tax, invoiceID: try row[13])
        }
    }

    /// An order's history, oldest first.
    public static func history(_ db: any Database, orderID: String) throws -> [Order.HistoryEntry] {
        try db.query("SELECT action, from_status, to_status, detail, actor, created_at FROM order_history WHERE order_id = ? ORDER BY id", [orderID]) { row in
            let detail: String = try row[3]
            return Order.HistoryEntry(action: try row[0], fromStatus: try row[1], toStatus: try row[2], detail: try JSONParser.parse(Array(detail.utf8)),
                                      actor: try row[4], at: try row[5])
        }
    }

    /// Filters for the order list; every one optional.
    public struct Filter: Sendable {
        public var status: String?
        public var channel: String?
        public var paymentMethod: String?
        public var createdAfter: Int64?
        public var createdBefore: Int64?
        /// Matches phone (digits), channel reference or customer name.
        public var q: String?
        public var after: String?
        public var limit: Int = 50
        public init() {}
    }

    /// Orders newest first (ids sort by creation time), a page at a time; `after` is the last
    /// id of the previous page.
    public static func list(_ db: any Database, _ filter: Filter) throws -> (orders: [Order], next: String?) {
        var sql = "SELECT \(columns) FROM orders WHERE 1 = 1"
        var arguments: [(any SQLValueConvertible)?] = []
        if let s = filter.status { sql += " AND status = ?"; arguments.append(s) }
        if let c = filter.channel { sql += " AND channel = ?"; arguments.append(c) }
        if let m = filter.paymentMethod { sql += " AND payment_method = ?"; arguments.append(m) }
        if let t = filter.createdAfter { sql += " AND created_at >= ?"; arguments.append(t) }
        if let t = filter.createdBefore { sql += " AND created_at < ?"; arguments.append(t) }
        if let q = filter.q, !q.isEmpty {
            let digits = String(q.filter(\.isNumber))
            let escaped = q.replacingAll("\\", with: "\\\\").replacingAll("%", with: "\\%").replacingAll("_", with: "\\_")
            sql += " AND (channel_order_ref = ? OR customer_name LIKE ? ESCAPE '\\'"
            arguments += [q, "%" + escaped + "%"]
            if digits.count >= 4 {
                sql += " OR customer_phone LIKE ?"
                arguments.append("%" + digits + "%")
            }
            sql += ")"
        }
        if let after = filter.after { sql += " AND id < ?"; arguments.append(after) }
        sql += " ORDER BY id DESC LIMIT ?"
        arguments.append(filter.limit + 1)
        var orders = try db.query(sql, StatementArguments(arguments), decode)
        var next: String?
        if orders.count > filter.limit {
            orders.removeLast()
            next = orders.last?.id
        }
        return (orders, next)
    }
}

extension String {
    /// Every occurrence of `target` replaced (Foundation-free).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
