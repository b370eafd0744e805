/// Where an order's money stands, stored beside its status (DESIGN §5): a prepaid order moves
/// unpaid → authorized/paid, a COD order cod_pending → cod_collected → cod_remitted.
/// Raw values are the stored text.
public enum PaymentStatus: String, Sendable, CaseIterable {
    case unpaid, authorized, paid
    case partiallyRefunded = "partially_refunded"
    case refunded
    case codPending = "cod_pending"
    case codCollected = "cod_collected"
    case codRemitted = "cod_remitted"
}

/// How the buyer pays: before dispatch (card, UPI, wallet) or in cash to the courier.
/// Decides the payment status an order starts in and whether COD rules and RTO risk apply.
public enum PaymentMethod: String, Sendable, CaseIterable {
    case prepaid, cod
}

/// How far an order's parcels have gone, summarised on the order (DESIGN §5). Only
/// `unfulfilled` is written in this version; the courier integration moves the rest.
public enum FulfilmentStatus: String, Sendable, CaseIterable {
    case unfulfilled
    case partiallyShipped = "partially_shipped"
    case shipped
    case partiallyDelivered = "partially_delivered"
    case delivered, rto
    case partiallyReturned = "partially_returned"
    case returned
}

/// Why an order waits on hold: set by intake (a risky COD order) or by a person, cleared
/// when it is confirmed or cancelled.
public enum HoldReason: String, Sendable, CaseIterable {
    case codVerification = "cod_verification"
    case addressReview = "address_review"
    case fraudReview = "fraud_review"
    case customerRequest = "customer_request"
    case other
}

/// Why an order was cancelled, kept on the order and in its history.
public enum CancelReason: String, Sendable, CaseIterable {
    case customer, fraud, inventory
    case paymentTimeout = "payment_timeout"
    case address, other
}
