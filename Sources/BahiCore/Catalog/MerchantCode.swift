/// Codes the merchant chooses — SKU, location, channel — which are also URL keys
/// (`/v1/skus/TSHIRT-RED-M`): 1 to 64 characters of `A–Z a–z 0–9 . _ -`, so they need no
/// escaping in a URL, a CSV cell or a log line.
public enum MerchantCode {
    public static let maxLength = 64

    /// True if `code` is a valid merchant code.
    public static func isValid(_ code: String) -> Bool {
        let bytes = code.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
        }
    }

    /// Words that name fixed routes beside a SKU path parameter (`/v1/inventory/audit` next
    /// to `/v1/inventory/{sku}`, `/v1/skus/export` next to `/v1/skus/{sku}`). A SKU with one
    /// of these codes could never be addressed, so it is refused at creation.
    public static let reservedSKUs: Set<String> = ["audit", "changes", "export", "import", "movements", "reorder", "reservations"]

    /// The sentence an error carries when a code is invalid.
    public static let rule = "1 to 64 characters of letters, digits, '.', '_' and '-'"
}
