#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The RFC 9112 line grammar the request and response parsers share: a header field line
/// and a chunk-size line. One implementation, so the server and the client reject exactly
/// the same malformed bytes (obs-fold, whitespace before a colon, bare CR, control
/// characters, bad or overflowing chunk sizes) and neither can drift into leniency alone.
///
/// Errors are `HTTPParserError` cases; the response parser maps them onto its own type.
enum HTTPSyntax {
    /// Finds the CRLF-terminated line at the start of `raw`, searching with `memchr` from
    /// `scanned` (the bytes already searched by an earlier call, so a slow peer costs linear
    /// time) and updating it. Returns nil while no LF has arrived, else the line without its
    /// CRLF and the bytes it takes with it. `tooLong` judges the line so far — every byte
    /// when no LF has come, the bytes before the LF when one has — before a missing CR is
    /// judged, so a split arrival reaches the same verdict as a whole one.
    static func nextLine<Failure: Error>(
        _ raw: UnsafeRawBufferPointer, scanned: inout Int, bareLF: Failure,
        tooLong: (UnsafeRawBufferPointer) -> Failure?
    ) -> Result<(line: UnsafeRawBufferPointer, consumed: Int)?, Failure> {
        guard let base = raw.baseAddress else { return .success(nil) }
        let count = raw.count
        let start = min(scanned, count)
        guard let lfPointer = memchr(base + start, Int32(ASCII.lf), count - start) else {
            scanned = count
            if let error = tooLong(raw) { return .failure(error) }
            return .success(nil)
        }
        let lf = UnsafeRawPointer(lfPointer) - UnsafeRawPointer(base)
        scanned = 0
        if let error = tooLong(UnsafeRawBufferPointer(rebasing: raw[0..<lf])) { return .failure(error) }
        guard lf > 0, raw[lf - 1] == ASCII.cr else { return .failure(bareLF) }
        return .success((UnsafeRawBufferPointer(rebasing: raw[0..<(lf - 1)]), lf + 1))
    }

    /// Where the parts of a valid field line are.
    struct FieldLine {
        /// One past the field name's last byte (the colon's index).
        var nameEnd: Int
        /// The value without leading and trailing OWS.
        var valueStart: Int
        var valueEnd: Int
    }

    /// field-line = field-name ":" OWS field-value OWS, checked byte by byte. `line` is the
    /// line without its CRLF and is never empty.
    static func fieldLine(_ line: UnsafeRawBufferPointer) -> Result<FieldLine, HTTPParserError> {
        let n = line.count
        let first = line[0]
        if first == ASCII.space || first == ASCII.tab { return .failure(.obsoleteLineFolding) }
        var i = 0
        while i < n, ASCII.isTokenChar(line[i]) { i += 1 }
        guard i < n else { return .failure(.invalidHeaderName) }
        switch line[i] {
        case ASCII.colon: break
        case ASCII.space, ASCII.tab: return .failure(i == 0 ? .obsoleteLineFolding : .whitespaceBeforeColon)
        case ASCII.cr: return .failure(.bareCR)
        default: return .failure(.invalidHeaderName)
        }
        guard i > 0 else { return .failure(.invalidHeaderName) }
        let nameEnd = i
        i += 1
        while i < n, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        let valueStart = i
        var valueEnd = i
        while i < n {
            let b = line[i]
            if b == ASCII.cr { return .failure(.bareCR) }
            if !ASCII.isFieldValueChar(b) { return .failure(.invalidHeaderValue) }
            i += 1
            if b != ASCII.space && b != ASCII.tab { valueEnd = i }
        }
        return .success(FieldLine(nameEnd: nameEnd, valueStart: valueStart, valueEnd: valueEnd))
    }

    /// chunk-size [ chunk-ext ], where chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ).
    /// At most 15 hex digits, so a size never overflows. Extensions are checked for control
    /// characters and then ignored.
    static func chunkSize(_ line: UnsafeRawBufferPointer) -> Result<Int, HTTPParserError> {
        var size = 0
        var i = 0
        while i < line.count, let digit = ASCII.hexValue(line[i]) {
            if i >= 15 { return .failure(.chunkSizeOverflow) }
            size = size << 4 | digit
            i += 1
        }
        guard i > 0 else { return .failure(line.first == ASCII.cr ? .bareCR : .invalidChunkSize) }
        if i == line.count { return .success(size) }
        var j = i
        while j < line.count, line[j] == ASCII.space || line[j] == ASCII.tab { j += 1 }
        guard j < line.count, line[j] == 0x3B else {
            return .failure(j < line.count && line[j] == ASCII.cr ? .bareCR : .invalidChunkSize)
        }
        for b in line[j...] {
            if b == ASCII.cr { return .failure(.bareCR) }
            if !ASCII.isFieldValueChar(b) { return .failure(.invalidChunkSize) }
        }
        return .success(size)
    }

    /// Content-Length = 1*DIGIT, at most 18 digits so it can never overflow. A list
    /// ("5, 5") is not a number: it is refused, never collapsed.
    static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for b in bytes {
            guard b >= 0x30, b <= 0x39 else { return nil }
            value = value * 10 + Int(b - 0x30)
        }
        return value
    }

    /// Checks the CRLF that ends chunk data. Returns nil when fewer than two bytes wait and
    /// those could still be a CRLF, true when a CRLF was consumed, false when the bytes are
    /// anything else.
    static func consumeChunkDataEnd(_ buffer: inout ByteBuffer) -> Bool? {
        if buffer.readableBytes < 2 {
            if buffer.readableBytes == 1, buffer.withUnsafeReadableBytes({ $0[0] }) != ASCII.cr { return false }
            return nil
        }
        guard buffer.withUnsafeReadableBytes({ $0[0] == ASCII.cr && $0[1] == ASCII.lf }) else { return false }
        buffer.moveReaderIndex(forwardBy: 2)
        return true
    }
}
