/// The events of the stock ledger and checkout holds, as declared in `EventCatalogue`.
public enum StockEvents {
    /// Every definition of this domain, in catalogue order.
    public static let all: [EventDefinition] = []
}
