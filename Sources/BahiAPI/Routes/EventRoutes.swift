import BahiCore
import BahiHTTP
import BahiJSON

/// `GET /v1/events?after=SEQ&type=&limit=&wait=`: the event feed, long-polled.
enum EventRoutes {
    static func register(on api: inout API) {
        api.route(.get, "/v1/events", access: .roles([.admin]), RouteDoc(
            "The event feed after a seq (long poll)",
            description: "Every state change, in commit order. Remember next_cursor and pass it as after.",
            query: [QueryParameter("after", .integer(atLeast: 0), "The last seq seen (default 0)."),
                    QueryParameter("type", .string(maxLength: 100), "An event type (order.created) or family (order.*)."),
                    .limit(), QueryParameter("wait", .integer(0...30), "Seconds to wait for an event (default 0).")],
            responses: [.ok(.object(["data": .array(of: .ref(Components.event)), "next_cursor": .string(), "has_more": .boolean], allRequired: true))]
        ).tagged("events")) { ctx in
            let query = try EventQuery(ctx.request)
            let app = ctx.app
            let deadline = ContinuousClock.now + .seconds(query.waitSeconds)
            while true {
                let generation = app.notifier.generation
                try await app.numberPendingEvents()
                let events = try await app.store.read { db in
                    try EventLog.list(db, after: query.after, type: query.type, limit: query.limit + 1)
                }
                let remaining = deadline - ContinuousClock.now
                if !events.isEmpty || remaining <= .zero {
                    let page = Array(events.prefix(query.limit))
                    let cursor = page.last?.seq ?? query.after
                    return .json(.object([
                        "data": .array(page.map(\.json)),
                        "next_cursor": .string(String(cursor)),
                        "has_more": .bool(events.count > query.limit),
                    ]))
                }
                // Another node's commits reach this one's notifier only through the store: on
                // PostgreSQL the wait is cut into short slices that look again.
                await app.notifier.wait(since: generation, timeout: min(remaining, app.feedRecheckInterval))
            }
        }
    }
}

/// The feed's query parameters, validated with field errors.
struct EventQuery {
    var after: Int64 = 0
    var type: String?
    var limit = 50
    var waitSeconds = 0

    init(_ request: HTTPRequest) throws(HTTPError) {
        var errors: [FieldError] = []
        after = ListCursor.sequence(request, &errors)
        if let text = request.queryItem("limit") {
            if let v = Int(text), (1...500).contains(v) { limit = v } else { errors.append(FieldError(field: "limit", code: "out_of_range", message: "From 1 to 500.")) }
        }
        if let text = request.queryItem("wait") {
            if let v = Int(text), (0...30).contains(v) { waitSeconds = v } else { errors.append(FieldError(field: "wait", code: "out_of_range", message: "Seconds from 0 to 30.")) }
        }
        if let text = request.queryItem("type"), !text.isEmpty {
            if text.count <= 100, text.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "_" || $0 == "*") }) {
                type = text
            } else {
                errors.append(FieldError(field: "type", code: "invalid", message: "An event type such as order.created, or a family such as order.*."))
            }
        }
        try ListCursor.check(errors)
    }
}
