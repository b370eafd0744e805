import Testing
import BahiJSON

@Suite struct JSONParserTests {
    @Test func parsesEveryKindAndKeepsNumberText() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2, 3.50, 1e3, true, false, null], "s": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "o": {}} "#)
        guard case .object(let o) = value, case .array(let a)? = o["a"], case .string(let s)? = o["s"] else {
            Issue.record("shape"); return
        }
        #expect(o.keys == ["a", "s", "o"])
        #expect(a[0] == .number(JSONNumber(text: "1")))
        #expect(a[2] == .number(JSONNumber(text: "3.50")))
        if case .number(let n) = a[1] { #expect(n.int64 == -2) }
        if case .number(let n) = a[2] { #expect(n.int64 == nil) }
        if case .number(let n) = a[3] { #expect(n.int64 == nil && n.double == 1000) }
        #expect(s == "x\"\\/\u{8}\u{c}\n\r\té😀")
    }

    @Test func roundTripsThroughTheWriter() throws {
        let text = #"{"k":[1,"two",{"three":3.0}],"n":null,"b":true}"#
        #expect(String(decoding: try JSONParser.parse(text).encoded(), as: UTF8.self) == text)
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("{", "expected a string key"),
        (#"{"a":1,}"#, "expected a string key"),
        ("[1,]", "unexpected character ']'"),
        ("01", "leading zeros"),
        ("1.", "digits must follow '.'"),
        ("-", "invalid number"),
        ("NaN", "unexpected character 'N'"),
        (#""a"#, "unterminated string"),
        ("\"\u{01}\"", "control character"),
        (#""\x""#, "invalid escape"),
        (#""\ud800""#, "lone high surrogate"),
        (#""\udc00""#, "lone low surrogate"),
        (#"{"a":1,"a":2}"#, "duplicate key \"a\""),
        ("[] []", "unexpected data after"),
        ("tru", "invalid literal"),
        ("// c\n1", "unexpected character '/'"),
    ])
    func rejectsMalformedDocuments(input: String, message: String) {
        do {
            _ = try JSONParser.parse(input)
            Issue.record("accepted \(input)")
        } catch {
            #expect(error.message.contains(message), "\(error)")
        }
    }

    /// Keys are checked in place while an object is small and through a set past
    /// `keysComparedInPlace`; strings without escapes are made in place: both ways agree.
    @Test func findsDuplicatesInLargeObjectsAndChecksUnescapedStrings() throws {
        let keys = (0..<40).map { "\"k\($0)\":\($0)" }
        guard case .object(let large) = try JSONParser.parse("{\(keys.joined(separator: ","))}") else { Issue.record("shape"); return }
        #expect(large.keys == (0..<40).map { "k\($0)" })
        for late in [3, 15, 16, 17, 39] {
            do {
                _ = try JSONParser.parse("{\(keys.joined(separator: ",")),\"k\(late)\":0}")
                Issue.record("accepted a repeated k\(late)")
            } catch {
                #expect(error.message.contains("duplicate key \"k\(late)\""), "\(error)")
            }
        }
        #expect(try JSONParser.parse("\"Surat – सूरत\"") == .string("Surat – सूरत"))
        #expect(try JSONParser.parse("\"ab\\ncd\"") == .string("ab\ncd"))
        do {
            _ = try JSONParser.parse([0x22, 0x61, 0xC3, 0x28, 0x22])
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.message.contains("not valid UTF-8"), "\(error)")
        }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try JSONParser.parse("{\n  \"a\": tru\n}")
            Issue.record("accepted")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
        }
    }

    @Test func limitsNesting() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONParser.parse(ok) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }
}

@Suite struct TimestampTests {
    @Test func rfc3339MatchesKnownInstants() {
        #expect(Timestamps.rfc3339(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamps.rfc3339(milliseconds: 1_795_342_500_123) == "2026-11-22T10:15:00.123Z")
        #expect(Timestamps.rfc3339(milliseconds: 951_782_400_000) == "2000-02-29T00:00:00.000Z")  // leap day
    }
}
