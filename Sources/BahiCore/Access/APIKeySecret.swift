import CCrypto

/// The secret half of an API key: `bahi_` + 43 base64url characters of 32 bytes from
/// OpenSSL's CSPRNG. Only its SHA-256 is ever stored; the secret is shown once, at creation.
public enum APIKeySecret {
    public static let prefix = "bahi_"

    /// A new secret.
    public static func generate() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, 32) }
        if ok != 1 {
            // RAND_bytes failing means the OS CSPRNG is unavailable; fall back to Swift's
            // SystemRandomNumberGenerator, which also reads the OS CSPRNG (getrandom).
            var generator = SystemRandomNumberGenerator()
            for i in 0..<32 { bytes[i] = generator.next() }
        }
        return prefix + base64URL(bytes)
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
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
