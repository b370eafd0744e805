public import BahiStore
public import BahiJSON

/// GST tax invoices (DESIGN §8): issued when a shipment is packed, numbered from one
/// consecutive series per financial year, and kept exactly as issued.
public enum Invoices {
    /// An issued invoice: its number and the document as stored.
    public struct Invoice: Sendable {
        /// `inv_…`, how the API and the shipment name it.
        public var id: String
        /// The legal number in the financial year's series (`INV/2627/00042`).
        public var number: String
        /// The order it bills.
        public var orderID: String
        /// The packed shipment it goes with (one invoice per shipment at most).
        public var shipmentID: String
        /// The invoice exactly as issued: reprints render this, not today's catalog.
        public var document: JSONValue
        /// The order lines it bills (known when it is issued; empty when read back).
        public var lines: [Int] = []

        /// The printable invoice, rendered from the stored document.
        public var html: String { InvoiceHTML.render(document) }
    }

    /// The SAC code for courier services, printed on the shipping charge's row.
    public static let shippingSAC = "996812"
    /// The Unique Quantity Code of every line (Rule 46(h) asks for the quantity's unit): Bahi
    /// sells whole units, GSTN's `NOS` (numbers).
    public static let unitQuantityCode = "NOS"

    /// The invoice date: the calendar day in India (UTC+5:30) at `milliseconds`, `2026-12-04`.
    static func istDate(_ milliseconds: Int64) -> String {
        let (year, month, day) = Timestamps.civil(days: Timestamps.floorDivide(milliseconds + 19_800_000, 86_400_000))
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(two(month))-\(two(day))"
    }

    /// The order's lines this shipment carries that no earlier invoice billed: what its
    /// invoice bills (empty when it needs none).
    public static func billableLines(order: Order, shipment: Shipment) -> [Order.Line] {
        let carried = Set(shipment.lines.map(\.line))
        return order.lines.filter { carried.contains($0.line) && $0.invoiceID == nil }
    }

    /// Refuses (`seller_profile_incomplete`, 409) a seller profile a tax invoice cannot be
    /// issued from, naming each missing field (`details.missing` and one problem per field):
    /// Rule 46(a) asks for the supplier's name, address and GSTIN, and an invoice without them
    /// is no tax invoice at all. Nothing is written before this check.
    public static func checkSeller(_ seller: SellerProfile) throws {
        let missing = seller.missingForInvoice
        guard !missing.isEmpty else { return }
        throw DomainError(
            .sellerProfileIncomplete,
            "A tax invoice needs the seller's \(missing.joined(separator: ", ")); set them with PUT /v1/settings/seller (or the seller.* configuration) and pack again.",
            problems: missing.map { FieldProblem("seller.\($0)", "required", "Not set in the seller profile.") },
            details: [DomainError.Detail(key: "missing", json: JSONValue.array(missing.map(JSONValue.string)).encodedText)])
    }

    /// Issues the invoice for a packed shipment: the order's lines it carries that no
    /// earlier invoice billed (a line split over parcels is billed whole with the first),
    /// plus the shipping charge on the order's first invoice. Nil when every line it
    /// carries is billed already. The caller marks the billed lines (`Invoice.lines`) on
    /// the order, and has checked `seller` (`checkSeller`); the document records the seller as
    /// it is now, so a later profile change never alters an issued invoice.
    ///
    /// The number comes from `invoice_series` with an upsert in the packing transaction:
    /// the writer runs one transaction at a time, and a rolled-back pack rolls the number
    /// back too, so numbers are consecutive and never reused.
    static func issue(_ db: any Database, order: Order, shipment: Shipment, seller: SellerProfile, invoicePrefix: String, now: Int64) throws -> Invoice? {
        let lines = billableLines(order: order, shipment: shipment)
        guard !lines.isEmpty else { return nil }
        // A complete profile has a state; `checkSeller` throws for any other.
        guard let sellerState = seller.state, seller.missingForInvoice.isEmpty else { try checkSeller(seller); return nil }
        let year = FinancialYear.containing(milliseconds: now)
        guard let sequence = try FulfilmentRecords.nextSequence(db, financialYear: year.label) else {
            throw DomainError(.invoiceSeriesFailed, "The invoice series for \(year.label) did not advance.")
        }
        let number = try InvoiceNumber.format(prefix: invoicePrefix, year: year, sequence: sequence)
        let id = EntityID.make(.invoice, milliseconds: UInt64(now))

        var taxable: Int64 = 0, cgst: Int64 = 0, sgst: Int64 = 0, igst: Int64 = 0, total: Int64 = 0
        var rows: [JSONValue] = []
        for line in lines {
            rows.append(.object([
                "line": .int(Int64(line.line)), "sku": .string(line.sku), "name": .string(line.name), "hsn": .string(line.hsn), "qty": .int(line.qty), "unit": .string(unitQuantityCode),
                "unit_price_paise": .int(line.unitPricePaise), "discount_paise": .int(line.discountPaise), "taxable_paise": .int(line.tax.taxablePaise),
                "gst_rate_bps": .int(line.tax.rateBps), "cgst_paise": .int(line.tax.cgstPaise), "sgst_paise": .int(line.tax.sgstPaise),
                "igst_paise": .int(line.tax.igstPaise), "total_paise": .int(line.tax.totalPaise),
            ]))
            taxable += line.tax.taxablePaise; cgst += line.tax.cgstPaise; sgst += line.tax.sgstPaise; igst += line.tax.igstPaise; total += line.tax.totalPaise
        }
        let buyerAddress = order.billing ?? order.shipping
        /// The document with or without the shipping charge, and its total.
        func document(withShipping: Bool) -> (document: JSONValue, total: Int64) {
            var taxable = taxable, cgst = cgst, sgst = sgst, igst = igst, total = total
            var shippingRow = JSONValue.null
            if withShipping {
                let s = order.shippingTax
                shippingRow = .object([
                    "sac": .string(shippingSAC), "taxable_paise": .int(s.taxablePaise), "gst_rate_bps": .int(s.rateBps), "cgst_paise": .int(s.cgstPaise),
                    "sgst_paise": .int(s.sgstPaise), "igst_paise": .int(s.igstPaise), "total_paise": .int(s.totalPaise),
                ])
                taxable += s.taxablePaise; cgst += s.cgstPaise; sgst += s.sgstPaise; igst += s.igstPaise; total += s.totalPaise
            }
            return (.object([
                "id": .string(id), "number": .string(number), "financial_year": .string(year.label),
                "issued_at": .string(Timestamps.rfc3339(milliseconds: now)), "date": .string(istDate(now)), "order_id": .string(order.id), "shipment_id": .string(shipment.id),
                "channel": .string(order.channel), "channel_order_ref": .string(order.channelOrderRef),
                "seller": .object([
                    "legal_name": .string(seller.legalName), "trade_name": .string(seller.tradeName), "gstin": .string(seller.gstin),
                    "state": .string(sellerState.name), "state_code": .string(sellerState.gstCode), "address": .string(seller.address.printed),
                    "ships_from": .string(shipment.location),
                ]),
                "buyer": .object([
                    "name": .string(buyerAddress.name), "phone": .string(order.customerPhone), "billing_address": buyerAddress.json,
                    "shipping_address": order.shipping.json,
                ]),
                "place_of_supply": .object(["state": .string(order.placeOfSupply.name), "state_code": .string(order.placeOfSupply.gstCode)]),
                "supply": .string(order.supply.rawValue), "reverse_charge": .bool(false),
                "lines": .array(rows), "shipping": shippingRow,
                "totals": .object([
                    "taxable_paise": .int(taxable), "cgst_paise": .int(cgst), "sgst_paise": .int(sgst), "igst_paise": .int(igst),
                    "tax_paise": .int(cgst + sgst + igst), "total_paise": .int(total), "total_in_words": .string(AmountInWords.rupees(total)),
                ]),
            ]), total)
        }
        // The shipping charge goes on the order's first invoice. Which invoice is first is
        // decided by the INSERT itself (it stores the shipping document only if no invoice of
        // the order exists), not by a read before it.
        let plain = document(withShipping: false)
        let shipped = order.shippingTax.totalPaise > 0 ? document(withShipping: true) : plain
        var invoice = Invoice(id: id, number: number, orderID: order.id, shipmentID: shipment.id, document: plain.document, lines: lines.map(\.line))
        let carriesShipping = try FulfilmentRecords.insertInvoice(
            db, invoice, financialYear: year.label, sequence: sequence, ifFirst: (shipped.document.encodedText, shipped.total),
            otherwise: (plain.document.encodedText, plain.total), now: now)
        let issuedTotal = carriesShipping ? shipped.total : plain.total
        if carriesShipping { invoice.document = shipped.document }
        try EventLog.append(db, NewEvent(FulfilmentEvents.invoiceIssued, entityID: id, payload: [
            "invoice_id": .string(id), "number": .string(number), "order_id": .string(order.id), "shipment_id": .string(shipment.id),
            "total_paise": .int(issuedTotal),
        ]), actor: "system", at: now)
        return invoice
    }

    /// An invoice by id, or nil.
    public static func find(_ db: any Database, id: String) throws -> Invoice? {
        try FulfilmentRecords.findInvoice(db, id: id)
    }

    /// Invoice series that have a gap or a repeat, one message each (`bahi check`).
    public static func seriesProblems(_ db: any Database) throws -> [String] {
        try FulfilmentRecords.seriesProblems(db)
    }
}

/// The printable GST tax invoice, from the stored document (so a reprint shows exactly what
/// was issued, whatever the catalog or the seller profile say today).
///
/// It states every particular CGST Rule 46 asks of a supplier to an unregistered buyer:
/// (a) the supplier's name, address and GSTIN; (b) the number; (c) the date; (d, e) the
/// recipient's name and address, and the delivery address with its state name and code where it
/// differs; (f) HSN/SAC; (g) description; (h) quantity and unit; (i, j) value and taxable value
/// after discount; (k, l) rate and amount of each tax head (CGST and SGST within a state, IGST
/// across states); (m) the place of supply with state name and code; (o) whether tax is payable
/// on reverse charge; (q) the signature line — plus the total in words (Indian system) and
/// Rule 48's "Original for Recipient".
enum InvoiceHTML {
    static func render(_ document: JSONValue) -> String {
        guard case .object(let d) = document else { return PrintableHTML.page(title: "Invoice", body: "<p>Unreadable invoice.</p>") }
        func s(_ o: JSONObject?, _ k: String) -> String { if case .string(let v)? = o?[k] { v } else { "" } }
        func n(_ o: JSONObject?, _ k: String) -> Int64 { if case .number(let v)? = o?[k] { v.int64 ?? 0 } else { 0 } }
        func obj(_ o: JSONObject?, _ k: String) -> JSONObject? { if case .object(let v)? = o?[k] { v } else { nil } }
        let e = PrintableHTML.escape, money = PrintableHTML.rupees
        let seller = obj(d, "seller"), buyer = obj(d, "buyer"), pos = obj(d, "place_of_supply"), totals = obj(d, "totals")
        let intra = s(d, "supply") == "intra_state"
        /// An address with its state's name and GST code (Rule 46(e)).
        func address(_ a: JSONObject?) -> String {
            let state = s(a, "pincode_state").isEmpty ? s(a, "state") : s(a, "pincode_state")
            let code = s(a, "state_code").isEmpty ? "" : " (state code \(s(a, "state_code")))"
            return [s(a, "line1"), s(a, "line2"), s(a, "landmark"), s(a, "city"), s(a, "pincode")].filter { !$0.isEmpty }.map(e).joined(separator: ", ")
                + (state.isEmpty ? "" : "<br>" + e(state) + e(code))
        }
        /// A rate in thousandths of a percent as printed: 2500 → "2.5%", 125 → "0.125%", 18000 → "18%".
        func percent(_ thousandths: Int64) -> String {
            let fraction = thousandths % 1000
            guard fraction != 0 else { return "\(thousandths / 1000)%" }
            var digits = String(fraction + 1000).dropFirst()
            while digits.last == "0" { digits = digits.dropLast() }
            return "\(thousandths / 1000).\(digits)%"
        }
        let taxHeads = intra
            ? "<th class=\"num\">CGST rate</th><th class=\"num\">CGST</th><th class=\"num\">SGST rate</th><th class=\"num\">SGST</th>"
            : "<th class=\"num\">IGST rate</th><th class=\"num\">IGST</th>"
        /// The rate and amount of each tax head: half the GST rate each for CGST and SGST.
        func taxCells(_ o: JSONObject?, rated: Bool) -> String {
            let bps = n(o, "gst_rate_bps")
            // Basis points are hundredths of a percent: ×10 gives thousandths, ×5 half of it.
            let whole = rated ? percent(bps * 10) : "", half = rated ? percent(bps * 5) : ""
            return intra
                ? "<td class=\"num\">\(half)</td><td class=\"num\">\(money(n(o, "cgst_paise")))</td><td class=\"num\">\(half)</td><td class=\"num\">\(money(n(o, "sgst_paise")))</td>"
                : "<td class=\"num\">\(whole)</td><td class=\"num\">\(money(n(o, "igst_paise")))</td>"
        }
        var rows = ""
        if case .array(let lines)? = d["lines"] {
            for case .object(let l) in lines {
                let unit = s(l, "unit").isEmpty ? "" : " " + e(s(l, "unit"))
                let value = n(l, "unit_price_paise") * n(l, "qty")
                rows += "<tr><td>\(e(s(l, "name")))<br><small>SKU \(e(s(l, "sku")))</small></td><td>\(e(s(l, "hsn")))</td><td class=\"num\">\(n(l, "qty"))\(unit)</td>"
                    + "<td class=\"num\">\(money(value))</td><td class=\"num\">\(money(n(l, "discount_paise")))</td>"
                    + "<td class=\"num\">\(money(n(l, "taxable_paise")))</td>\(taxCells(l, rated: true))"
                    + "<td class=\"num\">\(money(n(l, "total_paise")))</td></tr>\n"
            }
        }
        if let ship = obj(d, "shipping") {
            rows += "<tr><td>Shipping and handling</td><td>\(e(s(ship, "sac")))</td><td class=\"num\">1</td>"
                + "<td class=\"num\">\(money(n(ship, "total_paise")))</td><td class=\"num\">\(money(0))</td>"
                + "<td class=\"num\">\(money(n(ship, "taxable_paise")))</td>\(taxCells(ship, rated: true))"
                + "<td class=\"num\">\(money(n(ship, "total_paise")))</td></tr>\n"
        }
        let date = s(d, "date").isEmpty ? String(s(d, "issued_at").prefix(10)) : s(d, "date")
        let printedDate = date.split(separator: "-").reversed().joined(separator: "-")  // 2026-12-04 → 04-12-2026
        let billing = obj(buyer, "billing_address"), shipping = obj(buyer, "shipping_address")
        // Rule 46(e)/(n): the delivery address only where it differs from the recipient's.
        let sameAddress = billing.map { b in ["name", "line1", "line2", "landmark", "city", "pincode"].allSatisfy { s(b, $0) == s(shipping, $0) } } ?? true
        let shipTo = sameAddress ? "" : "<div><h2>Ship to (place of delivery)</h2><p><b>\(e(s(shipping, "name")))</b><br>\(address(shipping))</p></div>"
        let tradeName = s(seller, "trade_name").isEmpty || s(seller, "trade_name") == s(seller, "legal_name") ? "" : "<br>Trading as \(e(s(seller, "trade_name")))"
        let inWords = s(totals, "total_in_words").isEmpty ? AmountInWords.rupees(n(totals, "total_paise")) : s(totals, "total_in_words")
        let body = """
            <p class="copy">Original for Recipient</p>
            <h1>Tax Invoice</h1>
            <table class="meta"><tr><td>Invoice No. <b>\(e(s(d, "number")))</b></td><td>Date <b>\(e(printedDate))</b></td>
            <td>Order \(e(s(d, "channel_order_ref"))) (\(e(s(d, "order_id"))))</td><td>Financial year \(e(s(d, "financial_year")))</td></tr></table>
            <div class="parties"><div><h2>Supplier</h2><p><b>\(e(s(seller, "legal_name")))</b>\(tradeName)<br>\(e(s(seller, "address")))<br>GSTIN <b>\(e(s(seller, "gstin")))</b><br>State \(e(s(seller, "state"))) (state code \(e(s(seller, "state_code"))))</p></div>
            <div><h2>Bill to (recipient)</h2><p><b>\(e(s(buyer, "name")))</b><br>\(address(billing ?? shipping))<br>\(e(s(buyer, "phone")))<br>GSTIN: Unregistered</p></div>
            \(shipTo)</div>
            <p>Place of supply: <b>\(e(s(pos, "state"))) (state code \(e(s(pos, "state_code"))))</b> · \(intra ? "Intra-state supply: CGST + SGST" : "Inter-state supply: IGST") · Tax payable on reverse charge: <b>No</b></p>
            <table><thead><tr><th>Description</th><th>HSN/SAC</th><th class="num">Qty</th><th class="num">Amount incl. GST</th><th class="num">Discount</th><th class="num">Taxable value</th>\(taxHeads)<th class="num">Total</th></tr></thead>
            <tbody>
            \(rows)</tbody>
            <tfoot><tr><td colspan="5"><b>Total</b></td><td class="num">\(money(n(totals, "taxable_paise")))</td>\(taxCells(totals, rated: false))<td class="num"><b>\(money(n(totals, "total_paise")))</b></td></tr></tfoot></table>
            <p>Total tax \(money(n(totals, "tax_paise"))) · Invoice total (in words): <b>\(e(inWords))</b></p>
            <p>Prices include GST. This is a computer-generated invoice.</p>
            <p class="sign">For \(e(s(seller, "legal_name")))<br><br><br>Authorised signatory</p>
            """
        return PrintableHTML.page(title: "Invoice \(s(d, "number"))", body: body)
    }
}
