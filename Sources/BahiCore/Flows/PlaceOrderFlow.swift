public import BahiStore

/// Taking an order in, in one transaction: the orders domain verifies and stores the
/// order, inventory converts the checkout hold and reserves its lines (all or none), and
/// fulfilment makes its shipments.
public enum PlaceOrderFlow {
    /// Takes the order in, or returns the one the channel already sent under the same
    /// `channel_order_ref` (`created` false), so a connector can retry blindly.
    ///
    /// A repeat is recognised first, before any check, so a retry gets the stored order even
    /// if the catalog or the rules changed since. The order's INSERT still decides: it comes
    /// before anything else is written, and when a concurrent writer (another node) stored the
    /// same reference in between, it inserts nothing and the stored order is returned, so a
    /// retry never writes or reserves twice.
    public static func place(
        _ db: any Database, draft: OrderDraft, policy: OrderPolicy, actor: String?, now: Int64, id: String = EntityID.make(.order)
    ) throws -> (order: Order, created: Bool) {
        if let stored = try stored(db, draft) { return (stored, false) }
        let policy = try SellerPolicy.applied(db, policy)
        let prepared = try OrderIntake.prepare(db, draft: draft, policy: policy, id: id, actor: actor, now: now)
        guard try OrderIntake.insert(db, prepared.order) else {
            guard let order = try stored(db, draft) else {
                throw DomainError(.corruptOrder, "Order \(draft.channelOrderRef) of channel \(draft.channel) exists but cannot be read.")
            }
            return (order, false)
        }

        // Stock: a checkout hold gives its units back and the order reserves its own lines in
        // the same transaction, so nobody can take them in between.
        var credit: [String: Int64] = [:]
        if let reservationID = draft.reservationID {
            guard let hold = try Holds.find(db, id: reservationID), hold.channel == draft.channel else {
                throw DomainError(.unknownReservation, "No reservation \(reservationID) for channel \(draft.channel).",
                                  problems: [FieldProblem("reservation_id", "unknown_reservation", "Send the id of a hold this channel placed, or leave it out.")])
            }
            // A hold past its time is expired even if the sweeper has not closed it yet.
            guard hold.status == .active, hold.expiresAt > now else {
                let state = hold.status == .active ? "expired" : hold.status.rawValue
                throw DomainError(.reservationNotActive, "Reservation \(reservationID) is \(state); place the order without it to reserve afresh.")
            }
            try Holds.release(db, id: reservationID, status: .converted, actor: actor, now: now)
            // The units the hold had are this buyer's: the channel's buffer was applied when
            // they were held, so only what the order asks beyond them must fit it again.
            for (sku, units) in try OrderIntake.heldUnits(db, hold) { credit[sku, default: 0] += units }
        }
        let allocations = try LineReservation.reserve(
            db, channel: draft.channel, lines: draft.lines.map { Holds.Line(sku: $0.sku, qty: $0.qty) }, reference: id, actor: actor, now: now,
            credit: credit, rank: try OrderIntake.ranker(db, strategy: policy.strategy(for: draft.channel), destination: prepared.destination),
            prefetched: draft.reservationID == nil ? prepared.lineFacts : nil)  // a converted hold changed the levels since

        try OrderIntake.recordCreated(db, prepared, actor: actor, now: now)
        var order = prepared.order
        order.shipments = try Shipments.create(db, orderID: id, allocations: allocations, now: now)
        // A confirmed order's parcels wait in the packing queue from now.
        if order.status == .confirmed { try FulfilmentQueue.enqueue(db, order: order, shipments: order.shipments) }
        return (order, true)
    }

    /// The order the channel already sent under this reference, with its shipments, or nil.
    private static func stored(_ db: any Database, _ draft: OrderDraft) throws -> Order? {
        guard let existing = try OrderQueries.id(db, channel: draft.channel, channelOrderRef: draft.channelOrderRef) else { return nil }
        return try OrderDetails.find(db, id: existing)
    }
}

extension OrderIntake {
    /// `PlaceOrderFlow.place`, under the name the benchmark and older callers use.
    public static func create(
        _ db: any Database, draft: OrderDraft, policy: OrderPolicy, actor: String?, now: Int64, id: String = EntityID.make(.order)
    ) throws -> (order: Order, created: Bool) {
        try PlaceOrderFlow.place(db, draft: draft, policy: policy, actor: actor, now: now, id: id)
    }
}
