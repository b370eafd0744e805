/// The secret half of an API key: `bahi_` + 43 base64url characters of 32 bytes from
/// OpenSSL's CSPRNG. Only its SHA-256 is ever stored; the secret is shown once, at creation.
public enum APIKeySecret {
    public static let prefix = "bahi_"

    /// A new secret.
    public static func generate() -> String {
        prefix + base64URL(SecureRandom.bytes(32))
    }

    /// The stored form: SHA-256 of the whole secret string.
    public static func hash(_ secret: String) -> [UInt8] {
        Digest.sha256(Array(secret.utf8))
    }

    /// True if `text` has the shape of a secret (so garbage is refused without a lookup).
    public static func isWellFormed(_ text: String) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let body = text.utf8.dropFirst(prefix.utf8.count)
        return body.count == 43 && body.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
        }
    }

    /// The last four characters, stored to help a person tell keys apart.
    public static func hint(_ secret: String) -> String {
        prefix + "…" + String(secret.suffix(4))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Base64.encodeURL(bytes)
    }
}
