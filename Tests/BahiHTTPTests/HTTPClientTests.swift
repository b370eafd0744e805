import Foundation
import Synchronization
import Testing
@testable import BahiHTTP
import BahiTestSupport

/// A client with short timeouts for loopback tests.
private func makeClient(_ configure: (inout HTTPClientConfiguration) -> Void = { _ in }) throws -> HTTPClient {
    var configuration = HTTPClientConfiguration()
    configuration.timeouts = HTTPClientTimeouts(connect: .seconds(2), read: .seconds(2), total: .seconds(5))
    configure(&configuration)
    return try HTTPClient(configuration: configuration)
}

/// Runs a blocking request off the cooperative pool.
private func fetch(_ client: HTTPClient, _ request: HTTPClientRequest) async throws -> HTTPClientResponse {
    try await offPool { try client.executeBlocking(request) }
}

/// The error a blocking request fails with (nil if it succeeds).
private func failure(_ client: HTTPClient, _ request: HTTPClientRequest) async throws -> HTTPClientError? {
    try await offPool { () -> HTTPClientError? in
        do throws(HTTPClientError) {
            _ = try client.executeBlocking(request)
            return nil
        } catch {
            return error
        }
    }
}

private func get(_ port: Int, _ path: String = "/") throws -> HTTPClientRequest {
    try HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
}

extension HTTPClientRequest {
    /// The same request to another host name on the same scheme and port.
    func with(host: String) -> HTTPClientRequest {
        var copy = self
        copy.url.origin = HTTPOrigin(scheme: url.origin.scheme, host: host, port: url.origin.port)
        return copy
    }
}

/// `HTTPClient` against a scripted loopback server: framing, limits, timeouts, pooling,
/// retries and redirects, each proven by the bytes the server sent and the connections it
/// accepted.
@Suite(.serialized) struct HTTPClientTests {
    @Test func sendsOneWellFormedRequestAndReadsTheResponse() async throws {
        let server = try ScriptedServer { peer, _ in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello")
            peer.waitForClose()
        }
        defer { server.stop() }
        let client = try makeClient()
        var request = try HTTPClientRequest(method: .post, url: "http://127.0.0.1:\(server.port)/v1/hooks?x=1", headers: ["X-Test": "yes"], body: Array("{\"a\":1}".utf8))
        request.timeouts = HTTPClientTimeouts(connect: .seconds(1), read: .seconds(1), total: .seconds(2))
        let response = try await fetch(client, request)
        #expect(response.status.code == 200)
        #expect(response.text == "hello")
        #expect(response.headers["content-type"] == "text/plain")
        #expect(server.requests == ["POST /v1/hooks?x=1 HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nX-Test: yes\r\nUser-Agent: bahi\r\nContent-Length: 7\r\n\r\n{\"a\":1}"])
    }

    @Test func responseSplitByteByByte() async throws {
        let server = try ScriptedServer { peer, _ in
            peer.readRequest()
            peer.sendSlowly("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n")
            peer.waitForClose()
        }
        defer { server.stop() }
        let response = try await fetch(try makeClient(), try get(server.port))
        #expect(response.text == "abcd")
    }

    @Test func chunkedWithExtensionsAndTrailers() async throws {
        let server = try ScriptedServer { peer, _ in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6 ; q=\"a;b\"\r\n world\r\n0;end\r\nX-Digest: abc\r\n\r\n")
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            peer.waitForClose()
        }
        defer { server.stop() }
        let client = try makeClient()
        #expect(try await fetch(client, try get(server.port)).text == "hello world")
        // The trailers were consumed with the message: the connection carries the next one.
        #expect(try await fetch(client, try get(server.port)).text == "ok")
        #expect(server.accepted == 1)
    }

    @Test func earlyCloseIsReportedWhereItHappened() async throws {
        let server = try ScriptedServer { peer, index in
            peer.readRequest()
            switch index {
            case 0: peer.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part")
            case 1: peer.send("HTTP/1.1 200 OK\r\nContent-")
            default: break  // closes without a byte
            }
        }
        defer { server.stop() }
        let client = try makeClient()
        #expect(try await failure(client, try get(server.port)) == .connectionClosedEarly(.body))
        #expect(try await failure(client, try get(server.port)) == .connectionClosedEarly(.head))
        let post = try HTTPClientRequest(method: .post, url: "http://127.0.0.1:\(server.port)/")
        #expect(try await failure(client, post) == .connectionClosedEarly(.beforeResponse))
    }

    @Test func stalledResponseTripsTheReadTimeoutAndADripTheTotal() async throws {
        let server = try ScriptedServer { peer, index in
            peer.readRequest()
            if index == 0 {
                peer.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")  // then silence
            } else {
                peer.sendSlowly("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + String(repeating: "x", count: 100), pause: 0.05)
            }
            peer.waitForClose()
        }
        defer { server.stop() }
        let client = try makeClient()
        var stalled = try get(server.port)
        stalled.timeouts = HTTPClientTimeouts(connect: .seconds(1), read: .milliseconds(300), total: .seconds(5))
        let start = ContinuousClock.now
        #expect(try await failure(client, stalled) == .timeout(.read))
        #expect(ContinuousClock.now - start < .seconds(3))
        var dripped = try get(server.port)
        dripped.timeouts = HTTPClientTimeouts(connect: .seconds(1), read: .seconds(2), total: .milliseconds(800))
        #expect(try await failure(client, dripped) == .timeout(.total))
    }

    @Test func largeResponsesAreRefusedByTheLimit() async throws {
        let tenMegabytes = 10 * 1024 * 1024
        let server = try ScriptedServer { peer, index in
            peer.readRequest()
            if index == 0 {
                peer.send("HTTP/1.1 200 OK\r\nContent-Length: \(tenMegabytes)\r\n\r\n")
                peer.send([UInt8](repeating: 0x61, count: tenMegabytes))
            } else {
                peer.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                for _ in 0..<10 { peer.send(Array("100000\r\n".utf8) + [UInt8](repeating: 0x61, count: 1 << 20) + [13, 10]) }
                peer.send("0\r\n\r\n")
            }
        }
        defer { server.stop() }
        let client = try makeClient { $0.limits.maxBodyBytes = 1024 * 1024 }
        #expect(try await failure(client, try get(server.port)) == .responseTooLarge)
        #expect(try await failure(client, try get(server.port)) == .responseTooLarge)
    }

    @Test func bodyExcerptKeepsTheStatusOfALargeAnswer() async throws {
        let server = try ScriptedServer { peer, _ in
            peer.readRequest()
            peer.send("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 120\r\nContent-Length: 100000\r\n\r\n" + String(repeating: "e", count: 100_000))
        }
        defer { server.stop() }
        let client = try makeClient { $0.limits.maxBodyBytes = 1024 }
        var request = try get(server.port)
        request.bodyExcerptLimit = 16
        let response = try await fetch(client, request)
        #expect(response.status.code == 503)
        #expect(response.retryAfterSeconds == 120)
        #expect(response.body.count == 16 && response.bodyTruncated)
    }

    @Test func contentLengthConflictsAreProtocolErrors() async throws {
        let server = try ScriptedServer { peer, index in
            peer.readRequest()
            switch index {
            case 0: peer.send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")
            case 1: peer.send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc")
            default: peer.send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
            }
            peer.waitForClose()
        }
        defer { server.stop() }
        let client = try makeClient()
        #expect(try await failure(client, try get(server.port)) == .protocolViolation(.conflictingContentLength))
        #expect(try await failure(client, try get(server.port)) == .protocolViolation(.duplicateContentLength))
        #expect(try await failure(client, try get(server.port)) == .protocolViolation(.contentLengthWithTransferEncoding))
        #expect(server.accepted == 3, "a connection that failed is never reused")
    }

    @Test func keepAliveConnectionsAreReused() async throws {
        let server = try ScriptedServer { peer, _ in
            while let request = peer.readRequest() {
                peer.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + (request.hasPrefix("HEAD ") ? "" : "ok"))
            }
        }
        defer { server.stop() }
        let client = try makeClient()
        for _ in 0..<3 { #expect(try await fetch(client, try get(server.port)).text == "ok") }
        var head = try get(server.port)
        head.method = .head
        #expect(try await fetch(client, head).body.isEmpty)
        #expect(try await fetch(client, try get(server.port)).text == "ok", "HEAD's Content-Length read no body")
        #expect(server.accepted == 1)
        #expect(client.statistics.connectionsOpened == 1)
        #expect(client.statistics.connectionsReused == 4)
    }

    @Test func connectionCloseIsNotReused() async throws {
        let server = try ScriptedServer { peer, _ in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
            peer.waitForClose(seconds: 1)
        }
        defer { server.stop() }
        let client = try makeClient()
        for _ in 0..<3 { #expect(try await fetch(client, try get(server.port)).text == "ok") }
        #expect(server.accepted == 3)
        #expect(client.statistics.connectionsReused == 0)
    }

    @Test func thePoolIsBoundedPerOriginAndIdleConnectionsExpire() async throws {
        let server = try ScriptedServer { peer, _ in
            while let request = peer.readRequest() {
                if request.hasPrefix("GET /hold ") { Thread.sleep(forTimeInterval: 1.0) }
                peer.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            }
        }
        defer { server.stop() }
        let client = try makeClient {
            $0.maxConnectionsPerOrigin = 1
            $0.idleTimeout = .milliseconds(100)
        }
        let port = server.port
        async let held = fetch(client, try get(port, "/hold"))
        try await Task.sleep(for: .milliseconds(300))
        var waiting = try get(port)
        waiting.timeouts = HTTPClientTimeouts(connect: .milliseconds(300), read: .seconds(1), total: .seconds(2))
        #expect(try await failure(client, waiting) == .timeout(.connectionSlot), "the one connection is busy")
        #expect(try await held.text == "ok")
        #expect(server.accepted == 1)
        try await Task.sleep(for: .milliseconds(250))
        #expect(try await fetch(client, try get(port)).text == "ok")
        #expect(server.accepted == 2, "an idle connection older than idleTimeout is not reused")
    }

    @Test func deadPooledConnectionIsRetriedOnceForIdempotentRequestsOnly() async throws {
        // Each connection answers one request, then reads the next and hangs up unanswered:
        // what a server's keep-alive timeout looks like from a pool that just sent on it.
        let server = try ScriptedServer { peer, _ in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            peer.readRequest()
        }
        defer { server.stop() }
        let client = try makeClient()
        #expect(try await fetch(client, try get(server.port)).text == "ok")
        #expect(try await fetch(client, try get(server.port)).text == "ok")
        #expect(server.accepted == 2)
        #expect(client.statistics.staleConnectionRetries == 1)
        let post = try HTTPClientRequest(method: .post, url: "http://127.0.0.1:\(server.port)/", body: [1])
        #expect(try await failure(client, post) == .connectionClosedEarly(.beforeResponse))
        #expect(server.accepted == 2, "a POST is never sent twice")
    }

    @Test func redirectsAreFollowedOnlyWhenAsked() async throws {
        let server = try ScriptedServer { peer, _ in
            while let request = peer.readRequest() {
                if request.hasPrefix("GET /a ") {
                    peer.send("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n")
                } else if request.hasPrefix("POST /loop ") || request.hasPrefix("GET /loop ") {
                    peer.send("HTTP/1.1 303 See Other\r\nLocation: http://127.0.0.1:\(peer.localPort)/loop\r\nContent-Length: 0\r\n\r\n")
                } else {
                    peer.send("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nat b")
                }
            }
        }
        defer { server.stop() }
        let client = try makeClient()
        let unfollowed = try await fetch(client, try get(server.port, "/a"))
        #expect(unfollowed.status.code == 302)
        #expect(unfollowed.headers["Location"] == "/b")
        var follow = try get(server.port, "/a")
        follow.followRedirects = 2
        let followed = try await fetch(client, follow)
        #expect(followed.status.code == 200 && followed.text == "at b")
        #expect(followed.url.target == "/b")
        var loop = try HTTPClientRequest(method: .post, url: "http://127.0.0.1:\(server.port)/loop", body: [1, 2])
        loop.followRedirects = 3
        #expect(try await failure(client, loop) == .tooManyRedirects(3))
        #expect(server.requests.filter { $0.hasPrefix("GET /loop ") }.count == 3, "303 turns the POST into GETs")
    }

    @Test func connectionFailuresAreNamed() async throws {
        let client = try makeClient()
        let port = try ScriptedServer.closedPort()
        #expect(try await failure(client, try get(port)) == .connectionRefused(host: "127.0.0.1", port: port))
        let unknown = try await failure(client, try HTTPClientRequest(url: "http://nonexistent.invalid/"))
        guard case .dns(let host, _)? = unknown else {
            Issue.record("expected a DNS error, got \(String(describing: unknown))")
            return
        }
        #expect(host == "nonexistent.invalid")
        #expect(throws: HTTPClientError.invalidURL("ftp://x/")) { try HTTPClientRequest(url: "ftp://x/") }
        #expect(throws: HTTPClientError.invalidURL("http://user@host/")) { try HTTPClientRequest(url: "http://user@host/") }
        var injected = try get(port)
        injected.headers.add(name: "X-Bad", value: "a\r\nInjected: 1")
        #expect(try await failure(client, injected) == .invalidRequest("header X-Bad has a control character in its value"))
    }

    @Test func addressesAreCheckedAfterDNS() async throws {
        let server = try ScriptedServer { peer, _ in
            peer.readRequest()
            peer.send("HTTP/1.1 204 No Content\r\n\r\n")
        }
        defer { server.stop() }
        let seen = Mutex<[HTTPResolvedAddress]>([])
        let guarded = try makeClient {
            $0.allowAddress = { address in
                seen.withLock { $0.append(address) }
                return !(address.ip.hasPrefix("127.") || address.ip == "::1")
            }
        }
        guard case .addressRefused(host: "localhost", let address)? = try await failure(guarded, try get(server.port).with(host: "localhost")) else {
            Issue.record("a name resolving to loopback must be refused")
            return
        }
        #expect(address == "127.0.0.1" || address == "::1")
        #expect(seen.withLock { $0 }.contains { $0.host == "localhost" && $0.ip == "127.0.0.1" && !$0.isIPv6 })
        #expect(server.accepted == 0, "no connection was made")
        let open = try makeClient { $0.allowAddress = { _ in true } }
        #expect(try await fetch(open, try get(server.port).with(host: "localhost")).status.code == 204)
    }

    @Test func asyncExecuteRunsOnTheClientsThreads() async throws {
        let server = try ScriptedServer { peer, _ in
            while peer.readRequest() != nil {
                peer.send("HTTP/1.1 204 No Content\r\n\r\n")
            }
        }
        defer { server.stop() }
        let client = try makeClient()
        let request = try get(server.port)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await client.execute(request).status.code } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 204, count: 8))
        #expect(server.accepted <= client.configuration.maxConnectionsPerOrigin)
    }

    @Test func talksToBahisOwnServer() async throws {
        let (server, _) = try startTestServer()
        let client = try makeClient()
        let echo = try await client.execute(try HTTPClientRequest(method: .post, url: "http://127.0.0.1:\(server.port)/echo", body: Array("ping".utf8)))
        #expect(echo.text == "ping")
        let big = try await client.execute(try HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/big?n=300000"))
        #expect(big.body.count == 300_000)
        #expect(client.statistics.connectionsOpened == 1)
        client.closeIdleConnections()
        _ = await server.shutdown()
    }
}
