import Testing
@testable import BahiHTTP

/// RFC 9112 vectors for the incremental request parser: what it accepts, exactly how it
/// rejects, and that splitting the input anywhere never changes the outcome.
@Suite struct HTTPRequestParserTests {
    // MARK: - Valid requests

    @Test func simpleGet() throws {
        let outcome = parse("GET /v1/orders?limit=10&after=ord_1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.leftover.isEmpty)
        let head = try #require(outcome.head)
        #expect(outcome.items == [.head(head), .end])
        #expect(head.method == .get)
        #expect(head.target == "/v1/orders?limit=10&after=ord_1")
        #expect(head.path == "/v1/orders")
        #expect(head.query == "limit=10&after=ord_1")
        #expect(head.version == .http1_1)
        #expect(head.framing == .none)
        #expect(head.keepAlive)
        #expect(!head.expectsContinue)
        #expect(head.headers == HTTPHeaders([("Host", "example.com")]))
    }

    @Test func postWithContentLengthBody() throws {
        let body = #"{"sku":"TSHIRT-RED","qty":2}"#
        let outcome = parse("POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(outcome.error == nil)
        #expect(outcome.leftover.isEmpty)
        let head = try #require(outcome.head)
        #expect(head.method == .post)
        #expect(head.framing == .length(body.utf8.count))
        #expect(outcome.items == [.head(head), .body(octets(body)), .end])
    }

    @Test func contentLengthBodyDoesNotSwallowTheNextRequest() {
        let outcome = parse("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.heads.map(\.target) == ["/a", "/b"])
        #expect(outcome.body == octets("abc"))
        #expect(outcome.items.count == 5)
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let input = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n"
            + "6 ; a=b;c=\"quoted; value\"\r\n world\r\n"
            + "a\r\n0123456789\r\n"
            + "B\r\nABCDEFGHIJK\r\n"
            + "0;last=yes\r\nX-Checksum: abc\r\nX-Other:  1 \r\n\r\n"
            + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n"
        let outcome = parse(input)
        #expect(outcome.error == nil)
        #expect(outcome.leftover.isEmpty)
        let heads = outcome.heads
        try #require(heads.count == 2)
        #expect(heads[0].framing == .chunked)
        #expect(outcome.body == octets("hello world0123456789ABCDEFGHIJK"))
        // Trailers are parsed and dropped: they never reach the head.
        #expect(!heads[0].headers.contains(name: "X-Checksum"))
        #expect(heads[0].headers.count == 2)
        #expect(outcome.items == [.head(heads[0]), .body(octets("hello world0123456789ABCDEFGHIJK")), .end, .head(heads[1]), .end])
        #expect(heads[1].target == "/next")
    }

    @Test func chunkedBodyWithoutTrailers() {
        let outcome = parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.head?.framing == .chunked)
        #expect(outcome.body == octets("abc"))
        #expect(outcome.items.last == .end)
        #expect(outcome.leftover.isEmpty)
    }

    @Test func chunkedCodingListsTolerateEmptyElements() {
        // RFC 9110 §5.6.1: empty list elements are ignored.
        let outcome = parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: , chunked ,\r\n\r\n0\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.head?.framing == .chunked)
    }

    @Test func fifteenHexDigitChunkSizeIsAccepted() {
        let outcome = parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n000000000000003\r\nabc\r\n0\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.body == octets("abc"))
        let huge = parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFF\r\nxy")
        #expect(huge.error == nil)
        #expect(huge.body == octets("xy"))
    }

    @Test func headersKeepOrderAndDuplicatesWithCaseInsensitiveLookup() throws {
        let outcome = parse("GET / HTTP/1.1\r\nHost: x\r\nAccept: a\r\nX-Dup: 1\r\naccept: b\r\nX-DUP: 2\r\nCookie: c=1\r\n\r\n")
        let head = try #require(outcome.head)
        #expect(head.headers.fields.map(\.name) == ["Host", "Accept", "X-Dup", "accept", "X-DUP", "Cookie"])
        #expect(head.headers.fields.map(\.value) == ["x", "a", "1", "b", "2", "c=1"])
        #expect(head.headers.values(name: "ACCEPT") == ["a", "b"])
        #expect(head.headers.values(name: "x-dup") == ["1", "2"])
        #expect(head.headers.first(name: "x-dup") == "1")
        #expect(head.headers["HOST"] == "x")
        #expect(head.headers["cookie"] == "c=1")
        #expect(head.headers["missing"] == nil)
    }

    @Test func optionalWhitespaceAroundValuesIsTrimmed() throws {
        let outcome = parse("GET / HTTP/1.1\r\nHost:x\r\nX-A:   value with  inner\tspaces \t \r\nX-B:\tv\t\r\nX-C:\r\nX-D: \t \r\n\r\n")
        let head = try #require(outcome.head)
        #expect(head.headers["host"] == "x")
        #expect(head.headers["x-a"] == "value with  inner\tspaces")
        #expect(head.headers["x-b"] == "v")
        #expect(head.headers["x-c"] == "")
        #expect(head.headers["x-d"] == "")
    }

    @Test func obsTextIsAllowedInValues() throws {
        var input = octets("GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf")
        let value: [UInt8] = [0x63, 0x61, 0x66, 0xE9, 0x20, 0x80, 0xFF, 0xC3, 0xA9]
        input += [0xE9, 0x20, 0x80, 0xFF, 0xC3, 0xA9]
        input += octets("\r\n\r\n")
        let outcome = parse(input)
        #expect(outcome.error == nil)
        let head = try #require(outcome.head)
        #expect(head.headers["x-name"] == String(decoding: value, as: UTF8.self))
        #expect(head.headers["x-name"]?.hasSuffix("é") == true)
    }

    @Test func absoluteFormTarget() throws {
        let head = try #require(parse("GET http://example.com:8080/v1/skus/A?x=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n").head)
        #expect(head.target == "http://example.com:8080/v1/skus/A?x=1")
        #expect(head.path == "/v1/skus/A")
        #expect(head.query == "x=1")
        let https = try #require(parse("GET HTTPS://Example.com HTTP/1.1\r\nHost: example.com\r\n\r\n").head)
        #expect(https.target == "HTTPS://Example.com")
        #expect(https.version == .http1_1)
        // The scheme is case-insensitive (RFC 3986 §3.1).
        #expect(https.path == "/")
    }

    @Test func asteriskFormForOptions() throws {
        let head = try #require(parse("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").head)
        #expect(head.method == .options)
        #expect(head.target == "*")
        #expect(head.path == "*")
    }

    @Test func http10IsCloseUnlessKeepAlive() throws {
        let plain = try #require(parse("GET / HTTP/1.0\r\n\r\n").head)
        #expect(plain.version == .http1_0)
        #expect(!plain.keepAlive)
        let keepAlive = try #require(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").head)
        #expect(keepAlive.keepAlive)
        let listed = try #require(parse("GET / HTTP/1.0\r\nConnection: foo, keep-alive\r\n\r\n").head)
        #expect(listed.keepAlive)
        let both = try #require(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").head)
        #expect(!both.keepAlive)
        let twoFields = try #require(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n").head)
        #expect(!twoFields.keepAlive)
    }

    @Test func http10WithContentLength() throws {
        let outcome = parse("POST /x HTTP/1.0\r\nContent-Length: 2\r\n\r\nok")
        #expect(outcome.error == nil)
        #expect(outcome.head?.framing == .length(2))
        #expect(outcome.body == octets("ok"))
    }

    @Test func connectionCloseOnHTTP11() throws {
        #expect(try #require(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").head).keepAlive == false)
        #expect(try #require(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, CLOSE\r\n\r\n").head).keepAlive == false)
        #expect(try #require(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n").head).keepAlive == true)
        #expect(try #require(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n").head).keepAlive == true)
    }

    @Test func leadingEmptyLinesAreToleratedUpToTheLimit() throws {
        let four = parse("\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(four.error == nil)
        #expect(try #require(four.head).target == "/")
        let limits = smallLimits(emptyLines: 1)
        #expect(parse("\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", limits: limits).error == nil)
        #expect(parseError("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", limits: limits) == .tooManyEmptyLines)
        // The count starts again for every request on a connection.
        let pipelined = parse("GET /a HTTP/1.1\r\nHost: x\r\n\r\n\r\n\r\n\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(pipelined.error == nil)
        #expect(pipelined.heads.map(\.target) == ["/a", "/b"])
    }

    @Test func zeroContentLengthMeansNoBody() throws {
        let outcome = parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(outcome.error == nil)
        let heads = outcome.heads
        try #require(heads.count == 2)
        #expect(heads[0].framing == .none)
        #expect(outcome.items == [.head(heads[0]), .end, .head(heads[1]), .end])
        #expect(try #require(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 000\r\n\r\n").head).framing == .none)
    }

    @Test func eighteenDigitContentLengthIsAccepted() throws {
        let head = try #require(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999999999\r\n\r\n").head)
        #expect(head.framing == .length(999_999_999_999_999_999))
    }

    @Test func expectContinue() throws {
        let withBody = try #require(parse("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n").head)
        #expect(withBody.expectsContinue)
        let chunked = try #require(parse("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n").head)
        #expect(chunked.expectsContinue)
        // Nothing to wait for without a body, and HTTP/1.0 clients do not know 100.
        let noBody = try #require(parse("GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n").head)
        #expect(!noBody.expectsContinue)
        let http10 = try #require(parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n").head)
        #expect(!http10.expectsContinue)
        // Expect is a list: empty members are ignored, a repeated 100-continue is still one.
        let twice = try #require(parse("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue, 100-continue\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n").head)
        #expect(twice.expectsContinue)
        let empty = try #require(parse("POST / HTTP/1.1\r\nHost: x\r\nExpect:\r\nContent-Length: 3\r\n\r\n").head)
        #expect(!empty.expectsContinue)
    }

    @Test func methodsAreCaseSensitiveTokens() throws {
        // Any RFC 9110 token is a method; the router answers unknown ones with 405/404. A
        // lowercase `get` is a different (unknown) method, not GET.
        let lower = try #require(parse("get / HTTP/1.1\r\nHost: x\r\n\r\n").head)
        #expect(lower.method.rawValue == "get")
        #expect(lower.method != .get)
        let custom = try #require(parse("M-SEARCH! / HTTP/1.1\r\nHost: x\r\n\r\n").head)
        #expect(custom.method.rawValue == "M-SEARCH!")
        let longest = String(repeating: "A", count: 32)
        #expect(try #require(parse("\(longest) / HTTP/1.1\r\nHost: x\r\n\r\n").head).method.rawValue == longest)
        for (text, method) in [("GET", HTTPMethod.get), ("PUT", .put), ("POST", .post), ("HEAD", .head), ("DELETE", .delete), ("PATCH", .patch)] {
            #expect(try #require(parse("\(text) / HTTP/1.1\r\nHost: x\r\n\r\n").head).method == method)
        }
    }

    @Test func hostIsOptionalOnHTTP10AndMayBeEmpty() throws {
        #expect(parse("GET / HTTP/1.0\r\n\r\n").error == nil)
        #expect(parse("GET / HTTP/1.0\r\nHost: x\r\n\r\n").error == nil)
        #expect(parse("GET / HTTP/1.1\r\nHost:\r\n\r\n").error == nil)
    }

    @Test func targetAndHeaderLimitsAreInclusive() {
        let target = "/" + String(repeating: "a", count: 8 * 1024 - 1)
        #expect(parse("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n").error == nil)
        // 100 fields, Host included.
        var hundred = "GET / HTTP/1.1\r\nHost: x\r\n"
        for i in 1..<100 { hundred += "X-\(i): v\r\n" }
        #expect(parse(hundred + "\r\n").error == nil)
        // Header block of exactly maxHeaderBytes (the final CRLF included).
        let limits = smallLimits(headerBytes: 64, headerCount: 10)
        // "Host: x\r\n" (9) + "X-F: " (5) + filler + CRLF (2) + the final CRLF (2) = 64.
        let filler = String(repeating: "v", count: 64 - 9 - 5 - 2 - 2)
        let exact = "GET / HTTP/1.1\r\nHost: x\r\nX-F: \(filler)\r\n\r\n"
        #expect(parse(exact, limits: limits).error == nil)
        #expect(parseError("GET / HTTP/1.1\r\nHost: x\r\nX-F: \(filler)v\r\n\r\n", limits: limits) == .headersTooLarge)
    }

    @Test func bodyBytesAreNotInterpreted() {
        // CR, LF, NUL in a body are data.
        let body: [UInt8] = [0x0D, 0x0A, 0x00, 0x0A, 0x0D, 0xFF]
        let outcome = parse(octets("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n") + body)
        #expect(outcome.error == nil)
        #expect(outcome.body == body)
        let chunked = parse(octets("PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n") + body + octets("\r\n0\r\n\r\n"))
        #expect(chunked.error == nil)
        #expect(chunked.body == body)
    }

    @Test func parserIsIdleOnlyBetweenRequests() throws {
        var parser = HTTPRequestParser()
        var buffer = ByteBuffer()
        #expect(parser.isIdle)
        #expect(!parser.isReadingBody)
        buffer.write(octets("POST / HTTP/1.1\r\nHo"))
        #expect(try parser.parse(&buffer) == .needMoreData)
        #expect(!parser.isIdle)
        #expect(!parser.isReadingBody)
        buffer.write(octets("st: x\r\nContent-Length: 2\r\n\r\n"))
        guard case .head = try parser.parse(&buffer) else { Issue.record("expected a head"); return }
        #expect(parser.isReadingBody)
        #expect(try parser.parse(&buffer) == .needMoreData)
        buffer.write(octets("ok"))
        #expect(try parser.parse(&buffer) == .body(octets("ok")))
        #expect(try parser.parse(&buffer) == .end)
        #expect(parser.isIdle)
        #expect(!parser.isReadingBody)
        buffer.write(octets("\r\n"))
        #expect(try parser.parse(&buffer) == .needMoreData)
        #expect(!parser.isIdle, "an empty line is the start of a request")
    }

    // MARK: - Rejections

    struct Rejection: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [UInt8]
        var error: HTTPParserError
        var status: Int
        var limits = HTTPRequestParser.Limits()

        var testDescription: String { name }

        init(_ name: String, _ input: String, _ error: HTTPParserError, _ status: Int, limits: HTTPRequestParser.Limits = .init()) {
            self.init(name, octets(input), error, status, limits: limits)
        }

        init(_ name: String, _ input: [UInt8], _ error: HTTPParserError, _ status: Int, limits: HTTPRequestParser.Limits = .init()) {
            self.name = name
            self.input = input
            self.error = error
            self.status = status
            self.limits = limits
        }
    }

    static let chunkedHead = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"

    static let framingRejections: [Rejection] = [
        Rejection("CL then TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello", .contentLengthWithTransferEncoding, 400),
        Rejection("TE then CL", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", .contentLengthWithTransferEncoding, 400),
        Rejection("CL with TE gzip", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\n", .contentLengthWithTransferEncoding, 400),
        Rejection("duplicate CL, equal", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", .duplicateContentLength, 400),
        Rejection("duplicate CL, different", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\nhello", .duplicateContentLength, 400),
        Rejection("duplicate CL, one invalid", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: x\r\n\r\n", .duplicateContentLength, 400),
        Rejection("CL abc", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", .invalidContentLength, 400),
        Rejection("CL -1", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", .invalidContentLength, 400),
        Rejection("CL +5", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n", .invalidContentLength, 400),
        Rejection("CL 1,1", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1,1\r\n\r\n", .invalidContentLength, 400),
        Rejection("CL 5, 5", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n", .invalidContentLength, 400),
        Rejection("CL inner space", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\n", .invalidContentLength, 400),
        Rejection("CL blank", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:  \r\n\r\n", .invalidContentLength, 400),
        Rejection("CL empty", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", .invalidContentLength, 400),
        Rejection("CL hex", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\n", .invalidContentLength, 400),
        Rejection("CL 19 digits", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000000000\r\n\r\n", .invalidContentLength, 400),
        Rejection("CL 19 digits, leading zero", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0000000000000000005\r\n\r\n", .invalidContentLength, 400),
        Rejection("CL 25 digits", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999999999999999999999\r\n\r\n", .invalidContentLength, 400),
        Rejection("TE gzip", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", .transferEncodingNotChunked, 400),
        Rejection("TE chunked, gzip", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", .transferEncodingNotChunked, 400),
        Rejection("TE chunked, chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", .transferEncodingNotChunked, 400),
        Rejection("TE chunked twice in two fields", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingNotChunked, 400),
        Rejection("TE empty", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n\r\n", .transferEncodingNotChunked, 400),
        Rejection("TE chunked with parameter", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", .transferEncodingNotChunked, 400),
        Rejection("TE gzip, chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unknownTransferCoding, 501),
        Rejection("TE gzip then chunked in two fields", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", .unknownTransferCoding, 501),
        Rejection("TE on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .transferEncodingInHTTP10, 400),
    ]

    static let chunkRejections: [Rejection] = [
        Rejection("chunk size not hex", chunkedHead + "zz\r\n", .invalidChunkSize, 400),
        Rejection("chunk size empty", chunkedHead + "\r\n", .invalidChunkSize, 400),
        Rejection("chunk size trailing space", chunkedHead + "5 \r\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400),
        Rejection("chunk size leading space", chunkedHead + " 5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400),
        Rejection("chunk size negative", chunkedHead + "-5\r\n", .invalidChunkSize, 400),
        Rejection("chunk size 0x prefix", chunkedHead + "0x5\r\n", .invalidChunkSize, 400),
        Rejection("chunk size then garbage", chunkedHead + "5 x\r\n", .invalidChunkSize, 400),
        Rejection("chunk extension with control char", chunkedHead + "5;a=\u{01}\r\n", .invalidChunkSize, 400),
        Rejection("chunk size 16 hex digits", chunkedHead + "FFFFFFFFFFFFFFFF\r\n", .chunkSizeOverflow, 400),
        Rejection("chunk size 17 hex digits", chunkedHead + "10000000000000000\r\n", .chunkSizeOverflow, 400),
        Rejection("chunk size 16 digits, leading zeros", chunkedHead + "0000000000000005\r\nhello\r\n", .chunkSizeOverflow, 400),
        Rejection("chunk data not followed by CRLF", chunkedHead + "5\r\nhelloXX0\r\n\r\n", .invalidChunkTerminator, 400),
        Rejection("chunk data followed by LF", chunkedHead + "5\r\nhello\n0\r\n\r\n", .invalidChunkTerminator, 400),
        Rejection("chunk data followed by CR X", chunkedHead + "5\r\nhello\rX", .invalidChunkTerminator, 400),
        Rejection("chunk data longer than its size", chunkedHead + "3\r\nhello\r\n0\r\n\r\n", .invalidChunkTerminator, 400),
        Rejection("chunk line too long", chunkedHead + "5;" + String(repeating: "e", count: 5000) + "\r\nhello\r\n", .chunkExtensionTooLong, 400),
        Rejection("chunk line too long while waiting", chunkedHead + "5;" + String(repeating: "e", count: 5000), .chunkExtensionTooLong, 400),
        Rejection("chunk line one over a small limit", chunkedHead + "5;aaaaaaaaaaaaa\r\n", .chunkExtensionTooLong, 400, limits: smallLimits(chunkLine: 16)),
        Rejection("bare CR in chunk line", chunkedHead + "5\r;x\r\nhello\r\n", .bareCR, 400),
        Rejection("bare CR after chunk size", chunkedHead + "5\r\r\nhello\r\n", .bareCR, 400),
        Rejection("bare CR in chunk extension", chunkedHead + "5;a\rb\r\nhello\r\n", .bareCR, 400),
        Rejection("bare CR starting chunk line", chunkedHead + "\r5\r\nhello\r\n", .bareCR, 400),
        Rejection("bare LF after chunk size", chunkedHead + "5\nhello\r\n", .bareLF, 400),
        Rejection("bare LF in trailers", chunkedHead + "0\r\nX-T: 1\n\r\n", .bareLF, 400),
        Rejection("bare LF ending trailers", chunkedHead + "0\r\n\n", .bareLF, 400),
        Rejection("obs-fold in trailers", chunkedHead + "0\r\nX-T: 1\r\n 2\r\n\r\n", .obsoleteLineFolding, 400),
        Rejection("space in trailer name", chunkedHead + "0\r\nX T: 1\r\n\r\n", .whitespaceBeforeColon, 400),
        Rejection("control char in trailer", chunkedHead + "0\r\nX-T: \u{00}\r\n\r\n", .invalidHeaderValue, 400),
        Rejection("trailers too large", chunkedHead + "0\r\nX-T: " + String(repeating: "t", count: 70) + "\r\n\r\n", .headersTooLarge, 431, limits: smallLimits(headerBytes: 64)),
        Rejection("too many trailers", chunkedHead + "0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n", .tooManyHeaders, 431, limits: smallLimits(headerBytes: 1000, headerCount: 4)),
    ]

    static let fieldRejections: [Rejection] = [
        Rejection("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", .whitespaceBeforeColon, 400),
        Rejection("tab before colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A\t: x\r\n\r\n", .whitespaceBeforeColon, 400),
        Rejection("obs-fold with space", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", .obsoleteLineFolding, 400),
        Rejection("obs-fold with tab", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n", .obsoleteLineFolding, 400),
        Rejection("first field line starts with space", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", .obsoleteLineFolding, 400),
        Rejection("bare CR in request line target", "GET /\r HTTP/1.1\r\nHost: x\r\n\r\n", .bareCR, 400),
        Rejection("bare CR in method", "GE\rT / HTTP/1.1\r\nHost: x\r\n\r\n", .bareCR, 400),
        Rejection("bare CR after version", "GET / HTTP/1.1\rHost: x\r\n\r\n", .bareCR, 400),
        Rejection("CR CR LF after version", "GET / HTTP/1.1\r\r\nHost: x\r\n\r\n", .bareCR, 400),
        Rejection("bare CR in header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", .bareCR, 400),
        Rejection("bare CR ending header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\r\n\r\n", .bareCR, 400),
        Rejection("bare CR in header name", "GET / HTTP/1.1\r\nHost: x\r\nX\r-A: a\r\n\r\n", .bareCR, 400),
        Rejection("bare LF everywhere", "GET / HTTP/1.1\nHost: x\n\n", .bareLF, 400),
        Rejection("bare LF after a header", "GET / HTTP/1.1\r\nHost: x\n\r\n", .bareLF, 400),
        Rejection("bare LF ending the head", "GET / HTTP/1.1\r\nHost: x\r\n\n", .bareLF, 400),
        Rejection("bare LF as leading empty line", "\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", .bareLF, 400),
        Rejection("NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{00}b\r\n\r\n", .invalidHeaderValue, 400),
        Rejection("DEL in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{7F}b\r\n\r\n", .invalidHeaderValue, 400),
        Rejection("0x01 in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: \u{01}\r\n\r\n", .invalidHeaderValue, 400),
        Rejection("ESC in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: \u{1B}[31m\r\n\r\n", .invalidHeaderValue, 400),
        Rejection("vertical tab in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{0B}\r\n\r\n", .invalidHeaderValue, 400),
        Rejection("parenthesis in name", "GET / HTTP/1.1\r\nHost: x\r\nX(A): b\r\n\r\n", .invalidHeaderName, 400),
        Rejection("at sign in name", "GET / HTTP/1.1\r\nHost: x\r\nX@A: b\r\n\r\n", .invalidHeaderName, 400),
        Rejection("quote in name", "GET / HTTP/1.1\r\nHost: x\r\nX\"A: b\r\n\r\n", .invalidHeaderName, 400),
        Rejection("slash in name", "GET / HTTP/1.1\r\nHost: x\r\nX/A: b\r\n\r\n", .invalidHeaderName, 400),
        Rejection("empty name", "GET / HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n", .invalidHeaderName, 400),
        Rejection("no colon", "GET / HTTP/1.1\r\nHost: x\r\nJustAName\r\n\r\n", .invalidHeaderName, 400),
        Rejection("NUL in name", "GET / HTTP/1.1\r\nHost: x\r\nX\u{00}A: b\r\n\r\n", .invalidHeaderName, 400),
        Rejection("non-ASCII name", [UInt8]("GET / HTTP/1.1\r\nHost: x\r\nX".utf8) + [0xC3, 0xA9] + [UInt8](": b\r\n\r\n".utf8), .invalidHeaderName, 400),
        Rejection("missing Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .missingHost, 400),
        Rejection("missing Host, absolute-form", "GET http://example.com/ HTTP/1.1\r\n\r\n", .missingHost, 400),
        Rejection("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", .duplicateHost, 400),
        Rejection("duplicate Host, equal", "GET / HTTP/1.1\r\nHost: a\r\nHOST: a\r\n\r\n", .duplicateHost, 400),
        Rejection("duplicate Host on HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", .duplicateHost, 400),
        Rejection("header block over 32 KiB", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 33 * 1024) + "\r\n\r\n", .headersTooLarge, 431),
        Rejection("header block over 32 KiB while waiting", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 33 * 1024), .headersTooLarge, 431),
        Rejection("many fields over 32 KiB", "GET / HTTP/1.1\r\nHost: x\r\n" + (0..<40).map { "X-\($0): " + String(repeating: "v", count: 1000) + "\r\n" }.joined() + "\r\n", .headersTooLarge, 431),
        Rejection("101 fields", "GET / HTTP/1.1\r\nHost: x\r\n" + (1...100).map { "X-\($0): v\r\n" }.joined() + "\r\n", .tooManyHeaders, 431),
        Rejection("Expect: something else", "POST / HTTP/1.1\r\nHost: x\r\nExpect: the-unexpected\r\nContent-Length: 1\r\n\r\nx", .unsupportedExpectation, 417),
        Rejection("Expect: 100-continue plus another", "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue, foo\r\nContent-Length: 1\r\n\r\nx", .unsupportedExpectation, 417),
        Rejection("Expect: unsupported, then 100-continue", "POST / HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx", .unsupportedExpectation, 417),
        Rejection("Expect: 100-continue, then unsupported", "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nExpect: foo\r\nContent-Length: 1\r\n\r\nx", .unsupportedExpectation, 417),
        Rejection("Expect: on a GET", "GET / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", .unsupportedExpectation, 417),
    ]

    static let requestLineRejections: [Rejection] = [
        Rejection("target 8 KiB + 1", "GET /" + String(repeating: "a", count: 8 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n", .targetTooLong, 414),
        Rejection("target over 8 KiB while waiting for LF", "GET /" + String(repeating: "a", count: 9000), .targetTooLong, 414),
        Rejection("target over 8 KiB, complete line without version yet", "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.", .targetTooLong, 414),
        Rejection("target over a small limit, bad byte after it", "GET /" + String(repeating: "a", count: 60) + "\u{01} HTTP/1.1\r\nHost: x\r\n\r\n", .targetTooLong, 414, limits: smallLimits(target: 16)),
        Rejection("HTTP/1.1x", "GET / HTTP/1.1x\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Rejection("http/1.1", "GET / http/1.1\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Rejection("HTTP/11", "GET / HTTP/11\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Rejection("HTTP/1.", "GET / HTTP/1.\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Rejection("HTTP/a.b", "GET / HTTP/a.b\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Rejection("HTTPS/1.1", "GET / HTTPS/1.1\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Rejection("HTTP/1.1.1", "GET / HTTP/1.1.1\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Rejection("HTTP/1.10", "GET / HTTP/1.10\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Rejection("version then garbage", "GET / HTTP/1.1" + String(repeating: "x", count: 100) + "\r\nHost: x\r\n\r\n", .invalidVersion, 400, limits: smallLimits(target: 16)),
        Rejection("HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", .unsupportedVersion, 505),
        Rejection("HTTP/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", .unsupportedVersion, 505),
        Rejection("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", .unsupportedVersion, 505),
        Rejection("HTTP/3.0", "GET / HTTP/3.0\r\nHost: x\r\n\r\n", .unsupportedVersion, 505),
        Rejection("no version (HTTP/0.9 style)", "GET /\r\n\r\n", .invalidRequestLine, 400),
        Rejection("method only", "GET\r\n\r\n", .invalidMethod, 400),
        Rejection("method with @", "GE@T / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod, 400),
        Rejection("method with parenthesis", "GET( / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod, 400),
        Rejection("method with NUL", "G\u{00}ET / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod, 400),
        Rejection("method non-ASCII", [0xC3, 0x89] + [UInt8]("T / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), .invalidMethod, 400),
        Rejection("method 33 characters", String(repeating: "A", count: 33) + " / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod, 400),
        Rejection("leading space", " GET / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod, 400),
        Rejection("tab after method", "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine, 400),
        Rejection("two spaces after method", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine, 400),
        Rejection("two spaces before version", "GET /  HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine, 400),
        Rejection("trailing space", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", .invalidRequestLine, 400),
        Rejection("extra word", "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", .invalidRequestLine, 400),
        Rejection("asterisk for GET", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Rejection("double asterisk for OPTIONS", "OPTIONS ** HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Rejection("relative target", "GET orders HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Rejection("ftp target", "GET ftp://x/ HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Rejection("authority-form for GET", "GET example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Rejection("DEL in target", "GET /a\u{7F}b HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Rejection("tab in target", "GET /a\tb HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Rejection("non-ASCII target", [UInt8]("GET /caf".utf8) + [0xC3, 0xA9] + [UInt8](" HTTP/1.1\r\nHost: x\r\n\r\n".utf8), .invalidTarget, 400),
        Rejection("five leading empty lines", "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", .tooManyEmptyLines, 400),
        Rejection("empty lines only", String(repeating: "\r\n", count: 10), .tooManyEmptyLines, 400),
    ]

    @Test(arguments: framingRejections)
    func rejectsAmbiguousFraming(_ rejection: Rejection) {
        check(rejection)
    }

    @Test(arguments: chunkRejections)
    func rejectsBadChunks(_ rejection: Rejection) {
        check(rejection)
    }

    @Test(arguments: fieldRejections)
    func rejectsBadFields(_ rejection: Rejection) {
        check(rejection)
    }

    @Test(arguments: requestLineRejections)
    func rejectsBadRequestLines(_ rejection: Rejection) {
        check(rejection)
    }

    private func check(_ rejection: Rejection, sourceLocation: SourceLocation = #_sourceLocation) {
        let outcome = parse(rejection.input, limits: rejection.limits)
        #expect(outcome.error == rejection.error, "\(rejection.name): \(outcome)", sourceLocation: sourceLocation)
        #expect(outcome.error?.status.code == rejection.status, sourceLocation: sourceLocation)
        #expect(rejection.error.status.code == rejection.status, sourceLocation: sourceLocation)
        // A rejected request never reaches a handler: no complete message before the error.
        #expect(!outcome.items.contains(.end), sourceLocation: sourceLocation)
    }

    @Test func aFailedParserStaysFailed() {
        var parser = HTTPRequestParser()
        var buffer = ByteBuffer(bytes: octets("GET / HTTP/1.1\r\nHost : x\r\n\r\n"))
        #expect(throws: HTTPParserError.whitespaceBeforeColon) { try parser.parse(&buffer) }
        buffer.write(octets("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(throws: HTTPParserError.whitespaceBeforeColon) { try parser.parse(&buffer) }
        #expect(!parser.isIdle)
    }

    @Test func aValidRequestBeforeAnInvalidOneIsStillDelivered() {
        let outcome = parse("GET /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /bad HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n")
        #expect(outcome.heads.map(\.target) == ["/ok"])
        #expect(outcome.items.count == 2)
        #expect(outcome.error == .duplicateContentLength)
    }

    @Test func targetLimitWhileWaitingNeedsNoLF() {
        // The target alone is over the limit and no LF has come: 414 before the line ends.
        var parser = HTTPRequestParser()
        var buffer = ByteBuffer()
        buffer.write(octets("GET /"))
        var result: HTTPParserError?
        for _ in 0..<20 {
            buffer.write(octets(String(repeating: "a", count: 512)))
            do {
                #expect(try parser.parse(&buffer) == .needMoreData)
            } catch {
                result = error
                break
            }
        }
        #expect(result == .targetTooLong)
        #expect(result?.status.code == 414)
    }

    @Test func headerLimitWhileWaitingNeedsNoLF() {
        var parser = HTTPRequestParser()
        var buffer = ByteBuffer()
        buffer.write(octets("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "))
        var result: HTTPParserError?
        for _ in 0..<80 {
            buffer.write(octets(String(repeating: "b", count: 512)))
            do {
                #expect(try parser.parse(&buffer) == .needMoreData)
            } catch {
                result = error
                break
            }
        }
        #expect(result == .headersTooLarge)
        #expect(result?.status.code == 431)
    }

    @Test func everyErrorHasAStatusAUniqueCodeAndADetail() {
        let all: [(HTTPParserError, Int)] = [
            (.invalidMethod, 400), (.invalidRequestLine, 400), (.invalidTarget, 400), (.targetTooLong, 414),
            (.invalidVersion, 400), (.unsupportedVersion, 505), (.bareCR, 400), (.bareLF, 400),
            (.invalidHeaderName, 400), (.invalidHeaderValue, 400), (.whitespaceBeforeColon, 400),
            (.obsoleteLineFolding, 400), (.headersTooLarge, 431), (.tooManyHeaders, 431), (.missingHost, 400),
            (.duplicateHost, 400), (.contentLengthWithTransferEncoding, 400), (.duplicateContentLength, 400),
            (.invalidContentLength, 400), (.transferEncodingNotChunked, 400), (.unknownTransferCoding, 501),
            (.transferEncodingInHTTP10, 400), (.invalidChunkSize, 400), (.chunkSizeOverflow, 400),
            (.chunkExtensionTooLong, 400), (.invalidChunkTerminator, 400), (.unsupportedExpectation, 417),
            (.tooManyEmptyLines, 400), (.bodyTooLarge, 413),
        ]
        for (error, status) in all {
            #expect(error.status.code == status, "\(error)")
            #expect(!error.detail.isEmpty)
            #expect(error.code.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber }, "\(error.code)")
            #expect(error.problem.status == status)
            #expect(error.problem.code == error.code)
        }
        #expect(Set(all.map(\.0.code)).count == all.count)
    }

    // MARK: - Split invariance

    static let validInputs: [String] = [
        "GET /v1/orders?limit=10 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
        "POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\n\r\n{\"qty\":\"12\"}\n",
        chunkedHead + "5;name=value\r\nhello\r\n6 ; a=b\r\n world\r\n10\r\n0123456789abcdef\r\n0;z\r\nX-Checksum: abc\r\nX-More: 1\r\n\r\n",
        chunkedHead + "1\r\n\r\r\n2\r\n\r\n\r\n0\r\n\r\n",
        "\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde"
            + "\r\nPUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n2\r\n!!\r\n0\r\n\r\n"
            + "HEAD /d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nPOST /x HTTP/1.0\r\nContent-Length: 2\r\n\r\nokGET http://h/p HTTP/1.1\r\nHost: h\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: x\r\nX-A:   spaced  \t\r\nX-B:\r\nX-A: second\r\n\r\n",
    ]

    @Test(arguments: validInputs.indices)
    func validInputParsesTheSameHoweverItIsSplit(_ index: Int) {
        let input = octets(Self.validInputs[index])
        let whole = parse(input)
        #expect(whole.error == nil, "\(whole)")
        #expect(whole.leftover.isEmpty)
        #expect(!whole.heads.isEmpty)
        #expect(whole.items.filter { $0 == .end }.count == whole.heads.count)
        let oneByteAtATime = parse(chunks: input.map { [$0] })
        #expect(oneByteAtATime == whole, "byte at a time")
        for split in 0...input.count {
            let outcome = parse(chunks: [Array(input[..<split]), Array(input[split...])])
            #expect(outcome == whole, "split at \(split)")
        }
    }

    @Test(arguments: validInputs.indices)
    func validInputParsesTheSameInRandomPieces(_ index: Int) {
        let input = octets(Self.validInputs[index])
        let whole = parse(input)
        var random = SplitMix64(seed: UInt64(index) &+ 0x5EED)
        for _ in 0..<200 {
            let pieces = random.pieces(of: input)
            #expect(parse(chunks: pieces) == whole, "pieces: \(pieces.map(\.count))")
        }
    }

    @Test func pipelinedSequenceHasTheExpectedShape() throws {
        let outcome = parse(octets(Self.validInputs[4]))
        let heads = outcome.heads
        try #require(heads.count == 4)
        #expect(heads.map(\.method) == [.get, .post, .put, .head])
        #expect(heads.map(\.target) == ["/a", "/b", "/c", "/d"])
        #expect(outcome.items == [
            .head(heads[0]), .end,
            .head(heads[1]), .body(octets("abcde")), .end,
            .head(heads[2]), .body(octets("xyz!!")), .end,
            .head(heads[3]), .end,
        ])
        #expect(!heads[3].keepAlive)
    }

    static let invalidInputs: [Rejection] = [
        Rejection("CL with TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", .contentLengthWithTransferEncoding, 400),
        Rejection("duplicate CL after a good request", "GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", .duplicateContentLength, 400),
        Rejection("bad chunk terminator", chunkedHead + "5\r\nhelloXY0\r\n\r\n", .invalidChunkTerminator, 400),
        Rejection("bad chunk size", chunkedHead + "5\r\nhello\r\n5 \r\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400),
        Rejection("bare CR in chunk line", chunkedHead + "5\r;x\r\nhello\r\n0\r\n\r\n", .bareCR, 400),
        Rejection("bare CR in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", .bareCR, 400),
        Rejection("bare LF", "GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", .bareLF, 400),
        Rejection("obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", .obsoleteLineFolding, 400),
        Rejection("unsupported version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", .unsupportedVersion, 505),
        Rejection("too many empty lines", "\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", .tooManyEmptyLines, 400, limits: smallLimits(emptyLines: 2)),
        Rejection("long target with a bad byte after the limit", "GET /" + String(repeating: "a", count: 70) + "\u{01} HTTP/1.1\r\nHost: x\r\n\r\n", .targetTooLong, 414, limits: smallLimits(target: 16)),
        Rejection("long target with a bare CR after the limit", "GET /" + String(repeating: "a", count: 70) + "\r HTTP/1.1\r\nHost: x\r\n\r\n", .targetTooLong, 414, limits: smallLimits(target: 16)),
        Rejection("long line after a short target", "GET / HTTP/1.1" + String(repeating: "x", count: 70) + "\r\nHost: x\r\n\r\n", .invalidVersion, 400, limits: smallLimits(target: 16)),
        Rejection("long line with spaces after the version", "GET / HTTP/1.1 " + String(repeating: "x ", count: 40) + "\r\nHost: x\r\n\r\n", .invalidRequestLine, 400, limits: smallLimits(target: 16)),
        Rejection("long line with a bare CR after the version", "GET / HTTP/1.1" + String(repeating: "\r", count: 70) + "\r\nHost: x\r\n\r\n", .bareCR, 400, limits: smallLimits(target: 16)),
        Rejection("long bad method", String(repeating: "M", count: 90) + " / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod, 400, limits: smallLimits(target: 16)),
        Rejection("long method with bad byte", "GE@" + String(repeating: "M", count: 90) + " / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod, 400, limits: smallLimits(target: 16)),
        Rejection("long header with a bare CR", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb" + String(repeating: "c", count: 80) + "\r\n\r\n", .headersTooLarge, 431, limits: smallLimits(headerBytes: 64)),
        Rejection("long chunk line with junk", chunkedHead + "5zz" + String(repeating: "z", count: 30) + "\r\nhello\r\n", .chunkExtensionTooLong, 400, limits: smallLimits(chunkLine: 16)),
        Rejection("long trailer", chunkedHead + "1\r\na\r\n0\r\nX-T: " + String(repeating: "t", count: 80) + "\r\n\r\n", .headersTooLarge, 431, limits: smallLimits(headerBytes: 64)),
        Rejection("missing Host", "GET / HTTP/1.1\r\nAccept: x\r\n\r\n", .missingHost, 400),
        Rejection("unknown coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unknownTransferCoding, 501),
        Rejection("unsupported expectation", "POST / HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nContent-Length: 1\r\n\r\nx", .unsupportedExpectation, 417),
    ]

    @Test(arguments: invalidInputs)
    func invalidInputFailsTheSameHoweverItIsSplit(_ rejection: Rejection) {
        let input = rejection.input
        let whole = parse(input, limits: rejection.limits)
        #expect(whole.error == rejection.error, "whole: \(whole)")
        #expect(whole.error?.status.code == rejection.status)
        let oneByteAtATime = parse(chunks: input.map { [$0] }, limits: rejection.limits)
        #expect(oneByteAtATime.error == whole.error, "byte at a time: \(oneByteAtATime)")
        #expect(oneByteAtATime.items == whole.items, "byte at a time")
        for split in 0...input.count {
            let outcome = parse(chunks: [Array(input[..<split]), Array(input[split...])], limits: rejection.limits)
            #expect(outcome.error == whole.error, "split at \(split): \(outcome)")
            #expect(outcome.items == whole.items, "split at \(split)")
        }
        var random = SplitMix64(seed: UInt64(input.count))
        for _ in 0..<100 {
            let pieces = random.pieces(of: input)
            let outcome = parse(chunks: pieces, limits: rejection.limits)
            #expect(outcome.error == whole.error, "pieces: \(pieces.map(\.count))")
            #expect(outcome.items == whole.items)
        }
    }
}

/// Regressions the fuzzer and its author found: verdicts that depended on how input was
/// split, and Unicode look-alikes in list-valued fields.
@Suite struct ParserFuzzRegressionTests {
    func outcome(_ bytes: [UInt8], chunk: Int) -> String {
        var parser = HTTPRequestParser()
        var buffer = ByteBuffer()
        var i = 0
        var events: [String] = []
        while i < bytes.count {
            buffer.write(bytes[i..<min(bytes.count, i + chunk)])
            i += chunk
            do {
                while true {
                    let e = try parser.parse(&buffer)
                    if e == .needMoreData { break }
                    events.append("\(e)")
                }
            } catch {
                return "error \(error)"
            }
        }
        return events.joined(separator: "|")
    }

    @Test(arguments: [
        Array("GET /".utf8) + Array(repeating: UInt8(ascii: "a"), count: 8300) + [0x0A],
        Array("GET \u{7f}".utf8) + Array(repeating: UInt8(ascii: "a"), count: 8300) + [0x0A],
        Array("GET /".utf8) + Array(repeating: UInt8(ascii: "a"), count: 8300) + [0x7F, 0x0A],
        Array("GET / HTTP/1.1\r\nHost: a\r\nX: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 33000) + [0x0A],
        Array("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;".utf8) + Array(repeating: UInt8(ascii: "a"), count: 4200) + [0x0A],
    ])
    func overlongLinesGetOneVerdictHoweverSplit(input: [UInt8]) {
        let whole = outcome(input, chunk: input.count)
        #expect(whole.hasPrefix("error"))
        for chunk in [1, 7, 100, 4096] {
            #expect(outcome(input, chunk: chunk) == whole, "chunk \(chunk)")
        }
    }

    @Test func unicodeLookAlikeIsNotChunked() {
        let input = Array("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chun\u{212A}ed\r\n\r\n5\r\nhello\r\n0\r\n\r\n".utf8)
        #expect(outcome(input, chunk: input.count) == "error transferEncodingNotChunked")
        let wrapped = Array("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chun\u{212A}ed, chunked\r\n\r\n0\r\n\r\n".utf8)
        #expect(outcome(wrapped, chunk: wrapped.count) == "error unknownTransferCoding")
    }

    @Test func combiningMarkCannotHideClose() throws {
        var parser = HTTPRequestParser()
        var buffer = ByteBuffer(bytes: Array("GET / HTTP/1.1\r\nHost: a\r\nConnection: close,\u{301}\r\n\r\n".utf8))
        guard case .head(let head) = try parser.parse(&buffer) else { Issue.record("no head"); return }
        #expect(!head.keepAlive)
        var ka = HTTPRequestParser()
        var kaBuffer = ByteBuffer(bytes: Array("GET / HTTP/1.0\r\nConnection: \u{212A}eep-alive\r\n\r\n".utf8))
        guard case .head(let head10) = try ka.parse(&kaBuffer) else { Issue.record("no head"); return }
        #expect(!head10.keepAlive)
    }
}
