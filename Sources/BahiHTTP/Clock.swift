#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two clocks the server reads: monotonic nanoseconds for timeouts and durations, wall
/// milliseconds for ids and log timestamps.
public enum Clock {
    /// Monotonic nanoseconds (CLOCK_MONOTONIC): never jumps with NTP.
    @inline(__always)
    public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Unix time in milliseconds (CLOCK_REALTIME).
    @inline(__always)
    public static func wallMilliseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1000 &+ UInt64(ts.tv_nsec) / 1_000_000
    }
}
