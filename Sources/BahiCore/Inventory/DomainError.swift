/// A domain rule refused an operation. The API layer maps `status` and `code` to a
/// problem+json response; `fields` say which inputs were at fault.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public var statusCode: Int
    public var code: String
    public var detail: String
    public var fields: [(field: String, code: String, message: String)]
    /// Extra structured data for the client (e.g. per-line shortfall), as JSON text.
    public var extraJSON: [(key: String, json: String)]

    public init(status: Int, code: String, detail: String, fields: [(field: String, code: String, message: String)] = [], extraJSON: [(key: String, json: String)] = []) {
        self.statusCode = status
        self.code = code
        self.detail = detail
        self.fields = fields
        self.extraJSON = extraJSON
    }

    public var description: String { "\(statusCode) \(code): \(detail)" }

    public static func == (lhs: DomainError, rhs: DomainError) -> Bool {
        lhs.statusCode == rhs.statusCode && lhs.code == rhs.code && lhs.detail == rhs.detail
    }

    public static func notFound(_ what: String, _ id: String) -> DomainError {
        DomainError(status: 404, code: "not_found", detail: "No \(what) \(id).")
    }

    public static func invalid(_ field: String, _ code: String, _ message: String) -> DomainError {
        DomainError(status: 422, code: "validation_failed", detail: "\(field): \(message)", fields: [(field, code, message)])
    }
}
