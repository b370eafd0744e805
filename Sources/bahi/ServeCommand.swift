#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BahiAPI
import BahiCore
import BahiHTTP
import BahiStore
import Dispatch

/// `bahi serve`: migrate, make sure an admin key exists, listen, and drain on SIGTERM/SIGINT.
enum ServeCommand {
    static let usage = """
    Usage: bahi serve [--config FILE] [--db PATH|URL] [--host HOST] [--port PORT]

    Serves the Bahi API over HTTP/1.1, applying pending migrations first.

    Options (flag > BAHI_* environment > config file > default):
      --config FILE  JSON configuration (see config.example.json; BAHI_CONFIG)
      --db PATH|URL  SQLite file, or postgres://user:password@host:5432/dbname?sslmode=…
                     (BAHI_DB or database.url; default ./bahi-data/bahi.db)
      --host HOST    address to listen on (BAHI_HOST, default 127.0.0.1)
      --port PORT    TCP port, 0 = any    (BAHI_PORT, default 8080)
      --help         this text

    On first start with no admin key, one is created: printed once to standard error and
    written to admin-key (mode 0600) in database.path's folder, if that folder exists.
    While it runs it holds PATH.lock (shared) beside an SQLite database: bahi restore
    refuses until it stops.
    SIGTERM or SIGINT stops accepting, lets requests in flight finish (server.drain_timeout_ms),
    closes idle connections and exits 0.
    """

    static func run(_ args: ArraySlice<String>) async throws(UsageError) -> Never {
        let arguments = try Arguments(args, valueFlags: Runtime.configFlags.union(["host", "port"]), switchFlags: ["help"])
        if arguments.switches.contains("help") {
            print(usage)
            exit(ExitCode.success.rawValue)
        }
        guard arguments.positional.isEmpty else { throw UsageError(description: "unexpected argument '\(arguments.positional[0])'") }
        var flags: [String: String] = [:]
        if let host = arguments["host"] { flags["server.host"] = host }
        if let port = arguments["port"] { flags["server.port"] = port }
        let config = try Runtime.configuration(arguments, extraFlags: flags)

        let store = await Runtime.openStore(config)
        let applied = await Runtime.migrate(store)
        if !applied.isEmpty { printError("bahi: applied migrations \(applied.map { String($0.version) }.joined(separator: ", "))") }
        let app = BahiContext(configuration: config, store: store)
        await ensureAdminKey(app)
        await adoptQueueRules(app)
        let maintenance = app.startMaintenance()

        let api = BahiApplication.makeAPI(app)
        let server = HTTPServer(configuration: config.httpServer, responder: api.router)
        let port: Int
        do {
            port = try server.start()
        } catch {
            Runtime.fail("cannot listen on \(config.server.host):\(config.server.port): \(error)")
        }
        printError("bahi \(BahiVersion.current) listening on http://\(config.server.host):\(port) (database \(Runtime.location(config)))")

        let sources = [SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { @Sendable in
                Task {
                    printError("bahi: draining connections")
                    let clean = await server.shutdown()
                    maintenance.cancel()
                    await store.close()
                    printError(clean ? "bahi: stopped" : "bahi: stopped (drain timed out; remaining connections closed)")
                    exit(ExitCode.success.rawValue)
                }
            }
            source.resume()
            return source
        }
        // Park this task forever; the signal handler exits the process.
        while true {
            try? await Task.sleep(for: .seconds(3600))
            withExtendedLifetime(sources) {}
        }
    }

    /// The stored packing queue ranked by this configuration's priority rules (express
    /// channels, prepaid first): recomputed once when they changed since it was ranked. A
    /// failure is reported and not fatal: the queue is then read by the reference sort.
    static func adoptQueueRules(_ app: BahiContext) async {
        let rules = app.fulfilmentRules
        do {
            if try await app.write({ db in try FulfilmentQueue.adopt(db, rules: rules) }) {
                printError("bahi: the packing queue was re-ranked for the configured priority rules")
            }
        } catch {
            printError("bahi: cannot re-rank the packing queue for the configured priority rules (it is sorted on each read instead): \(error)")
        }
    }

    /// First start: create an admin key so a new user can curl at once.
    static func ensureAdminKey(_ app: BahiContext) async {
        do {
            guard let created = try await FirstStart.ensureAdminKey(app) else { return }
            let secret = created.secret
            printError("""
            bahi: created the first admin key \(created.record.id):

                \(secret)

            bahi: it is shown only now\(created.savedTo.map { " and saved to \($0) (mode 0600)" } ?? ""). Use it as: curl -H 'Authorization: Bearer \(secret)' ...
            """)
        } catch {
            Runtime.fail("cannot create the first admin key: \(error)")
        }
    }
}
