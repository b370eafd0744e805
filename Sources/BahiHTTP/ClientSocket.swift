#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The deadlines of one exchange, as monotonic nanoseconds: each wait for the socket ends
/// at the earliest that applies, and a wait that runs out says which one it was.
struct ClientDeadlines {
    /// The end of the whole exchange.
    var total: UInt64
    /// The end of connecting (name, TCP, TLS handshake) while `connecting`.
    var connect: UInt64
    /// The longest silence once connected.
    var read: UInt64
    var connecting = false

    init(timeouts: HTTPClientTimeouts, now: UInt64 = Clock.monotonicNanoseconds()) {
        total = now &+ ClientDeadlines.nanoseconds(timeouts.total)
        connect = now &+ ClientDeadlines.nanoseconds(timeouts.connect)
        read = ClientDeadlines.nanoseconds(timeouts.read)
    }

    /// Starts the connect phase now (a fresh connection gets the whole connect timeout).
    mutating func beginConnecting(_ timeouts: HTTPClientTimeouts, now: UInt64 = Clock.monotonicNanoseconds()) {
        connect = now &+ ClientDeadlines.nanoseconds(timeouts.connect)
        connecting = true
    }

    /// When the current wait must end and which timeout that would be.
    func end(now: UInt64) -> (at: UInt64, kind: HTTPClientError.Timeout) {
        let phase: (UInt64, HTTPClientError.Timeout) = connecting ? (connect, .connect) : (now &+ read, .read)
        return phase.0 < total ? (phase.0, phase.1) : (total, .total)
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }
}

/// A non-blocking client socket: connect, send and receive, each bounded by the exchange's
/// deadlines through `poll`.
///
/// Non-blocking with `poll` rather than blocking calls with `SO_RCVTIMEO`: one mechanism
/// bounds the connect (a blocking `connect` has no timeout of its own), every read and
/// write, and the TLS handshake, and a wait can end at whichever deadline comes first — the
/// read timeout or the total one — and say which. The calling thread blocks in `poll`; the
/// client runs it on its own worker threads, never on an event loop or the cooperative pool.
struct ClientSocket {
    let fd: Int32

    /// Resolves `host` and connects to the first address that accepts, trying each in turn.
    /// `allow` sees each address first; one it refuses is never connected to.
    static func connect(host: String, port: Int, allow: (@Sendable (HTTPResolvedAddress) -> Bool)?, deadlines: ClientDeadlines) throws(HTTPClientError) -> ClientSocket {
        let (result, rc) = Socket.resolve(host: host, port: port, flags: AI_ADDRCONFIG)
        guard rc == 0, let first = result else {
            let reason = rc == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(rc))
            throw .dns(host: host, reason: reason)
        }
        defer { freeaddrinfo(result) }
        var lastError = HTTPClientError.connectFailed(host: host, port: port, errno: EADDRNOTAVAIL)
        var refused = false
        var disallowed: String?
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            next = info.pointee.ai_next
            if let allow {
                let address = HTTPResolvedAddress(host: host, address: info.pointee)
                guard allow(address) else {
                    disallowed = disallowed ?? address.ip
                    continue
                }
            }
            do {
                return try connect(to: info.pointee, deadlines: deadlines)
            } catch .connectionRefused {
                refused = true
            } catch .timeout(let kind) {
                throw .timeout(kind)
            } catch let error {
                lastError = error
            }
        }
        if refused { throw .connectionRefused(host: host, port: port) }
        if let disallowed { throw .addressRefused(host: host, address: disallowed) }
        if case .connectFailed(_, _, let errno) = lastError { throw .connectFailed(host: host, port: port, errno: errno) }
        throw lastError
    }

    private static func connect(to info: addrinfo, deadlines: ClientDeadlines) throws(HTTPClientError) -> ClientSocket {
        let fd = Socket.streamSocket(family: info.ai_family)
        guard fd >= 0 else { throw .connectFailed(host: "", port: 0, errno: errno) }
        let socket = ClientSocket(fd: fd)
        Socket.setNoDelay(fd)
        if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            let e = errno
            guard e == EINPROGRESS || e == EINTR else {
                socket.close()
                throw e == ECONNREFUSED ? .connectionRefused(host: "", port: 0) : .connectFailed(host: "", port: 0, errno: e)
            }
            do {
                try socket.wait(for: Int16(POLLOUT), deadlines: deadlines)
            } catch let error {
                socket.close()
                throw error
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError != 0 {
                socket.close()
                throw soError == ECONNREFUSED ? .connectionRefused(host: "", port: 0) : .connectFailed(host: "", port: 0, errno: soError)
            }
        }
        return socket
    }

    /// Waits until the socket is ready for `events`, or throws the timeout that ran out.
    func wait(for events: Int16, deadlines: ClientDeadlines) throws(HTTPClientError) {
        // The end is fixed once: a poll that returns early (EINTR) must not restart the read
        // timeout.
        let (end, kind) = deadlines.end(now: Clock.monotonicNanoseconds())
        while true {
            let now = Clock.monotonicNanoseconds()
            guard end > now else { throw .timeout(kind) }
            let milliseconds = Int32(min((end - now + 999_999) / 1_000_000, UInt64(Int32.max)))
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&entry, 1, milliseconds)
            if rc > 0 { return }
            if rc < 0, errno != EINTR { throw .io(call: "poll", errno: errno) }
        }
    }

    /// Sends every byte of `first` then `second` with as few `sendmsg` calls as the socket
    /// allows (one, unless its buffer fills), with `MSG_NOSIGNAL`: a peer that has gone away
    /// is an `EPIPE` error here, never a SIGPIPE for the process.
    func send(_ first: [UInt8], _ second: [UInt8] = [], deadlines: ClientDeadlines) throws(HTTPClientError) {
        let total = first.count + second.count
        var offset = 0
        while offset < total {
            let sent = first.withUnsafeBytes { a in
                second.withUnsafeBytes { b in sendOnce(a, b, skipping: offset) }
            }
            if sent < 0 {
                let e = errno
                if e == EINTR { continue }
                guard e == EAGAIN || e == EWOULDBLOCK else { throw .io(call: "send", errno: e) }
                try wait(for: Int16(POLLOUT), deadlines: deadlines)
                continue
            }
            offset += sent
        }
    }

    /// One `sendmsg` over what is left of `a` then `b` after `skip` bytes.
    private func sendOnce(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, skipping skip: Int) -> Int {
        var vectors: [iovec] = []
        if skip < a.count, let base = a.baseAddress {
            vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base + skip), iov_len: a.count - skip))
        }
        let intoB = max(0, skip - a.count)
        if intoB < b.count, let base = b.baseAddress {
            vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base + intoB), iov_len: b.count - intoB))
        }
        return vectors.withUnsafeMutableBufferPointer { pointer in
            var message = msghdr()
            message.msg_iov = pointer.baseAddress
            message.msg_iovlen = pointer.count
            return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
        }
    }

    /// Receives what is waiting into `buffer` (waiting for it if nothing is); returns the
    /// count, 0 at the peer's close.
    func receive(into buffer: inout ByteBuffer, deadlines: ClientDeadlines) throws(HTTPClientError) -> Int {
        while true {
            let n = buffer.writeWithUnsafeMutableBytes(minimumWritable: 16 * 1024) { raw in
                recv(fd, raw.baseAddress, raw.count, 0)
            }
            if n >= 0 { return n }
            let e = errno
            if e == EINTR { continue }
            guard e == EAGAIN || e == EWOULDBLOCK else { throw .io(call: "recv", errno: e) }
            try wait(for: Int16(POLLIN), deadlines: deadlines)
        }
    }

    /// True if the idle socket has nothing to say: no byte, no close, no error. A pooled
    /// connection the server closed (or wrote to unasked) fails this and is not reused.
    func isQuiet() -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 0
    }

    func close() {
        _ = Glibc.close(fd)
    }
}

/// One address a host name resolved to, shown to `HTTPClientConfiguration.allowAddress`
/// before the client connects to it: the check against private and link-local networks
/// (server-side request forgery) belongs after DNS, where a name that resolves to
/// 127.0.0.1 or 169.254.169.254 is finally visible.
public struct HTTPResolvedAddress: Sendable, Equatable {
    /// The name that was resolved.
    public var host: String
    /// The address in numeric form (`127.0.0.1`, `::1`).
    public var ip: String
    public var isIPv6: Bool

    public init(host: String, ip: String, isIPv6: Bool) {
        self.host = host
        self.ip = ip
        self.isIPv6 = isIPv6
    }

    init(host: String, address info: addrinfo) {
        var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let rc = getnameinfo(info.ai_addr, info.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST)
        let ip = rc == 0 ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        self.init(host: host, ip: ip, isIPv6: info.ai_family == AF_INET6)
    }
}
