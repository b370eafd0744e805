import CPostgres
import Foundation

/// One PostgreSQL connection through libpq, used by one thread at a time (a store thread):
/// the `Database` the PostgreSQL store hands to records.
///
/// Every statement is prepared once per connection (`PQprepare`, named `bahi_N`, types
/// inferred by the server) and run with `PQexecPrepared`, its values sent in text format
/// (blobs in binary), so the planner's work is paid once per connection as with SQLite's
/// statement cache. Calls block the calling thread; the store only ever calls from its own
/// threads, never from an event loop or the cooperative pool.
public final class PostgresConnection: Database {
    /// Always `.postgres`.
    public var dialect: SQLDialect { .postgres }

    let handle: OpaquePointer
    private var prepared: [String: (name: String, parameterCount: Int)] = [:]
    let preCommitWorkList = PreCommitWorkList()

    /// Connects with a libpq connection string (`host=… port=… dbname=… user=…`). The error
    /// names the server and the reason; libpq never puts the password in it.
    public init(conninfo: String) throws {
        guard let handle = PQconnectdb(conninfo) else {
            throw StoreError(extendedCode: ResultCode.error, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(handle))
            PQfinish(handle)
            throw StoreError(extendedCode: ResultCode.error, message: "cannot connect to PostgreSQL: \(message)")
        }
        self.handle = handle
        // Quiet NOTICEs (e.g. "relation already exists, skipping") would go to stderr.
        _ = PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// False once the server connection is gone: the store replaces the connection.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    // MARK: Database

    public func execute(_ sql: String) throws {
        let result = try check(PQexec(handle, sql), sql: sql)
        _ = result
    }

    @discardableResult
    public func execute(_ sql: String, _ arguments: StatementArguments) throws -> Int {
        try run(sql, arguments.positionalValues(sql: sql)).changedRows
    }

    public func forEachRow(_ sql: String, _ arguments: StatementArguments, _ body: (Row) throws -> Bool) throws {
        try rows(of: try run(sql, arguments.positionalValues(sql: sql)), body)
    }

    @discardableResult
    public func execute(_ sql: String, values: UnsafeBufferPointer<SQLValue>) throws -> Int {
        try run(sql, Array(values)).changedRows
    }

    public func forEachRow(_ sql: String, values: UnsafeBufferPointer<SQLValue>, _ body: (Row) throws -> Bool) throws {
        try rows(of: try run(sql, Array(values)), body)
    }

    private func rows(of result: PostgresResult, _ body: (Row) throws -> Bool) throws {
        for row in 0..<result.rowCount {
            guard try body(Row(result: result, row: row)) else { return }
        }
    }

    @discardableResult
    public func savepoint<T>(_ name: String, _ body: () throws -> T) throws -> T {
        let quoted = Connection.quoteIdentifier(name)
        try execute("SAVEPOINT \(quoted)")
        do {
            let value = try body()
            try execute("RELEASE SAVEPOINT \(quoted)")
            return value
        } catch {
            _ = try? execute("ROLLBACK TO SAVEPOINT \(quoted)")
            _ = try? execute("RELEASE SAVEPOINT \(quoted)")
            throw error
        }
    }

    public func preCommitWork<W: PreCommitWork>(_ type: W.Type) -> W? {
        preCommitWorkList.instance(type)
    }

    // MARK: Running statements

    /// Prepares `sql` on first use (translated to `$N` parameters) and runs it with `values`.
    func run(_ sql: String, _ values: [SQLValue]) throws -> PostgresResult {
        let statement = try prepare(sql)
        guard values.count == statement.parameterCount else {
            throw StoreError(extendedCode: ResultCode.range,
                             message: "statement expects \(statement.parameterCount) argument(s), got \(values.count)", sql: sql)
        }
        // Every value's bytes in one buffer (text values NUL-terminated), pointed into.
        var storage: [UInt8] = [0]
        var offsets: [Int?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for value in values {
            switch value {
            case .null:
                offsets.append(nil); lengths.append(0); formats.append(0)
            case .blob(let bytes):
                offsets.append(storage.count); storage += bytes; lengths.append(Int32(bytes.count)); formats.append(1)
            case .integer(let integer):
                offsets.append(storage.count); storage += Array(String(integer).utf8); storage.append(0); lengths.append(0); formats.append(0)
            case .real(let real):
                offsets.append(storage.count); storage += Array("\(real)".utf8); storage.append(0); lengths.append(0); formats.append(0)
            case .text(let text):
                offsets.append(storage.count); storage += Array(text.utf8); storage.append(0); lengths.append(0); formats.append(0)
            }
        }
        let raw = storage.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            let base = UnsafeRawPointer(buffer.baseAddress)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset -> UnsafePointer<CChar>? in
                guard let offset, let base else { return nil }
                return (base + offset).assumingMemoryBound(to: CChar.self)
            }
            return PQexecPrepared(handle, statement.name, Int32(values.count), pointers, lengths, formats, 0)
        }
        return try check(raw, sql: sql)
    }

    private func prepare(_ sql: String) throws -> (name: String, parameterCount: Int) {
        if let known = prepared[sql] { return known }
        let (text, count) = PostgresSQL.translate(sql)
        let name = "bahi_\(prepared.count + 1)"
        _ = try check(PQprepare(handle, name, text, 0, nil), sql: sql)
        let entry = (name: name, parameterCount: count)
        prepared[sql] = entry
        return entry
    }

    /// The result if it succeeded; otherwise a `StoreError` with its SQLSTATE and message.
    @discardableResult
    func check(_ raw: OpaquePointer?, sql: String) throws -> PostgresResult {
        guard let raw else {
            throw StoreError(extendedCode: ResultCode.error, message: "PostgreSQL: \(Self.trimmed(PQerrorMessage(handle)))", sql: sql)
        }
        let result = PostgresResult(handle: raw, sql: sql)
        let status = PQresultStatus(raw)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            let state = PQresultErrorField(raw, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
            let message = PQresultErrorField(raw, Int32(UInt8(ascii: "M"))).map { String(cString: $0) } ?? Self.trimmed(PQresultErrorMessage(raw))
            throw StoreError.postgres(sqlState: state, message: message, sql: sql)
        }
        return result
    }

    static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@available(*, unavailable, message: "a PostgresConnection is confined to one thread")
extension PostgresConnection: Sendable {}
