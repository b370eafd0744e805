import Testing
import BahiCore

/// Walks every pair of shipment statuses against the lifecycle of DESIGN §5, written out
/// here independently of `ShipmentStatus.canMove`.
@Suite struct ShipmentStatusTests {
    /// Every allowed move; every pair not listed must be refused.
    static let allowed: Set<String> = [
        // The warehouse, then the courier's forward journey.
        "pending→picking", "pending→packed", "picking→packed", "packed→ready", "ready→picked_up",
        "picked_up→in_transit", "in_transit→out_for_delivery", "out_for_delivery→delivered",
        // A booking cancelled before pickup: the parcel is packed again, without a courier.
        "ready→packed",
        // A failed attempt: re-attempt or return to origin.
        "out_for_delivery→undelivered", "undelivered→out_for_delivery", "undelivered→rto_initiated",
        "rto_initiated→rto_in_transit", "rto_in_transit→rto_delivered",
        // Lost while a courier has it.
        "picked_up→lost", "in_transit→lost", "out_for_delivery→lost", "undelivered→lost", "rto_initiated→lost", "rto_in_transit→lost",
        // Cancelled before dispatch.
        "pending→cancelled", "picking→cancelled", "packed→cancelled", "ready→cancelled",
    ]

    @Test func everyPairMatchesTheTable() {
        var checked = 0
        for from in ShipmentStatus.allCases {
            for to in ShipmentStatus.allCases {
                let expected = Self.allowed.contains("\(from.rawValue)→\(to.rawValue)")
                #expect(from.canMove(to: to) == expected, "\(from.rawValue) → \(to.rawValue)")
                checked += 1
            }
        }
        #expect(checked == 14 * 14)
    }

    /// Booking is packed → ready; cancelling it before pickup is the one move back, and only
    /// from ready (a parcel the courier has cannot be unbooked).
    @Test func aBookingIsCancelledOnlyBeforePickup() {
        #expect(ShipmentStatus.packed.canMove(to: .ready) && ShipmentStatus.ready.canMove(to: .packed))
        #expect(ShipmentStatus.sources(of: .packed) == [.pending, .picking, .ready])
        #expect(!ShipmentStatus.pickedUp.canMove(to: .packed) && !ShipmentStatus.pickedUp.canMove(to: .ready))
    }

    @Test func finalStatesGoNowhere() {
        for final in [ShipmentStatus.delivered, .rtoDelivered, .lost, .cancelled] {
            #expect(ShipmentStatus.allCases.allSatisfy { !final.canMove(to: $0) }, "\(final.rawValue)")
        }
    }

    @Test func cancellableExactlyWhileInTheWarehouse() {
        for status in ShipmentStatus.allCases where status != .cancelled {
            #expect(status.canMove(to: .cancelled) == status.isInWarehouse, "\(status.rawValue)")
        }
    }
}
