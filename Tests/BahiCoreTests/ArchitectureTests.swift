import Foundation
import Testing

/// The domain seam's rules, checked against the source tree (issue 9): SQL lives only in each
/// domain's `<Domain>Records.swift` (and the migrations), a domain's SQL names only its own
/// tables (plus the Catalog's published `catalog_*` views), Core never imports HTTP nor gives
/// `DomainError` a status, and rows are read by column name.
///
/// Each rule is a row of `ArchitectureRule.all`: where it applies and what it finds. A
/// violation names the file and line. The checks read the sources with a small Swift lexer
/// (`SwiftSource`) so comments are skipped, string literals are seen whole (multi-line and raw
/// ones too, with interpolations), and prose such as "select a location first" is not SQL.
@Suite struct ArchitectureTests {
    @Test(arguments: ArchitectureRule.all)
    func rule(_ rule: ArchitectureRule) throws {
        let files = try SourceTree.cached.get()
        #expect(files.count > 50, "the Sources tree was not found")
        let violations = files.flatMap { rule.violations(in: $0) }
        for violation in violations {
            Issue.record(Comment(rawValue: violation.description))
        }
        if ProcessInfo.processInfo.environment["BAHI_ARCH_SUMMARY"] != nil {
            print("architecture rule \(rule.id): \(violations.count) violation(s)")
        }
    }
}

/// The matchers themselves, on made-up sources: they always run, so a change that blinds a
/// rule (or makes it see SQL in prose) fails at once.
@Suite struct ArchitectureMatcherTests {
    func violations(_ rule: String, path: String, _ text: String) throws -> [ArchitectureRule.Violation] {
        let rule = try #require(ArchitectureRule.all.first { $0.id == rule })
        return rule.violations(in: SwiftSource(path: path, text: text))
    }

    @Test func sqlIsFoundInEveryKindOfLiteralButNotInProseOrComments() throws {
        let text = #"""
        // SELECT id FROM orders WHERE a comment is not code
        let a = "SELECT id FROM orders WHERE id = ?1"
        let b = """
            UPDATE stock_levels
               SET on_hand = on_hand + ?1
            """
        let c = #"DELETE FROM holds WHERE "quoted" = 1"#
        let d = "INSERT INTO skus (sku) VALUES (\(value)) ON CONFLICT DO NOTHING"
        let e = "Select a location first, then update the SKU and delete from the list."
        let f = "SELECT \(columns) FROM \(table)"
        /* DELETE FROM skus */
        """#
        let found = try violations("sql-outside-records", path: "Sources/BahiCore/Orders/OrderIntake.swift", text)
        #expect(found.map(\.line) == [2, 3, 7, 8, 10])
        #expect(try violations("sql-outside-records", path: "Sources/BahiCore/Orders/OrderRecords.swift", text).isEmpty)
        #expect(try violations("sql-outside-records", path: "Sources/BahiCore/Schema/BahiSchema.swift", text).isEmpty)
        #expect(try violations("sql-outside-records", path: "Sources/BahiAPI/Routes/OrderRecords.swift", text).count == 5)
        #expect(try violations("sql-outside-records", path: "Sources/BahiStore/Connection.swift", text).isEmpty)
    }

    @Test func tablesOfAnotherDomainAreFlaggedButCatalogViewsAreNot() throws {
        let text = #"""
        let own = "SELECT o.id FROM orders o JOIN order_lines l ON l.order_id = o.id"
        let view = "SELECT sku FROM catalog_skus WHERE sku = ?1"
        let theirs = "UPDATE stock_levels SET reserved = reserved - ?1"
        let fragment = " JOIN shipments s ON s.order_id = o.id"
        """#
        let found = try violations("foreign-table", path: "Sources/BahiCore/Orders/OrderRecords.swift", text)
        #expect(found.map(\.line) == [3, 4])
        #expect(found.first?.detail.contains("stock_levels") == true)
        #expect(found.first?.detail.contains("Inventory") == true)
        #expect(try violations("foreign-table", path: "Sources/BahiCore/Invariants/InvariantRecords.swift", text).isEmpty)
    }

    @Test func importsStatusesAndPositionalReads() throws {
        #expect(try violations("core-imports-http", path: "Sources/BahiCore/X.swift", "public import BahiHTTP\n").count == 1)
        #expect(try violations("core-imports-http", path: "Sources/BahiCore/X.swift", "@testable import BahiHTTP\n").count == 1)
        #expect(try violations("core-imports-http", path: "Sources/BahiCore/X.swift", "import BahiHTTPish\n// import BahiHTTP\n").isEmpty)
        #expect(try violations("core-imports-http", path: "Sources/BahiAPI/X.swift", "import BahiHTTP\n").isEmpty)

        let statuses = """
        throw DomainError(status: 500, code: "x", detail: "y")
        extension DomainError {
            var statusCode: Int { 500 }
        }
        struct Order { var status: OrderStatus }
        public struct DomainError: Error {
            public var status: Int
            public init(status: Int) {}
        }
        """
        #expect(try violations("domain-error-status", path: "Sources/BahiCore/Orders/Order.swift", statuses).map(\.line) == [1, 3, 7, 8])

        let reads = "let a: String = try row[0]\nlet b = \"row[1] in a string\"\nlet c: Int64 = try row[\"qty\"]\n// row[2]\n"
        #expect(try violations("positional-row-read", path: "Sources/BahiAPI/Routes/X.swift", reads).map(\.line) == [1])
        #expect(try violations("positional-row-read", path: "Sources/BahiStore/X.swift", reads).isEmpty)
    }

    @Test func interpolationsAreCodeAndTheirStringsAreLiterals() {
        let source = SwiftSource(path: "x.swift", text: #"let s = "a \(f("SELECT id FROM orders", row[0])) b""# + "\n")
        #expect(Set(source.literals.map(\.text)) == ["SELECT id FROM orders", "a \\(…) b"])
        #expect(source.codeLines[0].contains("row[0]"))
        #expect(!source.codeLines[0].contains("SELECT"))
    }
}

/// One rule of the seam: a name, the files it looks at, and how it finds violations.
struct ArchitectureRule: Sendable, CustomTestStringConvertible {
    /// One place that breaks a rule.
    struct Violation: CustomStringConvertible {
        var rule: String
        var path: String
        var line: Int
        var detail: String
        var description: String { "\(path):\(line): [\(rule)] \(detail)" }
    }

    let id: String
    let summary: String
    let applies: @Sendable (String) -> Bool
    let find: @Sendable (SwiftSource) -> [(line: Int, detail: String)]

    var testDescription: String { "\(id): \(summary)" }

    func violations(in source: SwiftSource) -> [Violation] {
        guard applies(source.path) else { return [] }
        return find(source).map { Violation(rule: id, path: source.path, line: $0.line, detail: $0.detail) }
    }

    // MARK: The table

    static let all: [ArchitectureRule] = [
        ArchitectureRule(
            id: "sql-outside-records",
            summary: "SQL only in *Records.swift (Core) and Schema/ migrations; none in BahiAPI",
            applies: { path in
                if path.hasPrefix("Sources/BahiAPI/") { return true }
                guard path.hasPrefix("Sources/BahiCore/") else { return false }
                return !path.hasSuffix("Records.swift") && !path.hasPrefix("Sources/BahiCore/Schema/")
            },
            find: { source in
                source.literals.compactMap { literal in
                    SQLShape.statement(in: literal.text).map { (literal.line, "SQL statement (\($0)) outside a records type: move it into the domain's <Domain>Records") }
                }
            }),
        ArchitectureRule(
            id: "core-imports-http",
            summary: "BahiCore never imports BahiHTTP",
            applies: { $0.hasPrefix("Sources/BahiCore/") },
            find: { source in
                source.matches(#"^\s*(?:@\w+\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?BahiHTTP(?:\.|\s|$)"#)
                    .map { ($0, "BahiCore imports BahiHTTP: Core must stay transport-neutral") }
            }),
        ArchitectureRule(
            id: "foreign-table",
            summary: "a domain's SQL names only its own tables (Invariants excepted; catalog_* views are public)",
            applies: { Ownership.domain(ofPath: $0) != nil },
            find: { source in
                guard let domain = Ownership.domain(ofPath: source.path), domain != Ownership.auditor else { return [] }
                return source.literals.flatMap { literal in
                    var seen = Set<String>()
                    return SQLShape.tables(in: literal.text).compactMap { table -> (Int, String)? in
                        guard let owner = Ownership.owner[table], owner != domain, seen.insert(table).inserted else { return nil }
                        return (literal.line, "the \(domain) domain's SQL names \(table), a table the \(owner) domain owns: call a \(owner) service (or read a catalog_* view) instead")
                    }
                }
            }),
        ArchitectureRule(
            id: "domain-error-status",
            summary: "DomainError carries no HTTP status in Core",
            applies: { $0.hasPrefix("Sources/BahiCore/") },
            find: { source in
                let calls = source.matches(#"DomainError\s*\(\s*status\s*:"#).map { ($0, "DomainError(status:…): use a DomainError.Code; BahiAPI maps it to a status") }
                let members = source.bodies(of: #"\b(?:struct|extension)\s+DomainError\b"#).flatMap { range in
                    source.matches(#"\b(?:var|let|func|case)\s+(?:status|statusCode)\b|\binit\s*\(\s*status\s*:|\bstatusCode\b"#, lines: range)
                        .map { ($0, "DomainError has a status member: statuses belong to BahiAPI's DomainErrorResponse") }
                }
                var seen = Set<Int>()
                return (calls + members).sorted { $0.0 < $1.0 }.filter { seen.insert($0.0).inserted }
            }),
        ArchitectureRule(
            id: "uncatalogued-event",
            summary: "domain code appends events through the catalogue (EventLog.append(db, NewEvent(…)))",
            applies: { $0.hasPrefix("Sources/BahiCore/") || $0.hasPrefix("Sources/BahiAPI/") },
            find: { source in
                source.matches(#"EventLog\.append\([^)]*\btype\s*:"#).map { ($0, "an event appended by its type string: declare it in the domain's *Events and append a NewEvent") }
            }),
        ArchitectureRule(
            id: "positional-row-read",
            summary: "rows are read by column name, never row[<index>]",
            applies: { $0.hasPrefix("Sources/BahiCore/") || $0.hasPrefix("Sources/BahiAPI/") },
            find: { source in
                source.matches(#"\brow\s*\[\s*\d"#).map { ($0, "positional row read: read row[\"column\"] (alias computed columns with AS)") }
            }),
    ]
}

/// Which domain owns which table.
enum Ownership {
    /// The audit may read every table (the documented exception: `InvariantRecords`).
    static let auditor = "Invariants"

    static let tables: [(domain: String, tables: [String])] = [
        ("Catalog", ["skus", "kit_components", "locations", "channels", "channel_sku_buffers"]),
        ("Inventory", ["stock_levels", "stock_movements", "stock_audit_checkpoints", "reservations", "reservation_allocations"]),
        ("Orders", ["orders", "order_lines", "order_history", "order_search", "customer_stats", "pincode_stats"]),
        ("Payments", ["payments", "gateway_events", "payment_mismatches", "refunds", "settlement_lines", "cod_remittances"]),
        ("Fulfilment", ["shipments", "shipment_lines", "picklists", "invoice_series", "invoices", "manifests", "rto_receipts", "rto_receipt_lines",
                        "fulfilment_queue", "fulfilment_queue_rules", "fulfilment_queue_counts"]),
        ("Access", ["api_keys"]),
        ("Idempotency", ["idempotency_keys"]),
        ("Events", ["events"]),
        ("Coordination", ["leases"]),
        ("Settings", ["seller_profile"]),
        ("Webhooks", ["webhook_endpoints", "webhook_deliveries", "webhook_attempts"]),
        ("Couriers", ["couriers", "courier_rates", "courier_pincodes", "courier_waybills", "tracking_scans", "tracking_parked", "shipment_ndrs", "courier_performance"]),
    ]

    /// Table → owning domain. `catalog_*` views are the Catalog's published read contract and
    /// are deliberately absent: any domain may name them.
    static let owner: [String: String] = Dictionary(uniqueKeysWithValues: tables.flatMap { entry in entry.tables.map { ($0, entry.domain) } })

    /// The domain whose folder holds `path` (`Sources/BahiCore/<Domain>/…`), or nil.
    static func domain(ofPath path: String) -> String? {
        let prefix = "Sources/BahiCore/"
        guard path.hasPrefix(prefix) else { return nil }
        let parts = path.dropFirst(prefix.count).split(separator: "/")
        guard parts.count > 1 else { return nil }
        let folder = String(parts[0])
        return folder == auditor || tables.contains(where: { $0.domain == folder }) ? folder : nil
    }
}

/// What SQL looks like, for telling a statement from prose. Keywords are matched in upper
/// case, as every statement in Bahi is written; a statement needs its shape, not just a word.
enum SQLShape {
    static let statements: [(name: String, regex: NSRegularExpression)] = [
        ("SELECT", #"\bSELECT\s+(?:DISTINCT\s+)?\S[\s\S]*?\bFROM\s+[\w(\\]"#),
        ("SELECT", #"\bSELECT\s+(?:\d|\?\d|[a-z_]+\(|CASE\b|EXISTS\b|COUNT\(|COALESCE\(|MAX\(|MIN\(|SUM\()"#),
        ("INSERT", #"\bINSERT\s+(?:OR\s+[A-Z]+\s+)?INTO\s+[\w\\]"#),
        ("UPDATE", #"\bUPDATE\s+\w+\s+SET\s"#),
        ("DELETE", #"\bDELETE\s+FROM\s+[\w\\]"#),
    ].map { ($0.0, regex($0.1)) }

    static let tableReference = regex(#"\b(?:FROM|JOIN|INTO|UPDATE)\s+(\w+)"#)

    /// The kind of the first statement `text` contains, or nil if it holds none.
    static func statement(in text: String) -> String? {
        let range = NSRange(text.startIndex..., in: text)
        return statements.first { $0.regex.firstMatch(in: text, range: range) != nil }?.name
    }

    /// Every name in a table position (after FROM, JOIN, INTO, UPDATE), in order.
    static func tables(in text: String) -> [String] {
        tableReference.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    static func regex(_ pattern: String) -> NSRegularExpression {
        do { return try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]) } catch { fatalError("bad pattern \(pattern): \(error)") }
    }
}

/// The package's `Sources` tree, found from this file's path.
enum SourceTree {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The tree, read once for all the rules.
    static let cached = Result { try load() }

    /// Every Swift file under `Sources`, with paths relative to the package root.
    static func load() throws -> [SwiftSource] {
        let root = root
        let sources = root.appendingPathComponent("Sources")
        guard let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else { return [] }
        var files: [SwiftSource] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            files.append(SwiftSource(path: relative, text: try String(contentsOf: url, encoding: .utf8)))
        }
        return files.sorted { $0.path < $1.path }
    }
}

/// A Swift file split into its string literals (with the line each starts on) and its code
/// (comments and literal contents blanked, interpolations kept, lines preserved).
struct SwiftSource {
    struct Literal {
        /// The literal's text; an interpolation reads `\(…)`.
        var text: String
        var line: Int
    }

    let path: String
    let literals: [Literal]
    /// The code, line by line (index 0 is line 1).
    let codeLines: [String]

    init(path: String, text: String) {
        self.path = path
        var lexer = SwiftLexer(Array(text.utf8))
        lexer.lexCode(interpolation: false)
        self.literals = lexer.literals.sorted { $0.line < $1.line }
        self.codeLines = String(decoding: lexer.code, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Lines (1-based) of the code where `pattern` matches, optionally within `lines`.
    func matches(_ pattern: String, lines: ClosedRange<Int>? = nil) -> [Int] {
        let regex = SQLShape.regex(pattern)
        return codeLines.indices.compactMap { index in
            let number = index + 1
            if let lines, !lines.contains(number) { return nil }
            let line = codeLines[index]
            return regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil ? number : nil
        }
    }

    /// The line ranges of the braced bodies of declarations matching `pattern`.
    func bodies(of pattern: String) -> [ClosedRange<Int>] {
        matches(pattern).compactMap { start in
            var depth = 0, opened = false
            for index in (start - 1)..<codeLines.count {
                for byte in codeLines[index].utf8 {
                    if byte == UInt8(ascii: "{") { depth += 1; opened = true }
                    if byte == UInt8(ascii: "}") { depth -= 1 }
                }
                if opened, depth <= 0 { return start...(index + 1) }
            }
            return nil
        }
    }
}

/// Enough of Swift's lexical grammar to find comments and string literals: `//` and nested
/// `/* */` comments, `"…"`, `"""…"""`, raw `#"…"#` strings, escapes, and `\( … )`
/// interpolations (lexed as code, so strings inside them are literals of their own).
struct SwiftLexer {
    let bytes: [UInt8]
    var index = 0
    var code: [UInt8]
    var literals: [SwiftSource.Literal] = []
    private let lineStarts: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.code = bytes.map { $0 == 0x0A ? 0x0A : 0x20 }
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == 0x0A { starts.append(offset + 1) }
        self.lineStarts = starts
    }

    private func at(_ offset: Int) -> UInt8 { offset < bytes.count ? bytes[offset] : 0 }

    private func line(of offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low + 1
    }

    private func startsString(at offset: Int) -> Bool {
        var cursor = offset
        while at(cursor) == UInt8(ascii: "#") { cursor += 1 }
        return at(cursor) == UInt8(ascii: "\"")
    }

    /// Code until the end (or, in an interpolation, until its closing parenthesis).
    mutating func lexCode(interpolation: Bool) {
        var depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "/"), at(index + 1) == UInt8(ascii: "/") {
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
                continue
            }
            if byte == UInt8(ascii: "/"), at(index + 1) == UInt8(ascii: "*") {
                var nesting = 0
                repeat {
                    if at(index) == UInt8(ascii: "/"), at(index + 1) == UInt8(ascii: "*") { nesting += 1; index += 2 }
                    else if at(index) == UInt8(ascii: "*"), at(index + 1) == UInt8(ascii: "/") { nesting -= 1; index += 2 }
                    else { index += 1 }
                } while nesting > 0 && index < bytes.count
                continue
            }
            if (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "#")) && startsString(at: index) {
                lexString()
                continue
            }
            if interpolation {
                if byte == UInt8(ascii: "(") { depth += 1 }
                if byte == UInt8(ascii: ")") {
                    if depth == 0 { index += 1; return }
                    depth -= 1
                }
            }
            code[index] = byte
            index += 1
        }
    }

    /// One string literal starting at `index` (at its `#`s or its first quote).
    private mutating func lexString() {
        let start = index
        var hashes = 0
        while at(index) == UInt8(ascii: "#") { hashes += 1; index += 1 }
        let multiline = at(index + 1) == UInt8(ascii: "\"") && at(index + 2) == UInt8(ascii: "\"")
        index += multiline ? 3 : 1
        var text: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                var cursor = index + 1, seen = 0
                while seen < hashes, at(cursor) == UInt8(ascii: "#") { seen += 1; cursor += 1 }
                if seen == hashes, cursor < bytes.count {
                    if bytes[cursor] == UInt8(ascii: "(") {
                        index = cursor + 1
                        text.append(contentsOf: Array("\\(…)".utf8))
                        lexCode(interpolation: true)
                        continue
                    }
                    text.append(byte); text.append(bytes[cursor])
                    index = cursor + 1
                    continue
                }
            }
            if byte == UInt8(ascii: "\"") {
                let quotes = multiline ? 3 : 1
                let closes = (0..<quotes).allSatisfy { at(index + $0) == UInt8(ascii: "\"") }
                    && (0..<hashes).allSatisfy { at(index + quotes + $0) == UInt8(ascii: "#") }
                if closes {
                    index += quotes + hashes
                    break
                }
            }
            if !multiline, byte == 0x0A { break }
            text.append(byte)
            index += 1
        }
        literals.append(SwiftSource.Literal(text: String(decoding: text, as: UTF8.self), line: line(of: start)))
    }
}
