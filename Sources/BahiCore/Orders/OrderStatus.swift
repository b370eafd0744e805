/// An order's main status (DESIGN §5) and the moves allowed between them.
///
/// The table lives in one pure function so tests can walk every pair, and so every route
/// asks the same question before it writes: a move not in the table is
/// `invalid_transition`, whatever the route.
public enum OrderStatus: String, Sendable, CaseIterable {
    case pendingPayment = "pending_payment"
    case onHold = "on_hold"
    case confirmed
    case inFulfilment = "in_fulfilment"
    case completed
    case cancelled

    /// Whether an order may move from this status to `next`.
    ///
    /// - pending_payment → confirmed (paid) or cancelled (also by payment timeout);
    /// - on_hold → confirmed (verified) or cancelled;
    /// - confirmed → in_fulfilment (picking or packing began), on_hold, or cancelled;
    /// - in_fulfilment → completed or cancelled (until a courier has it, checked apart);
    /// - completed and cancelled are final.
    public func canMove(to next: OrderStatus) -> Bool {
        switch (self, next) {
        case (.pendingPayment, .confirmed), (.pendingPayment, .cancelled): true
        case (.onHold, .confirmed), (.onHold, .cancelled): true
        case (.confirmed, .inFulfilment), (.confirmed, .onHold), (.confirmed, .cancelled): true
        case (.inFulfilment, .completed), (.inFulfilment, .cancelled): true
        default: false
        }
    }

    /// Statuses from which an order may move to `next`.
    public static func sources(of next: OrderStatus) -> [OrderStatus] {
        allCases.filter { $0.canMove(to: next) }
    }

    /// Whether the order still holds stock and may change (not cancelled or completed).
    public var isLive: Bool { self != .cancelled && self != .completed }

    /// `invalid_transition`, naming where the order is and what was asked.
    public static func invalidTransition(_ id: String, from: OrderStatus, to: OrderStatus, action: String) -> DomainError {
        DomainError(.invalidTransition,
                    "Order \(id) is \(from.rawValue); it cannot be \(action) (→ \(to.rawValue)). Allowed from: \(sources(of: to).map(\.rawValue).joined(separator: ", ")).")
    }
}
