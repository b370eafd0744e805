/// What a provider's booking gave: the AWB, and the provider's own references that pickup,
/// cancellation and NDR actions need later (Shiprocket's order and shipment ids; Delhivery
/// needs only the waybill).
public struct CourierBookingReference: Sendable, Equatable {
    public var awb: String
    public var providerOrderID: String?
    public var providerShipmentID: String?

    public init(awb: String, providerOrderID: String? = nil, providerShipmentID: String? = nil) {
        self.awb = awb
        self.providerOrderID = providerOrderID
        self.providerShipmentID = providerShipmentID
    }
}
