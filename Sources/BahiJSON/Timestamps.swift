/// RFC 3339 UTC times, the form every JSON document and log line of Bahi uses (DESIGN §2).
/// Pure arithmetic, no libc: the same function serves the access log, domain JSON and the CLI.
public enum Timestamps {
    /// `2026-11-22T10:15:00.123Z`.
    public static func rfc3339(milliseconds: Int64) -> String {
        let ms = max(0, milliseconds)
        let days = ms / 86_400_000
        let rest = ms % 86_400_000
        // Civil-from-days (Howard Hinnant's algorithm), valid for all dates after 1970.
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
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
}
