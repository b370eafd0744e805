/// The seller's rules for taking orders, from configuration, as the core sees them (the
/// core never reads configuration itself, so tests state the rules they exercise).
public struct OrderPolicy: Sendable {
    /// The seller's GST identity from configuration: the default `SellerProfiles.current`
    /// falls back to while no profile is stored. Flows replace it with the profile in force
    /// (`SellerPolicy.applied`) before intake, edits and packing read it.
    public var seller = SellerProfile()
    /// COD orders above this total are refused.
    public var codMaxPaise: Int64 = 5_000_000
    public var codDisabledChannels: Set<String> = []
    public var codBlockedPincodes: Set<String> = []
    /// COD orders scoring at least this go on hold (101 = never).
    public var riskHoldThreshold = 60
    /// How long a prepaid order waits for payment.
    public var paymentExpiryMilliseconds: Int64 = 30 * 60_000
    public var allocationStrategy: AllocationStrategy = .priority
    public var channelStrategies: [String: AllocationStrategy] = [:]
    public var invoicePrefix = "INV"

    public init() {}

    /// The allocation strategy for a channel's orders.
    public func strategy(for channel: String) -> AllocationStrategy {
        channelStrategies[channel] ?? allocationStrategy
    }
}
