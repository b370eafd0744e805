public import BahiHTTP
public import BahiJSON

/// Reads a request's JSON body with the errors DESIGN §2 promises: 415 for another content
/// type, 400 for a body that is not JSON (with line and column), 400 for a wrong-typed field
/// (naming its path), 422 for an unknown field or an invalid value.
public enum RequestBody {
    /// The body as a JSON object.
    public static func object(_ request: HTTPRequest) throws(HTTPError) -> JSONObject {
        let contentType = request.headers["content-type"]?.lowercased() ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: " \t") } ?? ""
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
            throw HTTPError(.unsupportedMediaType, code: "unsupported_media_type",
                            detail: "Send the body as JSON with Content-Type: application/json\(contentType.isEmpty ? "" : " (got \(contentType))").")
        }
        guard !request.body.isEmpty else {
            throw HTTPError(.badRequest, code: "empty_body", detail: "The request needs a JSON object body.")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body)
        } catch {
            throw HTTPError(.badRequest, code: "invalid_json", detail: "The body is not valid JSON: \(error).",
                            errors: [FieldError(field: "body", code: "invalid_json", message: error.description)])
        }
        guard case .object(let object) = value else {
            throw HTTPError(.badRequest, code: "invalid_json", detail: "The body must be a JSON object, not \(value.kindName).")
        }
        return object
    }
}

/// Collects every problem with a request object before answering, so one response lists
/// them all, each with the field path (`lines[2].qty`), a code and a fix.
///
/// Not Sendable by design: one validator lives inside one handler call.
public final class Validator {
    public private(set) var errors: [FieldError] = []
    private var typeErrors = false

    public init() {}

    /// A validator that starts with `seed` (a declared shape's problems): later checks of the
    /// same field with the same code are not listed twice.
    public init(seed: [FieldError]) {
        errors = seed
        typeErrors = seed.contains { $0.code == "invalid_type" }
    }

    /// Reports keys of `object` that are not in `allowed` (422 `unknown_field`).
    public func allowOnly(_ object: JSONObject, _ allowed: Set<String>, at path: String = "") {
        for key in object.keys where !allowed.contains(key) {
            let problem = Validator.unknownField(key, at: join(path, key), allowed: allowed)
            add(problem.field, problem.code, problem.message)
        }
    }

    /// 422 `unknown_field` for `key`, with the nearest allowed name when one is close.
    static func unknownField(_ key: String, at field: String, allowed: some Collection<String>) -> FieldError {
        let suggestion = allowed.min { editDistance(key, $0) < editDistance(key, $1) }.flatMap { editDistance(key, $0) <= 2 ? " (did you mean \($0)?)" : nil } ?? ""
        return FieldError(field: field, code: "unknown_field", message: "Unknown field\(suggestion); allowed: \(allowed.sorted().joined(separator: ", ")).")
    }

    /// Records a value problem (422).
    public func add(_ field: String, _ code: String, _ message: String) {
        guard !errors.contains(where: { $0.field == field && $0.code == code }) else { return }
        errors.append(FieldError(field: field, code: code, message: message))
    }

    private func wrongType(_ field: String, expected: String, got value: JSONValue) {
        typeErrors = true
        add(field, "invalid_type", "Expected \(expected), got \(value.kindName).")
    }

    private func missing(_ field: String) {
        add(field, "required", "This field is required.")
    }

    /// Looks up `key`, reports a missing required field, and hands a present, non-null value
    /// to `extract`; a value `extract` rejects (nil) is a wrong-type error naming `expected`.
    private func field<T>(_ object: JSONObject, _ key: String, at path: String, required: Bool, expected: String, _ extract: (JSONValue) -> T?) -> T? {
        let name = join(path, key)
        guard let value = object[key], value != .null else {
            if required { missing(name) }
            return nil
        }
        guard let extracted = extract(value) else {
            wrongType(name, expected: expected, got: value)
            return nil
        }
        return extracted
    }

    /// A string field. `required` fields report their absence; `null` counts as absent.
    public func string(_ object: JSONObject, _ key: String, at path: String = "", required: Bool = false, maxLength: Int = 1000) -> String? {
        let s = field(object, key, at: path, required: required, expected: "a string") { if case .string(let s) = $0 { s } else { nil } }
        if let s {
            if s.count > maxLength { add(join(path, key), "too_long", "At most \(maxLength) characters.") }
            if required, s.isEmpty { add(join(path, key), "required", "Must not be empty.") }
        }
        return s
    }

    /// An integer field (money in paise, quantities): a JSON number with no fraction or
    /// exponent, within `range`.
    public func integer(_ object: JSONObject, _ key: String, at path: String = "", required: Bool = false, range: ClosedRange<Int64> = Int64.min...Int64.max) -> Int64? {
        guard let v = field(object, key, at: path, required: required, expected: "an integer", { if case .number(let n) = $0 { n.int64 } else { nil } }) else {
            return nil
        }
        guard range.contains(v) else {
            add(join(path, key), "out_of_range", "Must be between \(range.lowerBound) and \(range.upperBound).")
            return nil
        }
        return v
    }

    /// A boolean field.
    public func bool(_ object: JSONObject, _ key: String, at path: String = "", required: Bool = false) -> Bool? {
        field(object, key, at: path, required: required, expected: "true or false") { if case .bool(let b) = $0 { b } else { nil } }
    }

    /// A nested object field.
    public func object(_ object: JSONObject, _ key: String, at path: String = "", required: Bool = false) -> JSONObject? {
        field(object, key, at: path, required: required, expected: "an object") { if case .object(let o) = $0 { o } else { nil } }
    }

    /// An array field.
    public func array(_ object: JSONObject, _ key: String, at path: String = "", required: Bool = false) -> [JSONValue]? {
        field(object, key, at: path, required: required, expected: "an array") { if case .array(let a) = $0 { a } else { nil } }
    }

    /// Throws the collected problems: 400 if any field had the wrong JSON type (the body
    /// does not decode), else 422.
    public func check() throws(HTTPError) {
        guard !errors.isEmpty else { return }
        if typeErrors {
            throw HTTPError(.badRequest, code: "invalid_body", detail: "Some fields have the wrong JSON type; see errors.", errors: errors)
        }
        let unknownOnly = errors.allSatisfy { $0.code == "unknown_field" }
        throw HTTPError(.unprocessableContent, code: unknownOnly ? "unknown_field" : "validation_failed",
                        detail: unknownOnly ? "The body has fields this endpoint does not know; see errors." : "Some fields are invalid; see errors.",
                        errors: errors)
    }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8), b = Array(b.utf8)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

extension String {
    /// Without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
