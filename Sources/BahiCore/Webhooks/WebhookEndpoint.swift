/// A seller's system subscribed to Bahi's events: where deliveries go, which events, and the
/// secret that signs them.
///
/// Why the secret is a field the API never renders from here: it is shown once, at creation
/// and at rotation, by the routes that made it; every other read leaves it out.
public struct WebhookEndpoint: Sendable, Equatable {
    public var id: String
    public var url: String
    /// Patterns as given (`order.*`, `inventory.changed`, `*`), each matching the catalogue.
    public var events: [String]
    /// A channel code: its `inventory.changed` deliveries carry what that channel may sell.
    public var channel: String?
    public var description: String
    public var enabled: Bool
    public var disabledReason: DisabledReason?
    public var secret: String
    public var previousSecret: String?
    /// Until when (Unix ms) `previousSecret` still signs.
    public var previousSecretUntil: Int64?
    /// The last event `seq` deliveries were written for.
    public var cursor: Int64
    /// The first failed attempt since the last success (Unix ms), nil while healthy.
    public var failingSince: Int64?
    /// Failed attempts over the endpoint's life.
    public var failedAttempts: Int64
    public var version: Int64
    public var createdAt: Int64
    public var updatedAt: Int64

    /// Why an endpoint is not receiving.
    public enum DisabledReason: String, Sendable, CaseIterable {
        /// An admin set `enabled: false`.
        case `operator`
        /// The receiver answered 410 Gone.
        case gone
        /// Every attempt failed for `WebhookEndpoints.disableAfterMilliseconds`.
        case failing
    }

    /// The secrets that sign a delivery made at `now`: the current one, and the previous one
    /// for 24 hours after a rotation, so a receiver still holding it keeps accepting.
    public func signingSecrets(now: Int64) -> [String] {
        if let previousSecret, let until = previousSecretUntil, now < until { return [secret, previousSecret] }
        return [secret]
    }

    /// The compiled patterns (checked against the catalogue when they were stored).
    public var patterns: [EventPattern] { events.map { EventPattern(stored: $0) } }

    /// Whether this endpoint receives events of `type`.
    public func receives(_ type: String) -> Bool {
        patterns.contains { $0.matches(type) }
    }
}
