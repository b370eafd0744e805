/// Why a genuine (signature-checked) gateway payload could not be decoded: the field's path,
/// what was expected there and what was found.
///
/// Why so specific: the API answers 422 naming the field, and when a gateway changes its
/// payload the log says exactly where, instead of "invalid payload".
public struct GatewayPayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where, as a dotted path from the document's root (`payload.payment.entity.amount`), a
    /// form field's name, or `$` for the document itself.
    public var path: String
    /// What belongs there (`an integer amount in paise`, `one of captured, failed`).
    public var expected: String
    /// What was there (`nothing`, `a string`, `"weird"`, a parse error).
    public var found: String

    /// An error at `path`.
    public init(path: String, expected: String, found: String) {
        self.path = path
        self.expected = expected
        self.found = found
    }

    /// `payload.payment.entity.amount: expected an integer amount in paise, found a string`.
    public var description: String { "\(path): expected \(expected), found \(found)" }
}
