import Synchronization

/// Wakes long-polling readers of the event feed when a write has committed.
///
/// Waiters re-query after each wake-up, so a spurious wake costs one read and a missed one
/// is impossible: `signal` is called after every commit, and a waiter registers before it
/// re-checks.
public final class EventNotifier: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
        /// Waits whose timeout fired before their continuation was registered.
        var expired: Set<UInt64> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// The number of signals so far; pass it to `wait(since:timeout:)`.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiter.
    public func signal() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.generation &+= 1
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when a signal newer than `generation` arrives or `timeout` passes.
    public func wait(since generation: UInt64, timeout: Duration) async {
        let id = state.withLock { s -> UInt64 in
            s.nextID &+= 1
            return s.nextID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { s -> Bool in
                        if s.generation != generation || s.expired.remove(id) != nil { return true }
                        s.waiters[id] = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                let continuation = self.state.withLock { s -> CheckedContinuation<Void, Never>? in
                    if let waiting = s.waiters.removeValue(forKey: id) { return waiting }
                    s.expired.insert(id)
                    return nil
                }
                continuation?.resume()
            }
            await group.next()
            group.cancelAll()
            await group.waitForAll()
            self.state.withLock { _ = $0.expired.remove(id) }
        }
    }
}
