public import BahiStore
public import BahiJSON

/// An order as stored: what an order read shows and what transitions check.
public struct Order: Sendable {
    /// One line with the tax computed for it.
    public struct Line: Sendable, Equatable {
        public var line: Int
        public var sku: String
        public var name: String
        public var hsn: String
        public var qty: Int64
        public var unitPricePaise: Int64
        public var discountPaise: Int64
        public var tax: GSTLineTax
        public var invoiceID: String?

    }

    /// One entry of the order's history.
    public struct HistoryEntry: Sendable {
        public var action: String
        public var fromStatus: String?
        public var toStatus: String
        public var detail: JSONValue
        public var actor: String?
        public var at: Int64

    }

    public var id: String
    public var channel: String
    public var channelOrderRef: String
    public var status: OrderStatus
    public var holdReason: HoldReason?
    public var paymentMethod: PaymentMethod
    public var paymentStatus: PaymentStatus
    public var fulfilmentStatus: FulfilmentStatus
    public var gateway: String?
    public var gatewayOrderID: String?
    public var paidPaise: Int64
    public var refundDue: Bool
    public var paymentExpiresAt: Int64?
    public var cancelReason: CancelReason?
    public var customerName: String
    public var customerPhone: String
    public var customerEmail: String?
    public var shipping: OrderAddress
    public var billing: OrderAddress?
    public var placeOfSupply: IndianState
    public var supply: SupplyKind
    public var shippingTax: GSTLineTax
    public var totals: OrderTotals
    public var riskScore: Int
    public var riskReasons: JSONValue
    public var reservationID: String?
    public var tags: [String]
    public var notes: String?
    public var version: Int64
    public var placedAt: Int64
    public var createdAt: Int64
    public var updatedAt: Int64
    public var lines: [Line] = []
    /// Filled by the flows that show an order (`OrderDetails`): shipments belong to
    /// fulfilment, which the orders domain does not read.
    public var shipments: [Shipment] = []
    public var history: [HistoryEntry] = []

}

extension String {
    /// Every occurrence of `target` replaced (Foundation-free).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
