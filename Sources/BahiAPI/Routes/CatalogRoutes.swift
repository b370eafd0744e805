/// SKUs, kits, locations and channels (filled in by the catalog work).
enum CatalogRoutes {
    static func register(on api: inout API) {}
}
