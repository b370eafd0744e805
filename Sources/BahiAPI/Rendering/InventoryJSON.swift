import BahiCore
import BahiJSON

// The stock ledger's read models as the API shows them (`Components.stockLevel`,
// `inventorySummary`, `inventoryRow`, the reorder list and the channel feed).
// Core returns the domain model; the API renders it.

extension StockLedger.Level {
    /// The level as the API shows it.
    var json: JSONValue {
        .object([
            "location": .string(location), "on_hand": .number(JSONNumber(onHand)), "reserved": .number(JSONNumber(reserved)),
            "safety_stock": .number(JSONNumber(safetyStock)), "damaged": .number(JSONNumber(damaged)), "available": .number(JSONNumber(available)),
        ])
    }
}

extension InventoryQueries.Summary {
    /// Totals (a kit has only `available`), per location, per channel, and a kit's components.
    var json: JSONValue {
        var totals: JSONObject = ["available": .int(available)]
        if !isKit {
            totals["on_hand"] = .int(onHand)
            totals["reserved"] = .int(reserved)
            totals["safety_stock"] = .int(safetyStock)
            totals["damaged"] = .int(damaged)
        }
        var out: JSONObject = [
            "sku": .string(sku), "is_kit": .bool(isKit), "totals": .object(totals),
            "locations": .array(levels.map(\.json)),
            "channels": .array(channels.map { c in
                .object(["channel": .string(c.channel), "sellable": .int(c.sellable), "buffer_bps": .int(c.bufferBps), "buffer_units": .int(c.bufferUnits)])
            }),
        ]
        if let components {
            out["components"] = .array(components.map { .object(["sku": .string($0.sku), "qty": .int($0.qty)]) })
        }
        return .object(out)
    }
}

extension InventoryQueries.Totals {
    /// A row of `GET /v1/inventory`.
    var json: JSONValue {
        .object([
            "sku": .string(sku), "on_hand": .int(onHand), "reserved": .int(reserved), "safety_stock": .int(safetyStock),
            "damaged": .int(damaged), "available": .int(available), "low_stock_threshold": .int(lowStockThreshold),
            "reorder_point": .int(reorderPoint),
        ])
    }

    /// A row of `GET /v1/inventory/reorder`.
    var reorderJSON: JSONValue {
        .object([
            "sku": .string(sku), "name": .string(name), "available": .int(available), "reorder_point": .int(reorderPoint),
            "reorder_qty": .int(reorderQty), "suggested_qty": .int(suggestedQty),
        ])
    }
}

extension InventoryQueries.ChannelChange {
    /// One entry of the channel feed.
    var json: JSONValue {
        .object(["sku": .string(sku), "sellable": .int(sellable), "available": .int(available), "seq": .int(seq)])
    }
}
