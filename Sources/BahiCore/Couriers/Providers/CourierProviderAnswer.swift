/// What a courier provider said to one request, read from its answer by `ShiprocketAPI` and
/// `DelhiveryAPI`.
///
/// Why three kinds of failure: a refusal (the provider read the request and said no — a
/// field it rejects, an unserviceable pincode) means nothing was booked and asking again
/// unchanged will fail again, so Bahi answers 502 `courier_refused` with the provider's words;
/// an expired login is retried once with a new one; anything else (a 5xx, 408/429, a body
/// that cannot be read, no answer at all) says nothing certain and answers 503
/// `courier_unavailable` — safe to ask again, since the order reference is Bahi's shipment id.
public enum CourierProviderAnswer<Value: Sendable>: Sendable {
    case ok(Value)
    /// The provider refused; `field` is the provider's name of the input at fault, if it named one.
    case refused(message: String, field: String?)
    /// The token was not accepted (Shiprocket's 401): log in again once.
    case unauthorized
    case unavailable(String)

    /// The same failure for another value type (a failed step ends a booking the same way);
    /// called only on a failure (an `.ok` would become `.unavailable`, never a success).
    public func recast<Other: Sendable>(as: Other.Type = Other.self) -> CourierProviderAnswer<Other> {
        switch self {
        case .ok: .unavailable("a successful answer was taken for a failure")
        case .refused(let message, let field): .refused(message: message, field: field)
        case .unauthorized: .unauthorized
        case .unavailable(let why): .unavailable(why)
        }
    }

    /// Whether the provider said yes.
    public var isOK: Bool {
        if case .ok = self { true } else { false }
    }
}
