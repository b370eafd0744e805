import Foundation
import Synchronization
import BahiCore
import BahiHTTP
import BahiJSON

/// A courier provider on 127.0.0.1, port 0, for the provider tests: it keeps every request and
/// answers each path from its own script (then from the path's standing answer, else 404),
/// optionally after a delay (a provider that times out).
final class CourierProviderStub: LocalStubServer {
    struct Received: Sendable {
        var method: String
        var path: String
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: JSONObject? { if case .object(let o)? = try? JSONParser.parse(body) { o } else { nil } }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Answer: Sendable {
        var status: HTTPStatus
        var body = ""
        var delayMs = 0
    }

    private struct State {
        var received: [Received] = []
        var scripts: [String: [Answer]] = [:]
        var standing: [String: Answer] = [:]
    }

    private let state = Mutex(State())
    let server = Mutex<HTTPServer?>(nil)

    var received: [Received] { state.withLock { $0.received } }

    /// Requests to paths ending in `suffix`.
    func received(_ suffix: String) -> [Received] { received.filter { $0.path.hasSuffix(suffix) } }

    /// Forgets what was received and every answer.
    func reset() { state.withLock { $0 = State() } }

    /// Answers the next requests to paths ending in `suffix` with these, in order.
    func script(_ suffix: String, _ answers: Answer...) { state.withLock { $0.scripts[suffix, default: []] += answers } }

    /// Answers every request to paths ending in `suffix` with this once its script is used up.
    func always(_ suffix: String, _ answer: Answer) { state.withLock { $0.standing[suffix] = answer } }

    static func json(_ status: HTTPStatus, _ body: String) -> Answer { Answer(status: status, body: body) }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        let path = String(request.head.path)
        let answer = state.withLock { s -> Answer in
            s.received.append(Received(method: request.head.method.rawValue, path: path, headers: request.head.headers, body: request.body))
            if let key = s.scripts.keys.filter({ path.hasSuffix($0) && !(s.scripts[$0] ?? []).isEmpty }).max(by: { $0.count < $1.count }) {
                return s.scripts[key]?.removeFirst() ?? Answer(status: .notFound)
            }
            if let key = s.standing.keys.filter({ path.hasSuffix($0) }).max(by: { $0.count < $1.count }), let standing = s.standing[key] { return standing }
            return Answer(status: .notFound, body: #"{"message":"no such stub path"}"#)
        }
        if answer.delayMs > 0 { try? await Task.sleep(for: .milliseconds(answer.delayMs)) }
        guard !answer.body.isEmpty, answer.status.allowsBody else { return HTTPResponse(status: answer.status) }
        return HTTPResponse(status: answer.status, contentType: "application/json", body: Array(answer.body.utf8))
    }

    func bodyLimit(for head: HTTPRequestHead) -> Int { 1 << 20 }

    /// A started stub for `body`, stopped after it whatever happens.
    static func with<T>(_ body: (CourierProviderStub, Int) async throws -> T) async throws -> T {
        try await withStub(CourierProviderStub(), body)
    }
}

/// A one-shot server on 127.0.0.1 that answers its first request with `response`, byte for
/// byte, then closes: for answers Bahi's own server would never send (Shiprocket's HTTP 204
/// *with* a JSON body and a Content-Length).
final class RawHTTPStub: Sendable {
    let port: Int
    private let listener: Int32
    /// The request's bytes once it has been answered.
    let request = Mutex<[UInt8]?>(nil)

    init(response: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CourierProviderStub.SocketFailed() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            close(fd)
            throw CourierProviderStub.SocketFailed()
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let bytes = Array(response.utf8)
        let thread = Thread { [self] in
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { return }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            // Read the head and the body its Content-Length announces.
            while true {
                let n = read(connection, &buffer, buffer.count)
                if n <= 0 { break }
                received += buffer[0..<n]
                let text = String(decoding: received, as: UTF8.self)
                guard let end = text.range(of: "\r\n\r\n") else { continue }
                let head = text[..<end.lowerBound].lowercased()
                let declared = head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count >= text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound) + declared { break }
            }
            self.request.withLock { $0 = received }
            _ = bytes.withUnsafeBytes { write(connection, $0.baseAddress, bytes.count) }
            close(connection)
        }
        thread.start()
    }

    deinit { close(listener) }
}

extension CourierProviderStub {
    struct SocketFailed: Error {}
}
