import Testing
import BahiCore

/// The invoice total in words, in the Indian system (thousand, lakh, crore).
@Suite struct AmountInWordsTests {
    @Test func rupeesAndPaise() {
        let vectors: [(Int64, String)] = [
            (1_00_000_00, "One Lakh Rupees Only"),
            (12_34_567_89, "Twelve Lakh Thirty-Four Thousand Five Hundred Sixty-Seven Rupees and Eighty-Nine Paise Only"),
            (0, "Zero Rupees Only"),
            (50, "Fifty Paise Only"),
            (1, "One Paisa Only"),
            (100, "One Rupee Only"),
            (101, "One Rupee and One Paisa Only"),
            (548_00, "Five Hundred Forty-Eight Rupees Only"),
            (1_000_00, "One Thousand Rupees Only"),
            (1_00_00_000_00, "One Crore Rupees Only"),
            (12_34_56_789_01, "Twelve Crore Thirty-Four Lakh Fifty-Six Thousand Seven Hundred Eighty-Nine Rupees and One Paisa Only"),
            (99_99_99_999_99, "Ninety-Nine Crore Ninety-Nine Lakh Ninety-Nine Thousand Nine Hundred Ninety-Nine Rupees and Ninety-Nine Paise Only"),
            (1_00_00_00_000_00, "One Hundred Crore Rupees Only"),
            (1_00_000_00_00_000_00, "One Lakh Crore Rupees Only"),
            (10_10_010_10, "Ten Lakh Ten Thousand Ten Rupees and Ten Paise Only"),
            (1_19_111_19, "One Lakh Nineteen Thousand One Hundred Eleven Rupees and Nineteen Paise Only"),
            (-50_00, "Minus Fifty Rupees Only"),
        ]
        for (paise, words) in vectors { #expect(AmountInWords.rupees(paise) == words, "\(paise)") }
    }

    @Test func everyInt64IsWritten() {
        #expect(AmountInWords.rupees(Int64.max).hasSuffix("Rupees and Seven Paise Only"))
        #expect(AmountInWords.rupees(Int64.min).hasPrefix("Minus Nine Hundred Twenty-Two Crore"))
        #expect(AmountInWords.words(0) == "Zero")
        #expect(AmountInWords.words(90) == "Ninety")
        #expect(AmountInWords.words(100_000) == "One Lakh")
    }
}
