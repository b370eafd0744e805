import Testing
@testable import BahiHTTP

@Suite struct RouterTests {
    func makeRouter() -> Router {
        var router = Router()
        router.get("/v1/skus/:sku") { req in HTTPResponse.json("{\"sku\":\"\(req.parameters["sku"] ?? "")\"}") }
        router.put("/v1/skus/:sku", bodyLimit: 10) { _ in HTTPResponse(status: .ok) }
        router.get("/v1/health") { _ in HTTPResponse.json("{}") }
        router.get("/v1/fail") { _ in
            struct Secret: Error {}
            throw Secret()
        }
        return router
    }

    @Test func matchesStaticAndParameterSegments() {
        let router = makeRouter()
        guard case .found(_, let params, _) = router.match(method: .get, path: "/v1/skus/TSHIRT%2DRED") else {
            Issue.record("expected a match"); return
        }
        #expect(params["sku"] == "TSHIRT-RED")
        guard case .found = router.match(method: .get, path: "/v1/health") else { Issue.record("health"); return }
    }

    @Test func knows404From405() {
        let router = makeRouter()
        guard case .methodNotAllowed(let allow) = router.match(method: .delete, path: "/v1/skus/A") else {
            Issue.record("expected 405"); return
        }
        #expect(allow.map(\.rawValue) == ["GET", "HEAD", "PUT"])
        guard case .notFound = router.match(method: .get, path: "/v1/nothing") else { Issue.record("expected 404"); return }
        guard case .notFound = router.match(method: .get, path: "/v1/health/") else { Issue.record("trailing slash"); return }
        guard case .notFound = router.match(method: .get, path: "/v1//health") else { Issue.record("empty segment"); return }
    }

    @Test func headIsServedByGet() {
        guard case .found = makeRouter().match(method: .head, path: "/v1/health") else { Issue.record("HEAD"); return }
    }

    @Test func routeBodyLimit() {
        let router = makeRouter()
        #expect(router.bodyLimit(for: HTTPRequestHead(method: .put, target: "/v1/skus/A")) == 10)
        #expect(router.bodyLimit(for: HTTPRequestHead(method: .post, target: "/elsewhere")) == 1 << 20)
    }

    @Test func unknownErrorsBecome500WithoutInternals() async {
        let response = await makeRouter().respond(to: HTTPRequest(head: HTTPRequestHead(method: .get, target: "/v1/fail"), requestID: "req_X"))
        #expect(response.status.code == 500)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body.contains("\"code\":\"internal_error\""))
        #expect(body.contains("req_X"))
        #expect(!body.contains("Secret"))
        #expect(response.headers["content-type"] == "application/problem+json")
    }

    @Test func badPercentEscapeIs400() async {
        let response = await makeRouter().respond(to: HTTPRequest(head: HTTPRequestHead(method: .get, target: "/v1/skus/%zz")))
        #expect(response.status.code == 400)
    }
}
