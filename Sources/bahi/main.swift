#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BahiAPI
import BahiCore
import BahiStore

let usage = """
Usage: bahi <command> [options]

Commands:
  serve     run the HTTP API server, migrating first   (bahi serve --help)
  migrate   apply pending schema migrations
  keys      create, list and revoke API keys             (bahi keys --help)
  backup    copy the SQLite database to a file, online (PostgreSQL: pg_dump)
  restore   put a backup back in place of the SQLite database (bahi restore --help)
  import    import stock, SKUs, settlements or remittances from CSV (bahi import --help)
  check     domain invariants, fast; --full re-reads everything (bahi check --help)
  copy      copy every table to another store, e.g. SQLite onto PostgreSQL (bahi copy --help)
  openapi   print the API's OpenAPI 3.1 document (swift run bahi openapi > openapi.json)
  version   print the version (also bahi --version)
  help      this text

Every command that touches the database takes --config FILE and --db PATH|URL
(an SQLite file, or postgres://user:password@host:5432/dbname).
Exit codes: 0 success, 1 failure (or invariants violated), 2 usage error.
"""

// The database, its backups and the admin key file hold customer data and secrets: owner-only.
umask(0o077)
let arguments = CommandLine.arguments.dropFirst()
let command = arguments.first ?? "help"
let rest = arguments.dropFirst()
do {
    switch command {
    case "serve":
        try await ServeCommand.run(rest)
    case "migrate":
        try await AdminCommands.migrate(rest)
    case "keys":
        try await AdminCommands.keys(rest)
    case "backup":
        try await AdminCommands.backup(rest)
    case "restore":
        try await AdminCommands.restore(rest)
    case "check":
        exit(try await AdminCommands.check(rest))
    case "copy":
        exit(try await CopyCommand.run(rest))
    case "import":
        exit(try await ImportCommand.run(rest))
    case "openapi":
        // The API's OpenAPI 3.1 document, as committed at the repository's top (openapi.json).
        let document = try await BahiApplication.openAPIDocument()
        print(String(decoding: document, as: UTF8.self), terminator: "")
    case "version", "--version":
        print("bahi \(BahiVersion.current) (SQLite \(SQLiteLibrary.version))")
    case "help", "--help", "-h":
        print(usage)
    default:
        throw UsageError(description: "unknown command '\(command)'")
    }
} catch let error as UsageError where !error.showsUsage {
    printError("bahi: \(error)")
    exit(ExitCode.usage.rawValue)
} catch {
    printError("bahi: \(error)\n\n\(usage)")
    exit(ExitCode.usage.rawValue)
}
