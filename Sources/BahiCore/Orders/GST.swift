public import BahiJSON

/// Whether a sale is taxed within one state (CGST + SGST) or across states (IGST).
///
/// The split matters beyond the invoice: CGST/SGST go half to the Centre and half to the state,
/// IGST wholly to the Centre, and the seller's returns (GSTR-1) report them in different tables.
/// The raw values are what JSON and the store carry.
public enum SupplyKind: String, Sendable, CaseIterable {
    case intraState = "intra_state"
    case interState = "inter_state"
}

/// The GST breakdown of one invoice line (or of the shipping charge), all in paise.
///
/// Prices in Indian B2C retail are GST-inclusive: the buyer pays `totalPaise` and the tax is
/// carved out of it, never added on top. Storing every part (rather than recomputing) keeps the
/// invoice, the order and the GST return agreeing to the paisa even if rounding rules change.
public struct GSTLineTax: Sendable, Equatable {
    /// Quantity × unit price, GST-inclusive, before the discount.
    public var grossPaise: Int64
    /// The line's discount, taken off the inclusive price (so it lowers the tax too).
    public var discountPaise: Int64
    /// Gross − discount: what the buyer pays for the line, tax included.
    public var totalPaise: Int64
    /// The value the tax is levied on: `totalPaise` less the tax.
    public var taxablePaise: Int64
    /// The GST rate in basis points (1800 = 18 %).
    public var rateBps: Int64
    /// Central GST, intra-state supplies only.
    public var cgstPaise: Int64
    /// State (or Union Territory) GST, intra-state supplies only.
    public var sgstPaise: Int64
    /// Integrated GST, inter-state supplies only.
    public var igstPaise: Int64

    /// All GST on the line; always `totalPaise − taxablePaise`.
    public var taxPaise: Int64 { cgstPaise + sgstPaise + igstPaise }

    /// Rebuilds a line from stored parts; `GST.line` and `GST.shipping` are the way to compute one.
    public init(grossPaise: Int64, discountPaise: Int64, totalPaise: Int64, taxablePaise: Int64, rateBps: Int64,
                cgstPaise: Int64, sgstPaise: Int64, igstPaise: Int64) {
        self.grossPaise = grossPaise
        self.discountPaise = discountPaise
        self.totalPaise = totalPaise
        self.taxablePaise = taxablePaise
        self.rateBps = rateBps
        self.cgstPaise = cgstPaise
        self.sgstPaise = sgstPaise
        self.igstPaise = igstPaise
    }

    /// Rebuilds a line from the two amounts an order row stores (`total` and `taxable`), splitting
    /// the tax by `supply` exactly as `GST.line` does (CGST takes the odd paisa), so the store
    /// need not keep columns that are always derivable. `grossPaise` is `total + discount`.
    public static func stored(totalPaise: Int64, discountPaise: Int64, taxablePaise: Int64, rateBps: Int64,
                              supply: SupplyKind) -> GSTLineTax {
        let tax = totalPaise - taxablePaise
        var cgst: Int64 = 0, sgst: Int64 = 0, igst: Int64 = 0
        switch supply {
        case .intraState:
            cgst = GST.halfRoundingUp(tax)
            sgst = tax - cgst
        case .interState:
            igst = tax
        }
        return GSTLineTax(grossPaise: totalPaise + discountPaise, discountPaise: discountPaise, totalPaise: totalPaise,
                          taxablePaise: taxablePaise, rateBps: rateBps, cgstPaise: cgst, sgstPaise: sgst, igstPaise: igst)
    }

    /// The line's tax as the API shows it, with the same key names an order line uses
    /// (`gst_rate_bps` as in the catalog).
    public var json: JSONValue {
        .object([
            "gross_paise": .number(JSONNumber(grossPaise)), "discount_paise": .number(JSONNumber(discountPaise)),
            "total_paise": .number(JSONNumber(totalPaise)), "taxable_paise": .number(JSONNumber(taxablePaise)),
            "gst_rate_bps": .number(JSONNumber(rateBps)), "cgst_paise": .number(JSONNumber(cgstPaise)),
            "sgst_paise": .number(JSONNumber(sgstPaise)), "igst_paise": .number(JSONNumber(igstPaise)),
            "tax_paise": .number(JSONNumber(taxPaise)),
        ])
    }
}

/// GST on GST-inclusive B2C prices (DESIGN §2, §8): the place-of-supply rule and the per-line
/// arithmetic, in integer paise and basis points, with no floating point anywhere.
///
/// Rounding happens once per line, half-up to the paisa (DESIGN §2), so an invoice's lines add
/// up to its totals exactly and no order-level re-rounding can disagree with them.
public enum GST {
    /// The rates a line may carry, in basis points. This is `GSTRate.slabs` (the catalog's list)
    /// plus 100 (1 %), which the tax arithmetic accepts so that a rate the catalog may add later
    /// needs no change here; the catalog remains the gate for what a SKU can be given.
    public static let rates: [Int64] = [0, 25, 100, 300, 500, 1200, 1800, 2800, 4000]

    /// The largest amount, in paise, one line (or the shipping charge) may come to: ₹100 crore.
    /// Far above any real D2C order, and low enough that `total × 10000` and the sum of
    /// millions of such lines both stay inside Int64, so `OrderTotals.sum` cannot overflow.
    public static let maxLinePaise: Int64 = 100_000_000_000

    /// SAC (Services Accounting Code) printed for the shipping charge: 996812, courier services.
    public static let shippingSAC = "996812"

    /// Same state → intra-state (CGST + SGST), otherwise inter-state (IGST): section 10 of the
    /// IGST Act for goods delivered to the buyer, where the place of supply is the delivery state.
    public static func supply(seller: IndianState, placeOfSupply: IndianState) -> SupplyKind {
        seller == placeOfSupply ? .intraState : .interState
    }

    /// The tax in one line of `qty` units at a GST-inclusive `unitPricePaise`, less a line
    /// discount.
    ///
    /// Prices are GST-inclusive (Indian B2C). Rounded once per line, half-up to the paisa:
    /// taxable = round_half_up(total × 10000 / (10000 + rate)); tax = total − taxable;
    /// intra: cgst = round_half_up(tax / 2), sgst = tax − cgst (CGST takes the odd paisa);
    /// inter: igst = tax. The discount is applied to the inclusive price before the tax is
    /// carved out, because a discount shown on the invoice reduces the transaction value
    /// (section 15(3) of the CGST Act).
    ///
    /// Throws `validation_failed` naming the field: `qty` below 1, `unit_price_paise` or
    /// `discount_paise` negative, `discount_paise` above the gross, `gst_rate_bps` not one of
    /// `rates`, or an amount above `maxLinePaise` (code `too_large`, checked without overflow).
    public static func line(qty: Int64, unitPricePaise: Int64, discountPaise: Int64, rateBps: Int64,
                            supply: SupplyKind) throws(DomainError) -> GSTLineTax {
        guard qty >= 1 else { throw DomainError.invalid("qty", "out_of_range", "Must be at least 1.") }
        guard unitPricePaise >= 0 else {
            throw DomainError.invalid("unit_price_paise", "out_of_range", "Must not be negative.")
        }
        guard discountPaise >= 0 else {
            throw DomainError.invalid("discount_paise", "out_of_range", "Must not be negative.")
        }
        try checkRate(rateBps, field: "gst_rate_bps")
        let (gross, overflow) = qty.multipliedReportingOverflow(by: unitPricePaise)
        guard !overflow, gross <= maxLinePaise else {
            throw DomainError.invalid("unit_price_paise", "too_large",
                                      "qty × unit_price_paise must not exceed \(maxLinePaise) paise.")
        }
        guard discountPaise <= gross else {
            throw DomainError.invalid("discount_paise", "exceeds_gross",
                                      "Must not exceed qty × unit_price_paise (\(gross) paise).")
        }
        return split(gross: gross, discount: discountPaise, rateBps: rateBps, supply: supply)
    }

    /// The tax in the shipping charge `paise` (GST-inclusive, like item prices).
    ///
    /// Shipping is taxed as a composite supply at the highest rate among the lines (principal
    /// supply), SAC 996812: delivering the goods is part of selling them (section 8(a) of the
    /// CGST Act), and where the lines differ the highest rate is the conservative reading that
    /// a GST officer cannot dispute upwards. With no lines the rate is 0.
    ///
    /// Throws `validation_failed` for a negative charge or one above `maxLinePaise` (`shipping_paise`) and for a
    /// line rate that is not one of `rates` (`gst_rate_bps`).
    public static func shipping(paise: Int64, lineRatesBps: [Int64], supply: SupplyKind) throws(DomainError) -> GSTLineTax {
        guard paise >= 0 else { throw DomainError.invalid("shipping_paise", "out_of_range", "Must not be negative.") }
        guard paise <= maxLinePaise else {
            throw DomainError.invalid("shipping_paise", "too_large", "Must not exceed \(maxLinePaise) paise.")
        }
        var rate: Int64 = 0
        for r in lineRatesBps {
            try checkRate(r, field: "gst_rate_bps")
            rate = max(rate, r)
        }
        return split(gross: paise, discount: 0, rateBps: rate, supply: supply)
    }

    /// `numerator / denominator` rounded half-up, for non-negative numerator and positive
    /// denominator; computed from quotient and remainder so it never overflows.
    static func divideRoundingHalfUp(_ numerator: Int64, by denominator: Int64) -> Int64 {
        let q = numerator / denominator
        let r = numerator % denominator
        // r ≥ denominator − r  ⇔  2r ≥ denominator, without computing 2r.
        return r >= denominator - r ? q + 1 : q
    }

    /// Half of a non-negative tax, rounded half-up: CGST's share, SGST taking the rest.
    static func halfRoundingUp(_ tax: Int64) -> Int64 {
        divideRoundingHalfUp(tax, by: 2)
    }

    private static func checkRate(_ rateBps: Int64, field: String) throws(DomainError) {
        guard rates.contains(rateBps) else {
            throw DomainError.invalid(field, "invalid",
                                      "One of the GST slabs in basis points: \(rates.map(String.init).joined(separator: ", ")).")
        }
    }

    /// The arithmetic, on validated inputs (total ≤ maxLinePaise, so total × 10000 fits).
    private static func split(gross: Int64, discount: Int64, rateBps: Int64, supply: SupplyKind) -> GSTLineTax {
        let total = gross - discount
        let taxable = divideRoundingHalfUp(total * 10_000, by: 10_000 + rateBps)
        var tax = GSTLineTax.stored(totalPaise: total, discountPaise: discount, taxablePaise: taxable, rateBps: rateBps, supply: supply)
        tax.grossPaise = gross
        return tax
    }
}

/// An order's money, summed from its already-rounded lines and shipping: never recomputed from
/// rates, so the order, its invoice and the GST return cannot disagree by a paisa.
///
/// Invariants: `totalPaise = subtotalPaise − discountPaise + shippingPaise = taxablePaise + taxPaise`.
public struct OrderTotals: Sendable, Equatable {
    /// Sum of the lines' gross (qty × inclusive unit price), before discounts; shipping excluded.
    public var subtotalPaise: Int64
    /// Sum of the lines' discounts.
    public var discountPaise: Int64
    /// The shipping charge the buyer pays, tax included.
    public var shippingPaise: Int64
    /// Taxable value of the lines and the shipping.
    public var taxablePaise: Int64
    public var cgstPaise: Int64
    public var sgstPaise: Int64
    public var igstPaise: Int64
    /// All GST on the order; always the sum of the three parts.
    public var taxPaise: Int64 { cgstPaise + sgstPaise + igstPaise }
    /// What the buyer pays: line totals plus the shipping total.
    public var totalPaise: Int64

    /// Rebuilds totals from stored parts; `sum` is the way to compute them.
    public init(subtotalPaise: Int64, discountPaise: Int64, shippingPaise: Int64, taxablePaise: Int64,
                cgstPaise: Int64, sgstPaise: Int64, igstPaise: Int64, totalPaise: Int64) {
        self.subtotalPaise = subtotalPaise
        self.discountPaise = discountPaise
        self.shippingPaise = shippingPaise
        self.taxablePaise = taxablePaise
        self.cgstPaise = cgstPaise
        self.sgstPaise = sgstPaise
        self.igstPaise = igstPaise
        self.totalPaise = totalPaise
    }

    /// Adds up lines computed by `GST.line` and a shipping charge from `GST.shipping`. Each
    /// part is at most `GST.maxLinePaise`, so the sums cannot overflow for any order of fewer
    /// than 90 million lines.
    public static func sum(lines: [GSTLineTax], shipping: GSTLineTax) -> OrderTotals {
        var t = OrderTotals(subtotalPaise: 0, discountPaise: 0, shippingPaise: shipping.totalPaise,
                            taxablePaise: shipping.taxablePaise, cgstPaise: shipping.cgstPaise,
                            sgstPaise: shipping.sgstPaise, igstPaise: shipping.igstPaise,
                            totalPaise: shipping.totalPaise)
        for line in lines {
            t.subtotalPaise += line.grossPaise
            t.discountPaise += line.discountPaise
            t.taxablePaise += line.taxablePaise
            t.cgstPaise += line.cgstPaise
            t.sgstPaise += line.sgstPaise
            t.igstPaise += line.igstPaise
            t.totalPaise += line.totalPaise
        }
        return t
    }

    /// The totals as the API shows them: snake_case keys ending in `_paise` (DESIGN §2).
    public var json: JSONValue {
        .object([
            "subtotal_paise": .number(JSONNumber(subtotalPaise)), "discount_paise": .number(JSONNumber(discountPaise)),
            "shipping_paise": .number(JSONNumber(shippingPaise)), "taxable_paise": .number(JSONNumber(taxablePaise)),
            "cgst_paise": .number(JSONNumber(cgstPaise)), "sgst_paise": .number(JSONNumber(sgstPaise)),
            "igst_paise": .number(JSONNumber(igstPaise)), "tax_paise": .number(JSONNumber(taxPaise)),
            "total_paise": .number(JSONNumber(totalPaise)),
        ])
    }
}
