public import BahiStore
import BahiJSON

/// Order intake's part in the orders domain: verifies an order from any channel (catalog,
/// pincode, tax, COD rules, RTO risk), decides the state it starts in, and stores it.
/// `PlaceOrderFlow` runs these steps with the stock reservation and the shipments between them.
public enum OrderIntake {
    /// An order verified and decided, not yet stored: the `Order` exactly as it will be
    /// stored (its lines included), and what the reservation needs.
    struct Prepared {
        var order: Order
        var destination: PincodeInfo
        var lineFacts: [Availability.LineFacts]
        /// The history detail of `created`.
        var detail: JSONObject
    }

    /// Verifies the draft and builds the order it becomes: every read intake needs, no write.
    static func prepare(_ db: any Database, draft: OrderDraft, policy: OrderPolicy, id: String, actor: String?, now: Int64) throws -> Prepared {
        let destination = try OrderIntake.destination(draft.shipping.pincode, field: "shipping.pincode")
        let (catalog, lineFacts) = try OrderIntake.catalog(db, channel: draft.channel, lines: draft.lines)
        let sellerState = try policy.seller.state ?? fallbackSellerState(db)
        let supply = GST.supply(seller: sellerState, placeOfSupply: destination.stateCode)
        let (taxes, shippingTax, totals) = try price(draft.lines, rates: catalog.map(\.rateBps), shippingPaise: draft.shippingPaise, supply: supply)
        try checkClaims(draft.claimed, totals)

        // COD rules, then risk.
        var risk = RTORisk(score: 0, reasons: [])
        if draft.paymentMethod == .cod {
            try checkCOD(channel: draft.channel, destination: destination, total: totals.totalPaise, policy: policy)
            risk = try assessRisk(db, draft: draft, total: totals.totalPaise, now: now)
        }
        let decision = IntakeDecision.decide(method: draft.paymentMethod, paid: draft.paid, riskScore: risk.score, totalPaise: totals.totalPaise,
                                             policy: policy, now: now)
        let reasonsJSON = JSONValue.array(risk.reasons.map(\.json))
        var detail: JSONObject = ["channel": .string(draft.channel), "channel_order_ref": .string(draft.channelOrderRef),
                                  "total_paise": .int(totals.totalPaise), "payment_method": .string(draft.paymentMethod.rawValue)]
        if draft.paymentMethod == .cod { detail["risk_score"] = .int(Int64(risk.score)) }
        var lines: [Order.Line] = []
        lines.reserveCapacity(draft.lines.count)
        for (i, line) in draft.lines.enumerated() {
            lines.append(Order.Line(line: i, sku: line.sku, name: catalog[i].name, hsn: catalog[i].hsn, qty: line.qty, unitPricePaise: line.unitPricePaise,
                                    discountPaise: line.discountPaise, tax: taxes[i], invoiceID: nil))
        }
        let order = Order(
            id: id, channel: draft.channel, channelOrderRef: draft.channelOrderRef, status: decision.status, holdReason: decision.holdReason,
            paymentMethod: draft.paymentMethod, paymentStatus: decision.paymentStatus, fulfilmentStatus: .unfulfilled, gateway: draft.gateway,
            gatewayOrderID: draft.gatewayOrderID, paidPaise: decision.paidPaise, refundDue: false, paymentExpiresAt: decision.paymentExpiresAt,
            cancelReason: nil, customerName: draft.customerName, customerPhone: draft.customerPhone, customerEmail: draft.customerEmail,
            shipping: draft.shipping, billing: draft.billing, placeOfSupply: destination.stateCode, supply: supply, shippingTax: shippingTax,
            totals: totals, riskScore: risk.score, riskReasons: reasonsJSON, reservationID: draft.reservationID, tags: draft.tags, notes: draft.notes,
            version: 1, placedAt: draft.placedAt ?? now, createdAt: now, updatedAt: now, lines: lines,
            history: [Order.HistoryEntry(action: OrderHistory.Action.created.rawValue, fromStatus: nil, toStatus: decision.status.rawValue,
                                         detail: .object(detail), actor: actor, at: now)])
        return Prepared(order: order, destination: destination, lineFacts: lineFacts, detail: detail)
    }

    /// Stores the order's row unless the channel already sent it: true when stored, false
    /// when an order with its (channel, channel_order_ref) exists (nothing was written).
    static func insert(_ db: any Database, _ order: Order) throws -> Bool {
        try OrderRecords.insert(db, order)
    }

    /// Completes a stored order: its lines, the phone's and pincode's counts, the `created`
    /// history row and the events announcing it and the status it starts in.
    static func recordCreated(_ db: any Database, _ prepared: Prepared, actor: String?, now: Int64) throws {
        let order = prepared.order
        for line in order.lines { try OrderRecords.insertLine(db, orderID: order.id, line) }
        try OrderRecords.countOrder(db, phone: order.customerPhone, pincode: order.shipping.pincode)
        try OrderHistory.record(db, orderID: order.id, action: .created, event: OrderEvents.created, from: nil, to: order.status,
                                detail: prepared.detail, actor: actor, now: now)
        let statusEvent: JSONObject = ["order_id": .string(order.id), "status": .string(order.status.rawValue), "reason": .optional(order.holdReason?.rawValue)]
        try EventLog.append(db, NewEvent(OrderEvents.intakeStatus(order.status), entityID: order.id, payload: statusEvent), actor: actor, at: now)
    }

    // MARK: - verification steps, shared with edits

    /// What intake needs to know about an ordered SKU.
    struct CatalogFacts {
        var name: String
        var hsn: String
        var rateBps: Int64
    }

    /// The directory entry for a pincode, or `invalid_pincode` naming the field.
    static func destination(_ pincode: String, field: String) throws -> PincodeInfo {
        guard let info = PincodeDirectory.lookup(pincode) else {
            throw DomainError(.invalidPincode, "Pincode \(pincode) is not in the India Post directory.",
                              problems: [FieldProblem(field, "invalid_pincode", "Use the six-digit pincode of the delivery post office (India Post directory).")])
        }
        return info
    }

    /// Name, HSN and GST rate of every line's SKU, with the channel and stock facts the
    /// reservation needs (one query per line); `validation_failed` naming each unknown or inactive SKU.
    static func catalog(_ db: any Database, channel: String, lines: [OrderDraft.Line]) throws -> (facts: [CatalogFacts], lines: [Availability.LineFacts]) {
        var facts: [CatalogFacts] = []
        var lineFacts: [Availability.LineFacts] = []
        var problems: [FieldProblem] = []
        for (i, line) in lines.enumerated() {
            guard let c = try Availability.lineFacts(db, channel: channel, sku: line.sku), c.channelActive else {
                throw DomainError.invalid("channel", "unknown_channel", "No active channel \(channel).")
            }
            lineFacts.append(c)
            guard let sku = c.facts else {
                problems.append(.inItem("lines", i, field: "sku", "unknown_sku", "No SKU \(line.sku); create the SKU first."))
                continue
            }
            if !sku.active { problems.append(.inItem("lines", i, field: "sku", "inactive_sku", "SKU \(line.sku) is not active.")) }
            facts.append(CatalogFacts(name: sku.name, hsn: sku.hsn, rateBps: sku.gstRateBps))
        }
        if !problems.isEmpty {
            throw DomainError(.validationFailed, "Some lines name SKUs that cannot be sold.", problems: problems)
        }
        return (facts, lineFacts)
    }

    /// Tax per line, on shipping, and the order's totals; a line the tax rules reject is
    /// reported on item i of `lines`.
    static func price(_ lines: [OrderDraft.Line], rates: [Int64], shippingPaise: Int64, supply: SupplyKind) throws -> ([GSTLineTax], GSTLineTax, OrderTotals) {
        var taxes: [GSTLineTax] = []
        for (i, line) in lines.enumerated() {
            do {
                taxes.append(try GST.line(qty: line.qty, unitPricePaise: line.unitPricePaise, discountPaise: line.discountPaise, rateBps: rates[i], supply: supply))
            } catch {
                var failure = error.within("lines", i)
                if failure.problems.isEmpty { failure.problems = [.inItem("lines", i, error.code.rawValue, error.message)] }
                failure.message = "line \(i) (\(line.sku)): \(error.message)"
                throw failure
            }
        }
        let shipping: GSTLineTax
        do {
            shipping = try GST.shipping(paise: shippingPaise, lineRatesBps: rates, supply: supply)
        } catch {
            throw DomainError(error.code, "shipping_paise: \(error.message)", problems: [FieldProblem("shipping_paise", error.code.rawValue, error.message)])
        }
        return (taxes, shipping, OrderTotals.sum(lines: taxes, shipping: shipping))
    }

    /// Totals the client sent must equal Bahi's, or `totals_mismatch` with each difference.
    static func checkClaims(_ claimed: OrderDraft.ClaimedTotals, _ totals: OrderTotals) throws {
        var problems: [FieldProblem] = []
        func compare(_ field: String, _ sent: Int64?, _ computed: Int64) {
            if let sent, sent != computed { problems.append(FieldProblem(field, "totals_mismatch", "You sent \(sent); Bahi computes \(computed).")) }
        }
        compare("subtotal_paise", claimed.subtotalPaise, totals.subtotalPaise)
        compare("discount_paise", claimed.discountPaise, totals.discountPaise)
        compare("tax_paise", claimed.taxPaise, totals.cgstPaise + totals.sgstPaise + totals.igstPaise)
        compare("total_paise", claimed.totalPaise, totals.totalPaise)
        if !problems.isEmpty {
            throw DomainError(.totalsMismatch,
                              "The totals sent differ from Bahi's (prices are GST-inclusive, discounts per line, tax rounded once per line).", problems: problems)
        }
    }

    /// The seller's COD rules: channel (nil skips it), pincode, value.
    static func checkCOD(channel: String?, destination: PincodeInfo, total: Int64, policy: OrderPolicy) throws {
        if let channel, policy.codDisabledChannels.contains(channel) {
            throw DomainError(.codNotAvailable, "Channel \(channel) does not take cash on delivery.",
                              problems: [FieldProblem("payment_method", "cod_not_available", "Use prepaid on this channel.")])
        }
        if policy.codBlockedPincodes.contains(destination.pincode) {
            throw DomainError(.codBlockedPincode, "Cash on delivery is not offered to pincode \(destination.pincode).",
                              problems: [FieldProblem("shipping.pincode", "cod_blocked_pincode", "Offer prepaid to this pincode.")])
        }
        if total > policy.codMaxPaise {
            throw DomainError(.codLimitExceeded, "COD orders may be at most \(policy.codMaxPaise) paise; this one is \(total).",
                              problems: [FieldProblem("payment_method", "cod_limit_exceeded", "Use prepaid for orders above \(policy.codMaxPaise) paise.")])
        }
    }

    /// The RTO-risk score of a COD order from what Bahi knows about its phone and pincode.
    static func assessRisk(_ db: any Database, draft: OrderDraft, total: Int64, now: Int64) throws -> RTORisk {
        let phone = try OrderRecords.customerStats(db, phone: draft.customerPhone)
        let pin = try OrderRecords.pincodeStats(db, pincode: draft.shipping.pincode)
        return RTORiskScorer.score(RTORiskInput(
            isCOD: true, orderValuePaise: total, customerPreviousOrders: Int(phone.orders), phoneRTOs: Int(phone.rtos),
            phoneCancellations: Int(phone.cancellations), pincodeOrders: Int(pin.orders), pincodeRTOs: Int(pin.rtos),
            address: draft.shipping.riskLines, hourOfDay: RTORiskScorer.hourOfDay(milliseconds: draft.placedAt ?? now)))
    }

    /// Counts a cancellation for the order's phone and pincode (what later risk scores learn from).
    static func countCancellation(_ db: any Database, phone: String, pincode: String) throws {
        try OrderRecords.countCancellation(db, phone: phone, pincode: pincode)
    }

    /// With no seller state configured, the state of the highest-priority active location
    /// (where a small seller is registered); `seller_state_unknown` if there is none yet.
    static func fallbackSellerState(_ db: any Database) throws -> IndianState {
        guard let pincode = try LocationCatalog.primaryPincode(db), let info = PincodeDirectory.lookup(pincode) else {
            throw DomainError(.sellerStateUnknown,
                              "Bahi cannot tell CGST+SGST from IGST: set seller.state (or seller.gstin) in the configuration, or create a location.")
        }
        return info.stateCode
    }

    /// The location order for a strategy; nil for plain priority (the ledger's own order).
    static func ranker(_ db: any Database, strategy: AllocationStrategy, destination: PincodeInfo) throws -> (@Sendable (LineReservation.Plan) -> [String])? {
        guard strategy != .priority else { return nil }
        let locations = try LocationCatalog.activeLocations(db)
        return { plan in
            let candidates = locations.map { location in
                LocationCandidate(
                    code: location.code, priority: Int(location.priority), pincode: PincodeDirectory.lookup(location.pincode),
                    available: plan.levels.reduce(into: [:]) { acc, entry in
                        acc[entry.key] = entry.value.first { $0.location == location.code }?.available ?? 0
                    })
            }
            return AllocationPlanner.rank(candidates, needs: plan.needs, destination: destination, strategy: strategy)
        }
    }

    /// Units of each SKU a hold holds, per line: a kit line's units are as many whole kits
    /// as its components' allocations make up.
    static func heldUnits(_ db: any Database, _ hold: Holds.Hold) throws -> [(sku: String, units: Int64)] {
        var out: [(sku: String, units: Int64)] = []
        for line in Set(hold.allocations.map(\.line)).sorted() {
            let parts = hold.allocations.filter { $0.line == line }
            guard let sku = parts.first?.sku else { continue }
            if parts.allSatisfy({ $0.stockSKU == sku }) {
                out.append((sku, parts.reduce(0) { $0 + $1.qty }))
                continue
            }
            var kits = Int64.max
            for component in try Availability.components(db, kit: sku) {
                let held = parts.filter { $0.stockSKU == component.sku }.reduce(0) { $0 + $1.qty }
                kits = min(kits, held / component.qty)
            }
            out.append((sku, kits == Int64.max ? 0 : kits))
        }
        return out
    }

}
