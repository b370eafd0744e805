import Foundation
import Synchronization
import BahiCore
import BahiHTTP
import BahiJSON

/// A webhook receiver on 127.0.0.1, port 0, for the webhook tests: it keeps every request it
/// gets and answers from a script (then 204), as a seller's system would.
final class WebhookReceiver: LocalStubServer {
    struct Received: Sendable {
        var path: String
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: JSONObject? { if case .object(let o)? = try? JSONParser.parse(body) { o } else { nil } }
        var id: String? { headers["webhook-id"] }
        var type: String? { if case .string(let s)? = json?["type"] { s } else { nil } }
        var seq: Int64? { if case .number(let n)? = json?["seq"] { n.int64 } else { nil } }
    }

    struct Answer: Sendable {
        var status: HTTPStatus
        var headers: [(String, String)] = []
        var body = ""
    }

    private let state = Mutex<(received: [Received], script: [Answer])>(([], []))
    let server = Mutex<HTTPServer?>(nil)

    var received: [Received] { state.withLock { $0.received } }

    /// Answers the next requests with these, in order; after them, 204.
    func script(_ answers: [Answer]) {
        state.withLock { $0.script += answers }
    }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        let answer = state.withLock { s -> Answer in
            s.received.append(Received(path: String(request.head.path), headers: request.head.headers, body: request.body))
            return s.script.isEmpty ? Answer(status: .noContent) : s.script.removeFirst()
        }
        var response = answer.body.isEmpty ? HTTPResponse(status: answer.status) : HTTPResponse(status: answer.status, contentType: "text/plain", body: Array(answer.body.utf8))
        for (name, value) in answer.headers { response.headers.add(name: name, value: value) }
        return response
    }

    func bodyLimit(for head: HTTPRequestHead) -> Int { 1 << 20 }
}

/// A clock the tests move by hand: the dispatcher's idea of now, the wall clock plus what the
/// test advanced it by (so what a route queues "now", a ping or a retry by hand, is due).
final class ManualClock: Sendable {
    private let offset = Mutex<Int64>(0)
    /// Set by `freeze`: the wall clock no longer moves this one.
    private let frozenAt = Mutex<Int64?>(nil)
    var now: Int64 { (frozenAt.withLock { $0 } ?? Int64(WallClock.milliseconds())) + offset.withLock { $0 } }
    /// Stops following the wall clock: only `advance` moves it from here. For a test that
    /// counts seconds to a retry (on a loaded machine real seconds pass meanwhile, and a retry
    /// due in 5 s would go after "3"); what a route queues at the wall clock's now is then due
    /// only once the test advances past it.
    func freeze() { frozenAt.withLock { $0 = Int64(WallClock.milliseconds()) } }
    func advance(seconds: Int64) { offset.withLock { $0 += seconds * 1000 } }
    var function: @Sendable () -> Int64 { { [self] in now } }
}
