public import BahiStore
public import BahiJSON

/// The packing queue: shipments of confirmed orders waiting to be picked, most urgent first.
public enum FulfilmentQueue {
    /// One waiting shipment with what the queue sorts on.
    public struct Entry: Sendable {
        public var item: QueueItem
        public var location: String
        public var channelOrderRef: String
        public var slaDueAt: Int64

        /// The entry as the queue endpoint shows it; `now` decides whether the SLA is breached.
        public func json(now: Int64) -> JSONValue {
            .object([
                "shipment_id": .string(item.shipmentID), "order_id": .string(item.orderID), "channel": .string(item.channel),
                "channel_order_ref": .string(channelOrderRef), "location": .string(location), "payment_method": .string(item.paymentMethod),
                "order_value_paise": .int(item.orderValuePaise), "express": .bool(item.express),
                "created_at": .string(Timestamps.rfc3339(milliseconds: item.createdAt)),
                "sla_due_at": .string(Timestamps.rfc3339(milliseconds: slaDueAt)), "sla_breached": .bool(slaDueAt <= now),
            ])
        }
    }

    /// Pending shipments of confirmed or in-fulfilment orders (at one location, or all),
    /// ordered by the priority rules.
    public static func entries(_ db: any Database, location: String?, rules: FulfilmentPriorityRules, now: Int64) throws -> [Entry] {
        let rows = try db.query(
            """
            SELECT s.id, o.id, o.channel, o.payment_method, o.total_paise, o.created_at, s.location, o.channel_order_ref
              FROM shipments s JOIN orders o ON o.id = s.order_id
             WHERE s.status = 'pending' AND o.status IN ('confirmed', 'in_fulfilment')\(location == nil ? "" : " AND s.location = ?")
            """, location.map { code -> StatementArguments in [code] } ?? []
        ) { row in
            let channel: String = try row[2]
            let createdAt: Int64 = try row[5]
            return Entry(
                item: QueueItem(shipmentID: try row[0], orderID: try row[1], channel: channel, paymentMethod: try row[3], orderValuePaise: try row[4],
                                createdAt: createdAt, express: rules.expressChannels.contains(channel)),
                location: try row[6], channelOrderRef: try row[7], slaDueAt: FulfilmentPriority.slaDue(createdAt: createdAt, rules: rules))
        }
        let byID = Dictionary(rows.map { ($0.item.shipmentID, $0) }, uniquingKeysWith: { a, _ in a })
        return FulfilmentPriority.sort(rows.map(\.item), rules: rules, now: now).compactMap { byID[$0.shipmentID] }
    }
}
