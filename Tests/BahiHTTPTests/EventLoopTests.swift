import Foundation
import Synchronization
import Testing
#if os(Linux)
import CSystem
#endif
@testable import BahiHTTP
import BahiTestSupport

/// Records what a registered descriptor delivered, and on which thread.
final class PipeReader: EventLoopHandler, @unchecked Sendable {
    // Safe: `fd` is immutable; everything mutable is behind the mutex.
    let fd: Int32
    unowned let loop: any EventLoop
    let received = Mutex<(bytes: [UInt8], events: Int, offLoop: Int)>(([], 0, 0))

    init(fd: Int32, loop: any EventLoop) {
        self.fd = fd
        self.loop = loop
    }

    func handleEvents(_ events: UInt32) {
        let onLoop = loop.inLoop
        var chunk = [UInt8](repeating: 0, count: 64)
        var got: [UInt8] = []
        while true {  // edge-triggered: read to EAGAIN
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 64) }
            if n <= 0 { break }
            got.append(contentsOf: chunk[0..<n])
        }
        received.withLock { state in
            state.bytes.append(contentsOf: got)
            state.events += 1
            if !onLoop { state.offLoop += 1 }
        }
    }
}

/// Counts output events.
final class EventCounter: EventLoopHandler, Sendable {
    let outputs = Atomic<Int>(0)
    func handleEvents(_ events: UInt32) {
        if events & IOEvent.output != 0 { outputs.add(1, ordering: .relaxed) }
    }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ seconds: Double = 5, _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

@Suite struct EventLoopTests {
    @Test(arguments: IOBackend.allCases) func jobsFromOtherThreadsWakeTheIdleLoopAndRunOnIt(io: IOBackend) async throws {
        let loop = io.makeLoop(name: "test-loop")
        try loop.start()
        defer { loop.stop() }
        // No timers: the loop sleeps in epoll_wait(-1) and only the eventfd can wake it.
        try await Task.sleep(for: .milliseconds(20))
        #expect(await loop.submit { loop.inLoop })
        #expect(!loop.inLoop)

        let ran = Atomic<Int>(0)
        let offLoop = Atomic<Int>(0)
        let threads = 4, perThread = 500
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<perThread {
                loop.execute {
                    if !loop.inLoop { offLoop.add(1, ordering: .relaxed) }
                    ran.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(await eventually { ran.load(ordering: .relaxed) == threads * perThread })
        #expect(offLoop.load(ordering: .relaxed) == 0)
    }

    /// Round trips from several tasks at once: the loop keeps going idle between jobs, which
    /// is where a lost wake-up would leave a `submit` waiting for ever.
    @Test(.timeLimit(.minutes(1)), arguments: IOBackend.allCases) func noWakeUpIsLostWhenTheLoopGoesIdleBetweenJobs(io: IOBackend) async throws {
        let loop = io.makeLoop(name: "test-loop")
        try loop.start()
        defer { loop.stop() }
        let total = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var done = 0
                    for _ in 0..<2000 { if await loop.submit({ loop.inLoop }) { done += 1 } }
                    return done
                }
            }
            return await group.reduce(0, +)
        }
        #expect(total == 8000)
    }

    @Test(arguments: IOBackend.allCases) func jobsQueuedOnTheLoopRunAfterTheCurrentOne(io: IOBackend) async throws {
        let loop = io.makeLoop(name: "test-loop")
        try loop.start()
        defer { loop.stop() }
        let order = Mutex<[String]>([])
        await loop.submit {
            loop.execute { order.withLock { $0.append("queued") } }
            order.withLock { $0.append("current") }
        }
        #expect(await eventually { order.withLock { $0.count } == 2 })
        #expect(order.withLock { $0 } == ["current", "queued"])
    }

    @Test(arguments: IOBackend.allCases) func jobsHandedOverBeforeStartRunOnceItStarts(io: IOBackend) async throws {
        let loop = io.makeLoop(name: "test-loop")
        let ranOnLoop = Atomic<Bool>(false)
        loop.execute { ranOnLoop.store(loop.inLoop, ordering: .relaxed) }
        try loop.start()
        defer { loop.stop() }
        #expect(await eventually { ranOnLoop.load(ordering: .relaxed) })
    }

    @Test(arguments: IOBackend.allCases) func executorRunsTasksOnTheLoopBeforeAndAfterSuspending(io: IOBackend) async throws {
        let loop = io.makeLoop(name: "test-loop")
        try loop.start()
        defer { loop.stop() }
        let executor = EventLoopExecutor(loop: loop)
        let (before, after) = await Task(executorPreference: executor) { () -> (Bool, Bool) in
            let before = executor.isCurrent
            try? await Task.sleep(for: .milliseconds(10))  // resumes through `enqueue`
            return (before, executor.isCurrent)
        }.value
        #expect(before)
        #expect(after)
    }

    @Test(arguments: IOBackend.allCases) func repeatingTimerTicksOnTheLoopUntilCancelled(io: IOBackend) async throws {
        let loop = io.makeLoop(name: "test-loop")
        try loop.start()
        defer { loop.stop() }
        let ticks = Atomic<Int>(0)
        let offLoop = Atomic<Int>(0)
        let id = await loop.submit {
            loop.scheduleRepeating(every: .milliseconds(10)) {
                if !loop.inLoop { offLoop.add(1, ordering: .relaxed) }
                ticks.add(1, ordering: .relaxed)
            }
        }
        #expect(await eventually { ticks.load(ordering: .relaxed) >= 3 })
        await loop.submit { loop.cancelTimer(id) }
        let stopped = ticks.load(ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(60))
        #expect(ticks.load(ordering: .relaxed) == stopped)
        #expect(offLoop.load(ordering: .relaxed) == 0)
    }

    @Test(arguments: IOBackend.allCases) func registeredDescriptorDeliversEdgesOnTheLoopUntilDeregistered(io: IOBackend) async throws {
        let loop = io.makeLoop(name: "test-loop")
        try loop.start()
        defer { loop.stop() }
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(readEnd); close(writeEnd) }
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        let reader = PipeReader(fd: readEnd, loop: loop)
        try await loop.submit { () -> Result<Void, SocketError> in
            Result(catching: { () throws(SocketError) in
                try loop.register(fd: readEnd, events: IOEvent.input | IOEvent.edgeTriggered, handler: reader)
            })
        }.get()

        for text in ["one", "two"] {
            _ = text.withCString { write(writeEnd, $0, strlen($0)) }
            #expect(await eventually { String(decoding: reader.received.withLock { $0.bytes }, as: UTF8.self).hasSuffix(text) })
        }
        #expect(reader.received.withLock { $0.offLoop } == 0)

        await loop.submit { loop.deregister(fd: readEnd) }
        let events = reader.received.withLock { $0.events }
        _ = "three".withCString { write(writeEnd, $0, 5) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(reader.received.withLock { $0.events } == events)
    }

    /// A descriptor handed to `close` is closed once nothing of the loop watches it (for
    /// Dispatch, in its sources' cancel handlers), and output events come only while asked
    /// for (a level-triggered write source would otherwise fire for ever).
    @Test(arguments: IOBackend.allCases) func closeThroughTheLoopClosesTheDescriptorAndOutputComesOnlyWhenWanted(io: IOBackend) async throws {
        let loop = io.makeLoop(name: "test-loop")
        try loop.start()
        defer { loop.stop() }
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(readEnd) }
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        let counter = EventCounter()
        try await loop.submit { () -> Result<Void, SocketError> in
            Result(catching: { () throws(SocketError) in
                try loop.register(fd: writeEnd, events: IOEvent.output | IOEvent.edgeTriggered, handler: counter)
            })
        }.get()
        try await Task.sleep(for: .milliseconds(30))
        let idle = counter.outputs.load(ordering: .relaxed)
        switch io {
        case .epoll:
            // Edge-triggered: one edge at registration (the pipe has room), none after.
            #expect(idle == 1)
        case .dispatch:
            #expect(idle == 0, "output events while none was wanted")
            await loop.submit { loop.wantOutput(fd: writeEnd, true) }
            #expect(await eventually { counter.outputs.load(ordering: .relaxed) > idle })
            await loop.submit { loop.wantOutput(fd: writeEnd, false) }
            try await Task.sleep(for: .milliseconds(20))
            let after = counter.outputs.load(ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(30))
            #expect(counter.outputs.load(ordering: .relaxed) == after)
        }
        await loop.submit { loop.close(fd: writeEnd) }
        #expect(await eventually { fcntl(writeEnd, F_GETFD) == -1 })
    }

    #if os(Linux)
    /// The bits the connection reads are epoll's own (the epoll loop passes them through).
    @Test func ioEventBitsAreEpolls() {
        #expect(IOEvent.input == BAHI_EPOLLIN && IOEvent.output == BAHI_EPOLLOUT && IOEvent.error == BAHI_EPOLLERR)
        #expect(IOEvent.hangUp == BAHI_EPOLLHUP && IOEvent.peerShutDown == BAHI_EPOLLRDHUP && IOEvent.edgeTriggered == BAHI_EPOLLET)
    }
    #endif

    @Test(arguments: IOBackend.allCases) func aStoppedLoopStillRunsLateJobsElsewhere(io: IOBackend) async throws {
        let loop = io.makeLoop(name: "test-loop")
        try loop.start()
        loop.stop()
        let ran = Atomic<Int>(0)
        // Whether each job lands before or after the thread ends, every one runs once.
        for _ in 0..<100 { loop.execute { ran.add(1, ordering: .relaxed) } }
        #expect(await eventually { ran.load(ordering: .relaxed) == 100 })
        #expect(await eventually { !loop.inLoop })
    }
}

/// The edge-triggered paths of a live connection that the transport tests don't reach.
@Suite struct EventLoopConnectionTests {
    /// Behind a handler that suspends, pipelined input past the high-water mark pauses
    /// reading; once the handler answers, reading resumes without any new edge (the bytes
    /// were already waiting) and every request is answered in order.
    @Test func readingPausedAtHighWaterResumesWithoutANewEdge() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let count = 400
        let pad = String(repeating: "p", count: 1000)
        var burst = "GET /slow HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n\r\n"
        for i in 0..<count { burst += "GET /hello HTTP/1.1\r\nHost: x\r\nX-Pad: \(pad)\r\nX-Request-Id: n\(i)\r\n\r\n" }
        let payload = burst
        let ids = try await offPool {
            let client = try TestClient(port: port, timeoutSeconds: 10)
            try client.send(payload)  // ~400 KB: more than the 256 KiB high-water mark
            return try (0...count).map { _ in try client.readResponse().header("x-request-id") ?? "?" }
        }
        #expect(ids.first == "first")
        #expect(Array(ids.dropFirst()) == (0..<count).map { "n\($0)" })
        await server.shutdown()
    }
}
