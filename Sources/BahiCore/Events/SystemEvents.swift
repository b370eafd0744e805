/// The events of keys, backups and imports, as declared in `EventCatalogue`.
public enum SystemEvents {
    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = []
}
