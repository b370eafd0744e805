/// The events of shipments, picklists and invoices, as declared in `EventCatalogue`.
public enum FulfilmentEvents {
    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = []
}
