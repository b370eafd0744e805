/// An endpoint's subscription to event types: an exact type (`inventory.changed`), a family
/// (`order.*`: every type that starts with `order.`), or `*` (everything).
///
/// Why checked against the catalogue at creation: a misspelt pattern would subscribe to
/// nothing and fail silently for ever; an unknown one is a 422 naming the catalogue.
public struct EventPattern: Sendable, Equatable, Hashable {
    public let text: String

    /// The pattern, or nil when it matches no type in the catalogue.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 100 else { return nil }
        self.text = text
        guard EventCatalogue.all.contains(where: { matches($0.type) }) else { return nil }
    }

    /// A pattern stored after `init?(_:)` accepted it: not checked against the catalogue
    /// again (the delivery worker compiles every endpoint's patterns on each turn).
    init(stored text: String) {
        self.text = text
    }

    /// Whether an event of `type` is delivered under this pattern.
    public func matches(_ type: String) -> Bool {
        if text == "*" { return true }
        if text.hasSuffix(".*") { return type.hasPrefix(text.dropLast(1)) }
        return type == text
    }
}
