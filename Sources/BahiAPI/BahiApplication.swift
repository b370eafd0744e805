import BahiCore
public import BahiHTTP

/// Builds the router every route of the public API hangs from.
///
/// For now it serves the liveness probe; the domain routes join it issue by issue.
public enum BahiApplication {
    /// The API's router.
    public static func makeRouter() -> Router {
        var router = Router()
        HealthRoutes.register(on: &router)
        return router
    }
}
