import Dispatch
import Synchronization

/// Copies committed WAL frames into the database file on its own thread.
///
/// Why: SQLite's automatic checkpoint runs inside the COMMIT that crosses the threshold, on
/// the writer thread, so every few hundred commits one caller's batch waits while thousands
/// of pages are written and fsynced. With the writer's `wal_autocheckpoint` off, this thread
/// runs `PRAGMA wal_checkpoint(PASSIVE)` every `interval` on a connection of its own:
/// passive checkpoints never block the writer or readers, and the second core does the
/// copying. Durability is unchanged — commits are durable in the WAL (`synchronous=FULL`
/// fsyncs it); the checkpoint fsyncs the database file before the WAL is reused.
final class Checkpointer: Sendable {
    private let stopping = Mutex<Bool>(false)
    /// Set once the thread runs; `stop` waits only for a thread that exists.
    private let started = Mutex<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    let interval: Duration

    init(interval: Duration = .milliseconds(100)) {
        self.interval = interval
    }

    /// Starts the thread, which opens its own connection (as the writer does: a connection
    /// lives and dies on the thread that uses it), and returns once it is open.
    func start(path: String, synchronous: Connection.Synchronous, busyTimeout: Duration) async throws {
        let ms = max(1, Int(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000))
        try await withCheckedThrowingContinuation { (opened: CheckedContinuation<Void, any Error>) in
            startThread(name: "bahi.store.checkpoint") { [self] in
                let db: Connection
                do {
                    db = try Connection(path: path, mode: .readWrite, synchronous: synchronous, busyTimeout: busyTimeout)
                } catch {
                    opened.resume(throwing: error)
                    return
                }
                started.withLock { $0 = true }
                opened.resume()
                while !stopping.withLock({ $0 }) {
                    _ = wake.wait(timeout: .now() + .milliseconds(ms))
                    _ = try? db.query("PRAGMA wal_checkpoint(PASSIVE)") { _ in () }
                }
                _ = try? db.query("PRAGMA wal_checkpoint(PASSIVE)") { _ in () }
                db.close()
                finished.signal()
            }
        }
    }

    /// Stops the thread after one last checkpoint and waits for it.
    func stop() {
        let first = stopping.withLock { stop -> Bool in
            defer { stop = true }
            return !stop
        }
        guard first, started.withLock({ $0 }) else { return }
        wake.signal()
        finished.wait()
    }
}
