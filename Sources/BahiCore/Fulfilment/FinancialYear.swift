import BahiJSON

/// An Indian financial year, April to March, the period GST invoice series restart in
/// (rule 46(b) of the CGST Rules: numbers are consecutive and unique within a financial year).
public struct FinancialYear: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The calendar year the financial year starts in: 2026 for April 2026 – March 2027.
    public var startYear: Int

    public init(startYear: Int) {
        self.startYear = startYear
    }

    /// "2026-27", the way invoices and returns name the year.
    public var label: String { "\(startYear)-\(Self.twoDigits(startYear + 1))" }

    /// "2627", the compact form inside invoice numbers, where every character counts (16 at most).
    public var short: String { Self.twoDigits(startYear) + Self.twoDigits(startYear + 1) }

    public var description: String { label }

    /// 1 April of `startYear`, 00:00 IST, as Unix milliseconds: where this year's series begins.
    public var startMilliseconds: Int64 { Self.istMidnightOfFirstApril(startYear) }

    /// 1 April of the next year, 00:00 IST, as Unix milliseconds (exclusive end).
    public var endMilliseconds: Int64 { Self.istMidnightOfFirstApril(startYear + 1) }

    /// The financial year after this one.
    public var next: FinancialYear { FinancialYear(startYear: startYear + 1) }

    public static func < (lhs: FinancialYear, rhs: FinancialYear) -> Bool { lhs.startYear < rhs.startYear }

    /// The financial year a Unix time in milliseconds falls in, read in Asia/Kolkata (UTC+5:30,
    /// no daylight saving): 2027-03-31T18:30:00Z is already 1 April 2027 in India, so FY 2027-28.
    /// Invoices are dated in the seller's local time, hence IST and not UTC.
    public static func containing(milliseconds: Int64) -> FinancialYear {
        let local = milliseconds.addingReportingOverflow(19_800_000)
        let ms = local.overflow ? milliseconds : local.partialValue
        let (year, month, _) = Timestamps.civil(days: Timestamps.floorDivide(ms, 86_400_000))
        return FinancialYear(startYear: Int(month >= 4 ? year : year - 1))
    }

    private static func twoDigits(_ year: Int) -> String {
        let v = ((year % 100) + 100) % 100
        return v < 10 ? "0\(v)" : "\(v)"
    }

    private static func istMidnightOfFirstApril(_ year: Int) -> Int64 {
        Timestamps.days(year: Int64(year), month: 4, day: 1) * 86_400_000 - 19_800_000
    }
}
