public import BahiJSON

/// Exact conversion of a decimal rupee amount, as text, to integer paise.
///
/// Why text: Cashfree and PayU send rupees with decimals (`170.00`, `0.36`, `"10.00"`), and a
/// binary float cannot hold most of them (`0.29 * 100` is `28.999…`), so a `Double` on the way
/// loses or invents a paisa. The digits are read as written and scaled by hand; anything that is
/// not a plain non-negative decimal with at most two significant fraction digits is refused
/// rather than rounded, since a rounded amount would silently disagree with the gateway's.
public enum PaiseAmount {
    /// The paise `text` names: `"2.00"` → 200, `"2"` → 200, `"1.5"` → 150, `"0.36"` → 36,
    /// `"1.000"` → 100. Nil for an empty string, a sign (`-1`, `+1`), an exponent (`1e2`),
    /// a missing integer or fraction part (`.5`, `5.`), whitespace or any other character,
    /// more than two fraction digits unless the extra ones are zeros (`1.005`), or more than
    /// `Int64.max` paise.
    public static func paise(fromRupees text: String) -> Int64? {
        let bytes = Array(text.utf8)
        let point = bytes.firstIndex(of: UInt8(ascii: "."))
        let whole = bytes[..<(point ?? bytes.endIndex)]
        let fraction = point.map { bytes[($0 + 1)...] } ?? []
        guard !whole.isEmpty, point == nil || !fraction.isEmpty else { return nil }
        guard whole.allSatisfy(isDigit), fraction.allSatisfy(isDigit) else { return nil }
        // Digits beyond the paisa must all be zero: "1.000" is a rupee, "1.005" is not an amount.
        guard fraction.dropFirst(2).allSatisfy({ $0 == UInt8(ascii: "0") }) else { return nil }

        var rupees: Int64 = 0
        for digit in whole {
            let (times10, overflowA) = rupees.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            rupees = sum
        }
        let paiseDigits = Array(fraction.prefix(2))
        var paise: Int64 = 0
        for index in 0..<2 {
            paise = paise * 10 + (index < paiseDigits.count ? Int64(paiseDigits[index] - UInt8(ascii: "0")) : 0)
        }
        let (scaled, overflowC) = rupees.multipliedReportingOverflow(by: 100)
        let (total, overflowD) = scaled.addingReportingOverflow(paise)
        guard !overflowC, !overflowD else { return nil }
        return total
    }

    /// The paise a JSON number names, read from its text as written (BahiJSON keeps it), never
    /// through `Double`: `170.00` stays 17000 paise exactly. Same refusals as the text form
    /// (a JSON number may carry a sign or an exponent; both are refused).
    public static func paise(fromRupees number: JSONNumber) -> Int64? {
        paise(fromRupees: number.text)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
