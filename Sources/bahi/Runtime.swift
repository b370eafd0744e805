#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BahiAPI
import BahiCore
import BahiStore

/// What every database-touching subcommand shares: the configuration flags, opening the
/// store with its folder created, and applying migrations.
enum Runtime {
    /// Flags every subcommand that reads configuration accepts.
    static let configFlags: Set<String> = ["config", "db"]

    /// Loads configuration from `--config` (or `BAHI_CONFIG`), the environment and flags.
    static func configuration(_ arguments: Arguments, extraFlags: [String: String] = [:]) throws(UsageError) -> BahiConfiguration {
        var flags = extraFlags
        if let db = arguments["db"] { flags["database.path"] = db }
        let env = processEnvironment()
        do {
            return try ConfigurationLoader.load(path: arguments["config"] ?? env["BAHI_CONFIG"], environment: env, flags: flags)
        } catch {
            throw UsageError(description: error.message)
        }
    }

    /// Opens the store (creating its folder), failing with exit code 1 and a clear message.
    static func openStore(_ config: BahiConfiguration) async -> SQLiteStore {
        let path = config.database.path
        if let slash = path.lastIndex(of: "/") {
            let folder = String(path[..<slash])
            if !folder.isEmpty {
                do { try Files.makeDirectories(folder) } catch { fail("cannot create the database folder \(folder): \(error)") }
            }
        }
        let storeConfig = SQLiteStore.Configuration(
            readerCount: config.database.readConnections,
            synchronous: config.database.synchronous == "normal" ? .normal : .full,
            busyTimeout: .milliseconds(config.database.busyTimeoutMs))
        do {
            return try await SQLiteStore(path: path, configuration: storeConfig)
        } catch {
            fail("cannot open the database \(path): \(error)")
        }
    }

    /// Applies pending migrations; refuses a database newer than this binary.
    static func migrate(_ store: SQLiteStore) async -> [Migration] {
        do {
            return try await store.migrate(BahiSchema.migrator)
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
