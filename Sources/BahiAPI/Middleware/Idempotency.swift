import BahiCore
import BahiHTTP
import BahiStore

/// Idempotency-Key handling for `API.mutation` (DESIGN §2).
///
/// Only successful (2xx) responses are stored: an error means the effect was rolled back,
/// so running the request again is safe and may succeed (stock may have arrived). The
/// record is written in the same transaction as the effect, so a replay exists exactly when
/// the effect committed.
enum Idempotency {
    /// `rerunnable`: the effect uses only the connection (a `StagedEffect`), so the whole
    /// write — lookup, effect, record — may run more than once (`DataStore.write(rerunnable:_:)`).
    static func perform(
        key: String, context: RequestContext, rerunnable: Bool = false, prepare: @Sendable (RequestContext) async throws -> Effect
    ) async throws -> HTTPResponse {
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPError(.badRequest, code: "invalid_idempotency_key",
                            detail: "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is ideal).",
                            errors: [FieldError(field: "Idempotency-Key", code: "invalid", message: "1–255 visible ASCII characters")])
        }
        let app = context.app
        let owner = context.principal?.keyID ?? "anonymous"
        let request = context.request
        var material = Array("\(request.method.rawValue) \(request.head.target)\n".utf8)
        material.append(contentsOf: request.body)
        let hash = Digest.sha256(material)
        let now = Int64(WallClock.milliseconds())

        if let stored = try await app.store.read({ db in try IdempotencyStore.lookup(db, owner: owner, key: key, now: now) }) {
            return try replay(stored, hash: hash)
        }
        let slot = owner + "\u{0}" + key
        guard app.idempotencyInFlight.withLock({ $0.insert(slot).inserted }) else {
            throw HTTPError(.conflict, code: "idempotency_in_flight",
                            detail: "A request with this Idempotency-Key is still being processed; retry after it completes.",
                            headers: ["Retry-After": "1"])
        }
        defer { _ = app.idempotencyInFlight.withLock { $0.remove(slot) } }

        let effect = try await prepare(context)
        let retention = app.idempotencyRetentionMilliseconds
        return try await app.write(rerunnable: rerunnable) { db in
            // Re-check under the write lock: another process, or a request that finished
            // between the read above and now, may have stored it.
            if let stored = try IdempotencyStore.lookup(db, owner: owner, key: key, now: now) {
                return try replay(stored, hash: hash)
            }
            let response = try effect(db)
            if (200..<300).contains(response.status.code) {
                let headers = response.headers.fields.filter { !["date", "server", "x-request-id"].contains($0.name.lowercased()) }
                    .map { ($0.name, $0.value) }
                try IdempotencyStore.save(
                    db, owner: owner, key: key,
                    response: StoredResponse(requestHash: hash, status: response.status.code, headers: headers, body: response.body),
                    now: now, retentionMilliseconds: retention)
            }
            return response
        }
    }

    static func replay(_ stored: StoredResponse, hash: [UInt8]) throws(HTTPError) -> HTTPResponse {
        guard Digest.constantTimeEquals(stored.requestHash, hash) else {
            throw HTTPError(.unprocessableContent, code: "idempotency_conflict",
                            detail: "This Idempotency-Key was used with a different request; use a new key for a new request.")
        }
        var headers = HTTPHeaders(stored.headers)
        headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
        return HTTPResponse(status: HTTPStatus(code: stored.status), headers: headers, body: stored.body)
    }
}
