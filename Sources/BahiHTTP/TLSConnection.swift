#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CTLS

/// One TLS client session over a `ClientSocket`, through memory BIOs.
///
/// OpenSSL never touches the socket: it reads ciphertext from one memory BIO and writes to
/// another, and this type moves the bytes with the socket's own calls. So every write goes
/// out with `MSG_NOSIGNAL` (OpenSSL's socket BIO uses `write`, which raises SIGPIPE on
/// Linux), every wait is the same deadline-bounded `poll`, and one request is one `send` of
/// all its records.
final class TLSConnection {
    let ssl: OpaquePointer
    private let incoming: OpaquePointer
    private let outgoing: OpaquePointer
    private var inbox = ByteBuffer(capacity: 16 * 1024)
    /// The server ended the stream with close_notify (not just a TCP close, which an
    /// attacker can forge to truncate a body that runs to the close).
    private(set) var closedCleanly = false

    init(context: TLSClientContext, origin: HTTPOrigin) throws(HTTPClientError) {
        guard let ssl = SSL_new(context.context) else { throw .tls(.configuration(TLSClientContext.openSSLErrorText())) }
        guard let incoming = BIO_new(BIO_s_mem()), let outgoing = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw .tls(.configuration("cannot allocate memory BIOs"))
        }
        SSL_set_bio(ssl, incoming, outgoing)  // the SSL owns both from here
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        SSL_set_connect_state(ssl)
        let configured: Bool
        if origin.hostIsIPv6 || origin.host.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }) {
            // An IP literal: no SNI (RFC 6066 §3), the certificate must name the address.
            configured = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), origin.host) == 1
        } else {
            // No partial wildcards ("w*.example.com"): RFC 6125 §7.2 advises against them.
            SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            configured = bahi_tls_set_sni(ssl, origin.host) == 1 && SSL_set1_host(ssl, origin.host) == 1
        }
        guard configured else { throw .tls(.configuration("cannot set the expected host \(origin.host)")) }
        context.offerSession(for: origin, to: ssl)
    }

    deinit { SSL_free(ssl) }

    /// True when the handshake resumed an earlier session instead of a full exchange.
    var sessionReused: Bool { SSL_session_reused(ssl) == 1 }

    /// Runs the handshake to completion, verifying the chain and the host name.
    func handshake(_ socket: ClientSocket, deadlines: ClientDeadlines) throws(HTTPClientError) {
        _ = try drive(socket, deadlines, handshake: true) { SSL_do_handshake(ssl) }
    }

    /// Sends close_notify without waiting (best effort: a full socket buffer or a gone peer
    /// is ignored). Besides telling the server the end is deliberate, it keeps the session
    /// resumable: OpenSSL marks the session of a connection freed without it unusable.
    func shutdown(_ socket: ClientSocket) {
        guard SSL_is_init_finished(ssl) == 1 else { return }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        let pending = Int(BIO_ctrl_pending(outgoing))
        guard pending > 0 else { return }
        var records = [UInt8](repeating: 0, count: pending)
        let n = records.withUnsafeMutableBytes { BIO_read(outgoing, $0.baseAddress, Int32(pending)) }
        guard n > 0 else { return }
        _ = records.withUnsafeBytes { Glibc.send(socket.fd, $0.baseAddress, Int(n), Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
        ERR_clear_error()
    }

    /// Encrypts `first` and `second` and sends the records in one `send`.
    func write(_ first: [UInt8], _ second: [UInt8], socket: ClientSocket, deadlines: ClientDeadlines) throws(HTTPClientError) {
        let plain = second.isEmpty ? first : first + second
        guard !plain.isEmpty else { return }
        _ = try drive(socket, deadlines, handshake: false) {
            plain.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        }
    }

    /// Decrypts what arrives into `buffer`; 0 at the end of the stream.
    func read(into buffer: inout ByteBuffer, socket: ClientSocket, deadlines: ClientDeadlines) throws(HTTPClientError) -> Int {
        let n = try drive(socket, deadlines, handshake: false) {
            Int32(buffer.writeWithUnsafeMutableBytes(minimumWritable: 16 * 1024) { raw in
                Int(SSL_read(ssl, raw.baseAddress, Int32(min(raw.count, Int(Int32.max)))))
            })
        }
        return Int(n)
    }

    /// Repeats an OpenSSL call, moving ciphertext between the BIOs and the socket, until it
    /// makes progress (> 0), the stream ends (0) or it fails.
    private func drive(_ socket: ClientSocket, _ deadlines: ClientDeadlines, handshake: Bool, _ operation: () -> Int32) throws(HTTPClientError) -> Int32 {
        while true {
            ERR_clear_error()
            let rc = operation()
            let code = rc > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, rc)
            try flush(socket, deadlines)
            switch code {
            case SSL_ERROR_NONE:
                return rc
            case SSL_ERROR_WANT_READ:
                let n = try socket.receive(into: &inbox, deadlines: deadlines)
                if n == 0 {
                    if handshake { throw .tls(.handshake("the server closed the connection during the handshake")) }
                    return 0
                }
                inbox.withUnsafeReadableBytes { raw in _ = BIO_write(incoming, raw.baseAddress, Int32(raw.count)) }
                inbox.clear()
            case SSL_ERROR_WANT_WRITE:
                continue
            case SSL_ERROR_ZERO_RETURN:
                closedCleanly = true
                return 0
            default:
                throw handshake ? .tls(failure()) : .io(call: "SSL_read/SSL_write", errno: code == SSL_ERROR_SYSCALL ? errno : EPROTO)
            }
        }
    }

    /// Sends whatever OpenSSL has written to the outgoing BIO, in one `send`.
    private func flush(_ socket: ClientSocket, _ deadlines: ClientDeadlines) throws(HTTPClientError) {
        let pending = Int(BIO_ctrl_pending(outgoing))
        guard pending > 0 else { return }
        var records = [UInt8](repeating: 0, count: pending)
        let n = records.withUnsafeMutableBytes { BIO_read(outgoing, $0.baseAddress, Int32(pending)) }
        guard n > 0 else { return }
        if Int(n) < pending { records.removeLast(pending - Int(n)) }
        try socket.send(records, deadlines: deadlines)
    }

    /// Why the handshake failed: the certificate verdict when there is one, else OpenSSL's
    /// error text.
    private func failure() -> HTTPClientError.TLSFailure {
        let verdict = SSL_get_verify_result(ssl)
        guard verdict != Int(X509_V_OK) else { return .handshake(TLSClientContext.openSSLErrorText()) }
        ERR_clear_error()
        return TLSConnection.failure(verifyResult: Int32(truncatingIfNeeded: verdict))
    }

    /// Names OpenSSL's X509_V_ERR codes.
    static func failure(verifyResult code: Int32) -> HTTPClientError.TLSFailure {
        switch code {
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            return .hostnameMismatch
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return .certificateExpired
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return .certificateNotYetValid
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
             X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return .unknownCA
        case X509_V_ERR_CERT_REVOKED:
            return .certificateRevoked
        default:
            return .verificationFailed(code: Int(code), reason: String(cString: X509_verify_cert_error_string(Int(code))))
        }
    }
}
