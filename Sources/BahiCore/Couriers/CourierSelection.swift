/// Which couriers can carry a parcel between two pincodes, what each would charge, and why the
/// others cannot: the pure part of a quote, with every fact handed in (couriers, their rows
/// for the two pincodes, pickups booked today), so it is tested without a database.
public enum CourierSelection {
    /// Why a courier was left out. When several apply, the first in this order is given:
    /// a reason earlier in the list makes the later ones moot (an inactive courier's
    /// serviceability does not matter; a pincode it does not serve cannot be embargoed for it).
    public enum Reason: String, Sendable, CaseIterable {
        /// The courier is switched off (`active: false`).
        case inactive
        /// It does not pick up at the origin, or does not deliver to the destination (no row,
        /// or its row says N for pickup, or for prepaid delivery of a prepaid parcel).
        case notServiceable = "not_serviceable"
        /// Either pincode is embargoed for it just now (Delhivery's "Embargo" remark).
        case embargo
        /// A COD parcel, and the courier takes no COD, or not at the destination.
        case codNotAvailable = "cod_not_available"
        /// Dead or volumetric weight (its divisor) above its `max_weight_g`.
        case overweight
        /// Its day's pickups are booked up (`daily_pickup_capacity`).
        case pickupCapacityFull = "pickup_capacity_full"
    }

    /// A courier that can carry the parcel, with its price.
    public struct Offer: Sendable, Equatable {
        public var courier: String
        public var quote: CourierQuote
        public var expectedDays: Int64

        public init(courier: String, quote: CourierQuote, expectedDays: Int64) {
            (self.courier, self.quote, self.expectedDays) = (courier, quote, expectedDays)
        }
    }

    /// A courier that cannot, and why.
    public struct Exclusion: Sendable, Equatable {
        public var courier: String
        public var reason: Reason
    }

    /// Every courier, each either offered or excluded.
    public struct Result: Sendable, Equatable {
        /// Cheapest first (then fewer days, then code).
        public var offers: [Offer]
        /// In code order.
        public var exclusions: [Exclusion]
    }

    /// A courier's serviceability rows for the two ends (the same row twice when they are one
    /// pincode); nil where it has none.
    public struct Ends: Sendable, Equatable {
        public var origin: PincodeService?
        public var destination: PincodeService?

        public init(origin: PincodeService?, destination: PincodeService?) {
            self.origin = origin
            self.destination = destination
        }
    }

    /// Offers and exclusions for `parcel` from `origin` to `destination` over `couriers`.
    /// `ends` holds each courier's rows by code; `bookedToday` the parcels each has booked
    /// for today's pickup (absent: none).
    public static func select(
        couriers: [Courier], origin: PincodeInfo, destination: PincodeInfo, parcel: Parcel, ends: [String: Ends], bookedToday: [String: Int64] = [:]
    ) -> Result {
        var offers: [Offer] = []
        var exclusions: [Exclusion] = []
        offers.reserveCapacity(couriers.count)
        // The zone between the two places is the same for every courier (only its zone-E
        // states raise it), and deciding it compares district names: once per quote.
        let base = CourierZone.between(origin: origin, destination: destination)
        for courier in couriers {
            let f = courier.fields
            let zone = f.zone(base: base, from: origin, to: destination)
            let end = ends[courier.code] ?? Ends(origin: nil, destination: nil)
            // Priced only once it may carry the parcel: within its weight limit the price
            // cannot overflow. A card without the zone's price (never stored) serves nothing.
            if let reason = reason(courier, end: end, parcel: parcel, booked: bookedToday[courier.code] ?? 0) {
                exclusions.append(Exclusion(courier: courier.code, reason: reason))
            } else if let quote = CourierQuote.price(parcel, zone: zone, card: f.rateCard) {
                offers.append(Offer(courier: courier.code, quote: quote, expectedDays: f.mode.expectedDays(zone)))
            } else {
                exclusions.append(Exclusion(courier: courier.code, reason: .notServiceable))
            }
        }
        offers.sort {
            ($0.quote.totalPaise, $0.expectedDays, $0.courier) < ($1.quote.totalPaise, $1.expectedDays, $1.courier)
        }
        exclusions.sort { $0.courier < $1.courier }
        return Result(offers: offers, exclusions: exclusions)
    }

    /// The first reason (in `Reason`'s order) the courier cannot carry the parcel, or nil.
    static func reason(_ courier: Courier, end: Ends, parcel: Parcel, booked: Int64) -> Reason? {
        let f = courier.fields
        guard f.active else { return .inactive }
        guard let from = end.origin, from.pickup, let to = end.destination, to.prepaid || to.cod, parcel.cod || to.prepaid else {
            return .notServiceable
        }
        if from.embargo || to.embargo { return .embargo }
        if parcel.cod, !f.cod || !to.cod { return .codNotAvailable }
        guard let volumetric = CourierQuote.volumetricG(parcel, divisor: f.rateCard.volumetricDivisor),
              max(parcel.weightG, volumetric) <= f.maxWeightG else { return .overweight }
        if let capacity = f.dailyPickupCapacity, booked >= capacity { return .pickupCapacityFull }
        return nil
    }
}
