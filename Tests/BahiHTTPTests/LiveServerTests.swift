import Foundation
import Synchronization
import Testing
@testable import BahiHTTP
import BahiTestSupport

/// Collects access-log lines from a live server.
final class LogSink: Sendable {
    let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
}

/// The event loops the live tests run on: `BAHI_TEST_IO=dispatch` runs them on Dispatch
/// (the README's test command runs the live suite once on each).
let testIOBackend: IOBackend = ProcessInfo.processInfo.environment["BAHI_TEST_IO"].flatMap(IOBackend.init(rawValue:)) ?? .platformDefault

/// Opened by `gracefulDrainFinishesInFlightAndClosesIdle` once its drain has begun.
let drainGate = Atomic<Bool>(false)

/// A live server on 127.0.0.1, port 0, with routes made for testing the transport.
func startTestServer(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> (HTTPServer, LogSink) {
    var router = Router()
    router.get("/hello") { _ in HTTPResponse(contentType: "text/plain", body: Array("hi".utf8)) }
    router.get("/slow") { _ in
        try await Task.sleep(for: .milliseconds(300))
        return HTTPResponse(contentType: "text/plain", body: Array("slow".utf8))
    }
    // Answers once `drainGate` opens (at most 10 s): a request certainly in flight when a
    // drain begins, however slowly a loaded machine starts the drain.
    router.get("/gated") { _ in
        for _ in 0..<2_000 where !drainGate.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(5)) }
        return HTTPResponse(contentType: "text/plain", body: Array("slow".utf8))
    }
    router.post("/echo") { req in HTTPResponse(contentType: "application/octet-stream", body: req.body) }
    router.post("/small", bodyLimit: 16) { req in HTTPResponse(contentType: "text/plain", body: req.body) }
    router.get("/big") { req in
        let n = Int(req.queryItem("n") ?? "0") ?? 0
        return HTTPResponse(contentType: "application/octet-stream", body: (0..<n).map { UInt8(truncatingIfNeeded: $0) })
    }
    router.get("/crash") { _ in
        struct Internal: Error {}
        throw Internal()
    }
    let sink = LogSink()
    var configuration = HTTPServerConfiguration()
    configuration.port = 0
    configuration.accessLog = .custom { line in sink.lines.withLock { $0.append(line) } }
    configuration.io = testIOBackend
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, responder: router)
    try server.start()
    return (server, sink)
}

@Suite(.serialized) struct LiveServerTests {
    @Test func servesKeepAliveRequestsOnOneConnection() async throws {
        let (server, sink) = try startTestServer()
        let port = server.port
        let statuses = try await offPool {
            let client = try TestClient(port: port)
            var out: [Int] = []
            for _ in 0..<3 {
                try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                let r = try client.readResponse()
                #expect(r.text == "hi")
                #expect(r.header("server") == "bahi")
                #expect(r.header("date") != nil)
                #expect(r.header("x-request-id")?.hasPrefix("req_") == true)
                out.append(r.status)
            }
            return out
        }
        #expect(statuses == [200, 200, 200])
        #expect(await server.shutdown())
        let lines = sink.all
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.contains("\"path\":\"/hello\"") && $0.contains("\"status\":200") && $0.contains("\"duration_ms\":") })
    }

    @Test func pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstSuspends() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let bodies = try await offPool {
            let client = try TestClient(port: port)
            try client.send("GET /slow HTTP/1.1\r\nHost: x\r\nX-Request-Id: one\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: two\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nX-Request-Id: three\r\n\r\nhello")
            return try (0..<3).map { _ in
                let r = try client.readResponse()
                return "\(r.header("x-request-id") ?? "?")=\(r.text)"
            }
        }
        #expect(bodies == ["one=slow", "two=hi", "three=hello"])
        await server.shutdown()
    }

    @Test func malformedRequestGets400ProblemAndClose() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let (response, eof) = try await offPool {
            let client = try TestClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
            let r = try client.readResponse()
            return (r, try client.readEOF())
        }
        #expect(response.status == 400)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.header("connection") == "close")
        #expect(response.text.contains("\"code\":\"content_length_with_transfer_encoding\""))
        #expect(eof)
        await server.shutdown()
    }

    @Test func oversizedBodyIsRefusedFromTheHeadersAlone() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let (status, eof) = try await offPool {
            let client = try TestClient(port: port)
            // Announce 10 MiB, send none of it: the answer must come anyway.
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n")
            let r = try client.readResponse()
            return (r.status, try client.readEOF())
        }
        #expect(status == 413)
        #expect(eof)
        let small = try await offPool {
            let client = try TestClient(port: port)
            try client.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n")
            return try client.readResponse().status
        }
        #expect(small == 413)
        await server.shutdown()
    }

    @Test func expectContinueGetsInterimResponseBeforeBody() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let (interim, final) = try await offPool {
            let client = try TestClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            let first = try client.readResponse()
            try client.send("body")
            return (first.status, try client.readResponse().text)
        }
        #expect(interim == 100)
        #expect(final == "body")
        await server.shutdown()
    }

    @Test func chunkedUploadAndLargeResponsesRoundTrip() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let (echo, bigCount, bigOK) = try await offPool {
            // A generous timeout: a debug build makes the 8 MiB body byte by byte, which took
            // over 5 s on a loaded CI machine (the test is about correctness, not speed).
            let client = try TestClient(port: port, timeoutSeconds: 30)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
            let e = try client.readResponse().text
            // 8 MiB response: larger than the socket buffer, so the write source path runs.
            try client.send("GET /big?n=8388608 HTTP/1.1\r\nHost: x\r\n\r\n")
            let big = try client.readResponse()
            let ok = big.body.enumerated().allSatisfy { $0.element == UInt8(truncatingIfNeeded: $0.offset) }
            return (e, big.body.count, ok)
        }
        #expect(echo == "hello world")
        #expect(bigCount == 8_388_608)
        #expect(bigOK)
        await server.shutdown()
    }

    @Test func largeUploadIsReadCompletely() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let payload = (0..<900_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let echoed = try await offPool {
            let client = try TestClient(port: port, timeoutSeconds: 10)
            try client.send(Array("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(payload.count)\r\n\r\n".utf8) + payload)
            return try client.readResponse().body
        }
        #expect(echoed == payload)
        await server.shutdown()
    }

    @Test func headRequestGetsLengthButNoBody() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let (length, next) = try await offPool {
            let client = try TestClient(port: port)
            try client.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try client.readResponse(isHead: true)
            return (head.header("content-length"), try client.readResponse().text)
        }
        #expect(length == "2")
        #expect(next == "hi")  // no stray body bytes between the two responses
        await server.shutdown()
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let (closedAfter10, keepAliveHeader, secondStatus) = try await offPool {
            let a = try TestClient(port: port)
            try a.send("GET /hello HTTP/1.0\r\n\r\n")
            _ = try a.readResponse()
            let eof = try a.readEOF()
            let b = try TestClient(port: port)
            try b.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let first = try b.readResponse()
            try b.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            return (eof, first.header("connection"), try b.readResponse().status)
        }
        #expect(closedAfter10)
        #expect(keepAliveHeader == "keep-alive")
        #expect(secondStatus == 200)
        await server.shutdown()
    }

    @Test func unexpectedHandlerErrorIs500WithRequestIdOnly() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let response = try await offPool {
            let client = try TestClient(port: port)
            try client.send("GET /crash HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123\r\n\r\n")
            return try client.readResponse()
        }
        #expect(response.status == 500)
        #expect(response.header("x-request-id") == "abc-123")
        #expect(response.text.contains("\"request_id\":\"abc-123\""))
        #expect(!response.text.contains("Internal\""))
        await server.shutdown()
    }

    @Test func headerTimeoutAnswers408AndKeepAliveIdleCloses() async throws {
        let (server, _) = try startTestServer { config in
            config.connection.headerTimeout = .milliseconds(200)
            config.connection.keepAliveTimeout = .milliseconds(300)
        }
        let port = server.port
        let (status, idleClosed) = try await offPool {
            let slow = try TestClient(port: port)
            try slow.send("GET /hello HTTP/1.1\r\nHo")
            let r = try slow.readResponse()
            let idle = try TestClient(port: port)
            try idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try idle.readResponse()
            let start = Date()
            let eof = try idle.readEOF()
            return (r.status, eof && Date().timeIntervalSince(start) < 3)
        }
        #expect(status == 408)
        #expect(idleClosed)
        await server.shutdown()
    }

    @Test func bodyIdleTimeoutAnswers408() async throws {
        let (server, _) = try startTestServer { config in config.connection.bodyIdleTimeout = .milliseconds(200) }
        let port = server.port
        let status = try await offPool {
            let client = try TestClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            return try client.readResponse().status
        }
        #expect(status == 408)
        await server.shutdown()
    }

    @Test func connectionsBeyondTheCapGet503() async throws {
        let refusals = LogSink()
        let (server, _) = try startTestServer { config in
            config.maxConnections = 2
            config.errorLog = .custom { line in refusals.lines.withLock { $0.append(line) } }
        }
        let port = server.port
        let (third, afterRelease) = try await offPool {
            let a = try TestClient(port: port)
            let b = try TestClient(port: port)
            try a.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            try b.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try a.readResponse()
            _ = try b.readResponse()
            let c = try TestClient(port: port)
            let refused = try c.readResponse()
            a.shutdownWrite()
            _ = try a.readEOF()
            Thread.sleep(forTimeInterval: 0.1)
            let d = try TestClient(port: port)
            try d.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            return (refused.status, try d.readResponse().status)
        }
        #expect(third == 503)
        #expect(afterRelease == 200)
        // The refusal is explained in one error-log line.
        #expect(refusals.all.count == 1)
        #expect(refusals.all.first?.contains(#""code":"too_many_connections""#) == true)
        #expect(refusals.all.first?.contains(#""max_connections":2"#) == true)
        await server.shutdown()
    }

    @Test func gracefulDrainFinishesInFlightAndClosesIdle() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let clients = try await offPool {
            let busy = try TestClient(port: port)
            let idle = try TestClient(port: port)
            try idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try idle.readResponse()
            try busy.send("GET /gated HTTP/1.1\r\nHost: x\r\n\r\n")
            Thread.sleep(forTimeInterval: 0.05)
            return SendableBox((busy, idle))
        }
        async let drained = server.shutdown()
        let (response, busyEOF, idleEOF) = try await offPool {
            // The drain has begun once the listener refuses; then the in-flight request may end.
            for _ in 0..<2_000 {
                do { _ = try TestClient(port: port); Thread.sleep(forTimeInterval: 0.005) } catch { break }
            }
            Thread.sleep(forTimeInterval: 0.05)
            drainGate.store(true, ordering: .releasing)
            let (busy, idle) = clients.value
            let r = try busy.readResponse()
            return (r, try busy.readEOF(), try idle.readEOF())
        }
        #expect(await drained)
        #expect(response.text == "slow")
        #expect(response.header("connection") == "close")
        #expect(busyEOF)
        #expect(idleEOF)
        let refused = try await offPool { () -> Bool in
            do { _ = try TestClient(port: port); return false } catch { return true }
        }
        #expect(refused)
    }

    @Test func halfClosedClientStillGetsItsResponses() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let texts = try await offPool {
            let client = try TestClient(port: port)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            client.shutdownWrite()
            return [try client.readResponse().text, try client.readResponse().text, String(try client.readEOF())]
        }
        #expect(texts == ["hi", "slow", "true"])
        await server.shutdown()
    }

    /// Edge-triggered reading must never strand bytes: requests arrive pipelined and cut at
    /// random points (down to single bytes, some after a pause, so they land in separate
    /// reads and edges), across several connections at once, and every response must still
    /// come back complete and in order.
    @Test func pipelinedRequestsCutAtRandomPointsAreAllAnsweredInOrder() async throws {
        let (server, _) = try startTestServer()
        let port = server.port
        let results = try await withThrowingTaskGroup(of: (seed: UInt64, expected: [String], got: [String]).self) { group in
            for client in 0..<8 {
                group.addTask {
                    try await offPool {
                        var rng = SplitMix64(seed: 0x9E37_79B9 &+ UInt64(client) &* 1_000_003)
                        let seed = rng.state
                        var stream: [UInt8] = []
                        var expected: [String] = []
                        for n in 0..<20 {
                            switch rng.next() % 3 {
                            case 0:
                                stream += Array("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
                                expected.append("hi")
                            case 1:
                                let body = String(repeating: "b\(n)-", count: Int(rng.next() % 80))
                                stream += Array("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
                                expected.append(body)
                            default:
                                let a = "c\(n)", b = String(repeating: "z", count: Int(rng.next() % 40) + 1)
                                stream += Array("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\(String(a.utf8.count, radix: 16))\r\n\(a)\r\n\(String(b.utf8.count, radix: 16))\r\n\(b)\r\n0\r\n\r\n".utf8)
                                expected.append(a + b)
                            }
                        }
                        let connection = try TestClient(port: port, timeoutSeconds: 20)
                        var offset = 0
                        while offset < stream.count {
                            let size = min(stream.count - offset, Int(rng.next() % 40) + 1)
                            try connection.send(Array(stream[offset..<(offset + size)]))
                            offset += size
                            if rng.next() % 4 == 0 { usleep(UInt32(rng.next() % 300)) }
                        }
                        var got: [String] = []
                        for _ in expected { got.append(try connection.readResponse().text) }
                        return (seed, expected, got)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        for result in results {
            #expect(result.got == result.expected, "client seed \(result.seed)")
        }
        await server.shutdown()
    }

    @Test func manyConcurrentClients() async throws {
        let (server, sink) = try startTestServer()
        let port = server.port
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    try await offPool {
                        let client = try TestClient(port: port)
                        var ok = 0
                        for _ in 0..<25 {
                            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                            if try client.readResponse().status == 200 { ok += 1 }
                        }
                        return ok
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(total == 800)
        await server.shutdown()
        #expect(sink.all.count == 800)
    }
}

/// Carries non-Sendable test clients between the blocking threads of one test.
struct SendableBox<T>: @unchecked Sendable {
    // Safe: each box is handed from one thread to the next strictly in sequence (awaited).
    let value: T
    init(_ value: T) { self.value = value }
}

