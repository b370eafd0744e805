// libFuzzer harness for BahiHTTP's request parser and connection state machine.
//
// Built by Fuzz/build.sh with `swiftc -sanitize=fuzzer,address`; libFuzzer supplies `main`
// and calls `LLVMFuzzerTestOneInput` once per input. Every check is a property: a violation
// calls `fail`, which prints what was expected and what happened and then traps, so
// libFuzzer records the input under Fuzz/artifacts/.
//
// The whole input is the byte stream a client sends on one connection. A few bytes of it
// (the first four, and a hash of all of it) also choose how the stream is split into reads,
// so seeds stay plain HTTP.
//
// Checks (names usable in BAHI_FUZZ_SKIP=name,name to silence a known finding):
//   split              parsing the stream at once, byte by byte, in input-chosen pieces and at
//                      one hashed point gives the same transcript (heads, body bytes, ends,
//                      error, leftover); errors are sticky.
//   split-error-kind   the error itself must be identical too (skip it to tolerate a stream
//                      that fails either way but with a different error, e.g. 431 vs 400).
//   head               invariants of every parsed head (Host, CL/TE framing, token syntax,
//                      header value bytes, Expect, keep-alive, limits).
//   ascii-tokens       framing and persistence words (chunked, close, keep-alive) are
//                      compared as ASCII tokens, so non-ASCII look-alikes never count.
//   roundtrip          a complete message re-serialised canonically parses to the same head
//                      and body.
//   machine            HTTPConnectionStateMachine: no trap, no `.wait`/`readMore` surprises,
//                      `.send(close: true)` is followed only by `.close`, dispatched requests
//                      are exactly the parser's messages in order, error statuses match.
//   eof-serves-buffered  requests already buffered when the peer half-closes are all served
//                      (the documented contract of `receivedEOF()`).

import BahiHTTP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Configuration

private let skipped: Set<String> = {
    guard let raw = getenv("BAHI_FUZZ_SKIP") else { return [] }
    return Set(String(cString: raw).split(separator: ",").map { String($0) })
}()

@inline(__always) private func enabled(_ check: String) -> Bool { !skipped.contains(check) }

/// Limits small enough that the fuzzer reaches every "too long / too many" path with short inputs.
private let smallLimits: HTTPRequestParser.Limits = {
    var l = HTTPRequestParser.Limits()
    l.maxTargetLength = 24
    l.maxHeaderBytes = 160
    l.maxHeaderCount = 5
    l.maxChunkLineLength = 20
    l.maxLeadingEmptyLines = 2
    return l
}()

private let defaultLimits = HTTPRequestParser.Limits()

// MARK: - Failure reporting

private func fail(_ check: String, _ message: String, input: [UInt8]) -> Never {
    var text = "\n=== BAHI FUZZ PROPERTY VIOLATION [\(check)] ===\n\(message)\ninput (\(input.count) bytes): \(escape(input))\n"
    text += "=== end ===\n"
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    fatalError("property violated: \(check)")
}

private func escape(_ bytes: [UInt8], max: Int = 600) -> String {
    var s = "\""
    for (i, b) in bytes.enumerated() {
        if i >= max { s += "...(\(bytes.count - max) more)"; break }
        switch b {
        case 0x0D: s += "\\r"
        case 0x0A: s += "\\n"
        case 0x09: s += "\\t"
        case 0x22: s += "\\\""
        case 0x5C: s += "\\\\"
        case 0x20...0x7E: s += String(UnicodeScalar(b))
        default:
            let hex = Array("0123456789abcdef")
            s += "\\x\(hex[Int(b >> 4)])\(hex[Int(b & 15)])"
        }
    }
    return s + "\""
}

// MARK: - Parser transcripts

private enum Token: Equatable {
    case head(HTTPRequestHead)
    case body([UInt8])
    case end
    case error(HTTPParserError)
}

private struct Transcript: Equatable {
    var tokens: [Token] = []
    /// Bytes left unconsumed when the stream ran out (only when no error).
    var leftover: [UInt8] = []

    /// Body pieces are merged: only the concatenation is split-independent.
    mutating func add(_ event: HTTPRequestParser.Event) -> Bool {
        switch event {
        case .needMoreData: return true
        case .head(let h): tokens.append(.head(h))
        case .end: tokens.append(.end)
        case .body(let bytes):
            if bytes.isEmpty { return false }
            if case .body(let previous)? = tokens.last {
                tokens[tokens.count - 1] = .body(previous + bytes)
            } else {
                tokens.append(.body(bytes))
            }
        }
        return true
    }

    var error: HTTPParserError? {
        if case .error(let e)? = tokens.last { return e }
        return nil
    }

    /// The tokens without a trailing error.
    var withoutError: [Token] {
        error == nil ? tokens : Array(tokens.dropLast())
    }

    /// Complete messages (head, body, end) before any error or truncation.
    var messages: [(head: HTTPRequestHead, body: [UInt8])] {
        var out: [(head: HTTPRequestHead, body: [UInt8])] = []
        var head: HTTPRequestHead?
        var body: [UInt8] = []
        for t in tokens {
            switch t {
            case .head(let h): head = h; body = []
            case .body(let b): body += b
            case .end:
                if let h = head { out.append((h, body)) }
                head = nil; body = []
            case .error: return out
            }
        }
        return out
    }

    /// The head and body bytes of the message after the complete ones, if it started.
    var pending: (head: HTTPRequestHead, body: [UInt8])? {
        var head: HTTPRequestHead?
        var body: [UInt8] = []
        for t in tokens {
            switch t {
            case .head(let h): head = h; body = []
            case .body(let b): body += b
            case .end: head = nil; body = []
            case .error: break
            }
        }
        return head.map { ($0, body) }
    }

    var description: String {
        var s = ""
        for t in tokens {
            switch t {
            case .head(let h):
                s += "  head \(h.method.rawValue) \(escape(Array(h.target.utf8))) \(h.version) framing=\(h.framing) "
                s += "continue=\(h.expectsContinue) keepAlive=\(h.keepAlive) headers=["
                s += h.headers.fields.map { "\(escape(Array($0.name.utf8))): \(escape(Array($0.value.utf8)))" }.joined(separator: ", ")
                s += "]\n"
            case .body(let b): s += "  body \(b.count) bytes \(escape(b, max: 80))\n"
            case .end: s += "  end\n"
            case .error(let e): s += "  error .\(e) (\(e.status.code))\n"
            }
        }
        s += "  leftover \(leftover.count) bytes \(escape(leftover, max: 80))\n"
        return s
    }
}

/// Feeds `data` to a fresh parser in pieces of the given sizes (one piece if empty), draining
/// the parser after each piece, and records what it produced.
private func transcript(_ data: [UInt8], pieces: [Int], limits: HTTPRequestParser.Limits, input: [UInt8]) -> Transcript {
    var parser = HTTPRequestParser(limits: limits)
    // A tiny buffer for split runs exercises ByteBuffer's compaction and growth.
    var buffer = ByteBuffer(capacity: pieces.isEmpty ? data.count : 16)
    var t = Transcript()
    var offset = 0
    var pieceIndex = 0
    var calls = 0
    while true {
        while true {
            calls += 1
            if calls > 4 * data.count + 64 {
                fail("split", "parser produced events without consuming input (\(calls) calls)", input: input)
            }
            let event: HTTPRequestParser.Event
            do {
                event = try parser.parse(&buffer)
            } catch {
                t.tokens.append(.error(error))
                // After an error the parser stays failed with the same error.
                do {
                    _ = try parser.parse(&buffer)
                    fail("split", "parser recovered after error .\(error)", input: input)
                } catch let again {
                    if again != error { fail("split", "error not sticky: .\(error) then .\(again)", input: input) }
                }
                return t
            }
            if event == .needMoreData { break }
            if !t.add(event) { fail("split", "empty .body event", input: input) }
        }
        if offset == data.count { break }
        var size = data.count - offset
        if !pieces.isEmpty {
            size = min(max(1, pieces[pieceIndex % pieces.count]), size)
            pieceIndex += 1
        }
        buffer.write(data[offset..<(offset + size)])
        offset += size
    }
    t.leftover = buffer.readableBytesArray
    return t
}

private func checkSplit(_ whole: Transcript, _ other: Transcript, how: String, input: [UInt8]) {
    if whole == other { return }
    // Tolerate only a differing error kind, everything before it equal, if asked to.
    if !enabled("split-error-kind"), whole.error != nil, other.error != nil, whole.withoutError == other.withoutError {
        return
    }
    let check = (whole.error != nil && other.error != nil && whole.withoutError == other.withoutError) ? "split-error-kind" : "split"
    fail(check, "input fed at once and \(how) parse differently.\nat once:\n\(whole.description)\(how):\n\(other.description)", input: input)
}

// MARK: - Byte-level reference helpers (ASCII semantics, as RFC 9110 defines tokens)

private func asciiLower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

private func asciiEqualIgnoringCase(_ a: some Collection<UInt8>, _ b: String) -> Bool {
    a.count == b.utf8.count && zip(a, b.utf8).allSatisfy { asciiLower($0) == asciiLower($1) }
}

private func isTchar(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || "!#$%&'*+-.^_`|~".utf8.contains(b)
}

/// Comma-separated list elements of the named fields, OWS-trimmed, empty ones dropped,
/// split and trimmed on bytes.
private func listElements(_ headers: HTTPHeaders, _ name: String) -> [[UInt8]] {
    var out: [[UInt8]] = []
    for value in headers.values(name: name) {
        for part in Array(value.utf8).split(separator: 0x2C, omittingEmptySubsequences: false) {
            var s = part[...]
            while let f = s.first, f == 0x20 || f == 0x09 { s = s.dropFirst() }
            while let l = s.last, l == 0x20 || l == 0x09 { s = s.dropLast() }
            if !s.isEmpty { out.append(Array(s)) }
        }
    }
    return out
}

private func decimalValue(_ s: String) -> Int? {
    let u = Array(s.utf8)
    guard !u.isEmpty, u.count <= 18, u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    return u.reduce(0) { $0 * 10 + Int($1 - 0x30) }
}

// MARK: - Head invariants

private func checkHead(_ head: HTTPRequestHead, limits: HTTPRequestParser.Limits, input: [UInt8]) {
    func check(_ ok: Bool, _ what: @autoclosure () -> String, as name: String = "head") {
        if !ok, enabled(name) {
            fail(name, "\(what())\nhead:\n\(Transcript(tokens: [.head(head)]).description)", input: input)
        }
    }
    let h = head.headers
    let v11 = head.version == .http1_1
    let hosts = h.values(name: "host").count
    check(v11 ? hosts == 1 : hosts <= 1, "HTTP/\(v11 ? "1.1" : "1.0") head with \(hosts) Host fields")
    let cl = h.values(name: "content-length")
    let te = h.values(name: "transfer-encoding")
    check(cl.isEmpty || te.isEmpty, "head framed with both Content-Length and Transfer-Encoding")
    check(cl.count <= 1, "head with \(cl.count) Content-Length fields")
    check(h.count <= limits.maxHeaderCount, "head with \(h.count) fields, limit \(limits.maxHeaderCount)")

    switch head.framing {
    case .chunked:
        check(!te.isEmpty, "chunked framing without Transfer-Encoding")
        check(v11, "chunked framing in HTTP/1.0")
        let codings = listElements(h, "transfer-encoding")
        check(codings.count == 1, "chunked framing with codings [\(codings.map { escape($0) }.joined(separator: ", "))]")
        if let last = codings.last {
            check(asciiEqualIgnoringCase(last, "chunked"),
                  "Transfer-Encoding coding \(escape(last)) is not the ASCII token \"chunked\", yet the body is framed as chunked",
                  as: "ascii-tokens")
        }
    case .length(let n):
        check(n > 0, "framing .length(\(n)) (0 must be .none)")
        check(te.isEmpty, ".length framing with Transfer-Encoding")
        check(cl.count == 1 && decimalValue(cl[0]) == n, ".length(\(n)) but Content-Length is \(cl)")
    case .none:
        check(te.isEmpty, "no framing although Transfer-Encoding is present")
        check(cl.isEmpty || decimalValue(cl[0]) == 0, "no framing although Content-Length is \(cl)")
    }

    let method = Array(head.method.rawValue.utf8)
    check(!method.isEmpty && method.count <= 32 && method.allSatisfy(isTchar), "method is not a token of 1...32 chars")
    let target = Array(head.target.utf8)
    check(!target.isEmpty && target.count <= limits.maxTargetLength, "target length \(target.count) outside 1...\(limits.maxTargetLength)")
    check(target.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "target has bytes outside visible ASCII")
    if let first = target.first {
        if first == 0x2A {
            check(target.count == 1 && head.method == .options, "asterisk-form for a method other than OPTIONS")
        } else if first != 0x2F {
            let lower = target.prefix(8).map(asciiLower)
            check(lower.starts(with: Array("http://".utf8)) || lower.starts(with: Array("https://".utf8)), "target in no accepted form")
        }
    }
    for (name, value) in h {
        let n = Array(name.utf8), v = Array(value.utf8)
        check(!n.isEmpty && n.allSatisfy(isTchar), "field name \(escape(n)) is not a token")
        check(v.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }, "field value \(escape(v)) has control bytes")
        check(v.first.map { $0 != 0x20 && $0 != 0x09 } ?? true, "field value not trimmed at the front")
        check(v.last.map { $0 != 0x20 && $0 != 0x09 } ?? true, "field value not trimmed at the back")
    }

    // Expect is a list; only 100-continue is supported, so every member of an accepted head is it.
    let expect = listElements(h, "expect")
    for member in expect {
        check(asciiEqualIgnoringCase(member, "100-continue"), "Expect member \(escape(member)) accepted", as: "ascii-tokens")
    }
    check(head.expectsContinue == (v11 && head.framing != .none && !expect.isEmpty),
          "expectsContinue=\(head.expectsContinue) with Expect members [\(expect.map { escape($0) }.joined(separator: ", "))], framing \(head.framing)")

    let connection = listElements(h, "connection")
    let close = connection.contains { asciiEqualIgnoringCase($0, "close") }
    let keepAlive = connection.contains { asciiEqualIgnoringCase($0, "keep-alive") }
    let expected = v11 ? !close : (keepAlive && !close)
    check(head.keepAlive == expected,
          "keepAlive=\(head.keepAlive) but the Connection tokens [\(connection.map { escape($0) }.joined(separator: ", "))] mean \(expected)",
          as: "ascii-tokens")
}

/// Checks the grammar of a transcript: (head body* end)* then an optional partial message
/// and an optional error; body lengths match Content-Length.
private func checkGrammar(_ t: Transcript, limits: HTTPRequestParser.Limits, input: [UInt8]) {
    var head: HTTPRequestHead?
    var bodyCount = 0
    for (i, token) in t.tokens.enumerated() {
        switch token {
        case .head(let h):
            if head != nil { fail("head", "a second head before .end", input: input) }
            head = h
            bodyCount = 0
            if enabled("head") || enabled("ascii-tokens") { checkHead(h, limits: limits, input: input) }
        case .body(let b):
            guard let h = head else { fail("head", ".body outside a message", input: input) }
            bodyCount += b.count
            switch h.framing {
            case .none: fail("head", ".body for a message without framing", input: input)
            case .length(let n): if bodyCount > n { fail("head", "\(bodyCount) body bytes for Content-Length \(n)", input: input) }
            case .chunked: break
            }
        case .end:
            guard let h = head else { fail("head", ".end without a head", input: input) }
            if case .length(let n) = h.framing, bodyCount != n {
                fail("head", ".end after \(bodyCount) body bytes for Content-Length \(n)", input: input)
            }
            head = nil
        case .error:
            if i != t.tokens.count - 1 { fail("split", "events after an error", input: input) }
        }
    }
}

// MARK: - Round trip

private func serialize(_ head: HTTPRequestHead, body: [UInt8]) -> [UInt8] {
    var out = Array("\(head.method.rawValue) \(head.target) \(head.version)\r\n".utf8)
    for (name, value) in head.headers {
        out += Array("\(name): \(value)\r\n".utf8)
    }
    out += [0x0D, 0x0A]
    switch head.framing {
    case .none: break
    case .length: out += body
    case .chunked:
        if !body.isEmpty {
            out += Array(String(body.count, radix: 16).utf8) + [0x0D, 0x0A] + body + [0x0D, 0x0A]
        }
        out += Array("0\r\n\r\n".utf8)
    }
    return out
}

private func checkRoundTrip(_ t: Transcript, input: [UInt8]) {
    for message in t.messages {
        let bytes = serialize(message.head, body: message.body)
        let again = transcript(bytes, pieces: [], limits: defaultLimits, input: input)
        let expected = Transcript(tokens: [.head(message.head)] + (message.body.isEmpty ? [] : [.body(message.body)]) + [.end])
        if again != expected {
            fail("roundtrip", "canonical form \(escape(bytes))\nexpected:\n\(expected.description)re-parsed:\n\(again.description)", input: input)
        }
    }
}

// MARK: - Connection state machine

private struct MachinePlan {
    var pieces: [Int]
    var limits: HTTPRequestParser.Limits
    var bodyLimit: Int
    /// Deliver EOF together with the last piece (the peer half-closed after sending).
    var eagerEOF: Bool
    /// Advance the clock past the header/body timeouts between reads.
    var slowClient: Bool
    /// Which response the handler gives: 0 plain 200, 1 204, 2 with Connection: close,
    /// 3 with a header value trying to inject a line.
    var responseKind: Int
    /// Call `startDrain()` (graceful shutdown) before the n-th action, if set.
    var drainAt: Int? = nil
}

private func fixedResponse(_ kind: Int) -> HTTPResponse {
    switch kind {
    case 1: return HTTPResponse(status: .noContent)
    case 2: return HTTPResponse(status: .ok, headers: ["Connection": "close"], body: Array("bye".utf8))
    case 3: return HTTPResponse(status: .ok, headers: ["X-Note": "a\r\nX-Injected: 1"], body: Array("ok".utf8))
    default: return HTTPResponse(status: .ok, contentType: "text/plain", body: Array("ok".utf8))
    }
}

/// Checks the bytes of one response: a status line, CRLF-terminated fields without bare CR
/// or LF, Content-Length matching the body, Connection: close iff `close`.
private func checkResponseBytes(_ bytes: [UInt8], close: Bool, status: Int, isHead: Bool?, input: [UInt8]) {
    func bad(_ what: String) -> Never { fail("machine", "malformed response (\(what)): \(escape(bytes))", input: input) }
    var end = -1
    var i = 0
    while i + 3 < bytes.count {
        if bytes[i] == 0x0D, bytes[i + 1] == 0x0A, bytes[i + 2] == 0x0D, bytes[i + 3] == 0x0A { end = i; break }
        i += 1
    }
    guard end > 0 else { bad("no end of header block") }
    let headBytes = Array(bytes[0..<end])
    var lines: [[UInt8]] = []
    var start = 0
    var j = 0
    while j < headBytes.count {
        let b = headBytes[j]
        if b == 0x0D {
            guard j + 1 < headBytes.count, headBytes[j + 1] == 0x0A else { bad("bare CR") }
            lines.append(Array(headBytes[start..<j]))
            j += 2
            start = j
            continue
        }
        if b == 0x0A { bad("bare LF") }
        j += 1
    }
    lines.append(Array(headBytes[start...]))
    guard let statusLine = lines.first, statusLine.starts(with: Array("HTTP/1.1 \(status) ".utf8)) else { bad("status line") }
    var contentLength: Int?
    var sawClose = false
    var injected = false
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: 0x3A), colon > 0, line[..<colon].allSatisfy(isTchar) else { bad("field line") }
        let name = line[..<colon]
        let value = Array(line[(colon + 1)...].drop { $0 == 0x20 })
        if asciiEqualIgnoringCase(name, "content-length") {
            if contentLength != nil { bad("two Content-Length") }
            contentLength = decimalValue(String(decoding: value, as: UTF8.self))
        }
        if asciiEqualIgnoringCase(name, "connection"), asciiEqualIgnoringCase(value, "close") { sawClose = true }
        if asciiEqualIgnoringCase(name, "x-injected") { injected = true }
        if asciiEqualIgnoringCase(name, "x-request-id"), !RequestIDGenerator.isSane(String(decoding: value, as: UTF8.self)) {
            bad("insane X-Request-Id")
        }
    }
    if injected { bad("a handler's field value injected a field") }
    if sawClose != close { bad("Connection: close present=\(sawClose), close=\(close)") }
    let bodyBytes = bytes.count - end - 4
    let allowsBody = !(status < 200 || status == 204 || status == 304)
    if allowsBody {
        guard let cl = contentLength else { bad("no Content-Length") }
        let ok = isHead.map { bodyBytes == ($0 ? 0 : cl) } ?? (bodyBytes == 0 || bodyBytes == cl)
        if !ok { bad("Content-Length \(cl), \(bodyBytes) body bytes") }
    } else if contentLength != nil || bodyBytes != 0 {
        bad("body or Content-Length on \(status)")
    }
}

private func driveMachine(_ data: [UInt8], plan: MachinePlan, reference: Transcript, input: [UInt8]) {
    var configuration = HTTPConnectionStateMachine.Configuration()
    configuration.limits = plan.limits
    let limit = plan.bodyLimit
    configuration.bodyLimit = { _ in limit }
    var machine = HTTPConnectionStateMachine(
        configuration: configuration, now: 1_000, idSeed: 0x5EED, wallClockMilliseconds: { 1_700_000_000_000 }
    )
    func violation(_ what: String) -> Never {
        fail("machine", "\(what)\nplan: pieces=\(plan.pieces) bodyLimit=\(plan.bodyLimit) eagerEOF=\(plan.eagerEOF) slow=\(plan.slowClient) response=\(plan.responseKind)\nparser reference:\n\(reference.description)", input: input)
    }

    var now: UInt64 = 1_000
    var offset = 0
    var pieceIndex = 0
    var eofSent = false
    var closing = false   // a .send(close: true) was returned
    var dispatched: [HTTPRequest] = []
    var errorStatus: Int?
    var closedByResponse = false
    var closeOnlyBecauseOfEOF = false
    var closedByTimeout = false
    var draining = false
    var closedByDrain = false
    var steps = 0
    let messages = reference.messages

    loop: while true {
        steps += 1
        if steps > 8 * data.count + 100 { violation("no progress after \(steps) steps") }
        if let at = plan.drainAt, steps == at, !closing {
            draining = true
            let bufferEmpty = machine.buffer.isEmpty, wasDispatched = machine.isDispatched
            switch machine.startDrain() {
            case .close?:
                if !machine.isClosed { violation("startDrain returned .close but not isClosed") }
                if !bufferEmpty || wasDispatched { violation("startDrain closed a connection with a request in hand") }
                closedByDrain = true
                if case .close = machine.next(now: now) {} else { violation("next() after drain close is not .close") }
                break loop
            case nil:
                if machine.isClosed { violation("startDrain returned nil but closed") }
                // A connection that has never received a byte is idle and must close.
                if offset == 0, !wasDispatched { violation("startDrain kept an idle connection open") }
            case let other?:
                violation("startDrain returned \(other)")
            }
        }
        let action = machine.next(now: now)
        if closing, case .close = action {} else if closing { violation("action \(action) after a .send with close=true") }
        switch action {
        case .readMore:
            if machine.isClosed || machine.isDispatched { violation(".readMore while closed or dispatched") }
            if eofSent { violation(".readMore after EOF") }
            if offset < data.count {
                var size = data.count - offset
                if !plan.pieces.isEmpty {
                    size = min(max(1, plan.pieces[pieceIndex % plan.pieces.count]), size)
                    pieceIndex += 1
                }
                if plan.slowClient { now += 11_000_000_000 }  // past the 10 s header timeout
                if plan.slowClient, let timeout = machine.tick(now: now) {
                    switch timeout {
                    case .send(let out):
                        if !out.close { violation("timeout response without close") }
                        if out.record.status != 408 { violation("timeout status \(out.record.status)") }
                        checkResponseBytes(out.bytes, close: true, status: 408, isHead: nil, input: input)
                        errorStatus = 408
                        closing = true
                        continue loop
                    case .close:
                        if !machine.isClosed { violation("tick .close but not closed") }
                        closedByTimeout = true
                        break loop
                    default:
                        violation("tick returned \(timeout)")
                    }
                }
                machine.receive(data[offset..<(offset + size)], now: now)
                offset += size
                if plan.eagerEOF, offset == data.count { machine.receivedEOF(); eofSent = true }
            } else {
                machine.receivedEOF()
                eofSent = true
            }
        case .wait:
            violation(".wait with no handler running")
        case .sendContinue:
            if machine.isDispatched || machine.isClosed { violation(".sendContinue while dispatched or closed") }
            let k = dispatched.count
            let head: HTTPRequestHead? = k < messages.count ? messages[k].head : reference.pending?.head
            if head?.expectsContinue != true { violation(".sendContinue for a request that did not ask") }
        case .dispatch(let request):
            if !machine.isDispatched { violation(".dispatch but not isDispatched") }
            if case .wait = machine.next(now: now) {} else { violation("next() during dispatch is not .wait") }
            dispatched.append(request)
            let k = dispatched.count - 1
            if k >= messages.count || messages[k].head != request.head || messages[k].body != request.body {
                violation("dispatched request #\(k) is not the parser's message #\(k): \(request.head.method.rawValue) \(request.head.target) body \(request.body.count) bytes")
            }
            if request.body.count > plan.bodyLimit { violation("dispatched a body of \(request.body.count) bytes over the limit \(plan.bodyLimit)") }
            let response = fixedResponse(plan.responseKind)
            let answer = machine.respond(response, now: now)
            guard case .send(let out) = answer else { violation("respond returned \(answer)") }
            // After EOF the connection closes with the last buffered request, not the first.
            let wantClose = !request.head.keepAlive || plan.responseKind == 2 || (eofSent && machine.buffer.isEmpty) || draining
            if out.close != wantClose { violation("close=\(out.close), expected \(wantClose)") }
            if out.close != machine.isClosed { violation("close=\(out.close) but isClosed=\(machine.isClosed)") }
            if out.record.status != response.status.code { violation("record status \(out.record.status)") }
            checkResponseBytes(out.bytes, close: out.close, status: response.status.code, isHead: request.head.method == .head, input: input)
            if out.close {
                closing = true
                closedByResponse = true
                closeOnlyBecauseOfEOF = request.head.keepAlive && plan.responseKind != 2 && !draining
            }
        case .send(let out):
            if !out.close { violation("an error response that keeps the connection open") }
            if !machine.isClosed { violation("error response but not isClosed") }
            if out.record.status < 400 { violation("error response with status \(out.record.status)") }
            let k = dispatched.count
            let current: HTTPRequestHead? = k < messages.count ? messages[k].head : reference.pending?.head
            checkResponseBytes(out.bytes, close: true, status: out.record.status, isHead: current.map { $0.method == .head }, input: input)
            errorStatus = out.record.status
            closing = true
        case .close:
            if !machine.isClosed { violation(".close but not isClosed") }
            break loop
        }
    }
    // Closed for good.
    if case .close = machine.next(now: now) {} else { violation("next() after close is not .close") }
    if case .close = machine.respond(HTTPResponse(), now: now) {} else { violation("respond() after close is not .close") }

    // Why did it stop, and does the parser agree?
    let k = dispatched.count
    if let status = errorStatus {
        if status == 408 { return }
        if status == 413 {
            let candidate: (head: HTTPRequestHead, body: [UInt8])? = k < messages.count ? messages[k] : reference.pending
            guard let c = candidate else { violation("413 with no request after #\(k)") }
            var over = c.body.count > plan.bodyLimit
            if case .length(let n) = c.head.framing, n > plan.bodyLimit { over = true }
            if !over { violation("413 for request #\(k) whose body fits the limit \(plan.bodyLimit)") }
            return
        }
        guard let error = reference.error else { violation("error status \(status) but the parser found no error") }
        if status != error.status.code { violation("error status \(status), parser error .\(error) is \(error.status.code)") }
        if k != messages.count { violation("error after \(k) requests, the parser saw \(messages.count) complete ones first") }
        return
    }
    if closedByResponse {
        if closeOnlyBecauseOfEOF, k < messages.count, enabled("eof-serves-buffered") {
            fail("eof-serves-buffered", "peer half-closed with \(messages.count) complete requests buffered; only \(k) served (the response to #\(k - 1) closed because of EOF alone)\nparser reference:\n\(reference.description)", input: input)
        }
        return
    }
    if closedByTimeout || closedByDrain { return }
    // Quiet close after EOF: everything complete was served and nothing erred.
    if let error = reference.error { violation("closed quietly after \(k) requests but the parser reports .\(error)") }
    if k != messages.count { violation("closed quietly after \(k) of \(messages.count) requests") }
}

// MARK: - Entry point

private func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}

@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    let hash = fnv1a(input)
    // Piece sizes from the first four bytes (1...13 each) and one hashed split point.
    let headPieces = input.prefix(4).map { Int($0 % 13) + 1 }
    let cut = input.isEmpty ? 0 : Int(hash % UInt64(input.count + 1))
    let plans: [(String, [Int])] = [
        ("byte by byte", [1]),
        ("in pieces \(headPieces)", headPieces.isEmpty ? [1] : headPieces),
        ("split at \(cut)", cut == 0 ? [] : [cut, input.count]),
    ]

    var references: [Transcript] = []
    for limits in [smallLimits, defaultLimits] {
        let whole = transcript(input, pieces: [], limits: limits, input: input)
        checkGrammar(whole, limits: limits, input: input)
        if enabled("split") {
            for (how, pieces) in plans {
                checkSplit(whole, transcript(input, pieces: pieces, limits: limits, input: input), how: how, input: input)
            }
        }
        references.append(whole)
    }
    if enabled("roundtrip") { checkRoundTrip(references[1], input: input) }

    if enabled("machine") {
        let small = (hash >> 8) & 1 == 0
        let limits = small ? smallLimits : defaultLimits
        // The reference is the parser fed in the same pieces, so that only the machine is
        // judged here (split-independence is the "split" check's business).
        let pieced = transcript(input, pieces: headPieces, limits: limits, input: input)
        driveMachine(input, plan: MachinePlan(
            pieces: headPieces,
            limits: limits,
            bodyLimit: (hash >> 9) & 1 == 0 ? 16 : 1 << 20,
            eagerEOF: false,
            slowClient: (hash >> 10) & 7 == 0,
            responseKind: Int((hash >> 13) & 3),
            drainAt: (hash >> 16) & 3 == 0 ? Int((hash >> 18) % 16) + 1 : nil
        ), reference: pieced, input: input)
        driveMachine(input, plan: MachinePlan(
            pieces: [], limits: defaultLimits, bodyLimit: 1 << 20, eagerEOF: true, slowClient: false,
            responseKind: Int((hash >> 15) & 1)
        ), reference: references[1], input: input)
    }
    return 0
}
