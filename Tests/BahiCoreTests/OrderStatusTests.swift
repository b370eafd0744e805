import Testing
import BahiCore

/// Walks every pair of order statuses against the lifecycle of DESIGN §5, written out here
/// independently of `OrderStatus.canMove`, so a change to either shows up as a difference.
@Suite struct OrderStatusTests {
    /// Every allowed move; every pair not listed must be refused.
    static let allowed: Set<String> = [
        "pending_payment→confirmed", "pending_payment→cancelled",
        "on_hold→confirmed", "on_hold→cancelled",
        "confirmed→in_fulfilment", "confirmed→on_hold", "confirmed→cancelled",
        "in_fulfilment→completed", "in_fulfilment→cancelled",
    ]

    @Test func everyPairMatchesTheTable() {
        var checked = 0
        for from in OrderStatus.allCases {
            for to in OrderStatus.allCases {
                let expected = Self.allowed.contains("\(from.rawValue)→\(to.rawValue)")
                #expect(from.canMove(to: to) == expected, "\(from.rawValue) → \(to.rawValue)")
                checked += 1
            }
        }
        #expect(checked == 36)
    }

    @Test func finalStatesGoNowhere() {
        for to in OrderStatus.allCases {
            #expect(!OrderStatus.completed.canMove(to: to))
            #expect(!OrderStatus.cancelled.canMove(to: to))
        }
        #expect(!OrderStatus.completed.isLive && !OrderStatus.cancelled.isLive && OrderStatus.confirmed.isLive)
    }

    @Test func refusalNamesWhereItMayComeFrom() {
        let error = OrderStatus.invalidTransition("ord_X", from: .completed, to: .cancelled, action: "cancelled")
        #expect(error.code == .invalidTransition)
        #expect(error.message.contains("pending_payment, on_hold, confirmed, in_fulfilment"))
    }
}
