#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BahiAPI
import BahiCore
import BahiJSON
import BahiStore

/// `bahi migrate`, `bahi keys …`, `bahi backup FILE`, `bahi check`.
enum AdminCommands {
    static let commonOptions = """
      --config FILE  JSON configuration (BAHI_CONFIG)
      --db PATH|URL  SQLite file, or postgres://user:password@host:5432/dbname
                     (BAHI_DB or database.url; default ./bahi-data/bahi.db)
      --help         this text
    """

    static func helpRequested(_ arguments: Arguments, _ usage: String) {
        if arguments.switches.contains("help") {
            print(usage)
            exit(ExitCode.success.rawValue)
        }
    }

    static func migrate(_ args: ArraySlice<String>) async throws(UsageError) {
        let usage = "Usage: bahi migrate [--config FILE] [--db PATH|URL]\n\nApplies pending schema migrations (SQLite's or PostgreSQL's).\n\n\(commonOptions)"
        let arguments = try Arguments(args, valueFlags: Runtime.configFlags, switchFlags: ["help"])
        helpRequested(arguments, usage)
        let config = try Runtime.configuration(arguments)
        let store = await Runtime.openStore(config)
        let applied = await Runtime.migrate(store)
        print(applied.isEmpty
              ? "database \(Runtime.location(config)) is current (schema version \(BahiSchema.migrator(for: store.dialect).latestVersion))"
              : "applied: " + applied.map { "\($0.version) \($0.name)" }.joined(separator: "; "))
        await store.close()
    }

    static func keys(_ args: ArraySlice<String>) async throws(UsageError) {
        let usage = """
        Usage: bahi keys create --role ROLE [--channel CODE] --name NAME [--rate-limit N/s [--burst M]]
               bahi keys list
               bahi keys revoke KEY_ID

        create prints only the new secret on standard output, once.
        Roles: admin, storefront (needs --channel), warehouse, finance, support (read-only).
        --rate-limit N/s gives the key its own limit (burst: --burst, default 2×N) instead of
        its role's (rate_limit.roles.ROLE, else rate_limit.requests_per_second / burst).

        \(commonOptions)
        """
        let arguments = try Arguments(args, valueFlags: Runtime.configFlags.union(["role", "channel", "name", "rate-limit", "burst"]), switchFlags: ["help"])
        helpRequested(arguments, usage)
        guard let action = arguments.positional.first else { throw UsageError(description: "keys needs create, list or revoke") }
        let config = try Runtime.configuration(arguments)
        switch action {
        case "create":
            guard let roleText = arguments["role"] else { throw UsageError(description: "keys create needs --role (admin, storefront, warehouse, finance, support)") }
            guard let role = Role(rawValue: roleText) else { throw UsageError(description: "unknown role '\(roleText)'; use admin, storefront, warehouse, finance or support") }
            guard let name = arguments["name"] else { throw UsageError(description: "keys create needs --name saying who or what uses the key") }
            let rateLimit = try rateLimit(arguments)
            let store = await Runtime.openStore(config)
            _ = await Runtime.migrate(store)
            do {
                let (record, secret) = try await APIKeyStore(store: store).create(
                    name: name, role: role, channel: arguments["channel"], rateLimit: rateLimit, actor: "cli")
                print(secret)
                let policy = config.roleRateLimits.policy(for: Principal(keyID: record.id, role: role, rateLimit: rateLimit))
                printError("bahi: created \(record.id) (\(role.rawValue)\(record.channel.map { ", channel \($0)" } ?? ""), "
                           + "\(policy.limit.requestsPerSecond)/s burst \(policy.limit.burst)\(rateLimit == nil ? " from its role" : " of its own")); "
                           + "the secret above is not shown again")
            } catch let error as APIKeyError {
                await store.close()
                throw UsageError(description: error.description)
            } catch {
                Runtime.fail("cannot create the key: \(error)")
            }
            await store.close()
        case "list":
            let store = await Runtime.openStore(config)
            _ = await Runtime.migrate(store)
            do {
                let keys = try await APIKeyStore(store: store).list()
                print("ID                              ROLE        CHANNEL     HINT          RATE LIMIT       CREATED                   LAST USED                 STATUS   NAME")
                for k in keys {
                    let status = k.revokedAt == nil ? "active" : "revoked"
                    let limit = k.rateLimit.map { "\($0.requestsPerSecond)/s,\($0.burst)" } ?? "role"
                    print([k.id.padded(31), k.role.rawValue.padded(11), (k.channel ?? "-").padded(11), k.secretHint.padded(13), limit.padded(16),
                           Timestamps.rfc3339(milliseconds: k.createdAt).padded(25),
                           (k.lastUsedAt.map { Timestamps.rfc3339(milliseconds: $0) } ?? "never").padded(25), status.padded(8), k.name].joined(separator: " "))
                }
            } catch {
                Runtime.fail("cannot list keys: \(error)")
            }
            await store.close()
        case "revoke":
            guard arguments.positional.count == 2 else { throw UsageError(description: "keys revoke needs one KEY_ID (see bahi keys list)") }
            let id = arguments.positional[1]
            let store = await Runtime.openStore(config)
            _ = await Runtime.migrate(store)
            do {
                try await APIKeyStore(store: store).revoke(id: id, actor: "cli")
                print("revoked \(id)")
            } catch let error as APIKeyError {
                await store.close()
                Runtime.fail(error.description)
            } catch {
                Runtime.fail("cannot revoke: \(error)")
            }
            await store.close()
        default:
            throw UsageError(description: "unknown keys action '\(action)'; use create, list or revoke")
        }
    }

    /// `--rate-limit N/s [--burst M]`, checked before anything opens the store.
    static func rateLimit(_ arguments: Arguments) throws(UsageError) -> RateLimit? {
        guard let text = arguments["rate-limit"] else {
            if arguments["burst"] != nil { throw UsageError(description: "--burst goes with --rate-limit N/s") }
            return nil
        }
        guard var limit = RateLimit(text: text) else {
            throw UsageError(description: "--rate-limit takes requests a second as N/s (e.g. --rate-limit 500/s), not '\(text)'")
        }
        if let burstText = arguments["burst"] {
            guard let burst = Int(burstText), burst > 0 else { throw UsageError(description: "--burst takes a whole number of requests, not '\(burstText)'") }
            limit.burst = burst
        }
        if let problem = limit.problem { throw UsageError(description: "--rate-limit \(text): \(problem)") }
        return limit
    }

    static func backup(_ args: ArraySlice<String>) async throws(UsageError) {
        let usage = "Usage: bahi backup FILE [--config FILE] [--db PATH]\n\nCopies the SQLite database to FILE with SQLite's online backup API; safe while bahi serve runs.\nA PostgreSQL database is backed up with pg_dump.\n\n\(commonOptions)"
        let arguments = try Arguments(args, valueFlags: Runtime.configFlags, switchFlags: ["help"])
        helpRequested(arguments, usage)
        guard arguments.positional.count == 1 else { throw UsageError(description: "backup needs exactly one FILE to write") }
        let config = try Runtime.configuration(arguments)
        // Refused before connecting: the answer does not depend on the server.
        guard case .sqlite(let path) = Runtime.location(config) else {
            Runtime.fail("bahi backup is for the SQLite store; back PostgreSQL up with pg_dump (pg_dump --format=custom --file=bahi.dump DBNAME)")
        }
        guard let store = await Runtime.openStore(config) as? SQLiteStore else { Runtime.fail("\(path) did not open as an SQLite store") }
        do {
            let size = try await store.backup(to: arguments.positional[0])
            print("backed up \(path) to \(arguments.positional[0]) (\(size) bytes)")
        } catch {
            Runtime.fail("backup failed: \(error)")
        }
        await store.close()
    }

    static func restore(_ args: ArraySlice<String>) async throws(UsageError) {
        let usage = """
        Usage: bahi restore BACKUP [--config FILE] [--db PATH]

        Puts BACKUP (a file made by bahi backup or POST /v1/admin/backup) in place of the SQLite
        database, after checking it: SQLite's integrity check, and a Bahi database at a schema
        version this bahi knows (an older one is brought forward by bahi serve or bahi migrate).
        Refused while bahi serve (or any bahi command) has the database open: stop it first.
        The swap is atomic; the database it replaces is kept beside it as PATH.replaced-<time>.
        A PostgreSQL database is restored with pg_restore.

        \(commonOptions)
        """
        let arguments = try Arguments(args, valueFlags: Runtime.configFlags, switchFlags: ["help"])
        helpRequested(arguments, usage)
        guard arguments.positional.count == 1 else { throw UsageError(description: "restore needs exactly one BACKUP file to restore") }
        let config = try Runtime.configuration(arguments)
        let backup = arguments.positional[0]
        let report: StoreRestore.Report
        do {
            report = try StoreRestore.run(backup: backup, to: Runtime.location(config), now: Int64(WallClock.milliseconds()))
        } catch {
            Runtime.fail(error.message)
        }
        let latest = BahiSchema.migrator.latestVersion
        print("restored \(report.backup) to \(report.target) (\(report.bytes) bytes, schema version \(report.schemaVersion)"
              + (report.schemaVersion < latest ? "; bahi serve or bahi migrate brings it to \(latest)" : "") + ")")
        if let previous = report.previous { print("the database it replaced is kept as \(previous)") }
    }

    static func check(_ args: ArraySlice<String>) async throws(UsageError) -> Int32 {
        let usage = """
        Usage: bahi check [--full] [--config FILE] [--db PATH|URL]

        Checks the domain invariants in one read snapshot, printing each with its time as it
        finishes. Exit 0 if clean, 1 if anything is wrong.

        By default only the checks that stay fast however many orders the store holds: stock
        levels against their audit checkpoint plus the movements after it, reservations, kits,
        locations, keys. The rest are listed as skipped.

          --full         every check, each reading everything: stock levels re-added from the
                         first movement and the audit checkpoint itself checked against the
                         movements, event payloads, invoice series, refunds, and on SQLite
                         integrity_check and foreign_key_check (minutes at a million orders)
        \(commonOptions)
        """
        let arguments = try Arguments(args, valueFlags: Runtime.configFlags, switchFlags: ["help", "full"])
        helpRequested(arguments, usage)
        let full = arguments.switches.contains("full")
        let config = try Runtime.configuration(arguments)
        let store = await Runtime.openStore(config)
        let results: [(name: String, violations: [String])]
        do {
            results = try await store.read { db in
                try InvariantRegistry.run(db, full: full) { outcome in
                    let seconds = String(format1: outcome.seconds) + " s"
                    let time = String(repeating: " ", count: max(0, 9 - seconds.count)) + seconds
                    if !outcome.ran {
                        print("skip  \("".padded(9))  \(outcome.name) (bahi check --full)")
                    } else if outcome.violations.isEmpty {
                        print("ok    \(time)  \(outcome.name)")
                    } else {
                        print("FAIL  \(time)  \(outcome.name)")
                        for v in outcome.violations { print("      \(v)") }
                    }
                    fflush(nil)  // each line as it comes, even into a pipe
                }
            }
        } catch {
            Runtime.fail("check could not run: \(error)")
        }
        await store.close()
        return results.allSatisfy(\.violations.isEmpty) ? ExitCode.success.rawValue : ExitCode.failure.rawValue
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
