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
        func pad(_ v: Int64, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3_600_000, 2)):\(pad(rest / 60_000 % 60, 2)):\(pad(rest / 1000 % 60, 2)).\(pad(rest % 1000, 3))Z"
    }
}
