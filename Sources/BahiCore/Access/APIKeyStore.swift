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
    /// The key's own rate limit (`bahi keys create --rate-limit`); nil follows its role's.
    public var rateLimit: RateLimit?
}

/// Why a key could not be created or revoked.
public enum APIKeyError: Error, Equatable, CustomStringConvertible {
    case channelRequired
    case channelNotAllowed(Role)
    case emptyName
    case notFound(String)
    case alreadyRevoked(String)
    case invalidRateLimit(String)

    public var description: String {
        switch self {
        case .channelRequired: return "a storefront key must be bound to a channel: add --channel CODE"
        case .channelNotAllowed(let role): return "only storefront keys take a channel, not \(role.rawValue) keys"
        case .emptyName: return "a key needs a --name saying who or what uses it"
        case .notFound(let id): return "no API key \(id)"
        case .alreadyRevoked(let id): return "API key \(id) is already revoked"
        case .invalidRateLimit(let why): return "--rate-limit: \(why)"
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

/// API keys in the store: created with a secret shown once, stored as SHA-256, revoked by id.
/// Creating and revoking append `key.created` / `key.revoked` events.
public struct APIKeyStore: KeyDirectory {
    /// The store the keys live in (any engine).
    public let store: any DataStore

    /// Keys kept in `store`.
    public init(store: any DataStore) { self.store = store }

    /// Creates a key and returns its record and secret (the only time the secret exists
    /// outside the caller's hands). `rateLimit` gives the key a limit of its own instead of
    /// its role's (a storefront that needs more, a script that should have less).
    public func create(
        name: String, role: Role, channel: String?, rateLimit: RateLimit? = nil, actor: String
    ) async throws -> (record: APIKeyRecord, secret: String) {
        let trimmed = name.trimmingSpaces
        guard !trimmed.isEmpty else { throw APIKeyError.emptyName }
        if role == .storefront, (channel ?? "").isEmpty { throw APIKeyError.channelRequired }
        if role != .storefront, channel != nil { throw APIKeyError.channelNotAllowed(role) }
        if let problem = rateLimit?.problem { throw APIKeyError.invalidRateLimit(problem) }
        let secret = APIKeySecret.generate()
        let now = Int64(WallClock.milliseconds())
        let record = APIKeyRecord(id: EntityID.make(.apiKey), name: trimmed, role: role, channel: channel,
                                  secretHint: APIKeySecret.hint(secret), createdAt: now, lastUsedAt: nil, revokedAt: nil,
                                  rateLimit: rateLimit)
        let hash = APIKeySecret.hash(secret)
        try await store.write { db in
            try AccessRecords.insert(db, record, secretHash: hash)
            try EventLog.append(db, NewEvent(SystemEvents.keyCreated, entityID: record.id,
                                             payload: ["name": .string(record.name), "role": .string(role.rawValue)]),
                                actor: actor, at: now)
        }
        return (record, secret)
    }

    /// Every key, newest first.
    public func list() async throws -> [APIKeyRecord] {
        try await store.read { db in try AccessRecords.all(db) }
    }

    /// Revokes a key; later requests with it get 401 (within the authenticator's cache TTL).
    /// One conditional update decides, so two revocations racing cannot both succeed.
    public func revoke(id: String, actor: String) async throws {
        try await store.write { db in
            let now = Int64(WallClock.milliseconds())
            guard try AccessRecords.revoke(db, id: id, at: now) else {
                throw try AccessRecords.exists(db, id: id) ? APIKeyError.alreadyRevoked(id) : APIKeyError.notFound(id)
            }
            try EventLog.append(db, NewEvent(SystemEvents.keyRevoked, entityID: id, payload: [:]), actor: actor, at: now)
        }
    }

    /// True if an active admin key exists (the first start creates one if not).
    public func hasActiveAdmin() async throws -> Bool {
        try await store.read { db in try AccessRecords.hasActive(db, role: .admin) }
    }

    /// The active key whose secret hashes to `hash`, as the principal it authenticates.
    public func principal(forSecretHash hash: [UInt8]) async throws -> Principal? {
        try await store.read { db in try AccessRecords.activePrincipal(db, secretHash: hash) }
    }

    /// Records that the key was used.
    public func touch(keyID: String, at milliseconds: UInt64) async throws {
        try await store.write { db in try AccessRecords.touch(db, id: keyID, at: Int64(milliseconds)) }
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
