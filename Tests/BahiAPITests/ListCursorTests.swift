import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON

/// Every route that takes `after=` answers a cursor it did not make with 400 `invalid_cursor`
/// naming the field (it used to be a 200 with an empty page), and still pages with the
/// cursors it hands out.
@Suite struct ListCursorTests {
    /// Every list and feed that reads `after`, and routes whose list is always one page.
    static let routes = [
        "/v1/orders", "/v1/events", "/v1/inventory", "/v1/inventory/A/movements", "/v1/inventory/changes?channel=web",
        "/v1/skus", "/v1/locations", "/v1/channels", "/v1/channels/web/buffers",
        "/v1/inventory/reorder", "/v1/fulfilment/queue", "/v1/keys",
    ]

    @Test func garbageCursorsAre400InvalidCursorEverywhere() async throws {
        try await withApp { app, _ in
            try await seedCatalog(app)
            let api = BahiApplication.makeAPI(app)
            let admin = try await app.keys.create(name: "a", role: .admin, channel: nil, actor: "t").secret
            for route in Self.routes {
                for garbage in ["garbage!", "-1", "%ZZ", "ord_notanid", "1e3"] {
                    let target = route + (route.contains("?") ? "&" : "?") + "after=" + garbage
                    let response = await send(api, .get, target, key: admin)
                    #expect(response.status.code == 400, "\(target): \(response.status.code) \(response.text)")
                    #expect(response.code == "invalid_cursor", "\(target): \(response.text)")
                    #expect(response.text.contains(#""field":"after""#), "\(target)")
                    #expect(response.headers["Content-Type"] == "application/problem+json")
                }
            }
            // An order's history is one page too.
            let history = await send(api, .get, "/v1/orders/ord_01KBVZ3X6Q0000000000000000/history?after=x", key: admin)
            #expect(history.code == "invalid_cursor")
            // The problem names the cursor even beside other mistakes.
            let both = await send(api, .get, "/v1/events?after=x&limit=0", key: admin)
            #expect(both.code == "invalid_cursor")
            #expect(both.text.contains(#""field":"limit""#))
            // Absent or empty means "from the start".
            for route in ["/v1/orders?after=", "/v1/events?after=", "/v1/inventory?after=", "/v1/skus?after="] {
                #expect(await send(api, .get, route, key: admin).status == .ok, "\(route)")
            }
        }
    }

    @Test func inventoryPagesWithItsOpaqueCursor() async throws {
        try await withApp { app, _ in
            try await seedCatalog(app)
            _ = try await app.write { db in
                let now = Int64(WallClock.milliseconds())
                for sku in ["A", "B", "C"] {
                    _ = try Movements.record(db, sku: sku, location: "SURAT", request: .receive(qty: 5), reason: nil, reference: nil, actor: "t", now: now)
                }
            }
            let api = BahiApplication.makeAPI(app)
            let admin = try await app.keys.create(name: "a", role: .admin, channel: nil, actor: "t").secret
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = await send(api, .get, "/v1/inventory?limit=2" + (cursor.map { "&after=\($0)" } ?? ""), key: admin)
                #expect(page.status == .ok, "\(page.text)")
                guard case .array(let data)? = page.json?["data"] else { Issue.record("data"); return }
                seen += data.compactMap { if case .object(let o) = $0, case .string(let s)? = o["sku"] { s } else { nil } }
                if case .string(let next)? = page.json?["next_cursor"] { cursor = next } else { cursor = nil }
            } while cursor != nil && seen.count < 10
            #expect(seen == ["A", "B", "C"])
        }
    }
}
