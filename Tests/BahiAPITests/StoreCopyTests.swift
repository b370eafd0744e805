import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore
import BahiTestSupport

/// `bahi copy` (`StoreCopy`): a store seeded through the API moves onto PostgreSQL whole —
/// counts, `bahi check`, the event feed's numbers, API keys that still authenticate — and the
/// target takes new writes; a non-empty target, a source behind the binary and a bad URL are
/// one-line refusals.
@Suite struct StoreCopyTests {
    /// Runs `body` with a new, empty (unmigrated) database on the test cluster; nothing
    /// without a cluster, or a failure when the run requires one.
    func withEmptyPostgres(_ body: (String) async throws -> Void) async throws {
        guard let conninfo = PostgresTestCluster.conninfo else {
            if ProcessInfo.processInfo.environment["BAHI_REQUIRE_POSTGRES"] != nil { throw PostgresTestCluster.Missing() }
            return
        }
        try await PostgresTestCluster.slots.run {
            try await PostgresTestCluster.withDatabase(conninfo, migrated: false, body)
        }
    }

    /// An order world on SQLite with something in every kind of table: stock at two
    /// locations, a hold, orders prepaid, COD, unpaid and cancelled, a pick list, a packed
    /// parcel with its invoice, a payment, an Idempotency-Key replay and their events.
    func seed(_ w: OrderWorld) async throws {
        try await w.stock("TEE", 50)
        try await w.stock("MUG", 20)
        try await w.stock("MUG", 5, at: "BLR")
        #expect(await w.post("/v1/inventory/reservations", #"{"channel":"web","lines":[{"sku":"TEE","qty":2}]}"#).status == .created)
        let paid = await w.placed(orderJSON("W-1", lines: [("TEE", 2, 49900, 0), ("MUG", 1, 29900, 0)]))
        _ = await w.placed(orderJSON("W-2", payment: codPayment), key: w.web)
        let unpaid = await w.placed(orderJSON("W-3", payment: pendingPayment, phone: "+91 98250 11111"))
        #expect(await w.post("/v1/orders/\(unpaid)/payments", #"{"amount_paise":49900,"gateway":"razorpay","gateway_payment_id":"pay_RZ9"}"#, key: w.finance).status == .created)
        let cancelled = await w.placed(orderJSON("W-4", address: bengaluruAddress))
        #expect(await w.post("/v1/orders/\(cancelled)/cancel", #"{"reason":"customer"}"#).status == .ok)
        #expect(await w.place(orderJSON("W-5"), headers: [("Idempotency-Key", "copy-5")]).status == .created)
        let shipment = await w.order(paid).str("shipments.0.id") ?? ""
        #expect(await w.post("/v1/picklists", #"{"location":"SURAT","shipment_ids":["\#(shipment)"]}"#, key: w.warehouse).status == .created)
        #expect(await w.post("/v1/shipments/\(shipment)/pack", packJSON(["TEE", "TEE", "MUG"]), key: w.warehouse).status == .ok)
    }

    /// The feed's numbers, read through the API as a consumer would, page by page.
    func feedSeqs(_ w: OrderWorld, after start: Int64 = 0) async -> [Int64] {
        var seqs: [Int64] = []
        var after = start
        while true {
            let page = await w.get("/v1/events?after=\(after)&limit=500")
            let batch = page.list("data").compactMap { $0["seq"]?.integer }
            seqs += batch
            guard page.flag("has_more") == true, let last = batch.last else { return seqs }
            after = last
        }
    }

    @Test func aSeededSQLiteStoreMovesOntoPostgreSQLWhole() async throws {
        try await withSQLiteApp(configure: OrderWorld.configure) { app, _, folder in
            let w = try await OrderWorld.seeded(app)
            try await seed(w)
            #expect(try await w.violations() == [])
            let sourceSeqs = await feedSeqs(w)
            #expect(sourceSeqs.count > 20 && sourceSeqs == sourceSeqs.sorted())
            try await withEmptyPostgres { url in
                // The source stays open and serving, as a seller's would.
                let copy = StoreCopy(from: .sqlite(path: app.configuration.database.path), to: .postgres(try PostgresURL(url)))
                let report = try await copy.run()
                #expect(report.isClean, "\(report.mismatches) \(report.checks.filter { !$0.violations.isEmpty })")
                #expect(report.counts.map(\.table) == BahiSchema.tables.map(\.name))
                for table in ["api_keys", "idempotency_keys", "events", "skus", "stock_levels", "stock_movements", "reservations",
                              "orders", "order_lines", "order_history", "payments", "shipments", "shipment_lines", "picklists", "invoices"] {
                    #expect((report.counts.first { $0.table == table }?.target ?? 0) > 0, "\(table) was not seeded")
                }
                #expect(report.rows == report.counts.reduce(0) { $0 + $1.source })

                // The target serves: the same keys authenticate (hashes copied as bytes), the
                // feed lists the same numbers in order, the audit is clean.
                var config = app.configuration
                config.database.url = url
                config.database.poolSize = 4
                let store = try await DatabaseLocation(config.database).open(config.database)
                let target = BahiContext(configuration: config, store: store, keyCacheTTL: .zero)
                let t = OrderWorld(app: target, api: BahiApplication.makeAPI(target), admin: w.admin, finance: w.finance,
                                   warehouse: w.warehouse, web: w.web, amazon: w.amazon)
                do {
                    #expect(try await BahiSchema.migrate(store).isEmpty)  // migrated by the copy
                    // PostgreSQL's search rows carry their orders' creation times (SQLite keeps
                    // them in the rowids): the name search sorts its matches by them.
                    let (misdated, datedRows) = try await store.read { db in
                        (try db.queryValue("SELECT COUNT(*) FROM order_search s JOIN orders o ON o.id = s.order_id WHERE s.created_at <> o.created_at", as: Int64.self),
                         try db.queryValue("SELECT COUNT(*) FROM order_search", as: Int64.self) ?? 0)
                    }
                    #expect(misdated == 0 && datedRows > 4)
                    #expect(await feedSeqs(t) == sourceSeqs)
                    #expect(try await t.violations() == [])
                    // New writes: an order (identity keys past the copied ones: history, movements)
                    // and its events numbered after the last copied seq.
                    let last = sourceSeqs.last ?? 0
                    let fresh = await t.placed(orderJSON("W-6", lines: [("MUG", 2, 29900, 0)]))
                    #expect(await t.historyActions(fresh) == ["created"])
                    let newSeqs = await feedSeqs(t, after: last)
                    #expect(!newSeqs.isEmpty && newSeqs == Array((last + 1)...(last + Int64(newSeqs.count))), "\(newSeqs) after \(last)")
                    // An Idempotency-Key stored on SQLite replays on PostgreSQL.
                    let replay = await t.place(orderJSON("W-5"), headers: [("Idempotency-Key", "copy-5")])
                    #expect(replay.status == .created && replay.headers["idempotent-replayed"] == "true", "\(replay.headers)")
                    #expect(try await t.violations() == [])
                    // And back: the PostgreSQL database, new rows and all, into an SQLite file.
                    let back = try await StoreCopy(from: .postgres(try PostgresURL(url)), to: .sqlite(path: folder + "/back.db")).run()
                    #expect(back.isClean, "\(back.mismatches) \(back.checks.filter { !$0.violations.isEmpty })")
                    #expect(back.rows > report.rows)
                    // SQLite's name search rows are numbered by creation time again (the copy
                    // wrote them in PostgreSQL's order), so a name search pages newest first.
                    let file = try Connection(path: folder + "/back.db")
                    let misnumbered = try file.queryValue("""
                        SELECT COUNT(*) FROM order_search s JOIN orders o ON o.id = s.order_id WHERE s.rowid / 1048576 <> o.created_at
                        """, as: Int64.self)
                    let searchRows = try file.queryValue("SELECT COUNT(*) FROM order_search", as: Int64.self) ?? 0
                    #expect(misnumbered == 0 && searchRows > 4)
                    await store.close()
                } catch {
                    await store.close()
                    throw error
                }
            }
        }
    }

    /// Copies `source` into `target` (clean), then again: the second copy's refusal.
    func refusal(copying source: String, twiceTo target: DatabaseLocation) async throws -> String {
        #expect(try await StoreCopy(from: .sqlite(path: source), to: target).run().isClean)
        let again = StoreCopy(from: .sqlite(path: source), to: target)
        do {
            _ = try await again.run()
            return ""
        } catch {
            return error.description
        }
    }

    @Test func aTargetWithRowsIsRefusedAndKeepsThem() async throws {
        try await withTemporaryFolder { folder in
            let source = folder + "/source.db"
            let store = try await SQLiteStore(path: source)
            try await BahiSchema.migrate(store)
            _ = try await APIKeyStore(store: store).create(name: "ops", role: .admin, channel: nil, actor: "cli")
            await store.close()
            let message = try await refusal(copying: source, twiceTo: .sqlite(path: folder + "/target/bahi.db"))
            #expect(message == "the target \(folder)/target/bahi.db is not empty (rows in api_keys and 1 more table): copy into a new, empty database")
            try await withEmptyPostgres { url in
                let message = try await refusal(copying: source, twiceTo: .postgres(try PostgresURL(url)))
                #expect(message.contains("is not empty (rows in api_keys") && !message.contains("\n"), "\(message)")
            }
            // A source at an older schema is sent to `bahi migrate` first.
            let old = folder + "/old.db"
            let connection = try Connection(path: old)
            try Migrator(Array(BahiSchema.migrations.dropLast())).migrate(connection)
            connection.close()
            do {
                _ = try await StoreCopy(from: .sqlite(path: old), to: .sqlite(path: folder + "/other.db")).run()
                Issue.record("copied an old schema")
            } catch {
                // The migration before the last (numbers may skip: branches are given their own).
                let latest = BahiSchema.migrator.latestVersion, previous = BahiSchema.migrations.dropLast().last?.version ?? 0
                #expect("\(error)" == "the source \(old) is at schema version \(previous), this bahi's is \(latest): run `bahi migrate --db \(old)` on it first")
            }
        }
    }

    @Test func aBadOrUnreachableURLIsOneLineWithoutThePassword() async throws {
        #expect(throws: ConfigurationError.self) { try DatabaseLocation(argument: "postgres://bahi:hunter2@db:99999/shop", flag: "--to") }
        do {
            _ = try DatabaseLocation(argument: "postgres://bahi:hunter2@db:99999/shop", flag: "--to")
        } catch {
            #expect(error.message.hasPrefix("--to: ") && error.message.contains("port") && !error.message.contains("hunter2"), "\(error.message)")
        }
        #expect(try DatabaseLocation(argument: "./bahi-data/bahi.db", flag: "--from") == .sqlite(path: "./bahi-data/bahi.db"))
        #expect(throws: ConfigurationError.self) { try DatabaseLocation(argument: "mysql://bahi:hunter2@db/shop", flag: "--to") }
        // Nothing listens on port 1: refused at once, named by the redacted URL.
        try await withTemporaryFolder { folder in
            let source = folder + "/bahi.db"
            let store = try await SQLiteStore(path: source)
            try await BahiSchema.migrate(store)
            await store.close()
            let closed = StoreCopy(from: .sqlite(path: source), to: .postgres(try PostgresURL("postgres://bahi:hunter2@127.0.0.1:1/shop")))
            do {
                _ = try await closed.run()
                Issue.record("connected to port 1")
            } catch {
                let text = "\(error)"
                #expect(text.hasPrefix("cannot connect to PostgreSQL at postgres://bahi:***@127.0.0.1:1/shop: "), "\(text)")
                #expect(!text.contains("\n") && !text.contains("hunter2"), "\(text)")
            }
        }
    }

    /// The copy order lists every table of both schemas, each after the tables its foreign
    /// keys point at.
    @Test func theTableListCoversBothSchemasInForeignKeyOrder() async throws {
        let order = BahiSchema.tables.map(\.name)
        func check(tables: [String], keys: [(child: String, parent: String)]) {
            #expect(Set(tables) == Set(order), "missing \(Set(tables).subtracting(order)), extra \(Set(order).subtracting(tables))")
            #expect(order.count == Set(order).count)
            for key in keys {
                guard let child = order.firstIndex(of: key.child), let parent = order.firstIndex(of: key.parent) else { continue }
                #expect(parent < child, "\(key.child) is copied before its parent \(key.parent)")
            }
        }
        try await withTemporaryFolder { folder in
            let db = try Connection(path: folder + "/bahi.db")
            try BahiSchema.migrator.migrate(db)
            // Real and virtual tables (order_search is FTS5), not FTS5's own shadow tables.
            let tables = try db.query("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT IN ('schema_migrations', 'sqlite_sequence', 'sqlite_schema')") { row in try row[0] as String }
            let keys = try tables.flatMap { table in
                try db.query("SELECT \"table\" FROM pragma_foreign_key_list(?1)", [table]) { row in (child: table, parent: try row[0] as String) }
            }
            check(tables: tables, keys: keys)
            db.close()
        }
        try await withEmptyPostgres { url in
            let db = try PostgresConnection(conninfo: try PostgresURL(url).conninfo)
            try BahiSchema.postgresMigrator.migrate(db)
            let tables = try db.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'"
            ) { row in try row[0] as String }
            let keys = try db.query("SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint WHERE contype = 'f'") { row in
                (child: try row["child"] as String, parent: try row["parent"] as String)
            }
            check(tables: tables, keys: keys)
        }
    }
}
