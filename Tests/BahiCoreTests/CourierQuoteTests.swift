import Testing
import BahiCore

/// The quote's definition (docs/COURIERS.md, "Rate cards and quotes") on vectors worked by hand:
/// each comment carries the arithmetic, so a change to a rule fails as a named, explainable
/// difference rather than a diff of numbers.
///
/// The card is the sample card of the logistics reference (₹ first 500 g / each further 500 g:
/// A 29.50/23.60, B 33.00/28.30, C 40.10/38.90, D 45.40/44.80, E 56.60/55.50) with a 12.5 % fuel
/// surcharge, a COD fee of ₹36 or 2.5 % whichever is higher (Shiprocket's example), GST 18 %.
@Suite struct CourierQuoteTests {
    static let card: RateCard = {
        var card = RateCard(zones: [
            .a: .init(firstPaise: 2950, additionalPaise: 2360), .b: .init(firstPaise: 3300, additionalPaise: 2830),
            .c: .init(firstPaise: 4010, additionalPaise: 3890), .d: .init(firstPaise: 4540, additionalPaise: 4480),
            .e: .init(firstPaise: 5660, additionalPaise: 5550),
        ])
        card.fuelSurchargeBps = 1250
        card.codFixedPaise = 3600
        card.codPercentBps = 250
        return card
    }()

    static func place(_ pincode: String) throws -> PincodeInfo { try #require(PincodeDirectory.lookup(pincode)) }

    static func zone(_ from: String, _ to: String, extraE: [IndianState] = []) throws -> CourierZone {
        var fields = CourierFields(name: "t", provider: .manual, mode: .surface, maxWeightG: 50_000, rateCard: card)
        fields.zoneEStates = extraE
        return fields.zone(from: try place(from), to: try place(to))
    }

    @Test func suratToGuwahatiCODSevenHundredGrams() throws {
        // Surat (Gujarat) → Guwahati (Assam, North-East): zone E.
        let zone = try Self.zone("395003", "781001")
        #expect(zone == .e)
        // volumetric = 300 × 250 × 40 = 3,000,000 mm³ ÷ 5000 = 600 g; applied = max(700, 600, 0) = 700 g
        // → ⌈700 ÷ 500⌉ = 2 slabs = 1000 g chargeable.
        // freight = 5660 + 5550 × (2 − 1) = 11210; fuel = 11210 × 1250 ÷ 10000 = 1401.25 → 1401;
        // COD = max(3600, 149900 × 250 ÷ 10000 = 3747.5 → 3748) = 3748;
        // GST = (11210 + 1401 + 3748) × 1800 ÷ 10000 = 16359 × 0.18 = 2944.62 → 2945;
        // total = 11210 + 1401 + 3748 + 2945 = 19304 (₹193.04).
        let parcel = Parcel(weightG: 700, lengthMM: 300, widthMM: 250, heightMM: 40, cod: true, valuePaise: 149_900)
        let q = try #require(CourierQuote.price(parcel, zone: zone, card: Self.card))
        #expect(q == CourierQuote(zone: .e, volumetricG: 600, chargeableG: 1000, slabs: 2, freightPaise: 11_210, fuelPaise: 1401,
                                  codFeePaise: 3748, gstPaise: 2945, totalPaise: 19_304))
    }

    @Test func mumbaiToPunePrepaidTwoPointThreeKilos() throws {
        // Mumbai (MUMBAI) → Pune (PUNE): same state, another district: zone B.
        let zone = try Self.zone("400001", "411001")
        #expect(zone == .b)
        // volumetric = 300 × 200 × 100 = 6,000,000 ÷ 5000 = 1200 g; applied = 2300 g → ⌈2300 ÷ 500⌉ = 5 slabs = 2500 g.
        // freight = 3300 + 2830 × 4 = 14620; fuel = 14620 × 0.125 = 1827.5 → 1828 (half up);
        // COD 0 (prepaid); GST = (14620 + 1828) × 0.18 = 16448 × 0.18 = 2960.64 → 2961;
        // total = 14620 + 1828 + 0 + 2961 = 19409 (₹194.09).
        let parcel = Parcel(weightG: 2300, lengthMM: 300, widthMM: 200, heightMM: 100, cod: false, valuePaise: 250_000)
        let q = try #require(CourierQuote.price(parcel, zone: zone, card: Self.card))
        #expect(q == CourierQuote(zone: .b, volumetricG: 1200, chargeableG: 2500, slabs: 5, freightPaise: 14_620, fuelPaise: 1828,
                                  codFeePaise: 0, gstPaise: 2961, totalPaise: 19_409))
    }

    @Test func delhiToBengaluruVolumetricHeavyBox() throws {
        // New Delhi → Bengaluru Urban: two metros: zone C.
        let zone = try Self.zone("110001", "560001")
        #expect(zone == .c)
        // A light, bulky box: 500 × 400 × 300 = 60,000,000 mm³ ÷ 5000 = 12000 g volumetric against 1500 g dead;
        // applied = 12000 g → 24 slabs = 12000 g.
        // freight = 4010 + 3890 × 23 = 4010 + 89470 = 93480; fuel = 93480 × 0.125 = 11685 exactly;
        // COD ₹999: 99900 × 250 ÷ 10000 = 2497.5 → 2498 < 3600, so the fixed 3600;
        // GST = (93480 + 11685 + 3600) × 0.18 = 108765 × 0.18 = 19577.7 → 19578;
        // total = 93480 + 11685 + 3600 + 19578 = 128343 (₹1,283.43).
        let parcel = Parcel(weightG: 1500, lengthMM: 500, widthMM: 400, heightMM: 300, cod: true, valuePaise: 99_900)
        let q = try #require(CourierQuote.price(parcel, zone: zone, card: Self.card))
        #expect(q == CourierQuote(zone: .c, volumetricG: 12_000, chargeableG: 12_000, slabs: 24, freightPaise: 93_480, fuelPaise: 11_685,
                                  codFeePaise: 3600, gstPaise: 19_578, totalPaise: 128_343))
    }

    @Test func aFractionOfAGramOverASlabIsAnotherSlab() throws {
        // 1001 × 500 × 1 = 500,500 mm³ ÷ 1000 (divisor) = 500.5 g → 501 g volumetric → 2 slabs of 500 g,
        // though the dead weight (100 g) fits in one: a courier weighing in kilograms with decimals
        // would read 0.5005 kg and charge two slabs too.
        var card = Self.card
        card.volumetricDivisor = 1000
        let q = try #require(CourierQuote.price(Parcel(weightG: 100, lengthMM: 1001, widthMM: 500, heightMM: 1, cod: false, valuePaise: 0), zone: .a, card: card))
        #expect(q.volumetricG == 501)
        #expect(q.slabs == 2)
        // freight = 2950 + 2360 = 5310; fuel = 663.75 → 664; GST = (5310 + 664) × 0.18 = 1075.32 → 1075; total 7049.
        #expect((q.freightPaise, q.fuelPaise, q.gstPaise, q.totalPaise) == (5310, 664, 1075, 7049))
    }

    @Test func theMinimumChargeableWeightAndTheSlabSizeApply() throws {
        // min 1000 g, slabs of 250 g, no fuel, no GST: a 100 g parcel is charged ⌈1000 ÷ 250⌉ = 4 slabs:
        // 1000 + 3 × 800 = 3400.
        var card = RateCard(zones: [.a: .init(firstPaise: 1000, additionalPaise: 800), .b: .init(firstPaise: 1, additionalPaise: 1),
                                    .c: .init(firstPaise: 1, additionalPaise: 1), .d: .init(firstPaise: 1, additionalPaise: 1),
                                    .e: .init(firstPaise: 1, additionalPaise: 1)])
        card.minChargeableG = 1000
        card.slabG = 250
        card.gstBps = 0
        let q = try #require(CourierQuote.price(Parcel(weightG: 100, lengthMM: 10, widthMM: 10, heightMM: 10, cod: false, valuePaise: 0), zone: .a, card: card))
        #expect((q.chargeableG, q.slabs, q.freightPaise, q.fuelPaise, q.gstPaise, q.totalPaise) == (1000, 4, 3400, 0, 0, 3400))
    }

    @Test func aCardWithoutTheZoneGivesNoPrice() {
        let card = RateCard(zones: [.a: .init(firstPaise: 1, additionalPaise: 1)])
        #expect(CourierQuote.price(Parcel(weightG: 1, lengthMM: 1, widthMM: 1, heightMM: 1, cod: false, valuePaise: 0), zone: .d, card: card) == nil)
        #expect(card.problems().map(\.field) == ["rate_card.zones.B", "rate_card.zones.C", "rate_card.zones.D", "rate_card.zones.E"])
    }

    @Test func aPriceTooLargeForSixtyFourBitsIsNoPriceNotATrap() {
        // The largest box (10 m a side) on a card of 1 g slabs at ₹1,00,000 each, divisor 1000:
        // 10^12 mm³ ÷ 1000 = 10^9 g → 10^9 slabs → freight ≈ 10^16 paise; × 10000 bps of fuel
        // would be 10^20, past Int64. Selection never prices it (no courier takes 10^9 g), and
        // `price` answers nil rather than trapping the server.
        var card = Self.card
        card.slabG = 1
        card.volumetricDivisor = 1000
        card.fuelSurchargeBps = 10_000
        card.zones[.d] = .init(firstPaise: RateCard.maxPaise, additionalPaise: RateCard.maxPaise)
        let huge = Parcel(weightG: 1, lengthMM: 10_000, widthMM: 10_000, heightMM: 10_000, cod: false, valuePaise: 0)
        #expect(CourierQuote.price(huge, zone: .d, card: card) == nil)
        #expect(CourierQuote.volumetricG(huge, divisor: 1000) == 1_000_000_000)
    }

    @Test func aCouriersOwnZoneEStatesRaiseItsZones() throws {
        // Surat → Kochi (Kerala) is D for the built-in list; Shiprocket adds Kerala and Himachal Pradesh.
        #expect(try Self.zone("395003", "682001") == .d)
        #expect(try Self.zone("395003", "682001", extraE: [.kerala, .himachalPradesh]) == .e)
        #expect(try Self.zone("682001", "395003", extraE: [.kerala]) == .e)
        // A parcel across Ernakulam stays a local delivery (A), as across Guwahati it does.
        #expect(try Self.zone("682001", "682001", extraE: [.kerala]) == .a)
        #expect(try Self.zone("781001", "781001") == .a)
        // The built-in states stay E without being listed.
        #expect(try Self.zone("395003", "781001", extraE: [.kerala]) == .e)
    }

    @Test func expectedDaysPerZoneAndMode() {
        #expect(CourierZone.allCases.map { CourierFields.Mode.surface.expectedDays($0) } == [2, 3, 4, 5, 7])
        #expect(CourierZone.allCases.map { CourierFields.Mode.air.expectedDays($0) } == [1, 2, 2, 3, 4])
    }
}
