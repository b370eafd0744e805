import Testing
import BahiAPI
import BahiHTTP

@Suite struct HealthTests {
    @Test func healthAnswersOkWithVersion() async {
        let router = BahiApplication.makeRouter()
        let response = await router.respond(to: HTTPRequest(head: HTTPRequestHead(method: .get, target: "/v1/health")))
        #expect(response.status == .ok)
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"status\":\"ok\",\"version\":\"0.1.0\"}")
    }
}
