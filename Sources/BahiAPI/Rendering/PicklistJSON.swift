import BahiCore
import BahiJSON

// Pick lists as the API shows them (`Components.picklist`).
// Core returns the domain model; the API renders it.

extension Picklist {
    var json: JSONValue {
        .object([
            "id": .string(id), "location": .string(location), "created_at": .string(Timestamps.rfc3339(milliseconds: createdAt)),
            "shipment_ids": .array(shipmentIDs.map(JSONValue.string)),
            "items": .array(items.map { i in
                .object(["sku": .string(i.sku), "name": .string(i.name), "qty": .int(i.qty), "shipments": .int(Int64(i.shipments))])
            }),
            "total_units": .int(items.reduce(0) { $0 + $1.qty }),
        ])
    }
}
