import BahiStore

/// Every SQL statement on the `idempotency_keys` table, and the one mapping of its rows to
/// `StoredResponse`.
enum IdempotencyRecords {
    /// The columns `storedResponse(_:)` reads.
    static let responseColumns = "request_hash, status, response_headers, response_body"

    /// A `StoredResponse` from a row selected with `responseColumns`.
    static func storedResponse(_ row: Row) throws -> StoredResponse {
        let headersJSON: String = try row["response_headers"]
        return StoredResponse(requestHash: try row["request_hash"], status: try row["status"],
                              headers: IdempotencyStore.decodeHeaders(headersJSON), body: try row["response_body"])
    }

    /// The record for (owner, key) that expires after `now`, if any.
    static func unexpired(_ db: any Database, owner: String, key: String, now: Int64) throws -> StoredResponse? {
        try db.queryFirst(
            "SELECT \(responseColumns) FROM idempotency_keys WHERE owner = ?1 AND key = ?2 AND expires_at > ?3",
            [owner, key, now], storedResponse)
    }

    /// Inserts the record, or replaces one for the same key only if that one has expired (a
    /// live record is never overwritten: the first response stays the answer).
    static func save(
        _ db: any Database, owner: String, key: String, response: StoredResponse, headersJSON: String, now: Int64, expiresAt: Int64
    ) throws {
        try db.execute(
            """
            INSERT INTO idempotency_keys (owner, key, request_hash, status, response_headers, response_body, created_at, expires_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            ON CONFLICT (owner, key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status,
                response_headers = excluded.response_headers, response_body = excluded.response_body,
                created_at = excluded.created_at, expires_at = excluded.expires_at
            WHERE idempotency_keys.expires_at <= excluded.created_at
            """,
            [owner, key, response.requestHash, response.status, headersJSON, response.body, now, expiresAt])
    }

    /// Deletes every record expired at `now`; returns how many.
    static func deleteExpired(_ db: any Database, now: Int64) throws -> Int {
        try db.execute("DELETE FROM idempotency_keys WHERE expires_at <= ?1", [now])
    }
}
