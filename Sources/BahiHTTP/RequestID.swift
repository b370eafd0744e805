/// Request ids: 26 Crockford base32 characters (48 bits of milliseconds, 80 random bits),
/// time-sortable like Bahi's entity ids, prefixed `req_`.
///
/// Each connection owns a generator seeded once from the system CSPRNG; ids are for
/// correlation, not secrets, so a fast PRNG (wyrand) per connection avoids a `getrandom`
/// system call per request.
public struct RequestIDGenerator: Sendable {
    private var state: UInt64

    public init(seed: UInt64 = UInt64.random(in: .min ... .max)) {
        state = seed
    }

    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// The next id for a request received at `millisecondsSinceEpoch`.
    public mutating func next(millisecondsSinceEpoch ms: UInt64) -> String {
        let high = nextRandom(), low = nextRandom()
        var out = [UInt8](repeating: 0, count: 30)
        out[0] = 0x72; out[1] = 0x65; out[2] = 0x71; out[3] = 0x5F  // "req_"
        // 10 characters of time (50 bits, top 2 zero), 16 of randomness (80 bits).
        var t = ms & 0xFFFF_FFFF_FFFF
        for i in stride(from: 13, through: 4, by: -1) {
            out[i] = Self.alphabet[Int(t & 31)]
            t >>= 5
        }
        var r = high
        for i in 14..<26 {
            out[i] = Self.alphabet[Int(r & 31)]
            r >>= 5
        }
        r = low
        for i in 26..<30 {
            out[i] = Self.alphabet[Int(r & 31)]
            r >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func nextRandom() -> UInt64 {
        state &+= 0xA076_1D64_78BD_642F
        let product = state.multipliedFullWidth(by: state ^ 0xE703_7ED1_A0B4_28DB)
        return product.high ^ product.low
    }

    /// A client-supplied `X-Request-Id` is echoed only if it is 1–128 characters of
    /// `A–Z a–z 0–9 - _ . : / + =`, so it can never inject into logs or headers.
    public static func isSane(_ id: String) -> Bool {
        let bytes = id.utf8
        guard !bytes.isEmpty, bytes.count <= 128 else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x2D || b == 0x5F || b == 0x2E || b == 0x3A || b == 0x2F || b == 0x2B || b == 0x3D
        }
    }
}
