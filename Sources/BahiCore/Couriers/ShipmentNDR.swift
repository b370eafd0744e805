public import BahiJSON

/// One failed delivery attempt (NDR) of a shipment, and what was done about it.
///
/// Why a record per attempt: the seller has a day to act on each (Shiprocket re-attempts on its
/// own after 24 hours), couriers stop after three, and a fake-attempt dispute needs the
/// attempt's own reason and time. `open` until the seller acts (`actioned`) or the parcel is
/// delivered or goes back (`closed`, with `closedBy`).
public struct ShipmentNDR: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case open, actioned, closed }

    /// What the seller asks the courier to do.
    public enum Action: String, Sendable, CaseIterable {
        case reattempt
        /// Give up and bring it back (RTO).
        case `return`
        /// Re-attempt at a corrected address.
        case updateAddress = "update_address"
        /// Re-attempt with a new phone for the buyer.
        case updatePhone = "update_phone"
    }

    public var id: String
    public var shipmentID: String
    /// 1 for the first failed attempt.
    public var attempt: Int
    public var reason: NDRReason
    /// The courier's code and words for it.
    public var code: String?
    public var text: String?
    /// When the attempt failed, as the courier reported it.
    public var raisedAt: Int64
    public var status: Status
    public var action: Action?
    /// The action's details as given: `deferred_date`, `address`, `phone`, `note`.
    public var actionDetail: JSONObject
    public var actionBy: String?
    public var actionedAt: Int64?
    /// What the courier's API answered to the action, or why nothing was sent.
    public var courierReply: String?
    /// What closed it: `delivered`, `rto` or `policy` (attempts exhausted or a refusal).
    public var closedBy: String?

    public init(id: String, shipmentID: String, attempt: Int, reason: NDRReason, code: String?, text: String?, raisedAt: Int64, status: Status,
                action: Action? = nil, actionDetail: JSONObject = [:], actionBy: String? = nil, actionedAt: Int64? = nil, courierReply: String? = nil,
                closedBy: String? = nil) {
        self.id = id
        self.shipmentID = shipmentID
        self.attempt = attempt
        self.reason = reason
        self.code = code
        self.text = text
        self.raisedAt = raisedAt
        self.status = status
        self.action = action
        self.actionDetail = actionDetail
        self.actionBy = actionBy
        self.actionedAt = actionedAt
        self.courierReply = courierReply
        self.closedBy = closedBy
    }
}
