#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BahiJSON

/// Where access-log lines go: one JSON object per request (time, request id, method, path,
/// status, bytes, duration). The path is logged without its query string, and no header is
/// logged, so a secret in either never reaches a log.
public enum AccessLog: Sendable {
    /// No access log.
    case disabled
    /// Append lines to a file descriptor (1 for stdout). Lines are buffered per event loop
    /// and flushed at least every tick, so logging costs no system call per request.
    case fileDescriptor(Int32)
    /// Hand each line to a closure (tests, or a custom sink).
    case custom(@Sendable (String) -> Void)

    public static let standardOutput = AccessLog.fileDescriptor(1)
    public static let standardError = AccessLog.fileDescriptor(2)

    /// Formats one line (with the trailing newline).
    public static func line(
        _ record: HTTPConnectionStateMachine.ExchangeRecord, wallMilliseconds: UInt64, durationNanoseconds: UInt64,
        extra: [(String, String)] = []
    ) -> [UInt8] {
        var json = JSONWriter(capacity: 200)
        json.beginObject()
        json.key("time"); json.string(Timestamps.rfc3339(milliseconds: Int64(clamping: wallMilliseconds)))
        json.key("request_id"); json.string(record.requestID)
        json.key("method"); json.string(record.method)
        json.key("path"); json.string(record.path)
        json.key("status"); json.int(record.status)
        json.key("bytes"); json.int(record.bytes)
        json.key("duration_ms"); json.raw(Timestamp.milliseconds3(durationNanoseconds))
        for (key, value) in extra { json.key(key); json.string(value) }
        json.endObject()
        var bytes = json.bytes
        bytes.append(0x0A)
        return bytes
    }
}

/// Durations for the access log.
enum Timestamp {
    /// Nanoseconds as milliseconds with three decimals, e.g. `0.042`.
    static func milliseconds3(_ ns: UInt64) -> String {
        let micros = ns / 1000
        let fraction = String(micros % 1000)
        return "\(micros / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
