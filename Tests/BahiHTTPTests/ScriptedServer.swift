import Foundation
import Synchronization
import CTLS

/// A loopback TCP server that says exactly what a test scripts: each accepted connection runs
/// the script on its own thread with a `ScriptedPeer` (plain, or TLS through an in-process
/// OpenSSL server context), then is closed. It counts the connections it accepted, which is
/// how tests prove reuse.
final class ScriptedServer: Sendable {
    let port: Int
    private let fd: Int32
    private let acceptedCount = Atomic<Int>(0)
    private let requestLog = Mutex<[String]>([])

    /// Connections accepted so far.
    var accepted: Int { acceptedCount.load(ordering: .acquiring) }
    /// Every request head (and body) the peers read, in order.
    var requests: [String] { requestLog.withLock { $0 } }

    init(tls: TestTLSServerContext? = nil, script: @escaping @Sendable (ScriptedPeer, Int) -> Void) throws {
        signal(SIGPIPE, SIG_IGN)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ScriptError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw ScriptError("bind/listen errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: addr.sin_port))
        let server = self
        Thread {
            var index = 0
            while true {
                let peerFD = accept(fd, nil, nil)
                if peerFD < 0 {
                    if errno == EINTR { continue }
                    return
                }
                server.acceptedCount.add(1, ordering: .releasing)
                let n = index
                index += 1
                Thread {
                    guard let peer = ScriptedPeer(fd: peerFD, tls: tls, log: { text in server.requestLog.withLock { $0.append(text) } }) else { return }
                    script(peer, n)
                    peer.close()
                }.start()
            }
        }.start()
    }

    /// Stops accepting (connections in progress finish their scripts).
    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    /// A port nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let server = try ScriptedServer { _, _ in }
        server.stop()
        return server.port
    }
}

struct ScriptError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One accepted connection as a script sees it: read a request, send bytes (all at once,
/// byte by byte, slowly), close.
final class ScriptedPeer {
    let fd: Int32
    private let ssl: OpaquePointer?
    private var buffer: [UInt8] = []
    private var aborted = false
    private let log: (String) -> Void

    init?(fd: Int32, tls: TestTLSServerContext?, log: @escaping (String) -> Void) {
        self.fd = fd
        self.log = log
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if let tls {
            guard let ssl = SSL_new(tls.context) else { Foundation.close(fd); return nil }
            SSL_set_fd(ssl, fd)
            guard SSL_accept(ssl) == 1 else {
                // The client refused the certificate (or gave up): nothing to serve.
                SSL_free(ssl)
                Foundation.close(fd)
                return nil
            }
            self.ssl = ssl
        } else {
            ssl = nil
        }
    }

    /// Reads one request (head, then a Content-Length body); nil if the client closed first.
    @discardableResult
    func readRequest() -> String? {
        while true {
            if let end = find([13, 10, 13, 10]) {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                var length = 0
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
                }
                while buffer.count < end + 4 + length {
                    guard fill() else { return nil }
                }
                let text = String(decoding: buffer[..<(end + 4 + length)], as: UTF8.self)
                buffer.removeFirst(end + 4 + length)
                log(text)
                return text
            }
            guard fill() else { return nil }
        }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// The server's port, as this connection sees it.
    var localPort: Int {
        var addr = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { raw -> Int in
                if let ssl { return Int(SSL_write(ssl, raw.baseAddress, Int32(raw.count))) }
                return Foundation.send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { return }
            offset += n
        }
    }

    /// Sends one byte at a time, `pause` apart.
    func sendSlowly(_ text: String, pause: TimeInterval = 0) {
        for byte in Array(text.utf8) {
            send([byte])
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        }
    }

    /// Waits (reading and discarding) until the client closes, at most `seconds`.
    func waitForClose(seconds: Int = 5) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        while fill() {}
    }

    /// Ends the connection without a TLS close_notify (a bare TCP close, as a truncating
    /// attacker would); the script's own end then finds it closed.
    func abort() {
        guard !aborted else { return }
        aborted = true
        Foundation.close(fd)
    }

    func close() {
        if aborted {
            if let ssl { SSL_free(ssl) }
            return
        }
        if let ssl {
            SSL_shutdown(ssl)
            SSL_free(ssl)
        }
        Foundation.close(fd)
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { raw -> Int in
            if let ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
            return recv(fd, raw.baseAddress, raw.count, 0)
        }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] && Array(buffer[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}

/// An OpenSSL server context for `ScriptedServer`: a certificate chain and key from PEM files.
///
/// `@unchecked Sendable`: configured once in `init`, then only used to create `SSL` objects.
final class TestTLSServerContext: @unchecked Sendable {
    let context: OpaquePointer

    init(certificateChain: String, key: String) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw ScriptError("SSL_CTX_new") }
        guard SSL_CTX_use_certificate_chain_file(context, certificateChain) == 1,
              SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
            SSL_CTX_free(context)
            throw ScriptError("cannot load \(certificateChain) / \(key)")
        }
        self.context = context
    }

    deinit { SSL_CTX_free(context) }
}
