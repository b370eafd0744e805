public import BahiCore
public import BahiHTTP

/// Domain errors answer as problem+json. Core knows nothing of HTTP, so this is the one table
/// that turns a domain code into a status and a domain input into the request path clients
/// see.
extension DomainError: HTTPResponseError {
    public var status: HTTPStatus { HTTPStatus(code: DomainErrorResponse.status(of: code)) }

    public var problem: Problem {
        let status = DomainErrorResponse.status(of: code)
        return Problem(status: status, code: code.rawValue, title: HTTPStatus(code: status).reason, detail: message,
                       errors: problems.map { FieldError(field: DomainErrorResponse.requestPath(of: $0), code: $0.code, message: $0.message) },
                       extra: details.map { (key: $0.key, json: $0.json) })
    }
}

/// The mapping from domain failures to HTTP.
public enum DomainErrorResponse {
    /// The status each domain code answers with. Exhaustive: a new code does not compile
    /// until it is given one here.
    public static func status(of code: DomainError.Code) -> Int {
        switch code {
        case .notFound:
            404
        case .validationFailed, .invalidPincode, .invalidKit, .invalidHeader, .invalidCSV, .invalidGSTIN, .codBlockedPincode, .codLimitExceeded,
             .codNotAvailable, .modeMismatch, .scanMismatch, .totalsMismatch, .unknownLocation, .unknownReservation, .courierCannotCarry,
             .nothingToManifest:
            422
        case .insufficientStock, .invalidTransition, .invoiceSeriesExhausted, .nothingToPick, .paymentBelongsElsewhere,
             .reservationNotActive, .sellerProfileIncomplete, .sellerStateUnknown, .shipmentsNotPickable, .shipmentNotPacked, .skuHasStock, .endpointDisabled,
             .refundExceedsCaptured, .gatewayNotConfigured, .shipmentNotBooked, .waybillPoolEmpty, .awbInUse, .wrongProvider,
             .pickupCapacityFull, .rtoAlreadyReceived,
             .courierNotConfigured:
            409
        case .courierRefused:
            502
        case .courierUnavailable:
            503
        case .providerNotSupportedYet:
            501
        case .versionMismatch:
            412
        case .corruptOrder, .corruptRow, .invoiceSeriesFailed, .ledgerInconsistent:
            500
        }
    }

    /// Domain input names whose request path differs: the order draft's shipping address is
    /// `shipping_address` on the wire, its payment method sits in a `payment` object.
    static let renamedFields: [String: String] = [
        "shipping.pincode": "shipping_address.pincode",
        "payment_method": "payment.method",
    ]

    /// The request path of the input a problem names: `lines[2].sku`, `shipping_address.pincode`.
    public static func requestPath(of problem: FieldProblem) -> String {
        let field = renamedFields[problem.field] ?? problem.field
        guard let item = problem.item else { return field }
        let base = "\(item.list)[\(item.index)]"
        return field.isEmpty ? base : "\(base).\(field)"
    }
}
