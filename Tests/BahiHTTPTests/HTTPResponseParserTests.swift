import Testing
@testable import BahiHTTP

/// What a response parser made of some input: the head, the body, whether it ended, the
/// error it stopped with, and the bytes it left.
private struct ResponseOutcome: Equatable {
    var head: HTTPResponseHead?
    var body: [UInt8] = []
    var ended = false
    var error: HTTPResponseParserError?
    var leftover: [UInt8] = []
}

/// Feeds `chunks` one after another to a fresh parser; `closed` then tells it the peer closed.
private func parseResponse(chunks: [[UInt8]], method: HTTPMethod = .get, limits: HTTPResponseParser.Limits = .init(), closed: Bool = false) -> ResponseOutcome {
    var parser = HTTPResponseParser(requestMethod: method, limits: limits)
    var buffer = ByteBuffer(capacity: 32)
    var outcome = ResponseOutcome()
    func apply(_ event: HTTPResponseParser.Event) -> Bool {
        switch event {
        case .needMoreData: return false
        case .head(let head): outcome.head = head
        case .body(let piece):
            #expect(!piece.isEmpty, "empty body event")
            outcome.body += piece
        case .end: outcome.ended = true
        }
        return true
    }
    do {
        for chunk in chunks {
            buffer.write(chunk)
            while try apply(parser.parse(&buffer)) {}
        }
        if closed { _ = try apply(parser.finish()) }
    } catch {
        outcome.error = error
    }
    outcome.leftover = buffer.readableBytesArray
    return outcome
}

private func parseResponse(_ text: String, method: HTTPMethod = .get, limits: HTTPResponseParser.Limits = .init(), closed: Bool = false) -> ResponseOutcome {
    parseResponse(chunks: [octets(text)], method: method, limits: limits, closed: closed)
}

private func responseError(_ text: String, method: HTTPMethod = .get, limits: HTTPResponseParser.Limits = .init(), closed: Bool = false) -> HTTPResponseParserError? {
    parseResponse(text, method: method, limits: limits, closed: closed).error
}

/// RFC 9112 response framing: what the client accepts, how it refuses ambiguity, and that
/// input split anywhere parses the same.
@Suite struct HTTPResponseParserTests {
    @Test func contentLengthResponse() throws {
        let outcome = parseResponse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello")
        let head = try #require(outcome.head)
        #expect(outcome.error == nil)
        #expect(head.status.code == 200 && head.status.reason == "OK")
        #expect(head.framing == .length(5))
        #expect(head.keepAlive)
        #expect(head.headers["content-type"] == "text/plain")
        #expect(outcome.body == octets("hello"))
        #expect(outcome.ended)
    }

    @Test func chunkedWithExtensionsAndTrailers() throws {
        let outcome = parseResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n6 ; x=\"y; z\"\r\n world\r\n0;last\r\nX-Checksum: 1\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.head?.framing == .chunked)
        #expect(outcome.body == octets("hello world"))
        #expect(outcome.ended)
        #expect(outcome.head?.headers.contains(name: "X-Checksum") == false)
        #expect(outcome.leftover.isEmpty)
    }

    @Test func bodyRunsToTheCloseWithoutFraming() throws {
        let open = parseResponse("HTTP/1.1 200 OK\r\n\r\nabc")
        #expect(open.head?.framing == .untilClose)
        #expect(open.head?.keepAlive == false)
        #expect(!open.ended)
        let closed = parseResponse("HTTP/1.1 200 OK\r\n\r\nabc", closed: true)
        #expect(closed.ended)
        #expect(closed.body == octets("abc"))
    }

    @Test func noBodyForHeadAnd204And304() {
        let head = parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", method: .head)
        #expect(head.ended && head.body.isEmpty && head.head?.framing == HTTPResponseFraming.none && head.head?.keepAlive == true)
        let noContent = parseResponse("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n")
        #expect(noContent.ended && noContent.body.isEmpty)
        #expect(noContent.leftover == octets("HTTP/1.1 200 OK\r\n"), "what follows a 204 is not its body")
        let notModified = parseResponse("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")
        #expect(notModified.ended && notModified.body.isEmpty)
    }

    @Test func interimResponsesAreSkipped() throws {
        let outcome = parseResponse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
        #expect(outcome.head?.status.code == 201)
        #expect(outcome.head?.headers.contains(name: "Link") == false)
        #expect(outcome.body == octets("ok"))
        #expect(responseError("HTTP/1.1 101 Switching Protocols\r\n\r\n") == .unexpectedSwitchingProtocols)
    }

    @Test func persistence() {
        #expect(parseResponse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").head?.keepAlive == false)
        #expect(parseResponse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").head?.keepAlive == false)
        #expect(parseResponse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").head?.keepAlive == true)
        #expect(parseResponse("HTTP/1.1 200 OK\r\nConnection: foo, Close\r\nContent-Length: 0\r\n\r\n").head?.keepAlive == false)
    }

    @Test func statusLines() {
        #expect(parseResponse("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n").head?.status.reason == "Not Found")
        #expect(parseResponse("HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n").head?.status.code == 599)
        #expect(responseError("HTTP/1.1 20 OK\r\n\r\n") == .invalidStatusCode)
        #expect(responseError("HTTP/1.1 2000 OK\r\n\r\n") == .invalidStatusCode)
        #expect(responseError("HTTP/1.1 099 Low\r\n\r\n") == .invalidStatusCode)
        #expect(responseError("HTTP/2.0 200 OK\r\n\r\n") == .unsupportedVersion)
        #expect(responseError("HTTP/1.1  200 OK\r\n\r\n") == .invalidStatusCode)
        #expect(responseError("http/1.1 200 OK\r\n\r\n") == .invalidStatusLine)
        #expect(responseError("ICY 200 OK\r\n\r\n") == .invalidStatusLine)
        #expect(responseError("HTTP/1.1 200 O\u{1}K\r\n\r\n") == .invalidStatusLine)
        #expect(responseError("HTTP/1.1 200 OK\rX\r\n\r\n") == .bareCR)
        #expect(responseError("HTTP/1.1 200 OK\n\r\n") == .bareLF)
    }

    @Test func ambiguousFramingIsRefused() {
        #expect(responseError("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello") == .duplicateContentLength)
        #expect(responseError("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!") == .conflictingContentLength)
        #expect(responseError("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello") == .invalidContentLength)
        #expect(responseError("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello") == .invalidContentLength)
        #expect(responseError("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == .contentLengthWithTransferEncoding)
        #expect(responseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n") == .unsupportedTransferCoding)
        #expect(responseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n") == .unsupportedTransferCoding)
        #expect(responseError("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == .transferEncodingInHTTP10)
        // Ambiguity is refused even where no body is read.
        #expect(responseError("HTTP/1.1 204 No Content\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == .conflictingContentLength)
    }

    @Test func fieldLinesFollowTheServersRules() {
        #expect(responseError("HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 0\r\n\r\n") == .obsoleteLineFolding)
        #expect(responseError("HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n") == .whitespaceBeforeColon)
        #expect(responseError("HTTP/1.1 200 OK\r\nX-A: 1\rX\r\n\r\n") == .bareCR)
        #expect(responseError("HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n") == .bareLF)
        #expect(responseError("HTTP/1.1 200 OK\r\nX-A: \u{0}\r\n\r\n") == .invalidHeaderValue)
        #expect(responseError("HTTP/1.1 200 OK\r\nX(A): 1\r\n\r\n") == .invalidHeaderName)
        #expect(responseError("HTTP/1.1 200 OK\r\n: 1\r\n\r\n") == .invalidHeaderName)
    }

    @Test func badChunks() {
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(responseError(head + "x\r\n") == .invalidChunkSize)
        #expect(responseError(head + "-1\r\n") == .invalidChunkSize)
        #expect(responseError(head + "5 x\r\nhello\r\n") == .invalidChunkSize)
        #expect(responseError(head + "1000000000000000\r\n") == .chunkSizeOverflow)
        #expect(responseError(head + "5\r\nhelloXX") == .invalidChunkTerminator)
        #expect(responseError(head + "5\nhello\r\n") == .bareLF)
        #expect(responseError(head + "5\r\nhel", closed: true) == .incompleteMessage)
    }

    @Test func limits() {
        var limits = HTTPResponseParser.Limits()
        limits.maxBodyBytes = 10
        limits.maxHeaderBytes = 64
        limits.maxHeaderCount = 2
        limits.maxChunkLineLength = 8
        #expect(responseError("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", limits: limits) == .bodyTooLarge)
        #expect(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", limits: limits).ended)
        #expect(responseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n", limits: limits) == .bodyTooLarge)
        #expect(responseError("HTTP/1.1 200 OK\r\n\r\n0123456789A", limits: limits) == .bodyTooLarge)
        #expect(responseError("HTTP/1.1 200 OK\r\nX-Long: " + String(repeating: "a", count: 64), limits: limits) == .headersTooLarge)
        #expect(responseError("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits) == .tooManyHeaders)
        #expect(responseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;abcdefgh\r\n", limits: limits) == .chunkExtensionTooLong)
        limits.maxInformationalResponses = 1
        #expect(responseError("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n", limits: limits) == .tooManyInformationalResponses)
    }

    @Test func earlyEnds() {
        #expect(responseError("", closed: true) == .incompleteMessage)
        #expect(responseError("HTTP/1.1 200 OK\r\nContent-Le", closed: true) == .incompleteMessage)
        #expect(responseError("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", closed: true) == .incompleteMessage)
    }

    @Test func anySplitParsesTheSame() {
        let inputs = [
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n1\r\n!\r\n0\r\nT: 1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX",
            "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n",
        ]
        var random = SplitMix64(seed: 7)
        // After an error the parser stops, so what it left unread depends on the split.
        func verdict(_ outcome: ResponseOutcome) -> ResponseOutcome {
            var outcome = outcome
            if outcome.error != nil { outcome.leftover = [] }
            return outcome
        }
        for input in inputs {
            let whole = verdict(parseResponse(input))
            let bytes = octets(input)
            let byteByByte = verdict(parseResponse(chunks: bytes.map { [$0] }))
            #expect(byteByByte == whole, "\(input.debugDescription) byte by byte")
            for _ in 0..<50 {
                let pieces = random.pieces(of: bytes)
                #expect(verdict(parseResponse(chunks: pieces)) == whole, "\(input.debugDescription) split \(pieces.map(\.count))")
            }
        }
    }
}
