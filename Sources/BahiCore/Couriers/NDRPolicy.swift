/// What follows a failed delivery attempt: another attempt, or return to origin (RTO).
///
/// Why pure and this small: the rule is the couriers' own practice (Shiprocket: "After three
/// failed attempts of delivery, the courier company marks a shipment as RTO"; a buyer's
/// refusal goes back directly), and the seller may configure the count. `TrackingFlow` asks
/// it after recording an NDR and acts on the answer (asks the courier to re-attempt, or to
/// return); a test table covers every case.
public enum NDRPolicy {
    /// Couriers make at most three attempts (Shiprocket SR-KB 43000336725; Delhivery accepts
    /// RE-ATTEMPT only at attempt count 1 or 2).
    public static let defaultMaxAttempts = 3

    /// Why a shipment goes back.
    public enum RTOCause: String, Sendable {
        /// The buyer refused the parcel: another attempt would only cost another freight leg.
        case refused
        /// The last allowed attempt failed.
        case attemptsExhausted = "attempts_exhausted"
    }

    /// The decision.
    public enum Decision: Sendable, Equatable {
        /// Try again; `attempt` is the number the next attempt will have.
        case reattempt(attempt: Int)
        case returnToOrigin(RTOCause)
    }

    /// After `attempts` failed attempts (counting this one; less than 1 counts as 1, since an
    /// NDR is itself a failed attempt), the last one failing for `reason`: RTO on a refusal or
    /// once `attempts` reaches `maxAttempts` (at least 1), else another attempt. Every other
    /// reason, out-of-delivery-area included, is re-attempted: an ODA parcel is often delivered
    /// late or collected, and the courier's own count ends it anyway.
    public static func next(attempts: Int, reason: NDRReason, maxAttempts: Int = defaultMaxAttempts) -> Decision {
        let failed = max(1, attempts)
        if reason == .refused { return .returnToOrigin(.refused) }
        if failed >= max(1, maxAttempts) { return .returnToOrigin(.attemptsExhausted) }
        return .reattempt(attempt: failed + 1)
    }
}
