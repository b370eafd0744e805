import Testing
@testable import BahiCore
import BahiStore

/// Every list a person or a connector pages through is answered from an index in the list's
/// order, on both stores: the plan of the very statement the records code runs (read from the
/// records type, never copied here) names the index it should use, scans no table that grows
/// with orders, and sorts nothing (issue 15). Order search is the one list that sorts: what
/// the search found, never the table.
///
/// SQLite: `EXPLAIN QUERY PLAN`. The plan does not depend on the rows (no `ANALYZE` is run, as
/// in production), so a small store shows the plan a large one gets.
///
/// PostgreSQL: `EXPLAIN`, with `enable_seqscan` and `enable_sort` off for the transaction
/// (`SET LOCAL`). Those settings do not forbid a scan or a sort, they price them out: on a
/// test table of a few rows a sequential scan and a sort are cheapest and would be chosen even
/// where a large table gets the index, so the test asks the planner whether an index *can*
/// answer. A `Seq Scan` or `Sort` still in the plan means none can. (`ANALYZE` on a few rows
/// would not help: it tells the planner the table is tiny.)
@Suite struct QueryPlanTests {
    /// Tables whose rows grow with orders: a full scan of any of them is a bug.
    static let growing = ["orders", "order_lines", "order_history", "order_search", "shipments", "shipment_lines", "stock_movements", "events",
                          "payments", "payment_mismatches", "tracking_scans", "tracking_parked", "shipment_ndrs", "webhook_deliveries",
                          "fulfilment_queue"]

    /// One list statement: the indexes its plan must name (per store) and whether it may sort.
    struct Case {
        var name: String
        var sql: String
        var arguments: [(any SQLValueConvertible)?]
        var indexes: (SQLDialect) -> [String]
        var sorts = false
    }

    static func cases(_ placed: (asha: Order, ravi: Order, ashok: Order)) -> [Case] {
        func orders(_ name: String, _ configure: (inout OrderQueries.Filter) -> Void, cursor: Bool = false, sorts: Bool = false,
                    _ indexes: @escaping (SQLDialect) -> [String]) -> [Case] {
            var filter = OrderQueries.Filter()
            configure(&filter)
            return [SQLDialect.sqlite, .postgres].map { dialect in
                let statement = OrderRecords.listStatement(filter, cursor: cursor ? (placed.ravi.createdAt, placed.ravi.id) : nil, dialect: dialect)
                return Case(name: "\(name) [\(dialect.rawValue) text]", sql: statement.sql, arguments: statement.arguments, indexes: indexes, sorts: sorts)
            }
        }
        func same(_ names: String...) -> (SQLDialect) -> [String] { { _ in names } }
        func primaryKey(_ table: String) -> (SQLDialect) -> [String] {
            { $0 == .sqlite ? ["sqlite_autoindex_\(table)_1"] : ["\(table)_pkey"] }
        }
        // Orders placed at or before this are past a 24-hour SLA at the placed orders' time.
        let cutoff = placed.ravi.createdAt - 24 * 3_600_000
        var all: [Case] = []
        all += orders("orders: newest first", { _ in }, same("orders_created"))
        all += orders("orders: a page further", { _ in }, cursor: true, same("orders_created"))
        all += orders("orders: by status", { $0.status = "confirmed" }, cursor: true, same("orders_status"))
        all += orders("orders: by channel and dates", { $0.channel = "web"; $0.createdAfter = 1; $0.createdBefore = Int64.max }, same("orders_channel"))
        all += orders("orders: by payment method", { $0.paymentMethod = "cod" }, cursor: true, same("orders_payment_method"))
        all += orders("orders: by dates", { $0.createdAfter = 1; $0.createdBefore = Int64.max }, cursor: true, same("orders_created"))
        all += orders("orders: search for a name", { $0.q = "Ash"; $0.channel = "web" }, cursor: true, sorts: true, same("orders_channel_ref"))
        // A name's matches. SQLite: read newest first from the FTS5 index (its rowids are
        // creation times), each joined by primary key, stopped at a page: no sort at all.
        // PostgreSQL: the GIN index's matches sorted by the search rows' own creation times
        // (a sort of the matches, not of orders), each order then fetched by primary key.
        var named = OrderQueries.Filter()
        named.q = "Ash"
        named.channel = "web"
        named.createdAfter = 1
        for (name, tie) in [("orders: a name's matches newest first [sqlite text]", nil), ("orders: a name's matches in one millisecond [sqlite text]", placed.ravi.createdAt)] {
            if let statement = OrderRecords.nameStatement(named, cursor: (placed.ravi.createdAt, placed.ravi.id), millisecond: tie) {
                all.append(Case(name: name, sql: statement.sql, arguments: statement.arguments, indexes: { _ in ["order_search VIRTUAL TABLE", "sqlite_autoindex_orders_1"] }))
            }
        }
        let week = OrderSearch.week(of: placed.ravi.createdAt)
        for (name, weeks) in [("orders: a name's matches in the newest weeks [postgres text]", Optional(week - 1...week)),
                              ("orders: a name's matches in older time [postgres text]", nil)] {
            let window = (weeks.map { $0.lowerBound * OrderSearch.weekMilliseconds } ?? 0)..<placed.ravi.createdAt + 1
            if let statement = OrderRecords.postgresNameStatement(named, cursor: (placed.ravi.createdAt, placed.ravi.id), window: window, weeks: weeks) {
                all.append(Case(name: name, sql: statement.sql, arguments: statement.arguments, indexes: { _ in ["order_search_terms", "orders_pkey"] }, sorts: true))
            }
        }
        all += orders("orders: search for a phone", { $0.q = "098250 12345"; $0.status = "confirmed" }, sorts: true, same("orders_channel_ref", "orders_phone"))
        all += orders("orders: search for an id", { $0.q = placed.ravi.id }, sorts: true) {
            $0 == .sqlite ? ["sqlite_autoindex_orders_1", "orders_channel_ref"] : ["orders_pkey", "orders_channel_ref"]
        }
        let events = [("events: the feed", EventRecords.listStatement(after: 0, type: nil, limit: 50)),
                      ("events: one type", EventRecords.listStatement(after: 0, type: "order.created", limit: 50)),
                      ("events: a family", EventRecords.listStatement(after: 0, type: "order.*", limit: 50))]
        for (name, statement) in events {
            all.append(Case(name: name, sql: statement.sql, arguments: statement.arguments,
                            indexes: name.hasSuffix("one type") ? same("events_type") : { $0 == .sqlite ? [] : ["events_seq_key"] }))
        }
        all += [
            Case(name: "NDRs: one status", sql: TrackingRecords.ndrsInStatusSQL, arguments: ["open", "", 50], indexes: same("shipment_ndrs_status")),
            Case(name: "NDRs: all", sql: TrackingRecords.ndrsSQL, arguments: ["ndr_0", 50], indexes: primaryKey("shipment_ndrs")),
            Case(name: "parked tracking reports", sql: TrackingRecords.parkedSQL, arguments: [Int64.max, 50], indexes: same("tracking_parked_received")),
            Case(name: "mismatches: open", sql: PaymentRecords.openMismatchesSQL, arguments: ["\u{10FFFF}", 50], indexes: same("payment_mismatches_status")),
            Case(name: "mismatches: all", sql: PaymentRecords.mismatchesSQL, arguments: ["\u{10FFFF}", 50], indexes: { _ in [] }),  // the primary key, named after the table it was built as
            Case(name: "webhook deliveries: one status", sql: WebhookRecords.deliveriesInStatusSQL, arguments: ["whk_x", "succeeded", "\u{10FFFF}", 50],
                 indexes: same("webhook_deliveries_status")),
            Case(name: "webhook deliveries: all", sql: WebhookRecords.deliveriesSQL, arguments: ["whk_x", "\u{10FFFF}", 50],
                 indexes: { $0 == .sqlite ? ["sqlite_autoindex_webhook_deliveries_2"] : ["webhook_deliveries_endpoint_id_event_id_key"] }),
            // SQLite's index is keyed by id range first: the SKU's part of one range (migration 28).
            Case(name: "stock movements of a SKU [postgres text]", sql: StockRecords.movementsSQL, arguments: ["TEE", 0, 50], indexes: same("stock_movements_sku")),
            Case(name: "stock movements of a SKU in an id range [sqlite text]", sql: StockRecords.movementsInRangeSQL, arguments: [0, "TEE", 0, 50],
                 indexes: same("stock_movements_sku")),
            Case(name: "manifests", sql: FulfilmentRecords.manifestsSQL, arguments: ["delhivery", nil, "open", 50], indexes: same("shipments_manifest")),
            // The packing queue's top at a location: the breached ones oldest first, then the rest by
            // class, value and age, each a range of one index in the queue's order (no sort).
            Case(name: "packing queue: breached first", sql: PackingQueueRecords.breachedSQL, arguments: ["SURAT", cutoff, 50],
                 indexes: same("fulfilment_queue_age")),
            Case(name: "packing queue: the rest by class and value", sql: PackingQueueRecords.freshSQL, arguments: ["SURAT", cutoff, 50],
                 indexes: same("fulfilment_queue_rank")),
            // The queue's `total`: one location's stored count, by primary key (no count of its rows).
            Case(name: "packing queue: how many wait", sql: PackingQueueRecords.countSQL, arguments: ["SURAT"], indexes: primaryKey("fulfilment_queue_counts")),
            Case(name: "packing queue: a location's rows for the reference sort (rules not adopted yet)", sql: PackingQueueRecords.atLocationSQL,
                 arguments: ["SURAT"], indexes: same("fulfilment_queue_age")),
            // The stock audit from a checkpoint: the movements after it are a range of the
            // primary key (it groups them, so it sorts; stock_levels does not grow with orders).
            Case(name: "stock audit from a checkpoint", sql: StockRecords.auditSQL, arguments: [1_000],
                 indexes: { $0 == .sqlite ? ["INTEGER PRIMARY KEY (rowid>?)"] : ["stock_movements_pkey"] }, sorts: true),
        ]
        // An order's rows leaving the queue, counted per location as they go (every refresh,
        // intake included): found by `fulfilment_queue_order`, never a scan of the queue; the
        // PostgreSQL statement's count goes into the counts' primary key.
        for dialect in [SQLDialect.sqlite, .postgres] {
            switch PackingQueueRecords.CountedDelete(where: PackingQueueRecords.orderRows, dialect: dialect) {
            case .deleteAndCount(let sql):
                all.append(Case(name: "packing queue: an order's rows removed and counted [\(dialect.rawValue) text]", sql: sql, arguments: [placed.ravi.id],
                                indexes: same("fulfilment_queue_order", "fulfilment_queue_counts_pkey"), sorts: true))
            case .countThenDelete(let count, let delete):
                all.append(Case(name: "packing queue: an order's rows counted [\(dialect.rawValue) text]", sql: count, arguments: [placed.ravi.id],
                                indexes: same("fulfilment_queue_order"), sorts: true))
                all.append(Case(name: "packing queue: an order's rows removed [\(dialect.rawValue) text]", sql: delete, arguments: [placed.ravi.id],
                                indexes: same("fulfilment_queue_order")))
            }
        }
        return all
    }

    /// The problems in one plan: a full scan of a growing table, a sort the case does not
    /// allow, an index the case expects and the plan does not name.
    static func problems(_ plan: [String], _ c: Case, dialect: SQLDialect) -> [String] {
        var found: [String] = []
        let text = plan.joined(separator: "\n")
        for line in plan {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == ">" || $0 == "|" || $0 == "`" }).map(String.init)
            switch dialect {
            case .sqlite:
                // "SCAN t" (every row) versus "SCAN t USING INDEX i" (an index in the ORDER BY's
                // order, stopped by the LIMIT) and "SCAN t VIRTUAL TABLE INDEX n:M…" (FTS MATCH).
                if let at = words.firstIndex(of: "SCAN"), at + 1 < words.count, growing.contains(words[at + 1]) {
                    let rest = words.dropFirst(at + 2)
                    let usesIndex = rest.starts(with: ["USING", "INDEX"]) || rest.starts(with: ["USING", "COVERING", "INDEX"])
                        || (rest.starts(with: ["VIRTUAL", "TABLE"]) && line.contains(":M"))
                    if !usesIndex { found.append("full scan: \(line)") }
                }
                if line.contains("USE TEMP B-TREE FOR") && !c.sorts { found.append("sort: \(line)") }
            case .postgres:
                if let at = words.firstIndex(of: "Seq"), at + 3 < words.count, words[at + 1] == "Scan", growing.contains(words[at + 3]) {
                    found.append("full scan: \(line)")
                }
                if (words.contains("Sort") || words.contains("Incremental")) && !c.sorts { found.append("sort: \(line)") }
            }
        }
        for index in c.indexes(dialect) where !text.contains(index) { found.append("does not use \(index)") }
        return found
    }

    @Test func everyListIsAnsweredFromAnIndexInItsOrder() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                let placed = try OrderSearchDomainTests.place(db)
                if db.dialect == .postgres {
                    try db.perform("SET LOCAL enable_seqscan = off")
                    try db.perform("SET LOCAL enable_sort = off")
                }
                var checked = 0
                for c in Self.cases(placed) {
                    // Each order-list case is built for both dialects; run the one for this store.
                    if c.name.hasSuffix("text]") && !c.name.hasSuffix("[\(db.dialect.rawValue) text]") { continue }
                    let plan: [String] = switch db.dialect {
                    case .sqlite: try db.query("EXPLAIN QUERY PLAN " + c.sql, StatementArguments(c.arguments)) { row in try row["detail"] as String }
                    case .postgres: try db.query("EXPLAIN " + c.sql, StatementArguments(c.arguments)) { row in try row[0] as String }
                    }
                    #expect(!plan.isEmpty)
                    let problems = Self.problems(plan, c, dialect: db.dialect)
                    #expect(problems.isEmpty, "\(db.dialect) \(c.name): \(problems)\n\(plan.joined(separator: "\n"))\n\(c.sql)")
                    checked += 1
                    if c.name.hasPrefix("orders: a name's matches in") && db.dialect == .postgres {
                        // The sort is the matches' (below the join), never the fetched orders':
                        // the limit must stop the loop of primary-key fetches.
                        let sort = plan.firstIndex { $0.contains("Sort") }, loop = plan.firstIndex { $0.contains("Nested Loop") }
                        #expect(sort != nil && loop != nil && sort! > loop!, "\(plan.joined(separator: "\n"))")
                    }
                }
                #expect(checked == (db.dialect == .sqlite ? 30 : 29))
                // And the statements answer: the search finds what it should through these plans.
                var filter = OrderQueries.Filter()
                filter.q = "Ash"
                #expect(try OrderQueries.list(db, filter).orders.map(\.id) == [placed.ashok.id, placed.asha.id])
            }
        }
    }

    /// The checker itself: a full scan, a sort and a missing index are each caught.
    @Test func theCheckerCatchesAScanASortAndAMissingIndex() {
        let c = Case(name: "t", sql: "", arguments: [], indexes: { _ in ["orders_channel"] })
        #expect(Self.problems(["SEARCH orders USING INDEX orders_channel (channel=?)"], c, dialect: .sqlite).isEmpty)
        #expect(Self.problems(["SCAN orders", "SEARCH orders USING INDEX orders_channel (channel=?)"], c, dialect: .sqlite).count == 1)
        #expect(Self.problems(["SEARCH orders USING INDEX orders_channel (channel=?)", "USE TEMP B-TREE FOR ORDER BY"], c, dialect: .sqlite).count == 1)
        #expect(Self.problems(["SCAN orders USING INDEX orders_created"], c, dialect: .sqlite) == ["does not use orders_channel"])
        #expect(Self.problems(["Limit  (cost=0.1..1 rows=1 width=8)", "  ->  Seq Scan on orders  (cost=0.00..1.00 rows=1 width=8)"], c, dialect: .postgres)
                    .count == 2)
        #expect(Self.problems(["Limit", "  ->  Sort", "        ->  Index Scan using orders_channel on orders"], c, dialect: .postgres).count == 1)
        #expect(Self.problems(["Limit", "  ->  Index Scan Backward using orders_channel on orders"], c, dialect: .postgres).isEmpty)
    }
}
