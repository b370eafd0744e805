public import BahiStore

/// Reading orders back, as the orders domain knows them (lines and history; shipments are
/// added by `OrderDetails`, which reads fulfilment too).
public enum OrderQueries {
    /// The order with (optionally) its lines and history, or nil. Without lines for a reader
    /// of its header only (tracking's COD and tallies): one read instead of two.
    public static func find(_ db: any Database, id: String, history: Bool = true, lines: Bool = true) throws -> Order? {
        guard var order = try OrderRecords.find(db, id: id) else { return nil }
        if lines { order.lines = try OrderRecords.lines(db, orderID: id) }
        if history { order.history = try OrderRecords.history(db, orderID: id) }
        return order
    }

    /// The id of the order a channel knows by its own reference, if any.
    public static func id(_ db: any Database, channel: String, channelOrderRef: String) throws -> String? {
        try OrderRecords.id(db, channel: channel, channelOrderRef: channelOrderRef)
    }

    /// What orders placed in a period came to: the sales a reconciliation starts from.
    public struct Sales: Sendable, Equatable {
        /// Orders not cancelled, and their totals (prepaid and COD).
        public var orders: Int64 = 0
        public var totalPaise: Int64 = 0
        public var prepaidPaise: Int64 = 0
        public var codPaise: Int64 = 0
        /// Orders cancelled (by anyone, or unpaid in time), and what they would have come to.
        public var cancelledOrders: Int64 = 0
        public var cancelledPaise: Int64 = 0

        public init(orders: Int64 = 0, totalPaise: Int64 = 0, prepaidPaise: Int64 = 0, codPaise: Int64 = 0, cancelledOrders: Int64 = 0, cancelledPaise: Int64 = 0) {
            (self.orders, self.totalPaise, self.prepaidPaise, self.codPaise) = (orders, totalPaise, prepaidPaise, codPaise)
            (self.cancelledOrders, self.cancelledPaise) = (cancelledOrders, cancelledPaise)
        }
    }

    /// Orders placed in [from, to), Unix milliseconds.
    public static func sales(_ db: any Database, from: Int64, to: Int64) throws -> Sales {
        try OrderRecords.sales(db, from: from, to: to)
    }

    /// The order's status, or nil if there is no such order.
    public static func status(_ db: any Database, id: String) throws -> OrderStatus? {
        try OrderRecords.status(db, id: id)
    }

    /// A storefront may act only on its own channel's orders: not-found (as if absent) when
    /// `channel` is given and the order is another channel's or does not exist.
    public static func checkChannel(_ db: any Database, id: String, channel: String?) throws {
        guard let channel else { return }
        guard try OrderRecords.channel(db, id: id) == channel else { throw DomainError.notFound("order", id) }
    }

    /// The packing queue's facts of the order if it may be picked (confirmed or in
    /// fulfilment; not on hold, waiting for payment or ended), else nil.
    static func fulfillable(_ db: any Database, id: String) throws -> OrderRecords.QueueFacts? {
        try OrderRecords.fulfillable(db, id: id)
    }

    /// Filters for the order list; every one optional.
    public struct Filter: Sendable {
        public var status: String?
        public var channel: String?
        public var paymentMethod: String?
        public var createdAfter: Int64?
        public var createdBefore: Int64?
        /// An order id, a channel reference, a phone in any common Indian form, or the start of
        /// the customer's or recipient's name words (`OrderSearch`).
        public var q: String?
        public var after: String?
        public var limit: Int = 50
        public init() {}
    }

    /// Renumbers SQLite's order search rows by creation time after `bahi copy` wrote them (a
    /// name search reads them in that order); nothing on PostgreSQL.
    public static func renumberSearch(_ db: any Database) throws {
        try OrderRecords.renumberSearch(db)
    }

    /// Orders newest first (by creation time, then id), a page at a time; `after` is the last
    /// id of the previous page.
    public static func list(_ db: any Database, _ filter: Filter) throws -> (orders: [Order], next: String?) {
        var orders = try OrderRecords.list(db, filter)
        var next: String?
        if orders.count > filter.limit {
            orders.removeLast()
            next = orders.last?.id
        }
        return (orders, next)
    }
}
