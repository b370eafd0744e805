import BahiCore
import BahiJSON

// The packing queue's entries as the API shows them (`Components.queueEntry`).
// Core returns the domain model; the API renders it.

extension FulfilmentQueue.Entry {
    /// The entry as the queue endpoint shows it; `now` decides whether the SLA is breached.
    func json(now: Int64) -> JSONValue {
        .object([
            "shipment_id": .string(item.shipmentID), "order_id": .string(item.orderID), "channel": .string(item.channel),
            "channel_order_ref": .string(channelOrderRef), "location": .string(location), "payment_method": .string(item.paymentMethod),
            "order_value_paise": .int(item.orderValuePaise), "express": .bool(item.express),
            "created_at": .string(Timestamps.rfc3339(milliseconds: item.createdAt)),
            "sla_due_at": .string(Timestamps.rfc3339(milliseconds: slaDueAt)), "sla_breached": .bool(slaDueAt <= now),
        ])
    }
}
