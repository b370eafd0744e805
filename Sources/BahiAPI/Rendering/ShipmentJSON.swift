import BahiCore
import BahiJSON

// Shipments as the API shows them (`Components.shipment`).
// Core returns the domain model; the API renders it.

extension Shipment.Line {
    var json: JSONValue {
        .object(["line": .int(Int64(line)), "sku": .string(sku), "stock_sku": .string(stockSKU), "qty": .int(qty)])
    }
}

extension Shipment {
    var json: JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["order_id"] = .string(orderID)
        o["location"] = .string(location)
        o["status"] = .string(status.rawValue)
        o["picklist_id"] = .optional(picklistID)
        o["package"] = weightG.map { w in
            .object(["weight_g": .int(w), "length_mm": .int(lengthMM ?? 0), "width_mm": .int(widthMM ?? 0), "height_mm": .int(heightMM ?? 0)])
        } ?? .null
        o["invoice_id"] = .optional(invoiceID)
        o["packed_at"] = packedAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null
        o["courier"] = .optional(courier)
        o["awb"] = .optional(awb)
        o["booked_at"] = bookedAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null
        o["created_at"] = .string(Timestamps.rfc3339(milliseconds: createdAt))
        o["status_at"] = statusAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null
        o["picked_up_at"] = pickedUpAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null
        o["delivered_at"] = deliveredAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null
        o["lines"] = .array(lines.map(\.json))
        return .object(o)
    }
}
