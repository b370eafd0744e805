/// The client's connections, per origin: idle ones kept for reuse (most recent first), and a
/// bound on how many are open at once.
///
/// A request checks out an idle connection that is still quiet and young enough, or a slot
/// for a new one (opened outside the lock, so a slow connect never holds up other origins),
/// or waits for either up to its connect deadline. Every checkout ends in exactly one
/// `checkIn` (kept if reusable and room remains, else closed) or `release` (the slot of a
/// connection that could not be opened).
final class ClientConnectionPool: Sendable {
    private struct Origin {
        var idle: [ClientConnection] = []
        /// Connections open (idle or in use) plus slots being opened.
        var open = 0
    }

    /// What a checkout got.
    enum Lease {
        case reused(ClientConnection)
        /// A slot is reserved: open a connection, then `checkIn` it or `release` the slot.
        case open
    }

    private let lock = ConditionLock()
    /// Guarded by `lock`. `nonisolated(unsafe)`: every access is inside `lock.withLock`.
    nonisolated(unsafe) private var origins: [HTTPOrigin: Origin] = [:]
    private let maxOpen: Int
    private let maxIdle: Int
    private let idleTimeout: UInt64

    init(maxOpenPerOrigin: Int, maxIdlePerOrigin: Int, idleTimeout: Duration) {
        maxOpen = max(1, maxOpenPerOrigin)
        maxIdle = max(0, min(maxIdlePerOrigin, maxOpenPerOrigin))
        self.idleTimeout = ClientDeadlines.nanoseconds(idleTimeout)
    }

    /// An idle connection or a slot for a new one; `.timeout(.connectionSlot)` if neither
    /// comes before `deadline`. `fresh` skips idle connections (the retry after a stale one).
    func checkOut(_ origin: HTTPOrigin, fresh: Bool, deadline: UInt64) throws(HTTPClientError) -> Lease {
        var stale: [ClientConnection] = []
        defer { stale.forEach { $0.close() } }
        return try lock.withLock { () throws(HTTPClientError) -> Lease in
            while true {
                var entry = origins[origin, default: Origin()]
                let now = Clock.monotonicNanoseconds()
                while !fresh, let candidate = entry.idle.popLast() {
                    if now &- candidate.idleSince < idleTimeout, candidate.isReusable {
                        origins[origin] = entry
                        return .reused(candidate)
                    }
                    stale.append(candidate)
                    entry.open -= 1
                }
                if fresh, entry.open >= maxOpen, let oldest = entry.idle.first {
                    // Make room by retiring an idle connection rather than waiting.
                    entry.idle.removeFirst()
                    stale.append(oldest)
                    entry.open -= 1
                }
                if entry.open < maxOpen {
                    entry.open += 1
                    origins[origin] = entry
                    return .open
                }
                origins[origin] = entry
                guard lock.wait(until: deadline), Clock.monotonicNanoseconds() < deadline else {
                    throw .timeout(.connectionSlot)
                }
            }
        }
    }

    /// Returns a connection after its exchange: kept idle if `reusable` and there is room,
    /// else closed. Wakes a waiter either way.
    func checkIn(_ connection: ClientConnection, reusable: Bool) {
        let keep = lock.withLock { () -> Bool in
            var entry = origins[connection.origin, default: Origin()]
            let keep = reusable && entry.idle.count < maxIdle
            if keep {
                connection.idleSince = Clock.monotonicNanoseconds()
                entry.idle.append(connection)
            } else {
                entry.open -= 1
            }
            origins[connection.origin] = entry
            lock.broadcast()
            return keep
        }
        if !keep { connection.close() }
    }

    /// Gives back the slot of a connection that could not be opened.
    func release(_ origin: HTTPOrigin) {
        lock.withLock {
            origins[origin, default: Origin()].open -= 1
            lock.broadcast()
        }
    }

    /// Closes every idle connection (those in use close when they come back unwanted).
    func closeIdle() {
        let idle = lock.withLock { () -> [ClientConnection] in
            var all: [ClientConnection] = []
            for (key, var entry) in origins {
                all += entry.idle
                entry.open -= entry.idle.count
                entry.idle.removeAll()
                origins[key] = entry
            }
            return all
        }
        idle.forEach { $0.close() }
    }

    /// Idle connections kept for `origin` (tests and metrics).
    func idleCount(_ origin: HTTPOrigin) -> Int {
        lock.withLock { origins[origin]?.idle.count ?? 0 }
    }
}
