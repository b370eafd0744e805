#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BahiAPI
import BahiCore
import BahiHTTP
import Dispatch

/// `bahi serve`: listen and answer until SIGTERM or SIGINT, then drain and exit 0.
enum ServeCommand {
    static let usage = """
    Usage: bahi serve [--host HOST] [--port PORT]

    Serves the Bahi API over HTTP/1.1.

    Options (flag > environment > default):
      --host HOST   address to listen on   (BAHI_HOST, default 127.0.0.1)
      --port PORT   TCP port, 0 = any free (BAHI_PORT, default 8080)
      --help        this text

    SIGTERM or SIGINT stops accepting, lets requests in flight finish (up to 10 s),
    closes idle connections and exits 0.
    """

    /// Resolved listen settings.
    struct Settings: Equatable {
        var host = "127.0.0.1"
        var port = 8080
    }

    /// Applies defaults < environment < flags, validating each value.
    static func settings(arguments: Arguments, environment env: (String) -> String?) throws(UsageError) -> Settings {
        var settings = Settings()
        if let host = env("BAHI_HOST"), !host.isEmpty { settings.host = host }
        if let port = env("BAHI_PORT"), !port.isEmpty { settings.port = try parsePort(port, source: "BAHI_PORT") }
        if let host = arguments["host"] { settings.host = host }
        if let port = arguments["port"] { settings.port = try parsePort(port, source: "--port") }
        return settings
    }

    static func parsePort(_ text: String, source: String) throws(UsageError) -> Int {
        guard let port = Int(text), (0...65535).contains(port) else {
            throw UsageError(description: "\(source) must be a port number from 0 to 65535, not '\(text)'")
        }
        return port
    }

    static func run(_ args: ArraySlice<String>) throws(UsageError) -> Never {
        let arguments = try Arguments(args, valueFlags: ["host", "port"], switchFlags: ["help"])
        if arguments.switches.contains("help") {
            print(usage)
            exit(ExitCode.success.rawValue)
        }
        guard arguments.positional.isEmpty else { throw UsageError(description: "unexpected argument '\(arguments.positional[0])'") }
        let settings = try settings(arguments: arguments, environment: environment)

        var configuration = HTTPServerConfiguration()
        configuration.host = settings.host
        configuration.port = settings.port
        let server = HTTPServer(configuration: configuration, responder: BahiApplication.makeRouter())
        let port: Int
        do {
            port = try server.start()
        } catch {
            printError("bahi: cannot listen on \(settings.host):\(settings.port): \(error)")
            exit(ExitCode.failure.rawValue)
        }
        printError("bahi \(BahiVersion.current) listening on http://\(settings.host):\(port)")

        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { @Sendable in
                Task {
                    printError("bahi: draining connections")
                    let clean = await server.shutdown()
                    printError(clean ? "bahi: stopped" : "bahi: stopped (drain timed out; remaining connections closed)")
                    exit(ExitCode.success.rawValue)
                }
            }
            source.resume()
            sources.append(source)
        }
        withExtendedLifetime(sources) {
            dispatchMain()
        }
    }
}
