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

    /// The store a command-line value names: a `postgres://` URL, or an SQLite path. `flag`
    /// names the value's source in the error (`--from: …`), which never holds the password.
    public init(argument text: String, flag: String) throws(ConfigurationError) {
        guard !text.isEmpty else { throw ConfigurationError("\(flag) needs an SQLite path or a postgres:// URL") }
        // Anything URL-shaped is checked as one: `mysql://…` is a mistake, not a file name.
        guard PostgresURL.isPostgres(text) || text.contains("://") else {
            self = .sqlite(path: text)
            return
        }
        do {
            self = .postgres(try PostgresURL(text))
        } catch {
            throw ConfigurationError("\(flag): \(error.description)")
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
            try Self.makeFolder(of: path)
            let configuration = SQLiteStore.Configuration(
                readerCount: database.readConnections,
                synchronous: database.synchronous == "normal" ? .normal : .full,
                busyTimeout: .milliseconds(database.busyTimeoutMs),
                writerCacheKiB: database.writerCacheMB * 1024,
                checkpointPages: database.checkpointPages)
            do {
                return try await SQLiteStore(path: path, configuration: configuration)
            } catch {
                throw DatabaseOpenError("cannot open the database \(path): \(error)")
            }
        case .postgres(let url):
            do {
                return try await PostgresStore(configuration: .init(conninfo: Self.withTimeout(url).conninfo, poolSize: database.poolSize))
            } catch {
                throw DatabaseOpenError("cannot connect to PostgreSQL at \(self): \(Self.reason(error, hiding: url.password))")
            }
        }
    }

    /// One plain connection to the database, outside any store: for tools that drive a
    /// connection themselves, such as `bahi copy` (its own transactions, one thread). A
    /// read-only SQLite connection needs the file to exist; a writable one creates it and its
    /// folder. Errors are one line, as `open`'s.
    public func connect(readOnly: Bool) throws(DatabaseOpenError) -> any Database {
        switch self {
        case .sqlite(let path):
            if !readOnly { try Self.makeFolder(of: path) }
            do {
                return try Connection(path: path, mode: readOnly ? .readOnly : .readWrite)
            } catch {
                var reason = (error as? StoreError)?.message ?? "\(error)"
                if reason.hasPrefix("cannot open \(path): ") { reason.removeFirst("cannot open \(path): ".count) }
                throw DatabaseOpenError("cannot open the database \(path): \(reason)")
            }
        case .postgres(let url):
            do {
                return try PostgresConnection(conninfo: Self.withTimeout(url).conninfo)
            } catch {
                throw DatabaseOpenError("cannot connect to PostgreSQL at \(self): \(Self.reason(error, hiding: url.password))")
            }
        }
    }

    /// `url` with libpq's `connect_timeout` set to the default unless it says.
    static func withTimeout(_ url: PostgresURL) -> PostgresURL {
        var url = url
        if !url.options.contains(where: { $0.key == "connect_timeout" }) {
            url.options.append((key: "connect_timeout", value: String(Self.defaultConnectTimeoutSeconds)))
        }
        return url
    }

    /// Creates the folder an SQLite file goes in.
    static func makeFolder(of path: String) throws(DatabaseOpenError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let folder = String(path[..<slash])
        do {
            try Files.makeDirectories(folder)
        } catch {
            throw DatabaseOpenError("cannot create the database folder \(folder): \(error)")
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
