/// Which URLs a webhook endpoint may have, and which addresses Bahi may connect to for one.
///
/// Why: an endpoint URL is user input that makes the server call out, the classic
/// server-side request forgery. `https` only (unless `webhooks.allow_http`), and no private,
/// loopback, link-local (169.254.169.254, the cloud metadata service), CGNAT, multicast or
/// unspecified address — checked here at creation for literal addresses and names like
/// `localhost`, and again by the delivery client for every address a name resolves to, at
/// connect time (a public name can resolve to 127.0.0.1). `webhooks.allow_private_networks`
/// lifts the address rule for tests and local development.
public struct WebhookURLPolicy: Sendable, Equatable {
    public var allowHTTP: Bool
    public var allowPrivateNetworks: Bool

    public init(allowHTTP: Bool = false, allowPrivateNetworks: Bool = false) {
        self.allowHTTP = allowHTTP
        self.allowPrivateNetworks = allowPrivateNetworks
    }

    /// A URL's parts as a delivery needs them.
    public struct Target: Sendable, Equatable {
        public var secure: Bool
        public var host: String
        public var port: Int
        /// Path and query, at least "/".
        public var target: String
    }

    /// The URL's parts, or a `validation_failed` error naming what to fix (field `url`).
    public func check(_ url: String) -> Result<Target, DomainError> {
        func problem(_ code: String, _ message: String) -> Result<Target, DomainError> { .failure(DomainError.invalid("url", code, message)) }
        guard url.utf8.count <= 2048 else { return problem("too_long", "A URL of at most 2048 bytes.") }
        let secure: Bool
        var rest: Substring
        if url.lowercased().hasPrefix("https://") {
            secure = true
            rest = url.dropFirst(8)
        } else if url.lowercased().hasPrefix("http://") {
            guard allowHTTP else { return problem("https_required", "Use an https:// URL (plain http is allowed only with webhooks.allow_http).") }
            secure = false
            rest = url.dropFirst(7)
        } else {
            return problem("invalid_url", "An absolute https:// URL, e.g. https://erp.example.com/bahi/webhooks.")
        }
        guard !rest.contains(where: { $0 == " " || $0 == "#" || $0.asciiValue.map { $0 < 0x21 || $0 == 0x7F } ?? false }) else {
            return problem("invalid_url", "The URL must not contain spaces, control characters or a #fragment.")
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        guard !authority.contains("@") else { return problem("invalid_url", "The URL must not carry a user name or password.") }
        var host = Substring(authority)
        var port = secure ? 443 : 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return problem("invalid_url", "An IPv6 address goes in brackets: https://[2001:db8::1]/.") }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) else { return problem("invalid_url", "The port must be 1–65535.") }
                port = p
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65535).contains(p) else { return problem("invalid_url", "The port must be 1–65535.") }
            port = p
            host = host[..<colon]
        }
        guard !host.isEmpty else { return problem("invalid_url", "The URL has no host.") }
        let name = host.lowercased()
        if !allowPrivateNetworks {
            if name == "localhost" || name.hasSuffix(".localhost") || name.hasSuffix(".local") || name.hasSuffix(".internal") {
                return problem("private_address", "\(name) is not reachable from the internet; give a public host (or set webhooks.allow_private_networks for local development).")
            }
            if let address = IPAddress(name), !address.isPublic {
                return problem("private_address", "\(name) is a private, loopback or link-local address; give a public host (or set webhooks.allow_private_networks for local development).")
            }
        }
        return .success(Target(secure: secure, host: name, port: port, target: target))
    }

    /// Whether the client may connect to `address` (a resolved IPv4 or IPv6 address in text).
    public func mayConnect(to address: String) -> Bool {
        allowPrivateNetworks || (IPAddress(address)?.isPublic ?? false)
    }
}

/// An IPv4 or IPv6 address parsed from text, classified for `WebhookURLPolicy`.
public enum IPAddress: Sendable, Equatable {
    case v4([UInt8])
    case v6([UInt8])

    /// Dotted-quad IPv4 (four decimal parts 0–255, no leading zeros) or IPv6 (with `::`, and an
    /// embedded IPv4 tail); nil otherwise.
    public init?(_ text: String) {
        if let v4 = Self.parseV4(Substring(text)) {
            self = .v4(v4)
        } else if let v6 = Self.parseV6(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    /// False for every range that is not the public internet.
    public var isPublic: Bool {
        switch self {
        case .v4(let b):
            switch (b[0], b[1]) {
            case (0, _), (10, _), (127, _): return false            // this network, private, loopback
            case (100, 64...127): return false                      // CGNAT (RFC 6598)
            case (169, 254): return false                           // link-local, metadata services
            case (172, 16...31), (192, 168): return false           // private
            case (192, 0) where b[2] == 0 || b[2] == 2: return false // IETF protocol assignments, TEST-NET-1
            case (198, 18...19): return false                       // benchmarking
            case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return false  // TEST-NET-2, -3
            case (224...255, _): return false                       // multicast, reserved, broadcast
            default: return true
            }
        case .v6(let b):
            if b.allSatisfy({ $0 == 0 }) { return false }                                  // ::
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return false }          // ::1
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {     // ::ffff:a.b.c.d
                return IPAddress.v4(Array(b[12..<16])).isPublic
            }
            if b[0] & 0xFE == 0xFC { return false }                                       // fc00::/7 unique local
            if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return false }                       // fe80::/10 link-local
            if b[0] == 0xFF { return false }                                              // multicast
            if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return false }  // 2001:db8::/32 documentation
            if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B {             // 64:ff9b::/96 NAT64
                return IPAddress.v4(Array(b[12..<16])).isPublic
            }
            return true
        }
    }

    private static func parseV4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part == "0" || !part.hasPrefix("0"), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseV6(_ text: String) -> [UInt8]? {
        guard text.contains(":"), text.utf8.count <= 45 else { return nil }
        // Split at the one `::` there may be.
        var halves: [String] = [text]
        let bytes = Array(text.utf8)
        if let at = bytes.indices.dropLast().first(where: { bytes[$0] == UInt8(ascii: ":") && bytes[$0 + 1] == UInt8(ascii: ":") }) {
            halves = [String(decoding: bytes[..<at], as: UTF8.self), String(decoding: bytes[(at + 2)...], as: UTF8.self)]
            if halves[1].utf8.contains(where: { $0 == UInt8(ascii: ":") }), halves[1].contains("::") { return nil }
            if halves[1].hasPrefix(":") || halves[0].hasSuffix(":") { return nil }
        }
        func groups(_ part: String) -> [UInt8]? {
            guard !part.isEmpty else { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains("."), let v4 = parseV4(piece) {
                    bytes += v4
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}
