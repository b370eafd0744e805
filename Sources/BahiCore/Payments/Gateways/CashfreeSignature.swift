/// Cashfree's webhook signature: `x-webhook-signature` = base64 of HMAC-SHA256, keyed with the
/// PG secret key, over the `x-webhook-timestamp` text followed directly by the raw body.
///
/// Why over raw bytes and first: Cashfree's amounts are decimals (`2.00`), which a JSON
/// round-trip rewrites (`2.0`, `2`), changing the signature — the body must be verified as
/// received, before anything parses it. The timestamp is signed too, so refusing old ones
/// bounds how long a captured delivery can be replayed.
public enum CashfreeSignature {
    /// The default tolerance between the signed timestamp and now, either way: five minutes,
    /// as for Standard Webhooks, wide enough for honest clock skew and retries in flight.
    public static let defaultToleranceMilliseconds: Int64 = 5 * 60 * 1000

    /// The signature Cashfree sends for `body` at `timestamp` (the header's text) under `secret`.
    public static func signature(secret: String, timestamp: String, body: [UInt8]) -> String {
        Base64.encode(digest(secret: secret, timestamp: timestamp, body: body))
    }

    /// Nil (genuine and fresh) when `timestamp` is 13 digits of epoch milliseconds within
    /// `toleranceMilliseconds` of `nowMilliseconds` both ways, and `signature` is the base64
    /// HMAC of it and the raw `body` under any of `secrets`; otherwise why not.
    public static func verify(
        body: [UInt8], signature: String?, timestamp: String?, secrets: [String],
        nowMilliseconds: Int64, toleranceMilliseconds: Int64 = defaultToleranceMilliseconds
    ) -> GatewaySignatureRejection? {
        guard let signature, !signature.isEmpty else { return .missingSignature }
        guard let timestamp else { return .missingTimestamp }
        let digits = Array(timestamp.utf8)
        guard digits.count == 13, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let sent = Int64(timestamp) else { return .invalidTimestamp }
        guard sent >= nowMilliseconds - toleranceMilliseconds, sent <= nowMilliseconds + toleranceMilliseconds else {
            return .timestampOutOfTolerance
        }
        guard let given = Base64.decode(signature), given.count == 32 else { return .malformedSignature }
        return GatewaySignatureRejection.check(given, secrets: secrets) { secret in
            digest(secret: secret, timestamp: timestamp, body: body)
        }
    }

    private static func digest(secret: String, timestamp: String, body: [UInt8]) -> [UInt8] {
        Digest.hmacSHA256(key: Array(secret.utf8), message: Array(timestamp.utf8) + body)
    }
}
