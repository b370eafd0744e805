/// An order as a channel sends it, already shape-checked by the API layer (types, lengths,
/// phone and pincode syntax): what intake verifies against the catalog, the ledger and the
/// seller's rules.
public struct OrderDraft: Sendable {
    /// One ordered line. Prices are GST-inclusive; `discountPaise` is for the whole line.
    public struct Line: Sendable, Equatable {
        public var sku: String
        public var qty: Int64
        public var unitPricePaise: Int64
        public var discountPaise: Int64
        public init(sku: String, qty: Int64, unitPricePaise: Int64, discountPaise: Int64 = 0) {
            self.sku = sku
            self.qty = qty
            self.unitPricePaise = unitPricePaise
            self.discountPaise = discountPaise
        }
    }

    /// Totals a client may send to be checked against Bahi's (each optional).
    public struct ClaimedTotals: Sendable, Equatable {
        public var subtotalPaise: Int64?
        public var discountPaise: Int64?
        public var taxPaise: Int64?
        public var totalPaise: Int64?
        public init(subtotalPaise: Int64? = nil, discountPaise: Int64? = nil, taxPaise: Int64? = nil, totalPaise: Int64? = nil) {
            self.subtotalPaise = subtotalPaise
            self.discountPaise = discountPaise
            self.taxPaise = taxPaise
            self.totalPaise = totalPaise
        }
    }

    /// How the buyer pays (the domain's `PaymentMethod`, named here for the draft's callers).
    public typealias PaymentMethod = BahiCore.PaymentMethod

    public var channel: String
    public var channelOrderRef: String
    public var placedAt: Int64?
    public var customerName: String
    /// Normalised: +91 and ten digits.
    public var customerPhone: String
    public var customerEmail: String?
    public var shipping: OrderAddress
    public var billing: OrderAddress?
    public var lines: [Line]
    public var shippingPaise: Int64
    public var paymentMethod: PaymentMethod
    public var gateway: String?
    public var gatewayOrderID: String?
    /// Prepaid only: whether the gateway has already captured the money.
    public var paid: Bool
    public var reservationID: String?
    public var tags: [String]
    public var notes: String?
    public var claimed: ClaimedTotals

    public init(channel: String, channelOrderRef: String, placedAt: Int64? = nil, customerName: String, customerPhone: String, customerEmail: String? = nil,
                shipping: OrderAddress, billing: OrderAddress? = nil, lines: [Line], shippingPaise: Int64 = 0, paymentMethod: PaymentMethod,
                gateway: String? = nil, gatewayOrderID: String? = nil, paid: Bool = false, reservationID: String? = nil, tags: [String] = [],
                notes: String? = nil, claimed: ClaimedTotals = ClaimedTotals()) {
        self.channel = channel
        self.channelOrderRef = channelOrderRef
        self.placedAt = placedAt
        self.customerName = customerName
        self.customerPhone = customerPhone
        self.customerEmail = customerEmail
        self.shipping = shipping
        self.billing = billing
        self.lines = lines
        self.shippingPaise = shippingPaise
        self.paymentMethod = paymentMethod
        self.gateway = gateway
        self.gatewayOrderID = gatewayOrderID
        self.paid = paid
        self.reservationID = reservationID
        self.tags = tags
        self.notes = notes
        self.claimed = claimed
    }
}
