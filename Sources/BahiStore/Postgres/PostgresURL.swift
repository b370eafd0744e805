/// A `postgres://user:password@host:port/dbname?sslmode=…` URL, parsed into libpq's
/// connection string, with a form safe to print.
///
/// Why parse it ourselves rather than hand the URL to libpq (which accepts URIs too): a bad
/// URL must be a one-line error naming the part to fix before anything connects, and the
/// password must never reach a log — `redacted` is what Bahi prints.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public var user: String?
    public var password: String?
    /// A host name, an address, or a Unix-socket folder (starting with `/`).
    public var host: String
    public var port: Int
    public var database: String
    /// Query parameters libpq understands (`sslmode`, `connect_timeout`, `application_name`, …).
    public var options: [(key: String, value: String)]

    /// Keys accepted in the query string: libpq's own, so nothing is silently ignored.
    static let knownOptions: Set<String> = [
        "sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name",
        "target_session_attrs", "keepalives", "keepalives_idle", "options", "host", "port", "sslcompression",
    ]

    /// True if `text` names a PostgreSQL database (rather than an SQLite file path).
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a URL; the error names what is wrong and never contains the password.
    public init(_ text: String) throws(PostgresURLError) {
        guard let schemeEnd = text.range(of: "://"), Self.isPostgres(text) else {
            throw PostgresURLError("a PostgreSQL URL starts with postgres:// (postgres://user:password@host:5432/dbname)")
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var authority = rest
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = try Self.decode(credentials[..<colon], part: "user name")
                password = try Self.decode(credentials[credentials.index(after: colon)...], part: "password")
            } else {
                user = try Self.decode(credentials, part: "user name")
            }
            if user?.isEmpty == true { user = nil }
        }
        var hostPart = authority
        port = 5432
        if let colon = authority.lastIndex(of: ":"), !authority.hasPrefix("[") || authority[..<colon].hasSuffix("]") {
            let portText = authority[authority.index(after: colon)...]
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw PostgresURLError("the port \"\(portText)\" is not a number from 1 to 65535")
            }
            port = number
            hostPart = authority[..<colon]
        }
        host = try Self.decode(hostPart, part: "host")
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        database = try Self.decode(path, part: "database name")
        guard !database.isEmpty else {
            throw PostgresURLError("the URL names no database: add /dbname after the host (postgres://host:5432/bahi)")
        }
        var options: [(key: String, value: String)] = []
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = try Self.decode(parts[0], part: "option name")
            guard Self.knownOptions.contains(key) else {
                throw PostgresURLError("unknown option \"\(key)\" in the URL (libpq knows sslmode, connect_timeout, application_name, …)")
            }
            let value = parts.count > 1 ? try Self.decode(parts[1], part: "option \(key)") : ""
            if key == "host" {
                host = value
            } else if key == "port" {
                // libpq takes the port in the query too, the usual way to name a socket's
                // number beside ?host=/socket/folder (postgres://user@/db?host=/run/pg&port=5433).
                guard let number = Int(value), (1...65535).contains(number) else {
                    throw PostgresURLError("the port \"\(value)\" is not a number from 1 to 65535")
                }
                port = number
            } else {
                options.append((key, value))
            }
        }
        guard !host.isEmpty else { throw PostgresURLError("the URL names no host (postgres://host:5432/bahi, or ?host=/socket/folder)") }
        self.options = options
    }

    /// libpq's `key=value` connection string, each value quoted.
    public var conninfo: String {
        var pairs: [(String, String)] = [("host", host), ("port", String(port)), ("dbname", database)]
        if let user { pairs.append(("user", user)) }
        if let password { pairs.append(("password", password)) }
        pairs += options.map { ($0.key, $0.value) }
        return pairs.map { "\($0.0)=\(Self.quote($0.1))" }.joined(separator: " ")
    }

    /// The URL with the password replaced by `***`: the only form Bahi prints or logs.
    public var redacted: String {
        var text = "postgres://"
        if let user { text += user + (password == nil ? "" : ":***") + "@" }
        text += host.hasPrefix("/") ? "" : (host.contains(":") ? "[\(host)]" : host)
        // A socket folder travels as ?host=; its port (the socket file's number) stays in
        // the authority unless it is the default, so the printed URL reaches the same server.
        text += host.hasPrefix("/") ? (port == 5432 ? "" : ":\(port)") : ":\(port)"
        text += "/\(database)"
        var query = options.map { "\($0.key)=\($0.value)" }
        if host.hasPrefix("/") { query.insert("host=\(host)", at: 0) }
        if !query.isEmpty { text += "?" + query.joined(separator: "&") }
        return text
    }

    public var description: String { redacted }

    public static func == (lhs: PostgresURL, rhs: PostgresURL) -> Bool { lhs.conninfo == rhs.conninfo }

    private static func quote(_ value: String) -> String {
        var out = "'"
        for character in value {
            if character == "'" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "'"
    }

    /// Percent-decoding (`%40` → `@`), strict: a broken escape is an error naming the part.
    private static func decode(_ text: Substring, part: String) throws(PostgresURLError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else {
                throw PostgresURLError("the \(part) has a broken %-escape")
            }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Why a PostgreSQL URL was refused: one line, naming the part to fix, never the password.
public struct PostgresURLError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
