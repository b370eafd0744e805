import Testing
@testable import BahiHTTP

// Helpers shared by the parser and connection state machine tests.

/// The UTF-8 bytes of `text`.
func octets(_ text: String) -> [UInt8] { Array(text.utf8) }

/// One parser outcome with consecutive body pieces merged, so outcomes of differently split
/// input can be compared.
enum ParsedItem: Equatable, CustomStringConvertible {
    case head(HTTPRequestHead)
    case body([UInt8])
    case end

    var description: String {
        switch self {
        case .head(let head): return "head(\(head.method) \(head.target))"
        case .body(let body): return "body(\(String(decoding: body, as: UTF8.self).debugDescription))"
        case .end: return "end"
        }
    }
}

/// Everything a parser produced for some input, and the error it stopped with, if any.
struct ParseOutcome: Equatable, CustomStringConvertible {
    var items: [ParsedItem] = []
    var error: HTTPParserError?
    /// Bytes left unparsed in the buffer at the end.
    var leftover: [UInt8] = []

    var description: String { "items: \(items), error: \(String(describing: error)), leftover: \(leftover.count)" }

    /// The request heads only.
    var heads: [HTTPRequestHead] {
        items.compactMap { if case .head(let head) = $0 { return head } else { return nil } }
    }

    /// The single head, or nil.
    var head: HTTPRequestHead? { heads.count == 1 ? heads[0] : nil }

    /// All body bytes, concatenated.
    var body: [UInt8] {
        items.flatMap { item -> [UInt8] in if case .body(let b) = item { return b } else { return [] } }
    }

    mutating func append(_ event: HTTPRequestParser.Event) {
        switch event {
        case .needMoreData:
            break
        case .head(let head):
            items.append(.head(head))
        case .body(let piece):
            if case .body(let previous)? = items.last {
                items[items.count - 1] = .body(previous + piece)
            } else {
                items.append(.body(piece))
            }
        case .end:
            items.append(.end)
        }
    }
}

/// Feeds `chunks` one after another to a fresh parser, parsing as far as possible after each.
func parse(chunks: [[UInt8]], limits: HTTPRequestParser.Limits = .init()) -> ParseOutcome {
    var parser = HTTPRequestParser(limits: limits)
    var buffer = ByteBuffer(capacity: 64)
    var outcome = ParseOutcome()
    feeding: for chunk in chunks {
        buffer.write(chunk)
        while true {
            do {
                let event = try parser.parse(&buffer)
                if event == .needMoreData {
                    // A parser with unconsumed bytes must not claim to need more unless it does.
                    break
                }
                #expect(!(event == .body([])), "empty body event")
                outcome.append(event)
            } catch {
                outcome.error = error
                break feeding
            }
        }
    }
    outcome.leftover = buffer.readableBytesArray
    return outcome
}

/// Parses `input` delivered in one piece.
func parse(_ input: [UInt8], limits: HTTPRequestParser.Limits = .init()) -> ParseOutcome {
    parse(chunks: [input], limits: limits)
}

/// Parses `text` delivered in one piece.
func parse(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> ParseOutcome {
    parse(octets(text), limits: limits)
}

/// The error `text` is rejected with (nil if it is not rejected).
func parseError(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> HTTPParserError? {
    parse(octets(text), limits: limits).error
}

/// Limits with everything small, for tests that probe the edges.
func smallLimits(target: Int = 16, headerBytes: Int = 64, headerCount: Int = 4, chunkLine: Int = 16, emptyLines: Int = 2) -> HTTPRequestParser.Limits {
    var limits = HTTPRequestParser.Limits()
    limits.maxTargetLength = target
    limits.maxHeaderBytes = headerBytes
    limits.maxHeaderCount = headerCount
    limits.maxChunkLineLength = chunkLine
    limits.maxLeadingEmptyLines = emptyLines
    return limits
}

/// A response decoded from the bytes the encoder produced.
struct DecodedResponse: CustomStringConvertible {
    var statusLine: String
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// Whatever followed the declared Content-Length (should be nothing).
    var trailing: [UInt8]

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    var description: String { "\(statusLine) \(headers) body: \(bodyText)" }

    /// Every value of a header, case-insensitively.
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The single value of a header; nil if absent or repeated.
    subscript(_ name: String) -> String? {
        let all = values(name)
        return all.count == 1 ? all[0] : nil
    }

    /// Decodes one response. `expectBody` false for answers to HEAD.
    init?(_ raw: [UInt8], expectBody: Bool = true) {
        let separator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        guard let end = raw.indices.first(where: { raw[$0...].starts(with: separator) }) else { return nil }
        let headText = String(decoding: raw[..<end], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return nil }
        statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let code = Int(parts[1]) else { return nil }
        status = code
        headers = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...]
            guard value.first == " " else { return nil }
            headers.append((name: String(line[..<colon]), value: String(value.dropFirst())))
        }
        let rest = Array(raw[(end + 4)...])
        let length = expectBody ? headers.first(where: { $0.name.lowercased() == "content-length" }).flatMap { Int($0.value) } ?? 0 : 0
        guard rest.count >= length else { return nil }
        body = Array(rest[..<length])
        trailing = Array(rest[length...])
    }
}

/// A fixed wall clock: 2023-11-14T22:13:20Z.
let fixedWallClock: @Sendable () -> UInt64 = { 1_700_000_000_000 }

/// Nanoseconds in a second.
let oneSecond: UInt64 = 1_000_000_000

/// A deterministic state machine starting at monotonic time `now`.
func makeMachine(
    _ configuration: HTTPConnectionStateMachine.Configuration = .init(), now: UInt64 = 1_000 * oneSecond, seed: UInt64 = 42
) -> HTTPConnectionStateMachine {
    HTTPConnectionStateMachine(configuration: configuration, now: now, idSeed: seed, wallClockMilliseconds: fixedWallClock)
}

/// True if `id` looks like a generated request id: `req_` and 26 Crockford base32 characters.
func isGeneratedRequestID(_ id: String) -> Bool {
    let alphabet = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    return id.hasPrefix("req_") && id.count == 30 && id.dropFirst(4).allSatisfy { alphabet.contains($0) }
}

extension HTTPConnectionStateMachine.Action {
    /// The request, if this is `.dispatch`.
    var dispatched: HTTPRequest? {
        if case .dispatch(let request) = self { return request }
        return nil
    }

    /// The outgoing response, if this is `.send`.
    var outgoing: HTTPConnectionStateMachine.Outgoing? {
        if case .send(let outgoing) = self { return outgoing }
        return nil
    }

    var isReadMore: Bool { if case .readMore = self { return true } else { return false } }
    var isWait: Bool { if case .wait = self { return true } else { return false } }
    var isSendContinue: Bool { if case .sendContinue = self { return true } else { return false } }
    var isClose: Bool { if case .close = self { return true } else { return false } }

    /// A short name for failure messages.
    var name: String {
        switch self {
        case .readMore: return "readMore"
        case .wait: return "wait"
        case .sendContinue: return "sendContinue"
        case .dispatch(let request): return "dispatch(\(request.method) \(request.head.target))"
        case .send(let outgoing): return "send(\(String(decoding: outgoing.bytes.prefix(40), as: UTF8.self).debugDescription), close: \(outgoing.close))"
        case .close: return "close"
        }
    }
}

extension HTTPConnectionStateMachine.Outgoing {
    /// The decoded response (not for answers to HEAD).
    var response: DecodedResponse? { DecodedResponse(bytes) }
}

/// A small deterministic PRNG (SplitMix64) for reproducible random splits.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `input` cut at random points into 1 to 8 pieces (some possibly empty).
    mutating func pieces(of input: [UInt8]) -> [[UInt8]] {
        let cuts = (0..<Int.random(in: 0...7, using: &self)).map { _ in Int.random(in: 0...input.count, using: &self) }.sorted()
        var result: [[UInt8]] = []
        var start = 0
        for cut in cuts {
            result.append(Array(input[start..<cut]))
            start = cut
        }
        result.append(Array(input[start...]))
        return result
    }
}
