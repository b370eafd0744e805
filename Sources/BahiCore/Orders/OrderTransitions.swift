public import BahiStore
import BahiJSON

/// Every move of an order after intake: confirm, cancel, edit, payments, payment timeout.
/// Each checks its from-state, writes history and an event, and changes stock in the same
/// transaction (DESIGN §5).
public enum OrderTransitions {
    /// Why an order is cancelled.
    public enum CancelReason: String, Sendable, CaseIterable {
        case customer, fraud, inventory
        case paymentTimeout = "payment_timeout"
        case address, other
    }

    static func load(_ db: any Database, _ id: String) throws -> Order {
        guard let order = try OrderQueries.find(db, id: id, history: false) else { throw DomainError.notFound("order", id) }
        return order
    }

    /// `on_hold` → `confirmed` after verification (a call to a COD buyer, an address fix).
    public static func confirm(_ db: any Database, id: String, note: String?, actor: String?, now: Int64) throws -> Order {
        let order = try load(db, id)
        guard order.status == .onHold else {
            var error = OrderStatus.invalidTransition(id, from: order.status, to: .confirmed, action: "confirmed")
            if order.status == .pendingPayment { error.message += " A prepaid order is confirmed by its payment (POST /v1/orders/\(id)/payments)." }
            throw error
        }
        try OrderHistory.move(db, orderID: id, to: .confirmed, action: "confirmed", extraSet: ", hold_reason = NULL", actor: actor, now: now)
        var detail: JSONObject = ["hold_reason": .optional(order.holdReason)]
        if let note { detail["note"] = .string(note) }
        try OrderHistory.record(db, orderID: id, action: "confirmed", from: order.status, to: .confirmed, detail: detail, actor: actor, now: now)
        return try load(db, id)
    }

    /// Why a person puts a confirmed order on hold.
    public enum HoldReason: String, Sendable, CaseIterable {
        case codVerification = "cod_verification"
        case addressReview = "address_review"
        case fraudReview = "fraud_review"
        case customerRequest = "customer_request"
        case other
    }

    /// `confirmed` → `on_hold`: a person stops an order before it is picked (the buyer asked
    /// to wait, the address needs a call). Its stock stays reserved and its parcels leave the
    /// queue until `confirm` puts it back.
    public static func hold(_ db: any Database, id: String, reason: HoldReason, note: String?, actor: String?, now: Int64) throws -> Order {
        let order = try load(db, id)
        guard order.status == .confirmed else {
            throw OrderStatus.invalidTransition(id, from: order.status, to: .onHold, action: "put on hold")
        }
        try OrderHistory.move(db, orderID: id, to: .onHold, action: "put on hold", extraSet: ", hold_reason = ?", extraArguments: [reason.rawValue],
                              actor: actor, now: now)
        var detail: JSONObject = ["reason": .string(reason.rawValue)]
        if let note { detail["note"] = .string(note) }
        try OrderHistory.record(db, orderID: id, action: "on_hold", from: .confirmed, to: .onHold, detail: detail, actor: actor, now: now)
        return try load(db, id)
    }

    /// Cancels an order that no courier has yet: releases its stock, cancels its
    /// shipments, and flags `refund_due` if money was taken.
    public static func cancel(_ db: any Database, id: String, reason: CancelReason, note: String?, actor: String?, now: Int64) throws -> Order {
        let order = try load(db, id)
        guard order.status.canMove(to: .cancelled) else {
            throw OrderStatus.invalidTransition(id, from: order.status, to: .cancelled, action: "cancelled")
        }
        if let gone = order.shipments.first(where: { !$0.status.isInWarehouse && $0.status != .cancelled }) {
            throw DomainError(status: 409, code: "invalid_transition",
                              detail: "Shipment \(gone.id) of order \(id) is \(gone.status.rawValue): a courier has it, so the order can no longer be cancelled.")
        }
        let released = try Shipments.releaseAll(db, orderID: id, reason: "cancelled", actor: actor, now: now)
        let refundDue = order.paidPaise > 0
        try OrderHistory.move(db, orderID: id, to: .cancelled, action: "cancelled",
                              extraSet: ", cancel_reason = ?, refund_due = ?, hold_reason = NULL, payment_expires_at = NULL",
                              extraArguments: [reason.rawValue, refundDue], actor: actor, now: now)
        try OrderIntake.countCancellation(db, phone: order.customerPhone, pincode: order.shipping.pincode)
        let invoiced = order.shipments.contains { $0.invoiceID != nil }
        var detail: JSONObject = [
            "reason": .string(reason.rawValue), "refund_due": .bool(refundDue),
            "released_units": .int(released.reduce(0) { $0 + $1.lines.reduce(0) { $0 + $1.qty } }),
        ]
        if let note { detail["note"] = .string(note) }
        if invoiced { detail["credit_note_due"] = .bool(true) }
        try OrderHistory.record(db, orderID: id, action: "cancelled", from: order.status, to: .cancelled, detail: detail, actor: actor, now: now)
        return try load(db, id)
    }

    /// Cancels prepaid orders whose payment did not arrive in time (`payment_timeout`),
    /// releasing their stock; returns how many. The server's sweeper calls it.
    /// When the earliest unpaid order's payment window closes, or nil if none is waiting: the
    /// maintenance loop's cheap "anything due?" before it takes the writer.
    public static func nextPaymentExpiry(_ db: any Database) throws -> Int64? {
        try db.queryValue("SELECT MIN(payment_expires_at) FROM orders WHERE status = 'pending_payment'", as: Int64.self)
    }

    public static func expirePayments(_ db: any Database, now: Int64, limit: Int = 200) throws -> Int {
        let due = try db.query(
            "SELECT id FROM orders WHERE status = 'pending_payment' AND payment_expires_at <= ? ORDER BY payment_expires_at LIMIT ?", [now, limit]
        ) { row in try row[0] as String }
        for id in due { _ = try cancel(db, id: id, reason: .paymentTimeout, note: nil, actor: "system", now: now) }
        return due.count
    }

    /// A payment as finance (or, later, a gateway webhook) reports it.
    public struct PaymentInput: Sendable {
        /// What the gateway did: took the money, only blocked it on the card, or refused.
        public enum Status: String, Sendable { case captured, authorized, failed }
        public var amountPaise: Int64
        public var status: Status
        public var gateway: String?
        public var gatewayPaymentID: String?
        public init(amountPaise: Int64, status: Status, gateway: String? = nil, gatewayPaymentID: String? = nil) {
            self.amountPaise = amountPaise
            self.status = status
            self.gateway = gateway
            self.gatewayPaymentID = gatewayPaymentID
        }
    }

    /// Records a payment. The same gateway payment id twice is recorded once (`created`
    /// false). Money covering a prepaid order waiting for payment confirms it; money for a
    /// cancelled order, or beyond the total, flags `refund_due`.
    public static func recordPayment(_ db: any Database, id: String, payment: PaymentInput, actor: String?, now: Int64) throws -> (order: Order, paymentID: String, created: Bool) {
        let order = try load(db, id)
        if let gateway = payment.gateway, let gid = payment.gatewayPaymentID,
           let existing = try db.queryFirst("SELECT id, order_id FROM payments WHERE gateway = ? AND gateway_payment_id = ?", [gateway, gid], { row in
               (id: try row[0] as String, order: try row[1] as String)
           }) {
            guard existing.order == id else {
                throw DomainError(status: 409, code: "payment_belongs_elsewhere", detail: "Gateway payment \(gid) is already recorded for order \(existing.order).")
            }
            return (order, existing.id, false)
        }
        let paymentID = EntityID.make(.payment, milliseconds: UInt64(now))
        try db.execute(
            "INSERT INTO payments (id, order_id, amount_paise, status, gateway, gateway_payment_id, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [paymentID, id, payment.amountPaise, payment.status.rawValue, payment.gateway, payment.gatewayPaymentID, actor, now])
        var paid = order.paidPaise
        var paymentStatus = order.paymentStatus
        switch payment.status {
        case .failed:
            break
        case .authorized:
            if paymentStatus == "unpaid", paid + payment.amountPaise >= order.totals.totalPaise { paymentStatus = "authorized" }
        case .captured:
            paid += payment.amountPaise
            if paid >= order.totals.totalPaise { paymentStatus = order.paymentMethod == "cod" ? "cod_collected" : "paid" }
        }
        // An authorization is money promised, not taken: it confirms the order only when it
        // covers what is still owed (a ₹1 card check must not release a ₹998 order).
        let covered = paid >= order.totals.totalPaise || (payment.status == .authorized && paid + payment.amountPaise >= order.totals.totalPaise)
        // Money is owed back when the order was cancelled, or when more was captured than it
        // costs (a duplicate capture) — the same rule an edit that lowers the total applies.
        let refundDue = (order.status == .cancelled && paid > 0) || paid > order.totals.totalPaise
        try db.execute("UPDATE orders SET paid_paise = ?, payment_status = ?, refund_due = (refund_due OR ?), version = version + 1, updated_at = ? WHERE id = ?",
                       [paid, paymentStatus, refundDue, now, id])
        let detail: JSONObject = [
            "payment_id": .string(paymentID), "amount_paise": .int(payment.amountPaise), "payment_status": .string(payment.status.rawValue),
            "gateway": .optional(payment.gateway), "paid_paise": .int(paid),
        ]
        try OrderHistory.record(db, orderID: id, action: payment.status == .failed ? "payment_failed" : "payment", event: "payment_recorded",
                                from: order.status, to: order.status, detail: detail, actor: actor, now: now)
        if order.status == .pendingPayment, covered, payment.status != .failed {
            try OrderHistory.move(db, orderID: id, to: .confirmed, action: "confirmed", extraSet: ", payment_expires_at = NULL", actor: actor, now: now)
            try OrderHistory.record(db, orderID: id, action: "confirmed", from: .pendingPayment, to: .confirmed,
                                    detail: ["payment_id": .string(paymentID)], actor: actor, now: now)
        }
        return (try load(db, id), paymentID, true)
    }

    /// What an edit changes; nil leaves that part as it is.
    public struct EditInput: Sendable {
        public var version: Int64
        public var lines: [OrderDraft.Line]?
        public var shipping: OrderAddress?
        public var shippingPaise: Int64?
        public init(version: Int64, lines: [OrderDraft.Line]? = nil, shipping: OrderAddress? = nil, shippingPaise: Int64? = nil) {
            self.version = version
            self.lines = lines
            self.shipping = shipping
            self.shippingPaise = shippingPaise
        }
    }

    /// Edits an order until it is packed: lines (quantities, added, removed), shipping
    /// address (re-verified) and shipping charge. Stock moves atomically — the order's
    /// units are released and the new lines reserved in one savepoint, only increases
    /// having to fit the channel's buffer — and totals are recomputed. The diff goes into
    /// the history. `version` must match (412 `version_mismatch`).
    public static func edit(_ db: any Database, id: String, _ input: EditInput, policy: OrderPolicy, actor: String?, now: Int64) throws -> Order {
        let order = try load(db, id)
        guard order.status.isLive, order.status != .completed else {
            throw DomainError(status: 409, code: "invalid_transition", detail: "Order \(id) is \(order.status.rawValue); only live orders can be edited.")
        }
        if let packed = order.shipments.first(where: { $0.status.isPackedOrLater }) {
            throw DomainError(status: 409, code: "invalid_transition", detail: "Shipment \(packed.id) of order \(id) is \(packed.status.rawValue); an order can be edited only until it is packed.")
        }
        guard input.version == order.version else {
            throw DomainError(status: 412, code: "version_mismatch", detail: "Order \(id) is at version \(order.version), not \(input.version); read it again and retry.")
        }
        let oldLines = order.lines.map { OrderDraft.Line(sku: $0.sku, qty: $0.qty, unitPricePaise: $0.unitPricePaise, discountPaise: $0.discountPaise) }
        let newLines = input.lines ?? oldLines
        let shipping = input.shipping ?? order.shipping
        let shippingPaise = input.shippingPaise ?? order.shippingTax.totalPaise
        let destination = try OrderIntake.destination(shipping.pincode, field: "shipping_address.pincode")
        let catalog = try OrderIntake.catalog(db, channel: order.channel, lines: newLines).facts
        let sellerState = try policy.seller.state ?? OrderIntake.fallbackSellerState(db)
        let supply = GST.supply(seller: sellerState, placeOfSupply: destination.stateCode)
        let (taxes, shippingTax, totals) = try OrderIntake.price(newLines, rates: catalog.map(\.rateBps), shippingPaise: shippingPaise, supply: supply)
        if order.paymentMethod == "cod" {
            // The channel took this COD order already; the pincode and the value may have changed.
            try OrderIntake.checkCOD(channel: nil, destination: destination, total: totals.totalPaise, policy: policy)
        }

        var diff = JSONObject()
        if newLines != oldLines {
            diff["lines"] = .object(["before": .array(oldLines.map(\.json)), "after": .array(newLines.map(\.json))])
        }
        if shipping != order.shipping { diff["shipping_address"] = .object(["before": order.shipping.json, "after": shipping.json]) }
        if shippingPaise != order.shippingTax.totalPaise { diff["shipping_paise"] = .object(["before": .int(order.shippingTax.totalPaise), "after": .int(shippingPaise)]) }
        if diff.count == 0 { return order }
        if order.totals.totalPaise != totals.totalPaise { diff["total_paise"] = .object(["before": .int(order.totals.totalPaise), "after": .int(totals.totalPaise)]) }

        // Stock: give back what the order holds, then reserve the new lines; what it held
        // counts as sellable again, so only an increase must fit the channel's buffer.
        try Shipments.releaseAll(db, orderID: id, reason: "edited", actor: actor, now: now)
        var credit: [String: Int64] = [:]
        for line in oldLines { credit[line.sku, default: 0] += line.qty }
        let allocations = try LineReservation.reserve(
            db, channel: order.channel, lines: newLines.map { Holds.Line(sku: $0.sku, qty: $0.qty) }, reference: id, actor: actor, now: now,
            credit: credit, rank: try OrderIntake.ranker(db, strategy: policy.strategy(for: order.channel), destination: destination))
        try db.execute("DELETE FROM order_lines WHERE order_id = ?", [id])
        _ = try OrderIntake.insertLines(db, orderID: id, newLines, catalog: catalog, taxes: taxes)
        _ = try Shipments.create(db, orderID: id, allocations: allocations, now: now)
        let changed = try db.execute(
            """
            UPDATE orders SET shipping_address = ?, ship_pincode = ?, place_of_supply = ?, supply = ?, subtotal_paise = ?, discount_paise = ?,
                   shipping_paise = ?, shipping_taxable_paise = ?, shipping_rate_bps = ?, taxable_paise = ?, cgst_paise = ?, sgst_paise = ?,
                   igst_paise = ?, total_paise = ?, refund_due = (paid_paise > ?), version = version + 1, updated_at = ?
             WHERE id = ? AND version = ?
            """,
            [shipping.json.encodedText, shipping.pincode, destination.stateCode.gstCode, supply.rawValue, totals.subtotalPaise, totals.discountPaise,
             totals.shippingPaise, shippingTax.taxablePaise, shippingTax.rateBps, totals.taxablePaise, totals.cgstPaise, totals.sgstPaise,
             totals.igstPaise, totals.totalPaise, totals.totalPaise, now, id, order.version])
        guard changed == 1 else {
            throw DomainError(status: 412, code: "version_mismatch", detail: "Order \(id) changed while it was being edited; read it again and retry.")
        }
        try OrderHistory.record(db, orderID: id, action: "edited", from: order.status, to: order.status, detail: diff, actor: actor, now: now)
        return try load(db, id)
    }
}

extension OrderDraft.Line {
    /// The line as an edit diff shows it.
    var json: JSONValue {
        .object(["sku": .string(sku), "qty": .int(qty), "unit_price_paise": .int(unitPricePaise), "discount_paise": .int(discountPaise)])
    }
}
