import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Orders under concurrency, over real loopback connections: the ledger, the order state
/// machine and the invoice series each hold whatever order the writer happens to see.
@Suite(.serialized) struct OrderRaceTests {
    /// Two channels' storefronts race for the last unit: exactly one order is taken.
    @Test func twoChannelsRaceForTheLastUnit() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 1)
            let requests = (0..<200).map { i in
                LiveRequest(target: "/v1/orders", key: i % 2 == 0 ? w.web : w.amazon,
                            body: orderJSON("RACE-\(i)", channel: nil, lines: [("TEE", 1, 49900, 0)], phone: "98765\(10000 + i)"))
            }
            let results = try await w.serving { port in try await live(port: port, clients: 64, requests) }
            #expect(results.count == 200)
            #expect(results.filter { $0.status == 201 }.count == 1)
            #expect(results.filter { $0.status == 409 && $0.body.contains(#""code":"insufficient_stock""#) }.count == 199)
            #expect(try await w.reserved("TEE") == 1)
            #expect(try await w.app.store.read { db in try db.queryValue("SELECT COUNT(*) FROM orders", as: Int64.self) } == 1)
            #expect(try await w.app.store.read { db in try db.queryValue("SELECT COUNT(*) FROM shipments", as: Int64.self) } == 1)
            #expect(try await w.violations() == [])
        }
    }

    /// An edit and a cancel of the same order sent at the same moment, 20 orders at once.
    /// Whichever the writer takes first (both happen, in varying shares per run), the outcome is one of the two consistent stories:
    /// edited (to 4 TEE) then cancelled, releasing 4; or cancelled, releasing the original 3,
    /// and the edit refused with 409. Never a cancelled order still holding stock.
    @Test func editRacingCancelEndsConsistent() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 200)
            try await w.stock("MUG", 200)
            var ids: [String] = []
            for i in 0..<20 {
                ids.append(await w.placed(orderJSON("E-\(i)", lines: [("TEE", 2, 49900, 0), ("MUG", 1, 34900, 0)], phone: "98765\(20000 + i)")))
            }
            #expect(try await w.reserved("TEE") == 40)
            let requests = ids.flatMap { id in [
                LiveRequest(target: "/v1/orders/\(id)/edit", key: w.admin, body: #"{"version":1,"lines":[{"sku":"TEE","qty":4,"unit_price_paise":49900}]}"#),
                LiveRequest(target: "/v1/orders/\(id)/cancel", key: w.admin, body: #"{"reason":"customer"}"#),
            ] }
            let results = try await w.serving { port in try await live(port: port, clients: requests.count, requests) }
            for (i, id) in ids.enumerated() {
                let edit = results[2 * i], cancel = results[2 * i + 1]
                #expect(cancel.status == 200, "\(cancel.body)")
                #expect(edit.status == 200 || (edit.status == 409 && edit.body.contains(#""code":"invalid_transition""#)), "\(edit.body)")
                let order = await w.order(id)
                #expect(order.str("status") == "cancelled")
                #expect(order.list("shipments").allSatisfy { $0["status"]?.text == "cancelled" })
                let history = await w.get("/v1/orders/\(id)/history").list("data")
                let released = history.last?.at("detail.released_units")?.integer
                if edit.status == 200 {
                    #expect(history.compactMap { $0["action"]?.text } == ["created", "edited", "cancelled"])
                    #expect(released == 4)
                    #expect(order.list("lines").compactMap { $0["qty"]?.integer } == [4])
                } else {
                    #expect(history.compactMap { $0["action"]?.text } == ["created", "cancelled"])
                    #expect(released == 3)
                    #expect(order.list("lines").compactMap { $0["qty"]?.integer } == [2, 1])
                }
                // Every unit the order ever reserved was released.
                let net = try await w.app.store.read { db in
                    try db.queryValue("SELECT COALESCE(SUM(reserved_delta), 0) FROM stock_movements WHERE reference = ?", [id], as: Int64.self)
                }
                #expect(net == 0)
            }
            #expect(try await w.reserved("TEE") == 0)
            #expect(try await w.reserved("MUG") == 0)
            #expect(try await level(w.app, "TEE").available == 200)
            #expect(try await audit(w.app) == [])
            #expect(try await w.violations() == [])
        }
    }

    /// 40 parcels packed at once: invoice numbers 1…40 of this financial year, each once.
    @Test func invoiceSeriesHasNoGapsUnderConcurrentPacking() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 40)
            var shipments: [String] = []
            for i in 0..<40 {
                let r = await w.place(orderJSON("I-\(i)", lines: [("TEE", 1, 49900, 0)], phone: "98765\(30000 + i)"))
                shipments.append(r.str("shipments.0.id") ?? "")
            }
            let requests = shipments.map { LiveRequest(target: "/v1/shipments/\($0)/pack", key: w.warehouse, body: packJSON(["TEE"])) }
            let results = try await w.serving { port in try await live(port: port, clients: 40, requests) }
            #expect(results.allSatisfy { $0.status == 200 })
            let year = FinancialYear.containing(milliseconds: Int64(WallClock.milliseconds())).short
            let numbers = results.compactMap { r -> String? in
                guard case .object(let o)? = try? JSONParser.parse(Array(r.body.utf8)) else { return nil }
                return JSONValue.object(o).at("invoice.number")?.text
            }
            #expect(numbers.count == 40)
            #expect(Set(numbers) == Set((1...40).map { "INV/\(year)/" + String(repeating: "0", count: 5 - String($0).count) + String($0) }))
            let sequences = try await w.app.store.read { db in try db.query("SELECT sequence FROM invoices ORDER BY sequence") { row in try row[0] as Int64 } }
            #expect(sequences == Array(1...40))
            #expect(try await w.violations() == [])
        }
    }
}
