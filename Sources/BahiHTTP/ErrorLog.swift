#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BahiJSON

/// Where the server says *why* something failed: one JSON object per line, written at once.
///
/// Why a second log beside `AccessLog`: the access line records that a request got a 500 or
/// a 503, but not the cause, and the client is told only the request id (internals never
/// leak to it). This line carries the request id and the underlying error's description, so
/// an operator can find the one from the other. Failures are rare, so each line is one
/// `write` (no buffering, nothing lost if the process dies next). Callers put only error
/// descriptions and identifiers here — never header values, request bodies or bound SQL
/// values — so a secret never reaches the log.
public struct ErrorLog: Sendable {
    /// One value of a log line.
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int)
    }

    private let sink: (@Sendable ([UInt8]) -> Void)?

    private init(sink: (@Sendable ([UInt8]) -> Void)?) {
        self.sink = sink
    }

    /// No error log (benchmarks).
    public static let disabled = ErrorLog(sink: nil)

    /// Lines appended to a file descriptor (1 for standard output), one `write` each.
    public static func fileDescriptor(_ fd: Int32) -> ErrorLog {
        ErrorLog { bytes in ErrorLog.writeAll(fd, bytes) }
    }

    /// Standard output, where the access log goes: one stream of JSON lines to collect.
    public static let standardOutput = ErrorLog.fileDescriptor(1)
    /// Standard error.
    public static let standardError = ErrorLog.fileDescriptor(2)

    /// Each line (without its newline) handed to a closure: tests, or a custom sink.
    public static func custom(_ body: @escaping @Sendable (String) -> Void) -> ErrorLog {
        ErrorLog { bytes in body(String(decoding: bytes.dropLast(), as: UTF8.self)) }
    }

    /// True unless the log is disabled (lets a caller skip building fields nobody reads).
    public var isEnabled: Bool { sink != nil }

    /// Writes `{"time":…,"level":"error","message":…,<fields>}` as one line.
    public func error(_ message: String, _ fields: [(String, Value)]) {
        guard let sink else { return }
        sink(ErrorLog.line(level: "error", message: message, fields: fields, wallMilliseconds: Clock.wallMilliseconds()))
    }

    /// Formats one line, with its trailing newline.
    public static func line(level: String, message: String, fields: [(String, Value)], wallMilliseconds: UInt64) -> [UInt8] {
        var json = JSONWriter(capacity: 256)
        json.beginObject()
        json.key("time"); json.string(Timestamps.rfc3339(milliseconds: Int64(clamping: wallMilliseconds)))
        json.key("level"); json.string(level)
        json.key("message"); json.string(message)
        for (key, value) in fields {
            json.key(key)
            switch value {
            case .string(let text): json.string(text)
            case .int(let number): json.int(number)
            }
        }
        json.endObject()
        var bytes = json.bytes
        bytes.append(0x0A)
        return bytes
    }

    /// `error(_:_:)` with the failure appended: its type (`error_type`) and its description
    /// (`error`). A `StoreError` describes itself by code, message and SQL with placeholders
    /// only, never the bound values.
    public func error(_ message: String, _ fields: [(String, Value)], cause: any Error) {
        guard isEnabled else { return }
        error(message, fields + [
            ("error_type", .string(String(reflecting: type(of: cause)))), ("error", .string(String(describing: cause))),
        ])
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
