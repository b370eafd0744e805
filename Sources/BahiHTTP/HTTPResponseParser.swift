/// An incremental HTTP/1.1 response parser over bytes (RFC 9112), with the server parser's
/// discipline turned around: what a client must not guess about is an error.
///
/// One parser reads one response to one request (it must know the request's method: the
/// answer to HEAD has no body whatever its header says). Feed it a `ByteBuffer` as bytes
/// arrive and call `parse` until it says `.needMoreData`; input split at any byte parses
/// exactly like input that arrived at once. When the peer closes, call `finish`: it ends a
/// body delimited by the close and rejects any other message cut short.
///
/// Framing (RFC 9112 §6.3) is decided once, at the end of the header block: no body for HEAD,
/// 1xx, 204 and 304; one final `chunked`; one decimal Content-Length; else the body runs to
/// the close. Repeated or conflicting Content-Length, Content-Length with Transfer-Encoding,
/// other transfer codings, bad chunk sizes, obs-fold, whitespace before a colon, bare CR or
/// LF and control characters are errors, never guesses: a pooled connection that guessed
/// wrong would hand the next request someone else's response. Interim 1xx responses are
/// read and skipped.
public struct HTTPResponseParser: Sendable {
    /// Size limits. Exceeding one is `.headersTooLarge`, `.tooManyHeaders`,
    /// `.chunkExtensionTooLong` or `.bodyTooLarge`.
    public struct Limits: Sendable, Equatable {
        /// Largest status line plus header block (and, separately, trailer block).
        public var maxHeaderBytes: Int = 64 * 1024
        /// Most header fields.
        public var maxHeaderCount: Int = 100
        /// Longest chunk-size line including extensions.
        public var maxChunkLineLength: Int = 4 * 1024
        /// Largest body, after de-chunking.
        public var maxBodyBytes: Int = 16 * 1024 * 1024
        /// Interim (1xx) responses tolerated before the final one.
        public var maxInformationalResponses: Int = 8

        public init() {}
    }

    /// What one call to `parse` produced.
    public enum Event: Sendable, Equatable {
        /// Nothing more can be parsed until more bytes arrive (or the peer closes).
        case needMoreData
        /// The final response's status line and header block; framing has been decided.
        case head(HTTPResponseHead)
        /// A piece of the body (de-chunked).
        case body([UInt8])
        /// The response, trailers included, is complete.
        case end
    }

    enum State: Sendable {
        case statusLine
        case headerLines
        case body(remaining: Int)
        case untilClose
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case messageEnd
        case done
        case failed(HTTPResponseParserError)
    }

    /// The limits it enforces, fixed for its one response.
    public let limits: Limits
    /// The method of the request this response answers.
    public let requestMethod: HTTPMethod
    private(set) var state: State = .statusLine
    /// Bytes of the current line already searched for LF, so a slow server costs linear time.
    private var scanned = 0
    /// True once any byte of the response has been consumed.
    public private(set) var hasStarted = false
    private var informational = 0
    private var bodyBytes = 0

    // The head under construction.
    private var version = HTTPVersion.http1_1
    private var status = HTTPStatus.ok
    private var headers = HTTPHeaders()
    private var headerBytes = 0
    private var fieldCount = 0
    private var framingFields = HTTPFramingFields()

    /// A parser for the response to one request made with `requestMethod`.
    public init(requestMethod: HTTPMethod, limits: Limits = Limits()) {
        self.requestMethod = requestMethod
        self.limits = limits
    }

    /// True once `.end` has been returned.
    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Parses as far as the buffered bytes allow and returns the next event, consuming the
    /// bytes it used. Bytes after the end of the response are left in the buffer. After an
    /// error the parser stays failed.
    public mutating func parse(_ buffer: inout ByteBuffer) throws(HTTPResponseParserError) -> Event {
        while true {
            switch state {
            case .failed(let error):
                throw error
            case .done:
                return .needMoreData
            case .messageEnd:
                state = .done
                return .end
            case .body(let remaining):
                if bodyBytes + remaining > limits.maxBodyBytes { return try fail(.bodyTooLarge) }
                if buffer.isEmpty { return .needMoreData }
                let bytes = buffer.readBytes(remaining)
                let left = remaining - bytes.count
                state = left == 0 ? .messageEnd : .body(remaining: left)
                return .body(bytes)
            case .untilClose:
                if buffer.isEmpty { return .needMoreData }
                if bodyBytes + buffer.readableBytes > limits.maxBodyBytes { return try fail(.bodyTooLarge) }
                let bytes = buffer.readBytes(buffer.readableBytes)
                bodyBytes += bytes.count
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
            case .statusLine, .headerLines, .chunkSize, .trailers:
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

    /// The peer closed the connection: ends a body delimited by the close (`.end`), or throws
    /// `.incompleteMessage` for anything else still open. Call it after `parse` has consumed
    /// every byte it could.
    public mutating func finish() throws(HTTPResponseParserError) -> Event {
        switch state {
        case .failed(let error): throw error
        case .done: return .needMoreData
        case .messageEnd:
            state = .done
            return .end
        case .untilClose:
            state = .done
            return .end
        default:
            return try fail(.incompleteMessage)
        }
    }

    private enum LineOutcome {
        case needMore
        case consumed(Int, Event?)
        case failure(HTTPResponseParserError)
    }

    private mutating func fail(_ error: HTTPResponseParserError) throws(HTTPResponseParserError) -> Event {
        state = .failed(error)
        throw error
    }

    /// Finds the next CRLF-terminated line and hands it to the state's line parser.
    private mutating func parseLine(_ raw: UnsafeRawBufferPointer) -> LineOutcome {
        guard !raw.isEmpty else { return .needMore }
        hasStarted = true
        var searched = scanned
        let next = HTTPSyntax.nextLine(raw, scanned: &searched, bareLF: HTTPResponseParserError.bareLF) { lineTooLong($0.count) }
        scanned = searched
        let line: UnsafeRawBufferPointer, consumed: Int
        switch next {
        case .failure(let error): return .failure(error)
        case .success(nil): return .needMore
        case .success(let found?): (line, consumed) = found
        }
        switch state {
        case .statusLine:
            headerBytes += consumed
            if let error = parseStatusLine(line) { return .failure(error) }
            state = .headerLines
            return .consumed(consumed, nil)
        case .headerLines:
            headerBytes += consumed
            if headerBytes > limits.maxHeaderBytes { return .failure(.headersTooLarge) }
            if line.isEmpty {
                switch finishHead() {
                case .success(let head): return .consumed(consumed, head.map { .head($0) })
                case .failure(let error): return .failure(error)
                }
            }
            if let error = parseField(line, keep: true) { return .failure(error) }
            return .consumed(consumed, nil)
        case .chunkSize:
            if consumed > limits.maxChunkLineLength { return .failure(.chunkExtensionTooLong) }
            switch HTTPSyntax.chunkSize(line) {
            case .failure(let error): return .failure(HTTPResponseParserError(syntax: error))
            case .success(0): state = .trailers
            case .success(let size):
                if bodyBytes + size > limits.maxBodyBytes { return .failure(.bodyTooLarge) }
                bodyBytes += size
                state = .chunkData(remaining: size)
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

    /// Rejects a line that has grown past its limit (`length` bytes before its LF).
    private func lineTooLong(_ length: Int) -> HTTPResponseParserError? {
        switch state {
        case .statusLine, .headerLines, .trailers:
            return headerBytes + length > limits.maxHeaderBytes ? .headersTooLarge : nil
        case .chunkSize:
            return length > limits.maxChunkLineLength ? .chunkExtensionTooLong : nil
        default:
            return nil
        }
    }

    /// status-line = HTTP-version SP status-code SP [ reason-phrase ]. A status line that
    /// ends right after the code (no SP) is accepted: it changes nothing about framing.
    private mutating func parseStatusLine(_ line: UnsafeRawBufferPointer) -> HTTPResponseParserError? {
        guard line.count >= 12 else {
            return line.contains(ASCII.cr) ? .bareCR : .invalidStatusLine
        }
        let prefix: [UInt8] = [0x48, 0x54, 0x54, 0x50, 0x2F]  // "HTTP/"
        for i in 0..<5 where line[i] != prefix[i] { return .invalidStatusLine }
        let major = line[5], dot = line[6], minor = line[7]
        guard major >= 0x30, major <= 0x39, dot == 0x2E, minor >= 0x30, minor <= 0x39, line[8] == ASCII.space else {
            return .invalidStatusLine
        }
        switch (major, minor) {
        case (0x31, 0x31): version = .http1_1
        case (0x31, 0x30): version = .http1_0
        default: return .unsupportedVersion
        }
        var code = 0
        for i in 9..<12 {
            let b = line[i]
            guard b >= 0x30, b <= 0x39 else { return .invalidStatusCode }
            code = code * 10 + Int(b - 0x30)
        }
        guard code >= 100, code <= 599 else { return .invalidStatusCode }
        var reason = ""
        if line.count > 12 {
            guard line[12] == ASCII.space else { return .invalidStatusCode }
            let phrase = UnsafeRawBufferPointer(rebasing: line[13...])
            for b in phrase {
                if b == ASCII.cr { return .bareCR }
                if !ASCII.isFieldValueChar(b) { return .invalidStatusLine }
            }
            reason = String(decoding: phrase, as: UTF8.self)
        }
        status = reason.isEmpty ? HTTPStatus(code: code) : HTTPStatus(code, reason)
        return nil
    }

    /// One header (or trailer) field line; framing fields are noted as they pass.
    private mutating func parseField(_ line: UnsafeRawBufferPointer, keep: Bool) -> HTTPResponseParserError? {
        let shape: HTTPSyntax.FieldLine
        switch HTTPSyntax.fieldLine(line) {
        case .failure(let error): return HTTPResponseParserError(syntax: error)
        case .success(let found): shape = found
        }
        fieldCount += 1
        if fieldCount > limits.maxHeaderCount { return .tooManyHeaders }
        guard keep else { return nil }
        let name = UnsafeRawBufferPointer(rebasing: line[0..<shape.nameEnd])
        let value = UnsafeRawBufferPointer(rebasing: line[shape.valueStart..<shape.valueEnd])
        _ = framingFields.note(name: name, value: value)
        headers.add(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        return nil
    }

    /// Decides framing and persistence once the header block is complete. Returns nil for
    /// an interim (1xx) response, which is dropped: the final response follows it.
    private mutating func finishHead() -> Result<HTTPResponseHead?, HTTPResponseParserError> {
        if status.code == 101 { return .failure(.unexpectedSwitchingProtocols) }
        // Ambiguous framing is refused whatever the status: a server that sends it cannot be
        // trusted to have framed anything else right.
        let contentLengths = framingFields.contentLengths
        var declaredLength: Int?
        if !contentLengths.isEmpty {
            guard let first = contentLengths[0], contentLengths.allSatisfy({ $0 != nil }) else { return .failure(.invalidContentLength) }
            if contentLengths.count > 1 {
                return .failure(contentLengths.allSatisfy({ $0 == first }) ? .duplicateContentLength : .conflictingContentLength)
            }
            declaredLength = first
        }
        if framingFields.sawTransferEncoding {
            if declaredLength != nil { return .failure(.contentLengthWithTransferEncoding) }
            if version == .http1_0 { return .failure(.transferEncodingInHTTP10) }
            guard framingFields.transferCodings == ["chunked"] else { return .failure(.unsupportedTransferCoding) }
        }
        if status.code < 200 {
            informational += 1
            if informational > limits.maxInformationalResponses { return .failure(.tooManyInformationalResponses) }
            resetHead()
            state = .statusLine
            return .success(nil)
        }
        let framing: HTTPResponseFraming
        if requestMethod == .head || !status.allowsBody {
            framing = .none
        } else if framingFields.sawTransferEncoding {
            framing = .chunked
        } else if let declaredLength {
            framing = declaredLength == 0 ? .none : .length(declaredLength)
        } else {
            framing = .untilClose
        }
        let persistent = framingFields.persists(version)
        let head = HTTPResponseHead(
            version: version, status: status, headers: headers, framing: framing,
            keepAlive: persistent && framing != .untilClose
        )
        switch framing {
        case .none: state = .messageEnd
        case .length(let n): state = .body(remaining: n)
        case .chunked: state = .chunkSize
        case .untilClose: state = .untilClose
        }
        // Trailers get their own budget, counted from here.
        headerBytes = 0
        fieldCount = 0
        return .success(head)
    }

    /// Forgets an interim response's head.
    private mutating func resetHead() {
        headers = HTTPHeaders()
        headerBytes = 0
        fieldCount = 0
        framingFields = HTTPFramingFields()
    }
}
