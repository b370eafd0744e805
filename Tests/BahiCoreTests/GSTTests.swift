import Testing
import BahiCore
import BahiJSON

/// GST vectors worked by hand (the arithmetic is in each comment), so a change to the rounding
/// rule shows up as a named, explainable failure rather than a diff of magic numbers.
@Suite struct GSTTests {
    private func tax(_ qty: Int64, _ unit: Int64, discount: Int64 = 0, rate: Int64, _ supply: SupplyKind) throws -> GSTLineTax {
        try GST.line(qty: qty, unitPricePaise: unit, discountPaise: discount, rateBps: rate, supply: supply)
    }

    /// The DomainError `body` throws, or nil when it succeeds (or throws anything else).
    private func rejection(_ body: () throws -> Void) -> DomainError? {
        do { try body() } catch let error as DomainError { return error } catch { return nil }
        return nil
    }

    @Test func placeOfSupplyDecidesTheSplit() {
        #expect(GST.supply(seller: .gujarat, placeOfSupply: .gujarat) == .intraState)
        #expect(GST.supply(seller: .gujarat, placeOfSupply: .maharashtra) == .interState)
        #expect(SupplyKind.intraState.rawValue == "intra_state")
        #expect(SupplyKind.interState.rawValue == "inter_state")
    }

    @Test func eighteenPercentIntraState() throws {
        // ₹1,180 incl. 18 %: taxable = 118000 × 10000 / 11800 = 100000 exactly; tax 18000,
        // CGST 9000 + SGST 9000.
        let t = try tax(1, 118_000, rate: 1800, .intraState)
        #expect(t == GSTLineTax(grossPaise: 118_000, discountPaise: 0, totalPaise: 118_000, taxablePaise: 100_000,
                                rateBps: 1800, cgstPaise: 9000, sgstPaise: 9000, igstPaise: 0))
        #expect(t.taxPaise == 18_000)
    }

    @Test func twelvePercentInterState() throws {
        // 2 × ₹560 = 112000; taxable = 1,120,000,000 / 11200 = 100000; IGST 12000.
        let t = try tax(2, 56_000, rate: 1200, .interState)
        #expect(t.grossPaise == 112_000)
        #expect(t.taxablePaise == 100_000)
        #expect(t.igstPaise == 12_000)
        #expect(t.cgstPaise == 0 && t.sgstPaise == 0)
    }

    @Test func fivePercentWithDiscount() throws {
        // 3 × ₹350 = 105000 gross, ₹105 off → 94500; taxable = 945,000,000 / 10500 = 90000;
        // tax 4500, CGST 2250 + SGST 2250.
        let t = try tax(3, 35_000, discount: 10_500, rate: 500, .intraState)
        #expect(t == GSTLineTax(grossPaise: 105_000, discountPaise: 10_500, totalPaise: 94_500, taxablePaise: 90_000,
                                rateBps: 500, cgstPaise: 2250, sgstPaise: 2250, igstPaise: 0))
    }

    @Test func twentyEightPercentInterState() throws {
        // 128000 × 10000 / 12800 = 100000; IGST 28000.
        let t = try tax(1, 128_000, rate: 2800, .interState)
        #expect(t.taxablePaise == 100_000)
        #expect(t.igstPaise == 28_000)
    }

    @Test func zeroRatedLineHasNoTax() throws {
        // 9999 × 10000 / 10000 = 9999; no tax at all.
        let t = try tax(1, 9999, rate: 0, .intraState)
        #expect(t.taxablePaise == 9999)
        #expect(t.taxPaise == 0)
    }

    @Test func threePercentGold() throws {
        // ₹103 incl. 3 %: 10300 × 10000 / 10300 = 10000; tax 300, CGST 150 + SGST 150.
        let t = try tax(1, 10_300, rate: 300, .intraState)
        #expect(t.taxablePaise == 10_000)
        #expect(t.cgstPaise == 150 && t.sgstPaise == 150)
    }

    @Test func quarterPercentAndFortyPercentSlabs() throws {
        // 0.25 %: 1002500 × 10000 / 10025 = 1000000; IGST 2500.
        let stones = try tax(1, 1_002_500, rate: 25, .interState)
        #expect(stones.taxablePaise == 1_000_000 && stones.igstPaise == 2500)
        // 40 %: 140000 × 10000 / 14000 = 100000; tax 40000 split 20000 + 20000.
        let luxury = try tax(1, 140_000, rate: 4000, .intraState)
        #expect(luxury.taxablePaise == 100_000 && luxury.cgstPaise == 20_000 && luxury.sgstPaise == 20_000)
    }

    @Test func exactHalfRoundsUp() throws {
        // 12 %: 14 × 10000 / 11200 = 140000 / 11200 = 12.5 exactly → 13; tax 1.
        let inter = try tax(1, 14, rate: 1200, .interState)
        #expect(inter.taxablePaise == 13)
        #expect(inter.igstPaise == 1)
        // Intra: the single paisa of tax is 0.5 + 0.5; CGST = round_half_up(0.5) = 1, SGST 0.
        let intra = try tax(1, 14, rate: 1200, .intraState)
        #expect(intra.cgstPaise == 1 && intra.sgstPaise == 0)
        // 28 %: 16 × 10000 / 12800 = 12.5 → 13; tax 3, CGST round_half_up(1.5) = 2, SGST 1.
        let t28 = try tax(1, 16, rate: 2800, .intraState)
        #expect(t28.taxablePaise == 13 && t28.cgstPaise == 2 && t28.sgstPaise == 1)
    }

    @Test func belowHalfRoundsDownAndAboveRoundsUp() throws {
        // 18 %: 1000 × 10000 / 11800 = 847.457… → 847 (remainder 5400 < 5900); tax 153, odd:
        // CGST 77, SGST 76.
        let down = try tax(1, 1000, rate: 1800, .intraState)
        #expect(down.taxablePaise == 847 && down.cgstPaise == 77 && down.sgstPaise == 76)
        // 18 %: 100 × 10000 / 11800 = 84.745… → 85 (remainder 8800 ≥ 5900); tax 15 → 8 + 7.
        let up = try tax(1, 100, rate: 1800, .intraState)
        #expect(up.taxablePaise == 85 && up.cgstPaise == 8 && up.sgstPaise == 7)
    }

    @Test func realisticDiscountedLineWithOddTax() throws {
        // 2 × ₹499 = 99800, ₹50 off → 94800. 948,000,000 / 11800 = 80338 r 11600 (≥ 5900) → 80339.
        // tax 14461; CGST round_half_up(7230.5) = 7231, SGST 7230.
        let t = try tax(2, 49_900, discount: 5000, rate: 1800, .intraState)
        #expect(t == GSTLineTax(grossPaise: 99_800, discountPaise: 5000, totalPaise: 94_800, taxablePaise: 80_339,
                                rateBps: 1800, cgstPaise: 7231, sgstPaise: 7230, igstPaise: 0))
    }

    @Test func fullDiscountLeavesNothingToTax() throws {
        let t = try tax(1, 50_000, discount: 50_000, rate: 1800, .intraState)
        #expect(t.totalPaise == 0 && t.taxablePaise == 0 && t.taxPaise == 0)
    }

    @Test func shippingTakesTheHighestLineRate() throws {
        // ₹49 shipping, lines at 5 %, 18 %, 12 % → 18 %: 4900 × 10000 / 11800 = 4152 r 6400 → 4153;
        // tax 747 → CGST 374 + SGST 373 (intra) or IGST 747 (inter).
        let intra = try GST.shipping(paise: 4900, lineRatesBps: [500, 1800, 1200], supply: .intraState)
        #expect(intra == GSTLineTax(grossPaise: 4900, discountPaise: 0, totalPaise: 4900, taxablePaise: 4153,
                                    rateBps: 1800, cgstPaise: 374, sgstPaise: 373, igstPaise: 0))
        let inter = try GST.shipping(paise: 4900, lineRatesBps: [1800], supply: .interState)
        #expect(inter.igstPaise == 747)
        // Only 5 % lines: 4900 × 10000 / 10500 = 4666.67 → 4667; tax 233.
        let low = try GST.shipping(paise: 4900, lineRatesBps: [500, 500], supply: .interState)
        #expect(low.rateBps == 500 && low.taxablePaise == 4667 && low.igstPaise == 233)
    }

    @Test func freeShippingAndNoLines() throws {
        let free = try GST.shipping(paise: 0, lineRatesBps: [1800], supply: .intraState)
        #expect(free.totalPaise == 0 && free.taxPaise == 0)
        let noLines = try GST.shipping(paise: 4900, lineRatesBps: [], supply: .intraState)
        #expect(noLines.rateBps == 0 && noLines.taxablePaise == 4900)
    }

    @Test func orderTotalsAddTheRoundedParts() throws {
        let a = try tax(2, 49_900, discount: 5000, rate: 1800, .intraState)   // 94800 = 80339 + 7231 + 7230
        let b = try tax(3, 35_000, discount: 10_500, rate: 500, .intraState)  // 94500 = 90000 + 2250 + 2250
        let ship = try GST.shipping(paise: 4900, lineRatesBps: [1800, 500], supply: .intraState) // 4900 = 4153 + 374 + 373
        let totals = OrderTotals.sum(lines: [a, b], shipping: ship)
        // subtotal 99800 + 105000 = 204800; discount 5000 + 10500 = 15500; taxable 80339 + 90000 + 4153
        // = 174492; CGST 7231 + 2250 + 374 = 9855; SGST 7230 + 2250 + 373 = 9853; tax 19708;
        // total 94800 + 94500 + 4900 = 194200 = 174492 + 19708 = 204800 − 15500 + 4900.
        #expect(totals == OrderTotals(subtotalPaise: 204_800, discountPaise: 15_500, shippingPaise: 4900,
                                      taxablePaise: 174_492, cgstPaise: 9855, sgstPaise: 9853, igstPaise: 0,
                                      totalPaise: 194_200))
        #expect(totals.taxPaise == 19_708)
        let json = String(decoding: totals.json.encoded(), as: UTF8.self)
        #expect(json == #"{"subtotal_paise":204800,"discount_paise":15500,"shipping_paise":4900,"taxable_paise":174492,"cgst_paise":9855,"sgst_paise":9853,"igst_paise":0,"tax_paise":19708,"total_paise":194200}"#)
    }

    @Test func interStateTotalsCarryOnlyIGST() throws {
        let a = try tax(1, 128_000, rate: 2800, .interState)
        let ship = try GST.shipping(paise: 0, lineRatesBps: [2800], supply: .interState)
        let totals = OrderTotals.sum(lines: [a], shipping: ship)
        #expect(totals.igstPaise == 28_000 && totals.cgstPaise == 0 && totals.taxPaise == 28_000)
        #expect(totals.totalPaise == 128_000)
    }

    @Test func storedLinesSplitLikeComputedOnes() throws {
        for supply in [SupplyKind.intraState, .interState] {
            for (qty, unit, discount, rate): (Int64, Int64, Int64, Int64) in [(2, 49_900, 5000, 1800), (1, 14, 0, 1200), (1, 16, 0, 2800), (3, 35_000, 10_500, 500)] {
                let t = try tax(qty, unit, discount: discount, rate: rate, supply)
                #expect(GSTLineTax.stored(totalPaise: t.totalPaise, discountPaise: discount, taxablePaise: t.taxablePaise, rateBps: rate, supply: supply) == t)
            }
        }
    }

    @Test func lineJSONNamesEveryPart() throws {
        let t = try tax(1, 118_000, rate: 1800, .intraState)
        let json = String(decoding: t.json.encoded(), as: UTF8.self)
        #expect(json == #"{"gross_paise":118000,"discount_paise":0,"total_paise":118000,"taxable_paise":100000,"gst_rate_bps":1800,"cgst_paise":9000,"sgst_paise":9000,"igst_paise":0,"tax_paise":18000}"#)
    }

    @Test func rejectsInvalidLines() {
        func field(_ e: DomainError?) -> String? { e?.problems.first?.field }
        func code(_ e: DomainError?) -> String? { e?.problems.first?.code }

        let qty = rejection { _ = try GST.line(qty: 0, unitPricePaise: 100, discountPaise: 0, rateBps: 1800, supply: .intraState) }
        #expect(qty?.code == .validationFailed && field(qty) == "qty")

        let price = rejection { _ = try GST.line(qty: 1, unitPricePaise: -1, discountPaise: 0, rateBps: 1800, supply: .intraState) }
        #expect(field(price) == "unit_price_paise" && code(price) == "out_of_range")

        let negative = rejection { _ = try GST.line(qty: 1, unitPricePaise: 100, discountPaise: -1, rateBps: 1800, supply: .intraState) }
        #expect(field(negative) == "discount_paise" && code(negative) == "out_of_range")

        // 2 × 50 = 100 gross; 101 off is more than the line.
        let tooMuch = rejection { _ = try GST.line(qty: 2, unitPricePaise: 50, discountPaise: 101, rateBps: 1800, supply: .intraState) }
        #expect(field(tooMuch) == "discount_paise" && code(tooMuch) == "exceeds_gross")

        for rate: Int64 in [1000, 1750, -500, 10_000, 1] {
            let bad = rejection { _ = try GST.line(qty: 1, unitPricePaise: 100, discountPaise: 0, rateBps: rate, supply: .intraState) }
            #expect(field(bad) == "gst_rate_bps" && code(bad) == "invalid")
        }

        let overflow = rejection { _ = try GST.line(qty: .max, unitPricePaise: 2, discountPaise: 0, rateBps: 1800, supply: .intraState) }
        #expect(overflow?.code == .validationFailed && code(overflow) == "too_large")

        let absurd = rejection { _ = try GST.line(qty: 1, unitPricePaise: GST.maxLinePaise + 1, discountPaise: 0, rateBps: 1800, supply: .intraState) }
        #expect(code(absurd) == "too_large")
        #expect((try? GST.line(qty: 1, unitPricePaise: GST.maxLinePaise, discountPaise: 0, rateBps: 4000, supply: .intraState)) != nil)
    }

    @Test func rejectsInvalidShipping() {
        let negative = rejection { _ = try GST.shipping(paise: -1, lineRatesBps: [1800], supply: .intraState) }
        #expect(negative?.problems.first?.field == "shipping_paise")
        let huge = rejection { _ = try GST.shipping(paise: .max, lineRatesBps: [1800], supply: .intraState) }
        #expect(huge?.problems.first?.code == "too_large")
        let rate = rejection { _ = try GST.shipping(paise: 100, lineRatesBps: [1800, 999], supply: .intraState) }
        #expect(rate?.problems.first?.field == "gst_rate_bps")
    }

    @Test func everySlabKeepsTheInvariants() throws {
        // Whatever the amount: taxable + tax = total, CGST − SGST ∈ {0, 1}, nothing negative.
        for rate in GST.rates {
            for total: Int64 in [0, 1, 2, 3, 7, 14, 16, 99, 100, 101, 9_999, 123_457, 1_000_001] {
                let t = try tax(1, total, rate: rate, .intraState)
                #expect(t.taxablePaise + t.taxPaise == t.totalPaise)
                #expect(t.cgstPaise - t.sgstPaise == 0 || t.cgstPaise - t.sgstPaise == 1)
                #expect(t.taxablePaise >= 0 && t.sgstPaise >= 0)
            }
        }
    }
}
