#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exit codes, documented in `bahi --help` and the README.
enum ExitCode: Int32 {
    case success = 0
    /// The command ran and failed (cannot bind, ...).
    case failure = 1
    /// The command line was wrong (unknown flag, bad value).
    case usage = 2
}

/// A command-line mistake, reported with the usage and exit code 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    /// False for a bad setting (a configuration key, `--db`): the line names what to fix,
    /// and the command list after it would only bury it.
    var showsUsage = true
}

/// Hand-rolled flag parsing: `--name value` or `--name=value`, and bare switches.
/// Unknown flags are errors that name themselves, never silently ignored.
struct Arguments {
    private(set) var values: [String: String] = [:]
    private(set) var switches: Set<String> = []
    private(set) var positional: [String] = []

    init(_ arguments: ArraySlice<String>, valueFlags: Set<String>, switchFlags: Set<String>) throws(UsageError) {
        var it = arguments.makeIterator()
        while let arg = it.next() {
            guard arg.hasPrefix("--") else {
                positional.append(arg)
                continue
            }
            var name = String(arg.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if switchFlags.contains(name), inline == nil {
                switches.insert(name)
            } else if valueFlags.contains(name) {
                guard let value = inline ?? it.next() else { throw UsageError(description: "--\(name) needs a value") }
                values[name] = value
            } else {
                throw UsageError(description: "unknown option --\(name)")
            }
        }
    }

    subscript(name: String) -> String? { values[name] }
}

/// Reads an environment variable.
func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    var line = Array(message.utf8)
    line.append(0x0A)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
