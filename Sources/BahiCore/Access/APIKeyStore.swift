public import BahiStore

/// One API key as listed (never with its secret).
public struct APIKeyRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var role: Role
    public var channel: String?
    public var secretHint: String
    public var createdAt: Int64
    public var lastUsedAt: Int64?
    public var revokedAt: Int64?
}

/// Why a key could not be created or revoked.
public enum APIKeyError: Error, Equatable, CustomStringConvertible {
    case channelRequired
    case channelNotAllowed(Role)
    case emptyName
    case notFound(String)
    case alreadyRevoked(String)

    public var description: String {
        switch self {
        case .channelRequired: return "a storefront key must be bound to a channel: add --channel CODE"
        case .channelNotAllowed(let role): return "only storefront keys take a channel, not \(role.rawValue) keys"
        case .emptyName: return "a key needs a --name saying who or what uses it"
        case .notFound(let id): return "no API key \(id)"
        case .alreadyRevoked(let id): return "API key \(id) is already revoked"
        }
    }
}

/// Where the database looks up keys for the authenticator.
public protocol KeyDirectory: Sendable {
    /// The active (not revoked) key whose secret hashes to `hash`, or nil.
    func principal(forSecretHash hash: [UInt8]) async throws -> Principal?
    /// Records that the key was used (the authenticator calls it at most once a minute per key).
    func touch(keyID: String, at milliseconds: UInt64) async throws
}

/// API keys in SQLite: created with a secret shown once, stored as SHA-256, revoked by id.
/// Creating and revoking append `key.created` / `key.revoked` events.
public struct APIKeyStore: KeyDirectory {
    public let store: SQLiteStore

    public init(store: SQLiteStore) { self.store = store }

    /// Creates a key and returns its record and secret (the only time the secret exists
    /// outside the caller's hands).
    public func create(name: String, role: Role, channel: String?, actor: String) async throws -> (record: APIKeyRecord, secret: String) {
        let trimmed = name.trimmingSpaces
        guard !trimmed.isEmpty else { throw APIKeyError.emptyName }
        if role == .storefront, (channel ?? "").isEmpty { throw APIKeyError.channelRequired }
        if role != .storefront, channel != nil { throw APIKeyError.channelNotAllowed(role) }
        let secret = APIKeySecret.generate()
        let now = Int64(WallClock.milliseconds())
        let record = APIKeyRecord(id: EntityID.make(.apiKey), name: trimmed, role: role, channel: channel,
                                  secretHint: APIKeySecret.hint(secret), createdAt: now, lastUsedAt: nil, revokedAt: nil)
        let hash = APIKeySecret.hash(secret)
        try await store.write { db in
            try db.execute(
                "INSERT INTO api_keys (id, name, role, channel, secret_hash, secret_hint, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [record.id, record.name, record.role.rawValue, record.channel, hash, record.secretHint, record.createdAt])
            try EventLog.append(db, type: "key.created", entityType: "api_key", entityID: record.id,
                                payload: ["name": .string(record.name), "role": .string(role.rawValue)], actor: actor)
        }
        return (record, secret)
    }

    /// Every key, newest first.
    public func list() async throws -> [APIKeyRecord] {
        try await store.read { db in
            try db.query("SELECT id, name, role, channel, secret_hint, created_at, last_used_at, revoked_at FROM api_keys ORDER BY id DESC") { row in
                APIKeyRecord(id: try row[0], name: try row[1], role: Role(rawValue: try row[2]) ?? .support, channel: try row[3],
                             secretHint: try row[4], createdAt: try row[5], lastUsedAt: try row[6], revokedAt: try row[7])
            }
        }
    }

    /// Revokes a key; later requests with it get 401 (within the authenticator's cache TTL).
    public func revoke(id: String, actor: String) async throws {
        try await store.write { db in
            let revokedAt: Int64?? = try db.queryFirst("SELECT revoked_at FROM api_keys WHERE id = ?", [id]) { row in try row[0] as Int64? }
            guard let state = revokedAt else { throw APIKeyError.notFound(id) }
            guard state == nil else { throw APIKeyError.alreadyRevoked(id) }
            try db.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ?", [Int64(WallClock.milliseconds()), id])
            try EventLog.append(db, type: "key.revoked", entityType: "api_key", entityID: id, payload: [:], actor: actor)
        }
    }

    /// True if an active admin key exists (the first start creates one if not).
    public func hasActiveAdmin() async throws -> Bool {
        try await store.read { db in
            try db.queryValue("SELECT EXISTS (SELECT 1 FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL)", as: Bool.self) ?? false
        }
    }

    public func principal(forSecretHash hash: [UInt8]) async throws -> Principal? {
        try await store.read { db in
            try db.queryFirst("SELECT id, role, channel FROM api_keys WHERE secret_hash = ? AND revoked_at IS NULL", [hash]) { row in
                Principal(keyID: try row[0], role: Role(rawValue: try row[1]) ?? .support, channel: try row[2])
            }
        }
    }

    public func touch(keyID: String, at milliseconds: UInt64) async throws {
        try await store.write { db in
            _ = try db.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", [Int64(milliseconds), keyID])
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
