#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The IMF-fixdate for the `Date` field (RFC 9110 §5.6.7), formatted at most once a second
/// and shared by every connection.
public final class DateCache: Sendable {
    /// The process-wide cache.
    public static let shared = DateCache()

    private let cached = Mutex<(second: Int, bytes: [UInt8])>((second: -1, bytes: []))

    public init() {}

    /// The current date as `Sun, 06 Nov 1994 08:49:37 GMT`.
    public func current() -> [UInt8] {
        let now = time(nil)
        return cached.withLock { entry in
            if entry.second != now {
                entry = (second: now, bytes: DateCache.format(now))
            }
            return entry.bytes
        }
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Formats Unix seconds as an IMF-fixdate.
    public static func format(_ seconds: Int) -> [UInt8] {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let text = "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        return Array(text.utf8)
    }
}
