/// The events of orders, as declared in `EventCatalogue`.
public enum OrderEvents {
    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = []
}
