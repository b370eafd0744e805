import BahiCore
import BahiJSON

// Movement ledger rows as the API shows them (`Components.movement`).
// Core returns the domain model; the API renders it.

extension StockMovement {
    /// The movement as the API shows it (the SKU is the one asked about, so not repeated).
    var json: JSONValue {
        .object([
            "id": .number(JSONNumber(id)), "location": .string(location), "kind": .string(kind.rawValue),
            "on_hand_delta": .number(JSONNumber(onHandDelta)), "reserved_delta": .number(JSONNumber(reservedDelta)),
            "damaged_delta": .number(JSONNumber(damagedDelta)),
            "reference": reference.map(JSONValue.string) ?? .null, "reason": reason.map(JSONValue.string) ?? .null,
            "actor": actor.map(JSONValue.string) ?? .null,
            "created_at": .string(Timestamps.rfc3339(milliseconds: createdAt)),
        ])
    }
}
