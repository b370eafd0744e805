/// How long each part of an exchange may take. A background delivery sets its own per request
/// (`HTTPClientRequest.timeouts`); everything else takes the client's.
public struct HTTPClientTimeouts: Sendable, Equatable {
    /// Resolving the name, connecting and the TLS handshake, together.
    public var connect: Duration = .seconds(10)
    /// The longest silence while sending the request or waiting for the response's bytes
    /// (a server that stalls mid-response trips it; one that drips a byte at a time does not).
    public var read: Duration = .seconds(30)
    /// The whole exchange, redirects and a retry included: the one deadline a slow drip
    /// cannot stretch.
    public var total: Duration = .seconds(60)

    /// Timeouts with the given values (the defaults suit a server that answers in seconds).
    public init(connect: Duration = .seconds(10), read: Duration = .seconds(30), total: Duration = .seconds(60)) {
        self.connect = connect
        self.read = read
        self.total = total
    }
}

/// What the client verifies TLS servers against.
public struct TLSClientConfiguration: Sendable, Equatable {
    /// The lowest protocol version offered. TLS 1.2 or 1.3; never older.
    public enum MinimumVersion: Sendable, Equatable {
        case tls12
        case tls13
    }

    /// A PEM file of trusted CA certificates used instead of the system trust store
    /// (tests, or a private CA); nil trusts the system's store (`/etc/ssl/certs`).
    public var caFile: String?
    /// TLS 1.2 by default: many servers still offer nothing newer.
    public var minimumVersion: MinimumVersion = .tls12

    /// The system trust store and TLS 1.2+, unless told otherwise.
    public init(caFile: String? = nil, minimumVersion: MinimumVersion = .tls12) {
        self.caFile = caFile
        self.minimumVersion = minimumVersion
    }
}

/// Everything an `HTTPClient` needs before its first request.
public struct HTTPClientConfiguration: Sendable {
    /// For requests that bring none of their own.
    public var timeouts = HTTPClientTimeouts()
    /// Header and body size limits for responses (`HTTPClientError.responseTooLarge` beyond).
    public var limits = HTTPResponseParser.Limits()
    /// Trust and protocol floor for `https` origins.
    public var tls = TLSClientConfiguration()
    /// Connections open at once to one origin (scheme, host, port); a request beyond waits
    /// for one to come back, up to its connect timeout.
    public var maxConnectionsPerOrigin: Int = 16
    /// Idle connections kept per origin for reuse; more are closed when they come back.
    public var maxIdleConnectionsPerOrigin: Int = 8
    /// An idle connection older than this is closed instead of reused (servers close idle
    /// keep-alive connections after 5–60 s; reusing one at the edge only costs a retry).
    public var idleTimeout: Duration = .seconds(30)
    /// Threads that run the async `execute`'s blocking exchanges, so callers on the
    /// cooperative pool never block it. Also the most async requests in flight at once.
    public var workerThreads: Int = 8
    /// Sent as `User-Agent` unless the request sets one.
    public var userAgent: String = "bahi"
    /// Decides, after DNS, whether the client may connect to an address (nil allows all).
    /// A client that calls user-given URLs refuses private, loopback and
    /// link-local addresses here; a refused one is `HTTPClientError.addressRefused`. It is
    /// per client, so connections in its pool were all admitted by the same rule.
    public var allowAddress: (@Sendable (HTTPResolvedAddress) -> Bool)?

    /// The defaults: each setting's documented value.
    public init() {}
}
