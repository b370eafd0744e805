import Foundation
import Testing
import BahiJSON
import BahiStore
@testable import BahiCore

/// The Inventory domain driven through its services, no HTTP: the stock ledger, checkout holds
/// and the reads built on them, on every store.
@Suite struct StockDomainTests {
    static let now: Int64 = 1_780_000_000_000

    /// A field of a JSON object, or nil.
    static func field(_ value: JSONValue?, _ key: String) -> JSONValue? {
        guard case .object(let object)? = value else { return nil }
        return object[key]
    }

    /// An integer field of a JSON object, or nil.
    static func int(_ value: JSONValue?, _ key: String) -> Int64? {
        guard case .number(let number)? = field(value, key) else { return nil }
        return number.int64
    }

    /// Two locations (SURAT ships first), the `web` channel and the SKUs `TEE`, `MUG` and the
    /// kit `GIFT` (2 × TEE + 1 × MUG), all through the Catalog domain's services.
    static func seed(_ db: any Database) throws {
        var surat = LocationFields(name: "Surat", pincode: "395003")
        surat.priority = 1
        _ = try LocationCatalog.put(db, code: "SURAT", fields: surat, actor: "test", now: now)
        var jaipur = LocationFields(name: "Jaipur", pincode: "302001")
        jaipur.priority = 2
        _ = try LocationCatalog.put(db, code: "JAIPUR", fields: jaipur, actor: "test", now: now)
        _ = try ChannelCatalog.put(db, code: "web", fields: ChannelFields(name: "Website", kind: .website), actor: "test", now: now)
        var tee = SKUFields(name: "Tee", mrpPaise: 50_000, pricePaise: 40_000)
        tee.lowStockThreshold = 5
        _ = try SKUCatalog.put(db, code: "TEE", fields: tee, actor: "test", now: now)
        _ = try SKUCatalog.put(db, code: "MUG", fields: SKUFields(name: "Mug", mrpPaise: 30_000, pricePaise: 25_000), actor: "test", now: now)
        var gift = SKUFields(name: "Gift box", mrpPaise: 120_000, pricePaise: 100_000)
        gift.components = [KitComponent(sku: "TEE", qty: 2), KitComponent(sku: "MUG", qty: 1)]
        _ = try SKUCatalog.put(db, code: "GIFT", fields: gift, actor: "test", now: now)
    }

    static func receive(_ db: any Database, _ sku: String, at location: String = "SURAT", _ qty: Int64) throws {
        _ = try Movements.record(db, sku: sku, location: location, request: .receive(qty: qty), reason: nil, reference: "PO-1", actor: "test", now: now)
    }

    /// (on_hand, reserved) summed over the SKU's levels.
    static func totals(_ db: any Database, _ sku: String) throws -> (onHand: Int64, reserved: Int64) {
        let levels = try StockLedger.levels(db, sku: sku)
        return (levels.reduce(0) { $0 + $1.onHand }, levels.reduce(0) { $0 + $1.reserved })
    }

    @Test func receivedStockCanBeHeldAndTheLedgerAddsUp() async throws {
        try await onEveryStore { store in
            let hold = try await store.write { db throws -> Holds.Hold in
                try Self.seed(db)
                try Self.receive(db, "TEE", 4)
                try Self.receive(db, "TEE", at: "JAIPUR", 6)
                return try Holds.place(db, channel: "web", lines: [Holds.Line(sku: "TEE", qty: 5)], ttlSeconds: 900, reference: "cart-1",
                                       actor: "shop", now: Self.now)
            }
            #expect(hold.status == .active)
            #expect(hold.expiresAt == Self.now + 900_000)
            // Priority order: SURAT's 4 first, the rest from JAIPUR.
            #expect(hold.allocations.map { "\($0.location):\($0.qty)" } == ["SURAT:4", "JAIPUR:1"])
            try await store.read { db throws in
                // Read back in (line, stock SKU, location) order.
                let found = try #require(try Holds.find(db, id: hold.id))
                #expect(found.status == .active && found.reference == "cart-1" && found.expiresAt == hold.expiresAt)
                #expect(found.allocations == hold.allocations.sorted { ($0.line, $0.stockSKU, $0.location) < ($1.line, $1.stockSKU, $1.location) })
                let totals = try Self.totals(db, "TEE")
                #expect(totals.onHand == 10 && totals.reserved == 5)
                #expect(try Availability.stockAvailable(db, sku: "TEE") == 5)
                #expect(try StockLedger.audit(db).isEmpty)
                let kinds = try StockRecords.movements(db, sku: "TEE", after: 0, limit: 10).map(\.kind)
                #expect(kinds == [.receive, .receive, .reserve, .reserve])
                #expect(try StockLedger.stockedLocations(db, sku: "TEE") == 2)
                // One change event per SKU per commit, with what the commit left.
                numberOwnEvents(db)
                let changed = try EventLog.list(db, after: 0, type: "inventory.changed", limit: 100).filter { $0.entityID == "TEE" }
                #expect(Self.int(changed.last?.payload, "available") == 5)
            }
        }
    }

    @Test func insufficientStockReservesNothingAndReportsTheShortfall() async throws {
        try await onEveryStore { store in
            try await store.write { db throws in
                try Self.seed(db)
                try Self.receive(db, "TEE", 3)
                try Self.receive(db, "MUG", 10)
            }
            let outcome = try await store.write { db throws -> (error: DomainError?, reserved: Int64, holds: Int) in
                var caught: DomainError?
                do {
                    try db.savepoint("hold") {
                        _ = try Holds.place(db, channel: "web", lines: [Holds.Line(sku: "MUG", qty: 2), Holds.Line(sku: "TEE", qty: 4)],
                                            ttlSeconds: 900, reference: nil, actor: "shop", now: Self.now, id: "res_SHORT")
                    }
                } catch let error as DomainError {
                    caught = error
                }
                return (caught, try Self.totals(db, "TEE").reserved + Self.totals(db, "MUG").reserved, try Holds.find(db, id: "res_SHORT") == nil ? 0 : 1)
            }
            let error = try #require(outcome.error)
            #expect(error.code == .insufficientStock)
            #expect(outcome.reserved == 0 && outcome.holds == 0)
            let shortfall = try #require(error.details.first { $0.key == "shortfall" })
            guard case .array(let lines) = try JSONParser.parse(shortfall.json) else { Issue.record("shortfall is not an array"); return }
            #expect(lines.count == 1)
            #expect(Self.int(lines.first, "line") == 1 && Self.field(lines.first, "sku") == .string("TEE"))
            #expect(Self.int(lines.first, "requested") == 4 && Self.int(lines.first, "available") == 3)
        }
    }

    @Test func linesNamingUnsellableSKUsAreProblemsOfTheirItems() async throws {
        try await onEveryStore { store in
            let error = try await store.write { db throws -> DomainError? in
                try Self.seed(db)
                do {
                    _ = try Holds.place(db, channel: "web", lines: [Holds.Line(sku: "TEE", qty: 1), Holds.Line(sku: "NOPE", qty: 1)],
                                        ttlSeconds: 900, reference: nil, actor: "shop", now: Self.now)
                    return nil
                } catch let error as DomainError {
                    return error
                }
            }
            #expect(error?.code == .validationFailed)
            #expect(error?.problems.map(\.path) == ["lines[1].sku"])
            #expect(error?.problems.first?.code == "unknown_sku")
        }
    }

    @Test func releasingTwiceIsHarmless() async throws {
        try await onEveryStore { store in
            let id = try await store.write { db throws -> String in
                try Self.seed(db)
                try Self.receive(db, "TEE", 10)
                return try Holds.place(db, channel: "web", lines: [Holds.Line(sku: "TEE", qty: 3)], ttlSeconds: 900, reference: nil,
                                       actor: "shop", now: Self.now).id
            }
            let first = try await store.write { db in try Holds.release(db, id: id, actor: "shop", now: Self.now + 1) }
            let second = try await store.write { db in try Holds.release(db, id: id, status: .expired, actor: "system", now: Self.now + 2) }
            #expect(first && !second)
            try await store.read { db throws in
                #expect(try Holds.find(db, id: id)?.status == .released)
                #expect(try Self.totals(db, "TEE").reserved == 0)
                #expect(try Availability.stockAvailable(db, sku: "TEE") == 10)
                #expect(try EventLog.list(db, after: 0, type: "reservation.*", limit: 10).map(\.type) == ["reservation.released"])
                #expect(try StockLedger.audit(db).isEmpty)
            }
        }
    }

    @Test func holdsExpireWhenTheirTimeComes() async throws {
        try await onEveryStore { store in
            let hold = try await store.write { db throws -> Holds.Hold in
                try Self.seed(db)
                try Self.receive(db, "TEE", 10)
                return try Holds.place(db, channel: "web", lines: [Holds.Line(sku: "TEE", qty: 2)], ttlSeconds: 60, reference: nil,
                                       actor: "shop", now: Self.now)
            }
            #expect(try await store.read { db in try Holds.nextExpiry(db) } == hold.expiresAt)
            #expect(try await store.write { db in try Holds.expire(db, now: hold.expiresAt - 1) } == 0)
            #expect(try await store.write { db in try Holds.expire(db, now: hold.expiresAt) } == 1)
            try await store.read { db throws in
                #expect(try Holds.find(db, id: hold.id)?.status == .expired)
                #expect(try Holds.nextExpiry(db) == nil)
                #expect(try Self.totals(db, "TEE").reserved == 0)
                #expect(try EventLog.list(db, after: 0, type: "reservation.*", limit: 10).map(\.type) == ["reservation.expired"])
            }
        }
    }

    @Test func aKitHoldReservesItsComponents() async throws {
        try await onEveryStore { store in
            let hold = try await store.write { db throws -> Holds.Hold in
                try Self.seed(db)
                try Self.receive(db, "TEE", 10)
                try Self.receive(db, "MUG", 10)
                return try Holds.place(db, channel: "web", lines: [Holds.Line(sku: "GIFT", qty: 3)], ttlSeconds: 900, reference: nil,
                                       actor: "shop", now: Self.now)
            }
            #expect(hold.allocations.map { "\($0.sku)>\($0.stockSKU):\($0.qty)" }.sorted() == ["GIFT>MUG:3", "GIFT>TEE:6"])
            try await store.read { db throws in
                #expect(try Self.totals(db, "TEE").reserved == 6)
                #expect(try Self.totals(db, "MUG").reserved == 3)
                // (10 − 6) / 2 TEE and (10 − 3) / 1 MUG: two whole kits left.
                #expect(try Availability.available(db, sku: "GIFT", isKit: true) == 2)
                #expect(try Availability.facts(db, sku: "TEE")?.inKits == true)
                #expect(try Availability.kits(containing: "MUG", db) == ["GIFT"])
            }
            // A kit line and a line of its component share TEE: together they ask for more than there is.
            let error = try await store.write { db throws -> DomainError? in
                do {
                    try db.savepoint("hold") {
                        _ = try Holds.place(db, channel: "web", lines: [Holds.Line(sku: "GIFT", qty: 2), Holds.Line(sku: "TEE", qty: 1)],
                                            ttlSeconds: 900, reference: nil, actor: "shop", now: Self.now)
                    }
                    return nil
                } catch let error as DomainError {
                    #expect(try Self.totals(db, "TEE").reserved == 6)
                    return error
                }
            }
            #expect(error?.code == .insufficientStock)
        }
    }

    @Test func movementsKeepLevelsEqualToTheirLedger() async throws {
        try await onEveryStore { store in
            try await store.write { db throws in
                try Self.seed(db)
                try Self.receive(db, "TEE", 20)
                _ = try Movements.record(db, sku: "TEE", location: "SURAT", request: .damage(qty: 2), reason: "torn", reference: nil, actor: "t", now: Self.now)
                _ = try Movements.record(db, sku: "TEE", location: "SURAT", request: .transfer(qty: 5, to: "JAIPUR"), reason: nil, reference: nil, actor: "t", now: Self.now)
                _ = try Movements.record(db, sku: "TEE", location: "JAIPUR", request: .count(setOnHand: 4), reason: nil, reference: nil, actor: "t", now: Self.now)
                // Taking away more than is free is refused and changes nothing.
                #expect(throws: DomainError.self) {
                    try db.savepoint("adjust") {
                        _ = try Movements.record(db, sku: "TEE", location: "SURAT", request: .adjust(delta: -14), reason: nil, reference: nil, actor: "t", now: Self.now)
                    }
                }
            }
            try await store.read { db throws in
                #expect(try StockLedger.level(db, sku: "TEE", location: "SURAT")?.onHand == 13)
                #expect(try StockLedger.level(db, sku: "TEE", location: "SURAT")?.damaged == 2)
                #expect(try StockLedger.level(db, sku: "TEE", location: "JAIPUR")?.onHand == 4)
                let movements = try StockRecords.movements(db, sku: "TEE", after: 0, limit: 100)
                for location in ["SURAT", "JAIPUR"] {
                    let sum = movements.filter { $0.location == location }.reduce(0) { $0 + $1.onHandDelta }
                    #expect(try StockLedger.level(db, sku: "TEE", location: location)?.onHand == sum)
                }
                #expect(try StockLedger.audit(db).isEmpty)
                let export = String(decoding: try StockImport.export(db, location: nil), as: UTF8.self)
                #expect(export.contains("TEE,SURAT,13,0,0,2,13"))
            }
        }
    }

    /// A SKU's movements page through the ledger in id order across SQLite's id ranges
    /// (`StockRecords.idRangeBits`): a range where the SKU has none, a range left half-read by the
    /// limit, a cursor in the middle of a range and one past the end, on every store.
    @Test func aSKUsMovementsPageInIdOrderAcrossIdRanges() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try Self.seed(db)
                // The ledger's own rows are not the point here: zero deltas at chosen ids.
                for (id, sku) in [(65_535, "TEE"), (65_536, "TEE"), (65_537, "TEE"), (131_072, "MUG"), (200_000, "TEE"), (200_001, "MUG")] {
                    try db.execute("INSERT INTO stock_movements (id, sku, location, kind, created_at) VALUES (?1, ?2, 'SURAT', 'adjust', ?3)",
                                   binding: Int64(id), sku, Self.now)
                }
            }
            try await store.read { db throws in
                func ids(_ sku: String, after: Int64, limit: Int) throws -> [Int64] {
                    try StockRecords.movements(db, sku: sku, after: after, limit: limit).map(\.id)
                }
                #expect(try ids("TEE", after: 0, limit: 2) == [65_535, 65_536])
                #expect(try ids("TEE", after: 65_536, limit: 10) == [65_537, 200_000])
                #expect(try ids("TEE", after: 0, limit: 10) == [65_535, 65_536, 65_537, 200_000])
                #expect(try ids("MUG", after: 0, limit: 10) == [131_072, 200_001])
                #expect(try ids("MUG", after: 131_072, limit: 1) == [200_001])
                #expect(try ids("TEE", after: 200_000, limit: 10).isEmpty)
                #expect(try ids("TEE", after: 0, limit: 0).isEmpty)
                #expect(try ids("NONE", after: 0, limit: 10).isEmpty)
            }
        }
    }

    /// Two nodes receive the first stock of a (sku, location) at once on PostgreSQL: both miss
    /// the level row, one creates it, and the other's insert waits for that commit and does
    /// nothing. The second receive must still apply (it was refused 409 insufficient_stock,
    /// found by Benchmarks/flashsale-nodes.sh), and the level must equal both movements.
    @Test func concurrentFirstReceivesAtALocationBothApply() async throws {
        try await onPostgres { store, conninfo in
            try await store.write { db in try Self.seed(db) }
            // A creates TEE's SURAT level, not yet committed; B misses the row, and its insert
            // waits for A.
            let waited = try await overlapOnPostgres(store, conninfo: conninfo, first: { a in try Self.receive(a, "TEE", 5) },
                                                     second: { b in try Self.receive(b, "TEE", 3) })
            #expect(waited)
            try await store.read { db throws in
                #expect(try StockLedger.level(db, sku: "TEE", location: "SURAT")?.onHand == 8)
                #expect(try StockRecords.movements(db, sku: "TEE", after: 0, limit: 10).count == 2)
                #expect(try StockLedger.audit(db).isEmpty)
            }
        }
    }

    /// The Catalog views flatten: the hold path's one statement has the same plan through
    /// them as on Catalog's tables (the same indexes, no materialised view).
    @Test func catalogViewsCostNothing() async throws {
        try await onEveryStore { store in
            guard store.dialect == .sqlite else { return }
            try await store.read { db throws in
                #expect(try Self.plans(db, StockRecords.lineFactsSQL, ["web", "TEE"]))
                #expect(try Self.plans(db, StockRecords.levelsSQL, ["TEE"]))
            }
        }
    }

    /// Whether `sql` has the same query plan through the catalog views as on Catalog's tables,
    /// and searches every table by an index.
    static func plans(_ db: any Database, _ sql: String, _ arguments: StatementArguments) throws -> Bool {
        let tables = [("catalog_channel_buffers", "channel_sku_buffers"), ("catalog_channels", "channels"), ("catalog_sku_facts", "skus"),
                      ("catalog_kit_parts", "kit_components"), ("catalog_locations", "locations")]
        var direct = sql
        for (view, table) in tables { direct = direct.replacingOccurrences(of: view, with: table) }
        func plan(_ text: String) throws -> [String] {
            // "SEARCH c USING INDEX …" names the alias on tables and the table through a view:
            // compare what is searched how, not the name.
            try db.query("EXPLAIN QUERY PLAN " + text, arguments) { row in
                (try row["detail"] as String).replacingOccurrences(of: #"^(SEARCH|SCAN) \S+"#, with: "$1", options: .regularExpression)
            }
        }
        let viaViews = try plan(sql)
        let onTables = try plan(direct)
        return !viaViews.isEmpty && viaViews == onTables && viaViews.allSatisfy { !$0.contains("SCAN") && !$0.contains("MATERIALIZE") }
    }
}
