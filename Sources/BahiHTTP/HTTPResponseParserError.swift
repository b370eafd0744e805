/// Why a response could not be parsed: the framing rule the server broke. Every case ends
/// the exchange and the connection: once a response's framing is in doubt, nothing after it
/// on the same connection can be trusted (response splitting, desynchronised pools).
public enum HTTPResponseParserError: Error, Equatable, Sendable {
    case invalidStatusLine
    case unsupportedVersion
    case invalidStatusCode
    /// A `101 Switching Protocols` to a request that asked for no upgrade.
    case unexpectedSwitchingProtocols
    case tooManyInformationalResponses
    case bareCR
    case bareLF
    case invalidHeaderName
    case invalidHeaderValue
    case whitespaceBeforeColon
    case obsoleteLineFolding
    case headersTooLarge
    case tooManyHeaders
    /// Content-Length sent more than once with the same value.
    case duplicateContentLength
    /// Content-Length sent more than once with different values.
    case conflictingContentLength
    case invalidContentLength
    case contentLengthWithTransferEncoding
    case transferEncodingInHTTP10
    /// A Transfer-Encoding other than one final `chunked` (the client asks for no coding).
    case unsupportedTransferCoding
    case invalidChunkSize
    case chunkSizeOverflow
    case chunkExtensionTooLong
    case invalidChunkTerminator
    case bodyTooLarge
    /// The connection ended before the message did.
    case incompleteMessage

    /// The line-grammar errors the request and response parsers share (`HTTPSyntax`).
    init(syntax error: HTTPParserError) {
        switch error {
        case .bareCR: self = .bareCR
        case .bareLF: self = .bareLF
        case .invalidHeaderName: self = .invalidHeaderName
        case .whitespaceBeforeColon: self = .whitespaceBeforeColon
        case .obsoleteLineFolding: self = .obsoleteLineFolding
        case .invalidChunkSize: self = .invalidChunkSize
        case .chunkSizeOverflow: self = .chunkSizeOverflow
        default: self = .invalidHeaderValue
        }
    }

    /// A stable snake_case code for logs and delivery records.
    public var code: String {
        switch self {
        case .invalidStatusLine: return "invalid_status_line"
        case .unsupportedVersion: return "http_version_not_supported"
        case .invalidStatusCode: return "invalid_status_code"
        case .unexpectedSwitchingProtocols: return "unexpected_switching_protocols"
        case .tooManyInformationalResponses: return "too_many_informational_responses"
        case .bareCR: return "bare_cr"
        case .bareLF: return "bare_lf"
        case .invalidHeaderName: return "invalid_header_name"
        case .invalidHeaderValue: return "invalid_header_value"
        case .whitespaceBeforeColon: return "whitespace_before_colon"
        case .obsoleteLineFolding: return "obsolete_line_folding"
        case .headersTooLarge: return "headers_too_large"
        case .tooManyHeaders: return "too_many_headers"
        case .duplicateContentLength: return "duplicate_content_length"
        case .conflictingContentLength: return "conflicting_content_length"
        case .invalidContentLength: return "invalid_content_length"
        case .contentLengthWithTransferEncoding: return "content_length_with_transfer_encoding"
        case .transferEncodingInHTTP10: return "transfer_encoding_in_http10"
        case .unsupportedTransferCoding: return "unsupported_transfer_coding"
        case .invalidChunkSize: return "invalid_chunk_size"
        case .chunkSizeOverflow: return "chunk_size_overflow"
        case .chunkExtensionTooLong: return "chunk_extension_too_long"
        case .invalidChunkTerminator: return "invalid_chunk_terminator"
        case .bodyTooLarge: return "body_too_large"
        case .incompleteMessage: return "incomplete_message"
        }
    }
}
