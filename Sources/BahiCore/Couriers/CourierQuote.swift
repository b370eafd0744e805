/// A parcel to price: what the courier weighs and measures, and what it collects.
public struct Parcel: Sendable, Equatable {
    /// Dead weight, packed, in grams.
    public var weightG: Int64
    /// Outer dimensions of the packed box, in millimetres.
    public var lengthMM: Int64
    public var widthMM: Int64
    public var heightMM: Int64
    /// Whether the courier collects the order value in cash.
    public var cod: Bool
    /// The order value: what COD collects and the COD fee's percentage applies to.
    public var valuePaise: Int64

    public init(weightG: Int64, lengthMM: Int64, widthMM: Int64, heightMM: Int64, cod: Bool, valuePaise: Int64) {
        self.weightG = weightG
        self.lengthMM = lengthMM
        self.widthMM = widthMM
        self.heightMM = heightMM
        self.cod = cod
        self.valuePaise = valuePaise
    }

    /// Accepted dead weights (1 g to 1 tonne).
    public static let weightRange: ClosedRange<Int64> = 1...1_000_000
    /// Accepted dimensions (1 mm to 10 m): their product stays far inside Int64.
    public static let dimensionRange: ClosedRange<Int64> = 1...10_000
}

/// What one courier charges for one parcel in one zone (DESIGN §8): the price as its rate card
/// defines it, component by component, so a quote can be checked against the courier's
/// invoice line by line (freight, fuel, COD, GST — Delhivery's `charge_DL`, `charge_FSC`,
/// `charge_COD`, `tax_data`).
///
/// The definition, all integers:
/// - volumetric weight (g) = ⌈length_mm × width_mm × height_mm ÷ divisor⌉ (mm³ ÷ 5000 = g is
///   cm³ ÷ 5000 = kg; the ceiling makes 500.4 g count as more than one 500 g slab, as it does
///   for a courier weighing in kilograms with decimals);
/// - chargeable = max(dead, volumetric, min_chargeable), rounded up to whole slabs;
/// - freight = first + additional × (slabs − 1);
/// - fuel = freight × fuel_bps ÷ 10000;
/// - COD fee = max(fixed, value × percent_bps ÷ 10000) for a COD parcel, else 0;
/// - GST = (freight + fuel + COD fee) × gst_bps ÷ 10000;
/// - each share rounded half-up to the paisa once, where it is computed; total = the sum.
public struct CourierQuote: Sendable, Equatable {
    public var zone: CourierZone
    public var volumetricG: Int64
    /// Chargeable weight after rounding: slabs × slab size.
    public var chargeableG: Int64
    public var slabs: Int64
    public var freightPaise: Int64
    public var fuelPaise: Int64
    public var codFeePaise: Int64
    public var gstPaise: Int64
    /// freight + fuel + COD fee + GST.
    public var totalPaise: Int64

    /// A quote from its parts (tests state expected quotes whole); `price` is how one is made.
    public init(zone: CourierZone, volumetricG: Int64, chargeableG: Int64, slabs: Int64, freightPaise: Int64, fuelPaise: Int64,
                codFeePaise: Int64, gstPaise: Int64, totalPaise: Int64) {
        (self.zone, self.volumetricG, self.chargeableG, self.slabs) = (zone, volumetricG, chargeableG, slabs)
        (self.freightPaise, self.fuelPaise, self.codFeePaise, self.gstPaise, self.totalPaise) = (freightPaise, fuelPaise, codFeePaise, gstPaise, totalPaise)
    }

    /// The price of `parcel` in `zone` on `card`; nil when the card has no price for the zone
    /// (a stored card always has all five) or the price would not fit in 64 bits (a parcel far
    /// above any courier's `max_weight_g` on a card of 1 g slabs: selection never prices one).
    public static func price(_ parcel: Parcel, zone: CourierZone, card: RateCard) -> CourierQuote? {
        guard let rate = card.zones[zone], card.slabG > 0, card.volumetricDivisor > 0,
              let volumetric = volumetricG(parcel, divisor: card.volumetricDivisor) else { return nil }
        let applied = max(parcel.weightG, volumetric, card.minChargeableG, 1)
        let slabs = applied / card.slabG + (applied % card.slabG == 0 ? 0 : 1)
        guard let further = checked(rate.additionalPaise.multipliedReportingOverflow(by: slabs - 1)),
              let freight = checked(rate.firstPaise.addingReportingOverflow(further)),
              let fuel = share(freight, card.fuelSurchargeBps),
              let percent = share(parcel.valuePaise, card.codPercentBps) else { return nil }
        let cod = parcel.cod ? max(card.codFixedPaise, percent) : 0
        guard let taxable = checked(freight.addingReportingOverflow(fuel)).flatMap({ checked($0.addingReportingOverflow(cod)) }),
              let gst = share(taxable, card.gstBps), let total = checked(taxable.addingReportingOverflow(gst)) else { return nil }
        return CourierQuote(zone: zone, volumetricG: volumetric, chargeableG: slabs * card.slabG, slabs: slabs, freightPaise: freight,
                            fuelPaise: fuel, codFeePaise: cod, gstPaise: gst, totalPaise: total)
    }

    /// What `card` charges to bring this parcel back (RTO): `rto.percent_bps_of_forward` of
    /// the forward freight, rounded half-up to the paisa once as every share of the quote is
    /// (freight ₹135.00 at 50 % is ₹67.50). Fuel, COD fee and GST are the forward leg's; cards
    /// state the RTO leg as a share of freight only. Nil on overflow (never within the card's ranges).
    public func rtoChargePaise(card: RateCard) -> Int64? {
        Self.share(freightPaise, card.rtoPercentBpsOfForward)
    }

    /// ⌈length × width × height ÷ divisor⌉ in grams; nil if the volume overflows (it cannot
    /// within `Parcel.dimensionRange`).
    public static func volumetricG(_ parcel: Parcel, divisor: Int64) -> Int64? {
        guard divisor > 0, let area = checked(parcel.lengthMM.multipliedReportingOverflow(by: parcel.widthMM)),
              let volume = checked(area.multipliedReportingOverflow(by: parcel.heightMM)) else { return nil }
        return volume / divisor + (volume % divisor == 0 ? 0 : 1)
    }

    private static func checked(_ result: (partialValue: Int64, overflow: Bool)) -> Int64? {
        result.overflow ? nil : result.partialValue
    }

    /// `paise × bps ÷ 10000`, rounded half-up to the paisa; nil on overflow.
    static func share(_ paise: Int64, _ bps: Int64) -> Int64? {
        checked(paise.multipliedReportingOverflow(by: bps)).map { GST.divideRoundingHalfUp($0, by: 10_000) }
    }
}
