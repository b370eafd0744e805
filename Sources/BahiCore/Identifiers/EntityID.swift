import CCrypto
import Synchronization

/// Prefixed, time-sortable identifiers for what Bahi creates (DESIGN §2): a prefix such as
/// `ord_` and 26 Crockford base32 characters — 48 bits of Unix milliseconds then 80 random
/// bits from the system CSPRNG.
///
/// Sorting ids as strings sorts them by creation time (to the millisecond), which is what
/// cursors and humans scanning a log want; the random part makes them unguessable.
public enum EntityID {
    /// The prefixes DESIGN §2 assigns, plus `res_` for stock holds, `whd_` for webhook deliveries, `imp_` for CSV import
    /// batches (the reference on every movement an import made), `pck_` for pick lists and `man_` for courier manifests.
    public enum Kind: String, Sendable, CaseIterable {
        case order = "ord"
        case shipment = "shp"
        case payment = "pay"
        case refund = "rfd"
        case returnAuthorization = "rma"
        case invoice = "inv"
        case event = "evt"
        case webhook = "whk"
        case webhookDelivery = "whd"
        case apiKey = "key"
        case reservation = "res"
        case importBatch = "imp"
        case picklist = "pck"
        case mismatch = "mis"
        case ndr = "ndr"
        case manifest = "man"
    }

    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A new id of `kind` for the time `milliseconds` (default: now).
    public static func make(_ kind: Kind, milliseconds: UInt64 = WallClock.milliseconds()) -> String {
        var generator = CryptoRandom()
        return make(kind, milliseconds: milliseconds, using: &generator)
    }

    /// The same with an injected random source (tests).
    public static func make(_ kind: Kind, milliseconds: UInt64, using generator: inout some RandomNumberGenerator) -> String {
        var out = Array(kind.rawValue.utf8)
        out.append(0x5F)
        // 10 characters carry 50 bits; the top two are zero for any 48-bit time.
        var t = milliseconds & 0xFFFF_FFFF_FFFF
        var timeChars = [UInt8](repeating: 0, count: 10)
        for i in stride(from: 9, through: 0, by: -1) {
            timeChars[i] = alphabet[Int(t & 31)]
            t >>= 5
        }
        out.append(contentsOf: timeChars)
        // 16 characters carry the 80 random bits.
        var high = generator.next() as UInt64
        var low = UInt64(generator.next() as UInt16)
        for _ in 0..<12 {
            out.append(alphabet[Int(high & 31)])
            high >>= 5
        }
        for _ in 0..<4 {
            out.append(alphabet[Int(low & 31)])
            low >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// True if `id` is a well-formed id of `kind` (used to answer 404 rather than querying
    /// with garbage).
    public static func isValid(_ id: String, kind: Kind) -> Bool {
        let bytes = Array(id.utf8)
        let prefix = Array(kind.rawValue.utf8) + [0x5F]
        guard bytes.count == prefix.count + 26, Array(bytes.prefix(prefix.count)) == prefix else { return false }
        return bytes.dropFirst(prefix.count).allSatisfy { alphabet.contains($0) }
    }

    /// The creation time encoded in a valid id, in Unix milliseconds.
    public static func milliseconds(of id: String) -> UInt64? {
        guard let underscore = id.utf8.firstIndex(of: 0x5F) else { return nil }
        let chars = Array(id.utf8[id.utf8.index(after: underscore)...].prefix(10))
        guard chars.count == 10 else { return nil }
        var value: UInt64 = 0
        for c in chars {
            guard let digit = alphabet.firstIndex(of: c) else { return nil }
            value = value << 5 | UInt64(digit)
        }
        return value
    }
}

/// OpenSSL's CSPRNG (a DRBG seeded from the OS): unguessable like `getrandom`, without a
/// system call per id — ids are made on the writer thread, where every microsecond counts.
///
/// Draws from `RandomPool`, which asks OpenSSL for 4 KiB at a time: a `RAND_bytes` call
/// costs about a microsecond of fixed overhead (parameter lookup, locking), which was 5 % of
/// the writer thread's time when paid twice per id.
struct CryptoRandom: RandomNumberGenerator {
    mutating func next() -> UInt64 {
        RandomPool.shared.next()
    }
}

/// A buffer of CSPRNG output shared by all threads, refilled from OpenSSL's DRBG when empty.
///
/// Serving ids from a buffer is as unpredictable as calling the DRBG each time: every byte is
/// DRBG output and each is handed out once (the index only moves forward under the lock).
final class RandomPool: Sendable {
    static let shared = RandomPool()
    static let size = 4096

    private struct Buffer {
        var bytes = [UInt8](repeating: 0, count: RandomPool.size)
        var used = RandomPool.size
    }

    private let buffer = Mutex(Buffer())

    func next() -> UInt64 {
        let drawn: UInt64? = buffer.withLock { buffer in
            if buffer.used + 8 > buffer.bytes.count {
                let ok = buffer.bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
                guard ok == 1 else { return nil }
                buffer.used = 0
            }
            var value: UInt64 = 0
            for offset in 0..<8 { value = value << 8 | UInt64(buffer.bytes[buffer.used + offset]) }
            // Overwritten so a later memory disclosure cannot reveal ids already issued.
            for offset in 0..<8 { buffer.bytes[buffer.used + offset] = 0 }
            buffer.used += 8
            return value
        }
        if let drawn { return drawn }
        var fallback = SystemRandomNumberGenerator()
        return fallback.next()
    }
}
