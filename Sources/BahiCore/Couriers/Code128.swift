/// A Code 128 barcode (ISO/IEC 15417) of an air waybill number, as bar and space widths and as SVG.
///
/// Why Code 128 and why our own: Indian couriers' labels carry the AWB as Code 128, the symbology
/// their hub scanners read, and the encoder is a table and a checksum, not worth a dependency
/// (DESIGN §1). Only code sets B (printable ASCII) and C (digit pairs) are used: an AWB never
/// holds control characters, and set C halves the width of the digit runs AWBs mostly are, which
/// keeps the symbol inside a 4-inch label at a module width a 203 dpi thermal printer prints
/// crisply.
///
/// Sets are chosen by the rules of ISO/IEC 15417 Annex E for the shortest symbol: start in C when
/// the text is two digits or begins with four or more; in B, switch to C before a run of four or
/// more digits (after its first digit when the run is odd); in C, switch back to B when fewer than
/// two digits remain before the next other character.
public struct Code128: Sendable, Equatable {
    /// The text encoded, as given (what is printed under the bars).
    public let text: String
    /// Every symbol's value in order: the start (103–105), the data with any CODE B (100) or
    /// CODE C (99) switches, the check symbol, then STOP (106).
    public let values: [Int]

    /// Encodes `text`: one to `maximumLength` printable ASCII characters (space to `~`).
    ///
    /// Refused with a typed error rather than encoded some other way: an empty text, anything
    /// outside printable ASCII (a control character or a non-ASCII letter would scan as something
    /// else than what is printed under it), and more than `maximumLength` characters.
    public init(_ text: String) throws(Code128Error) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw .empty }
        var offset = 0
        for scalar in text.unicodeScalars {
            guard scalar.value >= 0x20, scalar.value <= 0x7E else { throw .unprintable(offset: offset, scalar: scalar.value) }
            offset += 1
        }
        guard bytes.count <= Self.maximumLength else { throw .tooLong(bytes.count, maximum: Self.maximumLength) }
        self.text = text
        let data = Self.dataValues(bytes)
        values = data + [Self.checksum(data), Self.stop]
    }

    /// The longest text encoded. AWBs run to about 20 characters and 80 is already wider than a
    /// 4-inch label; the bound keeps the symbol and its SVG small whatever a caller sends.
    public static let maximumLength = 80

    // MARK: Symbols

    /// START B: the symbol begins in code set B.
    public static let startB = 104
    /// START C: the symbol begins in code set C.
    public static let startC = 105
    /// CODE B in set C: the following symbols are set B.
    public static let codeB = 100
    /// CODE C in set B: the following symbols are set C.
    public static let codeC = 99
    /// STOP; its pattern carries the final 2-module bar.
    public static let stop = 106

    /// The bar and space widths, in modules, of the symbol with `value` (0–106), starting with a
    /// bar: six widths summing to 11, or for STOP seven summing to 13 (its final bar). Nil outside
    /// 0–106.
    public static func pattern(_ value: Int) -> [Int]? {
        guard value >= 0, value < patterns.count else { return nil }
        return patterns[value]
    }

    /// The check symbol's value for `values` (the start symbol first, then the data symbols):
    /// the start's value plus each data symbol's value times its position (1, 2, …), modulo 103.
    /// Code-set switches count like any other symbol.
    public static func checksum(_ values: [Int]) -> Int {
        /// `v` modulo 103 in 0–102: reducing every term keeps any sum of any length from overflowing.
        func reduced(_ v: Int) -> Int { let r = v % 103; return r < 0 ? r + 103 : r }
        guard let start = values.first else { return 0 }
        var sum = reduced(start)
        for (position, value) in values.dropFirst().enumerated() {
            sum = (sum + reduced(position + 1) * reduced(value)) % 103
        }
        return sum
    }

    // MARK: Rendering

    /// Every bar and space width of the symbol, in modules, left to right, starting and ending
    /// with a bar (STOP's final bar); no quiet zones. What a printer driver or a test reads.
    public var widths: [Int] {
        values.flatMap { Self.pattern($0) ?? [] }
    }

    /// The symbol's width in modules without quiet zones: 11 per symbol, 13 for STOP.
    public var moduleCount: Int { values.count * 11 + 2 }

    /// The unit of an SVG's `width` and `height`.
    public enum Unit: String, Sendable {
        /// CSS pixels, for screens.
        case px
        /// Millimetres, for a label printed at its true size.
        case mm
    }

    /// The blank margin a scanner needs on each side, in modules (ISO/IEC 15417: at least 10).
    public static let quietZone = 10

    /// The symbol as an SVG image: a white background, a black `<rect>` per bar, a quiet zone of
    /// `quietZone` modules on each side and, when `showsText`, the text centred below the bars.
    ///
    /// Lengths are in `unit` (pixels by default, millimetres for print): the image is
    /// `(moduleCount + 20) × moduleWidth` wide, bars `barHeight` tall, and its `viewBox` is in
    /// the same numbers so one user unit is one `unit`. A `moduleWidth` or `barHeight` that is not
    /// a positive finite number is replaced by the default (2 and 60). The text is XML-escaped.
    public func svg(moduleWidth: Double = 2, barHeight: Double = 60, unit: Unit = .px, showsText: Bool = true) -> String {
        let module = moduleWidth.isFinite && moduleWidth > 0 ? moduleWidth : 2
        let bars = barHeight.isFinite && barHeight > 0 ? barHeight : 60
        let fontSize = module * 8
        let width = Double(moduleCount + 2 * Self.quietZone) * module
        let height = showsText ? bars + module * 2 + fontSize : bars
        let n = Self.number
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\(unit.rawValue)\" height=\"\(n(height))\(unit.rawValue)\" "
            + "viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-label=\"Code 128 \(PrintableHTML.escape(text))\">"
        svg += "<rect width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#fff\"/><g fill=\"#000\">"
        var x = Self.quietZone
        for (index, w) in widths.enumerated() {
            if index % 2 == 0 {
                svg += "<rect x=\"\(n(Double(x) * module))\" y=\"0\" width=\"\(n(Double(w) * module))\" height=\"\(n(bars))\"/>"
            }
            x += w
        }
        svg += "</g>"
        if showsText {
            svg += "<text x=\"\(n(width / 2))\" y=\"\(n(height - module))\" text-anchor=\"middle\" font-family=\"monospace\" "
                + "font-size=\"\(n(fontSize))\">\(PrintableHTML.escape(text))</text>"
        }
        return svg + "</svg>"
    }

    // MARK: Encoding

    /// The start symbol and the data symbols, sets chosen by Annex E (see the type's comment).
    /// `bytes` are printable ASCII.
    private static func dataValues(_ bytes: [UInt8]) -> [Int] {
        /// How many digits stand together from `i` on.
        func digitRun(_ i: Int) -> Int {
            var j = i
            while j < bytes.count, isDigit(bytes[j]) { j += 1 }
            return j - i
        }
        let leading = digitRun(0)
        var inC = (leading == 2 && bytes.count == 2) || leading >= 4
        var values = [inC ? startC : startB]
        var i = 0
        while i < bytes.count {
            if inC {
                if digitRun(i) >= 2 {
                    values.append(Int(bytes[i] - 0x30) * 10 + Int(bytes[i + 1] - 0x30))
                    i += 2
                    continue
                }
                values.append(codeB)
                inC = false
            }
            let run = digitRun(i)
            if run >= 4, run % 2 == 0 {
                values.append(codeC)
                inC = true
                continue
            }
            // Set B's value of a printable character is its code less 32; an odd run's first digit goes here.
            values.append(Int(bytes[i]) - 0x20)
            i += 1
        }
        return values
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// A length as SVG writes it: whole numbers without a fraction ("20", not "20.0").
    private static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }

    /// The widths of values 0–106 (ISO/IEC 15417 Table 1), six digits a symbol, STOP seven.
    private static let patterns: [[Int]] = """
        212222 222122 222221 121223 121322 131222 122213 122312 132212 221213
        221312 231212 112232 122132 122231 113222 123122 123221 223211 221132
        221231 213212 223112 312131 311222 321122 321221 312212 322112 322211
        212123 212321 232121 111323 131123 131321 112313 132113 132311 211313
        231113 231311 112133 112331 132131 113123 113321 133121 313121 211331
        231131 213113 213311 213131 311123 311321 331121 312113 312311 332111
        314111 221411 431111 111224 111422 121124 121421 141122 141221 112214
        112412 122114 122411 142112 142211 241211 221114 413111 241112 134111
        111242 121142 121241 114212 124112 124211 411212 421112 421211 212141
        214121 412121 111143 111341 131141 114113 114311 411113 411311 113141
        114131 311141 411131 211412 211214 211232 2331112
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { group in group.utf8.map { Int($0) - 0x30 } }
}

/// Why a text cannot be a Code 128 AWB barcode.
public enum Code128Error: Error, Sendable, Equatable {
    /// Nothing to encode.
    case empty
    /// The character at `offset` (counted in Unicode scalars) is not printable ASCII.
    case unprintable(offset: Int, scalar: UInt32)
    /// Longer than `Code128.maximumLength`.
    case tooLong(Int, maximum: Int)
}
