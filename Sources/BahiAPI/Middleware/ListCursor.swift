import BahiCore
import BahiHTTP

/// The `after` query parameter of every list and feed, parsed in one place.
///
/// Why one parser: a cursor the server did not make must never read as "nothing after it"
/// (a 200 with an empty page tells a client paging through orders that it has seen them all).
/// Each kind of cursor is checked for the shape the server hands out in `next_cursor`, and a
/// malformed one is 400 `invalid_cursor` naming the field, on every route alike. An absent or
/// empty `after` means "from the start".
enum ListCursor {
    /// The query parameter's name.
    static let parameter = "after"
    /// The field error's code, and the problem's code when a cursor is among the errors.
    static let code = "invalid_cursor"

    /// A feed position (an event's `seq`, a movement's id): a whole number from 0.
    static func sequence(_ request: HTTPRequest, _ errors: inout [FieldError]) -> Int64 {
        guard let text = text(request, &errors) else { return 0 }
        guard let value = Int64(text), value >= 0, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            errors.append(problem("a whole number from 0, as next_cursor gave it"))
            return 0
        }
        return value
    }

    /// An id Bahi made, of one kind (`ord_…` for orders).
    static func entityID(_ request: HTTPRequest, kind: EntityID.Kind, _ errors: inout [FieldError]) -> String? {
        guard let text = text(request, &errors) else { return nil }
        guard EntityID.isValid(text, kind: kind) else {
            errors.append(problem("an id such as \(kind.rawValue)_…, as next_cursor gave it"))
            return nil
        }
        return text
    }

    /// The opaque cursor of lists paged by a merchant code (`CatalogCursor`: SKUs, locations,
    /// channels, buffers, stock levels): the code it stands for.
    static func catalogCode(_ request: HTTPRequest, _ errors: inout [FieldError]) -> String? {
        guard let text = text(request, &errors) else { return nil }
        guard let code = CatalogCursor.decode(text) else {
            errors.append(problem("the opaque next_cursor of the previous page"))
            return nil
        }
        return code
    }

    /// For a list that is always one page (`next_cursor` is always null): any `after` is not a
    /// cursor it made, and saying so beats answering the whole list as if it were the next page.
    static func onePage(_ request: HTTPRequest) throws(HTTPError) {
        var errors: [FieldError] = []
        if text(request, &errors) != nil { errors.append(problem("no cursor: this list is one page, its next_cursor is always null")) }
        try check(errors)
    }

    /// Throws the one 400 for a list's query problems: `invalid_cursor` when the cursor is
    /// among them (a client restarts its paging on that code), else `invalid_query`.
    static func check(_ errors: [FieldError]) throws(HTTPError) {
        guard !errors.isEmpty else { return }
        if errors.contains(where: { $0.code == code }) {
            throw HTTPError(.badRequest, code: code,
                            detail: "The after cursor is not one this server made: pass next_cursor from the previous page unchanged, or leave after out to start from the beginning.",
                            errors: errors)
        }
        throw HTTPError(.badRequest, code: "invalid_query", detail: "Some query parameters are invalid; see errors.", errors: errors)
    }

    /// The raw cursor text, nil when absent or empty. A value whose percent-escapes do not
    /// decode is a malformed cursor, not an absent one.
    private static func text(_ request: HTTPRequest, _ errors: inout [FieldError]) -> String? {
        guard let query = request.query else { return nil }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard PercentDecoding.decode(parts[0], plusAsSpace: true) == parameter else { continue }
            guard parts.count > 1, !parts[1].isEmpty else { return nil }
            guard let value = PercentDecoding.decode(parts[1], plusAsSpace: true) else {
                errors.append(problem("a cursor without broken percent-escapes"))
                return nil
            }
            return value
        }
        return nil
    }

    private static func problem(_ expected: String) -> FieldError {
        FieldError(field: parameter, code: code, message: "Not a cursor this server made: expected \(expected). Pass next_cursor from the previous page unchanged.")
    }
}
