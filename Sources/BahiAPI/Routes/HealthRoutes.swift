import BahiCore
public import BahiHTTP
import BahiJSON

/// `GET /v1/health`: liveness. Needs no key and touches no store, so a load balancer can
/// poll it cheaply; readiness (store reachable) is `/v1/ready`, with the store issue.
public enum HealthRoutes {
    /// The body is the same for the life of the process: encoded once.
    static let body: [UInt8] = {
        var json = JSONWriter()
        json.beginObject()
        json.key("status"); json.string("ok")
        json.key("version"); json.string(BahiVersion.current)
        json.endObject()
        return json.bytes
    }()

    public static func register(on router: inout Router) {
        router.get("/v1/health") { _ in
            HTTPResponse.json(body)
        }
    }
}
