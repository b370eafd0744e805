import BahiCore
import BahiJSON

// Events as the feed shows them (`Components.event`).
// Core returns the domain model; the API renders it.

extension Event {
    /// The event as the API shows it.
    var json: JSONValue {
        var o = JSONObject()
        o["seq"] = .number(JSONNumber(seq))
        o["id"] = .string(id)
        o["type"] = .string(type)
        o["entity_type"] = .string(entityType)
        o["entity_id"] = .string(entityID)
        o["payload"] = payload
        o["actor"] = actor.map(JSONValue.string) ?? .null
        o["created_at"] = .string(Timestamps.rfc3339(milliseconds: createdAt))
        return .object(o)
    }
}
