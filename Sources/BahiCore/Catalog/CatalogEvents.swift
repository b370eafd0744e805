/// The events of SKUs, locations and channels, as declared in `EventCatalogue`.
public enum CatalogEvents {
    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = []
}
