import Foundation

/// Copies tables between two `Database` connections of either engine (SQLite → PostgreSQL,
/// PostgreSQL → SQLite, or the same engine twice): the mechanism under `bahi copy`.
///
/// Why generic and here: moving rows, converting values between the engines' types, reading
/// each engine's catalogue and resetting PostgreSQL's identity sequences are store facts that
/// know no Bahi table; which tables, in which order, is the caller's (BahiCore lists them).
///
/// The column list comes from the target's table: each target column is read from the
/// source column of the same name, or from the one `Table.engineColumns` names for a column
/// only one engine's schema has; a column the source has and the target lacks is an error
/// unless it is such an engine column. Rows go in batches of `batchRows`: one COPY each on
/// PostgreSQL (`PostgresConnection.copyIn`), multi-row INSERTs otherwise. The caller owns
/// the transactions on both connections (one snapshot on the source; on the target, one
/// transaction for the whole copy, so a failed copy leaves nothing behind).
public struct TableCopier {
    /// One table to copy.
    public struct Table: Sendable, Equatable {
        /// The table's name, the same on both engines.
        public var name: String
        /// The column the source is read in order of, when insert order matters (a feed).
        public var orderBy: String?
        /// Columns only one engine's table has, each with the source column that fills it
        /// when the target has it and the source does not; dropped the other way round.
        public var engineColumns: [String: String]
        /// Columns only one engine's table has, each with an SQL expression over the source's
        /// row (written for both engines) that fills it when the target has it and the source
        /// does not; dropped the other way round. For a value the other engine keeps elsewhere.
        public var derivedColumns: [String: String]

        public init(_ name: String, orderBy: String? = nil, engineColumns: [String: String] = [:], derivedColumns: [String: String] = [:]) {
            self.name = name
            self.orderBy = orderBy
            self.engineColumns = engineColumns
            self.derivedColumns = derivedColumns
        }
    }

    /// How rows are written to a PostgreSQL target.
    public enum Method: String, Sendable {
        /// `COPY … FROM STDIN` through `PQputCopyData` (the default: fastest).
        case copy
        /// Multi-row `INSERT … VALUES (…), (…)`, as on SQLite (kept to measure against).
        case insert
    }

    /// Copying a table failed for a reason the schema, not the data, gives.
    public struct Mismatch: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let source: any Database
    public let target: any Database
    /// Rows per batch (per COPY, per progress report).
    public var batchRows: Int
    public var method: Method

    public init(source: any Database, target: any Database, batchRows: Int = 10_000, method: Method = .copy) {
        self.source = source
        self.target = target
        self.batchRows = max(1, batchRows)
        self.method = method
    }

    /// Copies `table`'s rows; `progress` gets the running count after every batch. Returns
    /// the rows written.
    @discardableResult
    public func copy(_ table: Table, progress: (Int) -> Void = { _ in }) throws -> Int {
        let targetColumns = try Self.columns(of: table.name, in: target)
        let sourceColumns = Set(try Self.columns(of: table.name, in: source))
        guard !targetColumns.isEmpty else { throw Mismatch(description: "the target has no table \(table.name)") }
        guard !sourceColumns.isEmpty else { throw Mismatch(description: "the source has no table \(table.name)") }
        let expressions = try targetColumns.map { column -> String in
            if sourceColumns.contains(column) { return Connection.quoteIdentifier(column) }
            if let from = table.engineColumns[column], sourceColumns.contains(from) { return Connection.quoteIdentifier(from) }
            if let expression = table.derivedColumns[column] { return "(\(expression)) AS \(Connection.quoteIdentifier(column))" }
            throw Mismatch(description: "\(table.name).\(column) has no source column to copy from")
        }
        let unread = sourceColumns.subtracting(targetColumns).subtracting(table.engineColumns.keys).subtracting(table.derivedColumns.keys)
        if let column = unread.sorted().first {
            throw Mismatch(description: "the target's \(table.name) has no column \(column)")
        }
        var select = "SELECT \(expressions.joined(separator: ", ")) FROM \(Connection.quoteIdentifier(table.name))"
        if let orderBy = table.orderBy { select += " ORDER BY \(Connection.quoteIdentifier(orderBy))" }

        var batch: [[SQLValue]] = []
        batch.reserveCapacity(batchRows)
        var written = 0
        func flush() throws {
            guard !batch.isEmpty else { return }
            written += try write(batch, into: table.name, columns: targetColumns)
            batch.removeAll(keepingCapacity: true)
            progress(written)
        }
        try readRows(select) { row in
            batch.append(row.values)
            if batch.count >= batchRows { try flush() }
        }
        try flush()
        return written
    }

    /// Runs `select` on the source and hands over every row. PostgreSQL's results arrive
    /// whole, so there a cursor fetches them `batchRows` at a time (inside the caller's
    /// snapshot); SQLite steps through rows as they are read.
    private func readRows(_ select: String, _ body: (Row) throws -> Void) throws {
        guard let postgres = source as? PostgresConnection else {
            try source.forEachRow(select, StatementArguments([])) { row in
                try body(row)
                return true
            }
            return
        }
        try postgres.execute("DECLARE bahi_copy NO SCROLL CURSOR FOR \(select)")
        while try postgres.forEachRowUnprepared("FETCH FORWARD \(batchRows) FROM bahi_copy", body) > 0 {}
        try postgres.execute("CLOSE bahi_copy")
    }

    private func write(_ rows: [[SQLValue]], into table: String, columns: [String]) throws -> Int {
        if method == .copy, let postgres = target as? PostgresConnection {
            return try postgres.copyIn(table: table, columns: columns, rows: rows)
        }
        // As many rows per INSERT as the engine's parameter limit allows, at most 500.
        let limit = target.dialect == .postgres ? 65_535 : 32_766
        let perStatement = max(1, min(500, limit / max(1, columns.count)))
        let head = "INSERT INTO \(Connection.quoteIdentifier(table)) (\(columns.map(Connection.quoteIdentifier).joined(separator: ", "))) VALUES "
        var written = 0
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var sql = head
            var values: [SQLValue] = []
            values.reserveCapacity(chunk.count * columns.count)
            for (index, row) in chunk.enumerated() {
                if index > 0 { sql += ", " }
                sql += "(" + (0..<row.count).map { "?\(values.count + $0 + 1)" }.joined(separator: ", ") + ")"
                values += row
            }
            written += try target.execute(sql, values: values)
            start += chunk.count
        }
        return written
    }

    // MARK: Transactions

    /// Runs `body` in one read-only snapshot of `db` (PostgreSQL: REPEATABLE READ, READ ONLY;
    /// SQLite: a read transaction, whose snapshot is taken by its first read).
    public static func inSnapshot<T>(_ db: any Database, _ body: () throws -> T) throws -> T {
        try inTransaction(db, begin: db.dialect == .postgres ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN DEFERRED", body)
    }

    /// Runs `body` in one write transaction on `db`: committed if it returns, rolled back if
    /// it throws.
    public static func inWriteTransaction<T>(_ db: any Database, _ body: () throws -> T) throws -> T {
        try inTransaction(db, begin: db.dialect == .postgres ? "BEGIN" : "BEGIN IMMEDIATE", body)
    }

    private static func inTransaction<T>(_ db: any Database, begin: String, _ body: () throws -> T) throws -> T {
        try db.execute(begin)
        do {
            let value = try body()
            try db.execute("COMMIT")
            return value
        } catch {
            _ = try? db.execute("ROLLBACK")
            throw error
        }
    }

    // MARK: Catalogue facts

    /// The table's columns in order, from the engine's catalogue; empty when there is no
    /// such table.
    public static func columns(of table: String, in db: any Database) throws -> [String] {
        switch db.dialect {
        case .sqlite:
            try db.query("SELECT name FROM pragma_table_info(?1) ORDER BY cid", binding: table) { row in try row["name"] as String }
        case .postgres:
            try db.query(
                """
                SELECT column_name FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = ?1 AND is_generated = 'NEVER' ORDER BY ordinal_position
                """, binding: table) { row in try row["column_name"] as String }
        }
    }

    /// How many rows `table` has.
    public static func rowCount(of table: String, in db: any Database) throws -> Int {
        Int(try db.queryValue("SELECT count(*) FROM \(Connection.quoteIdentifier(table))", as: Int64.self) ?? 0)
    }

    /// Whether `table` has a row (false, too, when there is no such table).
    public static func hasRows(_ table: String, in db: any Database) throws -> Bool {
        guard !(try columns(of: table, in: db)).isEmpty else { return false }
        return try db.queryFirst("SELECT 1 AS one FROM \(Connection.quoteIdentifier(table)) LIMIT 1") { _ in true } ?? false
    }

    /// Sets every identity column's sequence of `table` past the column's highest value, so
    /// rows inserted after a copy with explicit keys get new ones (PostgreSQL only: SQLite's
    /// rowids and `sqlite_sequence` follow the rows by themselves). Returns the columns reset.
    @discardableResult
    public static func resetIdentities(of table: String, in db: any Database) throws -> [String] {
        guard db.dialect == .postgres else { return [] }
        let identities = try db.query(
            """
            SELECT column_name FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = ?1 AND is_identity = 'YES'
            """, binding: table) { row in try row["column_name"] as String }
        for column in identities {
            let quoted = Connection.quoteIdentifier(column)
            // is_called = false: the next value handed out is exactly max + 1 (1 when empty).
            _ = try db.queryFirst(
                "SELECT setval(pg_get_serial_sequence(?1, ?2), COALESCE(MAX(\(quoted)), 0) + 1, false) AS next FROM \(Connection.quoteIdentifier(table))",
                binding: Connection.quoteIdentifier(table), column) { _ in () }
        }
        return identities
    }
}
