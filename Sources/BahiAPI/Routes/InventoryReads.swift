import BahiCore
import BahiHTTP
import BahiJSON

/// Query-string handling for the inventory reads.
enum InventoryReads {
    static func int(_ request: HTTPRequest, _ name: String, default value: Int, range: ClosedRange<Int>, _ errors: inout [FieldError]) -> Int {
        guard let text = request.queryItem(name) else { return value }
        guard let v = Int(text), range.contains(v) else {
            errors.append(FieldError(field: name, code: "out_of_range", message: "A whole number from \(range.lowerBound) to \(range.upperBound)."))
            return value
        }
        return v
    }

    static func check(_ errors: [FieldError]) throws(HTTPError) {
        try ListCursor.check(errors)
    }
}

extension InventoryQueries {
    /// `GET /v1/inventory?location=&below=&after=&limit=`.
    static func list(_ ctx: RequestContext) async throws -> HTTPResponse {
        var errors: [FieldError] = []
        let limit = InventoryReads.int(ctx.request, "limit", default: 50, range: 1...500, &errors)
        let location = ctx.request.queryItem("location")
        var below: Below?
        if let text = ctx.request.queryItem("below") {
            below = Below(rawValue: text)
            if below == nil { errors.append(FieldError(field: "below", code: "invalid", message: "low_stock or reorder_point.")) }
        }
        let after = ListCursor.catalogCode(ctx.request, &errors) ?? ""
        try InventoryReads.check(errors)
        let filter = below
        let rows = try await ctx.app.store.read { db in try list(db, location: location, below: filter, after: after, limit: limit + 1) }
        let page = rows.prefix(limit)
        let next: JSONValue = rows.count > limit ? page.last.map { .string(CatalogCursor.encode($0.sku)) } ?? .null : .null
        return .json(.object(["data": .array(page.map(\.json)), "next_cursor": next]))
    }

    /// `GET /v1/inventory/{sku}/movements?after=&limit=`.
    static func movements(_ ctx: RequestContext) async throws -> HTTPResponse {
        let sku = ctx.request.parameters["sku"] ?? ""
        var errors: [FieldError] = []
        let limit = InventoryReads.int(ctx.request, "limit", default: 50, range: 1...500, &errors)
        let after = ListCursor.sequence(ctx.request, &errors)
        try InventoryReads.check(errors)
        let rows = try await ctx.app.store.read { db -> [StockMovement]? in
            guard try Availability.facts(db, sku: sku) != nil else { return nil }
            return try movements(db, sku: sku, after: after, limit: limit + 1)
        }
        guard let rows else { throw DomainError.notFound("SKU", sku) }
        let page = rows.prefix(limit)
        let next: JSONValue = rows.count > limit ? page.last.map { .string(String($0.id)) } ?? .null : .null
        return .json(.object(["data": .array(page.map(\.json)), "next_cursor": next]))
    }
}

/// `GET /v1/inventory/changes?after=SEQ&channel=&wait=`: per SKU, what a channel may now
/// sell, long-polled, so a marketplace connector learns of every change within a second.
enum ChangeFeed {
    static func respond(_ ctx: RequestContext) async throws -> HTTPResponse {
        var errors: [FieldError] = []
        let wait = InventoryReads.int(ctx.request, "wait", default: 0, range: 0...30, &errors)
        let limit = InventoryReads.int(ctx.request, "limit", default: 500, range: 1...1000, &errors)
        let after = ListCursor.sequence(ctx.request, &errors)
        try InventoryReads.check(errors)
        let channel = try InventoryRoutes.channelFor(ctx, ctx.request.queryItem("channel"))
        let app = ctx.app
        guard try await app.store.read({ db in try ChannelCatalog.exists(db, code: channel) }) else {
            throw DomainError.notFound("channel", channel)
        }
        let deadline = ContinuousClock.now + .seconds(wait)
        while true {
            let generation = app.notifier.generation
            try await app.numberPendingEvents()
            let (entries, last) = try await app.store.read { db in try InventoryQueries.changes(db, channel: channel, after: after, limit: limit) }
            let remaining = deadline - ContinuousClock.now
            if last > after || remaining <= .zero {
                return .json(.object(["channel": .string(channel), "data": .array(entries.map(\.json)), "next_cursor": .string(String(last))]))
            }
            await app.notifier.wait(since: generation, timeout: remaining)
        }
    }
}
