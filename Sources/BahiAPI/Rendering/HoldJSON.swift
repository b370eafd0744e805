import BahiCore
import BahiJSON

// Checkout holds as the API shows them; `encodedJSON` is the hot path's writer, held to the declared shape (`Components.hold`) by ContractTests.
// Core returns the domain model; the API renders it.

extension Holds.Hold {
    /// The hold as the API shows it.
    var json: JSONValue {
        .object([
            "id": .string(id), "channel": .string(channel), "reference": reference.map(JSONValue.string) ?? .null,
            "status": .string(status.rawValue), "expires_at": .string(Timestamps.rfc3339(milliseconds: expiresAt)),
            "created_at": .string(Timestamps.rfc3339(milliseconds: createdAt)),
            "allocations": .array(allocations.map { a in
                .object(["line": .number(JSONNumber(a.line)), "sku": .string(a.sku), "stock_sku": .string(a.stockSKU),
                         "location": .string(a.location), "qty": .number(JSONNumber(a.qty))])
            }),
        ])
    }
}

extension Holds.Hold {
    /// `json.encoded()`, written straight into bytes: the hold endpoint answers with this
    /// on every call, and building the `JSONValue` tree first cost about as much as the
    /// rest of the response. Byte-for-byte the same (a test holds it to that).
    var encodedJSON: [UInt8] {
        var w = JSONWriter(capacity: 256 + 128 * allocations.count)
        w.beginObject()
        w.key("id"); w.string(id)
        w.key("channel"); w.string(channel)
        w.key("reference"); if let reference { w.string(reference) } else { w.null() }
        w.key("status"); w.string(status.rawValue)
        w.key("expires_at"); w.string(Timestamps.rfc3339(milliseconds: expiresAt))
        w.key("created_at"); w.string(Timestamps.rfc3339(milliseconds: createdAt))
        w.key("allocations")
        w.beginArray()
        for a in allocations {
            w.beginObject()
            w.key("line"); w.int(a.line)
            w.key("sku"); w.string(a.sku)
            w.key("stock_sku"); w.string(a.stockSKU)
            w.key("location"); w.string(a.location)
            w.key("qty"); w.int64(a.qty)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }
}
