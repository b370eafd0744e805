public import BahiStore
import BahiJSON

/// The orders domain's part of every move after intake: confirm, hold, payments, and the
/// order side of cancel and edit. Each checks its from-state and writes history and an event
/// in the caller's transaction (DESIGN §5); the flows add what other domains do (stock,
/// shipments).
public enum OrderTransitions {
    /// Why an order is cancelled (the domain's `CancelReason`).
    public typealias CancelReason = BahiCore.CancelReason
    /// Why a person puts a confirmed order on hold (the domain's `HoldReason`).
    public typealias HoldReason = BahiCore.HoldReason

    static func load(_ db: any Database, _ id: String) throws -> Order {
        guard let order = try OrderQueries.find(db, id: id, history: false) else { throw DomainError.notFound("order", id) }
        return order
    }

    /// `on_hold` → `confirmed` after verification (a call to a COD buyer, an address fix).
    public static func confirm(_ db: any Database, id: String, note: String?, actor: String?, now: Int64) throws {
        guard let order = try OrderRecords.find(db, id: id) else { throw DomainError.notFound("order", id) }
        guard order.status == .onHold else {
            var error = OrderStatus.invalidTransition(id, from: order.status, to: .confirmed, action: "confirmed")
            if order.status == .pendingPayment { error.message += " A prepaid order is confirmed when the payments recorded for it cover its total." }
            throw error
        }
        try OrderHistory.move(db, orderID: id, to: .confirmed, action: "confirmed", change: .init(holdReason: .some(nil)), now: now)
        var detail: JSONObject = ["hold_reason": .optional(order.holdReason?.rawValue)]
        if let note { detail["note"] = .string(note) }
        try OrderHistory.record(db, orderID: id, action: .confirmed, event: OrderEvents.confirmed, from: order.status, to: .confirmed, detail: detail,
                                actor: actor, now: now)
    }

    /// `confirmed` → `on_hold`: a person stops an order before it is picked (the buyer asked
    /// to wait, the address needs a call). Its stock stays reserved and its parcels leave the
    /// queue until `confirm` puts it back.
    public static func hold(_ db: any Database, id: String, reason: HoldReason, note: String?, actor: String?, now: Int64) throws {
        guard let current = try OrderRecords.status(db, id: id) else { throw DomainError.notFound("order", id) }
        guard current == .confirmed else {
            throw OrderStatus.invalidTransition(id, from: current, to: .onHold, action: "put on hold")
        }
        try OrderHistory.move(db, orderID: id, to: .onHold, action: "put on hold", change: .init(holdReason: .some(reason)), now: now)
        var detail: JSONObject = ["reason": .string(reason.rawValue)]
        if let note { detail["note"] = .string(note) }
        try OrderHistory.record(db, orderID: id, action: .onHold, event: OrderEvents.onHold, from: .confirmed, to: .onHold, detail: detail,
                                actor: actor, now: now)
    }

    /// The order side of a cancellation, once its stock is released: `cancelled` with its
    /// reason, `refund_due` if money was taken, the cancellation counted for risk, and the
    /// history. `releasedUnits` and `invoiced` are what fulfilment reported.
    static func markCancelled(_ db: any Database, order: Order, reason: CancelReason, note: String?, releasedUnits: Int64, invoiced: Bool,
                              actor: String?, now: Int64) throws {
        let refundDue = order.paidPaise > 0
        try OrderHistory.move(db, orderID: order.id, to: .cancelled, action: "cancelled",
                              change: .init(holdReason: .some(nil), cancelReason: reason, refundDue: refundDue, clearPaymentExpiry: true), now: now)
        try OrderRecords.countCancellation(db, phone: order.customerPhone, pincode: order.shipping.pincode)
        var detail: JSONObject = ["reason": .string(reason.rawValue), "refund_due": .bool(refundDue), "released_units": .int(releasedUnits)]
        if let note { detail["note"] = .string(note) }
        if invoiced { detail["credit_note_due"] = .bool(true) }
        try OrderHistory.record(db, orderID: order.id, action: .cancelled, event: OrderEvents.cancelled, from: order.status, to: .cancelled,
                                detail: detail, actor: actor, now: now)
    }

    /// When the earliest unpaid order's payment window closes, or nil if none is waiting: the
    /// maintenance loop's cheap "anything due?" before it takes the writer.
    public static func nextPaymentExpiry(_ db: any Database) throws -> Int64? {
        try OrderRecords.nextPaymentExpiry(db)
    }

    /// Prepaid orders whose payment did not arrive by `now`, earliest first (what the
    /// payment-timeout sweep cancels).
    static func paymentsOverdue(_ db: any Database, now: Int64, limit: Int) throws -> [String] {
        try OrderRecords.paymentsOverdue(db, now: now, limit: limit)
    }

    /// `confirmed` → `in_fulfilment` when the first of its shipments is picked or packed;
    /// nothing when the order is already further. `cause` names the pick list or shipment.
    static func startFulfilment(_ db: any Database, orderID: String, cause: JSONObject, actor: String?, now: Int64) throws {
        guard try OrderRecords.status(db, id: orderID) == .confirmed else { return }
        try OrderHistory.move(db, orderID: orderID, to: .inFulfilment, action: "fulfilment started", now: now)
        try OrderHistory.record(db, orderID: orderID, action: .inFulfilment, event: OrderEvents.inFulfilment, from: .confirmed, to: .inFulfilment,
                                detail: cause, actor: actor, now: now)
    }

    /// The order's fulfilment status follows its shipments (`decide` derives it, and whether
    /// every shipment has ended, from every shipment's status and the order's current
    /// fulfilment status, read here once): a history row and `order.fulfilment_changed` when
    /// it changed. With `complete`, an order in fulfilment whose shipments have all ended moves
    /// to `completed` (history and `order.completed`); an order held or cancelled meanwhile is
    /// left. No such order: nothing to follow.
    public static func followShipments(
        _ db: any Database, orderID: String, shipmentID: String, actor: String?, now: Int64,
        fulfilment decide: (_ current: FulfilmentStatus) -> (FulfilmentStatus, complete: Bool)
    ) throws {
        guard let order = try OrderRecords.statuses(db, id: orderID) else { return }
        let (to, complete) = decide(order.fulfilment)
        if order.fulfilment != to, try OrderRecords.setFulfilmentStatus(db, id: orderID, to: to, now: now) {
            try OrderHistory.record(db, orderID: orderID, action: .fulfilment, event: OrderEvents.fulfilmentChanged, from: order.status, to: order.status,
                                    detail: ["fulfilment_status": .string(to.rawValue), "from_fulfilment_status": .string(order.fulfilment.rawValue),
                                             "shipment_id": .string(shipmentID)], actor: actor, now: now)
        }
        guard complete, order.status == .inFulfilment else { return }
        try OrderHistory.move(db, orderID: orderID, to: .completed, action: "completed", now: now)
        try OrderHistory.record(db, orderID: orderID, action: .completed, event: OrderEvents.completed, from: .inFulfilment, to: .completed,
                                detail: ["fulfilment_status": .string(to.rawValue), "shipment_id": .string(shipmentID)], actor: actor, now: now)
    }

    /// Counts a parcel returned to origin against the order's phone and pincode: what the next
    /// order's RTO risk learns from.
    public static func countRTO(_ db: any Database, orderID: String) throws {
        guard let order = try OrderRecords.find(db, id: orderID) else { throw DomainError.notFound("order", orderID) }
        try OrderRecords.countRTO(db, phone: order.customerPhone, pincode: order.shipping.pincode)
    }

    /// A parcel of the order left with its courier: the fulfilment status becomes `shipped`
    /// when `allShipped` (none of its live parcels is still in the warehouse), else
    /// `partially_shipped`, with a history row naming the shipment; never backwards (an order
    /// already partly delivered or returned keeps its status), announced as
    /// `order.fulfilment_changed` beside the parcel's own `shipment.picked_up`.
    public static func markShipped(_ db: any Database, orderID: String, shipmentID: String, allShipped: Bool, actor: String?, now: Int64) throws {
        let to: FulfilmentStatus = allShipped ? .shipped : .partiallyShipped
        guard let before = try OrderRecords.statuses(db, id: orderID),
              try OrderRecords.setFulfilmentStatus(db, id: orderID, from: .unfulfilled, orFrom: allShipped ? .partiallyShipped : .unfulfilled, to: to, now: now)
        else { return }
        // Announced like every other fulfilment change (delivered, RTO), so a consumer follows one event.
        try OrderHistory.record(db, orderID: orderID, action: .shipped, event: OrderEvents.fulfilmentChanged, from: before.status, to: before.status,
                                detail: ["shipment_id": .string(shipmentID), "fulfilment_status": .string(to.rawValue),
                                         "from_fulfilment_status": .string(before.fulfilment.rawValue)], actor: actor, now: now)
    }

    /// Marks the order's lines billed by an invoice (those no earlier invoice billed).
    static func markInvoiced(_ db: any Database, orderID: String, lines: [Int], invoiceID: String) throws {
        for line in lines { _ = try OrderRecords.markInvoiced(db, orderID: orderID, line: line, invoiceID: invoiceID) }
    }

    /// The history row of a packed parcel (its event is `shipment.packed`).
    static func recordPacked(_ db: any Database, orderID: String, shipmentID: String, invoiceNumber: String?, actor: String?, now: Int64) throws {
        guard let status = try OrderRecords.status(db, id: orderID) else { throw DomainError.notFound("order", orderID) }
        var detail: JSONObject = ["shipment_id": .string(shipmentID)]
        if let invoiceNumber { detail["invoice_number"] = .string(invoiceNumber) }
        try OrderHistory.record(db, orderID: orderID, action: .packed, event: nil, from: status, to: status, detail: detail, actor: actor, now: now)
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

    /// What a payment's move did to its order, as the order's own UPDATE returned it.
    public struct PaymentApplied: Sendable, Equatable {
        /// Everything captured on the order now.
        public var paidPaise: Int64
        public var totalPaise: Int64
        /// The order's status when the money arrived (before any confirmation it caused).
        public var statusWhenPaid: OrderStatus
    }

    /// Applies a payment's move to its order (the Payments domain recorded the payment; the
    /// payment flow calls this): `capturedPaise` newly taken is added by the UPDATE itself
    /// (never read, added and written back), so the order's payment status follows from its
    /// payments; a history row and `order.payment_recorded`; and money covering a prepaid order
    /// waiting for payment confirms it (in the same UPDATE, with its own history row and
    /// `order.confirmed`). Money for a cancelled order or beyond the total flags `refund_due`.
    public static func applyPayment(
        _ db: any Database, orderID id: String, paymentID: String, status: String, amountPaise: Int64, capturedPaise captured: Int64,
        authorizedPaise authorized: Int64, gateway: String?, actor: String?, now: Int64
    ) throws -> PaymentApplied {
        // The status read first, so the one UPDATE is conditional on it: on PostgreSQL a cancel
        // committed in between makes this rerun and see it (a paid-after-cancel is never missed).
        guard let before = try OrderRecords.status(db, id: id) else { throw DomainError.notFound("order", id) }
        // An authorization is money promised, not taken: it confirms the order only when it
        // covers what is still owed (a ₹1 card check must not release a ₹998 order).
        guard let after = try OrderRecords.applyPayment(db, id: id, from: before, capturedPaise: captured, authorizedPaise: authorized,
                                                        confirms: status == "captured" || status == "authorized", now: now) else {
            throw db.concurrentChange(DomainError(.versionMismatch, "Order \(id) changed while its payment was recorded."))
        }
        let detail: JSONObject = [
            "payment_id": .string(paymentID), "amount_paise": .int(amountPaise), "payment_status": .string(status),
            "gateway": .optional(gateway), "paid_paise": .int(after.paidPaise),
        ]
        try OrderHistory.record(db, orderID: id, action: status == "failed" ? .paymentFailed : .payment, event: OrderEvents.paymentRecorded,
                                from: before, to: before, detail: detail, actor: actor, now: now)
        if before == .pendingPayment, after.status == .confirmed {
            try OrderHistory.record(db, orderID: id, action: .confirmed, event: OrderEvents.confirmed, from: .pendingPayment, to: .confirmed,
                                    detail: ["payment_id": .string(paymentID)], actor: actor, now: now)
        }
        return PaymentApplied(paidPaise: after.paidPaise, totalPaise: after.totalPaise, statusWhenPaid: before)
    }

    /// The order a channel's reference names (a courier's remittance file carries only that);
    /// nil when none, or when two channels used the same reference.
    public static func orderID(_ db: any Database, channelOrderRef: String) throws -> String? {
        let ids = try OrderRecords.orderIDs(db, channelOrderRef: channelOrderRef)
        return ids.count == 1 ? ids[0] : nil
    }

    /// `cod_collected` → `cod_remitted`: the courier paid the seller the cash it collected.
    /// Returns whether the order moved (false: not collected yet, or already remitted).
    public static func markCODRemitted(_ db: any Database, orderID: String, now: Int64) throws -> Bool {
        try OrderRecords.markCODRemitted(db, id: orderID, now: now)
    }

    /// Whether the order exists (a payment entered by hand names it).
    public static func exists(_ db: any Database, id: String) throws -> Bool {
        try OrderRecords.status(db, id: id) != nil
    }

    /// The order a gateway's payment belongs to: by the gateway's order id (set at intake), else
    /// by the receipt when it is one of our order ids; nil when none matches (an orphan).
    public static func orderForPayment(_ db: any Database, gateway: String?, gatewayOrderID: String?, receipt: String?) throws -> String? {
        if let gateway, let gatewayOrderID, let id = try OrderRecords.orderID(db, gateway: gateway, gatewayOrderID: gatewayOrderID) { return id }
        if let receipt, EntityID.isValid(receipt, kind: .order), try OrderRecords.status(db, id: receipt) != nil { return receipt }
        return nil
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

    /// An edit verified and priced, not yet written: what `applyEdit` stores once the stock
    /// has been re-reserved.
    struct PreparedEdit {
        var order: Order
        var oldLines: [OrderDraft.Line]
        var newLines: [OrderDraft.Line]
        var lines: [Order.Line]
        var shipping: OrderAddress
        var destination: PincodeInfo
        var supply: SupplyKind
        var shippingTax: GSTLineTax
        var totals: OrderTotals
        /// The history detail: what changed, before and after. Empty when nothing did.
        var diff: JSONObject
    }

    /// Only live orders (not cancelled or completed) can be edited: `invalid_transition` otherwise.
    static func checkEditable(_ order: Order) throws {
        guard order.status.isLive else {
            throw DomainError(.invalidTransition, "Order \(order.id) is \(order.status.rawValue); only live orders can be edited.")
        }
    }

    /// Verifies and prices an edit of a live order at `input.version` (`version_mismatch`
    /// otherwise): the lines, address and shipping charge as they will be, and the diff.
    static func prepareEdit(_ db: any Database, order: Order, _ input: EditInput, policy: OrderPolicy) throws -> PreparedEdit {
        let id = order.id
        guard input.version == order.version else {
            throw DomainError(.versionMismatch, "Order \(id) is at version \(order.version), not \(input.version); read it again and retry.")
        }
        let oldLines = order.lines.map { OrderDraft.Line(sku: $0.sku, qty: $0.qty, unitPricePaise: $0.unitPricePaise, discountPaise: $0.discountPaise) }
        let newLines = input.lines ?? oldLines
        let shipping = input.shipping ?? order.shipping
        let shippingPaise = input.shippingPaise ?? order.shippingTax.totalPaise
        let destination = try OrderIntake.destination(shipping.pincode, field: "shipping.pincode")
        let catalog = try OrderIntake.catalog(db, channel: order.channel, lines: newLines).facts
        let sellerState = try policy.seller.state ?? OrderIntake.fallbackSellerState(db)
        let supply = GST.supply(seller: sellerState, placeOfSupply: destination.stateCode)
        let (taxes, shippingTax, totals) = try OrderIntake.price(newLines, rates: catalog.map(\.rateBps), shippingPaise: shippingPaise, supply: supply)
        if order.paymentMethod == .cod {
            // The channel took this COD order already; the pincode and the value may have changed.
            try OrderIntake.checkCOD(channel: nil, destination: destination, total: totals.totalPaise, policy: policy)
        }
        var diff = JSONObject()
        if newLines != oldLines {
            diff["lines"] = .object(["before": .array(oldLines.map(\.json)), "after": .array(newLines.map(\.json))])
        }
        if shipping != order.shipping { diff["shipping_address"] = .object(["before": order.shipping.json, "after": shipping.json]) }
        if shippingPaise != order.shippingTax.totalPaise { diff["shipping_paise"] = .object(["before": .int(order.shippingTax.totalPaise), "after": .int(shippingPaise)]) }
        if diff.count > 0, order.totals.totalPaise != totals.totalPaise {
            diff["total_paise"] = .object(["before": .int(order.totals.totalPaise), "after": .int(totals.totalPaise)])
        }
        var lines: [Order.Line] = []
        for (i, line) in newLines.enumerated() {
            lines.append(Order.Line(line: i, sku: line.sku, name: catalog[i].name, hsn: catalog[i].hsn, qty: line.qty, unitPricePaise: line.unitPricePaise,
                                    discountPaise: line.discountPaise, tax: taxes[i], invoiceID: nil))
        }
        return PreparedEdit(order: order, oldLines: oldLines, newLines: newLines, lines: lines, shipping: shipping, destination: destination,
                            supply: supply, shippingTax: shippingTax, totals: totals, diff: diff)
    }

    /// Writes a prepared edit: the lines afresh, the address and totals (if the order is
    /// still at the version read; `version_mismatch` otherwise) and the `edited` history.
    static func applyEdit(_ db: any Database, _ edit: PreparedEdit, actor: String?, now: Int64) throws {
        let id = edit.order.id
        try OrderRecords.deleteLines(db, orderID: id)
        for line in edit.lines { try OrderRecords.insertLine(db, orderID: id, line) }
        guard try OrderRecords.updateEdited(db, id: id, version: edit.order.version, shipping: edit.shipping, placeOfSupply: edit.destination.stateCode,
                                            supply: edit.supply, shippingTax: edit.shippingTax, totals: edit.totals, now: now) else {
            throw db.concurrentChange(DomainError(.versionMismatch, "Order \(id) changed while it was being edited; read it again and retry."))
        }
        if edit.shipping.name != edit.order.shipping.name {
            // The recipient's name is searchable: the index follows in the same transaction.
            try OrderRecords.updateSearch(db, orderID: id, customer: edit.order.customerName, recipient: edit.shipping.name,
                                           createdAt: edit.order.createdAt)
        }
        try OrderHistory.record(db, orderID: id, action: .edited, event: OrderEvents.edited, from: edit.order.status, to: edit.order.status,
                                detail: edit.diff, actor: actor, now: now)
    }
}

extension OrderDraft.Line {
    /// The line as an edit diff shows it.
    var json: JSONValue {
        .object(["sku": .string(sku), "qty": .int(qty), "unit_price_paise": .int(unitPricePaise), "discount_paise": .int(discountPaise)])
    }
}
