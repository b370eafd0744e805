/// Every provider status Bahi knows, and the shipment status (DESIGN §5) it means: one table
/// as data, read by the decoders and printed as `docs/COURIERS.md`'s "Status mapping"
/// (`CourierStatusTableTests` keeps the page equal to it; `scripts/couriers-md.sh` rewrites it).
///
/// Why data and not a `switch`: the mapping is the part a seller and support ask about ("why
/// is this parcel still in transit?"), so it must be printable exactly as the code uses it.
/// A nil status means informational: the report is kept as a scan and the shipment does not
/// move (pickup exceptions, delays, reverse-pickup steps, states whose meaning is not
/// documented). A code missing from the table is treated the same way, never as an error:
/// providers add codes without notice.
///
/// Sources: Shiprocket's Postman collection (its "Shipments"/"Tracking" and "Orders" status
/// tables) and Delhivery's B2C documentation (status model, webhook), as collected in the
/// shared reference `logistics-returns.md` §2–§3.
public enum CourierStatusTable {
    /// Which numbering a code belongs to. Shiprocket has two: `current_status_id` counts in its
    /// order-status table, `shipment_status_id` (and each scan's `sr-status`) in its shipment
    /// table, and the same number means different things (20: In Transit vs Pickup Exception).
    public enum Scheme: String, Sendable, CaseIterable {
        case shiprocketShipment = "shiprocket_shipment"
        case shiprocketOrder = "shiprocket_order"
        case delhivery
        /// A status posted by hand: the code is a `ShipmentStatus` raw value.
        case manual

        /// The heading the scheme's table has in the docs.
        var title: String {
            switch self {
            case .shiprocketShipment: "Shiprocket `shipment_status_id` and scans' `sr-status` (shipment table)"
            case .shiprocketOrder: "Shiprocket `current_status_id` (order-status table)"
            case .delhivery: "Delhivery `StatusType` + `Status`"
            case .manual: "Manual updates"
            }
        }
    }

    /// One provider status.
    public struct Row: Sendable, Equatable {
        public var scheme: Scheme
        /// The key in its scheme: `18`; Delhivery's `UD/In Transit` (StatusType/Status).
        public var code: String
        /// The provider's name for it.
        public var label: String
        /// What it means for a shipment; nil = informational.
        public var status: ShipmentStatus?
        /// Why, where the choice is not obvious.
        public var note: String?
    }

    /// The shipment status `code` means in `scheme`; nil when informational or unknown.
    public static func status(_ scheme: Scheme, _ code: String) -> ShipmentStatus? {
        if scheme == .manual { return ShipmentStatus(rawValue: code) }
        return index[key(scheme, code)]?.status
    }

    /// The row for `code` in `scheme`, if the table has one.
    public static func row(_ scheme: Scheme, _ code: String) -> Row? { index[key(scheme, code)] }

    /// Delhivery's pair as the table keys it: `UD/In Transit`. A forward `Pending` whose NSL
    /// code is an `EOD-` (end of delivery) code is a failed attempt, not a parcel waiting at
    /// the hub: both arrive as `UD`/`Pending` (the pull-tracking capture has `X-IBD3F` and
    /// `EOD-11` under the same pair), so the NSL code decides.
    public static func delhiveryCode(type: String, status: String, nsl: String?) -> String {
        let pair = "\(type.uppercased())/\(status)"
        if pair.lowercased() == "ud/pending", let nsl, nsl.uppercased().hasPrefix("EOD-") { return failedAttempt }
        return pair
    }

    static let failedAttempt = "UD/Pending + EOD-*"

    /// Delhivery's reverse-pickup statuses (`PP`, `PU`, `CN`, and `DL`/`DTO`): a return's parcel.
    static func delhiveryIsReverse(type: String, status: String) -> Bool {
        ["PP", "PU", "CN"].contains(type.uppercased()) || (type.uppercased() == "DL" && status.uppercased() == "DTO")
    }

    static func key(_ scheme: Scheme, _ code: String) -> String { "\(scheme.rawValue)|\(code.lowercased())" }

    static let index: [String: Row] = Dictionary(rows.map { (key($0.scheme, $0.code), $0) }, uniquingKeysWith: { first, _ in first })

    /// The whole table, in print order.
    public static let rows: [Row] = shiprocketShipment + shiprocketOrder + delhivery

    static let beforePickup = "with the courier's system, not yet with the courier"
    static let reverse = "a return's parcel (reverse pickup), not this shipment's"
    static let unclear = "meaning not documented; the next definite status moves the shipment"
    static let gone = "the parcel will not come back: lost is final"

    /// Shiprocket's shipment/tracking table (SR-PM "Shipments" and "Tracking").
    static let shiprocketShipment: [Row] = [
        sr(1, "AWB Assigned", .ready, beforePickup), sr(2, "Label Generated", .ready, beforePickup),
        sr(3, "Pickup Scheduled/Generated", .ready, beforePickup), sr(4, "Pickup Queued", .ready, beforePickup),
        sr(5, "Manifest Generated", .ready, beforePickup), sr(6, "Shipped", .inTransit, "received at the origin hub (the sample's X-PIOM scan)"),
        sr(7, "Delivered", .delivered), sr(8, "Canceled", .cancelled, "moves only a shipment not yet picked up"),
        sr(9, "RTO Initiated", .rtoInitiated), sr(10, "RTO Delivered", .rtoDelivered), sr(11, "Pending", nil, unclear),
        sr(12, "Lost", .lost), sr(13, "Pickup Error", nil, "pickup failed; the parcel is still with the seller"),
        sr(14, "RTO Acknowledged", .rtoDelivered, "the seller confirmed the return arrived"),
        sr(15, "Pickup Rescheduled", .ready, beforePickup), sr(16, "Cancellation Requested", nil, "not cancelled until the courier says so"),
        sr(17, "Out For Delivery", .outForDelivery), sr(18, "In Transit", .inTransit), sr(19, "Out For Pickup", .ready, beforePickup),
        sr(20, "Pickup Exception", nil, "pickup failed; the parcel is still with the seller"),
        sr(21, "Undelivered", .undelivered, "an NDR: a failed delivery attempt"), sr(22, "Delayed", nil),
        sr(23, "Partial_Delivered", nil, "some pieces only: a person decides"), sr(24, "Destroyed", .lost, gone),
        sr(25, "Damaged", nil, "a damaged parcel may still be delivered or returned"), sr(26, "Fulfilled", nil, "Shiprocket Fulfillment's own state"),
        sr(27, "Pickup Booked", .ready, beforePickup), sr(38, "Reached at Destination Hub", .inTransit),
        sr(39, "Misrouted", .inTransit, "still travelling, late"), sr(40, "RTO_NDR", .rtoInTransit, "the return's delivery to the seller failed; it is still coming back"),
        sr(41, "RTO_OFD", .rtoInTransit, "out for delivery to the seller"), sr(42, "Picked Up", .pickedUp), sr(43, "Self Fulfilled", nil),
        sr(44, "Disposed Off", .lost, gone), sr(45, "Cancelled_Before_Dispatched", .cancelled, "moves only a shipment not yet picked up"),
        sr(46, "RTO In Transit", .rtoInTransit), sr(47, "QC Failed", nil, reverse),
        sr(48, "Reached Warehouse", nil, "Shiprocket's warehouse and international flow"), sr(51, "Handover to Courier", nil, "Shiprocket's warehouse and international flow"),
        sr(52, "Shipment Booked", nil, "Shiprocket's warehouse and international flow"), sr(59, "Box Packing", nil, "Shiprocket's fulfilment centre"),
        sr(63, "Packed", nil, "Shiprocket's fulfilment centre"), sr(68, "Processed At Warehouse", nil, "Shiprocket's fulfilment centre"),
        sr(71, "Handover Exception", nil, "Shiprocket's fulfilment centre"), sr(72, "Packed Exception", nil, "Shiprocket's fulfilment centre"),
        sr(75, "RTO_LOCK", nil, unclear), sr(76, "Untraceable", nil, "not yet declared lost"),
        sr(77, "Issue_Related_To_The_Recipient", nil, unclear), sr(78, "Reached_Back_At_Seller_City", .rtoInTransit),
    ]

    /// Shiprocket's order-status table (SR-PM "Orders"), which `current_status_id` counts in.
    static let shiprocketOrder: [Row] = [
        so(1, "New", nil, "no AWB yet"), so(2, "Invoiced", nil, "no AWB yet"), so(3, "Ready To Ship", .ready, beforePickup),
        so(4, "Pickup Scheduled", .ready, beforePickup), so(5, "Canceled", .cancelled, "moves only a shipment not yet picked up"),
        so(6, "Shipped", .inTransit), so(7, "Delivered", .delivered), so(8, "ePayment Failed", nil),
        so(9, "Returned", nil, "RTO or a buyer's return: not said which"), so(10, "Unmapped", nil), so(11, "Unfulfillable", nil),
        so(12, "Pickup Queue", .ready, beforePickup), so(13, "Pickup Rescheduled", .ready, beforePickup),
        so(14, "Pickup Error", nil, "pickup failed; the parcel is still with the seller"), so(15, "RTO Initiated", .rtoInitiated),
        so(16, "RTO Delivered", .rtoDelivered), so(17, "RTO Acknowledged", .rtoDelivered, "the seller confirmed the return arrived"),
        so(18, "Cancellation Requested", nil, "not cancelled until the courier says so"), so(19, "Out for Delivery", .outForDelivery),
        so(20, "In Transit", .inTransit), so(21, "Return Pending", nil, reverse), so(22, "Return Initiated", nil, reverse),
        so(23, "Return Pickup Queued", nil, reverse), so(24, "Return Pickup Error", nil, reverse), so(25, "Return In Transit", nil, reverse),
        so(26, "Return Delivered", nil, reverse), so(27, "Return Cancelled", nil, reverse), so(28, "Return Pickup Generated", nil, reverse),
        so(29, "Return Cancellation Requested", nil, reverse), so(30, "Return Pickup Cancelled", nil, reverse),
        so(31, "Return Pickup Rescheduled", nil, reverse), so(32, "Return Picked Up", nil, reverse), so(33, "Lost", .lost),
        so(34, "Out For Pickup", .ready, beforePickup), so(35, "Pickup Exception", nil, "pickup failed; the parcel is still with the seller"),
        so(36, "Undelivered", .undelivered, "an NDR: a failed delivery attempt"), so(37, "Delivery Delayed", nil),
        so(38, "Partial Delivered", nil, "some pieces only: a person decides"), so(39, "Destroyed", .lost, gone),
        so(40, "Damaged", nil, "a damaged parcel may still be delivered or returned"), so(41, "Fulfilled", nil, "Shiprocket Fulfillment's own state"),
        so(42, "Archived", nil), so(43, "Reached Destination Hub", .inTransit), so(44, "Misrouted", .inTransit, "still travelling, late"),
        so(45, "RTO_OFD", .rtoInTransit, "out for delivery to the seller"),
        so(46, "RTO_NDR", .rtoInTransit, "the return's delivery to the seller failed; it is still coming back"),
        so(47, "Return Out For Pickup", nil, reverse), so(48, "Return Out For Delivery", nil, reverse),
        so(49, "Return Pickup Exception", nil, reverse), so(50, "Return Undelivered", nil, reverse), so(51, "Picked Up", .pickedUp),
        so(52, "Self Fulfilled", nil), so(53, "Disposed Off", .lost, gone), so(54, "Canceled before Dispatched", .cancelled, "moves only a shipment not yet picked up"),
        so(55, "RTO In-Transit", .rtoInTransit), so(57, "QC Failed", nil, reverse), so(68, "RETURN ACKNOWLEGED", nil, reverse),
        so(87, "RTO_LOCK", nil, unclear), so(88, "UNTRACEABLE", nil, "not yet declared lost"),
        so(89, "ISSUE_RELATED_TO_THE_RECIPIENT", nil, unclear), so(90, "REACHED_BACK_AT_SELLER_CITY", .rtoInTransit),
    ]

    /// Delhivery's (StatusType, Status) pairs (DL-DOC status model). `DL` is terminal but means
    /// Delivered, RTO or DTO: only the pair says which.
    static let delhivery: [Row] = [
        dl("UD/Manifested", .ready, beforePickup), dl("UD/Not Picked", nil, "pickup failed; the parcel is still with the seller"),
        dl("UD/In Transit", .inTransit), dl("UD/Pending", .inTransit, "waiting at a hub (e.g. X-IBD3F, received at the destination)"),
        dl(failedAttempt, .undelivered, "an NDR: the attempt failed (EOD-11 consignee unavailable, EOD-6 refused, …)"),
        dl("UD/Dispatched", .outForDelivery), dl("DL/Delivered", .delivered),
        dl("RT/In Transit", .rtoInTransit, "returning to the seller (RTO, or cancelled in transit)"), dl("RT/Pending", .rtoInTransit),
        dl("RT/Dispatched", .rtoInTransit, "out for delivery to the seller"), dl("DL/RTO", .rtoDelivered, "back with the seller"),
        dl("PP/Open", nil, reverse), dl("PP/Scheduled", nil, reverse), dl("PP/Dispatched", nil, reverse),
        dl("PU/In Transit", nil, reverse), dl("PU/Pending", nil, reverse), dl("PU/Dispatched", nil, reverse),
        dl("DL/DTO", nil, "a return delivered to the seller: the return's state (received), not a forward shipment's"),
        dl("CN/Canceled", nil, reverse), dl("CN/Closed", nil, reverse),
    ]

    static func sr(_ code: Int, _ label: String, _ status: ShipmentStatus?, _ note: String? = nil) -> Row {
        Row(scheme: .shiprocketShipment, code: String(code), label: label, status: status, note: note)
    }

    static func so(_ code: Int, _ label: String, _ status: ShipmentStatus?, _ note: String? = nil) -> Row {
        Row(scheme: .shiprocketOrder, code: String(code), label: label, status: status, note: note)
    }

    static func dl(_ code: String, _ status: ShipmentStatus?, _ note: String? = nil) -> Row {
        Row(scheme: .delhivery, code: code, label: code.split(separator: "/").last.map(String.init) ?? code, status: status, note: note)
    }
}

extension CourierStatusTable {
    /// The heading of the section of `docs/COURIERS.md` this table prints; the page's other
    /// sections are written by hand (or by other generators) and left alone.
    public static let sectionHeading = "## Status mapping"

    /// The "Status mapping" section of `docs/COURIERS.md`, from its heading to its last line.
    public static var markdown: String {
        var out = """
        \(sectionHeading)

        Generated from `CourierStatusTable`, `NDRReason` and `NDRPolicy` (`CourierStatusTableTests`
        keeps this section equal to them; `scripts/couriers-md.sh` rewrites it). A blank status is
        informational: the report is kept as a scan and the shipment does not move. A code not
        listed is treated the same way, never as an error.

        How a report moves a shipment (`TrackingProgress`): only forward, to a status the
        lifecycle's single steps can reach, skipping those the courier never reported (the skipped
        ones are recorded as implied); the loop out_for_delivery ⇄ undelivered is walked both ways,
        but a report no newer than the current status is late; delivered, rto_delivered, lost and
        cancelled are final; a shipment still in the warehouse is moved only by packing. Every
        scan is kept, once per AWB, time and code.

        """
        for scheme in Scheme.allCases {
            let schemeRows = rows.filter { $0.scheme == scheme }
            guard !schemeRows.isEmpty else { continue }
            out += "\n### \(scheme.title)\n\n| code | provider's name | shipment status | note |\n|---|---|---|---|\n"
            for row in schemeRows {
                out += "| `\(row.code)` | \(row.label) | \(row.status.map { "`\($0.rawValue)`" } ?? "") | \(row.note ?? "") |\n"
            }
        }
        out += """

        ### NDR reasons

        A failed attempt's reason is one of \(NDRReason.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")).
        The courier's text is read first (phrases such as "future delivery", "refused", "not
        available", "address"); the code decides when the text says nothing recognisable:

        | Delhivery NSL code | meaning | reason |
        |---|---|---|

        """
        for entry in NDRReason.delhiveryCodes {
            out += "| `\(entry.code)` | \(entry.meaning) | `\(entry.reason.rawValue)` |\n"
        }
        out += """

        What follows (`NDRPolicy.next`): a refusal returns the parcel (RTO) at once; otherwise it
        is re-attempted until \(NDRPolicy.defaultMaxAttempts) attempts (configurable) have failed, then RTO.

        """
        return out
    }
}
