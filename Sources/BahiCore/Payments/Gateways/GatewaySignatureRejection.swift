/// Why a payment gateway's callback was not accepted as genuine.
///
/// Why one type for every gateway: the edge answers each the same way (401, and nothing is
/// parsed or stored), and the cases name what was wrong so the log can say whether a header
/// went missing, a clock drifted or a secret is out of date.
public enum GatewaySignatureRejection: Error, Equatable, Sendable {
    /// No secret (or only empty ones) to verify with: a configuration fault, never a pass.
    case noSecretConfigured
    /// The signature header or field is absent or empty.
    case missingSignature
    /// The signature is not the encoding the gateway uses (hex, base64) of a digest.
    case malformedSignature
    /// The timestamp header is absent.
    case missingTimestamp
    /// The timestamp is not the gateway's form (Cashfree: 13 digits of epoch milliseconds).
    case invalidTimestamp
    /// The timestamp is further than the tolerance from now either way (a replay, or a skewed clock).
    case timestampOutOfTolerance
    /// The callback names another merchant account than ours (PayU's posted `key`).
    case merchantKeyMismatch
    /// Well formed, but no configured secret produces it: forged, altered, or signed with a
    /// secret we no longer hold.
    case noMatchingSignature

    /// Nil when `given` equals the digest `expected` makes under any of `secrets`, else why not.
    ///
    /// Every secret is tried and compared in full in constant time, so the time taken says
    /// neither how much of the signature was right nor which secret matched. Several secrets
    /// are the rotation window: retries of events signed before a change carry the old secret's
    /// signature (Razorpay says so), so both are held until the old one's events have drained.
    static func check(_ given: [UInt8], secrets: [String], expected: (String) -> [UInt8]) -> GatewaySignatureRejection? {
        let usable = secrets.filter { !$0.isEmpty }
        guard !usable.isEmpty else { return .noSecretConfigured }
        var matched = false
        for secret in usable where Digest.constantTimeEquals(expected(secret), given) {
            matched = true
        }
        return matched ? nil : .noMatchingSignature
    }
}
