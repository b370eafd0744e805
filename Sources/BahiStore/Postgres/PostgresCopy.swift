import CPostgres
import Foundation

extension PostgresConnection {
    /// Writes `rows` into `table` with one `COPY … FROM STDIN` (text format), streamed through
    /// `PQputCopyData` in chunks of about a megabyte; returns how many rows the server took.
    ///
    /// Why COPY rather than INSERTs: it is PostgreSQL's bulk path, one statement and one
    /// round trip for any number of rows, with no parameters to bind or plans to prepare —
    /// several times the rows per second of multi-row INSERTs (`TableCopier` measures both).
    /// Values are written in the target column's text input form, which the server converts:
    /// `1`/`0` into a BOOLEAN, a blob as `\x…` hex into a BYTEA. Runs inside the caller's
    /// transaction, if any; an error aborts the COPY and throws with the server's message.
    @discardableResult
    public func copyIn(table: String, columns: [String], rows: [[SQLValue]]) throws -> Int {
        let sql = "COPY \(Connection.quoteIdentifier(table)) (\(columns.map(Connection.quoteIdentifier).joined(separator: ", "))) FROM STDIN"
        guard let started = PQexec(handle, sql) else {
            throw StoreError(extendedCode: ResultCode.error, message: "PostgreSQL: \(Self.trimmed(PQerrorMessage(handle)))", sql: sql)
        }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            _ = try check(started, sql: sql)  // an error result throws with its SQLSTATE
            throw StoreError(extendedCode: ResultCode.error, message: "COPY did not start", sql: sql)
        }
        PQclear(started)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.copyChunk + 4096)
        var failure: String?
        for row in rows where failure == nil {
            Self.appendCopyRow(row, to: &buffer)
            if buffer.count >= Self.copyChunk {
                failure = putCopyData(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if failure == nil, !buffer.isEmpty { failure = putCopyData(buffer) }
        // Ending with an error message makes the server abort the COPY (and roll back its rows).
        _ = PQputCopyEnd(handle, failure)
        var outcome: PostgresResult?
        var firstError: (any Error)?
        while let raw = PQgetResult(handle) {
            do { outcome = try check(raw, sql: sql) } catch { if firstError == nil { firstError = error } }
        }
        if let firstError { throw firstError }
        if let failure { throw StoreError(extendedCode: ResultCode.error, message: "PostgreSQL: \(failure)", sql: sql) }
        return outcome?.changedRows ?? rows.count
    }

    /// Bytes handed to libpq per `PQputCopyData`.
    static let copyChunk = 1 << 20

    /// Sends one chunk; libpq's error text if the connection failed, else nil.
    private func putCopyData(_ bytes: [UInt8]) -> String? {
        let sent = bytes.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
        }
        return sent == 1 ? nil : Self.trimmed(PQerrorMessage(handle))
    }

    /// One row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes for
    /// the characters the format reserves, a newline at the end.
    static func appendCopyRow(_ row: [SQLValue], to buffer: inout [UInt8]) {
        for index in row.indices {
            if index > 0 { buffer.append(Byte.tab) }
            switch row[index] {
            case .null:
                buffer.append(Byte.backslash)
                buffer.append(Byte.capitalN)
            case .integer(let integer):
                buffer += String(integer).utf8
            case .real(let real):
                buffer += "\(real)".utf8
            case .text(var text):
                text.withUTF8 { appendEscaped($0, to: &buffer) }
            case .blob(let bytes):
                // bytea's hex input `\x0a1b…`, its backslash escaped for COPY.
                buffer += [Byte.backslash, Byte.backslash, Byte.x]
                for byte in bytes {
                    buffer.append(Byte.hexDigits[Int(byte >> 4)])
                    buffer.append(Byte.hexDigits[Int(byte & 0x0F)])
                }
            }
        }
        buffer.append(Byte.newline)
    }

    /// Text in COPY's escaping. Most text holds no reserved byte, which `memchr` (C speed)
    /// tells, and is appended whole; otherwise each reserved byte becomes its escape.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let reserved = [Byte.backslash, Byte.tab, Byte.newline, Byte.carriageReturn]
        guard reserved.contains(where: { memchr(base, Int32($0), bytes.count) != nil }) else {
            buffer.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case Byte.backslash: buffer += [Byte.backslash, Byte.backslash]
            case Byte.tab: buffer += [Byte.backslash, Byte.t]
            case Byte.newline: buffer += [Byte.backslash, Byte.n]
            case Byte.carriageReturn: buffer += [Byte.backslash, Byte.r]
            default: buffer.append(byte)
            }
        }
    }

    /// The bytes COPY's text format gives meaning to.
    private enum Byte {
        static let tab: UInt8 = 0x09, newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D, backslash: UInt8 = 0x5C
        static let capitalN: UInt8 = 0x4E, n: UInt8 = 0x6E, r: UInt8 = 0x72, t: UInt8 = 0x74, x: UInt8 = 0x78
        static let hexDigits = Array("0123456789abcdef".utf8)
    }

    /// Runs `sql` (a statement PostgreSQL cannot prepare, such as `FETCH`) and hands each
    /// result row to `body`; returns how many rows there were.
    @discardableResult
    func forEachRowUnprepared(_ sql: String, _ body: (Row) throws -> Void) throws -> Int {
        let result = try check(PQexec(handle, sql), sql: sql)
        for row in 0..<result.rowCount { try body(Row(result: result, row: row)) }
        return Int(result.rowCount)
    }
}
