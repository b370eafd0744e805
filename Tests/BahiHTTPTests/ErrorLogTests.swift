import Synchronization
import Testing
import BahiJSON
@testable import BahiHTTP

/// Lines an `ErrorLog` wrote, kept for a test to read.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    var log: ErrorLog { .custom { [self] line in lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }
}

@Suite struct ErrorLogTests {
    struct DiskOnFire: Error, CustomStringConvertible {
        var description: String { "disk on fire in sector 7" }
    }

    func makeRouter(_ captured: CapturedLog) -> Router {
        var router = Router(errorLog: captured.log)
        router.post("/v1/fail") { _ in throw DiskOnFire() }
        router.get("/v1/busy") { _ in
            throw HTTPError(.serviceUnavailable, code: "store_unavailable", detail: "Retry shortly.", cause: DiskOnFire())
        }
        router.get("/v1/gone") { _ in throw HTTPError.notFound() }
        return router
    }

    func request(_ method: HTTPMethod, _ target: String, id: String) -> HTTPRequest {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "test")
        headers.add(name: "Authorization", value: "Bearer bahi_TOPSECRETKEY")
        return HTTPRequest(head: HTTPRequestHead(method: method, target: target, headers: headers),
                           body: Array(#"{"password":"hunter2"}"#.utf8), requestID: id)
    }

    func fields(_ line: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(Array(line.utf8)) else { throw DiskOnFire() }
        return object
    }

    @Test func anUnknownErrorIsLoggedOnceWithItsRequestIDAndCause() async throws {
        let captured = CapturedLog()
        let response = await makeRouter(captured).respond(to: request(.post, "/v1/fail", id: "req_FAIL1"))
        #expect(response.status.code == 500)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("sector 7"))
        #expect(captured.all.count == 1)
        let line = try #require(captured.all.first)
        let object = try fields(line)
        #expect(object["level"] == .string("error"))
        #expect(object["request_id"] == .string("req_FAIL1"))
        #expect(object["status"] == .number(JSONNumber(500)))
        #expect(object["code"] == .string("internal_error"))
        #expect(object["error"] == .string("disk on fire in sector 7"))
        guard case .string(let type)? = object["error_type"] else { Issue.record("no error_type"); return }
        #expect(type.hasSuffix("DiskOnFire"))
        #expect(!line.contains("TOPSECRET") && !line.contains("hunter2"))
    }

    @Test func a503LogsTheCauseItStandsFor() async throws {
        let captured = CapturedLog()
        let response = await makeRouter(captured).respond(to: request(.get, "/v1/busy", id: "req_BUSY1"))
        #expect(response.status.code == 503)
        let line = try #require(captured.all.first)
        #expect(captured.all.count == 1)
        let object = try fields(line)
        #expect(object["request_id"] == .string("req_BUSY1"))
        #expect(object["code"] == .string("store_unavailable"))
        #expect(object["error"] == .string("disk on fire in sector 7"))
        #expect(!line.contains("TOPSECRET") && !line.contains("hunter2"))
    }

    @Test func clientErrorsAreNotLogged() async {
        let captured = CapturedLog()
        let router = makeRouter(captured)
        #expect(await router.respond(to: request(.get, "/v1/gone", id: "req_1")).status.code == 404)
        #expect(await router.respond(to: request(.get, "/v1/nowhere", id: "req_2")).status.code == 404)
        #expect(await router.respond(to: request(.delete, "/v1/fail", id: "req_3")).status.code == 405)
        #expect(captured.all.isEmpty)
    }

    @Test func lineIsOneJSONObjectWithEscapedText() throws {
        let bytes = ErrorLog.line(level: "error", message: "job \"x\" failed", fields: [("job", .string("a\nb")), ("n", .int(3))],
                                  wallMilliseconds: 0)
        #expect(bytes.last == 0x0A)
        #expect(bytes.dropLast().allSatisfy { $0 != 0x0A })
        let object = try fields(String(decoding: bytes.dropLast(), as: UTF8.self))
        #expect(object["time"] == .string("1970-01-01T00:00:00.000Z"))
        #expect(object["job"] == .string("a\nb"))
        #expect(object["n"] == .number(JSONNumber(3)))
    }

    @Test func httpErrorsCompareWithoutTheirCause() {
        #expect(HTTPError(.serviceUnavailable, code: "x", detail: "y", cause: DiskOnFire()) == HTTPError(.serviceUnavailable, code: "x", detail: "y"))
    }
}
