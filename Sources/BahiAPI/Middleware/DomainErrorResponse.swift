public import BahiCore
public import BahiHTTP

/// Domain errors answer as problem+json: Core knows nothing of HTTP, so the mapping lives
/// here, at the edge.
extension DomainError: HTTPResponseError {
    public var status: HTTPStatus { HTTPStatus(code: statusCode) }

    public var problem: Problem {
        Problem(status: statusCode, code: code, title: HTTPStatus(code: statusCode).reason, detail: detail,
                errors: fields.map { FieldError(field: $0.field, code: $0.code, message: $0.message) },
                extra: extraJSON)
    }
}
