import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore
import BahiTestSupport

/// The world the order and fulfilment tests run in: an app with the order catalog seeded, the
/// API over it, and one key per role that orders involve.
struct OrderWorld {
    let app: BahiContext
    let api: API
    let admin: String
    let finance: String
    let warehouse: String
    /// Storefront keys bound to `web` and `amazon`.
    let web: String
    let amazon: String

    /// Places an order through the API as admin (or `key`).
    func place(_ body: String, key: String? = nil, headers: [(String, String)] = []) async -> HTTPResponse {
        await send(api, .post, "/v1/orders", key: key ?? admin, headers: headers, body: body)
    }

    /// Places an order and returns its id, recording an issue unless it was created.
    func placed(_ body: String, key: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async -> String {
        let r = await place(body, key: key)
        #expect(r.status == .created, "\(r.text)", sourceLocation: sourceLocation)
        return r.str("id") ?? "missing"
    }

    func get(_ target: String, key: String? = nil, accept: String? = nil) async -> HTTPResponse {
        await send(api, .get, target, key: key ?? admin, headers: accept.map { [("Accept", $0)] } ?? [])
    }

    func post(_ target: String, _ body: String = "{}", key: String? = nil, headers: [(String, String)] = []) async -> HTTPResponse {
        await send(api, .post, target, key: key ?? admin, headers: headers, body: body)
    }

    func order(_ id: String) async -> HTTPResponse { await get("/v1/orders/\(id)") }

    /// Receives `qty` units of `sku` at `location`.
    func stock(_ sku: String, _ qty: Int64, at location: String = "SURAT") async throws {
        _ = try await app.write { db in
            try Movements.record(db, sku: sku, location: location, request: .receive(qty: qty), reason: nil, reference: "PO", actor: "test",
                                 now: Int64(WallClock.milliseconds()))
        }
    }

    /// Units of `sku` reserved, over all locations (or at one).
    func reserved(_ sku: String, at location: String? = nil) async throws -> Int64 {
        try await app.store.read { db in
            try StockLedger.levels(db, sku: sku).filter { location == nil || $0.location == location }.reduce(0) { $0 + $1.reserved }
        }
    }

    /// The types of every event about the order (its own, and its shipments' and invoices'
    /// that name it), oldest first.
    func eventTypes(_ orderID: String) async throws -> [String] {
        try await app.store.read { db in
            // A text match rather than json_extract, which PostgreSQL lacks: payloads are
            // written compact by JSONWriter, so the field reads exactly "order_id":"ord_…".
            try db.query(#"SELECT type FROM events WHERE entity_id = ?1 OR payload LIKE '%"order_id":"' || ?1 || '"%' ORDER BY seq"#, [orderID]) { row in
                try row[0] as String
            }
        }
    }

    /// The actions of the order's history, oldest first, read through the API.
    func historyActions(_ orderID: String) async -> [String] {
        await get("/v1/orders/\(orderID)/history").list("data").compactMap { $0["action"]?.text }
    }

    /// Every violation `bahi check` would report.
    func violations() async throws -> [String] {
        try await app.store.read { db in
            try InvariantRegistry.run(db).flatMap { check in check.violations.map { "\(check.name): \($0)" } }
        }
    }

    /// Serves the API on a loopback port until `body` returns.
    func serving<T>(_ body: (Int) async throws -> T) async throws -> T {
        var config = app.configuration.httpServer
        config.port = 0
        config.accessLog = .disabled
        let server = HTTPServer(configuration: config, responder: api.router)
        try server.start()
        do {
            let result = try await body(server.port)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }
}

/// One request for `live`.
struct LiveRequest: Sendable {
    var method = "POST"
    var target: String
    var key: String
    var body: String
}

/// Sends `requests` over `clients` keep-alive loopback connections at once (request i goes on
/// connection i % clients); returns (status, body) in request order.
func live(port: Int, clients: Int, _ requests: [LiveRequest]) async throws -> [(status: Int, body: String)] {
    let results = try await withThrowingTaskGroup(of: [(Int, Int, String)].self) { group in
        for c in 0..<min(clients, requests.count) {
            group.addTask {
                try await offPool {
                    let client = try TestClient(port: port, timeoutSeconds: 30)
                    var out: [(Int, Int, String)] = []
                    var i = c
                    while i < requests.count {
                        let r = requests[i]
                        try client.send("\(r.method) \(r.target) HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(r.key)\r\nContent-Type: application/json\r\nContent-Length: \(r.body.utf8.count)\r\n\r\n\(r.body)")
                        let response = try client.readResponse()
                        out.append((i, response.status, String(decoding: response.body, as: UTF8.self)))
                        i += clients
                    }
                    return out
                }
            }
        }
        return try await group.reduce(into: [(Int, Int, String)]()) { $0 += $1 }
    }
    return results.sorted { $0.0 < $1.0 }.map { (status: $0.1, body: $0.2) }
}

/// An app for order tests: seller registered in Gujarat (a complete profile from config), the order catalog seeded, keys made.
///
/// Catalog: TEE (HSN 6109, 5 %), MUG (HSN 6912, 12 %, a name with HTML in it), SERUM (HSN
/// 3304, 18 %), OLD (inactive); locations SURAT (395003, priority 1) and BLR (560001,
/// priority 2); channels web, amazon and blinkit. No stock: each test receives its own.
func withOrders<T>(configure: (inout BahiConfiguration) -> Void = { _ in }, _ body: (OrderWorld) async throws -> T) async throws -> T {
    try await withApp(configure: { config in
        OrderWorld.configure(&config)
        configure(&config)
    }) { app, _ in
        try await body(try await OrderWorld.seeded(app))
    }
}

extension OrderWorld {
    /// The seller and rate limits order tests run with.
    static func configure(_ config: inout BahiConfiguration) {
        config.seller.state = "Gujarat"
        config.seller.legalName = "Kapas Textiles LLP"
        // A made-up LLP's GSTIN with a valid check character (not a real registration).
        config.seller.gstin = "24AAKFK1234K1ZF"
        config.seller.tradeName = "Kapas"
        config.seller.address.line1 = "Plot 7, Kapas Bazaar"
        config.seller.address.line2 = "Ring Road"
        config.seller.address.city = "Surat"
        config.seller.address.pincode = "395003"
        config.rateLimit.requestsPerSecond = 1_000_000
        config.rateLimit.burst = 1_000_000
        // The gateways' test secrets (the reference's vectors use them).
        config.secrets.razorpayWebhookSecret = "whsec_bahi_test"
        config.secrets.cashfreeClientSecret = "cf_test_secret"
        config.secrets.payuSalt = "secret"
        config.secrets.payuMerchantKey = "merchant_id"
        // The couriers' tracking tokens.
        config.secrets.shiprocketWebhookToken = "sr_test_token"
        config.secrets.delhiveryWebhookToken = "dl_test_token"
    }

    /// `app` with the order catalog seeded and a key per role made (see `withOrders`).
    static func seeded(_ app: BahiContext) async throws -> OrderWorld {
        try await app.store.write { db in
            let now = Int64(WallClock.milliseconds())
            for (sku, name, hsn, rate, active) in [("TEE", "Cotton Tee", "6109", 500, 1), ("MUG", #"Khurja Mug <Blue> & "Chai""#, "6912", 1200, 1),
                                                   ("SERUM", "Face Serum", "3304", 1800, 1), ("OLD", "Old Tee", "6109", 500, 0)] {
                try db.execute(
                    "INSERT INTO skus (sku, name, mrp_paise, price_paise, hsn, gst_rate_bps, active, created_at, updated_at) VALUES (?, ?, 200000, 100000, ?, ?, ?, ?, ?)",
                    [sku, name, hsn, rate, active, now, now])
            }
            try db.execute(
                """
                INSERT INTO locations (code, name, pincode, state, district, priority, created_at, updated_at)
                VALUES ('SURAT', 'Surat', '395003', 'GUJARAT', 'SURAT', 1, ?1, ?1), ('BLR', 'Bengaluru', '560001', 'KARNATAKA', 'BENGALURU URBAN', 2, ?1, ?1)
                """, [now])
            try db.execute(
                "INSERT INTO channels (code, name, kind, created_at, updated_at) VALUES ('web', 'Website', 'website', ?1, ?1), ('amazon', 'Amazon', 'marketplace', ?1, ?1), ('blinkit', 'Blinkit', 'marketplace', ?1, ?1)",
                [now])
        }
        let keys = app.keys
        return OrderWorld(
            app: app, api: BahiApplication.makeAPI(app),
            admin: try await keys.create(name: "admin", role: .admin, channel: nil, actor: "t").secret,
            finance: try await keys.create(name: "finance", role: .finance, channel: nil, actor: "t").secret,
            warehouse: try await keys.create(name: "warehouse", role: .warehouse, channel: nil, actor: "t").secret,
            web: try await keys.create(name: "web", role: .storefront, channel: "web", actor: "t").secret,
            amazon: try await keys.create(name: "amazon", role: .storefront, channel: "amazon", actor: "t").secret)
    }
}

/// A Surat address (Gujarat: intra-state for the seller), written well enough that RTO risk
/// adds nothing for it (house number, landmark).
let suratAddress = #"{"name":"Asha Patel","line1":"Flat 12, Shanti Apartments, Ring Road","line2":"Athwa Lines","landmark":"Opp. Sardar Garden","city":"Surat","state":"Gujarat","pincode":"395003","phone":"9825012345"}"#
/// A Bengaluru address (Karnataka: inter-state).
let bengaluruAddress = #"{"name":"Ravi Rao","line1":"No. 14, 2nd Cross, MG Road","landmark":"Near Trinity Metro","city":"Bengaluru","state":"Karnataka","pincode":"560001"}"#

/// An order body. `lines` are (sku, qty, unit price, discount); `payment` is the payment
/// object; `extra` is appended inside the top-level object (`,"key":value…`).
func orderJSON(
    _ ref: String, channel: String? = "web", lines: [(String, Int, Int, Int)] = [("TEE", 1, 49900, 0)], address: String = suratAddress,
    payment: String = #"{"method":"prepaid","gateway":"razorpay","gateway_order_id":"order_X","status":"paid"}"#, shippingPaise: Int = 0,
    phone: String = "+91 98250 12345", extra: String = ""
) -> String {
    let lineJSON = lines.map { #"{"sku":"\#($0.0)","qty":\#($0.1),"unit_price_paise":\#($0.2),"discount_paise":\#($0.3)}"# }.joined(separator: ",")
    let channelJSON = channel.map { #""channel":"\#($0)","# } ?? ""
    return #"{\#(channelJSON)"channel_order_ref":"\#(ref)","placed_at":"2026-11-22T06:15:00Z","customer":{"name":"Asha Patel","phone":"\#(phone)","email":"asha@example.com"},"shipping_address":\#(address),"lines":[\#(lineJSON)],"shipping_paise":\#(shippingPaise),"payment":\#(payment)\#(extra)}"#
}

let codPayment = #"{"method":"cod"}"#
let pendingPayment = #"{"method":"prepaid","gateway":"razorpay","gateway_order_id":"order_P","status":"pending"}"#
/// A parcel's measurements for packing, with `scans`.
func packJSON(_ scans: [String]) -> String {
    #"{"weight_g":450,"length_mm":250,"width_mm":200,"height_mm":60,"scanned":[\#(scans.map { "\"\($0)\"" }.joined(separator: ","))]}"#
}

// MARK: - reading JSON

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }

    /// The value at a dotted path such as `lines.0.cgst_paise`.
    func at(_ path: String) -> JSONValue? {
        var current: JSONValue? = self
        for part in path.split(separator: ".") {
            if let i = Int(part) { current = current?[i] } else { current = current?[String(part)] }
        }
        return current
    }

    var text: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var integer: Int64? {
        if case .number(let n) = self { return n.int64 }
        return nil
    }

    var items: [JSONValue] {
        if case .array(let a) = self { return a }
        return []
    }

    var flag: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}

extension HTTPResponse {
    /// The whole JSON body.
    var document: JSONValue { json.map(JSONValue.object) ?? .null }
    func str(_ path: String) -> String? { document.at(path)?.text }
    func num(_ path: String) -> Int64? { document.at(path)?.integer }
    func list(_ path: String) -> [JSONValue] { document.at(path)?.items ?? [] }
    func flag(_ path: String) -> Bool? { document.at(path)?.flag }
    /// `field` → `code` of every validation error.
    var fieldErrors: [String: String] {
        Dictionary(list("errors").compactMap { e in e["field"]?.text.map { ($0, e["code"]?.text ?? "") } }, uniquingKeysWith: { a, _ in a })
    }
}
