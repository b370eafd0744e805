import BahiJSON

/// The local times couriers write, read exactly into Unix milliseconds.
///
/// Why exact layouts and not a lenient date parser: each provider writes one layout
/// (Shiprocket's `current_timestamp` is `"DD MM YYYY HH:MM:SS"`, its scans `"YYYY-MM-DD
/// HH:MM:SS"`, Delhivery `"YYYY-MM-DDTHH:MM:SS.fff"` with 0–3 fraction digits), none with a zone:
/// all are India Standard Time (UTC+05:30 all year). A text that fits none is an error naming
/// the field, never a guessed day: "05 06 2023" read the wrong way round is a plausible date.
enum CourierTime {
    /// IST is UTC+05:30 all year (India keeps no daylight saving).
    static let istOffset: Int64 = 19_800_000

    /// The start of the IST day holding `milliseconds`: a courier's "today" (pickups are
    /// counted per Indian day).
    static func istDayStart(_ milliseconds: Int64) -> Int64 {
        Timestamps.floorDivide(milliseconds + istOffset, 86_400_000) * 86_400_000 - istOffset
    }

    /// `milliseconds` as IST `"YYYY-MM-DD HH:MM"`: how Shiprocket's orders take their date.
    static func istDateTime(_ milliseconds: Int64) -> String {
        let local = milliseconds + istOffset
        let days = Timestamps.floorDivide(local, 86_400_000), inDay = local - days * 86_400_000
        let (y, m, d) = Timestamps.civil(days: days)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(y)-\(two(m))-\(two(d)) \(two(inDay / 3_600_000)):\(two(inDay / 60_000 % 60))"
    }

    /// Shiprocket's `current_timestamp`: `"23 05 2023 11:43:52"`.
    static func dayMonthYear(_ text: String) -> Int64? { parse(text, layout: "DD MM YYYY hh:mm:ss", fraction: false) }

    /// Shiprocket's scan `date` and most of its other dates: `"2023-05-19 11:59:16"`.
    static func spaced(_ text: String) -> Int64? { parse(text, layout: "YYYY-MM-DD hh:mm:ss", fraction: false) }

    /// Delhivery's `StatusDateTime`: `"2019-01-09T17:10:42.767"`, fraction of 0–3 digits; a time
    /// that does carry a zone (`Z`, `+05:30`) is read as RFC 3339 instead.
    static func delhivery(_ text: String) -> Int64? {
        parse(text, layout: "YYYY-MM-DDThh:mm:ss", fraction: true) ?? Timestamps.milliseconds(rfc3339: text)
    }

    /// `text` read against `layout`, where `Y M D h m s` stand for one digit each and any other
    /// character must appear as is; `fraction` allows `.` and 1–3 digits at the end. Nil unless
    /// every character fits and the date is a real one (no 31 June, no hour 24).
    static func parse(_ text: String, layout: String, fraction: Bool) -> Int64? {
        let bytes = Array(text.utf8)
        let pattern = Array(layout.utf8)
        guard bytes.count >= pattern.count else { return nil }
        var fields: [UInt8: Int64] = [:]
        for (index, slot) in pattern.enumerated() {
            let byte = bytes[index]
            if "YMDhms".utf8.contains(slot) {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                fields[slot, default: 0] = fields[slot, default: 0] * 10 + Int64(byte - 0x30)
            } else if byte != slot {
                return nil
            }
        }
        var milliseconds: Int64 = 0
        let rest = bytes[pattern.count...]
        if !rest.isEmpty {
            let digits = rest.dropFirst()
            guard fraction, rest.first == 0x2E, (1...3).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            var scale: Int64 = 100
            for digit in digits {
                milliseconds += Int64(digit - 0x30) * scale
                scale /= 10
            }
        }
        let year = fields[UInt8(ascii: "Y")] ?? 0, month = fields[UInt8(ascii: "M")] ?? 0, day = fields[UInt8(ascii: "D")] ?? 0
        let hour = fields[UInt8(ascii: "h")] ?? 0, minute = fields[UInt8(ascii: "m")] ?? 0, second = fields[UInt8(ascii: "s")] ?? 0
        guard year >= 1970, (1...12).contains(month), day >= 1, hour < 24, minute < 60, second < 60 else { return nil }
        let days = Timestamps.days(year: year, month: month, day: day)
        // 31 June is not a day: it would come back as 1 July.
        guard Timestamps.civil(days: days) == (year, month, day) else { return nil }
        return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + milliseconds - istOffset
    }
}
