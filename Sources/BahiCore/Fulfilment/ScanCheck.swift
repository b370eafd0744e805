import BahiJSON

/// Verifies a packed shipment against its lines by barcode scans, before the box is sealed.
///
/// Wrong-item and missing-item complaints are the costliest returns a seller has (reverse
/// pickup, refund, often a chargeback), and all of them could have been caught at the packing
/// table. One scan per unit keeps the rule simple: the multiset of scans must equal the lines.
public enum ScanCheck {
    /// Passes when `scanned` (one SKU per unit scanned, in any order) is exactly `expected`
    /// (SKU → units); expected quantities of 0 or less are ignored, and surrounding whitespace
    /// (a scanner's trailing CR/LF) is trimmed from each scan, an empty scan skipped. SKU
    /// comparison is exact, since merchant codes are case-sensitive.
    ///
    /// Otherwise throws `scan_mismatch`, whose detail names every missing and extra SKU with
    /// its count, and whose `details` carry `missing` and `extra`, each an array of
    /// `{"sku", "qty"}` sorted by SKU, so a packing screen can show what to add or take out.
    public static func check(expected: [String: Int64], scanned: [String]) throws(DomainError) {
        var counts: [String: Int64] = [:]
        for raw in scanned {
            let sku = trimmed(raw)
            guard !sku.isEmpty else { continue }
            counts[sku, default: 0] += 1
        }
        var missing: [(sku: String, qty: Int64)] = []
        var extra: [(sku: String, qty: Int64)] = []
        for sku in Set(expected.keys).union(counts.keys).sorted() {
            let want = max(0, expected[sku] ?? 0)
            let got = counts[sku] ?? 0
            if got < want { missing.append((sku, want - got)) }
            if got > want { extra.append((sku, got - want)) }
        }
        guard !missing.isEmpty || !extra.isEmpty else { return }
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing " + missing.map { "\($0.sku) ×\($0.qty)" }.joined(separator: ", ")) }
        if !extra.isEmpty { parts.append("extra " + extra.map { "\($0.sku) ×\($0.qty)" }.joined(separator: ", ")) }
        throw DomainError(.scanMismatch, "The scans do not match the shipment: \(parts.joined(separator: "; ")).",
                          details: [DomainError.Detail(key: "missing", json: json(missing)), DomainError.Detail(key: "extra", json: json(extra))])
    }

    /// `text` without surrounding whitespace, CR and LF included (scanners end scans with them).
    private static func trimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
              let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[first...last])
    }

    private static func json(_ items: [(sku: String, qty: Int64)]) -> String {
        var w = JSONWriter()
        w.beginArray()
        for item in items {
            w.beginObject()
            w.key("sku"); w.string(item.sku)
            w.key("qty"); w.int64(item.qty)
            w.endObject()
        }
        w.endArray()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
