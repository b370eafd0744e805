#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental HTTP/1.1 request parser over bytes (RFC 9112), stricter than llhttp's
/// lenient defaults.
///
/// Feed it a `ByteBuffer` as bytes arrive and call `parse` until it says `.needMoreData`.
/// It consumes what it has understood and leaves the rest, so input split at any byte parses
/// exactly like input that arrived at once. It never converts the whole request to a
/// `String`: lines are found with `memchr`, validated byte by byte, and only the method,
/// target and header fields become strings.
///
/// Framing is decided once, at the end of the header block, and every ambiguity that has
/// been used for request smuggling is an error, never a guess: Content-Length with
/// Transfer-Encoding, repeated or malformed Content-Length, a Transfer-Encoding that does
/// not end in a single `chunked`, bad chunk sizes, whitespace before a colon, obs-fold, bare
/// CR or LF, control characters, a missing or repeated Host.
public struct HTTPRequestParser: Sendable {
    /// Size limits. Exceeding one is an error with its own status (414, 431, 400).
    public struct Limits: Sendable, Equatable {
        /// Longest request target (414 beyond).
        public var maxTargetLength: Int = 8 * 1024
        /// Largest header block, request line excluded (431 beyond).
        public var maxHeaderBytes: Int = 32 * 1024
        /// Most header fields (431 beyond).
        public var maxHeaderCount: Int = 100
        /// Longest chunk-size line including extensions (400 beyond).
        public var maxChunkLineLength: Int = 4 * 1024
        /// Empty lines tolerated before a request line (RFC 9112 §2.2 robustness).
        public var maxLeadingEmptyLines: Int = 4

        public init() {}
    }

    /// What one call to `parse` produced.
    public enum Event: Sendable, Equatable {
        /// Nothing more can be parsed until more bytes arrive.
        case needMoreData
        /// A request line and header block; framing has been decided.
        case head(HTTPRequestHead)
        /// A piece of the body (de-chunked).
        case body([UInt8])
        /// The message, trailers included, is complete; the next request may follow.
        case end
    }

    enum State: Sendable {
        case requestLine
        case headerLines
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case messageEnd
        case failed(HTTPParserError)
    }

    public let limits: Limits
    private(set) var state: State = .requestLine
    /// Bytes of the current line already searched for LF, so a slow client costs linear time.
    private var scanned = 0
    private var emptyLines = 0

    // The head under construction.
    private var method = HTTPMethod.get
    private var target = ""
    private var version = HTTPVersion.http1_1
    private var headers = HTTPHeaders()
    private var headerBytes = 0
    private var fieldCount = 0
    private var hostCount = 0
    private var framingFields = HTTPFramingFields()
    /// `Expect` named 100-continue / named anything else, over all its fields (it is a list).
    private var expectsContinueField = false
    private var unsupportedExpectation = false

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// True between requests: no byte of a new request has been consumed yet.
    public var isIdle: Bool {
        if case .requestLine = state { return scanned == 0 && emptyLines == 0 }
        return false
    }

    /// True while a body is being read (the body idle timeout applies rather than the
    /// header timeout).
    public var isReadingBody: Bool {
        switch state {
        case .body, .chunkSize, .chunkData, .chunkDataEnd, .trailers, .messageEnd: return true
        default: return false
        }
    }

    /// Parses as far as the buffered bytes allow and returns the next event, consuming the
    /// bytes it used. After an error the parser stays failed: the connection must close.
    public mutating func parse(_ buffer: inout ByteBuffer) throws(HTTPParserError) -> Event {
        while true {
            switch state {
            case .failed(let error):
                throw error
            case .messageEnd:
                reset()
                return .end
            case .body(let remaining):
                if buffer.isEmpty { return .needMoreData }
                let bytes = buffer.readBytes(remaining)
                let left = remaining - bytes.count
                state = left == 0 ? .messageEnd : .body(remaining: left)
                return .body(bytes)
            case .chunkData(let remaining):
                if buffer.isEmpty { return .needMoreData }
                let bytes = buffer.readBytes(remaining)
                let left = remaining - bytes.count
                state = left == 0 ? .chunkDataEnd : .chunkData(remaining: left)
                return .body(bytes)
            case .chunkDataEnd:
                guard let ended = HTTPSyntax.consumeChunkDataEnd(&buffer) else { return .needMoreData }
                guard ended else { return try fail(.invalidChunkTerminator) }
                state = .chunkSize
            case .requestLine, .headerLines, .chunkSize, .trailers:
                let outcome = buffer.withUnsafeReadableBytes { raw in parseLine(raw) }
                switch outcome {
                case .needMore:
                    return .needMoreData
                case .failure(let error):
                    return try fail(error)
                case .consumed(let count, let event):
                    buffer.moveReaderIndex(forwardBy: count)
                    if let event { return event }
                }
            }
        }
    }

    private enum LineOutcome {
        case needMore
        case consumed(Int, Event?)
        case failure(HTTPParserError)
    }

    private mutating func fail(_ error: HTTPParserError) throws(HTTPParserError) -> Event {
        state = .failed(error)
        throw error
    }

    /// Finds the next CRLF-terminated line and hands it to the state's line parser.
    private mutating func parseLine(_ raw: UnsafeRawBufferPointer) -> LineOutcome {
        var searched = scanned
        let next = HTTPSyntax.nextLine(raw, scanned: &searched, bareLF: HTTPParserError.bareLF) { lineTooLong($0) }
        scanned = searched
        let line: UnsafeRawBufferPointer, consumed: Int
        switch next {
        case .failure(let error): return .failure(error)
        case .success(nil): return .needMore
        case .success(let found?): (line, consumed) = found
        }
        switch state {
        case .requestLine:
            if line.isEmpty {
                emptyLines += 1
                return emptyLines > limits.maxLeadingEmptyLines ? .failure(.tooManyEmptyLines) : .consumed(consumed, nil)
            }
            if let error = parseRequestLine(line) { return .failure(error) }
            state = .headerLines
            return .consumed(consumed, nil)
        case .headerLines:
            headerBytes += consumed
            if headerBytes > limits.maxHeaderBytes { return .failure(.headersTooLarge) }
            if line.isEmpty {
                switch finishHead() {
                case .success(let head): return .consumed(consumed, .head(head))
                case .failure(let error): return .failure(error)
                }
            }
            if let error = parseField(line, keep: true) { return .failure(error) }
            return .consumed(consumed, nil)
        case .chunkSize:
            if consumed > limits.maxChunkLineLength { return .failure(.chunkExtensionTooLong) }
            switch HTTPSyntax.chunkSize(line) {
            case .failure(let error): return .failure(error)
            case .success(0): state = .trailers
            case .success(let size): state = .chunkData(remaining: size)
            }
            return .consumed(consumed, nil)
        case .trailers:
            headerBytes += consumed
            if headerBytes > limits.maxHeaderBytes { return .failure(.headersTooLarge) }
            if line.isEmpty {
                state = .messageEnd
                return .consumed(consumed, nil)
            }
            if let error = parseField(line, keep: false) { return .failure(error) }
            return .consumed(consumed, nil)
        default:
            return .needMore
        }
    }

    /// Rejects a line that has grown past its limit before its LF arrived.
    private func lineTooLong(_ raw: UnsafeRawBufferPointer) -> HTTPParserError? {
        switch state {
        case .requestLine:
            // method (≤ 32) + SP + target + SP + "HTTP/1.1" + CR: a longer line is invalid,
            // and the prefix already shows why (the error the whole line would get).
            let threshold = limits.maxTargetLength + 43
            guard raw.count > threshold else { return nil }
            // Judge exactly the first threshold+1 bytes: however the line arrived, this is the
            // first prefix the check can see, so the verdict never depends on the split.
            let prefix = UnsafeRawBufferPointer(rebasing: raw[0...threshold])
            if case .failure(let error) = scanRequestLine(prefix, complete: false) { return error }
            return .targetTooLong
        case .headerLines, .trailers:
            return headerBytes + raw.count > limits.maxHeaderBytes ? .headersTooLarge : nil
        case .chunkSize:
            return raw.count > limits.maxChunkLineLength ? .chunkExtensionTooLong : nil
        default:
            return nil
        }
    }

    /// Where the parts of a valid request line are.
    private struct RequestLineShape {
        /// Index of the SP after the method.
        var methodEnd: Int
        /// Index of the SP after the target.
        var targetEnd: Int
    }

    /// Checks a request line left to right and reports the first byte that makes it invalid,
    /// so the error depends only on bytes up to that one: a prefix that is already invalid
    /// fails exactly as the whole line would, however the input was split.
    ///
    /// With `complete` false, `line` is the start of a line whose LF has not arrived (a final
    /// CR may still be its terminator) and `.success(nil)` means "no verdict yet".
    private func scanRequestLine(_ line: UnsafeRawBufferPointer, complete: Bool) -> Result<RequestLineShape?, HTTPParserError> {
        var n = line.count
        if !complete, n > 0, line[n - 1] == ASCII.cr { n -= 1 }
        var i = 0
        // method = token, at most 32 characters
        while i < n, ASCII.isTokenChar(line[i]) {
            i += 1
            if i > 32 { return .failure(.invalidMethod) }
        }
        guard i < n else { return complete ? .failure(.invalidMethod) : .success(nil) }
        switch line[i] {
        case ASCII.cr: return .failure(.bareCR)
        case ASCII.space where i > 0: break
        case ASCII.tab where i > 0: return .failure(.invalidRequestLine)
        default: return .failure(.invalidMethod)
        }
        let methodEnd = i
        i += 1
        // request-target: visible ASCII, at most maxTargetLength bytes
        let targetStart = i
        while i < n, line[i] != ASCII.space {
            let b = line[i]
            if b == ASCII.cr { return .failure(.bareCR) }
            if !ASCII.isTargetChar(b) { return .failure(.invalidTarget) }
            i += 1
            if i - targetStart > limits.maxTargetLength { return .failure(.targetTooLong) }
        }
        guard i < n else { return complete ? .failure(.invalidRequestLine) : .success(nil) }
        if i == targetStart { return .failure(.invalidRequestLine) }
        let targetEnd = i
        i += 1
        // HTTP-version = "HTTP/" DIGIT "." DIGIT, exactly eight bytes
        var k = 0
        while i < n {
            let b = line[i]
            if b == ASCII.cr { return .failure(.bareCR) }
            if b == ASCII.space { return .failure(.invalidRequestLine) }
            let expected: Bool
            switch k {
            case 0: expected = b == 0x48  // H
            case 1, 2: expected = b == 0x54  // T
            case 3: expected = b == 0x50  // P
            case 4: expected = b == 0x2F  // /
            case 5, 7: expected = b >= 0x30 && b <= 0x39
            case 6: expected = b == 0x2E  // .
            default: expected = false  // longer than eight bytes
            }
            if !expected { return .failure(.invalidVersion) }
            i += 1
            k += 1
        }
        guard complete else { return .success(nil) }
        if k < 8 { return .failure(.invalidVersion) }
        return .success(RequestLineShape(methodEnd: methodEnd, targetEnd: targetEnd))
    }

    /// request-line = method SP request-target SP HTTP-version
    private mutating func parseRequestLine(_ line: UnsafeRawBufferPointer) -> HTTPParserError? {
        let shape: RequestLineShape
        switch scanRequestLine(line, complete: true) {
        case .failure(let error): return error
        case .success(let found?): shape = found
        case .success(nil): return .invalidRequestLine
        }
        let methodBytes = UnsafeRawBufferPointer(rebasing: line[0..<shape.methodEnd])
        let targetBytes = UnsafeRawBufferPointer(rebasing: line[(shape.methodEnd + 1)..<shape.targetEnd])
        let major = line[shape.targetEnd + 6], minor = line[shape.targetEnd + 8]
        switch (major, minor) {
        case (0x31, 0x31): version = .http1_1
        case (0x31, 0x30): version = .http1_0
        default: return .unsupportedVersion
        }
        method = HTTPMethod.intern(methodBytes)
        // Origin-form, absolute-form (http/https) or asterisk-form for OPTIONS only.
        let first = targetBytes[0]
        if first == 0x2F {
            // origin-form
        } else if first == 0x2A {
            guard targetBytes.count == 1, method == .options else { return .invalidTarget }
        } else if !(ASCII.startsWithLowercase(targetBytes, "http://") || ASCII.startsWithLowercase(targetBytes, "https://")) {
            return .invalidTarget
        }
        target = String(decoding: targetBytes, as: UTF8.self)
        return nil
    }

    /// field-line = field-name ":" OWS field-value OWS
    private mutating func parseField(_ line: UnsafeRawBufferPointer, keep: Bool) -> HTTPParserError? {
        let shape: HTTPSyntax.FieldLine
        switch HTTPSyntax.fieldLine(line) {
        case .failure(let error): return error
        case .success(let found): shape = found
        }
        let nameEnd = shape.nameEnd, valueStart = shape.valueStart, valueEnd = shape.valueEnd
        fieldCount += 1
        if fieldCount > limits.maxHeaderCount { return .tooManyHeaders }
        guard keep else { return nil }
        let name = UnsafeRawBufferPointer(rebasing: line[0..<nameEnd])
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd])
        let valueString = String(decoding: value, as: UTF8.self)
        switch nameEnd {
        case 4 where ASCII.equalsLowercase(name, "host"):
            hostCount += 1
        case 6 where ASCII.equalsLowercase(name, "expect"):
            for m in ASCII.listMembers(value) {
                if ASCII.equalsLowercase(m, "100-continue") { expectsContinueField = true } else if !m.isEmpty { unsupportedExpectation = true }
            }
        default:
            _ = framingFields.note(name: name, value: value)
        }
        headers.add(name: String(decoding: name, as: UTF8.self), value: valueString)
        return nil
    }

    /// Decides framing, Host, Expect and persistence once the header block is complete.
    private mutating func finishHead() -> Result<HTTPRequestHead, HTTPParserError> {
        if version == .http1_1 {
            if hostCount == 0 { return .failure(.missingHost) }
        }
        if hostCount > 1 { return .failure(.duplicateHost) }
        let framing: HTTPBodyFraming
        let contentLengthCount = framingFields.contentLengths.count, transferCodings = framingFields.transferCodings
        if framingFields.sawTransferEncoding {
            if contentLengthCount > 0 { return .failure(.contentLengthWithTransferEncoding) }
            if version == .http1_0 { return .failure(.transferEncodingInHTTP10) }
            guard transferCodings.last == "chunked", transferCodings.filter({ $0 == "chunked" }).count == 1 else {
                return .failure(.transferEncodingNotChunked)
            }
            if transferCodings.count > 1 { return .failure(.unknownTransferCoding) }
            framing = .chunked
        } else if contentLengthCount > 1 {
            return .failure(.duplicateContentLength)
        } else if contentLengthCount == 1 {
            guard let length = framingFields.contentLengths[0] else { return .failure(.invalidContentLength) }
            framing = length == 0 ? .none : .length(length)
        } else {
            framing = .none
        }
        if unsupportedExpectation { return .failure(.unsupportedExpectation) }
        let expectsContinue = expectsContinueField && version == .http1_1 && framing != .none
        let keepAlive = framingFields.persists(version)
        let head = HTTPRequestHead(
            method: method, target: target, version: version, headers: headers,
            framing: framing, expectsContinue: expectsContinue, keepAlive: keepAlive
        )
        switch framing {
        case .none: state = .messageEnd
        case .length(let n): state = .body(remaining: n)
        case .chunked: state = .chunkSize
        }
        // Trailers get their own budget, counted from here.
        headerBytes = 0
        fieldCount = 0
        return .success(head)
    }

    private mutating func reset() {
        state = .requestLine
        scanned = 0
        emptyLines = 0
        headers = HTTPHeaders()
        headerBytes = 0
        fieldCount = 0
        hostCount = 0
        framingFields = HTTPFramingFields()
        expectsContinueField = false
        unsupportedExpectation = false
    }
}

extension ASCII {
    /// The members of a comma-separated field value (RFC 9110 §5.6.1), split on the comma
    /// byte and trimmed of SP/HTAB, as byte ranges: never Unicode-aware, so a combining mark
    /// after a comma cannot hide a member.
    static func listMembers(_ value: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer] {
        var members: [UnsafeRawBufferPointer] = []
        var start = 0
        for i in 0...value.count where i == value.count || value[i] == 0x2C {
            var a = start, b = i
            while a < b, value[a] == space || value[a] == tab { a += 1 }
            while b > a, value[b - 1] == space || value[b - 1] == tab { b -= 1 }
            members.append(UnsafeRawBufferPointer(rebasing: value[a..<b]))
            start = i + 1
        }
        return members
    }

    /// True if `bytes` starts with the lowercase ASCII `prefix`, ignoring case.
    static func startsWithLowercase(_ bytes: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard bytes.count >= n else { return false }
        return equalsLowercase(UnsafeRawBufferPointer(rebasing: bytes[0..<n]), prefix)
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (RFC 9110 OWS).
    var trimmingOWS: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
