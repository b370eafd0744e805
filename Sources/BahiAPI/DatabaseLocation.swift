public import BahiStore

/// Which store a configuration names — the SQLite file at `database.path`, or the PostgreSQL
/// database `database.url` names — and opening it.
///
/// Why one type for both: every command that touches the database (serve, migrate, keys,
/// import, check) must choose the same way and fail the same way: one line naming what to
/// fix, never the password. Printing a location prints the path or the redacted URL.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresURL)

    /// How long a PostgreSQL connection attempt may take unless the URL says
    /// (`connect_timeout`): an unreachable host fails in seconds rather than after the
    /// operating system's TCP timeout of minutes.
    public static let defaultConnectTimeoutSeconds = 10

    /// The store `database` names: PostgreSQL when `url` is set, else SQLite at `path`.
    public init(_ database: BahiConfiguration.Database) throws(ConfigurationError) {
        guard !database.url.isEmpty else {
            self = .sqlite(path: database.path)
            return
        }
        do {
            self = .postgres(try PostgresURL(database.url))
        } catch {
            throw ConfigurationError("database.url: \(error.description)")
        }
    }

    /// The engine this location holds.
    public var dialect: SQLDialect {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// The SQLite path, or the URL with its password as `***`: the only form Bahi prints.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url.redacted
        }
    }

    /// Opens the store with `database`'s settings (creating an SQLite file's folder). Does not
    /// migrate: `BahiSchema.migrate` does, once the caller has decided to.
    public func open(_ database: BahiConfiguration.Database) async throws(DatabaseOpenError) -> any DataStore {
        switch self {
        case .sqlite(let path):
            if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
                let folder = String(path[..<slash])
                do {
                    try Files.makeDirectories(folder)
                } catch {
                    throw DatabaseOpenError("cannot create the database folder \(folder): \(error)")
                }
            }
            let configuration = SQLiteStore.Configuration(
                readerCount: database.readConnections,
                synchronous: database.synchronous == "normal" ? .normal : .full,
                busyTimeout: .milliseconds(database.busyTimeoutMs))
            do {
                return try await SQLiteStore(path: path, configuration: configuration)
            } catch {
                throw DatabaseOpenError("cannot open the database \(path): \(error)")
            }
        case .postgres(var url):
            if !url.options.contains(where: { $0.key == "connect_timeout" }) {
                url.options.append((key: "connect_timeout", value: String(Self.defaultConnectTimeoutSeconds)))
            }
            do {
                return try await PostgresStore(configuration: .init(conninfo: url.conninfo, poolSize: database.poolSize))
            } catch {
                throw DatabaseOpenError("cannot connect to PostgreSQL at \(self): \(Self.reason(error, hiding: url.password))")
            }
        }
    }

    /// libpq's reason on one line: its message spans lines ("…failed: Connection refused",
    /// then a tab and "Is the server running…?"). libpq never includes the password; it is
    /// masked anyway, should a message ever echo the connection string.
    static func reason(_ error: any Error, hiding password: String?) -> String {
        var text = (error as? StoreError)?.message ?? "\(error)"
        let prefix = "cannot connect to PostgreSQL: "
        if text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        if let password, !password.isEmpty { text = text.replacing(password, with: "***") }
        return text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

/// Why a store could not be opened: one line naming the database (path or redacted URL) and
/// the reason.
public struct DatabaseOpenError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
