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

    /// Issues the invoice for a packed shipment: the order's lines it carries that no
    /// earlier invoice billed (a line split over parcels is billed whole with the first),
    /// plus the shipping charge on the order's first invoice. Nil when every line it
    /// carries is billed already. The caller marks the billed lines (`Invoice.lines`) on
    /// the order; `sellerState` is asked only when an invoice is issued.
    ///
    /// The number comes from `invoice_series` with an upsert in the packing transaction:
    /// the writer runs one transaction at a time, and a rolled-back pack rolls the number
    /// back too, so numbers are consecutive and never reused.
    static func issue(_ db: any Database, order: Order, shipment: Shipment, policy: OrderPolicy, sellerState: () throws -> IndianState,
                      now: Int64) throws -> Invoice? {
        let carried = Set(shipment.lines.map(\.line))
        let lines = order.lines.filter { carried.contains($0.line) && $0.invoiceID == nil }
        guard !lines.isEmpty else { return nil }
        let year = FinancialYear.containing(milliseconds: now)
        guard let sequence = try FulfilmentRecords.nextSequence(db, financialYear: year.label) else {
            throw DomainError(.invoiceSeriesFailed, "The invoice series for \(year.label) did not advance.")
        }
        let number = try InvoiceNumber.format(prefix: policy.invoicePrefix, year: year, sequence: sequence)
        let id = EntityID.make(.invoice, milliseconds: UInt64(now))
        let sellerState = try sellerState()

        var taxable: Int64 = 0, cgst: Int64 = 0, sgst: Int64 = 0, igst: Int64 = 0, total: Int64 = 0
        var rows: [JSONValue] = []
        for line in lines {
            rows.append(.object([
                "line": .int(Int64(line.line)), "sku": .string(line.sku), "name": .string(line.name), "hsn": .string(line.hsn), "qty": .int(line.qty),
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
                "issued_at": .string(Timestamps.rfc3339(milliseconds: now)), "order_id": .string(order.id), "shipment_id": .string(shipment.id),
                "channel": .string(order.channel), "channel_order_ref": .string(order.channelOrderRef),
                "seller": .object([
                    "legal_name": .string(policy.seller.legalName), "gstin": .optional(policy.seller.gstin.isEmpty ? nil : policy.seller.gstin),
                    "state": .string(sellerState.name), "state_code": .string(sellerState.gstCode), "address": .string(policy.seller.address),
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
                    "tax_paise": .int(cgst + sgst + igst), "total_paise": .int(total),
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

/// The printable GST invoice, from the stored document (so a reprint shows exactly what
/// was issued, whatever the catalog says today).
enum InvoiceHTML {
    static func render(_ document: JSONValue) -> String {
        guard case .object(let d) = document else { return PrintableHTML.page(title: "Invoice", body: "<p>Unreadable invoice.</p>") }
        func s(_ o: JSONObject?, _ k: String) -> String { if case .string(let v)? = o?[k] { v } else { "" } }
        func n(_ o: JSONObject?, _ k: String) -> Int64 { if case .number(let v)? = o?[k] { v.int64 ?? 0 } else { 0 } }
        func obj(_ o: JSONObject?, _ k: String) -> JSONObject? { if case .object(let v)? = o?[k] { v } else { nil } }
        let e = PrintableHTML.escape
        let seller = obj(d, "seller"), buyer = obj(d, "buyer"), pos = obj(d, "place_of_supply"), totals = obj(d, "totals")
        let intra = s(d, "supply") == "intra_state"
        func address(_ a: JSONObject?) -> String {
            [s(a, "line1"), s(a, "line2"), s(a, "city"), s(a, "pincode_state").isEmpty ? s(a, "state") : s(a, "pincode_state"), s(a, "pincode")]
                .filter { !$0.isEmpty }.map(e).joined(separator: ", ")
        }
        var rows = ""
        let taxHeads = intra ? "<th class=\"n\">CGST</th><th class=\"n\">SGST</th>" : "<th class=\"n\">IGST</th>"
        func taxCells(_ o: JSONObject?) -> String {
            intra ? "<td class=\"n\">\(PrintableHTML.rupees(n(o, "cgst_paise")))</td><td class=\"n\">\(PrintableHTML.rupees(n(o, "sgst_paise")))</td>"
                : "<td class=\"n\">\(PrintableHTML.rupees(n(o, "igst_paise")))</td>"
        }
        func rate(_ bps: Int64) -> String { bps % 100 == 0 ? "\(bps / 100)%" : "\(bps / 100).\(String(format2: bps % 100))%" }
        if case .array(let lines)? = d["lines"] {
            for case .object(let l) in lines {
                rows += "<tr><td>\(e(s(l, "sku")))</td><td>\(e(s(l, "name")))</td><td>\(e(s(l, "hsn")))</td><td class=\"n\">\(n(l, "qty"))</td>"
                    + "<td class=\"n\">\(PrintableHTML.rupees(n(l, "taxable_paise")))</td><td class=\"n\">\(rate(n(l, "gst_rate_bps")))</td>\(taxCells(l))"
                    + "<td class=\"n\">\(PrintableHTML.rupees(n(l, "total_paise")))</td></tr>\n"
            }
        }
        if let ship = obj(d, "shipping") {
            rows += "<tr><td>—</td><td>Shipping</td><td>\(e(s(ship, "sac")))</td><td class=\"n\">1</td>"
                + "<td class=\"n\">\(PrintableHTML.rupees(n(ship, "taxable_paise")))</td><td class=\"n\">\(rate(n(ship, "gst_rate_bps")))</td>\(taxCells(ship))"
                + "<td class=\"n\">\(PrintableHTML.rupees(n(ship, "total_paise")))</td></tr>\n"
        }
        let body = """
            <h1>Tax Invoice \(e(s(d, "number")))</h1>
            <p>Date \(e(String(s(d, "issued_at").prefix(10)))) · Order \(e(s(d, "channel_order_ref"))) (\(e(s(d, "order_id")))) · Financial year \(e(s(d, "financial_year")))</p>
            <div class="parties"><div><h2>Seller</h2><p><b>\(e(s(seller, "legal_name")))</b><br>GSTIN \(e(s(seller, "gstin")))<br>\(e(s(seller, "address")))<br>State \(e(s(seller, "state"))) (\(e(s(seller, "state_code"))))</p></div>
            <div><h2>Bill to</h2><p><b>\(e(s(buyer, "name")))</b><br>\(address(obj(buyer, "billing_address")))<br>\(e(s(buyer, "phone")))</p></div>
            <div><h2>Ship to</h2><p>\(address(obj(buyer, "shipping_address")))</p></div></div>
            <p>Place of supply: <b>\(e(s(pos, "state"))) (\(e(s(pos, "state_code"))))</b> · Reverse charge: No</p>
            <table><thead><tr><th>SKU</th><th>Description</th><th>HSN/SAC</th><th class="n">Qty</th><th class="n">Taxable</th><th class="n">Rate</th>\(taxHeads)<th class="n">Total</th></tr></thead>
            <tbody>
            \(rows)</tbody>
            <tfoot><tr><td colspan="4">Total</td><td class="n">\(PrintableHTML.rupees(n(totals, "taxable_paise")))</td><td></td>\(taxCells(totals))<td class="n"><b>\(PrintableHTML.rupees(n(totals, "total_paise")))</b></td></tr></tfoot></table>
            <p>Prices include GST. This is a computer-generated invoice.</p>
            """
        return PrintableHTML.page(title: "Invoice \(s(d, "number"))", body: body)
    }
}

extension String {
    /// Two digits, zero-padded (basis points after the decimal point).
    init(format2 value: Int64) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
