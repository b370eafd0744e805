import BahiCore
import BahiJSON

// Orders as the API shows them (`Components.order`, `Components.orderWithHistory`).
// Core returns the domain model; the API renders it.

extension Order.Line {
    var json: JSONValue {
        .object([
            "line": .int(Int64(line)), "sku": .string(sku), "name": .string(name), "hsn": .string(hsn), "qty": .int(qty),
            "unit_price_paise": .int(unitPricePaise), "discount_paise": .int(discountPaise), "total_paise": .int(tax.totalPaise),
            "taxable_paise": .int(tax.taxablePaise), "gst_rate_bps": .int(tax.rateBps), "cgst_paise": .int(tax.cgstPaise),
            "sgst_paise": .int(tax.sgstPaise), "igst_paise": .int(tax.igstPaise), "invoice_id": .optional(invoiceID),
        ])
    }
}

extension Order.HistoryEntry {
    var json: JSONValue {
        .object([
            "action": .string(action), "from_status": .optional(fromStatus), "to_status": .string(toStatus), "detail": detail,
            "actor": .optional(actor), "at": .string(Timestamps.rfc3339(milliseconds: at)),
        ])
    }
}

extension Order {
    /// The order as the API shows it.
    func json(includeHistory: Bool = true) -> JSONValue {
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
