/// An endpoint's signing secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks:
/// "at least 24 bytes", serialised base64 with the `whsec_` prefix). Shown once, at
/// creation and at rotation.
public enum WebhookSecret {
    public static let prefix = "whsec_"

    /// A new secret from OpenSSL's CSPRNG.
    public static func generate() -> String {
        prefix + Base64.encode(SecureRandom.bytes(32))
    }

    /// The HMAC key: the base64-decoded part after `whsec_` (the prefix is optional, as in the
    /// reference libraries); nil unless it decodes to 24–64 bytes.
    public static func key(_ secret: String) -> [UInt8]? {
        let encoded = secret.hasPrefix(prefix) ? String(secret.dropFirst(prefix.count)) : secret
        guard let key = Base64.decode(encoded), (24...64).contains(key.count) else { return nil }
        return key
    }
}
