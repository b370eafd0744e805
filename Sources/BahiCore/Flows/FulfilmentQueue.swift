public import BahiStore
public import BahiJSON

/// The packing queue: shipments of confirmed orders waiting to be picked, most urgent first.
/// A flow: it reads fulfilment's waiting shipments and the orders' state and sort keys.
public enum FulfilmentQueue {
    /// One waiting shipment with what the queue sorts on.
    public struct Entry: Sendable {
        public var item: QueueItem
        public var location: String
        public var channelOrderRef: String
        public var slaDueAt: Int64

    }

    /// Pending shipments of confirmed or in-fulfilment orders (at one location, or all),
    /// ordered by the priority rules: fulfilment says which shipments wait, orders say which
    /// of their orders may be picked and what the queue sorts by.
    public static func entries(_ db: any Database, location: String?, rules: FulfilmentPriorityRules, now: Int64) throws -> [Entry] {
        let waiting = try Shipments.pending(db, location: location)
        let facts = try OrderQueries.fulfillable(db, ids: Array(Set(waiting.map(\.orderID))))
        let rows = waiting.compactMap { shipment -> Entry? in
            guard let order = facts[shipment.orderID] else { return nil }
            return Entry(
                item: QueueItem(shipmentID: shipment.id, orderID: shipment.orderID, channel: order.channel, paymentMethod: order.paymentMethod,
                                orderValuePaise: order.totalPaise, createdAt: order.createdAt, express: rules.expressChannels.contains(order.channel)),
                location: shipment.location, channelOrderRef: order.channelOrderRef,
                slaDueAt: FulfilmentPriority.slaDue(createdAt: order.createdAt, rules: rules))
        }
        let byID = Dictionary(rows.map { ($0.item.shipmentID, $0) }, uniquingKeysWith: { a, _ in a })
        return FulfilmentPriority.sort(rows.map(\.item), rules: rules, now: now).compactMap { byID[$0.shipmentID] }
    }
}
