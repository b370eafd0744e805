import CTLS
import Synchronization

/// The client's OpenSSL context: protocol floor, trust store and the TLS sessions kept per
/// origin for resumption.
///
/// Verification is always on: `SSL_VERIFY_PEER` against the system's trust store
/// (`SSL_CTX_set_default_verify_paths`) or the configured CA file, and each connection
/// checks the host name (`SSL_set1_host`, or the IP address for an IP literal). There is no
/// switch to turn it off: a test trusts its own CA instead.
///
/// `@unchecked Sendable`: the `SSL_CTX` is configured once in `init` and afterwards only
/// used to create `SSL` objects, which OpenSSL documents as safe from many threads; the
/// session table is only touched under its `Mutex`, and each `SSL_SESSION` in it is
/// reference-counted (taken with `SSL_get1_session`, handed to `SSL_set_session` — which
/// takes its own reference — while the lock is held, freed once when replaced).
final class TLSClientContext: @unchecked Sendable {
    let context: OpaquePointer
    private let sessions = Mutex<[HTTPOrigin: Session]>([:])

    /// A kept `SSL_SESSION`. `@unchecked Sendable`: an established session is not modified
    /// by resuming it, and OpenSSL reference-counts it atomically, so one may be handed to
    /// connections on any thread (the table's lock orders taking and freeing it).
    private struct Session: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    init(configuration: TLSClientConfiguration) throws(HTTPClientError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .tls(.configuration(TLSClientContext.openSSLErrorText()))
        }
        let floor = configuration.minimumVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        guard bahi_tls_ctx_set_min_version(context, floor) == 1 else {
            SSL_CTX_free(context)
            throw .tls(.configuration("cannot set the minimum protocol version"))
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let loaded: Int32
        if let caFile = configuration.caFile {
            loaded = SSL_CTX_load_verify_locations(context, caFile, nil)
        } else {
            loaded = SSL_CTX_set_default_verify_paths(context)
        }
        guard loaded == 1 else {
            let reason = TLSClientContext.openSSLErrorText()
            SSL_CTX_free(context)
            throw .tls(.configuration("cannot load trusted certificates from \(configuration.caFile ?? "the system store"): \(reason)"))
        }
        // No internal client session cache: sessions are kept here, per origin. (With the
        // cache on, freeing a connection that was not shut down with close_notify marks its
        // session not resumable — and that is how most HTTP connections end.)
        self.context = context
    }

    deinit {
        sessions.withLock { table in
            for session in table.values { SSL_SESSION_free(session.pointer) }
            table.removeAll()
        }
        SSL_CTX_free(context)
    }

    /// Offers the origin's last session on a new connection, if one is kept.
    func offerSession(for origin: HTTPOrigin, to ssl: OpaquePointer) {
        sessions.withLock { table in
            if let session = table[origin] { SSL_set_session(ssl, session.pointer) }
        }
    }

    /// Keeps the connection's session for the origin's next connection, if it can resume.
    func keepSession(for origin: HTTPOrigin, from ssl: OpaquePointer) {
        guard let session = SSL_get1_session(ssl) else { return }
        guard SSL_SESSION_is_resumable(session) == 1 else {
            SSL_SESSION_free(session)
            return
        }
        let kept = Session(pointer: session)
        let replaced = sessions.withLock { table in table.updateValue(kept, forKey: origin) }
        // SSL_get1_session took a reference: the table owns it now, and the one it replaced
        // (possibly the same session, if this connection resumed it) gives its reference back.
        if let replaced { SSL_SESSION_free(replaced.pointer) }
    }

    /// Drops the origin's session (after a failed handshake it must not be offered again).
    func forgetSession(for origin: HTTPOrigin) {
        let removed = sessions.withLock { table in table.removeValue(forKey: origin) }
        if let removed { SSL_SESSION_free(removed.pointer) }
    }

    /// The oldest queued OpenSSL error as text (and the queue cleared).
    static func openSSLErrorText() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown error" }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
