public import BahiStore
import BahiJSON

/// A stored response for an Idempotency-Key.
public struct StoredResponse: Sendable, Equatable {
    public var requestHash: [UInt8]
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(requestHash: [UInt8], status: Int, headers: [(String, String)], body: [UInt8]) {
        self.requestHash = requestHash
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: StoredResponse, rhs: StoredResponse) -> Bool {
        lhs.requestHash == rhs.requestHash && lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.map { $0.0 + ":" + $0.1 } == rhs.headers.map { $0.0 + ":" + $0.1 }
    }
}

/// The `idempotency_keys` table: (key owner, client key) → request hash and response.
/// Rows are written in the transaction of the effect they guard and expire after the
/// configured retention.
public enum IdempotencyStore {
    /// The unexpired record for (owner, key), if any.
    public static func lookup(_ db: any Database, owner: String, key: String, now: Int64) throws -> StoredResponse? {
        try IdempotencyRecords.unexpired(db, owner: owner, key: key, now: now)
    }

    /// Records a response (replacing an expired record for the same key).
    public static func save(_ db: any Database, owner: String, key: String, response: StoredResponse, now: Int64, retentionMilliseconds: Int64) throws {
        try IdempotencyRecords.save(db, owner: owner, key: key, response: response, headersJSON: encodeHeaders(response.headers),
                                    now: now, expiresAt: now + retentionMilliseconds)
    }

    /// Deletes expired records; returns how many.
    @discardableResult
    public static func purgeExpired(_ db: any Database, now: Int64) throws -> Int {
        try IdempotencyRecords.deleteExpired(db, now: now)
    }

    static func encodeHeaders(_ headers: [(String, String)]) -> String {
        var out: [UInt8] = [0x5B]
        for (i, (name, value)) in headers.enumerated() {
            if i > 0 { out.append(0x2C) }
            out.append(0x5B)
            out += quoted(name)
            out.append(0x2C)
            out += quoted(value)
            out.append(0x5D)
        }
        out.append(0x5D)
        return String(decoding: out, as: UTF8.self)
    }

    private static func quoted(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.appendQuoted(s, to: &out)
        return out
    }

    static func decodeHeaders(_ text: String) -> [(String, String)] {
        guard case .array(let pairs)? = try? JSONParser.parse(text) else { return [] }
        return pairs.compactMap { pair in
            guard case .array(let parts) = pair, parts.count == 2, case .string(let n) = parts[0], case .string(let v) = parts[1] else { return nil }
            return (n, v)
        }
    }
}
