/// The one place where Bahi's portable SQL becomes PostgreSQL's (DESIGN §3).
///
/// Records write `?1, ?2, …` (SQLite's numbered parameters); PostgreSQL's are `$1, $2, …`.
/// A bare `?` takes the number after the largest seen so far, exactly as SQLite numbers it, so
/// a text means the same on both engines. Quoted strings, quoted identifiers and comments are
/// copied untouched.
enum PostgresSQL {
    /// `sql` with its parameters renumbered for PostgreSQL, and how many parameters it has.
    static func translate(_ sql: String) -> (sql: String, parameterCount: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(sql.utf8.count + 8)
        var highest = 0
        let bytes = Array(sql.utf8)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                // Copy through the closing quote (a doubled quote stays inside).
                let quote = byte
                out.append(byte)
                i += 1
                while i < bytes.count {
                    out.append(bytes[i])
                    if bytes[i] == quote {
                        if i + 1 < bytes.count, bytes[i + 1] == quote {
                            out.append(bytes[i + 1])
                            i += 2
                            continue
                        }
                        break
                    }
                    i += 1
                }
                i += 1
            case UInt8(ascii: "-") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-"):
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") {
                    out.append(bytes[i])
                    i += 1
                }
            case UInt8(ascii: "?"):
                var j = i + 1
                var number = 0
                while j < bytes.count, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") {
                    number = number * 10 + Int(bytes[j] - UInt8(ascii: "0"))
                    j += 1
                }
                if j == i + 1 { number = highest + 1 }
                highest = max(highest, number)
                out.append(UInt8(ascii: "$"))
                out.append(contentsOf: Array(String(number).utf8))
                i = j
            default:
                out.append(byte)
                i += 1
            }
        }
        return (String(decoding: out, as: UTF8.self), highest)
    }
}
