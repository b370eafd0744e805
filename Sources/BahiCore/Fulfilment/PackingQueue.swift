public import BahiStore

/// One shipment waiting to be picked, as the stored queue keeps it: the shipment, where it
/// waits, and its order's facts the queue sorts on.
public struct WaitingShipment: Sendable, Equatable {
    public var shipmentID: String
    public var orderID: String
    public var location: String
    public var channel: String
    public var channelOrderRef: String
    public var paymentMethod: String
    /// The order's total.
    public var valuePaise: Int64
    /// When the order was placed: the SLA clock starts here.
    public var orderCreatedAt: Int64
    /// `FulfilmentPriority.priorityClass` under the stored rules.
    public var priorityClass: Int64

    public init(shipmentID: String, orderID: String, location: String, channel: String, channelOrderRef: String, paymentMethod: String,
                valuePaise: Int64, orderCreatedAt: Int64, priorityClass: Int64) {
        self.shipmentID = shipmentID
        self.orderID = orderID
        self.location = location
        self.channel = channel
        self.channelOrderRef = channelOrderRef
        self.paymentMethod = paymentMethod
        self.valuePaise = valuePaise
        self.orderCreatedAt = orderCreatedAt
        self.priorityClass = priorityClass
    }
}

/// The packing queue as fulfilment stores it (`fulfilment_queue`): one row per waiting
/// shipment with its sort keys, so the top of a location's queue is read from an index in
/// order instead of sorting every waiting shipment on every request (issue 15). The flows
/// keep it (`FulfilmentQueue.refresh`); a shipment leaving `pending` leaves it here. Each
/// location's number of rows is kept beside it (`fulfilment_queue_counts`), so the queue's
/// `total` is one row's read rather than a count growing with the queue.
public enum PackingQueue {
    /// The part of the priority rules a stored class depends on (the SLA is applied when
    /// reading, so it can change freely).
    public struct ClassRules: Sendable, Equatable {
        public var prepaidFirst: Bool
        public var expressChannels: Set<String>

        public init(prepaidFirst: Bool, expressChannels: Set<String>) {
            self.prepaidFirst = prepaidFirst
            self.expressChannels = expressChannels
        }

        public init(_ rules: FulfilmentPriorityRules) {
            self.init(prepaidFirst: rules.prepaidFirst, expressChannels: rules.expressChannels)
        }

        /// The class of a shipment of `channel` paid by `paymentMethod` under these rules.
        func priorityClass(channel: String, paymentMethod: String) -> Int64 {
            FulfilmentPriority.priorityClass(channel: channel, paymentMethod: paymentMethod, prepaidFirst: prepaidFirst, expressChannels: expressChannels)
        }
    }

    /// The rules the stored classes follow (the migration's defaults until a node adopts its own).
    public static func storedRules(_ db: any Database) throws -> ClassRules {
        try PackingQueueRecords.rules(db)
    }

    /// What an order says about its waiting shipments, for `replace`.
    struct OrderFacts {
        var channel: String
        var channelOrderRef: String
        var paymentMethod: String
        var valuePaise: Int64
        var createdAt: Int64
    }

    /// Makes the order's rows exactly `waiting` (its pending shipments, empty when the order
    /// may not be picked) with `order`'s facts, classed under the stored rules. The delete
    /// comes first: on PostgreSQL it waits out a recompute in progress, so the rules read
    /// after it are the ones the classes follow (`PackingQueueRecords.lockForRecompute`).
    static func replace(_ db: any Database, orderID: String, order: OrderFacts?, waiting: [(id: String, location: String)]) throws {
        try PackingQueueRecords.deleteOrder(db, orderID: orderID)
        guard let order, !waiting.isEmpty else { return }
        let rules = try PackingQueueRecords.rules(db)
        let priorityClass = rules.priorityClass(channel: order.channel, paymentMethod: order.paymentMethod)
        try PackingQueueRecords.insert(db, waiting.map { shipment in
            WaitingShipment(shipmentID: shipment.id, orderID: orderID, location: shipment.location, channel: order.channel, channelOrderRef: order.channelOrderRef,
                            paymentMethod: order.paymentMethod, valuePaise: order.valuePaise, orderCreatedAt: order.createdAt, priorityClass: priorityClass)
        })
    }

    /// The shipment left `pending` (picked, packed, cancelled): it no longer waits.
    static func remove(_ db: any Database, shipmentID: String) throws {
        try PackingQueueRecords.deleteShipment(db, shipmentID: shipmentID)
    }

    /// The first `limit` of one location's queue in priority order, read from the indexes:
    /// the breached ones (ordered at or before `cutoff`, `FulfilmentPriority.breachCutoff`)
    /// oldest first, then, if they are fewer than `limit`, the rest by class, value and age.
    /// Valid only while the stored classes follow the caller's rules.
    public static func top(_ db: any Database, location: String, limit: Int, breachedUpTo cutoff: Int64?) throws -> [WaitingShipment] {
        guard limit > 0 else { return [] }
        var rows: [WaitingShipment] = []
        if let cutoff { rows = try PackingQueueRecords.breached(db, location: location, upTo: cutoff, limit: limit) }
        if rows.count < limit {
            // No cutoff: nothing is breached, every row is "after" the earliest time.
            rows += try PackingQueueRecords.fresh(db, location: location, after: cutoff ?? .min, limit: limit - rows.count)
        }
        return rows
    }

    /// Every row waiting at `location`, for the reference sort.
    public static func all(_ db: any Database, location: String) throws -> [WaitingShipment] {
        try PackingQueueRecords.all(db, location: location)
    }

    /// How many shipments wait at `location`: its stored count (`fulfilment_queue_counts`,
    /// kept with every change to the queue), one row however many wait.
    public static func count(_ db: any Database, location: String) throws -> Int64 {
        try PackingQueueRecords.count(db, location: location)
    }

    /// Locations whose stored count is not their number of rows: the audit's check of the
    /// counts (fulfilment's own tables alone).
    public static func countProblems(_ db: any Database) throws -> [String] {
        try PackingQueueRecords.countMismatches(db)
    }

    /// Every location's code: a queue across locations is each location's queue merged.
    static func locations(_ db: any Database) throws -> [String] {
        try PackingQueueRecords.locations(db)
    }

    /// Every stored row, by shipment id (the audit).
    static func everyRow(_ db: any Database) throws -> [WaitingShipment] {
        try PackingQueueRecords.everyRow(db)
    }

    /// Recomputes every stored class under `rules` unless they are the rules stored already;
    /// true when it did. One UPDATE per (channel, payment method) pair present: few, since
    /// channels are.
    @discardableResult
    public static func adopt(_ db: any Database, rules: ClassRules) throws -> Bool {
        guard try PackingQueueRecords.rules(db) != rules else { return false }
        try PackingQueueRecords.lockForRecompute(db)
        try PackingQueueRecords.setRules(db, rules)
        for pair in try PackingQueueRecords.classInputs(db) {
            try PackingQueueRecords.setClass(db, channel: pair.channel, paymentMethod: pair.paymentMethod,
                                             to: rules.priorityClass(channel: pair.channel, paymentMethod: pair.paymentMethod))
        }
        return true
    }

    /// Rows whose class is not what the stored rules give their channel and payment method:
    /// the audit's half of the queue check that needs no other domain.
    public static func classProblems(_ db: any Database) throws -> [String] {
        let rules = try PackingQueueRecords.rules(db)
        return try everyRow(db).compactMap { row in
            let expected = rules.priorityClass(channel: row.channel, paymentMethod: row.paymentMethod)
            return row.priorityClass == expected ? nil
                : "queued shipment \(row.shipmentID) has class \(row.priorityClass), but its rules give \(expected)"
        }
    }
}
