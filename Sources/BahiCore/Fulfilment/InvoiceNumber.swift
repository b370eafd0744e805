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

    /// Checks a configured series prefix: 1–8 characters of A–Z a–z 0–9 `-` `/`. Throws `validation_failed`
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
    /// `invoice_series_exhausted`: the seller must change the prefix, never reuse a number.
    /// Throws `validation_failed` for an invalid prefix or a sequence below 1.
    public static func format(prefix: String, year: FinancialYear, sequence: Int64) throws(DomainError) -> String {
        try validatePrefix(prefix)
        guard sequence >= 1 else { throw DomainError.invalid("sequence", "out_of_range", "Must be at least 1.") }
        let head = prefix + "/" + year.short + "/"
        let room = maxLength - head.utf8.count
        let digits = String(sequence)
        guard digits.utf8.count <= room else {
            throw DomainError(.invoiceSeriesExhausted,
                              "Invoice \(sequence) of \(year.label) does not fit in \(maxLength) characters after the prefix \(prefix); configure a shorter prefix.")
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
