import BahiCore
public import BahiHTTP
import BahiStore
#if canImport(Glibc)
import Glibc
#endif

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
        api.route(.get, "/v1/health", access: .open, RouteDoc(
            "Liveness: answers while the process runs, touching no store",
            responses: [.ok(.object(["status": .string(enum: ["ok"]), "version": .string()], allRequired: true))]
        ).tagged("system")) { _ in HTTPResponse.json(HealthRoutes.body) }
        SystemRoutes.register(on: &api)
        EventRoutes.register(on: &api)
        CatalogRoutes.register(on: &api)
        InventoryRoutes.register(on: &api)
        InventoryCSVRoutes.register(on: &api)
        OrderRoutes.register(on: &api)
        FulfilmentRoutes.register(on: &api)
        SettingsRoutes.register(on: &api)
        WebhookRoutes.register(on: &api)
        PaymentRoutes.register(on: &api)
        ReconciliationRoutes.register(on: &api)
        RefundRoutes.register(on: &api)
        CourierRoutes.register(on: &api)
        QuoteRoutes.register(on: &api)
        BookingRoutes.register(on: &api)
        TrackingRoutes.register(on: &api)
        ManifestRoutes.register(on: &api)
        api.serveOpenAPI()
        return api
    }
}

extension BahiApplication {
    /// The OpenAPI document as committed (`bahi openapi > openapi.json`): the routes are
    /// registered over a throwaway, unmigrated SQLite store, because registration needs a
    /// context but describing the routes reads nothing.
    public static func openAPIDocument() async throws -> [UInt8] {
        var template = Array("/tmp/bahi-openapi-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw HTTPError(.internalServerError, code: "cannot_create_folder", detail: "mkdtemp failed.") }
        let folder = String(cString: created)
        defer {
            for file in ["bahi.db", "bahi.db-wal", "bahi.db-shm"] { unlink(folder + "/" + file) }
            rmdir(folder)
        }
        var configuration = BahiConfiguration()
        configuration.database.path = folder + "/bahi.db"
        let store = try await SQLiteStore(path: configuration.database.path)
        let api = makeAPI(BahiContext(configuration: configuration, store: store))
        let document = api.openAPIDocument.prettyEncoded()
        await store.close()
        return document
    }
}
