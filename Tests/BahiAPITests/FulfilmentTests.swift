import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Where an order's stock comes from, and the warehouse side through the API: the queue,
/// pick lists, packing with scans, and GST invoices.
@Suite struct FulfilmentTests {
    /// The locations of an order's live parcels, in shipment order.
    func locations(_ r: HTTPResponse) -> [String] {
        r.list("shipments").filter { $0["status"]?.text == "pending" }.compactMap { $0["location"]?.text }.sorted()
    }

    /// SURAT (395003, priority 1) has TEE only; BLR (560001, priority 2) has TEE and MUG.
    /// web allocates `nearest`, amazon `single_location_first`, blinkit `priority`.
    @Test func allocationStrategiesPickTheirLocations() async throws {
        try await withOrders(configure: {
            $0.orders.allocationStrategy = "nearest"
            $0.orders.channelAllocationStrategies = ["amazon:single_location_first", "blinkit:priority"]
        }) { w in
            try await w.stock("TEE", 5, at: "SURAT")
            try await w.stock("TEE", 5, at: "BLR")
            try await w.stock("MUG", 5, at: "BLR")
            // A Bengaluru buyer: nearest ships from BLR, priority from SURAT.
            let nearest = await w.place(orderJSON("N-1", lines: [("TEE", 1, 49900, 0)], address: bengaluruAddress))
            #expect(locations(nearest) == ["BLR"])
            let priority = await w.place(orderJSON("P-1", channel: "blinkit", lines: [("TEE", 1, 49900, 0)], address: bengaluruAddress))
            #expect(locations(priority) == ["SURAT"])
            #expect(try await w.reserved("TEE", at: "BLR") == 1)
            #expect(try await w.reserved("TEE", at: "SURAT") == 1)
            // A Surat buyer of TEE and MUG: nearest splits (TEE from SURAT, MUG from BLR) ...
            let split = await w.place(orderJSON("N-2", lines: [("TEE", 2, 49900, 0), ("MUG", 1, 34900, 0)], shippingPaise: 4900, phone: "9876540001"))
            #expect(split.status == .created)
            #expect(locations(split) == ["BLR", "SURAT"])
            // ... single_location_first sends everything from BLR in one parcel.
            let single = await w.place(orderJSON("S-1", channel: "amazon", lines: [("TEE", 2, 49900, 0), ("MUG", 1, 34900, 0)], phone: "9876540002"))
            #expect(locations(single) == ["BLR"])
            #expect(single.list("shipments.0.lines").compactMap { $0["sku"]?.text } == ["TEE", "MUG"])
            #expect(try await w.reserved("TEE", at: "SURAT") == 3)
            #expect(try await w.reserved("TEE", at: "BLR") == 3)
            #expect(try await w.reserved("MUG", at: "BLR") == 2)

            // The split order packs as two parcels with two invoices; shipping is billed once,
            // on the first. By hand (intra-state, shipping at the highest line rate, 12 %):
            //   TEE 99800 at 5 %: taxable 95048; shipping 4900 at 12 %: taxable 4375 → invoice 1 = 104700, taxable 99423;
            //   MUG 34900 at 12 %: taxable 31161 → invoice 2 = 34900.
            let parcels = split.list("shipments")
            guard let surat = parcels.first(where: { $0["location"]?.text == "SURAT" })?["id"]?.text,
                  let blr = parcels.first(where: { $0["location"]?.text == "BLR" })?["id"]?.text else {
                Issue.record("two parcels expected"); return
            }
            let first = await w.post("/v1/shipments/\(surat)/pack", packJSON(["TEE", "TEE"]), key: w.warehouse)
            #expect(first.status == .ok)
            let second = await w.post("/v1/shipments/\(blr)/pack", packJSON(["MUG"]), key: w.warehouse)
            #expect(second.status == .ok)
            let one = await w.get("/v1/invoices/\(first.str("invoice.id") ?? "")")
            let two = await w.get("/v1/invoices/\(second.str("invoice.id") ?? "")")
            #expect(one.num("totals.total_paise") == 104700)
            #expect(one.num("totals.taxable_paise") == 99423)
            #expect(one.num("shipping.taxable_paise") == 4375)
            #expect(one.str("seller.ships_from") == "SURAT")
            #expect(two.num("totals.total_paise") == 34900)
            #expect(two.num("totals.taxable_paise") == 31161)
            #expect(two.document.at("shipping") == .null)
            #expect(two.str("seller.ships_from") == "BLR")
            #expect(two.list("lines").compactMap { $0["sku"]?.text } == ["MUG"])
            let order = await w.order(split.str("id") ?? "")
            #expect(order.list("lines").allSatisfy { $0["invoice_id"]?.text != nil })
            #expect(try await w.violations() == [])
        }
    }

    /// The queue at SURAT: express channel first, then prepaid before COD (even a COD order
    /// worth more), then value. Pick lists take from its head; named shipments must be
    /// pending and at the list's location.
    @Test func queuePicklistsPackingAndInvoices() async throws {
        try await withOrders(configure: { $0.fulfilment.expressChannels = ["blinkit"] }) { w in
            try await w.stock("TEE", 20, at: "SURAT")
            try await w.stock("MUG", 5, at: "SURAT")
            try await w.stock("SERUM", 5, at: "BLR")
            let cod = await w.place(orderJSON("Q-COD", lines: [("TEE", 3, 49900, 0)], payment: codPayment, phone: "9876550001"))
            let prepaid = await w.place(orderJSON("Q-PRE", lines: [("TEE", 1, 49900, 0)], phone: "9876550002"))
            let express = await w.place(orderJSON("Q-EXP", channel: "blinkit", lines: [("TEE", 1, 19900, 0), ("MUG", 1, 34900, 0)], payment: codPayment,
                                                  phone: "9876550003"))
            // SERUM is stocked only at BLR, so this parcel waits at another location.
            let elsewhere = await w.place(orderJSON("Q-BLR", lines: [("SERUM", 1, 129900, 0)], phone: "9876550004"))
            let codShipment = cod.str("shipments.0.id") ?? "", prepaidShipment = prepaid.str("shipments.0.id") ?? ""
            let expressShipment = express.str("shipments.0.id") ?? "", blrShipment = elsewhere.str("shipments.0.id") ?? ""

            let queue = await w.get("/v1/fulfilment/queue?location=SURAT", key: w.warehouse)
            #expect(queue.status == .ok)
            #expect(queue.list("data").compactMap { $0["shipment_id"]?.text } == [expressShipment, prepaidShipment, codShipment])
            #expect(queue.list("data").compactMap { $0["express"]?.flag } == [true, false, false])
            #expect(queue.num("total") == 3)
            #expect(queue.str("data.0.sla_due_at") != nil)
            #expect(await w.get("/v1/fulfilment/queue", key: w.warehouse).num("total") == 4)
            #expect(await w.get("/v1/fulfilment/queue", key: w.web).status == .forbidden)

            // Named shipments: one elsewhere refuses the whole list, changing nothing.
            let wrong = await w.post("/v1/picklists", #"{"location":"SURAT","shipment_ids":["\#(codShipment)","\#(blrShipment)"]}"#, key: w.warehouse)
            #expect(wrong.status == .conflict)
            #expect(wrong.code == "shipments_not_pickable")
            #expect(wrong.fieldErrors == ["shipment_ids[1]": "wrong_location"])
            #expect(await w.get("/v1/shipments/\(codShipment)", key: w.warehouse).str("status") == "pending")
            #expect(await w.post("/v1/picklists", #"{"location":"SURAT","limit":2}"#, key: w.finance).status == .forbidden)

            // The head of the queue.
            let list = await w.post("/v1/picklists", #"{"location":"SURAT","limit":2}"#, key: w.warehouse)
            #expect(list.status == .created)
            let listID = list.str("id") ?? ""
            #expect(listID.hasPrefix("pck_"))
            #expect(list.headers["location"] == "/v1/picklists/\(listID)")
            #expect(Set(list.list("shipment_ids").compactMap(\.text)) == [expressShipment, prepaidShipment])
            #expect(list.list("items").compactMap { $0["sku"]?.text } == ["MUG", "TEE"])
            #expect(list.list("items").compactMap { $0["qty"]?.integer } == [1, 2])
            #expect(list.list("items").compactMap { $0["shipments"]?.integer } == [1, 2])
            #expect(list.num("total_units") == 3)
            #expect(await w.order(express.str("id") ?? "").str("status") == "in_fulfilment")
            #expect(await w.order(cod.str("id") ?? "").str("status") == "confirmed")
            #expect(await w.get("/v1/fulfilment/queue?location=SURAT", key: w.warehouse).list("data").compactMap { $0["shipment_id"]?.text } == [codShipment])
            // A shipment already on a list cannot go on another.
            let taken = await w.post("/v1/picklists", #"{"location":"SURAT","shipment_ids":["\#(prepaidShipment)"]}"#, key: w.warehouse)
            #expect(taken.code == "shipments_not_pickable")
            #expect(taken.fieldErrors == ["shipment_ids[0]": "not_pending"])

            let json = await w.get("/v1/picklists/\(listID)", key: w.warehouse)
            #expect(json.status == .ok)
            #expect(json.num("total_units") == 3)
            #expect(json.str("location") == "SURAT")
            let html = await w.get("/v1/picklists/\(listID)?format=html", key: w.warehouse)
            #expect(html.status == .ok)
            #expect(html.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(html.text.contains("Khurja Mug &lt;Blue&gt; &amp; &quot;Chai&quot;"))
            #expect(!html.text.contains("<Blue>"))
            #expect(html.text.contains(expressShipment))
            #expect(await w.get("/v1/picklists/\(listID)", key: w.web).status == .forbidden)
            #expect(await w.get("/v1/picklists/pck_01JAAAAAAAAAAAAAAAAAAAAAAA", key: w.warehouse).status == .notFound)

            // Packing checks the scans: a TEE scanned twice and no MUG is named both ways.
            let mismatch = await w.post("/v1/shipments/\(expressShipment)/pack", packJSON(["TEE", "TEE"]), key: w.warehouse)
            #expect(mismatch.status.code == 422)
            #expect(mismatch.code == "scan_mismatch")
            #expect(mismatch.list("missing").map { "\($0["sku"]?.text ?? "")×\($0["qty"]?.integer ?? 0)" } == ["MUG×1"])
            #expect(mismatch.list("extra").map { "\($0["sku"]?.text ?? "")×\($0["qty"]?.integer ?? 0)" } == ["TEE×1"])
            #expect(await w.get("/v1/shipments/\(expressShipment)", key: w.warehouse).str("status") == "picking")
            #expect(try await w.app.store.read { db in try db.queryValue("SELECT COUNT(*) FROM invoices", as: Int64.self) } == 0)
            #expect(await w.post("/v1/shipments/\(expressShipment)/pack", #"{"weight_g":450,"scanned":["TEE","MUG"]}"#, key: w.warehouse).fieldErrors["length_mm"] == "required")

            // A scanner's trailing CR LF (escaped in the JSON) is trimmed from the scan.
            let packed = await w.post("/v1/shipments/\(expressShipment)/pack", packJSON(["MUG\\r\\n", "TEE"]), key: w.warehouse)
            #expect(packed.status == .ok, "\(packed.text)")
            #expect(packed.str("shipment.status") == "packed")
            let year = FinancialYear.containing(milliseconds: Int64(WallClock.milliseconds()))
            #expect(packed.str("invoice.number") == "INV/\(year.short)/00001")
            let invoiceID = packed.str("invoice.id") ?? ""
            #expect(await w.get("/v1/shipments/\(expressShipment)", key: w.warehouse).str("invoice_id") == invoiceID)

            // The invoice, by hand (Surat buyer, Gujarat seller: CGST + SGST):
            //   TEE 19900 at 5 %: taxable round(19900 × 100/105) = 18952, tax 948 = 474 + 474;
            //   MUG 34900 at 12 %: taxable round(34900 × 100/112) = 31161, tax 3739 = 1870 + 1869.
            let invoice = await w.get("/v1/invoices/\(invoiceID)", key: w.finance)
            #expect(invoice.status == .ok)
            #expect(invoice.str("number") == "INV/\(year.short)/00001")
            #expect(invoice.str("financial_year") == year.label)
            #expect(invoice.str("order_id") == express.str("id"))
            #expect(invoice.str("channel_order_ref") == "Q-EXP")
            #expect(invoice.str("seller.legal_name") == "Kapas Textiles LLP")
            #expect(invoice.str("seller.gstin") == "24AAKFK1234K1ZF")
            #expect(invoice.str("seller.state") == "Gujarat")
            #expect(invoice.str("seller.state_code") == "24")
            #expect(invoice.str("buyer.name") == "Asha Patel")
            #expect(invoice.str("buyer.phone") == "+919876550003")
            #expect(invoice.str("place_of_supply.state") == "Gujarat")
            #expect(invoice.str("supply") == "intra_state")
            #expect(invoice.list("lines").compactMap { $0["hsn"]?.text } == ["6109", "6912"])
            #expect(invoice.list("lines").compactMap { $0["taxable_paise"]?.integer } == [18952, 31161])
            #expect(invoice.list("lines").compactMap { $0["cgst_paise"]?.integer } == [474, 1870])
            #expect(invoice.list("lines").compactMap { $0["sgst_paise"]?.integer } == [474, 1869])
            #expect(invoice.list("lines").compactMap { $0["igst_paise"]?.integer } == [0, 0])
            #expect(invoice.num("totals.taxable_paise") == 50113)
            #expect(invoice.num("totals.tax_paise") == 4687)
            #expect(invoice.num("totals.total_paise") == 54800)
            #expect(await w.get("/v1/invoices/\(invoiceID)", key: w.web).status == .forbidden)
            #expect(await w.get("/v1/invoices/inv_01JAAAAAAAAAAAAAAAAAAAAAAA", key: w.finance).status == .notFound)

            let page = await w.get("/v1/invoices/\(invoiceID)?format=html", key: w.finance)
            #expect(page.status == .ok)
            #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(page.text.contains("Tax Invoice"))
            #expect(page.text.contains("Invoice No. <b>INV/\(year.short)/00001</b>"))
            #expect(page.text.contains("Khurja Mug &lt;Blue&gt; &amp; &quot;Chai&quot;"))
            #expect(!page.text.contains("<Blue>"))
            #expect(page.text.contains("6912"))
            #expect(page.text.contains("<th class=\"num\">CGST</th>"))
            #expect(page.text.contains("₹548.00"))
            #expect(await w.get("/v1/invoices/\(invoiceID)", key: w.finance, accept: "text/html").text.hasPrefix("<!doctype html>"))

            #expect(try await w.eventTypes(express.str("id") ?? "") == [
                "order.created", "order.confirmed", "shipment.picking", "order.in_fulfilment", "invoice.issued", "shipment.packed",
            ])
            // Nothing left at SURAT once the last shipment is listed.
            #expect(await w.post("/v1/picklists", #"{"location":"SURAT","shipment_ids":["\#(codShipment)"]}"#, key: w.warehouse).status == .created)
            let empty = await w.post("/v1/picklists", #"{"location":"SURAT","limit":5}"#, key: w.warehouse)
            #expect(empty.status == .conflict)
            #expect(empty.code == "nothing_to_pick")
            #expect(try await w.violations() == [])
        }
    }
}
