/// Where a connection goes: scheme, host and port. The client pools connections and TLS
/// sessions per origin (RFC 6454), so two URLs on one origin share them and no others do.
public struct HTTPOrigin: Hashable, Sendable, CustomStringConvertible {
    /// The two schemes the client speaks; `https` means a verified TLS connection.
    public enum Scheme: String, Sendable, Hashable {
        case http
        case https

        /// The port a URL without one means.
        public var defaultPort: Int { self == .https ? 443 : 80 }
    }

    public var scheme: Scheme
    /// The host name or IP address, lowercased; an IPv6 address without its brackets.
    public var host: String
    public var port: Int

    /// An origin; a nil port means the scheme's default.
    public init(scheme: Scheme, host: String, port: Int? = nil) {
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port ?? scheme.defaultPort
    }

    /// True when `host` is an IPv6 literal (written in brackets in URLs and `Host`).
    public var hostIsIPv6: Bool { host.contains(":") }

    /// The `Host` field value: the host, and the port unless it is the scheme's default.
    public var hostField: String {
        let name = hostIsIPv6 ? "[\(host)]" : host
        return port == scheme.defaultPort ? name : "\(name):\(port)"
    }

    public var description: String { "\(scheme.rawValue)://\(hostField)" }
}

/// An absolute `http` or `https` URL split into its origin and request target.
///
/// Deliberately small and strict rather than a general URL parser: the client needs an
/// origin to connect to and a target to send, and a URL it would have to guess about
/// (userinfo, spaces, control characters, an empty host, a port out of range) is refused
/// with `HTTPClientError.invalidURL` before any connection is made.
public struct HTTPURL: Hashable, Sendable, CustomStringConvertible {
    public var origin: HTTPOrigin
    /// Path and query, starting with `/` (the fragment is dropped: it is never sent).
    public var target: String

    /// A URL from parts already checked (the target must start with `/`).
    public init(origin: HTTPOrigin, target: String) {
        self.origin = origin
        self.target = target
    }

    /// Parses an absolute URL; nil if it is not a usable `http`/`https` URL.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy({ ASCII.isTargetChar($0) }) else { return nil }
        guard let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") else { return nil }
        guard let scheme = HTTPOrigin.Scheme(rawValue: text[..<colon].lowercased()) else { return nil }
        var rest = text[text.index(colon, offsetBy: 3)...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        guard !authority.contains("@") else { return nil }
        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }) else { return nil }
        }
        guard !host.isEmpty else { return nil }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCII), let value = Int(portText), value > 0, value <= 65535 else { return nil }
            port = value
        }
        self.init(origin: HTTPOrigin(scheme: scheme, host: String(host), port: port), target: target)
    }

    /// Resolves a `Location` value against this URL: absolute URLs as they are,
    /// scheme-relative (`//host/…`) with this scheme, absolute paths on this origin. Relative
    /// paths are resolved against this target's folder.
    public func resolving(_ reference: String) -> HTTPURL? {
        if reference.contains("://") { return HTTPURL(reference) }
        if reference.hasPrefix("//") { return HTTPURL(origin.scheme.rawValue + ":" + reference) }
        guard !reference.isEmpty, reference.utf8.allSatisfy({ ASCII.isTargetChar($0) }) else { return nil }
        var path = reference
        if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
        if !path.hasPrefix("/") {
            let current = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let folder = current.lastIndex(of: "/").map { current[...$0] } ?? "/"
            path = folder + path
        }
        return HTTPURL(origin: origin, target: path)
    }

    public var description: String { origin.description + target }
}
