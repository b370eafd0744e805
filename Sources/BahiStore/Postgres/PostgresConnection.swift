import CPostgres
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// Whether `perform` may send a write ahead in pipeline mode instead of waiting for it.
    /// The group-commit writer turns it on for a batch; everywhere else a write is waited for.
    var defersWrites = false
    /// The SQL of every statement sent ahead whose results are not read yet, in order (a
    /// first-use prepare counts as one).
    private var unread: [(sql: String, isPrepare: Bool, likely: Int?)] = []
    /// The error of a statement sent ahead, once read: the transaction is aborted from then
    /// on, so every later statement fails with `PipelinedWriteFailure` until the writer rolls
    /// back (`clearDeferredFailure`). Sticky so that a caller that swallowed the error cannot
    /// let its batch reach a `COMMIT` (which on an aborted transaction rolls back silently).
    private(set) var deferredFailure: StoreError?

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
        // No JIT compilation: Bahi's statements each touch a few rows, and a plan the planner
        // prices over `jit_above_cost` (a join it expects to be large) paid 10–30 ms compiling
        // code for a query that then ran in 0.2 ms (an order search at a million orders).
        try execute("SET jit = off")
    }

    deinit { PQfinish(handle) }

    /// False once the server connection is gone: the store replaces the connection.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    // MARK: Database

    public func execute(_ sql: String) throws {
        if !unread.isEmpty || deferredFailure != nil { _ = try settle(lastIsCurrent: false) }
        let result = try check(PQexec(handle, sql), sql: sql)
        _ = result
    }

    /// Sends the write ahead when `defersWrites` is on (see `Database.perform`), else runs it.
    public func perform(_ sql: String, values: UnsafeBufferPointer<SQLValue>) throws {
        guard defersWrites else {
            _ = try run(sql, Array(values))
            return
        }
        if let deferredFailure { throw PipelinedWriteFailure(underlying: deferredFailure) }
        try send(sql, Array(values))
    }

    /// Sends the write ahead when `defersWrites` is on and answers `likely`; the count is
    /// checked when its result is read (see `Database.execute(_:values:likely:)`).
    public func execute(_ sql: String, values: UnsafeBufferPointer<SQLValue>, likely: Int) throws -> Int {
        guard defersWrites else { return try run(sql, Array(values)).changedRows }
        if let deferredFailure { throw PipelinedWriteFailure(underlying: deferredFailure) }
        try send(sql, Array(values), likely: likely)
        return likely
    }

    /// Rolls the transaction back, first reading (and dropping) the results of anything
    /// sent ahead, and forgets a failure among them: the writer's way out of a batch.
    func rollBack() throws {
        if !unread.isEmpty { _ = try? settle(lastIsCurrent: false) }
        deferredFailure = nil
        try execute("ROLLBACK")
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

    // MARK: Transactions

    /// Runs `body` as one transaction of its own on this connection — BEGIN, the body, the
    /// work it deferred to commit (`PreCommitWork`), COMMIT — and rolls back and rethrows on
    /// any error. For a tool that owns a connection outright (`BahiBench seed`); a serving
    /// node writes through `PostgresStore`, whose writer batches callers and retries conflicts.
    ///
    /// With `sendingWritesAhead`, writes the body makes through `Database.perform` are sent in
    /// pipeline mode without waiting for each (the group-commit writer's batches do the same):
    /// a body of thousands of statements then pays one round trip per read, not per
    /// statement. If one of them fails, the transaction is rolled back and `body` runs again
    /// with every statement waited for, so it meets its own error where it made it; `body`
    /// must therefore be safe to run twice (it is, having changed nothing that persisted).
    public func transaction<T>(sendingWritesAhead: Bool = false, _ body: (any Database) throws -> T) throws -> T {
        guard sendingWritesAhead else { return try transaction(begin: "BEGIN", deferringWork: true, body) }
        do {
            return try transaction(begin: "BEGIN", deferringWork: true, sendingWritesAhead: true, body)
        } catch is PipelinedWriteFailure {
            return try transaction(begin: "BEGIN", deferringWork: true, body)
        }
    }

    /// One transaction begun with `begin`: the body, the deferred work (when `deferringWork`),
    /// COMMIT; ROLLBACK and rethrow on any error.
    func transaction<T>(begin: String, deferringWork: Bool, sendingWritesAhead: Bool = false, _ body: (any Database) throws -> T) throws -> T {
        try execute(begin)
        defersWrites = sendingWritesAhead
        preCommitWorkList.isDeferring = deferringWork
        defer {
            defersWrites = false
            preCommitWorkList.isDeferring = false
            preCommitWorkList.discard()
        }
        do {
            let value = try body(self)
            try preCommitWorkList.runAll(self)
            try execute("COMMIT")
            return value
        } catch {
            _ = try? rollBack()
            throw error
        }
    }

    // MARK: Running statements

    /// Prepares `sql` on first use (translated to `$N` parameters) and runs it with `values`.
    /// With writes sent ahead and unread, it joins them and one sync reads every result.
    func run(_ sql: String, _ values: [SQLValue]) throws -> PostgresResult {
        if let deferredFailure { throw PipelinedWriteFailure(underlying: deferredFailure) }
        guard unread.isEmpty else {
            try send(sql, values)
            guard let result = try settle(lastIsCurrent: true) else {
                throw StoreError(extendedCode: ResultCode.error, message: "PostgreSQL sent no result for the statement", sql: sql)
            }
            return result
        }
        let statement = try prepare(sql)
        try checkCount(values, statement, sql)
        let raw = Self.withParameters(values) { pointers, lengths, formats in
            PQexecPrepared(handle, statement.name, Int32(values.count), pointers, lengths, formats, 0)
        }
        return try check(raw, sql: sql)
    }

    private func checkCount(_ values: [SQLValue], _ statement: (name: String, parameterCount: Int), _ sql: String) throws {
        guard values.count == statement.parameterCount else {
            throw StoreError(extendedCode: ResultCode.range,
                             message: "statement expects \(statement.parameterCount) argument(s), got \(values.count)", sql: sql)
        }
    }

    /// Every value's bytes in one buffer (text values NUL-terminated), pointed into, for the
    /// duration of `body`.
    private static func withParameters<R>(
        _ values: [SQLValue], _ body: ([UnsafePointer<CChar>?], [Int32], [Int32]) -> R
    ) -> R {
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
        return storage.withUnsafeBufferPointer { buffer -> R in
            let base = UnsafeRawPointer(buffer.baseAddress)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset -> UnsafePointer<CChar>? in
                guard let offset, let base else { return nil }
                return (base + offset).assumingMemoryBound(to: CChar.self)
            }
            return body(pointers, lengths, formats)
        }
    }

    // MARK: Pipeline mode

    /// Queues `sql` in pipeline mode (entering it, and non-blocking mode, on first use),
    /// preparing it first if this connection has not yet. Nothing is waited for.
    private func send(_ sql: String, _ values: [SQLValue], likely: Int? = nil) throws {
        if PQpipelineStatus(handle) == PQ_PIPELINE_OFF {
            guard PQsetnonblocking(handle, 1) == 0, PQenterPipelineMode(handle) == 1 else { throw connectionError(sql) }
        }
        let statement: (name: String, parameterCount: Int)
        if let known = prepared[sql] {
            statement = known
        } else {
            let (text, count) = PostgresSQL.translate(sql)
            statement = (name: "bahi_\(prepared.count + 1)", parameterCount: count)
            guard PQsendPrepare(handle, statement.name, text, 0, nil) == 1 else { throw connectionError(sql) }
            unread.append((sql: sql, isPrepare: true, likely: nil))
            prepared[sql] = statement
        }
        try checkCount(values, statement, sql)
        let sent = Self.withParameters(values) { pointers, lengths, formats in
            PQsendQueryPrepared(handle, statement.name, Int32(values.count), pointers, lengths, formats, 0)
        }
        guard sent == 1 else { throw connectionError(sql) }
        unread.append((sql: sql, isPrepare: false, likely: likely))
    }

    /// Ends the pipeline with a sync, reads every result, and leaves pipeline mode. Returns
    /// the last statement's result. Throws the last statement's own error when it is the
    /// caller's current statement (`lastIsCurrent`), or `PipelinedWriteFailure` when a
    /// statement sent ahead failed — after which the server skipped the rest and the
    /// transaction is aborted.
    private func settle(lastIsCurrent: Bool) throws -> PostgresResult? {
        if let deferredFailure, unread.isEmpty { throw PipelinedWriteFailure(underlying: deferredFailure) }
        let statements = unread
        unread.removeAll(keepingCapacity: true)
        guard PQpipelineSync(handle) == 1 else { throw connectionError("sync") }
        try flushOutput()
        var failure: (error: StoreError, index: Int)?
        var last: PostgresResult?
        for (index, statement) in statements.enumerated() {
            while let raw = PQgetResult(handle) {
                let status = PQresultStatus(raw)
                if status == PGRES_FATAL_ERROR {
                    if failure == nil { failure = (error(of: raw, sql: statement.sql), index) }
                    if statement.isPrepare { prepared[statement.sql] = nil }
                    PQclear(raw)
                } else if status == PGRES_PIPELINE_ABORTED {
                    if statement.isPrepare { prepared[statement.sql] = nil }
                    PQclear(raw)
                } else if let likely = statement.likely, failure == nil, Self.changedRows(raw) != likely {
                    // A guessed count was wrong: fail as a write sent ahead fails (the batch
                    // reruns waiting for each statement, and the caller then sees the truth).
                    failure = (StoreError(extendedCode: ResultCode.error, message: "changed \(Self.changedRows(raw)) row(s) where \(likely) were expected",
                                          sql: statement.sql), -1)
                    PQclear(raw)
                } else if index == statements.count - 1 {
                    last = PostgresResult(handle: raw, sql: statement.sql)
                } else {
                    PQclear(raw)
                }
            }
        }
        // The sync's own result, then the pipeline is idle and can be left.
        if let sync = PQgetResult(handle) { PQclear(sync) }
        guard PQexitPipelineMode(handle) == 1, PQsetnonblocking(handle, 0) == 0 else { throw connectionError("exit pipeline mode") }
        if let failure {
            guard lastIsCurrent, failure.index == statements.count - 1 else {
                deferredFailure = failure.error
                throw PipelinedWriteFailure(underlying: failure.error)
            }
            throw failure.error
        }
        return last
    }

    /// Writes out everything libpq buffered, reading what the server sends meanwhile (so
    /// neither side blocks on a full socket buffer).
    private func flushOutput() throws {
        while true {
            let flushed = PQflush(handle)
            if flushed == 0 { return }
            guard flushed > 0 else { throw connectionError("flush") }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN | POLLOUT), revents: 0)
            _ = poll(&descriptor, 1, -1)
            if descriptor.revents & Int16(POLLIN) != 0, PQconsumeInput(handle) == 0 { throw connectionError("read") }
        }
    }

    private func connectionError(_ sql: String) -> StoreError {
        StoreError(extendedCode: ResultCode.error, message: "PostgreSQL: \(Self.trimmed(PQerrorMessage(handle)))", sql: sql)
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
            throw error(of: raw, sql: sql)
        }
        return result
    }

    /// How many rows a result's `UPDATE`/`INSERT`/`DELETE` changed (libpq's `PQcmdTuples`).
    static func changedRows(_ raw: OpaquePointer) -> Int {
        guard let text = PQcmdTuples(raw) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// The `StoreError` of a failed result: its SQLSTATE and primary message.
    private func error(of raw: OpaquePointer, sql: String) -> StoreError {
        let state = PQresultErrorField(raw, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        let message = PQresultErrorField(raw, Int32(UInt8(ascii: "M"))).map { String(cString: $0) } ?? Self.trimmed(PQresultErrorMessage(raw))
        return StoreError.postgres(sqlState: state, message: message, sql: sql)
    }

    static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@available(*, unavailable, message: "a PostgresConnection is confined to one thread")
extension PostgresConnection: Sendable {}

/// A write sent ahead in pipeline mode failed (see `Database.perform`): the transaction is
/// aborted, and the error surfaced at a later statement than the one that caused it. The
/// group-commit writer rolls the batch back and runs it again without pipelining, so that
/// each call meets its own error.
struct PipelinedWriteFailure: Error, CustomStringConvertible {
    let underlying: StoreError
    var description: String { "a pipelined write failed: \(underlying)" }
}
