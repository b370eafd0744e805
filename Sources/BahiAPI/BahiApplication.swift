import BahiCore
public import BahiHTTP

/// Builds the API every route hangs from.
public enum BahiApplication {
    /// The liveness-only router (no store): what `GET /v1/health` needs.
    public static func makeRouter() -> Router {
        var router = Router()
        HealthRoutes.register(on: &router)
        return router
    }

    /// The whole API over a context.
    public static func makeAPI(_ app: BahiContext) -> API {
        var api = API(app: app)
        api.route(.get, "/v1/health", access: .open) { _ in HTTPResponse.json(HealthRoutes.body) }
        SystemRoutes.register(on: &api)
        EventRoutes.register(on: &api)
        CatalogRoutes.register(on: &api)
        InventoryRoutes.register(on: &api)
        InventoryCSVRoutes.register(on: &api)
        OrderRoutes.register(on: &api)
        FulfilmentRoutes.register(on: &api)
        SettingsRoutes.register(on: &api)
        return api
    }
}
