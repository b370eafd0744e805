import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore
#if canImport(Glibc)
import Glibc
#endif

/// Readiness, identity, keys and backups.
enum SystemRoutes {
    static let tag = "system"

    static func register(on api: inout API) {
        // Readiness: the store answers and its schema is the one this binary knows.
        api.route(.get, "/v1/ready", access: .open, RouteDoc(
            "Readiness: the store answers at this binary's schema version",
            responses: [.ok(.object(["status": .string(enum: ["ready"]), "schema_version": .integer()], allRequired: true))],
            errors: [ProblemCase(503, "store_unavailable"), ProblemCase(503, "migrations_pending")]
        ).tagged(tag)) { ctx in
            let migrator = BahiSchema.migrator(for: ctx.app.store.dialect)
            let version: Int
            do {
                version = try await ctx.app.store.read { db in try migrator.appliedVersion(db) }
            } catch {
                throw HTTPError(.serviceUnavailable, code: "store_unavailable", detail: "The database cannot be read.", cause: error)
            }
            guard version == migrator.latestVersion else {
                throw HTTPError(.serviceUnavailable, code: "migrations_pending",
                                detail: "The database is at schema version \(version); this bahi needs \(migrator.latestVersion). Run bahi migrate.")
            }
            return .json(.object(["status": .string("ready"), "schema_version": .number(JSONNumber(version))]))
        }

        // Who am I: lets a script check its key and role.
        api.route(.get, "/v1/me", access: .anyRole, RouteDoc(
            "The calling key: id, role and channel",
            responses: [.ok(.object(["key_id": .string(), "role": .oneOf(Role.self), "channel": Schema.string().nullable], allRequired: true))]
        ).tagged(tag)) { ctx in
            guard let p = ctx.principal else { throw HTTPError(.unauthorized, code: "unauthenticated", detail: "No key.") }
            return .json(.object([
                "key_id": .string(p.keyID), "role": .string(p.role.rawValue),
                "channel": p.channel.map(JSONValue.string) ?? .null,
            ]))
        }

        api.route(.get, "/v1/keys", access: .roles([.admin]), RouteDoc(
            "List API keys (never their secrets)", responses: [.ok(Components.page(of: .ref(Components.apiKey)))]
        ).onePageList.tagged(tag)) { ctx in
            try ListCursor.onePage(ctx.request)
            let keys = try await ctx.app.keys.list()
            return .json(.object(["data": .array(keys.map(\.json)), "next_cursor": .null]))
        }

        api.route(.delete, "/v1/keys/:id", access: .roles([.admin]), RouteDoc(
            "Revoke an API key",
            description: "A key cannot revoke itself (409 own_key): revoke it with another admin key or `bahi keys revoke`, so a script cannot lock its operator out.",
            responses: [.noContent("Revoked: the key is refused from now on.")], errors: [ProblemCase(409, "already_revoked"), ProblemCase(409, "own_key")]
        ).tagged(tag)) { ctx in
            let id = ctx.request.parameters["id"] ?? ""
            guard EntityID.isValid(id, kind: .apiKey) else { throw HTTPError.notFound("No API key \(id).") }
            if id == ctx.principal?.keyID {
                throw HTTPError(.conflict, code: "own_key", detail: "A key cannot revoke itself; use another admin key or bahi keys revoke \(id).")
            }
            do {
                try await ctx.app.keys.revoke(id: id, actor: ctx.actor)
            } catch let error as APIKeyError {
                switch error {
                case .notFound: throw HTTPError.notFound("No API key \(id).")
                default: throw HTTPError(.conflict, code: "already_revoked", detail: error.description)
                }
            }
            ctx.app.notifier.signal()
            ctx.app.authenticator.invalidateCache()
            return HTTPResponse(status: .noContent)
        }

        // The writer's group-commit figures since start: how many transactions carried how
        // many write calls. An operator reads batching under load here (a mean batch near 1
        // at high load would mean commits are not being shared). PostgreSQL has no writer of
        // Bahi's: each write is its own transaction on the pool, and the server's own views
        // (pg_stat_database) count them.
        api.route(.get, "/v1/admin/store", access: .roles([.admin]), RouteDoc(
            "The store's engine and the writer's group-commit figures",
            responses: [.ok(.object([
                "engine": .string(enum: ["sqlite", "postgres"]), "batches": Schema.integer().omittable, "calls": Schema.integer().omittable,
                "failed_batches": Schema.integer().omittable, "mean_batch": Schema.number.omittable,
            ], allRequired: true))]
        ).tagged(tag)) { ctx in
            guard let sqlite = ctx.app.store as? SQLiteStore else {
                return .json(.object(["engine": .string(ctx.app.store.dialect.rawValue)]))
            }
            let stats = sqlite.statistics
            let hundredths = Int((stats.meanBatchSize * 100).rounded())
            let fraction = hundredths % 100
            return .json(.object([
                "engine": .string(SQLDialect.sqlite.rawValue),
                "batches": .int(Int64(stats.batches)), "calls": .int(Int64(stats.calls)),
                "failed_batches": .int(Int64(stats.failedBatches)),
                "mean_batch": .number(JSONNumber(text: "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)")),
            ]))
        }

        // An online backup, safe while serving. Idempotency-Key makes a retry return the
        // first backup instead of taking another. SQLite's only: PostgreSQL is backed up by
        // its own tools, which know its files, WAL archive and replicas.
        api.mutation(.post, "/v1/admin/backup", access: .roles([.admin]), RouteDoc(
            "Take an online backup of the SQLite store",
            responses: [.created(.object(["path": .string(), "size_bytes": .integer(), "created_at": .dateTime], allRequired: true))],
            errors: [ProblemCase(501, "backup_not_supported"), ProblemCase(500, "backup_failed"), ProblemCase(500, "cannot_create_folder")]
        ).tagged(tag)) { ctx in
            guard let sqlite = ctx.app.store as? SQLiteStore else {
                throw HTTPError(.notImplemented, code: "backup_not_supported",
                                detail: "This server keeps its data in PostgreSQL: back it up with pg_dump (or the server's own backups). POST /v1/admin/backup copies the SQLite store only.")
            }
            let folder = ctx.app.configuration.resolvedBackupDirectory
            try Files.makeDirectories(folder)
            let now = WallClock.milliseconds()
            let stamp = Timestamps.rfc3339(milliseconds: Int64(now)).filter { $0 != "-" && $0 != ":" }.replacingDot()
            let path = "\(folder)/bahi-\(stamp).db"
            let size: Int64
            do {
                size = try await sqlite.backup(to: path)
            } catch {
                throw HTTPError(.internalServerError, code: "backup_failed", detail: "The backup could not be written to \(folder).", cause: error)
            }
            let body = JSONValue.object([
                "path": .string(path), "size_bytes": .number(JSONNumber(size)),
                "created_at": .string(Timestamps.rfc3339(milliseconds: Int64(now))),
            ])
            return { db in
                try EventLog.append(db, NewEvent(SystemEvents.backupCreated, entityID: path, payload: ["size_bytes": .number(JSONNumber(size))]),
                                    actor: ctx.actor, at: Int64(WallClock.milliseconds()))
                return .json(body, status: .created)
            }
        }
    }
}

extension APIKeyRecord {
    /// The key as the API lists it (never the secret).
    var json: JSONValue {
        .object([
            "id": .string(id), "name": .string(name), "role": .string(role.rawValue),
            "channel": channel.map(JSONValue.string) ?? .null, "secret_hint": .string(secretHint),
            "created_at": .string(Timestamps.rfc3339(milliseconds: createdAt)),
            "last_used_at": lastUsedAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null,
            "revoked_at": revokedAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null,
            "rate_limit": rateLimit.map { .object(["requests_per_second": .int(Int64($0.requestsPerSecond)), "burst": .int(Int64($0.burst))]) } ?? .null,
        ])
    }
}

extension String {
    /// `20261122T101500.123Z` → `20261122T101500123Z` (a file-name-safe stamp).
    func replacingDot() -> String { filter { $0 != "." } }
}

/// Small file-system helpers (mkdir -p).
public enum Files {
    /// Creates `path` and its parents (mode 0700 for new folders: they hold the database and keys).
    public static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") where !part.isEmpty && part != "." {
            current += "/" + part
            if mkdir(current, 0o700) != 0, errno != EEXIST {
                throw HTTPError(.internalServerError, code: "cannot_create_folder", detail: "Cannot create \(current): \(String(cString: strerror(errno))).")
            }
        }
    }
}
