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

        public var json: JSONValue {
            .object([
                "line": .int(Int64(line)), "sku": .string(sku), "name": .string(name), "hsn": .string(hsn), "qty": .int(qty),
                "unit_price_paise": .int(unitPricePaise), "discount_paise": .int(discountPaise), "total_paise": .int(tax.totalPaise),
                "taxable_paise": .int(tax.taxablePaise), "gst_rate_bps": .int(tax.rateBps), "cgst_paise": .int(tax.cgstPaise),
                "sgst_paise": .int(tax.sgstPaise), "igst_paise": .int(tax.igstPaise), "invoice_id": .optional(invoiceID),
            ])
        }
    }

    /// One entry of the order's history.
    public struct HistoryEntry: Sendable {
        public var action: String
        public var fromStatus: String?
        public var toStatus: String
        public var detail: JSONValue
        public var actor: String?
        public var at: Int64

        public var json: JSONValue {
            .object([
                "action": .string(action), "from_status": .optional(fromStatus), "to_status": .string(toStatus), "detail": detail,
                "actor": .optional(actor), "at": .string(Timestamps.rfc3339(milliseconds: at)),
            ])
        }
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

    /// The order as the API shows it.
    public func json(includeHistory: Bool = true) -> JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["channel"] = .string(channel)
        o["channel_order_ref"] = .string(channelOrderRef)
        o["status"] = .string(status.rawValue)
        o["hold_reason"] = .optional(holdReason?.rawValue)
        o["payment"] = .object([
            "method": .string(paymentMethod.rawValue), "status": .string(paymentStatus.rawValue), "gateway": .optional(gateway),
            "gateway_order_id": .optional(gatewayOrderID), "paid_paise": .int(paidPaise), "refund_due": .bool(refundDue),
            "expires_at": paymentExpiresAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null,
        ])
        o["fulfilment_status"] = .string(fulfilmentStatus.rawValue)
        o["cancel_reason"] = .optional(cancelReason?.rawValue)
        o["customer"] = .object(["name": .string(customerName), "phone": .string(customerPhone), "email": .optional(customerEmail)])
        o["shipping_address"] = shipping.json
        o["billing_address"] = billing?.json ?? .null
        o["place_of_supply"] = .object(["state": .string(placeOfSupply.name), "state_code": .string(placeOfSupply.gstCode)])
        o["supply"] = .string(supply.rawValue)
        o["lines"] = .array(lines.map(\.json))
        o["shipping"] = .object([
            "total_paise": .int(shippingTax.totalPaise), "taxable_paise": .int(shippingTax.taxablePaise), "gst_rate_bps": .int(shippingTax.rateBps),
            "cgst_paise": .int(shippingTax.cgstPaise), "sgst_paise": .int(shippingTax.sgstPaise), "igst_paise": .int(shippingTax.igstPaise),
        ])
        o["totals"] = totals.json
        o["risk"] = .object(["score": .int(Int64(riskScore)), "reasons": riskReasons])
        o["reservation_id"] = .optional(reservationID)
        o["tags"] = .array(tags.map(JSONValue.string))
        o["notes"] = .optional(notes)
        o["shipments"] = .array(shipments.map(\.json))
        if includeHistory { o["history"] = .array(history.map(\.json)) }
        o["version"] = .int(version)
        o["placed_at"] = .string(Timestamps.rfc3339(milliseconds: placedAt))
        o["created_at"] = .string(Timestamps.rfc3339(milliseconds: createdAt))
        o["updated_at"] = .string(Timestamps.rfc3339(milliseconds: updatedAt))
        return .object(o)
    }
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
