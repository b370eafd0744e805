import Synchronization
import BahiHTTP

/// A responder served on 127.0.0.1, port 0, by Bahi's own server: what the tests' stand-ins
/// for outside systems (a seller's webhook receiver, a payment gateway, a courier provider)
/// have in common.
protocol LocalStubServer: HTTPResponder {
    /// The running server, once started.
    var server: Mutex<HTTPServer?> { get }
}

extension LocalStubServer {
    /// Starts listening; returns the port.
    func start() throws -> Int {
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.ioQueueCount = 1
        configuration.accessLog = .disabled
        let server = HTTPServer(configuration: configuration, responder: self)
        let port = try server.start()
        self.server.withLock { $0 = server }
        return port
    }

    func stop() async {
        if let server = self.server.withLock({ $0 }) { _ = await server.shutdown() }
    }
}

/// `stub` started for `body` (with its port), stopped after it whatever happens.
func withStub<Stub: LocalStubServer, T>(_ stub: Stub, _ body: (Stub, Int) async throws -> T) async throws -> T {
    let port = try stub.start()
    do {
        let result = try await body(stub, port)
        await stub.stop()
        return result
    } catch {
        await stub.stop()
        throw error
    }
}
