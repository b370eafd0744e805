import CSQLite

/// `SQLITE_TRANSIENT`: tells SQLite to copy bound text and blobs before the bind call returns.
/// The C macro is a cast of -1 to a function pointer, which Swift cannot import, so it is
/// spelled by hand. Copying is what makes binding a Swift `String`/`[UInt8]` safe: their
/// storage is only valid for the duration of the `withUTF8`/`withUnsafeBytes` call.
var SQLITE_TRANSIENT: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }

/// A compiled SQL statement, owned by one `Connection` and used on that connection's thread.
///
/// Why a class: it owns a `sqlite3_stmt` that must be finalized exactly once. Connections
/// cache statements by SQL text (`Connection.statement(_:)`), so the parse and query plan are
/// paid once per connection, not once per request. Indices are 1-based for parameters (as in
/// SQL) and 0-based for result columns (as in SQLite's C API).
public final class Statement {
    let handle: OpaquePointer

    /// The SQL text as given (placeholders, no values); carried into every error.
    public let sql: String

    /// Every column's name, read once (see `columnIndex(named:)`).
    private var columnNames: [String] = []
    /// The index `columnIndex(named:)` found last; the next lookup tries the one after it.
    private var lastColumnFound = -1

    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// How many parameters (`?`, `:name`) the statement has; arguments must match it exactly.
    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// How many columns each result row has (0 for statements that return nothing).
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The name of a result column (its alias when the SQL gives one).
    public func columnName(at index: Int) -> String {
        guard index >= 0, index < columnCount, let name = sqlite3_column_name(handle, Int32(index)) else { return "" }
        return String(cString: name)
    }

    /// True if the statement cannot change the database: lets callers assert that code meant
    /// for the read pool really only reads.
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    /// True while the statement is between its first step and its completion or reset. The
    /// connection uses it to avoid handing out a cached statement that is still being iterated.
    var isBusy: Bool { sqlite3_stmt_busy(handle) != 0 }

    // MARK: Binding

    /// Binds all parameters at once, after clearing earlier bindings. Positional arguments
    /// must match `parameterCount` exactly and named arguments must cover every parameter: a
    /// forgotten argument silently binding NULL is a bug, so it is an error here.
    public func bind(_ arguments: StatementArguments) throws {
        sqlite3_clear_bindings(handle)
        let expected = parameterCount
        switch arguments.storage {
        case .positional(let values):
            guard values.count == expected else {
                throw StoreError(
                    extendedCode: ResultCode.range,
                    message: "statement expects \(expected) argument(s), got \(values.count)", sql: sql)
            }
            for (offset, value) in values.enumerated() {
                try bindValue(value, at: Int32(offset + 1))
            }
        case .named(let values):
            var bound = Set<Int32>()
            for (name, value) in values {
                let index = try parameterIndex(named: name)
                try bindValue(value, at: index)
                bound.insert(index)
            }
            for index in Int32(1)..<Int32(expected + 1) where !bound.contains(index) {
                let name = sqlite3_bind_parameter_name(handle, index).map { String(cString: $0) } ?? "?\(index)"
                throw StoreError(
                    extendedCode: ResultCode.range,
                    message: "no argument for parameter \(name)", sql: sql)
            }
        }
    }

    /// Binds every parameter from converted values; the count must match exactly.
    func bindAll(_ values: UnsafeBufferPointer<SQLValue>) throws {
        guard values.count == parameterCount else { throw argumentCountMismatch(given: values.count) }
        var index: Int32 = 0
        for value in values {
            index += 1
            try bindValue(value, at: index)
        }
    }

    /// The error for `bindAll` with the wrong number of values (kept out of the inlined body).
    @usableFromInline
    func argumentCountMismatch(given: Int) -> StoreError {
        StoreError(extendedCode: ResultCode.range, message: "statement expects \(parameterCount) argument(s), got \(given)", sql: sql)
    }

    /// Binds one value to the 1-based parameter `index`. Works for `Int64`, `Int`, `String`,
    /// `[UInt8]`, `Double`, `Bool`, `SQLValue`, optionals of these, and any other
    /// `SQLValueConvertible` type.
    public func bind(_ value: some SQLValueConvertible, at index: Int) throws {
        try bindValue(value.sqlValue, at: try checkedParameter(index))
    }

    /// Binds NULL to the 1-based parameter `index`.
    public func bindNull(at index: Int) throws {
        try bindValue(.null, at: try checkedParameter(index))
    }

    /// Binds one value to a named parameter (`:sku`, or `sku` meaning `:sku`).
    public func bind(_ value: some SQLValueConvertible, named name: String) throws {
        try bindValue(value.sqlValue, at: try parameterIndex(named: name))
    }

    /// Binds NULL to a named parameter.
    public func bindNull(named name: String) throws {
        try bindValue(.null, at: try parameterIndex(named: name))
    }

    /// Sets every parameter back to NULL, so a reused statement never carries stale values.
    public func clearBindings() {
        sqlite3_clear_bindings(handle)
    }

    private func checkedParameter(_ index: Int) throws -> Int32 {
        guard index >= 1, index <= parameterCount else {
            throw StoreError(
                extendedCode: ResultCode.range,
                message: "parameter index \(index) out of range 1...\(parameterCount)", sql: sql)
        }
        return Int32(index)
    }

    private func parameterIndex(named name: String) throws -> Int32 {
        let candidates = name.first.map { ":@$".contains($0) } == true ? [name] : [":" + name, "@" + name, "$" + name]
        for candidate in candidates {
            let index = sqlite3_bind_parameter_index(handle, candidate)
            if index > 0 { return index }
        }
        throw StoreError(extendedCode: ResultCode.range, message: "no parameter named \(name)", sql: sql)
    }

    @usableFromInline
    func bindValue(_ value: SQLValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null:
            rc = sqlite3_bind_null(handle, index)
        case .integer(let integer):
            rc = sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            rc = sqlite3_bind_double(handle, index, real)
        case .text(let text):
            var text = text
            rc = text.withUTF8 { bytes -> Int32 in
                // An empty buffer may have no base address, and a NULL pointer would bind NULL.
                guard let base = bytes.baseAddress, bytes.count > 0 else {
                    return sqlite3_bind_text(handle, index, "", 0, SQLITE_TRANSIENT)
                }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text64(handle, index, $0, UInt64(bytes.count), SQLITE_TRANSIENT, UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let bytes):
            rc = bytes.withUnsafeBytes { raw -> Int32 in
                // A zero-length blob must stay a blob: bind_blob with a NULL pointer binds NULL.
                guard let base = raw.baseAddress, raw.count > 0 else {
                    return sqlite3_bind_zeroblob(handle, index, 0)
                }
                return sqlite3_bind_blob64(handle, index, base, UInt64(raw.count), SQLITE_TRANSIENT)
            }
        }
        if rc != ResultCode.ok {
            throw StoreError.from(rc, db: sqlite3_db_handle(handle), sql: sql)
        }
    }

    // MARK: Execution

    /// Advances to the next row: true if a row is available (read it through `row`), false
    /// when the statement has finished. On error the statement is reset and the error carries
    /// the extended code and this statement's SQL.
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == ResultCode.row { return true }
        if rc == ResultCode.done { return false }
        let error = StoreError.from(rc, db: sqlite3_db_handle(handle), sql: sql)
        sqlite3_reset(handle)
        throw error
    }

    /// Rewinds the statement so it can run again; bindings are kept (see `clearBindings()`).
    /// Also ends the read the statement holds, which matters for WAL checkpoints.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Steps to completion, ignoring rows, and rewinds: for INSERT/UPDATE/DELETE/DDL.
    public func run() throws {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// The current row, valid until the next `step()` or `reset()`.
    public var row: Row { Row(statement: self) }

    /// Steps through every row, handing each to `body`, then rewinds (also when `body` throws).
    public func forEachRow(_ body: (Row) throws -> Void) throws {
        defer { sqlite3_reset(handle) }
        while try step() {
            try body(Row(statement: self))
        }
    }

    // MARK: Columns

    @usableFromInline
    func columnValue(at index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            // Pointer first, then length, as SQLite recommends (the length call may convert).
            guard let text = sqlite3_column_text(handle, index) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let blob = sqlite3_column_blob(handle, index)
            let count = Int(sqlite3_column_bytes(handle, index))
            guard let blob, count > 0 else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        default:
            return .null
        }
    }

    /// The index of the column called `name` (exact, then case-insensitive), or nil.
    ///
    /// Records read a row's columns by name, usually in the order their SELECT lists them, so
    /// the search starts at the column after the last one found and walks round: in order,
    /// that is one comparison of two short strings; out of order, a few more — still cheaper
    /// than hashing the name, and nothing is allocated.
    func columnIndex(named name: String) -> Int? {
        if columnNames.count != columnCount {  // first use, or re-prepared after a schema change
            columnNames = (0..<columnCount).map { columnName(at: $0) }
        }
        let count = columnNames.count
        guard count > 0 else { return nil }
        var index = lastColumnFound &+ 1
        if index >= count || index < 0 { index = 0 }
        for _ in 0..<count {
            if columnNames[index] == name {
                lastColumnFound = index
                return index
            }
            index += 1
            if index == count { index = 0 }
        }
        let lowered = name.lowercased()
        guard let found = columnNames.firstIndex(where: { $0.lowercased() == lowered }) else { return nil }
        lastColumnFound = found
        return found
    }
}

@available(*, unavailable, message: "a Statement belongs to its connection's thread")
extension Statement: Sendable {}

/// One result row, read in place from its statement (SQLite) or its result (PostgreSQL).
///
/// Why a view and not a copy: most rows are mapped straight into a domain struct, so copying
/// every column into an intermediate array first would be wasted work. The price is that a
/// `Row` is valid only inside the closure that received it; map it, don't keep it.
///
/// Records read columns by name (`row["sku"]`); both engines give a column's value as a
/// `SQLValue`, so a record's mapping is the same code on either store.
public struct Row {
    /// Where the row's values live.
    @usableFromInline enum Source {
        case sqlite(Statement)
        case postgres(PostgresResult, row: Int32)
    }

    @usableFromInline let source: Source

    init(statement: Statement) { self.source = .sqlite(statement) }
    init(result: PostgresResult, row: Int32) { self.source = .postgres(result, row: row) }

    /// How many columns the row has.
    public var count: Int {
        switch source {
        case .sqlite(let statement): statement.columnCount
        case .postgres(let result, _): result.columnCount
        }
    }

    /// The name of the column at a 0-based index.
    public func columnName(at index: Int) -> String {
        switch source {
        case .sqlite(let statement): statement.columnName(at: index)
        case .postgres(let result, _): result.columnName(at: index)
        }
    }

    /// The column's value with its storage class; throws if `index` is out of range.
    public func value(at index: Int) throws -> SQLValue {
        columnValue(at: try checked(index))
    }

    /// True if the column holds NULL.
    public func isNull(at index: Int) throws -> Bool {
        columnValue(at: try checked(index)) == .null
    }

    /// Every column, in order (for dumps and generic tools).
    public var values: [SQLValue] {
        (0..<count).map { columnValue(at: Int32($0)) }
    }

    /// Reads a column by 0-based index as `V`. For generic tools (dumps, the migrator's
    /// single-value reads); records read by name. NULL into a non-optional type, or a wrong
    /// storage class, throws a `SQLITE_MISMATCH` `StoreError` naming the column, rather than
    /// producing 0 or "".
    @inlinable
    public subscript<V: SQLValueConvertible>(_ index: Int) -> V {
        get throws { try decode(at: try checked(index)) }
    }

    /// Reads a column by name (exact, then case-insensitive): `let sku: String = try row["sku"]`.
    @inlinable
    public subscript<V: SQLValueConvertible>(_ name: String) -> V {
        get throws { try decode(at: try checked(named: name)) }
    }

    /// The first column, whatever its name: for single-value queries (`queryValue`).
    @inlinable
    public func firstColumn<V: SQLValueConvertible>() throws -> V {
        try decode(at: try checked(0))
    }

    @usableFromInline
    func columnValue(at index: Int32) -> SQLValue {
        switch source {
        case .sqlite(let statement): statement.columnValue(at: index)
        case .postgres(let result, let row): result.value(row: row, column: index)
        }
    }

    @usableFromInline
    var sql: String {
        switch source {
        case .sqlite(let statement): statement.sql
        case .postgres(let result, _): result.sql
        }
    }

    @usableFromInline
    func checked(named name: String) throws -> Int32 {
        let index: Int? = switch source {
        case .sqlite(let statement): statement.columnIndex(named: name)
        case .postgres(let result, _): result.columnIndex(named: name)
        }
        guard let index else {
            throw StoreError(extendedCode: ResultCode.range, message: "no column named \(name)", sql: sql)
        }
        return Int32(index)
    }

    @usableFromInline
    func checked(_ index: Int) throws -> Int32 {
        guard index >= 0, index < count else {
            throw StoreError(
                extendedCode: ResultCode.range,
                message: "column index \(index) out of range 0..<\(count)", sql: sql)
        }
        return Int32(index)
    }

    @inlinable
    func decode<V: SQLValueConvertible>(at index: Int32) throws -> V {
        let value = columnValue(at: index)
        guard let decoded = V(sqlValue: value) else { throw mismatch(at: index, value: value, expected: V.self) }
        return decoded
    }

    /// The error for a column that does not convert (kept out of the inlined body).
    @usableFromInline
    func mismatch(at index: Int32, value: SQLValue, expected: Any.Type) -> StoreError {
        StoreError(
            extendedCode: ResultCode.mismatch,
            message: "column \(columnName(at: Int(index))) (\(index)) holds \(value.typeName), expected \(expected)",
            sql: sql)
    }
}

@available(*, unavailable, message: "a Row is a view into a statement on its connection's thread")
extension Row: Sendable {}
