/// How an order's stock is taken from the seller's locations (warehouses, stores, dark stores).
///
/// The choice trades cost against speed: `priority` follows the seller's own ranking (one main
/// warehouse, overflow elsewhere); `nearest` cuts courier zone and delivery days; and
/// `single_location_first` avoids the second parcel (and second shipping fee, and the higher RTO
/// rate of split COD orders) whenever one location can send everything.
public enum AllocationStrategy: String, Sendable, CaseIterable {
    case priority
    case nearest
    case singleLocationFirst = "single_location_first"
}

/// A location that may fulfil an order, with what it has of the order's stock SKUs.
public struct LocationCandidate: Sendable, Equatable {
    /// The location's merchant code.
    public var code: String
    /// The seller's ranking: lower ships first (as in `locations.priority`).
    public var priority: Int
    /// Where it is; nil when its pincode is unknown, which ranks it after every located one
    /// under `nearest`.
    public var pincode: PincodeInfo?
    /// Stock SKU → units available to sell there now.
    public var available: [String: Int64]

    public init(code: String, priority: Int, pincode: PincodeInfo?, available: [String: Int64] = [:]) {
        self.code = code
        self.priority = priority
        self.pincode = pincode
        self.available = available
    }

    /// Whether this location alone has every unit of `needs` (needs of 0 or less are ignored).
    public func covers(_ needs: [String: Int64]) -> Bool {
        needs.allSatisfy { sku, qty in qty <= 0 || (available[sku] ?? 0) >= qty }
    }
}

/// Orders candidate locations for an order; the caller then reserves location by location in
/// that order (the ledger's conditional updates decide what actually succeeds). Pure: no stock
/// is read or held here, so the same plan can be shown in a "why this warehouse" view.
public enum AllocationPlanner {
    /// The order in which to try locations for an order whose stock needs are `needs` (stock SKU
    /// → units) going to `destination`. Every candidate is returned once per time it was given,
    /// even one with none of the stock: dropping it is the caller's choice, not the planner's.
    ///
    /// - priority: by priority then code.
    /// - nearest: same city (CourierZone A) first, then same state (even where the zone is E,
    ///   as within Assam), then the rest by zone C, D, E, then locations without a known pincode;
    ///   ties by priority then code. Without a destination this is the priority order.
    /// - single_location_first: the best location (by `nearest` order if destination known,
    ///   else priority) that alone covers every need goes first; the rest follow in
    ///   nearest/priority order (split shipping). When none covers everything, the plain
    ///   nearest/priority order.
    public static func rank(_ candidates: [LocationCandidate], needs: [String: Int64], destination: PincodeInfo?,
                            strategy: AllocationStrategy) -> [String] {
        let byPriority = candidates.sorted { a, b in
            a.priority != b.priority ? a.priority < b.priority : a.code < b.code
        }
        let ordered: [LocationCandidate]
        switch strategy {
        case .priority:
            ordered = byPriority
        case .nearest:
            ordered = nearest(byPriority, destination: destination)
        case .singleLocationFirst:
            var base = nearest(byPriority, destination: destination)
            if let index = base.firstIndex(where: { $0.covers(needs) }) {
                base.insert(base.remove(at: index), at: 0)
            }
            ordered = base
        }
        return ordered.map(\.code)
    }

    /// The distance class of shipping from `origin` to `destination`: 0 same city, 1 same state,
    /// 2 metro to metro, 3 rest of India, 4 North-East/J&K/Ladakh/islands, 5 unknown origin.
    public static func distanceClass(from origin: PincodeInfo?, to destination: PincodeInfo) -> Int {
        guard let origin else { return 5 }
        let zone = CourierZone.between(origin: origin, destination: destination)
        if zone == .a { return 0 }
        if origin.stateCode == destination.stateCode { return 1 }
        switch zone {
        case .a: return 0
        case .b: return 1
        case .c: return 2
        case .d: return 3
        case .e: return 4
        }
    }

    /// A stable sort of `byPriority` by distance class, so ties keep priority-then-code order.
    private static func nearest(_ byPriority: [LocationCandidate], destination: PincodeInfo?) -> [LocationCandidate] {
        guard let destination else { return byPriority }
        return byPriority.enumerated()
            .map { (rank: distanceClass(from: $0.element.pincode, to: destination), index: $0.offset, candidate: $0.element) }
            .sorted { $0.rank != $1.rank ? $0.rank < $1.rank : $0.index < $1.index }
            .map(\.candidate)
    }
}
