/// Standard Webhooks signatures (spec v1.0.0): `webhook-signature: v1,<base64 HMAC-SHA256>`
/// over `{webhook-id}.{webhook-timestamp}.{body}` with the base64-decoded part of a `whsec_`
/// secret as the key.
///
/// Why both signing and verifying: Bahi signs every delivery, and the verifier is what a
/// receiver runs — our tests receive with it, and `docs/WEBHOOKS.md` mirrors it in Python and
/// Node. Pure functions: the secret, id, timestamp and body are the whole input.
public enum WebhookSignature {
    /// The `v1,…` signature of one delivery attempt under one secret; nil when the secret is
    /// not a `whsec_` secret (or bare base64) of a key.
    public static func sign(secret: String, id: String, timestamp: Int64, body: [UInt8]) -> String? {
        guard let key = WebhookSecret.key(secret) else { return nil }
        let content = Array("\(id).\(timestamp).".utf8) + body
        return "v1," + Base64.encode(Digest.hmacSHA256(key: key, message: content))
    }

    /// The header value under every secret that signs now (during a rotation the old and the
    /// new one, space-separated, so a receiver holding either accepts).
    public static func header(secrets: [String], id: String, timestamp: Int64, body: [UInt8]) -> String {
        secrets.compactMap { sign(secret: $0, id: id, timestamp: timestamp, body: body) }.joined(separator: " ")
    }

    /// Why a delivery was not accepted.
    public enum Rejection: Error, Equatable, Sendable {
        /// `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent.
        case missingHeader(String)
        /// The timestamp is not an integer.
        case invalidTimestamp
        /// The timestamp is further than the tolerance from now (replay, or a skewed clock).
        case timestampOutOfTolerance
        /// No `v1` entry matches.
        case noMatchingSignature
    }

    /// Nil (accepted) if any `v1` entry of `signatureHeader` matches under `secret` (in
    /// constant time) and the timestamp is within `toleranceSeconds` of `now` both ways (the
    /// reference libraries' 5 minutes); otherwise why not.
    public static func verify(
        secret: String, id: String?, timestamp: String?, signatureHeader: String?, body: [UInt8],
        now: Int64, toleranceSeconds: Int64 = 300
    ) -> Rejection? {
        guard let id else { return .missingHeader("webhook-id") }
        guard let timestamp else { return .missingHeader("webhook-timestamp") }
        guard let signatureHeader else { return .missingHeader("webhook-signature") }
        guard let seconds = Int64(timestamp) else { return .invalidTimestamp }
        guard seconds >= now - toleranceSeconds, seconds <= now + toleranceSeconds else { return .timestampOutOfTolerance }
        guard let expected = sign(secret: secret, id: id, timestamp: seconds, body: body) else { return .noMatchingSignature }
        let wanted = Array(expected.utf8)
        var matched = false
        for entry in signatureHeader.split(separator: " ") where entry.hasPrefix("v1,") {
            // Every entry is compared in full, so the time taken does not say which matched.
            if Digest.constantTimeEquals(Array(entry.utf8), wanted) { matched = true }
        }
        return matched ? nil : .noMatchingSignature
    }
}
