public import BahiStore
public import BahiJSON

/// One parcel of an order, from one location. Its lines hold their stock reserved at that
/// location until the parcel leaves (or the order is cancelled).
public struct Shipment: Sendable, Equatable {
    /// What the parcel carries of one order line: the stocked SKU picked (a kit line's
    /// components, each on its own row).
    public struct Line: Sendable, Equatable {
        public var line: Int
        public var sku: String
        public var stockSKU: String
        public var qty: Int64

    }

    public var id: String
    public var orderID: String
    public var location: String
    public var status: ShipmentStatus
    public var picklistID: String?
    public var weightG: Int64?
    public var lengthMM: Int64?
    public var widthMM: Int64?
    public var heightMM: Int64?
    public var invoiceID: String?
    public var packedAt: Int64?
    /// The courier booked (its code), the AWB it gave and when: set by booking (packed →
    /// ready), cleared when the booking is cancelled before pickup.
    public var courier: String?
    public var awb: String?
    public var bookedAt: Int64?
    /// The courier's pickup list it is on (`man_…`): set when manifested, cleared when its
    /// booking is cancelled before pickup; kept after the handover, for the record.
    public var manifestID: String?
    /// What booking priced the forward leg at (the quote's total, GST included).
    public var shippingCostPaise: Int64?
    /// What the courier charges should the parcel come back: the card's RTO share of the
    /// forward freight (`CourierQuote.rtoCharge`).
    public var rtoChargePaise: Int64?
    public var createdAt: Int64
    /// When the courier last reported the current status (tracking's `TrackingProgress` orders
    /// a delivery loop's reports by it), when the parcel was picked up and when delivered.
    public var statusAt: Int64? = nil
    public var pickedUpAt: Int64? = nil
    public var deliveredAt: Int64? = nil
    public var lines: [Line] = []
    /// What was found in the parcel when it came back (`rto-receive`); nil until then.
    public var rtoReceipt: RTOReceipt?

    /// Forward cost plus the RTO charge, once the parcel is on its way back or back (nil
    /// before, or for a shipment booked before costs were kept).
    public var rtoCostPaise: Int64? {
        guard status.isRTO, let forward = shippingCostPaise, let back = rtoChargePaise else { return nil }
        return forward + back
    }

    /// Units of each stocked SKU the parcel must contain (what a packing scan is checked against).
    public var expectedScan: [String: Int64] {
        lines.reduce(into: [:]) { $0[$1.stockSKU, default: 0] += $1.qty }
    }

}

/// Shipments: made from an order's reservation, released when it is cancelled or edited.
/// Every status change asks `ShipmentStatus.canMove(to:)` first and then writes with a
/// conditional update, so the table is the one rule and a race cannot skip it.
public enum Shipments {
    /// One shipment with its lines, or nil.
    public static func find(_ db: any Database, id: String) throws -> Shipment? {
        guard var shipment = try FulfilmentRecords.findShipment(db, id: id) else { return nil }
        shipment.lines = try FulfilmentRecords.shipmentLines(db, shipmentID: id)
        if shipment.status == .rtoDelivered { shipment.rtoReceipt = try FulfilmentRecords.rtoReceipt(db, shipmentID: id) }
        return shipment
    }

    /// An order's shipments (cancelled ones included, for the record), oldest first.
    public static func forOrder(_ db: any Database, orderID: String) throws -> [Shipment] {
        var shipments = try FulfilmentRecords.shipments(db, orderID: orderID)
        for i in shipments.indices {
            shipments[i].lines = try FulfilmentRecords.shipmentLines(db, shipmentID: shipments[i].id)
            if shipments[i].status == .rtoDelivered { shipments[i].rtoReceipt = try FulfilmentRecords.rtoReceipt(db, shipmentID: shipments[i].id) }
        }
        return shipments
    }

    /// Moves `shipment` to `to` if the lifecycle allows it and nobody moved it meanwhile;
    /// `invalid_transition` otherwise, naming `what` was attempted.
    static func move(_ db: any Database, _ shipment: Shipment, to: ShipmentStatus, change: FulfilmentRecords.ShipmentChange = .init(), now: Int64) throws {
        try allowed(shipment, to: to)
        guard try FulfilmentRecords.move(db, id: shipment.id, from: shipment.status, to: to, change, now: now) else {
            throw db.concurrentChange(DomainError(.invalidTransition, "Shipment \(shipment.id) changed while it was becoming \(to.rawValue)."))
        }
    }

    /// Books `shipment` (packed → ready) with `courier` and `awb`: `invalid_transition` unless
    /// the lifecycle allows it, and a rerun when a concurrent move got there first.
    static func book(_ db: any Database, _ shipment: Shipment, courier: String, awb: String, now: Int64) throws {
        try setBooking(db, shipment, to: .ready, booking: (courier, awb, now), now: now)
    }

    /// Records what booking priced (`BookShipmentFlow`): the forward cost and the RTO charge.
    static func recordCosts(_ db: any Database, id: String, shippingPaise: Int64, rtoChargePaise: Int64) throws {
        try FulfilmentRecords.setCosts(db, id: id, shippingPaise: shippingPaise, rtoChargePaise: rtoChargePaise)
    }

    /// Stores a returned parcel's receipt unless it has one; true when this call stored it.
    static func recordRTOReceipt(_ db: any Database, _ receipt: RTOReceipt) throws -> Bool {
        try FulfilmentRecords.insertRTOReceipt(db, receipt)
    }

    /// Cancels `shipment`'s booking before pickup (ready → packed), clearing its courier and AWB.
    static func unbook(_ db: any Database, _ shipment: Shipment, now: Int64) throws {
        try setBooking(db, shipment, to: .packed, booking: nil, now: now)
    }

    /// One rule for both booking moves: the table first, then one conditional UPDATE.
    private static func setBooking(_ db: any Database, _ shipment: Shipment, to: ShipmentStatus,
                                   booking: (courier: String, awb: String, at: Int64)?, now: Int64) throws {
        try allowed(shipment, to: to)
        guard try FulfilmentRecords.setBooking(db, id: shipment.id, from: shipment.status, to: to, booking: booking, now: now) else {
            throw db.concurrentChange(DomainError(.invalidTransition, "Shipment \(shipment.id) changed while it was becoming \(to.rawValue)."))
        }
    }

    /// `invalid_transition` naming where `to` may be reached from, unless the table allows it.
    static func allowed(_ shipment: Shipment, to: ShipmentStatus) throws {
        guard shipment.status.canMove(to: to) else {
            throw DomainError(.invalidTransition,
                              "Shipment \(shipment.id) is \(shipment.status.rawValue); it cannot become \(to.rawValue) (allowed from: \(ShipmentStatus.sources(of: to).map(\.rawValue).joined(separator: ", "))).")
        }
    }

    /// Parcels booked per courier since `since` (a day's start), cancelled ones left out.
    static func bookedPerCourier(_ db: any Database, since: Int64) throws -> [String: Int64] {
        Dictionary(try FulfilmentRecords.bookedPerCourier(db, since: since).map { ($0.courier, $0.count) }, uniquingKeysWith: +)
    }

    /// Groups a reservation's allocations by location into new `pending` shipments and
    /// stores them. The stock stays reserved (the reservation's movements reference the order).
    public static func create(_ db: any Database, orderID: String, allocations: [Holds.Allocation], now: Int64) throws -> [Shipment] {
        var byLocation: [(location: String, lines: [Shipment.Line])] = []
        for a in allocations {
            let line = Shipment.Line(line: a.line, sku: a.sku, stockSKU: a.stockSKU, qty: a.qty)
            if let i = byLocation.firstIndex(where: { $0.location == a.location }) {
                if let j = byLocation[i].lines.firstIndex(where: { $0.line == a.line && $0.stockSKU == a.stockSKU }) {
                    byLocation[i].lines[j].qty += a.qty
                } else {
                    byLocation[i].lines.append(line)
                }
            } else {
                byLocation.append((a.location, [line]))
            }
        }
        var shipments: [Shipment] = []
        shipments.reserveCapacity(byLocation.count)
        for group in byLocation {
            let shipment = Shipment(id: EntityID.make(.shipment, milliseconds: UInt64(now)), orderID: orderID, location: group.location, status: .pending,
                                    createdAt: now, lines: group.lines)
            try FulfilmentRecords.insert(db, shipment, now: now)
            shipments.append(shipment)
        }
        return shipments
    }

    /// Cancels every shipment of the order still in the warehouse and releases its stock
    /// (one `release` movement per line, referencing the order). Returns the shipments
    /// cancelled. A shipment a courier already has is left alone: the caller decides
    /// whether that forbids the whole operation.
    @discardableResult
    public static func releaseAll(_ db: any Database, orderID: String, reason: String, actor: String?, now: Int64) throws -> [Shipment] {
        try release(db, try forOrder(db, orderID: orderID), orderID: orderID, reason: reason, actor: actor, now: now)
    }

    /// `releaseAll` over shipments the caller has read already.
    @discardableResult
    static func release(_ db: any Database, _ shipments: [Shipment], orderID: String, reason: String, actor: String?, now: Int64) throws -> [Shipment] {
        let live = shipments.filter(\.status.isInWarehouse)
        var held: [(sku: String, location: String, qty: Int64)] = []
        for shipment in live {
            for line in shipment.lines { held.append((line.stockSKU, shipment.location, line.qty)) }
            try move(db, shipment, to: .cancelled, now: now)
        }
        if !held.isEmpty { try LineReservation.release(db, held, reference: orderID, reason: reason, actor: actor, now: now) }
        return live
    }

    /// The live shipment booked under `awb` (a courier's report finds its parcel by it),
    /// without its lines (a report moves the parcel, not what it carries: one read, not
    /// three); nil when none has it. Should two couriers' AWBs collide, the newest booking wins.
    public static func find(_ db: any Database, awb: String) throws -> Shipment? {
        try FulfilmentRecords.shipment(db, awb: awb)
    }

    /// The statuses of an order's shipments by id (cancelled ones included), without reading
    /// their lines: what the order's fulfilment status follows.
    public static func statuses(_ db: any Database, orderID: String) throws -> [(id: String, status: ShipmentStatus)] {
        try FulfilmentRecords.statuses(db, orderID: orderID)
    }

    /// Moves `shipment` to `to` as a courier reported it at `at` (TrackingProgress decided the
    /// move): one conditional UPDATE that also stamps the status's time, the pickup time when
    /// the parcel left (`pickedUp`, even when the courier never reported pickup itself) and the
    /// delivery time. False when a concurrent report moved it first (the caller reruns).
    public static func track(_ db: any Database, _ shipment: Shipment, to: ShipmentStatus, at: Int64, pickedUp: Bool, now: Int64) throws -> Bool {
        try FulfilmentRecords.track(db, id: shipment.id, from: shipment.status, to: to, at: at, pickedUpAt: pickedUp ? at : nil,
                                    deliveredAt: to == .delivered ? at : nil, now: now)
    }

    /// Records that the current status was reported again at `at` (a newer out-for-delivery is
    /// a new attempt).
    public static func restamp(_ db: any Database, _ shipment: Shipment, at: Int64) throws {
        try FulfilmentRecords.restamp(db, id: shipment.id, status: shipment.status, at: at)
    }

    /// An order's pending shipments (id and location): what of it waits in the packing queue
    /// while the order may be picked.
    static func pending(_ db: any Database, orderID: String) throws -> [(id: String, location: String)] {
        try FulfilmentRecords.pending(db, orderID: orderID)
    }

    /// The first of `shipments` a courier already has (neither in the warehouse nor
    /// cancelled), if any: such an order can no longer be cancelled.
    static func dispatched(_ shipments: [Shipment]) -> Shipment? {
        shipments.first { !$0.status.isInWarehouse && $0.status != .cancelled }
    }
}
