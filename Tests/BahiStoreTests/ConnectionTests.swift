import Testing
import BahiStore

@Suite struct ConnectionTests {
    private func withConnection<T>(_ body: (Connection) throws -> T) async throws -> T {
        try await withTemporaryDirectory { directory in
            let db = try Connection(path: directory + "/c.sqlite")
            defer { db.close() }
            return try body(db)
        }
    }

    @Test func directBindingMatchesStatementArguments() async throws {
        try await withConnection { db in
            try db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, t TEXT, b BLOB, o TEXT) STRICT")
            let none: String? = nil
            let changed = try db.execute("INSERT INTO v (i, t, b, o) VALUES (?, ?, ?, ?)", binding: Int64(7), "नमस्ते", [UInt8]([0, 1]), none)
            #expect(changed == 1)
            try db.execute("INSERT INTO v (i, t, b, o) VALUES (?, ?, ?, ?)", [Int64(8), "x", [UInt8](), "set"])
            let rows = try db.query("SELECT i, t, b, o FROM v WHERE i >= ?1 AND t <> ?2 ORDER BY i", binding: Int64(0), "") { row in
                (try row[0] as Int64, try row[1] as String, try row[2] as [UInt8], try row[3] as String?)
            }
            #expect(rows.count == 2)
            #expect(rows[0] == (7, "नमस्ते", [0, 1], nil))
            #expect(rows[1] == (8, "x", [], "set"))
            #expect(try db.queryFirst("SELECT t FROM v WHERE i = ?", binding: Int64(8)) { row in try row[0] as String } == "x")
            #expect(try db.queryFirst("SELECT t FROM v WHERE i = ?", binding: Int64(99)) { row in try row[0] as String } == nil)
            // Too few or too many values is an error, never a silent NULL.
            #expect(throws: StoreError.self) { try db.execute("INSERT INTO v (i, t) VALUES (?, ?)", binding: Int64(1)) }
            #expect(throws: StoreError.self) { try db.execute("INSERT INTO v (i) VALUES (?)", binding: Int64(1), "extra") }
            #expect(try db.queryValue("SELECT count(*) FROM v", as: Int64.self) == 2)
        }
    }

    @Test func sqlBuiltAtRunTimeFindsTheRightStatement() async throws {
        try await withConnection { db in
            try db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, n INTEGER) STRICT")
            // Many distinct heap strings, some with equal text: each must run its own SQL.
            for n in 0..<2_000 {
                let column = n % 2 == 0 ? "n" : "id"
                let sql = "SELECT " + column + " FROM v WHERE " + column + " = ?"
                try db.execute("INSERT INTO v (n) VALUES (?)", binding: Int64(n))
                let value = try db.queryFirst(sql, binding: Int64(column == "n" ? n : n + 1)) { row in try row[0] as Int64 }
                #expect(value == Int64(column == "n" ? n : n + 1))
            }
        }
    }

    @Test func bindByIndexAndReadBackEveryType() async throws {
        try await withConnection { db in
            try db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, n INTEGER, r REAL, t TEXT, b BLOB, f INTEGER) STRICT")
            let insert = try db.statement("INSERT INTO v (i, n, r, t, b, f) VALUES (?, ?, ?, ?, ?, ?)")
            let rows: [(Int64, Int, Double, String, [UInt8], Bool)] = [
                (Int64.max, Int.min, 3.25, "नमस्ते ₹ \u{0} after-nul", [], true),
                (Int64.min, 0, -0.5, "", [0, 0, 0], false),
                (0, 42, 1e300, "plain", [0xFF, 0x00, 0x7F], true),
            ]
            for (i, n, r, t, b, f) in rows {
                try insert.bind(i, at: 1)
                try insert.bind(n, at: 2)
                try insert.bind(r, at: 3)
                try insert.bind(t, at: 4)
                try insert.bind(b, at: 5)
                try insert.bind(f, at: 6)
                try insert.run()
            }
            let read = try db.query("SELECT i, n, r, t, b, f, typeof(b), length(b) FROM v ORDER BY id") { row in
                (try row[0] as Int64, try row[1] as Int, try row[2] as Double, try row[3] as String,
                 try row[4] as [UInt8], try row[5] as Bool, try row[6] as String, try row[7] as Int64)
            }
            #expect(read.count == rows.count)
            for (got, want) in zip(read, rows) {
                #expect(got.0 == want.0)
                #expect(got.1 == want.1)
                #expect(got.2 == want.2)
                #expect(got.3 == want.3)
                #expect(got.4 == want.4)
                #expect(got.5 == want.5)
                #expect(got.6 == "blob", "a zero-length blob stays a blob, not NULL")
                #expect(got.7 == Int64(want.4.count))
            }
            #expect(read[0].3.utf8.count == "नमस्ते ₹ \u{0} after-nul".utf8.count, "embedded NUL kept")
        }
    }

    @Test func bindByNameAndNulls() async throws {
        try await withConnection { db in
            try db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, f INTEGER) STRICT")
            let insert = try db.statement("INSERT INTO v (i, r, t, b, f) VALUES (:i, :r, :t, :b, :f)")
            try insert.bind(Int64(-7), named: ":i")
            try insert.bind(2.5, named: "r")
            try insert.bind("named", named: "t")
            try insert.bind([UInt8](), named: ":b")
            try insert.bind(false, named: "f")
            try insert.run()

            try insert.bindNull(named: "i")
            try insert.bind(Double?.none, named: "r")
            try insert.bindNull(named: ":t")
            try insert.bind([UInt8]?.none, named: "b")
            try insert.bindNull(named: "f")
            try insert.run()

            try db.execute("INSERT INTO v (i, r, t, b, f) VALUES (:i, :r, :t, :b, :f)",
                           [":i": 9, "r": nil, "t": "dict", "b": [UInt8]([1]), "f": true])

            let first = try db.queryFirst("SELECT i, r, t, b, f FROM v WHERE id = 1") { row in
                (try row["i"] as Int64, try row["r"] as Double, try row["T"] as String, try row["b"] as [UInt8], try row["f"] as Bool)
            }
            #expect(first?.0 == -7 && first?.1 == 2.5 && first?.2 == "named" && first?.3 == [] && first?.4 == false)

            let second = try db.queryFirst("SELECT i, r, t, b, f FROM v WHERE id = 2") { row in
                (try row[0] as Int64?, try row[1] as Double?, try row[2] as String?, try row[3] as [UInt8]?, try row[4] as Bool?)
            }
            #expect(second?.0 == nil && second?.1 == nil && second?.2 == nil && second?.3 == nil && second?.4 == nil)
            #expect(try db.queryFirst("SELECT * FROM v WHERE id = 2") { try $0.isNull(at: 1) } == true)
            #expect(try db.queryFirst("SELECT b FROM v WHERE id = 2") { try $0.value(at: 0) } == .null)
            #expect(try db.queryFirst("SELECT b FROM v WHERE id = 1") { try $0.value(at: 0) } == .blob([]))

            let third = try db.queryFirst("SELECT i, r, t, b, f FROM v WHERE id = 3") { $0.values }
            #expect(third == [.integer(9), .null, .text("dict"), .blob([1]), .integer(1)])
        }
    }

    @Test func readingNullOrWrongTypeIsAnErrorNotAZero() async throws {
        try await withConnection { db in
            try db.execute("CREATE TABLE v (i INTEGER, t TEXT) STRICT; INSERT INTO v VALUES (NULL, 'x')")
            let null = #expect(throws: StoreError.self) {
                _ = try db.queryFirst("SELECT i FROM v") { row -> Int64 in try row[0] }
            }
            #expect(null?.code == 20)
            #expect(null?.message.contains("NULL") == true)
            let text = #expect(throws: StoreError.self) {
                _ = try db.queryFirst("SELECT t FROM v") { row -> Int64 in try row["t"] }
            }
            #expect(text?.message.contains("TEXT") == true)
            #expect(throws: StoreError.self) { _ = try db.queryFirst("SELECT t FROM v") { row -> String in try row["nope"] } }
            #expect(throws: StoreError.self) { _ = try db.queryFirst("SELECT t FROM v") { row -> String in try row[3] } }
        }
    }

    @Test func argumentsMustMatchParameters() async throws {
        try await withConnection { db in
            try db.execute("CREATE TABLE v (a INTEGER, b INTEGER) STRICT")
            let tooFew = #expect(throws: StoreError.self) { try db.execute("INSERT INTO v VALUES (?, ?)", [1]) }
            #expect(tooFew?.code == 25 && tooFew?.isMisuse == true)
            let missing = #expect(throws: StoreError.self) { try db.execute("INSERT INTO v VALUES (:a, :b)", ["a": 1]) }
            #expect(missing?.message.contains(":b") == true)
            #expect(throws: StoreError.self) { try db.execute("INSERT INTO v VALUES (:a, :b)", ["a": 1, "b": 2, "c": 3]) }
            #expect(try db.execute("INSERT INTO v VALUES (?, ?)", [1, 2]) == 1)
            #expect(try db.execute("UPDATE v SET b = b + 1", []) == 1)
            #expect(try db.queryValue("SELECT b FROM v", as: Int64.self) == 3)
        }
    }

    @Test func uniqueViolationCarriesExtendedCodeAndSQL() async throws {
        try await withConnection { db in
            try db.execute("""
                CREATE TABLE parent (code TEXT PRIMARY KEY) STRICT;
                CREATE TABLE child (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE REFERENCES parent (code), qty INTEGER NOT NULL CHECK (qty >= 0)) STRICT;
                INSERT INTO parent VALUES ('A'), ('B');
                """)
            let sql = "INSERT INTO child (code, qty) VALUES (?, ?)"
            try db.execute(sql, ["A", 1])
            let unique = #expect(throws: StoreError.self) { try db.execute(sql, ["A", 2]) }
            #expect(unique?.code == 19)
            #expect(unique?.extendedCode == 2067)
            #expect(unique?.isConstraintViolation == true)
            #expect(unique?.isUniqueViolation == true)
            #expect(unique?.isForeignKeyViolation == false)
            #expect(unique?.sql == sql)
            #expect(unique?.message == "UNIQUE constraint failed: child.code")
            #expect(unique?.description == "SQLITE_CONSTRAINT_UNIQUE (2067): UNIQUE constraint failed: child.code; SQL: \(sql)")

            let primaryKey = #expect(throws: StoreError.self) { try db.execute("INSERT INTO parent VALUES (?)", ["A"]) }
            #expect(primaryKey?.extendedCode == 1555 && primaryKey?.isUniqueViolation == true)

            let foreignKey = #expect(throws: StoreError.self) { try db.execute(sql, ["Z", 1]) }
            #expect(foreignKey?.isForeignKeyViolation == true, "foreign_keys=ON is applied at open")

            let check = #expect(throws: StoreError.self) { try db.execute(sql, ["B", -1]) }
            #expect(check?.isCheckViolation == true)

            let notNull = #expect(throws: StoreError.self) { try db.execute(sql, [nil, 1]) }
            #expect(notNull?.isNotNullViolation == true)

            let syntax = #expect(throws: StoreError.self) { try db.execute("SELEC 1", []) }
            #expect(syntax?.code == 1 && syntax?.sql == "SELEC 1")
        }
    }

    @Test func savepointRollsBackOnlyItsOwnWork() async throws {
        try await withConnection { db in
            try db.execute("CREATE TABLE t (v INTEGER NOT NULL) STRICT")
            try db.transaction(kind: .immediate) {
                try db.execute("INSERT INTO t VALUES (1)", [])
                #expect(throws: Deliberate(caller: 2)) {
                    try db.savepoint("inner") {
                        try db.execute("INSERT INTO t VALUES (2)", [])
                        try db.savepoint("innermost") { try db.execute("INSERT INTO t VALUES (22)", []) }
                        throw Deliberate(caller: 2)
                    }
                }
                let kept = try db.savepoint("kept") { try db.execute("INSERT INTO t VALUES (3)", []) }
                #expect(kept == 1)
            }
            #expect(try db.query("SELECT v FROM t ORDER BY v") { try $0[0] as Int64 } == [1, 3])
            #expect(!db.isInTransaction)

            #expect(throws: Deliberate(caller: 9)) {
                try db.transaction { try db.execute("INSERT INTO t VALUES (9)", []); throw Deliberate(caller: 9) }
            }
            #expect(try db.queryValue("SELECT count(*) FROM t", as: Int64.self) == 2)

            let nested = #expect(throws: StoreError.self) {
                try db.transaction { try db.transaction { } }
            }
            #expect(nested?.isMisuse == true)
            #expect(!db.isInTransaction)
        }
    }

    @Test func scriptsRunEveryStatementAndReportTheFailingOne() async throws {
        try await withConnection { db in
            try db.execute("""
                -- a comment first
                CREATE TABLE a (x INTEGER) STRICT;
                /* block comment */ INSERT INTO a VALUES (1);
                PRAGMA user_version = 3;
                INSERT INTO a VALUES (2)
                """)
            #expect(try db.queryValue("SELECT sum(x) FROM a", as: Int64.self) == 3)
            #expect(try db.queryValue("PRAGMA user_version", as: Int64.self) == 3)
            let failure = #expect(throws: StoreError.self) {
                try db.execute("INSERT INTO a VALUES (3); INSERT INTO missing VALUES (4); INSERT INTO a VALUES (5);")
            }
            #expect(failure?.message.contains("no such table: missing") == true)
            #expect(failure?.sql?.hasPrefix("INSERT INTO missing") == true)
            #expect(try db.queryValue("SELECT count(*) FROM a", as: Int64.self) == 3, "statements before the failure ran, after it did not")
            try db.execute("   ")
        }
    }

    @Test func cachedStatementsAreSafeToReenter() async throws {
        try await withConnection { db in
            try db.execute("CREATE TABLE t (v INTEGER) STRICT; INSERT INTO t VALUES (1), (2), (3)")
            let sql = "SELECT v FROM t ORDER BY v"
            var pairs: [[Int64]] = []
            let outer = try db.statement(sql)
            try outer.forEachRow { row in
                let v: Int64 = try row[0]
                pairs.append([v] + (try db.query(sql) { try $0[0] as Int64 }))
            }
            #expect(pairs == [[1, 1, 2, 3], [2, 1, 2, 3], [3, 1, 2, 3]])
            #expect(try db.statement(sql) === outer, "the cached statement is reused once free")
        }
    }

    @Test func connectionOpensInWALWithForeignKeysAndReadOnlyRefusesWrites() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/w.sqlite"
            let writer = try Connection(path: path, synchronous: .normal)
            #expect(try writer.journalMode() == "wal")
            #expect(try writer.queryValue("PRAGMA foreign_keys", as: Int64.self) == 1)
            #expect(try writer.queryValue("PRAGMA synchronous", as: Int64.self) == 1)
            try writer.execute("CREATE TABLE t (v INTEGER) STRICT")
            let reader = try Connection(path: path, mode: .readOnly)
            #expect(try reader.journalMode() == "wal")
            let refused = #expect(throws: StoreError.self) { try reader.execute("INSERT INTO t VALUES (1)", []) }
            #expect(refused?.isReadOnly == true)
            reader.close()
            writer.close()
            #expect(throws: StoreError.self) { try writer.execute("SELECT 1", []) }
            #expect(throws: StoreError.self) { try Connection(path: directory + "/missing/x.sqlite") }
        }
    }
}

@Suite struct RowByNameTests {
    @Test func columnsReadByNameInAnyOrderAndCase() async throws {
        try await withTemporaryDirectory { folder in
            let db = try Connection(path: folder + "/t.db")
            try db.execute("CREATE TABLE t (a INTEGER, b TEXT, c INTEGER)")
            try db.execute("INSERT INTO t VALUES (1, 'x', 3), (4, 'y', 6)", [])
            // In SELECT order (the fast path), out of order, repeated, and in another case.
            let rows = try db.query("SELECT a, b, c AS total FROM t ORDER BY a", []) { row in
                [try row["a"] as Int64, try row["total"] as Int64, try row["a"] as Int64, try row["TOTAL"] as Int64, Int64((try row["b"] as String).count)]
            }
            #expect(rows == [[1, 3, 1, 3, 1], [4, 6, 4, 6, 1]])
            // A name the statement does not have is an error naming it, not a wrong column.
            #expect(throws: StoreError.self) {
                _ = try db.query("SELECT a, b, c AS total FROM t", []) { row in try row["c"] as Int64 }
            }
        }
    }
}
