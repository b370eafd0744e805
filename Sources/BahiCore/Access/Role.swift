/// What an API key may do (DESIGN §7). Every route declares the roles it admits.
public enum Role: String, Sendable, CaseIterable, Comparable {
    /// Everything, including keys, backups and the event feed.
    case admin
    /// A storefront acting for exactly one channel (its orders, its holds).
    case storefront
    /// Stock movements, picking, packing.
    case warehouse
    /// Payments, refunds, COD remittance, reports.
    case finance
    /// Read-only: looks at anything a customer asks about, changes nothing.
    case support

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The authenticated caller of a request.
public struct Principal: Sendable, Equatable {
    /// The key's id (`key_…`): what logs, events and idempotency records name.
    public var keyID: String
    public var role: Role
    /// The channel a storefront key is bound to.
    public var channel: String?
    /// The key's own rate limit, when it was created with one; nil follows its role's.
    public var rateLimit: RateLimit?

    public init(keyID: String, role: Role, channel: String? = nil, rateLimit: RateLimit? = nil) {
        self.keyID = keyID
        self.role = role
        self.channel = channel
        self.rateLimit = rateLimit
    }
}
