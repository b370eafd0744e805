public import BahiStore
import BahiJSON

/// `POST /v1/orders`: verifies an order from any channel and takes it in, in one transaction —
/// catalog, pincode, tax, COD rules, RTO risk, stock (all lines or none) and shipments.
public enum OrderIntake {
    /// Takes the order in, or returns the one the channel already sent under the same
    /// `channel_order_ref` (`created` false), so a connector can retry blindly.
    public static func create(
        _ db: any Database, draft: OrderDraft, policy: OrderPolicy, actor: String?, now: Int64, id: String = EntityID.make(.order)
    ) throws -> (order: Order, created: Bool) {
        if let existing = try OrderQueries.id(db, channel: draft.channel, channelOrderRef: draft.channelOrderRef),
           let order = try OrderQueries.find(db, id: existing) {
            return (order, false)
        }
        let destination = try OrderIntake.destination(draft.shipping.pincode, field: "shipping_address.pincode")
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
        let status: OrderStatus
        var holdReason: String?
        var paymentExpiresAt: Int64?
        let paymentStatus: String
        switch draft.paymentMethod {
        case .prepaid where draft.paid:
            status = .confirmed
            paymentStatus = "paid"
        case .prepaid:
            status = .pendingPayment
            paymentStatus = "unpaid"
            paymentExpiresAt = now + policy.paymentExpiryMilliseconds
        case .cod:
            paymentStatus = "cod_pending"
            if risk.score >= policy.riskHoldThreshold {
                status = .onHold
                holdReason = "cod_verification"
            } else {
                status = .confirmed
            }
        }

        // Stock: a checkout hold gives its units back and the order reserves its own lines in
        // the same transaction, so nobody can take them in between.
        var credit: [String: Int64] = [:]
        if let reservationID = draft.reservationID {
            guard let hold = try Holds.find(db, id: reservationID), hold.channel == draft.channel else {
                throw DomainError(status: 422, code: "unknown_reservation", detail: "No reservation \(reservationID) for channel \(draft.channel).",
                                  fields: [("reservation_id", "unknown_reservation", "Send the id POST /v1/inventory/reservations returned, or leave it out.")])
            }
            // A hold past its time is expired even if the sweeper has not closed it yet.
            guard hold.status == .active, hold.expiresAt > now else {
                let state = hold.status == .active ? "expired" : hold.status.rawValue
                throw DomainError(status: 409, code: "reservation_not_active",
                                  detail: "Reservation \(reservationID) is \(state); place the order without it to reserve afresh.")
            }
            try Holds.release(db, id: reservationID, status: .converted, actor: actor, now: now)
            // The units the hold had are this buyer's: the channel's buffer was applied when
            // they were held, so only what the order asks beyond them must fit it again.
            for (sku, units) in try heldUnits(db, hold) { credit[sku, default: 0] += units }
        }
        let allocations = try LineReservation.reserve(
            db, channel: draft.channel, lines: draft.lines.map { Holds.Line(sku: $0.sku, qty: $0.qty) }, reference: id, actor: actor, now: now,
            credit: credit, rank: try ranker(db, strategy: policy.strategy(for: draft.channel), destination: destination),
            prefetched: draft.reservationID == nil ? lineFacts : nil)  // a converted hold changed the levels since

        let placedAt = draft.placedAt ?? now
        let tagsText = JSONValue.array(draft.tags.map(JSONValue.string)).encodedText
        let reasonsJSON = JSONValue.array(risk.reasons.map { r in
            .object(["code": .string(r.code), "points": .int(Int64(r.points)), "message": .string(r.message)])
        })
        try db.execute(
            """
            INSERT INTO orders (id, channel, channel_order_ref, status, hold_reason, payment_method, payment_status, gateway, gateway_order_id,
                                paid_paise, payment_expires_at, customer_name, customer_phone, customer_email, shipping_address, billing_address,
                                ship_pincode, place_of_supply, supply, subtotal_paise, discount_paise, shipping_paise, shipping_taxable_paise,
                                shipping_rate_bps, taxable_paise, cgst_paise, sgst_paise, igst_paise, total_paise, risk_score, risk_reasons,
                                reservation_id, tags, notes, placed_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            binding: id, draft.channel, draft.channelOrderRef, status.rawValue, holdReason, draft.paymentMethod.rawValue, paymentStatus, draft.gateway,
             draft.gatewayOrderID, paymentStatus == "paid" ? totals.totalPaise : 0, paymentExpiresAt, draft.customerName, draft.customerPhone,
             draft.customerEmail, draft.shipping.json.encodedText, draft.billing.map { $0.json.encodedText }, draft.shipping.pincode, destination.stateCode.gstCode,
             supply.rawValue, totals.subtotalPaise, totals.discountPaise, totals.shippingPaise, shippingTax.taxablePaise, shippingTax.rateBps,
             totals.taxablePaise, totals.cgstPaise, totals.sgstPaise, totals.igstPaise, totals.totalPaise, risk.score, reasonsJSON.encodedText,
             draft.reservationID, tagsText, draft.notes, placedAt, now, now)
        let lines = try insertLines(db, orderID: id, draft.lines, catalog: catalog, taxes: taxes)
        let shipments = try Shipments.create(db, orderID: id, allocations: allocations, now: now)
        try countOrder(db, phone: draft.customerPhone, pincode: draft.shipping.pincode)

        var detail: JSONObject = ["channel": .string(draft.channel), "channel_order_ref": .string(draft.channelOrderRef),
                                  "total_paise": .int(totals.totalPaise), "payment_method": .string(draft.paymentMethod.rawValue)]
        if draft.paymentMethod == .cod { detail["risk_score"] = .int(Int64(risk.score)) }
        try OrderHistory.record(db, orderID: id, action: "created", from: nil, to: status, detail: detail, actor: actor, now: now)
        let statusEvent: JSONObject = ["order_id": .string(id), "status": .string(status.rawValue), "reason": .optional(holdReason)]
        try EventLog.append(db, type: "order.\(status.rawValue)", entityType: "order", entityID: id, payload: statusEvent, actor: actor, at: UInt64(now))

        let order = Order(
            id: id, channel: draft.channel, channelOrderRef: draft.channelOrderRef, status: status, holdReason: holdReason,
            paymentMethod: draft.paymentMethod.rawValue, paymentStatus: paymentStatus, fulfilmentStatus: "unfulfilled", gateway: draft.gateway,
            gatewayOrderID: draft.gatewayOrderID, paidPaise: paymentStatus == "paid" ? totals.totalPaise : 0, refundDue: false,
            paymentExpiresAt: paymentExpiresAt, cancelReason: nil, customerName: draft.customerName, customerPhone: draft.customerPhone,
            customerEmail: draft.customerEmail, shipping: draft.shipping, billing: draft.billing, placeOfSupply: destination.stateCode, supply: supply,
            shippingTax: shippingTax, totals: totals, riskScore: risk.score, riskReasons: reasonsJSON, reservationID: draft.reservationID,
            tags: draft.tags, notes: draft.notes, version: 1, placedAt: placedAt, createdAt: now, updatedAt: now, lines: lines, shipments: shipments,
            history: [Order.HistoryEntry(action: "created", fromStatus: nil, toStatus: status.rawValue, detail: .object(detail), actor: actor, at: now)])
        return (order, true)
    }

    // MARK: - verification steps, shared with edits

    /// What intake needs to know about an ordered SKU.
    struct CatalogFacts {
        var name: String
        var hsn: String
        var rateBps: Int64
    }

    /// The directory entry for a pincode, or 422 `invalid_pincode` naming the field.
    static func destination(_ pincode: String, field: String) throws -> PincodeInfo {
        guard let info = PincodeDirectory.lookup(pincode) else {
            throw DomainError(status: 422, code: "invalid_pincode", detail: "Pincode \(pincode) is not in the India Post directory.",
                              fields: [(field, "invalid_pincode", "Use the six-digit pincode of the delivery post office (India Post directory).")])
        }
        return info
    }

    /// Name, HSN and GST rate of every line's SKU, with the channel and stock facts the
    /// reservation needs (one query per line); 422 naming each unknown or inactive SKU.
    static func catalog(_ db: any Database, channel: String, lines: [OrderDraft.Line]) throws -> (facts: [CatalogFacts], lines: [Availability.LineFacts]) {
        var facts: [CatalogFacts] = []
        var lineFacts: [Availability.LineFacts] = []
        var problems: [(field: String, code: String, message: String)] = []
        for (i, line) in lines.enumerated() {
            guard let c = try Availability.lineFacts(db, channel: channel, sku: line.sku), c.channelActive else {
                throw DomainError.invalid("channel", "unknown_channel", "No active channel \(channel).")
            }
            lineFacts.append(c)
            guard let sku = c.facts else {
                problems.append(("lines[\(i)].sku", "unknown_sku", "No SKU \(line.sku); create it with PUT /v1/skus/\(line.sku)."))
                continue
            }
            if !sku.active { problems.append(("lines[\(i)].sku", "inactive_sku", "SKU \(line.sku) is not active.")) }
            facts.append(CatalogFacts(name: sku.name, hsn: sku.hsn, rateBps: sku.gstRateBps))
        }
        if !problems.isEmpty {
            throw DomainError(status: 422, code: "validation_failed", detail: "Some lines name SKUs that cannot be sold.", fields: problems)
        }
        return (facts, lineFacts)
    }

    /// Tax per line, on shipping, and the order's totals; a line the tax rules reject is a
    /// 422 naming `lines[i]`.
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

    /// Totals the client sent must equal Bahi's, or 422 `totals_mismatch` with each difference.
    static func checkClaims(_ claimed: OrderDraft.ClaimedTotals, _ totals: OrderTotals) throws {
        var problems: [(field: String, code: String, message: String)] = []
        func compare(_ field: String, _ sent: Int64?, _ computed: Int64) {
            if let sent, sent != computed { problems.append((field, "totals_mismatch", "You sent \(sent); Bahi computes \(computed).")) }
        }
        compare("subtotal_paise", claimed.subtotalPaise, totals.subtotalPaise)
        compare("discount_paise", claimed.discountPaise, totals.discountPaise)
        compare("tax_paise", claimed.taxPaise, totals.cgstPaise + totals.sgstPaise + totals.igstPaise)
        compare("total_paise", claimed.totalPaise, totals.totalPaise)
        if !problems.isEmpty {
            throw DomainError(status: 422, code: "totals_mismatch",
                              detail: "The totals sent differ from Bahi's (prices are GST-inclusive, discounts per line, tax rounded once per line).", fields: problems)
        }
    }

    /// The seller's COD rules: channel (nil skips it), pincode, value.
    static func checkCOD(channel: String?, destination: PincodeInfo, total: Int64, policy: OrderPolicy) throws {
        if let channel, policy.codDisabledChannels.contains(channel) {
            throw DomainError(status: 422, code: "cod_not_available", detail: "Channel \(channel) does not take cash on delivery.",
                              fields: [("payment.method", "cod_not_available", "Use prepaid on this channel.")])
        }
        if policy.codBlockedPincodes.contains(destination.pincode) {
            throw DomainError(status: 422, code: "cod_blocked_pincode", detail: "Cash on delivery is not offered to pincode \(destination.pincode).",
                              fields: [("shipping_address.pincode", "cod_blocked_pincode", "Offer prepaid to this pincode.")])
        }
        if total > policy.codMaxPaise {
            throw DomainError(status: 422, code: "cod_limit_exceeded",
                              detail: "COD orders may be at most \(policy.codMaxPaise) paise; this one is \(total).",
                              fields: [("payment.method", "cod_limit_exceeded", "Use prepaid for orders above \(policy.codMaxPaise) paise.")])
        }
    }

    /// The RTO-risk score of a COD order from what Bahi knows about its phone and pincode.
    static func assessRisk(_ db: any Database, draft: OrderDraft, total: Int64, now: Int64) throws -> RTORisk {
        let phone = try db.queryFirst("SELECT orders, cancellations, rtos FROM customer_stats WHERE phone = ?", [draft.customerPhone]) { row in
            (orders: try row[0] as Int64, cancellations: try row[1] as Int64, rtos: try row[2] as Int64)
        } ?? (orders: 0, cancellations: 0, rtos: 0)
        let pin = try db.queryFirst("SELECT orders, rtos FROM pincode_stats WHERE pincode = ?", [draft.shipping.pincode]) { row in
            (orders: try row[0] as Int64, rtos: try row[1] as Int64)
        } ?? (orders: 0, rtos: 0)
        return RTORiskScorer.score(RTORiskInput(
            isCOD: true, orderValuePaise: total, customerPreviousOrders: Int(phone.orders), phoneRTOs: Int(phone.rtos),
            phoneCancellations: Int(phone.cancellations), pincodeOrders: Int(pin.orders), pincodeRTOs: Int(pin.rtos),
            address: draft.shipping.riskLines, hourOfDay: RTORiskScorer.hourOfDay(milliseconds: draft.placedAt ?? now)))
    }

    /// Counts the order for its phone and pincode (what later risk scores learn from).
    static func countOrder(_ db: any Database, phone: String, pincode: String) throws {
        try db.execute("INSERT INTO customer_stats (phone, orders) VALUES (?, 1) ON CONFLICT (phone) DO UPDATE SET orders = orders + 1", binding: phone)
        try db.execute("INSERT INTO pincode_stats (pincode, orders) VALUES (?, 1) ON CONFLICT (pincode) DO UPDATE SET orders = orders + 1", binding: pincode)
    }

    /// Counts a cancellation for the order's phone and pincode.
    static func countCancellation(_ db: any Database, phone: String, pincode: String) throws {
        try db.execute("INSERT INTO customer_stats (phone, cancellations) VALUES (?, 1) ON CONFLICT (phone) DO UPDATE SET cancellations = cancellations + 1", [phone])
        try db.execute("INSERT INTO pincode_stats (pincode, cancellations) VALUES (?, 1) ON CONFLICT (pincode) DO UPDATE SET cancellations = cancellations + 1", [pincode])
    }

    /// Stores the lines with their tax.
    static func insertLines(_ db: any Database, orderID: String, _ lines: [OrderDraft.Line], catalog: [CatalogFacts], taxes: [GSTLineTax]) throws -> [Order.Line] {
        var out: [Order.Line] = []
        for (i, line) in lines.enumerated() {
            let tax = taxes[i], facts = catalog[i]
            try db.execute(
                """
                INSERT INTO order_lines (order_id, line, sku, name, hsn, qty, unit_price_paise, discount_paise, total_paise, taxable_paise,
                                         rate_bps, cgst_paise, sgst_paise, igst_paise)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                binding: orderID, i, line.sku, facts.name, facts.hsn, line.qty, line.unitPricePaise, line.discountPaise, tax.totalPaise,
                tax.taxablePaise, tax.rateBps, tax.cgstPaise, tax.sgstPaise, tax.igstPaise)
            out.append(Order.Line(line: i, sku: line.sku, name: facts.name, hsn: facts.hsn, qty: line.qty, unitPricePaise: line.unitPricePaise,
                                  discountPaise: line.discountPaise, tax: tax, invoiceID: nil))
        }
        return out
    }

    /// With no seller state configured, the state of the highest-priority active location
    /// (where a small seller is registered); 409 if there is none yet.
    static func fallbackSellerState(_ db: any Database) throws -> IndianState {
        let pincode = try db.queryValue("SELECT pincode FROM locations WHERE active = 1 ORDER BY priority, code LIMIT 1", as: String.self)
        guard let pincode, let info = PincodeDirectory.lookup(pincode) else {
            throw DomainError(status: 409, code: "seller_state_unknown",
                              detail: "Bahi cannot tell CGST+SGST from IGST: set seller.state (or seller.gstin) in the configuration, or create a location.")
        }
        return info.stateCode
    }

    /// The location order for a strategy; nil for plain priority (the ledger's own order).
    static func ranker(_ db: any Database, strategy: AllocationStrategy, destination: PincodeInfo) throws -> (@Sendable (LineReservation.Plan) -> [String])? {
        guard strategy != .priority else { return nil }
        let locations = try db.query("SELECT code, priority, pincode FROM locations WHERE active = 1") { row in
            (code: try row[0] as String, priority: try row[1] as Int64, pincode: try row[2] as String)
        }
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
