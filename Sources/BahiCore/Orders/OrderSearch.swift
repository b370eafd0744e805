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

    /// The `to_tsquery('simple', …)` text for `words` on PostgreSQL (`asha:* & pat:*`); nil
    /// without words.
    public var tsQuery: String? {
        guard !words.isEmpty else { return nil }
        return words.map { "\($0):*" }.joined(separator: " & ")
    }

    /// The FTS5 query that finds one order's row by its id (an indexed column too), for an edit.
    static func fts5Row(orderID: String) -> String {
        "{order_id} : \"" + orderID.filter { $0 != "\"" } + "\""
    }

    /// The names an order is found by: the customer's and the recipient's, once if they are the
    /// same.
    static func names(customer: String, recipient: String) -> String {
        customer.lowercased() == recipient.lowercased() ? customer : customer + " " + recipient
    }
}
