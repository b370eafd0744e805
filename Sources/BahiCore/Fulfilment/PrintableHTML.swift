/// Minimal HTML for the documents a warehouse prints (invoices, packing slips, pick lists).
///
/// Why HTML and not PDF: every browser prints HTML to any printer or to PDF, and generating it
/// needs no library (DESIGN §1: no dependencies). Why a hand-written escaper: buyer names and
/// addresses are untrusted text that ends up in a page opened by the seller's staff.
public enum PrintableHTML {
    /// `s` safe as HTML text or as a quoted attribute value: `&`, `<`, `>`, `"` and `'` become
    /// character references; everything else, Unicode included, is kept as is.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A complete UTF-8 HTML5 document: `title` is escaped here, `body` is inserted as is (it is
    /// markup the caller built, with its text passed through `escape`), and `style` is the CSS:
    /// `a4Style` unless the paper is another (a 4×6 inch shipping label brings its own).
    public static func page(title: String, body: String, style: String = a4Style) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// The CSS of office documents (invoices, pick lists): an A4 page, readable type, ruled tables,
    /// `.num` for right-aligned tabular figures, `.parties` side by side (an invoice's supplier and
    /// recipient), `.sign` for a signature line, and `.no-print` elements (a "Print" button)
    /// hidden on paper.
    public static let a4Style = """
        @page { size: A4; margin: 12mm; }
        body { font: 11pt/1.4 system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif; color: #000; margin: 0 auto; max-width: 190mm; }
        h1 { font-size: 16pt; margin: 0 0 4mm; }
        h2 { font-size: 12pt; margin: 4mm 0 2mm; }
        table { border-collapse: collapse; width: 100%; }
        th, td { border: 1px solid #999; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
        th { background: #eee; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .page-break { break-after: page; }
        .parties { display: flex; gap: 6mm; } .parties > div { flex: 1; }
        table.meta td { border: none; padding-left: 0; }
        .copy { text-align: right; font-size: 9pt; margin: 0; }
        .sign { text-align: right; margin-top: 8mm; }
        @media print { .no-print { display: none; } th { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
        """

    /// An amount in paise as Indian readers write it: `₹1,23,456.78` (lakh and crore grouping:
    /// the last three digits, then pairs), always two decimals, negative with a leading U+2212
    /// minus sign (`−₹50.00`). Every Int64 is formatted, including `Int64.min`.
    public static func rupees(_ paise: Int64) -> String {
        let magnitude = paise.magnitude
        let rupees = String(magnitude / 100)
        let fraction = magnitude % 100
        var grouped = ""
        let digits = Array(rupees)
        let head = digits.count > 3 ? digits.count - 3 : 0
        for (i, d) in digits.enumerated() {
            if i > 0, i < head, (head - i) % 2 == 0 { grouped.append(",") }
            if i == head, head > 0 { grouped.append(",") }
            grouped.append(d)
        }
        return (paise < 0 ? "\u{2212}" : "") + "₹" + grouped + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}
