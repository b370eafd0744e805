import CSystem
import Foundation

/// A first-in first-out queue with O(1) amortized push and pop.
///
/// Why not `Array.removeFirst()`: under load thousands of calls can be queued, and shifting
/// the whole array on every pop would make draining the queue quadratic.
struct FIFO<Element> {
    private var items: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    var first: Element? { isEmpty ? nil : items[head] }

    mutating func append(_ element: Element) {
        items.append(element)
    }

    mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        let element = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Puts elements back at the front, in order (work that must run before anything queued).
    mutating func prepend(contentsOf elements: some Collection<Element>) {
        items.replaceSubrange(0..<head, with: elements)
        head = 0
    }
}

/// Starts a dedicated, named OS thread for blocking SQLite work.
///
/// Why threads and not Dispatch or tasks: SQLite calls block (on locks, fsync, disk reads),
/// and blocking the Swift cooperative pool or Dispatch's global queues would starve unrelated
/// work. A few long-lived threads that sleep when idle cost nothing and keep each connection
/// confined to one thread.
func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread {
        // The kernel's name too (15 bytes), so `top -H` and /proc show which thread is busy;
        // otherwise it inherits its creator's (often a Dispatch queue's).
        String(name.suffix(15)).withCString { bahi_set_thread_name($0) }
        body()
    }
    thread.name = name
    thread.start()
}

/// Wall-clock Unix time in milliseconds (DESIGN §2: time is stored as Int64 Unix ms UTC).
func unixMilliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}
