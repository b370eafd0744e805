/// Everything the server needs to know before it listens.
public struct HTTPServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    /// 0 picks a free port (tests); `HTTPServer.port` tells which.
    public var port: Int = 8080
    public var backlog: Int32 = 1024
    /// Connections beyond this are answered 503 and closed at once.
    public var maxConnections: Int = 10_000
    /// Per-connection limits and timeouts.
    public var connection = HTTPConnectionStateMachine.Configuration()
    /// How many event loops (threads) own connections (one per core by default).
    public var ioQueueCount: Int = HTTPServerConfiguration.processorCount
    /// The event loops' kind: `epoll` (Linux, faster) or `dispatch` (portable).
    public var io: IOBackend = .platformDefault
    /// How long a graceful drain waits for in-flight requests before closing everything.
    public var drainTimeout: Duration = .seconds(10)
    public var accessLog: AccessLog = .standardOutput
    /// Where the server explains a 503 it answers itself (over the connection cap); handler
    /// failures are explained by the responder's log (`Router.errorLog`).
    public var errorLog: ErrorLog = .standardOutput

    public init() {}

    /// Online processors, at least 1.
    public static var processorCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// How often each event loop checks timeouts and flushes its log: a quarter of the
    /// shortest timeout, between 10 ms and 1 s.
    var tickInterval: Duration {
        let shortest = min(connection.headerTimeout, connection.bodyIdleTimeout, connection.keepAliveTimeout)
        return max(.milliseconds(10), min(.seconds(1), shortest / 4))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
