/// Numbered placeholders (`?1`, `?2`, …) for a statement built from fixed fragments, each bound
/// to the value it was made for, in order: the one way records types build a statement whose
/// conditions depend on the request (a list's optional filters) without inlining a value.
public struct Placeholders {
    /// The values bound so far, in placeholder order.
    public private(set) var arguments: [(any SQLValueConvertible)?] = []

    public init() {}

    /// The next placeholder, bound to `value`.
    public mutating func next(_ value: (any SQLValueConvertible)?) -> String {
        arguments.append(value)
        return "?\(arguments.count)"
    }
}
