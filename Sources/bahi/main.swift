#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BahiCore
import BahiStore

let usage = """
Usage: bahi <command> [options]

Commands:
  serve     run the HTTP API server (bahi serve --help)
  version   print the version
  help      this text

Exit codes: 0 success, 1 failure, 2 usage error.
"""

let arguments = CommandLine.arguments.dropFirst()
let command = arguments.first ?? "help"
do {
    switch command {
    case "serve":
        try ServeCommand.run(arguments.dropFirst())
    case "version", "--version":
        print("bahi \(BahiVersion.current) (SQLite \(SQLiteLibrary.version))")
    case "help", "--help", "-h":
        print(usage)
    default:
        throw UsageError(description: "unknown command '\(command)'")
    }
} catch {
    printError("bahi: \(error)\n\n\(usage)")
    exit(ExitCode.usage.rawValue)
}
