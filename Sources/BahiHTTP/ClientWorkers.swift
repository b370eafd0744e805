#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystem

/// A few threads of the client's own that run blocking exchanges for its async API, so a
/// task awaiting a response never blocks a thread of Swift's cooperative pool (or an event
/// loop). Started on first use; jobs wait in order when all are busy, which also bounds how
/// many async requests are in flight at once.
///
/// `@unchecked Sendable`: `jobs`, `started` and `stopping` are only touched under `lock`.
final class ClientWorkers: @unchecked Sendable {
    private let lock = ConditionLock()
    private var jobs: [@Sendable () -> Void] = []
    private var jobHead = 0
    private var started = 0
    private var idle = 0
    private var stopping = false
    private let count: Int

    init(count: Int) {
        self.count = max(1, count)
    }

    /// Queues `job`; starts another thread when none is idle and fewer than `count` run.
    func submit(_ job: @escaping @Sendable () -> Void) {
        let startThread = lock.withLock { () -> Bool in
            jobs.append(job)
            lock.broadcast()
            guard idle == 0, started < count, !stopping else { return false }
            started += 1
            return true
        }
        if startThread, !spawn() {
            // No thread could be made: run it here rather than lose it.
            lock.withLock { started -= 1 }
            runQueued()
        }
    }

    /// Lets the threads finish the queued jobs and exit.
    func shutdown() {
        lock.withLock {
            stopping = true
            lock.broadcast()
        }
    }

    private func spawn() -> Bool {
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let workers = Unmanaged<ClientWorkers>.fromOpaque(raw).takeRetainedValue()
            #if os(Linux)
            bahi_set_thread_name("bahi-client")
            #endif
            workers.run()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<ClientWorkers>.fromOpaque(box).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    private func next(waiting: Bool) -> (@Sendable () -> Void)? {
        lock.withLock {
            while jobHead == jobs.count {
                if stopping || !waiting { return nil }
                idle += 1
                lock.wait(until: nil)
                idle -= 1
            }
            let job = jobs[jobHead]
            jobHead += 1
            if jobHead == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                jobHead = 0
            }
            return job
        }
    }

    private func run() {
        while let job = next(waiting: true) { job() }
        lock.withLock { started -= 1 }
    }

    private func runQueued() {
        while let job = next(waiting: false) { job() }
    }
}
