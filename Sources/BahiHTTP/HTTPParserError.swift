/// Why a request could not be parsed. Each case knows the status it is answered with and a
/// stable machine `code` for the problem+json body. Every parser error closes the
/// connection: once framing is in doubt nothing after it can be trusted (request smuggling).
public enum HTTPParserError: Error, Equatable, Sendable {
    case invalidMethod
    case invalidRequestLine
    case invalidTarget
    case targetTooLong
    case invalidVersion
    case unsupportedVersion
    case bareCR
    case bareLF
    case invalidHeaderName
    case invalidHeaderValue
    case whitespaceBeforeColon
    case obsoleteLineFolding
    case headersTooLarge
    case tooManyHeaders
    case missingHost
    case duplicateHost
    case contentLengthWithTransferEncoding
    case duplicateContentLength
    case invalidContentLength
    case transferEncodingNotChunked
    case unknownTransferCoding
    case transferEncodingInHTTP10
    case invalidChunkSize
    case chunkSizeOverflow
    case chunkExtensionTooLong
    case invalidChunkTerminator
    case unsupportedExpectation
    case tooManyEmptyLines
    case bodyTooLarge

    /// The status the request is answered with.
    public var status: HTTPStatus {
        switch self {
        case .targetTooLong: return .uriTooLong
        case .headersTooLarge, .tooManyHeaders: return .requestHeaderFieldsTooLarge
        case .unknownTransferCoding: return .notImplemented
        case .unsupportedVersion: return .httpVersionNotSupported
        case .unsupportedExpectation: return .expectationFailed
        case .bodyTooLarge: return .contentTooLarge
        default: return .badRequest
        }
    }

    /// A stable snake_case code for clients and logs.
    public var code: String {
        switch self {
        case .invalidMethod: return "invalid_method"
        case .invalidRequestLine: return "invalid_request_line"
        case .invalidTarget: return "invalid_request_target"
        case .targetTooLong: return "request_target_too_long"
        case .invalidVersion: return "invalid_http_version"
        case .unsupportedVersion: return "http_version_not_supported"
        case .bareCR: return "bare_cr"
        case .bareLF: return "bare_lf"
        case .invalidHeaderName: return "invalid_header_name"
        case .invalidHeaderValue: return "invalid_header_value"
        case .whitespaceBeforeColon: return "whitespace_before_colon"
        case .obsoleteLineFolding: return "obsolete_line_folding"
        case .headersTooLarge: return "headers_too_large"
        case .tooManyHeaders: return "too_many_headers"
        case .missingHost: return "missing_host"
        case .duplicateHost: return "duplicate_host"
        case .contentLengthWithTransferEncoding: return "content_length_with_transfer_encoding"
        case .duplicateContentLength: return "duplicate_content_length"
        case .invalidContentLength: return "invalid_content_length"
        case .transferEncodingNotChunked: return "transfer_encoding_not_chunked"
        case .unknownTransferCoding: return "unknown_transfer_coding"
        case .transferEncodingInHTTP10: return "transfer_encoding_in_http10"
        case .invalidChunkSize: return "invalid_chunk_size"
        case .chunkSizeOverflow: return "chunk_size_overflow"
        case .chunkExtensionTooLong: return "chunk_extension_too_long"
        case .invalidChunkTerminator: return "invalid_chunk_terminator"
        case .unsupportedExpectation: return "unsupported_expectation"
        case .tooManyEmptyLines: return "too_many_empty_lines"
        case .bodyTooLarge: return "body_too_large"
        }
    }

    /// A sentence for a person: what was wrong and what to do instead.
    public var detail: String {
        switch self {
        case .invalidMethod: return "The method must be a token of letters, digits or !#$%&'*+-.^_`|~ (at most 32 characters)."
        case .invalidRequestLine: return "The request line must be METHOD SP request-target SP HTTP-version, single spaces, ending in CRLF."
        case .invalidTarget: return "The request target must be an absolute path (/v1/...), an absolute URI, or * for OPTIONS, in visible ASCII."
        case .targetTooLong: return "The request target is longer than the server accepts; shorten the query or send data in the body."
        case .invalidVersion: return "The HTTP version must be written HTTP/1.1 or HTTP/1.0."
        case .unsupportedVersion: return "Only HTTP/1.1 and HTTP/1.0 are served."
        case .bareCR: return "A CR must be followed by LF; a bare CR is not allowed in a request."
        case .bareLF: return "Lines must end in CRLF; a bare LF is not accepted."
        case .invalidHeaderName: return "A header field name must be a non-empty token followed directly by a colon."
        case .invalidHeaderValue: return "A header field value contains a control character."
        case .whitespaceBeforeColon: return "Whitespace between a header field name and its colon is not allowed."
        case .obsoleteLineFolding: return "Header values folded onto continuation lines (obs-fold) are not accepted; send each value on one line."
        case .headersTooLarge: return "The header block is larger than the server accepts."
        case .tooManyHeaders: return "The request has more header fields than the server accepts."
        case .missingHost: return "An HTTP/1.1 request must carry exactly one Host header field."
        case .duplicateHost: return "The request carries more than one Host header field."
        case .contentLengthWithTransferEncoding: return "A request must not carry both Content-Length and Transfer-Encoding."
        case .duplicateContentLength: return "The request carries Content-Length more than once."
        case .invalidContentLength: return "Content-Length must be one non-negative decimal number."
        case .transferEncodingNotChunked: return "Transfer-Encoding must end in chunked, with chunked applied once."
        case .unknownTransferCoding: return "Only the chunked transfer coding is implemented."
        case .transferEncodingInHTTP10: return "Transfer-Encoding is not defined for HTTP/1.0; send Content-Length."
        case .invalidChunkSize: return "A chunk size must be hexadecimal digits, optionally followed by extensions, ending in CRLF."
        case .chunkSizeOverflow: return "A chunk size is too large."
        case .chunkExtensionTooLong: return "A chunk-size line with its extensions is longer than the server accepts."
        case .invalidChunkTerminator: return "Chunk data must be followed by CRLF."
        case .unsupportedExpectation: return "Only Expect: 100-continue is supported."
        case .tooManyEmptyLines: return "Too many empty lines before the request line."
        case .bodyTooLarge: return "The request body is larger than this route accepts."
        }
    }
}
