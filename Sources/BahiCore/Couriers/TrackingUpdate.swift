/// One courier tracking report, decoded into Bahi's words whatever the provider.
///
/// Why one shape: Shiprocket pushes a whole history with two numbering schemes, Delhivery one
/// scan keyed by a (StatusType, Status) pair, and a person can post an update by hand. The
/// decoders absorb the envelopes, units and quirks here, in pure code tested on the providers'
/// own samples, so the flow that records tracking (`TrackingFlow`, later) handles one value:
/// find the shipment by `awb`, keep `scans`, ask `TrackingProgress` whether `status` moves it,
/// and ask `NDRPolicy` what follows an `ndr`.
public struct TrackingUpdate: Sendable, Equatable {
    /// Who reported it.
    public enum Provider: String, Sendable, CaseIterable {
        case shiprocket, delhivery
        /// `POST /v1/shipments/{id}/tracking`: a person, for couriers with no push.
        case manual
    }

    /// A provider status code as it arrived, in the scheme (`CourierStatusTable.Scheme`) it
    /// belongs to: the same number means different things in Shiprocket's two tables.
    public struct Code: Sendable, Equatable {
        public var scheme: CourierStatusTable.Scheme
        /// `18`, `UD/In Transit`.
        public var code: String
        /// The provider's words for it (`IN TRANSIT`), when it sent some.
        public var label: String?

        public init(scheme: CourierStatusTable.Scheme, code: String, label: String? = nil) {
            self.scheme = scheme
            self.code = code
            self.label = label
        }
    }

    /// A failed delivery attempt (NDR): why, normalised, and which attempt it was.
    public struct NDR: Sendable, Equatable {
        public var reason: NDRReason
        /// The attempt that failed (1 for the first), when the payload says or its history
        /// shows; nil when the flow must count attempts itself (a Delhivery push is one scan).
        public var attempt: Int?
        /// The courier's code and words the reason was read from (`EOD-11`, `Consignee Unavailable`).
        public var code: String?
        public var text: String?

        public init(reason: NDRReason, attempt: Int?, code: String? = nil, text: String? = nil) {
            self.reason = reason
            self.attempt = attempt
            self.code = code
            self.text = text
        }
    }

    public var provider: Provider
    /// The air waybill number: how the report finds its shipment.
    public var awb: String
    /// Where the parcel now stands in DESIGN §5's words; nil when the provider's status is
    /// informational or unknown (the scans are still kept).
    public var status: ShipmentStatus?
    /// The provider's status code(s) the status was read from, the deciding one first.
    public var codes: [Code]
    /// When the provider says the status was reached, Unix milliseconds.
    public var occurredAt: Int64
    public var location: String?
    /// Set when `status` is `undelivered`.
    public var ndr: NDR?
    /// The history the report carries, repeats dropped, in time order.
    public var scans: [TrackingScan]
    /// The provider's reference for the order (Shiprocket's `order_id`, Delhivery's `ReferenceNo`).
    public var reference: String?
    /// A reverse parcel (a return picked up from the buyer): its statuses belong to a return,
    /// not to the forward shipment with this order (Shiprocket `is_return: 1`, Delhivery's
    /// `PP`/`PU`/`DTO`/`CN` statuses).
    public var isReturn: Bool

    /// An update.
    public init(
        provider: Provider, awb: String, status: ShipmentStatus?, codes: [Code], occurredAt: Int64, location: String? = nil,
        ndr: NDR? = nil, scans: [TrackingScan] = [], reference: String? = nil, isReturn: Bool = false
    ) {
        self.provider = provider
        self.awb = awb
        self.status = status
        self.codes = codes
        self.occurredAt = occurredAt
        self.location = location
        self.ndr = ndr
        self.scans = scans
        self.reference = reference
        self.isReturn = isReturn
    }

    /// The report's identity for dropping a redelivered push: provider, AWB, time and deciding
    /// code (a replay of Shiprocket's push repeats `awb`, `current_timestamp` and
    /// `shipment_status_id`).
    public var identity: String {
        "\(provider.rawValue):\(awb):\(occurredAt):\(codes.first.map { "\($0.scheme.rawValue)=\($0.code)" } ?? "-")"
    }
}
