/// Why a request through `HTTPClient` produced no response: one case per kind of failure,
/// each with what a caller needs to decide whether to retry (a delivery worker
/// retries a refused connection or a timeout, but not an invalid URL) and what to record.
public enum HTTPClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Which deadline passed.
    public enum Timeout: String, Sendable, Equatable {
        /// Resolving, connecting and the TLS handshake took longer than the connect timeout.
        case connect
        /// No byte arrived (or could be sent) for the read timeout.
        case read
        /// The whole exchange, redirects included, outlasted the total timeout.
        case total
        /// Every connection to the origin stayed busy past the connect timeout.
        case connectionSlot
    }

    /// Why TLS refused the server, named from OpenSSL's verification result.
    public enum TLSFailure: Sendable, Equatable, CustomStringConvertible {
        /// The certificate is valid but for another name (or IP address).
        case hostnameMismatch
        case certificateExpired
        case certificateNotYetValid
        /// The chain does not lead to a trusted CA (self-signed, or an issuer not in the
        /// trust store).
        case unknownCA
        case certificateRevoked
        /// Any other verification failure: OpenSSL's X509_V_ERR code and its text.
        case verificationFailed(code: Int, reason: String)
        /// The handshake failed for another reason (protocol version, alert, no shared
        /// cipher): OpenSSL's error text.
        case handshake(String)
        /// The TLS context could not be set up (unreadable CA file): OpenSSL's text.
        case configuration(String)

        public var description: String {
            switch self {
            case .hostnameMismatch: return "certificate does not match the host name"
            case .certificateExpired: return "certificate has expired"
            case .certificateNotYetValid: return "certificate is not yet valid"
            case .unknownCA: return "certificate chain does not lead to a trusted CA"
            case .certificateRevoked: return "certificate has been revoked"
            case .verificationFailed(let code, let reason): return "certificate verification failed (\(code)): \(reason)"
            case .handshake(let reason): return "handshake failed: \(reason)"
            case .configuration(let reason): return "TLS configuration: \(reason)"
            }
        }
    }

    /// Where in the exchange the server closed the connection.
    public enum ClosedDuring: String, Sendable, Equatable {
        /// After the request was sent, before any byte of a response.
        case beforeResponse
        case head
        case body
    }

    /// The URL is not an absolute `http`/`https` URL the client can use.
    case invalidURL(String)
    /// The request itself cannot be sent as given (a header value with CR or LF, a name
    /// that is not a token).
    case invalidRequest(String)
    /// `getaddrinfo` failed: the host name and its message.
    case dns(host: String, reason: String)
    /// `HTTPClientConfiguration.allowAddress` refused every address the name resolved to:
    /// the first one refused.
    case addressRefused(host: String, address: String)
    /// Nothing listens there (ECONNREFUSED).
    case connectionRefused(host: String, port: Int)
    /// Connecting failed otherwise (unreachable network or host): the errno.
    case connectFailed(host: String, port: Int, errno: Int32)
    case timeout(Timeout)
    case tls(TLSFailure)
    /// The response broke a framing rule.
    case protocolViolation(HTTPResponseParserError)
    /// The header block or the body is larger than the configured limit.
    case responseTooLarge
    case connectionClosedEarly(ClosedDuring)
    /// Sending or receiving failed with this errno (ECONNRESET, EPIPE, …).
    case io(call: String, errno: Int32)
    /// A redirect chain longer than the request allowed.
    case tooManyRedirects(Int)

    public var description: String {
        switch self {
        case .invalidURL(let url): return "invalid URL: \(url)"
        case .invalidRequest(let why): return "invalid request: \(why)"
        case .dns(let host, let reason): return "cannot resolve \(host): \(reason)"
        case .addressRefused(let host, let address): return "\(host) resolves to \(address), which is not allowed"
        case .connectionRefused(let host, let port): return "connection refused by \(host):\(port)"
        case .connectFailed(let host, let port, let errno): return "cannot connect to \(host):\(port) (errno \(errno))"
        case .timeout(let which): return "\(which.rawValue) timeout"
        case .tls(let failure): return "TLS: \(failure)"
        case .protocolViolation(let error): return "protocol violation: \(error.code)"
        case .responseTooLarge: return "response too large"
        case .connectionClosedEarly(let during): return "connection closed early (\(during.rawValue))"
        case .io(let call, let errno): return "\(call) failed (errno \(errno))"
        case .tooManyRedirects(let n): return "more than \(n) redirects"
        }
    }

    /// A short, stable name for the failure (`timeout_read`, `tls_unknown_ca`,
    /// `connection_refused`): what a caller stores and shows, where `description` is for people.
    public var code: String {
        switch self {
        case .invalidURL: return "invalid_url"
        case .invalidRequest: return "invalid_request"
        case .dns: return "dns"
        case .addressRefused: return "address_refused"
        case .connectionRefused: return "connection_refused"
        case .connectFailed: return "connect_failed"
        case .timeout(let which): return which == .connectionSlot ? "timeout_connection_slot" : "timeout_" + which.rawValue
        case .tls(let failure):
            switch failure {
            case .hostnameMismatch: return "tls_hostname_mismatch"
            case .certificateExpired: return "tls_certificate_expired"
            case .certificateNotYetValid: return "tls_certificate_not_yet_valid"
            case .unknownCA: return "tls_unknown_ca"
            case .certificateRevoked: return "tls_certificate_revoked"
            case .verificationFailed: return "tls_verification_failed"
            case .handshake: return "tls_handshake"
            case .configuration: return "tls_configuration"
            }
        case .protocolViolation: return "protocol_violation"
        case .responseTooLarge: return "response_too_large"
        case .connectionClosedEarly: return "connection_closed_early"
        case .io: return "io"
        case .tooManyRedirects: return "too_many_redirects"
        }
    }

    /// A parser error as the client reports it: size limits as `.responseTooLarge`, an
    /// early end by where it happened, everything else as a protocol violation.
    init(_ error: HTTPResponseParserError, during: ClosedDuring) {
        switch error {
        case .headersTooLarge, .tooManyHeaders, .bodyTooLarge: self = .responseTooLarge
        case .incompleteMessage: self = .connectionClosedEarly(during)
        default: self = .protocolViolation(error)
        }
    }
}
