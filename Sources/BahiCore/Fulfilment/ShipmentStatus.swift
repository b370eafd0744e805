/// A shipment's status (DESIGN §5) and the moves allowed between them. Only the warehouse
/// part moves in this version; courier statuses arrive with the courier integration, and the
/// table already says where they may go so that integration adds events, not rules.
public enum ShipmentStatus: String, Sendable, CaseIterable {
    case pending, picking, packed, ready
    case pickedUp = "picked_up"
    case inTransit = "in_transit"
    case outForDelivery = "out_for_delivery"
    case delivered, undelivered
    case rtoInitiated = "rto_initiated"
    case rtoInTransit = "rto_in_transit"
    case rtoDelivered = "rto_delivered"
    case lost, cancelled

    /// Whether a shipment may move from this status to `next`: one pure table, so tests walk
    /// every pair and every status change asks it before writing.
    ///
    /// - pending → picking → packed → ready → picked_up → in_transit → out_for_delivery → delivered;
    /// - pending → packed (packed without a pick list);
    /// - ready → packed: a booking cancelled before pickup (the AWB is given up and the parcel
    ///   waits, packed, for another booking);
    /// - out_for_delivery → undelivered → out_for_delivery (re-attempt) or rto_initiated;
    /// - rto_initiated → rto_in_transit → rto_delivered;
    /// - lost from any state a courier has the parcel in;
    /// - cancelled from the pre-dispatch states (pending, picking, packed, ready);
    /// - delivered, rto_delivered, lost and cancelled are final.
    public func canMove(to next: ShipmentStatus) -> Bool {
        switch (self, next) {
        case (.pending, .picking), (.pending, .packed), (.picking, .packed), (.packed, .ready), (.ready, .pickedUp),
             (.pickedUp, .inTransit), (.inTransit, .outForDelivery), (.outForDelivery, .delivered):
            true
        // Cancelling a booking before the courier picks the parcel up: back to packed, the
        // one move backwards in the table (tracking never reports it: see TrackingProgress).
        case (.ready, .packed):
            true
        case (.outForDelivery, .undelivered), (.undelivered, .outForDelivery), (.undelivered, .rtoInitiated):
            true
        case (.rtoInitiated, .rtoInTransit), (.rtoInTransit, .rtoDelivered):
            true
        case (.pickedUp, .lost), (.inTransit, .lost), (.outForDelivery, .lost), (.undelivered, .lost), (.rtoInitiated, .lost), (.rtoInTransit, .lost):
            true
        case (.pending, .cancelled), (.picking, .cancelled), (.packed, .cancelled), (.ready, .cancelled):
            true
        default:
            false
        }
    }

    /// Statuses from which a shipment may move to `next` (what a refusal names).
    public static func sources(of next: ShipmentStatus) -> [ShipmentStatus] {
        allCases.filter { $0.canMove(to: next) }
    }

    /// Still in the warehouse: its stock is reserved, and cancelling the order releases it.
    public var isInWarehouse: Bool { self == .pending || self == .picking || self == .packed || self == .ready }

    /// On its way back to the seller, or back: what the RTO cost applies to.
    public var isRTO: Bool { self == .rtoInitiated || self == .rtoInTransit || self == .rtoDelivered }

    /// Packed or later: the order can no longer be edited.
    public var isPackedOrLater: Bool { self != .pending && self != .picking && self != .cancelled }
}
