import BahiStore

/// Every SQL statement on the `api_keys` table, and the one mapping of its rows to
/// `APIKeyRecord` (and of the authenticator's narrower read to `Principal`).
enum AccessRecords {
    /// The columns `keyRecord(_:)` reads.
    static let keyColumns = "id, name, role, channel, secret_hint, created_at, last_used_at, revoked_at, rate_limit_per_second, rate_limit_burst"

    /// An `APIKeyRecord` from a row selected with `keyColumns`.
    static func keyRecord(_ row: Row) throws -> APIKeyRecord {
        APIKeyRecord(id: try row["id"], name: try row["name"], role: try role(row), channel: try row["channel"],
                     secretHint: try row["secret_hint"], createdAt: try row["created_at"],
                     lastUsedAt: try row["last_used_at"], revokedAt: try row["revoked_at"], rateLimit: try rateLimit(row))
    }

    /// The columns `principal(_:)` reads.
    static let principalColumns = "id, role, channel, rate_limit_per_second, rate_limit_burst"

    /// The `Principal` a key authenticates, from a row selected with `principalColumns`.
    static func principal(_ row: Row) throws -> Principal {
        Principal(keyID: try row["id"], role: try role(row), channel: try row["channel"], rateLimit: try rateLimit(row))
    }

    /// The key's own limit, when it has one (both columns are set together).
    private static func rateLimit(_ row: Row) throws -> RateLimit? {
        let rate: Int64? = try row["rate_limit_per_second"]
        let burst: Int64? = try row["rate_limit_burst"]
        guard let rate, let burst else { return nil }
        return RateLimit(requestsPerSecond: Int(rate), burst: Int(burst))
    }

    /// The row's role. The schema's CHECK admits only known roles, so an unknown one is a
    /// corrupt file: the key then has the least power there is rather than failing every
    /// request it makes.
    private static func role(_ row: Row) throws -> Role {
        Role(rawValue: try row["role"]) ?? .support
    }

    /// Stores a new key (only the secret's hash).
    static func insert(_ db: any Database, _ key: APIKeyRecord, secretHash: [UInt8]) throws {
        try db.execute(
            """
            INSERT INTO api_keys (id, name, role, channel, secret_hash, secret_hint, created_at, rate_limit_per_second, rate_limit_burst)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            """,
            [key.id, key.name, key.role.rawValue, key.channel, secretHash, key.secretHint, key.createdAt,
             key.rateLimit.map { Int64($0.requestsPerSecond) }, key.rateLimit.map { Int64($0.burst) }])
    }

    /// Every key, newest first.
    static func all(_ db: any Database) throws -> [APIKeyRecord] {
        try db.query("SELECT \(keyColumns) FROM api_keys ORDER BY id DESC", keyRecord)
    }

    /// Marks the key revoked at `at` if it is not already; returns whether it changed.
    static func revoke(_ db: any Database, id: String, at: Int64) throws -> Bool {
        try db.execute("UPDATE api_keys SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL", [at, id]) == 1
    }

    /// Whether a key with this id exists (revoked or not).
    static func exists(_ db: any Database, id: String) throws -> Bool {
        try db.queryFirst("SELECT COUNT(*) AS n FROM api_keys WHERE id = ?1", [id]) { row -> Int64 in try row["n"] } == 1
    }

    /// Whether any key of `role` is not revoked.
    static func hasActive(_ db: any Database, role: Role) throws -> Bool {
        try db.queryFirst(
            "SELECT EXISTS (SELECT 1 FROM api_keys WHERE role = ?1 AND revoked_at IS NULL) AS found", [role.rawValue]
        ) { row -> Bool in try row["found"] } ?? false
    }

    /// The principal of the unrevoked key whose secret hashes to `hash`, or nil.
    static func activePrincipal(_ db: any Database, secretHash hash: [UInt8]) throws -> Principal? {
        try db.queryFirst("SELECT \(principalColumns) FROM api_keys WHERE secret_hash = ?1 AND revoked_at IS NULL", [hash], principal)
    }

    /// Records when the key was last used.
    static func touch(_ db: any Database, id: String, at: Int64) throws {
        try db.execute("UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2", [at, id])
    }
}
