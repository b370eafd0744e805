import BahiCore
import BahiJSON

// Manifests as the API shows them (`Components.manifest`, `Components.manifestSummary`).
// Core returns the domain model; the API renders it.

extension Manifest {
    /// The head, as lists show it.
    var summaryJSON: JSONValue {
        .object([
            "id": .string(id), "courier": .string(courier), "location": .string(location), "date": .string(day), "status": .string(status.rawValue),
            "created_at": .string(Timestamps.rfc3339(milliseconds: createdAt)), "created_by": .optional(actor),
        ])
    }
}

extension ManifestFlow.Details {
    var json: JSONValue {
        var o = JSONObject()
        o["id"] = .string(manifest.id)
        o["courier"] = .string(manifest.courier)
        o["courier_name"] = .string(courierName)
        o["location"] = .string(manifest.location)
        o["date"] = .string(manifest.day)
        o["status"] = .string(manifest.status.rawValue)
        o["created_at"] = .string(Timestamps.rfc3339(milliseconds: manifest.createdAt))
        o["created_by"] = .optional(manifest.actor)
        o["parcels"] = .array(parcels.map { p in
            .object([
                "shipment_id": .string(p.shipment.id), "awb": .string(p.shipment.awb ?? ""), "order_id": .string(p.shipment.orderID),
                "order_reference": .string(p.orderReference), "weight_g": p.shipment.weightG.map(JSONValue.int) ?? .null,
                "cod_paise": p.codPaise.map(JSONValue.int) ?? .null, "status": .string(p.shipment.status.rawValue),
            ])
        })
        let ready = Int64(parcels.filter { $0.shipment.status == .ready }.count)
        o["counts"] = .object(["parcels": .int(Int64(parcels.count)), "ready": .int(ready), "handed_over": .int(Int64(parcels.count) - ready)])
        return .object(o)
    }
}

extension ManifestFlow.Handover {
    /// The manifest after the handover, with what the scans did.
    var json: JSONValue {
        var o = JSONObject()
        o["manifest"] = details.json
        o["picked_up"] = .array(pickedUp.map(JSONValue.string))
        o["already_picked_up"] = .array(alreadyPickedUp.map(JSONValue.string))
        o["missing"] = .array(missing.map(JSONValue.string))
        return .object(o)
    }
}
