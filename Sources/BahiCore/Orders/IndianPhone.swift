/// Indian mobile numbers in one canonical form, `+91` and ten digits (E.164).
///
/// Why normalise: the phone is the buyer's identity for RTO risk (earlier orders, returns and
/// cancellations are counted per phone), for COD confirmation calls and for courier SMS, and
/// storefronts send it as "098765 43210", "+91-98765-43210" or "919876543210". Comparing raw
/// strings would make one buyer look like three new customers.
public enum IndianPhone {
    /// The canonical `+91XXXXXXXXXX` form of an Indian mobile number, or nil when `raw` is not one.
    ///
    /// Accepted: ASCII digits with spaces, dashes and parentheses anywhere; then exactly one of
    /// `+91` followed by 10 digits, `91` + 10 digits (12 digits in all), `0` + 10 digits (11 in
    /// all, the domestic trunk prefix), or 10 digits. The ten-digit number must start with 6, 7,
    /// 8 or 9, the mobile series (numbers starting 1–5 are landlines or service codes).
    ///
    /// Rejected: letters and any other character, a `+` that is not the leading `+91`, other
    /// country codes, `0091`, landlines with STD codes, any other length. Strict on purpose: a
    /// number guessed wrongly is a courier that cannot call the buyer.
    public static func normalise(_ raw: String) -> String? {
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        var sawPlus = false
        for byte in raw.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"):
                continue
            case UInt8(ascii: "+"):
                // Only as the first significant character, and only once.
                guard !sawPlus, digits.isEmpty else { return nil }
                sawPlus = true
            default:
                return nil
            }
        }
        let national: ArraySlice<UInt8>
        if sawPlus {
            guard digits.count == 12, digits[0] == UInt8(ascii: "9"), digits[1] == UInt8(ascii: "1") else { return nil }
            national = digits[2...]
        } else {
            switch digits.count {
            case 10:
                national = digits[...]
            case 11 where digits[0] == UInt8(ascii: "0"):
                national = digits[1...]
            case 12 where digits[0] == UInt8(ascii: "9") && digits[1] == UInt8(ascii: "1"):
                national = digits[2...]
            default:
                return nil
            }
        }
        guard let first = national.first, first >= UInt8(ascii: "6") else { return nil }
        return "+91" + String(decoding: national, as: UTF8.self)
    }
}
