/// How a courier has done for this seller: of its finished shipments to a destination, the
/// share delivered, the share returned (RTO), and the mean days from pickup to delivery.
///
/// Why smoothed: ten shipments to a pincode prefix say little, so each figure is pulled toward
/// a wider one in proportion to how few samples it has — a prefix toward its state, a state
/// toward the courier's figures for the whole zone — with `priorWeight` pseudo-shipments:
/// `(local + weight × wider) ÷ (samples + weight)`. A prefix is used only once it has
/// `prefixMinimum` shipments of its own. Pure, so the arithmetic is a table test.
public struct CourierPerformance: Sendable, Equatable {
    /// Counts as kept: finished shipments (delivered, RTO or lost), those delivered, those
    /// returned, and the sum of the delivered ones' transit days.
    public struct Tally: Sendable, Equatable {
        public var finished: Int64
        public var delivered: Int64
        public var rto: Int64
        public var transitDays: Int64

        public init(finished: Int64 = 0, delivered: Int64 = 0, rto: Int64 = 0, transitDays: Int64 = 0) {
            (self.finished, self.delivered, self.rto, self.transitDays) = (finished, delivered, rto, transitDays)
        }
    }

    /// The delivered share and RTO share (0…1), mean transit days, and the shipments of the
    /// narrowest level used (the prefix, the state or the zone) behind them.
    public var deliveredShare: Double
    public var rtoShare: Double
    public var meanDays: Double
    public var samples: Int64

    public init(deliveredShare: Double, rtoShare: Double, meanDays: Double, samples: Int64) {
        (self.deliveredShare, self.rtoShare, self.meanDays, self.samples) = (deliveredShare, rtoShare, meanDays, samples)
    }

    /// Pseudo-shipments a wider figure counts for.
    public static let priorWeight: Double = 20
    /// Shipments a pincode prefix needs before it is used at all.
    public static let prefixMinimum: Int64 = 30

    /// What a courier is assumed to do with no history at all: nine in ten delivered, one in
    /// ten returned (Indian D2C RTO rates run 10–30 % for COD), and its expected days.
    public static func assumed(expectedDays: Int64) -> CourierPerformance {
        CourierPerformance(deliveredShare: 0.9, rtoShare: 0.1, meanDays: Double(expectedDays), samples: 0)
    }

    /// `tally` pulled toward `wider`.
    public static func smoothed(_ tally: Tally, toward wider: CourierPerformance, weight: Double = priorWeight) -> CourierPerformance {
        let n = Double(max(0, tally.finished))
        let delivered = Double(max(0, tally.delivered))
        let days = tally.delivered > 0
            ? (Double(tally.transitDays) + weight * wider.meanDays) / (delivered + weight)
            : wider.meanDays
        return CourierPerformance(
            deliveredShare: (delivered + weight * wider.deliveredShare) / (n + weight),
            rtoShare: (Double(max(0, tally.rto)) + weight * wider.rtoShare) / (n + weight),
            meanDays: days, samples: tally.finished)
    }

    /// The estimate for a destination: the zone's tally over the assumption, the state's over
    /// that, and the pincode prefix's over that once it has `prefixMinimum` shipments.
    public static func estimate(zone: Tally, state: Tally, prefix: Tally, expectedDays: Int64) -> CourierPerformance {
        let zoneWide = smoothed(zone, toward: assumed(expectedDays: expectedDays))
        let stateWide = smoothed(state, toward: zoneWide)
        return prefix.finished >= prefixMinimum ? smoothed(prefix, toward: stateWide) : stateWide
    }
}
