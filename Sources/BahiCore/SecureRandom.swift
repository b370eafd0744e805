import CCrypto

/// Secret bytes for keys and webhook secrets, from OpenSSL's CSPRNG.
///
/// Why one place: every secret Bahi hands out must come from the OS CSPRNG, and the fallback
/// (when `RAND_bytes` fails, the CSPRNG is unavailable) must be the same everywhere.
enum SecureRandom {
    /// `count` random bytes.
    static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        if ok != 1 {
            // Swift's SystemRandomNumberGenerator also reads the OS CSPRNG (getrandom).
            var generator = SystemRandomNumberGenerator()
            for i in 0..<count { bytes[i] = generator.next() }
        }
        return bytes
    }
}
