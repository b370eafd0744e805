import Foundation
import Synchronization
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiStore
import BahiTestSupport

/// The flash-sale proof (issue: "no more overselling"): 256 concurrent HTTP clients over
/// real loopback connections race for stock, and the ledger hands out exactly what exists.
@Suite(.serialized) struct FlashSaleTests {
    /// Runs `total` POST /v1/inventory/reservations across `clients` keep-alive connections;
    /// `body(i)` is the i-th request's JSON. Returns the status codes.
    func race(port: Int, key: String, clients: Int, total: Int, body: @escaping @Sendable (Int) -> String) async throws -> [Int] {
        try await withThrowingTaskGroup(of: [Int].self) { group in
            for c in 0..<clients {
                group.addTask {
                    try await offPool {
                        let client = try TestClient(port: port, timeoutSeconds: 30)
                        var statuses: [Int] = []
                        var i = c
                        while i < total {
                            let json = body(i)
                            try client.send("POST /v1/inventory/reservations HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)")
                            statuses.append(try client.readResponse().status)
                            i += clients
                        }
                        return statuses
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
    }

    func serve(_ app: BahiContext) throws -> HTTPServer {
        var config = app.configuration.httpServer
        config.port = 0
        config.accessLog = .disabled
        let server = HTTPServer(configuration: config, responder: BahiApplication.makeAPI(app).router)
        try server.start()
        return server
    }

    /// Issue 11's proof too: through ONE storefront key at the default limits (nothing
    /// lifted), so every attempt is answered by stock (201 or 409), never by the rate limit.
    @Test func thousandUnitsFiveThousandBuyers() async throws {
        try await withApp { app, _ in
            try await seedCatalog(app)
            _ = try await app.write { db in
                try Movements.record(db, sku: "A", location: "SURAT", request: .receive(qty: 1000), reason: nil, reference: "stock", actor: "t", now: Int64(WallClock.milliseconds()))
            }
            let key = try await app.keys.create(name: "web", role: .storefront, channel: "web", actor: "t").secret
            let server = try serve(app)
            let statuses = try await race(port: server.port, key: key, clients: 256, total: 5000) { _ in #"{"lines":[{"sku":"A","qty":1}]}"# }
            await server.shutdown()
            #expect(statuses.count == 5000)
            #expect(!statuses.contains(429))
            #expect(statuses.filter { $0 == 201 }.count == 1000)
            #expect(statuses.filter { $0 == 409 }.count == 4000)
            let a = try await level(app, "A")
            #expect(a.reserved == 1000)
            #expect(a.available == 0)
            #expect(try await audit(app).isEmpty)
            let held = try await app.store.read { db in try db.queryValue("SELECT COUNT(*) FROM reservations WHERE status = 'active'", as: Int.self) }
            #expect(held == 1000)
        }
    }

    @Test func kitAndItsComponentSoldAtOnce() async throws {
        try await withApp { app, _ in
            try await seedCatalog(app)  // KIT = 2×C + 1×B
            _ = try await app.write { db in
                let now = Int64(WallClock.milliseconds())
                _ = try Movements.record(db, sku: "C", location: "SURAT", request: .receive(qty: 1000), reason: nil, reference: nil, actor: "t", now: now)
                return try Movements.record(db, sku: "B", location: "SURAT", request: .receive(qty: 100_000), reason: nil, reference: nil, actor: "t", now: now)
            }
            let key = try await app.keys.create(name: "web", role: .storefront, channel: "web", actor: "t").secret
            let server = try serve(app)
            let kits = Atomic<Int>(0)
            let statuses = try await race(port: server.port, key: key, clients: 256, total: 5000) { i in
                i % 2 == 0 ? #"{"lines":[{"sku":"KIT","qty":1}]}"# : #"{"lines":[{"sku":"C","qty":1}]}"#
            }
            await server.shutdown()
            _ = kits
            let kitHolds = try await app.store.read { db in
                try db.queryValue("SELECT COUNT(DISTINCT reservation_id) FROM reservation_allocations WHERE sku = 'KIT'", as: Int.self) ?? 0
            }
            let componentHolds = try await app.store.read { db in
                try db.queryValue("SELECT COUNT(DISTINCT reservation_id) FROM reservation_allocations WHERE sku = 'C'", as: Int.self) ?? 0
            }
            let c = try await level(app, "C")
            #expect(statuses.filter { $0 == 201 }.count == kitHolds + componentHolds)
            #expect(c.reserved == Int64(2 * kitHolds + componentHolds))
            #expect(c.reserved <= 1000)          // never oversold
            #expect(c.reserved >= 999)           // and everything sellable was sold
            #expect(try await level(app, "B").reserved == Int64(kitHolds))
            #expect(try await audit(app).isEmpty)
        }
    }
}
