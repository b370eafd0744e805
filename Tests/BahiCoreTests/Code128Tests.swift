import Testing
import BahiCore

/// The Code 128 encoder against published encodings, then a decoder written here over many
/// random AWBs: every symbol decodes back to its text, its check symbol holds, and no shorter
/// choice of code sets exists.
///
/// Sources of the vectors:
/// - Bar patterns in the 1/0 module notation and the "HI345678" symbol: barcodeisland.com
///   "Code 128 specification" (http://www.barcodeisland.com/code128.phtml), restated in crifan's
///   "Code 128 Symbology Introduction" §2.5–2.6.
/// - "PJJ123C" in set A, checksum 878 mod 103 = 54: Wikipedia, "Code 128", "Check digit calculation".
/// - "ABCDEF" (A) → 42, "abcdef" (B) → 97, "345678" (C) → 73: barcoderesource.com, "Calculation of
///   Code128 Check Character".
/// - FNC1 + "01600001160306 03" in set C → 71: IDAutomation support, "How to manually calculate
///   checksum for Code 128 C".
@Suite struct Code128Tests {
    /// Widths as the published 1/0 notation: a bar's modules are 1s, a space's 0s.
    func bits(_ widths: [Int]) -> String {
        widths.enumerated().map { String(repeating: $0.offset % 2 == 0 ? "1" : "0", count: $0.element) }.joined()
    }

    @Test func patternsMatchThePublishedTable() {
        #expect(Code128.pattern(0) == [2, 1, 2, 2, 2, 2])
        #expect(Code128.pattern(Code128.startB) == [2, 1, 1, 2, 1, 4])
        #expect(Code128.pattern(Code128.startC) == [2, 1, 1, 2, 3, 2])
        #expect(Code128.pattern(Code128.stop) == [2, 3, 3, 1, 1, 1, 2])
        let published: [(Int, String)] = [
            (103, "11010000100"), (104, "11010010000"), (105, "11010011100"),  // START A, B, C
            (40, "11000101000"), (41, "11000100010"), (99, "10111011110"),    // H, I, CODE C
            (34, "10001011000"), (56, "11100010110"), (78, "11000010100"), (67, "10000101100"),
            (106, "1100011101011"),                                             // STOP and its final bar
        ]
        for (value, expected) in published { #expect(bits(Code128.pattern(value) ?? []) == expected, "value \(value)") }
        #expect(Code128.pattern(-1) == nil && Code128.pattern(107) == nil)
    }

    /// Every symbol is three bars and three spaces of 1–4 modules, 11 in all, bars even and
    /// spaces odd (the parity a scanner checks), and no two alike.
    @Test func everyPatternIsWellFormed() throws {
        var seen = Set<[Int]>()
        for value in 0...105 {
            let p = try #require(Code128.pattern(value))
            #expect(p.count == 6 && p.allSatisfy { (1...4).contains($0) } && p.reduce(0, +) == 11, "value \(value)")
            #expect((p[0] + p[2] + p[4]) % 2 == 0 && (p[1] + p[3] + p[5]) % 2 == 1, "value \(value)")
            #expect(seen.insert(p).inserted, "value \(value) repeats a pattern")
        }
        #expect(Code128.pattern(Code128.stop)?.reduce(0, +) == 13)
    }

    @Test func checksumsOfPublishedExamples() {
        #expect(Code128.checksum([103, 48, 42, 42, 17, 18, 19, 35]) == 54)  // PJJ123C, set A (Wikipedia)
        #expect(Code128.checksum([103, 40, 41, 99, 34, 56, 78]) == 67)      // HI345678 (barcodeisland)
        #expect(Code128.checksum([103, 33, 34, 35, 36, 37, 38]) == 42)      // ABCDEF, set A
        #expect(Code128.checksum([104, 65, 66, 67, 68, 69, 70]) == 97)      // abcdef, set B
        #expect(Code128.checksum([105, 34, 56, 78]) == 73)                  // 345678, set C
        #expect(Code128.checksum([105, 102, 1, 60, 0, 1, 16, 3, 6, 3]) == 71)  // FNC1 (01)60000116030603 (IDAutomation)
        #expect(Code128.checksum([]) == 0)
    }

    @Test func encoderReproducesPublishedSymbols() throws {
        #expect(try Code128("abcdef").values == [104, 65, 66, 67, 68, 69, 70, 97, 106])
        #expect(try Code128("345678").values == [105, 34, 56, 78, 73, 106])
        // Wikipedia's PJJ123C starts in A (878 → 54); in B the start is one more: 879 → 55.
        #expect(try Code128("PJJ123C").values == [104, 48, 42, 42, 17, 18, 19, 35, 55, 106])
        // barcodeisland's HI345678 starts in A; from START B the check is 68, the symbols between the same.
        let hi = try Code128("HI345678")
        #expect(hi.values == [104, 40, 41, 99, 34, 56, 78, 68, 106])
        #expect(bits(Array(hi.widths[6..<42])) == "11000101000" + "11000100010" + "10111011110" + "10001011000" + "11100010110" + "11000010100")
        #expect(bits(Array(hi.widths.suffix(7))) == "1100011101011")
        #expect(hi.moduleCount == 9 * 11 + 2 && hi.widths.reduce(0, +) == hi.moduleCount)
    }

    @Test func allDigitAWBsUseCodeC() throws {
        // 105 + 12·1 + 34·2 + 56·3 + 78·4 + 90·5 + 12·6 = 1187 = 11·103 + 54.
        #expect(try Code128("123456789012").values == [105, 12, 34, 56, 78, 90, 12, 54, 106])
        // An odd run: six pairs in C, then CODE B for the last digit.
        let odd = try Code128("1234567890123")
        #expect(odd.values.dropLast(2) == [105, 12, 34, 56, 78, 90, 12, Code128.codeB, 19])
        #expect(try Code128("12").values.first == Code128.startC)
        #expect(try Code128("123").values.dropLast(2) == [104, 17, 18, 19])
        // START C, eight pairs, check, STOP: 11 symbols where set B would take 19.
        #expect(try Code128("1234567890123456").moduleCount == 11 * 11 + 2)
    }

    @Test func mixedTextSwitchesSets() throws {
        // S F, CODE C, five pairs, CODE B, X Y.
        #expect(try Code128("SF1234567890XY").values.dropLast(2) == [104, 51, 38, 99, 12, 34, 56, 78, 90, 100, 56, 57])
        // An odd run of five in B: its first digit stays in B, then CODE C for the four.
        #expect(try Code128("AB12345CD").values.dropLast(2) == [104, 33, 34, 17, 99, 23, 45, 100, 35, 36])
        // Three digits inside text are cheaper left in B.
        #expect(try Code128("AB123CD").values.dropLast(2) == [104, 33, 34, 17, 18, 19, 35, 36])
        // Starting in C and leaving it: four digits, then text.
        #expect(try Code128("1234-X").values.dropLast(2) == [105, 12, 34, 100, 13, 56])
        #expect(try Code128(" ~").values.dropLast(2) == [104, 0, 94])
    }

    @Test func refusesWhatItCannotEncode() {
        #expect(throws: Code128Error.empty) { try Code128("") }
        #expect(throws: Code128Error.unprintable(offset: 3, scalar: 0x0A)) { try Code128("AWB\n1") }
        #expect(throws: Code128Error.unprintable(offset: 0, scalar: 0x0967)) { try Code128("१२३४") }
        #expect(throws: Code128Error.unprintable(offset: 2, scalar: 0x7F)) { try Code128("AB\u{7F}") }
        #expect(throws: Code128Error.unprintable(offset: 1, scalar: 0xE9)) { try Code128("Ré") }
        #expect(throws: Code128Error.tooLong(81, maximum: 80)) { try Code128(String(repeating: "7", count: 81)) }
        #expect((try? Code128(String(repeating: "7", count: 80))) != nil)
    }

    @Test func svgDrawsEveryBarBetweenQuietZones() throws {
        let code = try Code128("AWB<1&2>")
        let svg = code.svg(moduleWidth: 1, barHeight: 50)
        let total = code.moduleCount + 2 * Code128.quietZone
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(total)px\" height=\"60px\" viewBox=\"0 0 \(total) 60\""))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.contains(">AWB&lt;1&amp;2&gt;</text>") && !svg.contains("<1&"))
        #expect(widthsDrawn(svg, module: 1) == code.widths)
        #expect(svg.contains("<rect x=\"10\" y=\"0\""))  // the first bar after a 10-module quiet zone
        let print = code.svg(moduleWidth: 0.5, barHeight: 18, unit: .mm, showsText: false)
        #expect(print.contains("width=\"\(Double(total) * 0.5)mm\" height=\"18mm\""))
        #expect(!print.contains("<text") && widthsDrawn(print, module: 0.5) == code.widths)
        #expect(code.svg(moduleWidth: -1, barHeight: .nan) == code.svg())
    }

    @Test func randomAWBsDecodeBackFromTheirSVG() throws {
        // Unseeded: each run tries other AWBs, and a failure names the AWB it failed on.
        var random = SystemRandomNumberGenerator()
        let alphabet = Array(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~")
        func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(Int.random(in: 0...9, using: &random))) }) }
        for round in 0..<1500 {
            let awb: String
            switch round % 4 {
            case 0: awb = digits(Int.random(in: 1...20, using: &random))
            case 1: awb = ["SF", "BD", "X", "EK", ""].randomElement(using: &random)! + digits(Int.random(in: 1...15, using: &random)) + ["IN", "", "A", "00X"].randomElement(using: &random)!
            case 2: awb = String((0..<Int.random(in: 1...30, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            default: awb = (0..<Int.random(in: 1...6, using: &random)).map { _ in Bool.random(using: &random) ? digits(Int.random(in: 1...7, using: &random)) : "-" }.joined()
            }
            let code = try Code128(awb)
            let drawn = widthsDrawn(code.svg(moduleWidth: 1), module: 1)
            let decoded = try #require(Self.decode(drawn), "\(awb)")
            #expect(decoded.text == awb)
            #expect(decoded.values == code.values)
            #expect(code.values.count - 2 == Self.fewestSymbols(Array(awb.utf8)), "\(awb): \(code.values)")
        }
    }

    // MARK: A decoder, written from the specification and independent of the encoder

    /// The bar and space widths an SVG draws, read back from its bars' `x` and `width`.
    func widthsDrawn(_ svg: String, module: Double) -> [Int] {
        var widths: [Int] = []
        var end: Int?
        for part in svg.split(separator: "<rect x=\"").dropFirst() {
            let fields = part.split(separator: "\"")
            guard fields.count > 4, let x = Double(fields[0]), let w = Double(fields[4]) else { return [] }
            let start = Int((x / module).rounded()), width = Int((w / module).rounded())
            if let end { widths.append(start - end) }
            widths.append(width)
            end = start + width
        }
        return widths
    }

    /// Widths back to symbol values and text; nil when a pattern is unknown, the check symbol is
    /// wrong or a value is not allowed where it stands.
    static func decode(_ widths: [Int]) -> (text: String, values: [Int])? {
        guard widths.count >= 19, widths.count % 6 == 1 else { return nil }
        var byPattern: [[Int]: Int] = [:]
        for value in 0...106 { if let p = Code128.pattern(value) { byPattern[p] = value } }
        var values: [Int] = []
        for start in stride(from: 0, to: widths.count - 7, by: 6) {
            guard let v = byPattern[Array(widths[start..<start + 6])] else { return nil }
            values.append(v)
        }
        guard byPattern[Array(widths.suffix(7))] == 106 else { return nil }
        values.append(106)
        let data = values.dropFirst().dropLast(2)
        var sum = values[0]
        for (i, v) in data.enumerated() { sum += (i + 1) * v }
        guard sum % 103 == values[values.count - 2] else { return nil }
        var inC: Bool
        switch values[0] {
        case 104: inC = false
        case 105: inC = true
        default: return nil
        }
        var text = ""
        for v in data {
            switch (inC, v) {
            case (false, 0...94): text.unicodeScalars.append(Unicode.Scalar(UInt8(32 + v)))
            case (false, 99): inC = true
            case (true, 0...99): text += (v < 10 ? "0" : "") + String(v)
            case (true, 100): inC = false
            default: return nil
            }
        }
        return (text, values)
    }

    /// The fewest symbols (start and data, no check or stop) that encode `bytes` in sets B and C,
    /// by dynamic programming from the end: `b[i]`/`c[i]` are the fewest for `bytes[i...]` when in B/C.
    static func fewestSymbols(_ bytes: [UInt8]) -> Int {
        let n = bytes.count, never = Int.max / 4
        func digit(_ i: Int) -> Bool { i < n && (48...57).contains(bytes[i]) }
        var b = Array(repeating: 0, count: n + 2), c = Array(repeating: 0, count: n + 2)
        for i in stride(from: n - 1, through: 0, by: -1) {
            let pair = digit(i) && digit(i + 1) ? 1 + c[i + 2] : never
            b[i] = min(1 + b[i + 1], 1 + pair)
            c[i] = min(pair, 2 + b[i + 1])
        }
        return 1 + min(b[0], c[0])
    }
}
