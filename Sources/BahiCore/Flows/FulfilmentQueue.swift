public import BahiStore
public import BahiJSON

/// The packing queue: shipments of confirmed orders waiting to be picked, most urgent first.
/// A flow: fulfilment stores the queue with its sort keys (`PackingQueue`), and the keys come
/// from the orders, so keeping it in step (`refresh`) reads both domains.
///
/// Why stored: at a million orders with tens of thousands waiting, reading every waiting
/// shipment and its order and sorting them on every request took seconds. The stored rows
/// carry the order's facts and a class for rules 2–3 of `FulfilmentPriority.sort`, so the top
/// of a location's queue is a range of two indexes; rule 1 (the SLA) is a time range of one of
/// them, so nothing needs updating as time passes. `FulfilmentPriority.sort` stays the
/// definition: the tests hold the indexed read to it.
public enum FulfilmentQueue {
    /// One waiting shipment with what the queue sorts on.
    public struct Entry: Sendable {
        public var item: QueueItem
        public var location: String
        public var channelOrderRef: String
        public var slaDueAt: Int64
    }

    /// The first `limit` waiting shipments (at one location, or across all), in the order of
    /// `FulfilmentPriority.sort`. While the stored classes follow `rules` (the usual case,
    /// once `adopt` ran) each location's top is read from the indexes; when they follow other
    /// rules (the configuration changed and no write has adopted it yet), every waiting row of
    /// the location is sorted by the reference instead: slower, never a wrong order. Across
    /// locations, each location's top `limit` is merged by the reference.
    public static func entries(_ db: any Database, location: String?, limit: Int, rules: FulfilmentPriorityRules, now: Int64) throws -> [Entry] {
        guard limit > 0 else { return [] }
        let locations = try location.map { [$0] } ?? PackingQueue.locations(db)
        var rows: [WaitingShipment] = []
        let indexed = try PackingQueue.storedRules(db) == PackingQueue.ClassRules(rules)
        for code in locations {
            rows += indexed ? try PackingQueue.top(db, location: code, limit: limit, breachedUpTo: FulfilmentPriority.breachCutoff(now: now, rules: rules))
                            : try PackingQueue.all(db, location: code)
        }
        let byID = Dictionary(rows.map { ($0.shipmentID, $0) }, uniquingKeysWith: { a, _ in a })
        let items = rows.map { item($0, rules: rules) }
        // One location read from the indexes is in order already.
        let ordered = indexed && locations.count == 1 ? items : Array(FulfilmentPriority.sort(items, rules: rules, now: now).prefix(limit))
        return ordered.compactMap { item in
            byID[item.shipmentID].map { Entry(item: item, location: $0.location, channelOrderRef: $0.channelOrderRef,
                                               slaDueAt: FulfilmentPriority.slaDue(createdAt: $0.orderCreatedAt, rules: rules)) }
        }
    }

    /// How many shipments wait (at one location, or across all): each location's stored count.
    public static func count(_ db: any Database, location: String?) throws -> Int64 {
        try (location.map { [$0] } ?? PackingQueue.locations(db)).reduce(0) { $0 + (try PackingQueue.count(db, location: $1)) }
    }

    /// Brings the order's rows in the stored queue to what fulfilment and orders say now: its
    /// pending shipments while the order may be picked (confirmed or in fulfilment), none
    /// otherwise. Every flow that changes what the queue shows of an order calls it in its
    /// transaction (intake, payment, confirm, hold, cancel, edit); a shipment leaving
    /// `pending` (picked, packed, cancelled) leaves the queue inside fulfilment.
    static func refresh(_ db: any Database, orderID: String) throws {
        guard let facts = try OrderQueries.fulfillable(db, id: orderID) else {
            try PackingQueue.replace(db, orderID: orderID, order: nil, waiting: [])
            return
        }
        try PackingQueue.replace(db, orderID: orderID, order: .init(channel: facts.channel, channelOrderRef: facts.channelOrderRef,
                                                                    paymentMethod: facts.paymentMethod, valuePaise: facts.totalPaise,
                                                                    createdAt: facts.createdAt),
                                 waiting: try Shipments.pending(db, orderID: orderID))
    }

    /// `refresh` for an order just placed, from what intake holds already (the order and the
    /// shipments it made), so intake reads nothing more: its pending shipments wait while it
    /// is confirmed.
    static func enqueue(_ db: any Database, order: Order, shipments: [Shipment]) throws {
        let waiting = order.status == .confirmed || order.status == .inFulfilment
            ? shipments.filter { $0.status == .pending }.map { (id: $0.id, location: $0.location) } : []
        try PackingQueue.replace(db, orderID: order.id, order: .init(channel: order.channel, channelOrderRef: order.channelOrderRef,
                                                                     paymentMethod: order.paymentMethod.rawValue, valuePaise: order.totals.totalPaise,
                                                                     createdAt: order.createdAt),
                                 waiting: waiting)
    }

    /// Makes the stored classes follow `rules` (express channels, prepaid first) if they follow
    /// others: the server runs it in a write at start, so a configuration change reorders
    /// the stored queue once. True when it recomputed.
    @discardableResult
    public static func adopt(_ db: any Database, rules: FulfilmentPriorityRules) throws -> Bool {
        try PackingQueue.adopt(db, rules: PackingQueue.ClassRules(rules))
    }

    static func item(_ row: WaitingShipment, rules: FulfilmentPriorityRules) -> QueueItem {
        QueueItem(shipmentID: row.shipmentID, orderID: row.orderID, channel: row.channel, paymentMethod: row.paymentMethod,
                  orderValuePaise: row.valuePaise, createdAt: row.orderCreatedAt, express: rules.expressChannels.contains(row.channel))
    }
}
