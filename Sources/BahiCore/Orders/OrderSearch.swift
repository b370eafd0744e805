/// What an order list's `q` asks for, read once and purely: each key the text could be, so the
/// list looks each one up through its own index (GET /v1/orders?q=).
///
/// Why keys and not `LIKE '%…%'`: a substring match cannot use an index, so a term that
/// matched nothing read every order (5 s at 790,000). Here an order id, a channel reference
/// and a phone are equalities on indexed columns, and names are words in a full-text index
/// (`order_search`), matched by prefix ("Ash" finds "Asha"): a miss costs a few index seeks.
public struct OrderSearch: Sendable, Equatable {
    /// The text as an order id (`ord_…`), when it is a well-formed one.
    public var orderID: String?
    /// The text as a channel's order reference (trimmed), matched exactly.
    public var reference: String
    /// The text as an Indian mobile number in canonical form (`+91` and ten digits), when it is
    /// one: any form `IndianPhone` accepts, or the last ten digits of a longer run of digits.
    public var phone: String?
    /// The words a buyer's name should start with, lowercased: letters and digits, at least two
    /// characters each (a one-letter prefix would match most of the store), at most eight.
    public var words: [String]

    /// The keys `q` could be.
    public init(_ q: String) {
        let trimmed = q.trimmingSpaces
        reference = trimmed
        orderID = EntityID.isValid(trimmed, kind: .order) ? trimmed : nil
        phone = IndianPhone.normalise(trimmed) ?? Self.lastTenDigits(trimmed)
        var words: [String] = []
        var current = ""
        for character in trimmed.lowercased() + " " {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else {
                if current.count >= 2 { words.append(current) }
                current = ""
            }
        }
        // A run of digits is a phone or a reference, not a name: names are searched only when
        // the text has a letter.
        self.words = trimmed.contains(where: \.isLetter) ? Array(words.prefix(8)) : []
    }

    /// `+91` and the last ten digits of text made only of digits and the separators phones are
    /// written with, when there are more than ten (`0091 98250 12345`) and the ten are a mobile
    /// number; nil otherwise.
    static func lastTenDigits(_ text: String) -> String? {
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || " -+()".contains($0)) }) else { return nil }
        let digits = text.filter(\.isNumber)
        guard digits.count > 10 else { return nil }
        let national = String(digits.suffix(10))
        guard let first = national.first, first >= "6" else { return nil }
        return "+91" + national
    }

    /// The FTS5 query for `words` on SQLite: every word as a prefix, in the names column
    /// (`{names} : ("asha"* AND "pat"*)`); nil without words. Words are letters and digits
    /// only, so quoting them is enough.
    public var fts5Query: String? {
        guard !words.isEmpty else { return nil }
        return "{names} : (" + words.map { "\"\($0)\"*" }.joined(separator: " AND ") + ")"
    }

    /// The `tsquery` text for `words` on PostgreSQL (`'asha':* & 'pat':*`), each word a quoted
    /// lexeme taken as it is (words are letters and digits, lowercased: nothing to escape);
    /// nil without words. With `weeks`, the same words in each of those weeks of creation
    /// time, any of them (`('~002948asha':* & '~002948pat':*) | (…)`): the lexemes
    /// PostgreSQL generates for each order in `order_search.terms` (migration 20).
    public func tsQuery(weeks: ClosedRange<Int64>? = nil) -> String? {
        guard !words.isEmpty else { return nil }
        guard let weeks else { return words.map { "'\($0)':*" }.joined(separator: " & ") }
        return weeks.reversed().map { week in
            "(" + words.map { "'\(Self.weekLexeme(week, $0))':*" }.joined(separator: " & ") + ")"
        }.joined(separator: " | ")
    }

    /// How long one week of PostgreSQL's name index is, in milliseconds of creation time.
    public static let weekMilliseconds: Int64 = 604_800_000

    /// The week a creation time falls in (times before 1970 in week 0, as the stored terms
    /// put them: `GREATEST(created_at, 0) / weekMilliseconds`).
    public static func week(of milliseconds: Int64) -> Int64 { max(milliseconds, 0) / weekMilliseconds }

    /// A word as it is stored for one week: `~`, the week in six digits, the word. The `~`
    /// keeps a searched word (letters and digits) from ever matching a week's lexeme.
    static func weekLexeme(_ week: Int64, _ word: String) -> String {
        let digits = String(week)
        return "~" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + word
    }

    /// The names an order is found by: the customer's and the recipient's, once if they are the
    /// same.
    static func names(customer: String, recipient: String) -> String {
        customer.lowercased() == recipient.lowercased() ? customer : customer + " " + recipient
    }
}
