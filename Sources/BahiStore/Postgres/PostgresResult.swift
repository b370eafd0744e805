import CPostgres

/// One `PGresult`, cleared exactly once (when the last reference goes), with its columns'
/// names and types read once.
///
/// Values come back in libpq's text format and are converted by the column's type: integers
/// and booleans to `.integer` (as SQLite stores them), floating point to `.real`, `numeric`
/// (what `SUM` of a bigint gives) to `.integer` when it is whole, `bytea` to `.blob`,
/// everything else to `.text`. So a record reads a row the same way on either engine.
public final class PostgresResult {
    let handle: OpaquePointer
    /// The SQL as the record wrote it (placeholders, never values), for errors.
    let sql: String
    let rowCount: Int32
    let columnCount: Int
    private let kinds: [Kind]
    private var names: [String]?
    private var lastColumnFound = -1

    enum Kind { case integer, boolean, real, numeric, bytes, text }

    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
        self.rowCount = PQntuples(handle)
        self.columnCount = Int(PQnfields(handle))
        self.kinds = (0..<Int32(PQnfields(handle))).map { column in
            switch PQftype(handle, column) {
            case 20, 21, 23, 26: .integer       // int8, int2, int4, oid
            case 16: .boolean                   // bool
            case 700, 701: .real                // float4, float8
            case 1700: .numeric                 // numeric
            case 17: .bytes                     // bytea
            default: .text
            }
        }
    }

    deinit { PQclear(handle) }

    /// How many rows `UPDATE`/`INSERT`/`DELETE` changed (libpq's `PQcmdTuples`).
    var changedRows: Int { PostgresConnection.changedRows(handle) }

    func columnName(at index: Int) -> String {
        guard index >= 0, index < columnCount, let name = PQfname(handle, Int32(index)) else { return "" }
        return String(cString: name)
    }

    /// The column called `name`, trying the one after the last found first (records read in
    /// SELECT order).
    func columnIndex(named name: String) -> Int? {
        if names == nil { names = (0..<columnCount).map { columnName(at: $0) } }
        guard let names else { return nil }
        var guess = lastColumnFound &+ 1
        if guess >= names.count { guess = 0 }
        if guess < names.count, names[guess] == name {
            lastColumnFound = guess
            return guess
        }
        let lowered = name.lowercased()
        guard let index = names.firstIndex(of: name) ?? names.firstIndex(where: { $0.lowercased() == lowered }) else { return nil }
        lastColumnFound = index
        return index
    }

    func value(row: Int32, column: Int32) -> SQLValue {
        guard row < rowCount, Int(column) < columnCount, PQgetisnull(handle, row, column) == 0,
              let raw = PQgetvalue(handle, row, column) else { return .null }
        let count = Int(PQgetlength(handle, row, column))
        let bytes = UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self)
        let buffer = UnsafeBufferPointer(start: bytes, count: count)
        switch kinds[Int(column)] {
        case .integer:
            return Int64(String(decoding: buffer, as: UTF8.self)).map(SQLValue.integer) ?? .text(String(decoding: buffer, as: UTF8.self))
        case .boolean:
            return .integer(count > 0 && buffer[0] == UInt8(ascii: "t") ? 1 : 0)
        case .real:
            return Double(String(decoding: buffer, as: UTF8.self)).map(SQLValue.real) ?? .text(String(decoding: buffer, as: UTF8.self))
        case .numeric:
            let text = String(decoding: buffer, as: UTF8.self)
            if let integer = Int64(text) { return .integer(integer) }
            if let real = Double(text) { return .real(real) }
            return .text(text)
        case .bytes:
            return .blob(Self.unhex(buffer))
        case .text:
            return .text(String(decoding: buffer, as: UTF8.self))
        }
    }

    /// `bytea` in libpq's default hex output: `\x` then two hex digits per byte.
    static func unhex(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x") else { return Array(text) }
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: 0
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity((text.count - 2) / 2)
        var i = 2
        while i + 1 < text.count {
            out.append(nibble(text[i]) << 4 | nibble(text[i + 1]))
            i += 2
        }
        return out
    }
}

@available(*, unavailable, message: "a PostgresResult belongs to its connection's thread")
extension PostgresResult: Sendable {}
