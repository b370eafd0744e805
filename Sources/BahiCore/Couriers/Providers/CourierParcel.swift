/// A booked-to-be parcel as a courier provider's API wants it: who it goes to, what is in it,
/// what to collect, its weight and size. Built from Bahi's rows in a read (no transaction
/// held while the provider is asked) by `BookShipmentFlow.plan`; the providers' request
/// builders (`ShiprocketAPI`, `DelhiveryAPI`) only format it.
///
/// Why the whole order's lines and total: as on the label, a COD parcel collects the order's
/// total until COD amounts are split per parcel (a known gap for split orders).
public struct CourierParcel: Sendable, Equatable {
    /// One line of the parcel's contents.
    public struct Item: Sendable, Equatable {
        public var sku: String
        public var name: String
        public var units: Int64
        /// The unit's selling price, GST included.
        public var unitPricePaise: Int64
        public var hsn: String

        public init(sku: String, name: String, units: Int64, unitPricePaise: Int64, hsn: String = "") {
            self.sku = sku
            self.name = name
            self.units = units
            self.unitPricePaise = unitPricePaise
            self.hsn = hsn
        }
    }

    /// Bahi's shipment id: sent as the provider's order reference, so a retried booking cannot
    /// create a second order there.
    public var shipmentID: String
    /// The channel's order number, for people reading the provider's panel.
    public var orderReference: String
    /// When the order was placed (Unix ms).
    public var orderedAt: Int64
    /// The buyer's address; `phone` is the address's, else the customer's.
    public var name: String
    public var addressLines: [String]
    public var city: String
    public var state: String
    public var pincode: String
    public var phone: String
    public var email: String?
    public var items: [Item]
    /// Cash to collect on delivery; nil for a prepaid parcel.
    public var codPaise: Int64?
    /// The parcel's declared value (the order's total).
    public var valuePaise: Int64
    /// The lines' value before shipping (what Shiprocket calls `sub_total`).
    public var subtotalPaise: Int64
    public var weightG: Int64
    public var lengthMM: Int64
    public var widthMM: Int64
    public var heightMM: Int64

    public init(shipmentID: String, orderReference: String, orderedAt: Int64, name: String, addressLines: [String], city: String, state: String,
                pincode: String, phone: String, email: String? = nil, items: [Item], codPaise: Int64?, valuePaise: Int64, subtotalPaise: Int64,
                weightG: Int64, lengthMM: Int64, widthMM: Int64, heightMM: Int64) {
        self.shipmentID = shipmentID
        self.orderReference = orderReference
        self.orderedAt = orderedAt
        self.name = name
        self.addressLines = addressLines
        self.city = city
        self.state = state
        self.pincode = pincode
        self.phone = phone
        self.email = email
        self.items = items
        self.codPaise = codPaise
        self.valuePaise = valuePaise
        self.subtotalPaise = subtotalPaise
        self.weightG = weightG
        self.lengthMM = lengthMM
        self.widthMM = widthMM
        self.heightMM = heightMM
    }

    /// Millimetres as whole centimetres, rounded up (a provider prices by the box it is told;
    /// at least 1 cm).
    public static func centimetres(_ mm: Int64) -> Int64 { max(1, (mm + 9) / 10) }

    /// Grams as kilograms written exactly (450 → `0.45`, 1000 → `1`, 1205 → `1.205`), never
    /// through a Double.
    public static func kilograms(_ grams: Int64) -> String {
        let whole = grams / 1000, rest = grams % 1000
        guard rest != 0 else { return String(whole) }
        var fraction = String(rest)
        while fraction.count < 3 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}
