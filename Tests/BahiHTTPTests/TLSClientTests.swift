import Foundation
import Testing
@testable import BahiHTTP
import BahiTestSupport

/// A TLS server on loopback presenting `chain`/`key`, answering every request with `ok`
/// (and `Connection: close` when `closeEach`, so every request needs a new handshake).
private func startTLSServer(chain: String, key: String, closeEach: Bool = false) throws -> ScriptedServer {
    let context = try TestTLSServerContext(certificateChain: chain, key: key)
    return try ScriptedServer(tls: context) { peer, _ in
        while peer.readRequest() != nil {
            peer.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + (closeEach ? "Connection: close\r\n" : "") + "\r\nok")
            if closeEach { return }
        }
    }
}

private func tlsClient(trusting caFile: String) throws -> HTTPClient {
    var configuration = HTTPClientConfiguration()
    configuration.tls = TLSClientConfiguration(caFile: caFile)
    configuration.timeouts = HTTPClientTimeouts(connect: .seconds(3), read: .seconds(3), total: .seconds(6))
    return try HTTPClient(configuration: configuration)
}

private func tlsFailure(_ client: HTTPClient, _ url: String) async throws -> HTTPClientError? {
    let request = try HTTPClientRequest(url: url)
    return try await offPool { () -> HTTPClientError? in
        do throws(HTTPClientError) {
            _ = try client.executeBlocking(request)
            return nil
        } catch {
            return error
        }
    }
}

/// The TLS client against an in-process OpenSSL server with a CA the test made: a valid
/// chain works and resumes, and each kind of bad certificate is refused with its name.
@Suite(.serialized) struct TLSClientTests {
    let certificates: TestCertificates

    init() throws {
        certificates = try TestCertificates.shared.get()
    }

    @Test func validChainForLocalhostSucceedsAndKeepsTheConnection() async throws {
        let server = try startTLSServer(chain: certificates.localhostChain, key: certificates.localhostKey)
        defer { server.stop() }
        let client = try tlsClient(trusting: certificates.caFile)
        let request = try HTTPClientRequest(url: "https://localhost:\(server.port)/hello")
        #expect(try await client.execute(request).text == "ok")
        #expect(try await client.execute(request).text == "ok")
        #expect(server.accepted == 1)
        #expect(client.statistics.connectionsReused == 1)
        #expect(server.requests.first?.contains("Host: localhost:\(server.port)\r\n") == true)
    }

    @Test func aNewConnectionResumesTheSession() async throws {
        let server = try startTLSServer(chain: certificates.localhostChain, key: certificates.localhostKey, closeEach: true)
        defer { server.stop() }
        let client = try tlsClient(trusting: certificates.caFile)
        let request = try HTTPClientRequest(url: "https://localhost:\(server.port)/")
        #expect(try await client.execute(request).text == "ok")
        #expect(try await client.execute(request).text == "ok")
        #expect(server.accepted == 2)
        #expect(client.statistics.tlsSessionsResumed == 1)
    }

    @Test func aBodyToTheCloseNeedsCloseNotify() async throws {
        let context = try TestTLSServerContext(certificateChain: certificates.localhostChain, key: certificates.localhostKey)
        let server = try ScriptedServer(tls: context) { peer, index in
            peer.readRequest()
            peer.send("HTTP/1.1 200 OK\r\n\r\nall of it")
            if index == 0 { peer.abort() }  // else close() sends close_notify
        }
        defer { server.stop() }
        let client = try tlsClient(trusting: certificates.caFile)
        #expect(try await tlsFailure(client, "https://localhost:\(server.port)/") == .connectionClosedEarly(.body), "a bare TCP close may be a truncation")
        #expect(try await client.execute(try HTTPClientRequest(url: "https://localhost:\(server.port)/")).text == "all of it")
    }

    @Test func anIPAddressIsVerifiedAgainstTheCertificatesAddresses() async throws {
        let server = try startTLSServer(chain: certificates.localhostChain, key: certificates.localhostKey)
        defer { server.stop() }
        let client = try tlsClient(trusting: certificates.caFile)
        #expect(try await client.execute(try HTTPClientRequest(url: "https://127.0.0.1:\(server.port)/")).text == "ok")
    }

    @Test func wrongHostNameIsRefused() async throws {
        let server = try startTLSServer(chain: certificates.wrongHostChain, key: certificates.wrongHostKey)
        defer { server.stop() }
        let client = try tlsClient(trusting: certificates.caFile)
        #expect(try await tlsFailure(client, "https://localhost:\(server.port)/") == .tls(.hostnameMismatch))
    }

    @Test func expiredCertificateIsRefused() async throws {
        let server = try startTLSServer(chain: certificates.expiredChain, key: certificates.expiredKey)
        defer { server.stop() }
        let client = try tlsClient(trusting: certificates.caFile)
        #expect(try await tlsFailure(client, "https://localhost:\(server.port)/") == .tls(.certificateExpired))
    }

    @Test func unknownCAIsRefused() async throws {
        let server = try startTLSServer(chain: certificates.localhostChain, key: certificates.localhostKey)
        defer { server.stop() }
        let client = try tlsClient(trusting: certificates.otherCAFile)
        #expect(try await tlsFailure(client, "https://localhost:\(server.port)/") == .tls(.unknownCA))
        // The system trust store does not know the test CA either.
        let system = try HTTPClient()
        #expect(try await tlsFailure(system, "https://localhost:\(server.port)/") == .tls(.unknownCA))
    }

    @Test func plainHTTPServerIsAHandshakeFailure() async throws {
        let server = try ScriptedServer { peer, _ in
            // Answers the ClientHello with plain HTTP.
            peer.send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            peer.waitForClose(seconds: 2)
        }
        defer { server.stop() }
        let client = try tlsClient(trusting: certificates.caFile)
        guard case .tls(.handshake)? = try await tlsFailure(client, "https://localhost:\(server.port)/") else {
            Issue.record("expected a handshake failure")
            return
        }
    }

    @Test func unreadableCAFileIsAConfigurationError() {
        var configuration = HTTPClientConfiguration()
        configuration.tls.caFile = "/nonexistent/ca.pem"
        #expect(performing: { _ = try HTTPClient(configuration: configuration) }, throws: { error in
            if case .tls(.configuration) = error as? HTTPClientError { return true }
            return false
        })
    }
}
