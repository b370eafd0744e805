#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystem

/// The listening socket, registered (level-triggered) with the first event loop, which
/// accepts in batches and hands each connection to `admit`.
///
/// Why on a loop rather than its own Dispatch source: one more loop registration costs
/// nothing, where a source kept libdispatch's manager thread in the picture (with a new
/// connection per request, CPU per request fell from ~44 to ~30 µs against the Dispatch
/// listener and queues). Level-triggered so that a batch cap (fairness with that loop's
/// connections) never strands a waiting connection: the next `epoll_wait` reports it again.
///
/// `@unchecked Sendable`: every mutable property is touched only on its loop's thread
/// (events, and `close` through `EventLoop.submit`).
final class Listener: EventLoopHandler, @unchecked Sendable {
    let fd: Int32
    let loop: any EventLoop
    /// Kept open so that at EMFILE one descriptor can be freed to accept and drop a connection.
    private var spareFD: Int32
    private var closed = false
    private let admit: @Sendable (Int32) -> Void

    init(fd: Int32, loop: any EventLoop, admit: @escaping @Sendable (Int32) -> Void) {
        self.fd = fd
        self.loop = loop
        self.spareFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
        self.admit = admit
    }

    /// Registers with the loop. Loop thread only.
    func register() throws(SocketError) {
        try loop.register(fd: fd, events: IOEvent.input, handler: self)
    }

    func handleEvents(_ events: UInt32) {
        acceptBatch()
    }

    /// Accepts every pending connection (up to a batch), surviving EMFILE with the spare
    /// descriptor trick: release the spare, accept and close the connection we cannot serve,
    /// take the spare back — so the backlog drains instead of spinning.
    private func acceptBatch() {
        for _ in 0..<128 {
            guard !closed else { return }
            let client = bahi_accept_nonblocking(fd)
            if client < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE:
                    if spareFD >= 0 { Glibc.close(spareFD) }
                    let victim = bahi_accept_nonblocking(fd)
                    if victim >= 0 { Glibc.close(victim) }
                    spareFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
                    return
                default:
                    return
                }
            }
            admit(client)
        }
    }

    /// Stops accepting: out of epoll first, then closed. Loop thread only.
    func close() {
        guard !closed else { return }
        closed = true
        loop.close(fd: fd)
        if spareFD >= 0 { Glibc.close(spareFD) }
        spareFD = -1
    }
}
