#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BahiAPI
import BahiCore
import BahiStore
import Synchronization

/// What every database-touching subcommand shares: the configuration flags, opening the
/// store with its folder created, and applying migrations.
enum Runtime {
    /// Flags every subcommand that reads configuration accepts.
    static let configFlags: Set<String> = ["config", "db"]

    /// Loads configuration from `--config` (or `BAHI_CONFIG`), the environment and flags.
    /// `--db` names the database either way: a `postgres://` URL or an SQLite path.
    static func configuration(_ arguments: Arguments, extraFlags: [String: String] = [:]) throws(UsageError) -> BahiConfiguration {
        var flags = extraFlags
        if let db = arguments["db"] { flags[ConfigurationLoader.databaseChoice.path] = db }
        let env = processEnvironment()
        do {
            return try ConfigurationLoader.load(path: arguments["config"] ?? env["BAHI_CONFIG"], environment: env, flags: flags)
        } catch {
            throw UsageError(description: error.message, showsUsage: false)
        }
    }

    /// Where the configuration keeps the data (printing it never shows a password).
    static func location(_ config: BahiConfiguration) -> DatabaseLocation {
        do {
            return try DatabaseLocation(config.database)
        } catch {
            fail(error.message)
        }
    }

    /// The shared `DatabaseFileLock`s this process holds on the SQLite files it opened, until
    /// it exits: `bahi restore` refuses while any is held (a server's for its whole life).
    static let heldLocks = Mutex<[DatabaseFileLock]>([])

    /// Opens the store the configuration names (creating an SQLite file's folder), failing
    /// with exit code 1 and one line naming what to fix. An SQLite file is locked shared
    /// first (refused while `bahi restore` replaces it).
    static func openStore(_ config: BahiConfiguration) async -> any DataStore {
        if case .sqlite(let path) = location(config) {
            do {
                if let slash = path.lastIndex(of: "/"), slash != path.startIndex { try Files.makeDirectories(String(path[..<slash])) }
                let lock = try DatabaseFileLock(databasePath: path, .shared)
                heldLocks.withLock { $0.append(lock) }
            } catch {
                fail("cannot open \(path): \(error)")
            }
        }
        do {
            return try await location(config).open(config.database)
        } catch {
            fail(error.description)
        }
    }

    /// Applies the store's pending migrations; refuses a database newer than this binary.
    static func migrate(_ store: any DataStore) async -> [Migration] {
        do {
            return try await BahiSchema.migrate(store)
        } catch {
            fail("\(error)")
        }
    }

    static func processEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") { env[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
            pointer += 1
        }
        return env
    }

    /// Prints `bahi: message` to standard error and exits 1.
    static func fail(_ message: String) -> Never {
        printError("bahi: \(message)")
        exit(ExitCode.failure.rawValue)
    }
}
