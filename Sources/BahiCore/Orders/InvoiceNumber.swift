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

/// GST invoice numbers: `PREFIX/YYYY/NNNNN`, e.g. `INV/2627/00042`.
///
/// Rule 46(b) of the CGST Rules: at most 16 characters of letters, digits, `-` and `/`,
/// consecutive and unique within a financial year. The year in the number keeps two years'
/// series apart even though each restarts at 1; zero-padding keeps them sorting in order.
public enum InvoiceNumber {
    /// The legal maximum length of an invoice number.
    public static let maxLength = 16
    /// The longest prefix a seller may configure.
    public static let maxPrefixLength = 8
    /// The width sequences are zero-padded to when the prefix leaves room.
    public static let sequenceWidth = 5

    /// Checks a configured series prefix: 1–8 characters of A–Z a–z 0–9 `-` `/`. Throws 422
    /// (field `invoice_prefix`) so a bad prefix is refused when configured, not at the first sale.
    public static func validatePrefix(_ prefix: String) throws(DomainError) {
        let count = prefix.utf8.count
        guard count >= 1, count <= maxPrefixLength, prefix.utf8.allSatisfy(isAllowed) else {
            throw DomainError.invalid("invoice_prefix", "invalid",
                                      "1 to \(maxPrefixLength) characters of letters, digits, '-' and '/'.")
        }
    }

    /// The invoice number for `sequence` (the 1-based position in `year`'s series):
    /// `"\(prefix)/\(year.short)/\(sequence)"`, the sequence zero-padded to 5 digits.
    ///
    /// A prefix longer than 5 characters leaves fewer than 5 digits within 16 characters; the
    /// padding then shrinks to what fits (`ABCDEFGH/2627/07`), fixed for the whole series so its
    /// numbers still sort in order. When the sequence no longer fits (see `capacity`) this throws
    /// 409 `invoice_series_exhausted`: the seller must change the prefix, never reuse a number.
    /// Throws 422 for an invalid prefix or a sequence below 1.
    public static func format(prefix: String, year: FinancialYear, sequence: Int64) throws(DomainError) -> String {
        try validatePrefix(prefix)
        guard sequence >= 1 else { throw DomainError.invalid("sequence", "out_of_range", "Must be at least 1.") }
        let head = prefix + "/" + year.short + "/"
        let room = maxLength - head.utf8.count
        let digits = String(sequence)
        guard digits.utf8.count <= room else {
            throw DomainError(status: 409, code: "invoice_series_exhausted",
                              detail: "Invoice \(sequence) of \(year.label) does not fit in \(maxLength) characters after the prefix \(prefix); configure a shorter prefix.")
        }
        let width = min(sequenceWidth, room)
        return head + String(repeating: "0", count: max(0, width - digits.utf8.count)) + digits
    }

    /// The largest sequence `format` accepts for `prefix` (in any year, since the year is always
    /// four characters), so the caller can warn before a series runs out; 0 for an invalid prefix.
    public static func capacity(prefix: String) -> Int64 {
        guard (try? validatePrefix(prefix)) != nil else { return 0 }
        let room = maxLength - prefix.utf8.count - 6
        var max: Int64 = 0
        for _ in 0..<room { max = max * 10 + 9 }
        return max
    }

    /// Whether `number` is a legal GST invoice number: 1–16 characters of letters, digits, `-`
    /// and `/`. For numbers that came from elsewhere (an import, a marketplace's own invoices).
    public static func isValid(_ number: String) -> Bool {
        let count = number.utf8.count
        return count >= 1 && count <= maxLength && number.utf8.allSatisfy(isAllowed)
    }

    private static func isAllowed(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2F
    }
}
