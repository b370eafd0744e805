/// One shipment waiting to be picked and packed, as the warehouse queue sees it.
public struct QueueItem: Sendable, Equatable {
    public var shipmentID: String
    public var orderID: String
    /// The sales channel's code, matched against `FulfilmentPriorityRules.expressChannels`.
    public var channel: String
    /// `prepaid` or `cod`; anything other than `cod` counts as prepaid.
    public var paymentMethod: String
    public var orderValuePaise: Int64
    /// When the order was placed, Unix milliseconds: the SLA clock starts here.
    public var createdAt: Int64
    /// The buyer paid for express delivery.
    public var express: Bool

    public init(shipmentID: String, orderID: String, channel: String, paymentMethod: String, orderValuePaise: Int64,
                createdAt: Int64, express: Bool = false) {
        self.shipmentID = shipmentID
        self.orderID = orderID
        self.channel = channel
        self.paymentMethod = paymentMethod
        self.orderValuePaise = orderValuePaise
        self.createdAt = createdAt
        self.express = express
    }

    /// Cash on delivery.
    public var isCOD: Bool { paymentMethod == "cod" }
}

/// A seller's rules for the order of the pick queue.
public struct FulfilmentPriorityRules: Sendable, Equatable {
    /// Prepaid before COD: a prepaid order is money already received and far less likely to come
    /// back, so when the day's dispatch capacity runs out it should be COD that waits.
    public var prepaidFirst: Bool
    /// Channels whose every order is express (a marketplace's own fast-delivery programme).
    public var expressChannels: Set<String>
    /// Hours from order to dispatch the seller promises (marketplaces penalise a miss).
    public var slaHours: Int

    public init(prepaidFirst: Bool = true, expressChannels: Set<String> = [], slaHours: Int = 24) {
        self.prepaidFirst = prepaidFirst
        self.expressChannels = expressChannels
        self.slaHours = slaHours
    }
}

/// The order in which the warehouse should work the queue, so the shipments that cost most to
/// delay go out first. Deterministic: the same queue always sorts the same way, so two pickers'
/// screens agree.
public enum FulfilmentPriority {
    /// The queue sorted by, in turn:
    /// 1. SLA breached (`now` at or past `slaDue`) first, oldest first among them: a missed
    ///    dispatch promise is already costing penalties and ratings;
    /// 2. express (the item's flag or its channel in `expressChannels`) before standard;
    /// 3. prepaid before COD, when `prepaidFirst`;
    /// 4. higher order value first;
    /// 5. older first;
    /// 6. shipment id, then order id, so the order is total.
    public static func sort(_ items: [QueueItem], rules: FulfilmentPriorityRules, now: Int64) -> [QueueItem] {
        struct Key {
            var breached: Bool
            var express: Bool
            var cod: Bool
            var item: QueueItem
        }
        let keys = items.map { item in
            Key(breached: now >= slaDue(createdAt: item.createdAt, rules: rules),
                express: item.express || rules.expressChannels.contains(item.channel),
                cod: rules.prepaidFirst && item.isCOD, item: item)
        }
        return keys.sorted { a, b in
            if a.breached != b.breached { return a.breached }
            if a.breached, a.item.createdAt != b.item.createdAt { return a.item.createdAt < b.item.createdAt }
            if a.express != b.express { return a.express }
            if a.cod != b.cod { return !a.cod }
            if a.item.orderValuePaise != b.item.orderValuePaise { return a.item.orderValuePaise > b.item.orderValuePaise }
            if a.item.createdAt != b.item.createdAt { return a.item.createdAt < b.item.createdAt }
            if a.item.shipmentID != b.item.shipmentID { return a.item.shipmentID < b.item.shipmentID }
            return a.item.orderID < b.item.orderID
        }.map(\.item)
    }

    /// The class the stored queue keeps for a waiting shipment (`fulfilment_queue.priority_class`):
    /// rules 2 and 3 of `sort` as one number, smaller first — express prepaid 0, express COD 1,
    /// standard prepaid 2, standard COD 3 (COD counts as prepaid, so 0 or 2, unless
    /// `prepaidFirst`). One number, so the queue's order is one index's order.
    public static func priorityClass(channel: String, paymentMethod: String, prepaidFirst: Bool, expressChannels: Set<String>) -> Int64 {
        (expressChannels.contains(channel) ? 0 : 2) + (prepaidFirst && paymentMethod == "cod" ? 1 : 0)
    }

    /// The latest order time whose SLA is breached at `now` (`now >= slaDue(createdAt)` exactly
    /// when `createdAt <= cutoff`), or nil when no order can be breached: what turns rule 1
    /// into a range of the stored queue's age index, so the SLA needs no column updated as
    /// time passes. Exact at the edges `slaDue` saturates at.
    public static func breachCutoff(now: Int64, rules: FulfilmentPriorityRules) -> Int64? {
        // slaDue never exceeds .max, so at .max every order is due.
        if now == .max { return .max }
        let (window, o1) = Int64(max(0, rules.slaHours)).multipliedReportingOverflow(by: 3_600_000)
        // A window past the clock's range: every due time saturates to .max, never reached.
        if o1 { return nil }
        // Due times that saturate are .max > now, so only createdAt + window ≤ now counts.
        let (cutoff, o2) = now.subtractingReportingOverflow(window)
        return o2 ? nil : cutoff
    }

    /// When dispatch is due: `createdAt` + `slaHours` (a negative SLA counts as 0), saturating
    /// rather than overflowing for absurd inputs.
    public static func slaDue(createdAt: Int64, rules: FulfilmentPriorityRules) -> Int64 {
        let (window, o1) = Int64(max(0, rules.slaHours)).multipliedReportingOverflow(by: 3_600_000)
        if o1 { return .max }
        let (due, o2) = createdAt.addingReportingOverflow(window)
        return o2 ? .max : due
    }
}
