import Testing
@testable import BahiHTTP

/// The socket-free connection logic: bytes in, actions out, time as a parameter.
@Suite struct HTTPConnectionStateMachineTests {
    static let t0: UInt64 = 1_000 * oneSecond

    static func configuration(
        bodyLimit: Int = 1 << 20,
        headerTimeout: Duration = .seconds(10),
        bodyIdleTimeout: Duration = .seconds(30),
        keepAliveTimeout: Duration = .seconds(60),
        limits: HTTPRequestParser.Limits = .init()
    ) -> HTTPConnectionStateMachine.Configuration {
        var configuration = HTTPConnectionStateMachine.Configuration()
        configuration.bodyLimit = { _ in bodyLimit }
        configuration.headerTimeout = headerTimeout
        configuration.bodyIdleTimeout = bodyIdleTimeout
        configuration.keepAliveTimeout = keepAliveTimeout
        configuration.limits = limits
        return configuration
    }

    static func text(_ body: String) -> HTTPResponse {
        HTTPResponse(contentType: "text/plain", body: octets(body))
    }

    // MARK: - Pipelining

    @Test func pipelinedRequestsAreDispatchedAndAnsweredInOrder() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets(
            "GET /a HTTP/1.1\r\nHost: x\r\nX-Request-Id: one\r\n\r\n"
                + "POST /b HTTP/1.1\r\nHost: x\r\nX-Request-Id: two\r\nContent-Length: 3\r\n\r\nabc"
                + "DELETE /c?q=1 HTTP/1.1\r\nHost: x\r\nX-Request-Id: three\r\n\r\n"
        ), now: Self.t0)
        let expected = [("GET", "/a", "one", ""), ("POST", "/b", "two", "abc"), ("DELETE", "/c", "three", "")]
        var now = Self.t0
        for (index, (method, path, id, body)) in expected.enumerated() {
            let action = machine.next(now: now)
            let request = try #require(action.dispatched, "request \(index): \(action.name)")
            #expect(request.method.rawValue == method)
            #expect(request.path == path[...])
            #expect(request.requestID == id)
            #expect(request.body == octets(body))
            #expect(machine.isDispatched)
            // Nothing else happens while the handler runs, however often the socket asks.
            #expect(machine.next(now: now).isWait)
            #expect(machine.tick(now: now + 1_000 * oneSecond) == nil)
            now += oneSecond
            let outgoing = try #require(machine.respond(Self.text("r\(index)"), now: now).outgoing)
            #expect(!outgoing.close)
            let response = try #require(outgoing.response)
            #expect(response.status == 200)
            #expect(response["X-Request-Id"] == id)
            #expect(response.bodyText == "r\(index)")
            #expect(response.trailing.isEmpty)
            #expect(response.values("Connection").isEmpty)
            #expect(outgoing.record.requestID == id)
            #expect(outgoing.record.method == method)
            #expect(outgoing.record.path == path)
            #expect(outgoing.record.status == 200)
            #expect(outgoing.record.bytes == 2)
            #expect(!machine.isDispatched)
        }
        #expect(machine.next(now: now).isReadMore)
        #expect(!machine.isClosed)
    }

    @Test func pipelinedRequestsArrivingOneByteAtATimeAreServedTheSame() throws {
        let input = octets(
            "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /b HTTP/1.1\r\nHost: x\r\nX-Request-Id: b\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n"
                + "PUT /c HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nwxyz"
        )
        func serve(_ pieces: [[UInt8]]) -> [String] {
            var machine = makeMachine(now: Self.t0, seed: 1)
            var log: [String] = []
            for piece in pieces {
                machine.receive(piece, now: Self.t0)
                while true {
                    let action = machine.next(now: Self.t0)
                    guard let request = action.dispatched else {
                        if !action.isReadMore { log.append(action.name) }
                        break
                    }
                    log.append("\(request.method) \(request.path) \(String(decoding: request.body, as: UTF8.self)) \(request.requestID)")
                    let sent = machine.respond(Self.text("ok"), now: Self.t0).outgoing
                    log.append("sent \(sent?.response?["X-Request-Id"] ?? "?") close=\(sent?.close ?? true)")
                }
            }
            return log
        }
        let whole = serve([input])
        #expect(whole.count == 6)
        #expect(whole[2].hasPrefix("POST /b abcde b"))
        #expect(whole[4].hasPrefix("PUT /c wxyz req_"))
        #expect(serve(input.map { [$0] }) == whole)
    }

    @Test func connectionCloseInTheMiddleStopsThePipeline() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets(
            "GET /1 HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n\r\n"
                + "GET /2 HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\nConnection: close\r\n\r\n"
                + "GET /3 HTTP/1.1\r\nHost: x\r\nX-Request-Id: third\r\n\r\n"
        ), now: Self.t0)
        #expect(try #require(machine.next(now: Self.t0).dispatched).path == "/1")
        let first = try #require(machine.respond(Self.text("1"), now: Self.t0).outgoing)
        #expect(!first.close)
        #expect(first.response?["X-Request-Id"] == "first")
        let second = try #require(machine.next(now: Self.t0).dispatched)
        #expect(second.path == "/2")
        #expect(!second.head.keepAlive)
        let closing = try #require(machine.respond(Self.text("2"), now: Self.t0).outgoing)
        #expect(closing.close)
        #expect(closing.response?["Connection"] == "close")
        #expect(closing.response?["X-Request-Id"] == "second")
        #expect(machine.isClosed)
        // The third request is never dispatched.
        #expect(machine.next(now: Self.t0).isClose)
        #expect(machine.next(now: Self.t0).isClose)
        #expect(machine.respond(Self.text("3"), now: Self.t0).isClose)
        #expect(machine.tick(now: Self.t0 + 100 * oneSecond) == nil)
    }

    @Test func handlerCanAskToClose() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        let outgoing = try #require(machine.respond(HTTPResponse(status: .ok, headers: ["Connection": "Close"]), now: Self.t0).outgoing)
        #expect(outgoing.close)
        #expect(outgoing.response?.values("Connection") == ["close"])
        #expect(machine.next(now: Self.t0).isClose)
    }

    @Test func pipelinedRequestSplitAcrossReadsIsServedWhenComplete() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HT"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        _ = try #require(machine.respond(Self.text("1"), now: Self.t0).outgoing)
        #expect(machine.next(now: Self.t0).isReadMore)
        machine.receive(octets("TP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0)
        #expect(try #require(machine.next(now: Self.t0).dispatched).path == "/2")
    }

    @Test func aBadRequestAfterAGoodOneIsAnsweredInOrder() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /bad HTTP/1.1\r\nHost : x\r\n\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        let ok = try #require(machine.respond(Self.text("ok"), now: Self.t0).outgoing)
        #expect(!ok.close)
        #expect(ok.response?.status == 200)
        let bad = try #require(machine.next(now: Self.t0).outgoing)
        #expect(bad.close)
        #expect(bad.response?.status == 400)
        #expect(bad.response?.bodyText.contains(#""code":"whitespace_before_colon""#) == true)
        #expect(machine.isClosed)
    }

    // MARK: - 100-continue

    @Test func expectContinueWithAnEmptyBufferSendsContinueThenReadsTheBody() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("POST /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"), now: Self.t0)
        #expect(machine.next(now: Self.t0).isSendContinue)
        #expect(machine.next(now: Self.t0).isReadMore)
        machine.receive(octets("hel"), now: Self.t0)
        #expect(machine.next(now: Self.t0).isReadMore)
        machine.receive(octets("lo"), now: Self.t0)
        let request = try #require(machine.next(now: Self.t0).dispatched)
        #expect(request.body == octets("hello"))
        #expect(request.head.expectsContinue)
    }

    @Test func expectContinueForAChunkedBody() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("PUT /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"), now: Self.t0)
        #expect(machine.next(now: Self.t0).isSendContinue)
        machine.receive(octets("2\r\nok\r\n0\r\n\r\n"), now: Self.t0)
        #expect(try #require(machine.next(now: Self.t0).dispatched).body == octets("ok"))
    }

    @Test func expectContinueWithTheBodyAlreadyBufferedSendsNoContinue() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("POST /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello"), now: Self.t0)
        let request = try #require(machine.next(now: Self.t0).dispatched)
        #expect(request.body == octets("hello"))

        var partial = makeMachine(now: Self.t0)
        partial.receive(octets("POST /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhe"), now: Self.t0)
        #expect(partial.next(now: Self.t0).isReadMore, "the client is already sending: no 100")
    }

    // MARK: - Body limits (413)

    @Test func contentLengthOverTheLimitIs413BeforeAnyBodyByte() throws {
        var machine = makeMachine(Self.configuration(bodyLimit: 10), now: Self.t0)
        machine.receive(octets("POST /u HTTP/1.1\r\nHost: x\r\nX-Request-Id: client-1\r\nContent-Length: 11\r\n\r\n"), now: Self.t0)
        let outgoing = try #require(machine.next(now: Self.t0).outgoing)
        #expect(outgoing.close)
        let response = try #require(outgoing.response)
        #expect(response.status == 413)
        #expect(response.statusLine == "HTTP/1.1 413 Content Too Large")
        #expect(response["Connection"] == "close")
        #expect(response["X-Request-Id"] == "client-1")
        #expect(response.bodyText.contains(#""code":"body_too_large""#))
        #expect(response.bodyText.contains(#""request_id":"client-1""#))
        #expect(outgoing.record.status == 413)
        #expect(outgoing.record.method == "POST")
        #expect(outgoing.record.path == "/u")
        #expect(machine.isClosed)
        #expect(machine.next(now: Self.t0).isClose)
    }

    @Test func contentLengthOverTheLimitWinsOverContinue() throws {
        var machine = makeMachine(Self.configuration(bodyLimit: 10), now: Self.t0)
        machine.receive(octets("POST /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n"), now: Self.t0)
        let outgoing = try #require(machine.next(now: Self.t0).outgoing)
        #expect(outgoing.response?.status == 413)
        #expect(outgoing.close)
    }

    @Test func contentLengthAtTheLimitIsAccepted() throws {
        var machine = makeMachine(Self.configuration(bodyLimit: 10), now: Self.t0)
        machine.receive(octets("POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"), now: Self.t0)
        #expect(try #require(machine.next(now: Self.t0).dispatched).body == octets("0123456789"))
    }

    @Test func theBodyLimitIsAskedPerRequestHead() throws {
        var configuration = HTTPConnectionStateMachine.Configuration()
        configuration.bodyLimit = { head in head.path == "/big" ? 100 : 5 }
        var machine = makeMachine(configuration, now: Self.t0)
        machine.receive(octets("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n" + String(repeating: "b", count: 50)), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        _ = try #require(machine.respond(HTTPResponse(status: .noContent), now: Self.t0).outgoing)
        machine.receive(octets("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n"), now: Self.t0)
        #expect(try #require(machine.next(now: Self.t0).outgoing).response?.status == 413)
    }

    @Test func chunkedBodyGrowingPastTheLimitIs413() throws {
        var machine = makeMachine(Self.configuration(bodyLimit: 10), now: Self.t0)
        machine.receive(octets("POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"), now: Self.t0)
        #expect(machine.next(now: Self.t0).isReadMore)
        machine.receive(octets("6\r\nabcdef\r\n"), now: Self.t0)
        #expect(machine.next(now: Self.t0).isReadMore)
        machine.receive(octets("6\r\nghijkl\r\n"), now: Self.t0)
        let outgoing = try #require(machine.next(now: Self.t0).outgoing)
        #expect(outgoing.close)
        #expect(outgoing.response?.status == 413)
        #expect(outgoing.response?.bodyText.contains(#""code":"body_too_large""#) == true)
        #expect(machine.isClosed)
    }

    @Test func chunkedBodyAtTheLimitIsAccepted() throws {
        var machine = makeMachine(Self.configuration(bodyLimit: 10), now: Self.t0)
        machine.receive(octets("POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n5\r\nfghij\r\n0\r\n\r\n"), now: Self.t0)
        #expect(try #require(machine.next(now: Self.t0).dispatched).body == octets("abcdefghij"))
    }

    @Test func headRequestOverTheLimitGets413WithoutABody() throws {
        var machine = makeMachine(Self.configuration(bodyLimit: 10), now: Self.t0)
        machine.receive(octets("HEAD / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"), now: Self.t0)
        let outgoing = try #require(machine.next(now: Self.t0).outgoing)
        let response = try #require(DecodedResponse(outgoing.bytes, expectBody: false))
        #expect(response.status == 413)
        #expect(Int(response["Content-Length"] ?? "") ?? 0 > 0)
        #expect(response.trailing.isEmpty, "no body bytes after the head")
        #expect(outgoing.record.bytes == 0)
    }

    // MARK: - HEAD, versions, Connection

    @Test func headGetsTheContentLengthOfGetButNoBody() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\nGET /x HTTP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0)
        #expect(try #require(machine.next(now: Self.t0).dispatched).method == .head)
        let head = try #require(machine.respond(Self.text("hello world"), now: Self.t0).outgoing)
        let decoded = try #require(DecodedResponse(head.bytes, expectBody: false))
        #expect(decoded.status == 200)
        #expect(decoded["Content-Length"] == "11")
        #expect(decoded["Content-Type"] == "text/plain")
        #expect(decoded.trailing.isEmpty)
        #expect(head.bytes.suffix(4) == [0x0D, 0x0A, 0x0D, 0x0A])
        #expect(head.record.bytes == 0)
        #expect(head.record.method == "HEAD")
        #expect(!head.close)
        #expect(try #require(machine.next(now: Self.t0).dispatched).method == .get)
        let get = try #require(machine.respond(Self.text("hello world"), now: Self.t0).outgoing)
        #expect(get.response?.bodyText == "hello world")
        #expect(get.record.bytes == 11)
    }

    @Test func http10KeepAliveIsEchoed() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        let outgoing = try #require(machine.respond(Self.text("a"), now: Self.t0).outgoing)
        #expect(!outgoing.close)
        #expect(outgoing.response?.values("Connection") == ["keep-alive"])
        #expect(outgoing.response?.statusLine == "HTTP/1.1 200 OK")
        #expect(machine.next(now: Self.t0).isReadMore)
        machine.receive(octets("GET /again HTTP/1.0\r\n\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        let last = try #require(machine.respond(Self.text("b"), now: Self.t0).outgoing)
        #expect(last.close)
        #expect(last.response?.values("Connection") == ["close"])
    }

    @Test func http10ClosesByDefault() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET / HTTP/1.0\r\n\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        let outgoing = try #require(machine.respond(Self.text("a"), now: Self.t0).outgoing)
        #expect(outgoing.close)
        #expect(outgoing.response?.values("Connection") == ["close"])
        #expect(machine.next(now: Self.t0).isClose)
    }

    @Test func http11ConnectionCloseIsEchoed() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        let outgoing = try #require(machine.respond(Self.text("a"), now: Self.t0).outgoing)
        #expect(outgoing.close)
        #expect(outgoing.response?.values("Connection") == ["close"])
        #expect(machine.isClosed)
    }

    // MARK: - Request ids

    static let saneIDs = ["abc-123_XYZ.:/+=", "0", String(repeating: "a", count: 128), "3f2c9b1e-8d7a-4c1b-9e2f-1a2b3c4d5e6f"]
    static let insaneIDs = ["has space", String(repeating: "a", count: 200), String(repeating: "a", count: 129), "semi;colon", "quote\"", "", "tab\there", "caf\u{E9}", "<script>"]

    @Test(arguments: saneIDs)
    func aSaneClientRequestIDIsEchoed(_ id: String) throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: \(id)\r\n\r\n"), now: Self.t0)
        let request = try #require(machine.next(now: Self.t0).dispatched)
        #expect(request.requestID == id)
        let outgoing = try #require(machine.respond(Self.text("a"), now: Self.t0).outgoing)
        #expect(outgoing.response?["X-Request-Id"] == id)
        #expect(outgoing.record.requestID == id)
    }

    @Test(arguments: insaneIDs)
    func anInsaneClientRequestIDIsReplaced(_ id: String) throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: \(id)\r\n\r\n"), now: Self.t0)
        let request = try #require(machine.next(now: Self.t0).dispatched)
        #expect(request.requestID != id)
        #expect(isGeneratedRequestID(request.requestID), "\(request.requestID)")
        let outgoing = try #require(machine.respond(Self.text("a"), now: Self.t0).outgoing)
        #expect(outgoing.response?["X-Request-Id"] == request.requestID)
    }

    @Test func aRequestIDWithACRIsRejectedAndAnsweredWithAGeneratedID() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc\rdef\r\n\r\n"), now: Self.t0)
        let outgoing = try #require(machine.next(now: Self.t0).outgoing)
        let response = try #require(outgoing.response)
        #expect(response.status == 400)
        let id = try #require(response["X-Request-Id"])
        #expect(isGeneratedRequestID(id))
        #expect(response.bodyText.contains(#""request_id":"\#(id)""#))
        #expect(response.bodyText.contains(#""code":"bare_cr""#))
        #expect(!response.bodyText.contains("abc"))
    }

    @Test func generatedIDsAreDeterministicPerSeedAndUniquePerRequest() throws {
        func ids(seed: UInt64) throws -> [String] {
            var machine = makeMachine(now: Self.t0, seed: seed)
            machine.receive(octets("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nX-Request-Id: mine\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0)
            var result: [String] = []
            for _ in 0..<3 {
                result.append(try #require(machine.next(now: Self.t0).dispatched).requestID)
                _ = machine.respond(Self.text("a"), now: Self.t0)
            }
            return result
        }
        let first = try ids(seed: 7)
        #expect(try ids(seed: 7) == first)
        #expect(try ids(seed: 8) != first)
        #expect(first[1] == "mine", "a client id never leaks into the next request, nor the other way")
        #expect(isGeneratedRequestID(first[0]) && isGeneratedRequestID(first[2]))
        #expect(first[0] != first[2])
        // The same (fixed) wall clock gives the same time prefix.
        #expect(first[0].prefix(14) == first[2].prefix(14))
    }

    // MARK: - Timeouts

    @Test func headerTimeoutAnswers408AndCloses() throws {
        let configuration = Self.configuration(headerTimeout: .seconds(10))
        var machine = makeMachine(configuration, now: Self.t0)
        machine.receive(octets("GET / HTTP/1.1\r\nHo"), now: Self.t0)
        #expect(machine.next(now: Self.t0).isReadMore)
        #expect(machine.tick(now: Self.t0 + 10 * oneSecond - 1) == nil)
        let outgoing = try #require(machine.tick(now: Self.t0 + 10 * oneSecond)?.outgoing)
        #expect(outgoing.close)
        let response = try #require(outgoing.response)
        #expect(response.status == 408)
        #expect(response.statusLine == "HTTP/1.1 408 Request Timeout")
        #expect(response["Connection"] == "close")
        #expect(response["Content-Type"] == "application/problem+json")
        #expect(response.bodyText.contains(#""code":"request_timeout""#))
        let id = try #require(response["X-Request-Id"])
        #expect(response.bodyText.contains(#""request_id":"\#(id)""#))
        #expect(outgoing.record.status == 408)
        #expect(outgoing.record.startedAt == Self.t0)
        #expect(machine.isClosed)
        #expect(machine.tick(now: Self.t0 + 20 * oneSecond) == nil)
        #expect(machine.next(now: Self.t0).isClose)
    }

    @Test func headerTimeoutCountsFromTheFirstByteNotTheLast() throws {
        var machine = makeMachine(Self.configuration(headerTimeout: .seconds(10)), now: Self.t0)
        machine.receive(octets("GET / HTTP/1.1\r\n"), now: Self.t0)
        #expect(machine.next(now: Self.t0).isReadMore)
        machine.receive(octets("Host: x\r\n"), now: Self.t0 + 5 * oneSecond)
        #expect(machine.next(now: Self.t0 + 5 * oneSecond).isReadMore)
        machine.receive(octets("X-Slow: 1\r\n"), now: Self.t0 + 9 * oneSecond)
        #expect(machine.next(now: Self.t0 + 9 * oneSecond).isReadMore)
        #expect(machine.tick(now: Self.t0 + 9 * oneSecond) == nil)
        #expect(try #require(machine.tick(now: Self.t0 + 10 * oneSecond)?.outgoing).response?.status == 408)
    }

    @Test func headerTimeoutOfAPipelinedRequestCountsFromTheResponse() throws {
        var machine = makeMachine(Self.configuration(headerTimeout: .seconds(10)), now: Self.t0)
        machine.receive(octets("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        let t1 = Self.t0 + 20 * oneSecond
        _ = try #require(machine.respond(Self.text("1"), now: t1).outgoing)
        #expect(machine.next(now: t1).isReadMore)
        #expect(machine.tick(now: t1 + 10 * oneSecond - 1) == nil)
        #expect(try #require(machine.tick(now: t1 + 10 * oneSecond)?.outgoing).response?.status == 408)
    }

    @Test func bodyIdleTimeoutAnswers408AndCloses() throws {
        var machine = makeMachine(Self.configuration(headerTimeout: .seconds(10), bodyIdleTimeout: .seconds(30)), now: Self.t0)
        machine.receive(octets("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"), now: Self.t0)
        #expect(machine.next(now: Self.t0).isReadMore)
        // The header timeout no longer applies once the body is being read.
        #expect(machine.tick(now: Self.t0 + 15 * oneSecond) == nil)
        machine.receive(octets("01234"), now: Self.t0 + 20 * oneSecond)
        #expect(machine.next(now: Self.t0 + 20 * oneSecond).isReadMore)
        #expect(machine.tick(now: Self.t0 + 49 * oneSecond) == nil)
        #expect(machine.tick(now: Self.t0 + 50 * oneSecond - 1) == nil)
        let outgoing = try #require(machine.tick(now: Self.t0 + 50 * oneSecond)?.outgoing)
        #expect(outgoing.close)
        #expect(outgoing.response?.status == 408)
        #expect(outgoing.record.method == "POST")
        #expect(outgoing.record.path == "/upload")
        #expect(machine.isClosed)
    }

    @Test func bodyIdleTimeoutOfAPipelinedBodyCountsFromTheResponse() throws {
        // The client sent the next request's head and part of its body while the handler ran;
        // the time the handler took is not the client's silence.
        var machine = makeMachine(Self.configuration(bodyIdleTimeout: .seconds(30)), now: Self.t0)
        machine.receive(octets("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        let t1 = Self.t0 + 40 * oneSecond
        _ = try #require(machine.respond(Self.text("1"), now: t1).outgoing)
        #expect(machine.next(now: t1).isReadMore)
        #expect(machine.tick(now: t1) == nil)
        #expect(machine.tick(now: t1 + 30 * oneSecond - 1) == nil)
        #expect(try #require(machine.tick(now: t1 + 30 * oneSecond)?.outgoing).response?.status == 408)
    }

    @Test func keepAliveIdleClosesQuietly() throws {
        var machine = makeMachine(Self.configuration(keepAliveTimeout: .seconds(60)), now: Self.t0)
        machine.receive(octets("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        // No timeout while the handler runs.
        #expect(machine.tick(now: Self.t0 + 1_000 * oneSecond) == nil)
        let t1 = Self.t0 + 1_000 * oneSecond
        _ = try #require(machine.respond(Self.text("a"), now: t1).outgoing)
        #expect(machine.next(now: t1).isReadMore)
        #expect(machine.tick(now: t1 + 60 * oneSecond - 1) == nil)
        let action = machine.tick(now: t1 + 60 * oneSecond)
        #expect(action?.isClose == true, "\(action?.name ?? "nil")")
        #expect(machine.isClosed)
    }

    @Test func aFreshConnectionThatSendsNothingIsClosedQuietly() throws {
        var machine = makeMachine(Self.configuration(keepAliveTimeout: .seconds(60)), now: Self.t0)
        #expect(machine.next(now: Self.t0).isReadMore)
        #expect(machine.tick(now: Self.t0 + 59 * oneSecond) == nil)
        #expect(machine.tick(now: Self.t0 + 60 * oneSecond)?.isClose == true)
    }

    // MARK: - Drain

    @Test func drainClosesAnIdleConnectionAtOnce() throws {
        var machine = makeMachine(now: Self.t0)
        #expect(machine.next(now: Self.t0).isReadMore)
        #expect(machine.startDrain()?.isClose == true)
        #expect(machine.isClosed)
        #expect(machine.next(now: Self.t0).isClose)
    }

    @Test func drainClosesAKeepAliveConnectionBetweenRequests() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        #expect(!(try #require(machine.respond(Self.text("a"), now: Self.t0).outgoing)).close)
        #expect(machine.next(now: Self.t0).isReadMore)
        #expect(machine.startDrain()?.isClose == true)
    }

    @Test func drainLetsADispatchedRequestFinishWithConnectionClose() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        #expect(machine.startDrain() == nil)
        #expect(!machine.isClosed)
        let outgoing = try #require(machine.respond(Self.text("a"), now: Self.t0).outgoing)
        #expect(outgoing.close)
        #expect(outgoing.response?["Connection"] == "close")
        #expect(outgoing.response?.status == 200)
        #expect(machine.next(now: Self.t0).isClose, "the pipelined request is not started")
    }

    @Test func drainLetsAPartlyReceivedRequestFinish() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab"), now: Self.t0)
        #expect(machine.next(now: Self.t0).isReadMore)
        #expect(machine.startDrain() == nil)
        machine.receive(octets("cd"), now: Self.t0)
        #expect(try #require(machine.next(now: Self.t0).dispatched).body == octets("abcd"))
        let outgoing = try #require(machine.respond(Self.text("a"), now: Self.t0).outgoing)
        #expect(outgoing.close)
        #expect(outgoing.response?["Connection"] == "close")
    }

    // MARK: - EOF

    @Test func eofAfterACompleteRequestStillServesIt() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0)
        machine.receivedEOF()
        #expect(try #require(machine.next(now: Self.t0).dispatched).path == "/")
        let outgoing = try #require(machine.respond(Self.text("a"), now: Self.t0).outgoing)
        #expect(outgoing.close)
        #expect(outgoing.response?.bodyText == "a")
        #expect(outgoing.response?["Connection"] == "close")
        #expect(machine.next(now: Self.t0).isClose)
    }

    @Test func eofAfterPipelinedRequestsServesThemAll() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0)
        machine.receivedEOF()
        #expect(try #require(machine.next(now: Self.t0).dispatched).path == "/1")
        let first = try #require(machine.respond(Self.text("1"), now: Self.t0).outgoing)
        #expect(!first.close)
        #expect(try #require(machine.next(now: Self.t0).dispatched).path == "/2")
        let second = try #require(machine.respond(Self.text("2"), now: Self.t0).outgoing)
        #expect(second.close)
        #expect(second.response?["Connection"] == "close")
        #expect(machine.next(now: Self.t0).isClose)
    }

    @Test func eofWhileTheHandlerRunsClosesAfterTheResponse() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        machine.receivedEOF()
        #expect(machine.next(now: Self.t0).isWait)
        let outgoing = try #require(machine.respond(Self.text("a"), now: Self.t0).outgoing)
        #expect(outgoing.close)
        #expect(machine.next(now: Self.t0).isClose)
    }

    @Test func eofMidRequestClosesWithoutAnAnswer() throws {
        var head = makeMachine(now: Self.t0)
        head.receive(octets("GET / HTTP/1.1\r\nHost:"), now: Self.t0)
        #expect(head.next(now: Self.t0).isReadMore)
        head.receivedEOF()
        #expect(head.next(now: Self.t0).isClose)
        #expect(head.isClosed)

        var body = makeMachine(now: Self.t0)
        body.receive(octets("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab"), now: Self.t0)
        body.receivedEOF()
        #expect(body.next(now: Self.t0).isClose)

        var pipelined = makeMachine(now: Self.t0)
        pipelined.receive(octets("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HT"), now: Self.t0)
        pipelined.receivedEOF()
        _ = try #require(pipelined.next(now: Self.t0).dispatched)
        _ = try #require(pipelined.respond(Self.text("1"), now: Self.t0).outgoing)
        #expect(pipelined.next(now: Self.t0).isClose)
    }

    @Test func eofOnAnIdleConnectionCloses() {
        var machine = makeMachine(now: Self.t0)
        machine.receivedEOF()
        #expect(machine.next(now: Self.t0).isClose)
        #expect(machine.isClosed)
    }

    // MARK: - Parser errors

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var input: String
        var status: Int
        var code: String
        var reason: String
        var testDescription: String { code }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(input: "GET / HTTP/1.1\nHost: x\n\n", status: 400, code: "bare_lf", reason: "Bad Request"),
        ErrorCase(input: "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400, code: "content_length_with_transfer_encoding", reason: "Bad Request"),
        ErrorCase(input: "GET / HTTP/1.1\r\n\r\n", status: 400, code: "missing_host", reason: "Bad Request"),
        ErrorCase(input: "GET /" + String(repeating: "a", count: 9000), status: 414, code: "request_target_too_long", reason: "URI Too Long"),
        ErrorCase(input: "GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 40_000), status: 431, code: "headers_too_large", reason: "Request Header Fields Too Large"),
        ErrorCase(input: "GET / HTTP/2.0\r\nHost: x\r\n\r\n", status: 505, code: "http_version_not_supported", reason: "HTTP Version Not Supported"),
        ErrorCase(input: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 501, code: "unknown_transfer_coding", reason: "Not Implemented"),
        ErrorCase(input: "POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", status: 417, code: "unsupported_expectation", reason: "Expectation Failed"),
        ErrorCase(input: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX", status: 400, code: "invalid_chunk_terminator", reason: "Bad Request"),
    ]

    @Test(arguments: errorCases)
    func parserErrorsAnswerProblemJSONAndClose(_ errorCase: ErrorCase) throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets(errorCase.input), now: Self.t0)
        let action = machine.next(now: Self.t0)
        let outgoing = try #require(action.outgoing, "\(action.name)")
        #expect(outgoing.close)
        let response = try #require(outgoing.response)
        #expect(response.statusLine == "HTTP/1.1 \(errorCase.status) \(errorCase.reason)")
        #expect(response["Connection"] == "close")
        #expect(response["Content-Type"] == "application/problem+json")
        #expect(response["Content-Length"] == String(response.body.count))
        #expect(response.trailing.isEmpty)
        let id = try #require(response["X-Request-Id"])
        #expect(isGeneratedRequestID(id))
        #expect(response.bodyText.contains(#""code":"\#(errorCase.code)""#))
        #expect(response.bodyText.contains(#""status":\#(errorCase.status)"#))
        #expect(response.bodyText.contains(#""request_id":"\#(id)""#))
        #expect(outgoing.record.status == errorCase.status)
        #expect(outgoing.record.requestID == id)
        #expect(machine.isClosed)
        #expect(machine.next(now: Self.t0).isClose)
        #expect(machine.tick(now: Self.t0 + 1_000 * oneSecond) == nil)
    }

    @Test func problemDocumentIsExact() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), now: Self.t0)
        let outgoing = try #require(machine.next(now: Self.t0).outgoing)
        let response = try #require(outgoing.response)
        let id = try #require(response["X-Request-Id"])
        let expected = #"{"type":"https://bahi.dev/problems/whitespace-before-colon","title":"Bad Request","status":400,"#
            + #""detail":"\#(HTTPParserError.whitespaceBeforeColon.detail)","code":"whitespace_before_colon","request_id":"\#(id)"}"#
        #expect(response.bodyText == expected)
        #expect(outgoing.record.method == "-")
        #expect(outgoing.record.path == "-")
        #expect(outgoing.record.bytes == response.body.count)
    }

    @Test func responsesCarryServerAndDate() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        let response = try #require(machine.respond(Self.text("a"), now: Self.t0).outgoing?.response)
        #expect(response.headers.map(\.name).prefix(4) == ["Server", "Date", "Content-Length", "X-Request-Id"])
        #expect(response["Server"] == "bahi")
        let date = try #require(response["Date"])
        #expect(date.count == 29)
        #expect(date.hasSuffix(" GMT"))
    }

    @Test func recordsCarryWhenTheRequestStarted() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("GET /1 HTTP/1.1\r\n"), now: Self.t0)
        #expect(machine.next(now: Self.t0).isReadMore)
        machine.receive(octets("Host: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0 + 2 * oneSecond)
        _ = try #require(machine.next(now: Self.t0 + 2 * oneSecond).dispatched)
        let first = try #require(machine.respond(Self.text("1"), now: Self.t0 + 3 * oneSecond).outgoing)
        #expect(first.record.startedAt == Self.t0)
        _ = try #require(machine.next(now: Self.t0 + 3 * oneSecond).dispatched)
        let second = try #require(machine.respond(Self.text("2"), now: Self.t0 + 4 * oneSecond).outgoing)
        #expect(second.record.startedAt == Self.t0 + 3 * oneSecond)
    }

    @Test func noContentRecordsNoBodyBytes() throws {
        var machine = makeMachine(now: Self.t0)
        machine.receive(octets("DELETE /x HTTP/1.1\r\nHost: x\r\n\r\n"), now: Self.t0)
        _ = try #require(machine.next(now: Self.t0).dispatched)
        let outgoing = try #require(machine.respond(HTTPResponse(status: .noContent, body: octets("ignored")), now: Self.t0).outgoing)
        #expect(outgoing.record.status == 204)
        #expect(outgoing.record.bytes == 0)
        #expect(!String(decoding: outgoing.bytes, as: UTF8.self).contains("ignored"))
    }

    // MARK: - Response encoder

    @Suite struct ResponseEncoder {
        static let date = octets("Sun, 06 Nov 1994 08:49:37 GMT")

        func encode(_ response: HTTPResponse, id: String = "req_1", head: Bool = false, close: Bool = false, keepAlive: Bool = false) -> String {
            String(decoding: HTTPResponseEncoder.encode(response, requestID: id, date: Self.date, isHeadRequest: head, close: close, keepAliveHeader: keepAlive), as: UTF8.self)
        }

        @Test func writesTheStatusLineAndTheServerOwnedFields() {
            let response = HTTPResponse(status: .created, headers: ["Content-Type": "application/json", "Location": "/v1/orders/ord_1"], body: octets("{}"))
            #expect(encode(response) == "HTTP/1.1 201 Created\r\nServer: bahi\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 2\r\nX-Request-Id: req_1\r\nContent-Type: application/json\r\nLocation: /v1/orders/ord_1\r\n\r\n{}")
        }

        @Test func dropsHandlerFramingFields() {
            let response = HTTPResponse(status: .ok, headers: HTTPHeaders([
                ("Content-Length", "999"), ("connection", "keep-alive"), ("Transfer-Encoding", "chunked"),
                ("CONTENT-LENGTH", "1"), ("X-Kept", "yes"),
            ]), body: octets("abc"))
            #expect(encode(response, close: true) == "HTTP/1.1 200 OK\r\nServer: bahi\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 3\r\nX-Request-Id: req_1\r\nConnection: close\r\nX-Kept: yes\r\n\r\nabc")
        }

        @Test func stripsLineBreaksFromHeaderValuesAndNames() {
            let response = HTTPResponse(status: .ok, headers: HTTPHeaders([
                ("X-Evil", "a\r\nSet-Cookie: session=stolen\r\n\r\nbody"), ("X-Name\r\nInjected", "v"), ("X-Lf", "1\n2\r3"),
            ]))
            let text = encode(response)
            #expect(text == "HTTP/1.1 200 OK\r\nServer: bahi\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\nX-Request-Id: req_1\r\nX-Evil: aSet-Cookie: session=stolenbody\r\nX-NameInjected: v\r\nX-Lf: 123\r\n\r\n")
            #expect(text.components(separatedBy: "\r\n").count == 10)
        }

        @Test func noContentAndNotModifiedHaveNoContentLengthAndNoBody() {
            for status in [HTTPStatus.noContent, .notModified] {
                let text = encode(HTTPResponse(status: status, headers: ["ETag": "\"1\""], body: octets("should not appear")))
                #expect(text == "HTTP/1.1 \(status.code) \(status.reason)\r\nServer: bahi\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nX-Request-Id: req_1\r\nETag: \"1\"\r\n\r\n")
            }
        }

        @Test func headKeepsTheContentLengthButSendsNoBody() {
            let text = encode(HTTPResponse(status: .ok, body: octets("hello world")), head: true)
            #expect(text == "HTTP/1.1 200 OK\r\nServer: bahi\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 11\r\nX-Request-Id: req_1\r\n\r\n")
        }

        @Test func connectionFields() {
            let prefix = "HTTP/1.1 200 OK\r\nServer: bahi\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\n"
            #expect(encode(HTTPResponse(), id: "", keepAlive: true) == prefix + "Connection: keep-alive\r\n\r\n")
            #expect(encode(HTTPResponse(), id: "", close: true, keepAlive: true) == prefix + "Connection: close\r\n\r\n")
            #expect(encode(HTTPResponse(), id: "") == prefix + "\r\n", "no X-Request-Id without an id")
        }

        @Test func contentLengthDigits() {
            for count in [0, 1, 9, 10, 99, 100, 1_234_567] {
                let text = encode(HTTPResponse(status: .ok, body: [UInt8](repeating: 0x61, count: count)))
                #expect(text.contains("\r\nContent-Length: \(count)\r\n"), "\(count)")
                #expect(text.hasSuffix("\r\n\r\n" + String(repeating: "a", count: count)))
            }
        }

        @Test func unknownStatusGetsAGenericReason() {
            #expect(encode(HTTPResponse(status: HTTPStatus(code: 299))).hasPrefix("HTTP/1.1 299 Status 299\r\n"))
        }

        @Test func continueResponseIsExact() {
            #expect(HTTPResponseEncoder.continueResponse == octets("HTTP/1.1 100 Continue\r\n\r\n"))
        }

        @Test func dateFormatIsIMFFixdate() {
            #expect(DateCache.format(784_111_777) == octets("Sun, 06 Nov 1994 08:49:37 GMT"))
            #expect(DateCache.format(0) == octets("Thu, 01 Jan 1970 00:00:00 GMT"))
            #expect(DateCache.format(1_700_000_000) == octets("Tue, 14 Nov 2023 22:13:20 GMT"))
        }
    }
}
