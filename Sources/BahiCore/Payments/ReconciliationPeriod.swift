import BahiJSON

/// Days as the seller counts them: India Standard Time, UTC+05:30 all year (India keeps no
/// daylight saving), so a report's "2026-11-01" begins at 2026-10-31T18:30:00Z.
public enum ReconciliationPeriod {
    static let day: Int64 = 86_400_000
    static let offset: Int64 = 19_800_000

    /// The instant day `text` (YYYY-MM-DD, a real date) begins in IST; nil otherwise.
    public static func dayStart(_ text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int64(parts[0]), let m = Int64(parts[1]), let d = Int64(parts[2]), (1...12).contains(m), d >= 1 else { return nil }
        let days = Timestamps.days(year: y, month: m, day: d)
        // 31 February is not a day: it would come back as another date.
        guard Timestamps.civil(days: days) == (y, m, d) else { return nil }
        return days * day - offset
    }

    /// The IST date of instant `ms`, as YYYY-MM-DD.
    public static func day(_ ms: Int64) -> String {
        let (y, m, d) = Timestamps.civil(days: Timestamps.floorDivide(ms + offset, day))
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(y)-\(two(m))-\(two(d))"
    }

    /// The start of the IST month holding `ms`.
    public static func monthStart(containing ms: Int64) -> Int64 {
        let (y, m, _) = Timestamps.civil(days: Timestamps.floorDivide(ms + offset, day))
        return Timestamps.days(year: y, month: m, day: 1) * day - offset
    }

    /// The end (exclusive) of the IST day holding `ms`.
    public static func dayEnd(containing ms: Int64) -> Int64 {
        (Timestamps.floorDivide(ms + offset, day) + 1) * day - offset
    }
}
