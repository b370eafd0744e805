/// An amount in paise written out in words the Indian way, as tax invoices state their total:
/// ₹12,34,567.89 → "Twelve Lakh Thirty-Four Thousand Five Hundred Sixty-Seven Rupees and
/// Eighty-Nine Paise Only".
///
/// Why words at all: Indian invoices and cheques carry the total in words so a figure cannot be
/// altered unnoticed, and a reader expects the Indian system (thousand, lakh = 1,00,000, crore =
/// 1,00,00,000), never "million". Above 99 crore the crore count is itself written the same way
/// ("One Lakh Crore"), as Indian usage does. Tens and units are hyphenated ("Thirty-Four"), no
/// "and" inside a number; "and" only joins rupees to paise; one rupee and one paisa are singular.
public enum AmountInWords {
    /// `paise` in words, ending in "Only": "One Lakh Rupees Only", "Zero Rupees Only", "Fifty
    /// Paise Only" (no rupees), "Minus …" below zero. Every Int64 is written, `Int64.min` too.
    public static func rupees(_ paise: Int64) -> String {
        let magnitude = paise.magnitude
        let rupees = magnitude / 100, fraction = magnitude % 100
        var parts: [String] = []
        if rupees > 0 || fraction == 0 { parts.append(words(rupees) + (rupees == 1 ? " Rupee" : " Rupees")) }
        if fraction > 0 { parts.append(words(fraction) + (fraction == 1 ? " Paisa" : " Paise")) }
        return (paise < 0 ? "Minus " : "") + parts.joined(separator: " and ") + " Only"
    }

    /// A whole number in the Indian system: "Twelve Lakh Thirty-Four Thousand Five Hundred
    /// Sixty-Seven"; "Zero" for 0.
    public static func words(_ n: UInt64) -> String {
        if n == 0 { return "Zero" }
        var parts: [String] = []
        let crore = n / 10_000_000, rest = n % 10_000_000
        if crore > 0 { parts.append(words(crore) + " Crore") }
        let lakh = rest / 100_000, thousand = rest / 1000 % 100, hundred = rest / 100 % 10, units = rest % 100
        if lakh > 0 { parts.append(belowHundred(lakh) + " Lakh") }
        if thousand > 0 { parts.append(belowHundred(thousand) + " Thousand") }
        if hundred > 0 { parts.append(ones[Int(hundred)] + " Hundred") }
        if units > 0 { parts.append(belowHundred(units)) }
        return parts.joined(separator: " ")
    }

    private static let ones = ["", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve",
                               "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"]
    private static let tens = ["", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]

    /// 1–99: "Seven", "Nineteen", "Forty", "Sixty-Seven".
    private static func belowHundred(_ n: UInt64) -> String {
        if n < 20 { return ones[Int(n)] }
        let unit = Int(n % 10)
        return tens[Int(n / 10)] + (unit > 0 ? "-" + ones[unit] : "")
    }
}
