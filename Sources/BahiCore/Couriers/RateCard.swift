public import BahiJSON

/// What a courier charges, as the seller's agreement with it states it (DESIGN §8): a price
/// per zone for the first slab and for each further slab, how weight is made chargeable, and
/// the fees on top (fuel, COD, GST). Stored as data (`couriers` and `courier_rates`), so a
/// new card or a revised fuel surcharge is a PUT, never a release.
///
/// Why whole-slab prices rather than per-kilogram: every Indian card (Shiprocket's, Delhivery's
/// reseller sheets) prices "first 500 g" and "each additional 500 g" by zone; a parcel of
/// 1.2 kg in zone D at ₹45.40/₹44.80 is 3 slabs, ₹45.40 + 2 × ₹44.80 = ₹135.00.
public struct RateCard: Sendable, Equatable {
    /// The price of one zone: the first slab, and each slab after it.
    public struct ZoneRate: Sendable, Equatable {
        public var firstPaise: Int64
        public var additionalPaise: Int64

        public init(firstPaise: Int64, additionalPaise: Int64) {
            self.firstPaise = firstPaise
            self.additionalPaise = additionalPaise
        }
    }

    /// The price of each zone; a stored card has all five (`problems` refuses one without).
    public var zones: [CourierZone: ZoneRate]
    /// The weight step prices are per (grams); chargeable weight is rounded up to whole slabs.
    public var slabG: Int64 = 500
    /// Cubic millimetres per gram of volumetric weight: L×B×H (cm) / 5000 = kg is
    /// L×B×H (mm) / 5000 = g, so the usual divisor carries over to millimetres unchanged.
    public var volumetricDivisor: Int64 = 5000
    /// The least weight charged, before rounding to slabs (0: one slab is the least anyway).
    public var minChargeableG: Int64 = 0
    /// COD fee: the larger of a fixed amount and a share of the order value.
    public var codFixedPaise: Int64 = 0
    public var codPercentBps: Int64 = 0
    /// What a return to origin costs, as a share of the forward freight ("RTO: same as
    /// forward" is 10000). Kept for the RTO-cost estimate; quotes price the forward leg.
    public var rtoPercentBpsOfForward: Int64 = 10_000
    /// The courier's fuel surcharge on freight, revised by it from time to time.
    public var fuelSurchargeBps: Int64 = 0
    /// GST on the courier's service (SAC 9968, 18 %), charged on freight + fuel + COD fee.
    public var gstBps: Int64 = 1800

    /// A card with these zone prices and every other term at its default.
    public init(zones: [CourierZone: ZoneRate]) {
        self.zones = zones
    }

    /// The largest price of a slab or fixed fee accepted (₹1,00,000): far above any parcel's,
    /// small enough that slabs × price never overflows.
    public static let maxPaise: Int64 = 10_000_000
    /// Accepted slab sizes (1 g to 100 kg).
    public static let slabRange: ClosedRange<Int64> = 1...100_000
    /// Accepted volumetric divisors (couriers use 4000, 5000 or 6000).
    public static let divisorRange: ClosedRange<Int64> = 1_000...100_000
    /// Accepted minimum chargeable weights (up to 100 kg).
    public static let minChargeableRange: ClosedRange<Int64> = 0...100_000
    /// Accepted shares in basis points for COD, fuel and GST (0 to 100 %).
    public static let bpsRange: ClosedRange<Int64> = 0...10_000
    /// Accepted RTO shares (0 to 500 % of forward: some cards charge RTO plus a fee).
    public static let rtoRange: ClosedRange<Int64> = 0...50_000

    /// Every problem with the card, each named under `rate_card` as the request spells it
    /// (`rate_card.zones.C.first_paise`).
    public func problems(field: String = "rate_card") -> [FieldProblem] {
        var out: [FieldProblem] = []
        func check(_ value: Int64, _ range: ClosedRange<Int64>, _ name: String) {
            if let p = CatalogRules.rangeProblem(value, range, field: "\(field).\(name)") { out.append(p) }
        }
        for zone in CourierZone.allCases {
            guard let rate = zones[zone] else {
                out.append(FieldProblem("\(field).zones.\(zone.rawValue)", "required", "Every zone A to E needs {first_paise, additional_paise}."))
                continue
            }
            check(rate.firstPaise, 0...Self.maxPaise, "zones.\(zone.rawValue).first_paise")
            check(rate.additionalPaise, 0...Self.maxPaise, "zones.\(zone.rawValue).additional_paise")
        }
        check(slabG, Self.slabRange, "slab_g")
        check(volumetricDivisor, Self.divisorRange, "volumetric_divisor")
        check(minChargeableG, Self.minChargeableRange, "min_chargeable_g")
        check(codFixedPaise, 0...Self.maxPaise, "cod_fee.fixed_paise")
        check(codPercentBps, Self.bpsRange, "cod_fee.percent_bps")
        check(rtoPercentBpsOfForward, Self.rtoRange, "rto.percent_bps_of_forward")
        check(fuelSurchargeBps, Self.bpsRange, "fuel_surcharge_bps")
        check(gstBps, Self.bpsRange, "gst_bps")
        return out
    }

    /// The card as the API shows it and events carry it (the request's shape).
    public var json: JSONValue {
        var zoneObject = JSONObject()
        for zone in CourierZone.allCases {
            guard let rate = zones[zone] else { continue }
            zoneObject[zone.rawValue] = .object(["first_paise": .int(rate.firstPaise), "additional_paise": .int(rate.additionalPaise)])
        }
        return .object([
            "zones": .object(zoneObject),
            "slab_g": .int(slabG),
            "volumetric_divisor": .int(volumetricDivisor),
            "min_chargeable_g": .int(minChargeableG),
            "cod_fee": .object(["fixed_paise": .int(codFixedPaise), "percent_bps": .int(codPercentBps)]),
            "rto": .object(["percent_bps_of_forward": .int(rtoPercentBpsOfForward)]),
            "fuel_surcharge_bps": .int(fuelSurchargeBps),
            "gst_bps": .int(gstBps),
        ])
    }
}
