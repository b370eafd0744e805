/// RFC 3339 UTC times, the form every JSON document and log line of Bahi uses (DESIGN §2).
/// Pure arithmetic, no libc: the same function serves the access log, domain JSON and the CLI.
public enum Timestamps {
    /// `2026-11-22T10:15:00.123Z`.
    public static func rfc3339(milliseconds: Int64) -> String {
        let ms = max(0, milliseconds)
        let days = ms / 86_400_000
        let rest = ms % 86_400_000
        let (year, month, day) = civil(days: days)
        if year <= 9999 {
            // The common case written straight into 24 bytes: one allocation instead of the
            // dozen strings the general form below builds (this runs for every timestamp in
            // every response and log line).
            return String(unsafeUninitializedCapacity: 24) { out in
                func put(_ value: Int64, _ width: Int, at start: Int) {
                    var v = value
                    for i in stride(from: start + width - 1, through: start, by: -1) {
                        out[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                        v /= 10
                    }
                }
                put(year, 4, at: 0); out[4] = 0x2D
                put(month, 2, at: 5); out[7] = 0x2D
                put(day, 2, at: 8); out[10] = 0x54
                put(rest / 3_600_000, 2, at: 11); out[13] = 0x3A
                put(rest / 60_000 % 60, 2, at: 14); out[16] = 0x3A
                put(rest / 1000 % 60, 2, at: 17); out[19] = 0x2E
                put(rest % 1000, 3, at: 20); out[23] = 0x5A
                return 24
            }
        }
        func pad(_ v: Int64, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3_600_000, 2)):\(pad(rest / 60_000 % 60, 2)):\(pad(rest / 1000 % 60, 2)).\(pad(rest % 1000, 3))Z"
    }

    /// Parses an RFC 3339 time (`2026-11-22T10:15:00Z`, `2026-11-22T15:45:00.5+05:30`) to
    /// Unix milliseconds; nil for anything else (a date without a time or zone is refused:
    /// which day "2026-11-22" means depends on a zone the sender did not say).
    public static func milliseconds(rfc3339 text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ count: Int) -> Int64? {
            guard at + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in at..<(at + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[i] - 0x30)
            }
            return v
        }
        guard b.count >= 20, let year = digits(0, 4), b[4] == 0x2D, let month = digits(5, 2), b[7] == 0x2D, let day = digits(8, 2),
              b[10] == 0x54 || b[10] == 0x74, let hour = digits(11, 2), b[13] == 0x3A, let minute = digits(14, 2), b[16] == 0x3A,
              let second = digits(17, 2) else { return nil }
        guard year >= 1970, (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return nil }
        let monthDays: [Int64] = [31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day >= 1, day <= monthDays[Int(month - 1)] else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if i < b.count, b[i] == 0x2E {
            i += 1
            var scale: Int64 = 100
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                fraction += Int64(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        if b[i] == 0x5A || b[i] == 0x7A {
            i += 1
        } else if b[i] == 0x2B || b[i] == 0x2D {
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == 0x3A, let om = digits(i + 4, 2), oh < 24, om < 60 else { return nil }
            offset = (oh * 60 + om) * 60_000 * (b[i] == 0x2B ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = Timestamps.days(year: year, month: month, day: day)
        return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + fraction - offset
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (negative before it): Howard
    /// Hinnant's civil-from-days, shared by the timestamp writer and anything that needs a
    /// calendar date (financial years), so there is one copy of the arithmetic.
    public static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date: the inverse of `civil(days:)`.
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Division rounding towards negative infinity (Swift's `/` truncates towards zero).
    public static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
