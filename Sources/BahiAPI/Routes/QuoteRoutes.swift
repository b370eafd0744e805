import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Quotes: what each courier would charge to carry a parcel, cheapest first, and why the
/// others cannot (docs/COURIERS.md, "Rate cards and quotes").
///
/// - `POST /v1/quotes`: any parcel between two pincodes. A read (nothing is stored), so it is
///   neither idempotent nor written; every role may ask (a storefront prices its checkout).
/// - `GET /v1/shipments/{id}/quotes`: a packed shipment, its facts read from the shipment, its
///   location and its order (`ShipmentQuoteFlow`).
enum QuoteRoutes {
    static let tag = "couriers"

    static func register(on api: inout API) {
        api.route(.post, "/v1/quotes", access: .anyRole, RouteDoc(
            "Quote every courier for a parcel",
            description: "Each courier's price (freight, fuel, COD fee, GST, total) from its rate card and zone, cheapest first, and each courier left out with its reason (inactive, not_serviceable, embargo, cod_not_available, overweight, pickup_capacity_full).",
            request: .json(.ref(Components.quoteRequest)),
            responses: [.ok(.ref(Components.quotes))],
            errors: [.domain(.invalidPincode), .domain(.validationFailed)]
        ).tagged(tag)) { ctx in
            let body = ctx.body
            let v = ctx.validator()
            let from = v.string(body, "from_pincode", required: true, maxLength: 6) ?? ""
            let to = v.string(body, "to_pincode", required: true, maxLength: 6) ?? ""
            let weight = v.integer(body, "weight_g", required: true, range: Parcel.weightRange)
            let length = v.integer(body, "length_mm", required: true, range: Parcel.dimensionRange)
            let width = v.integer(body, "width_mm", required: true, range: Parcel.dimensionRange)
            let height = v.integer(body, "height_mm", required: true, range: Parcel.dimensionRange)
            let cod = v.bool(body, "cod") ?? false
            let value = v.integer(body, "value_paise", required: cod, range: 0...CatalogRules.maxPaise)
            try v.check()
            let parcel = Parcel(weightG: weight ?? 1, lengthMM: length ?? 1, widthMM: width ?? 1, heightMM: height ?? 1, cod: cod, valuePaise: value ?? 0)
            let cache = ctx.app.courierQuotes
            let (result, learned) = try await ctx.app.store.read { db in
                let result = try Couriers.quote(db, from: from, to: to, parcel: parcel, cache: cache)
                return (result, try Self.performance(db, from: from, to: to, result))
            }
            return .json(CourierQuoteJSON.encoded(from: from, to: to, parcel: parcel, result, performance: learned))
        }

        api.route(.get, "/v1/shipments/:id/quotes", access: CourierRoutes.readers, RouteDoc(
            "Quote every courier for a packed shipment",
            description: "The parcel is the shipment's packed weight and box, from its location's pincode to the order's shipping pincode; COD and the value are the order's.",
            responses: [.ok(.ref(Components.quotes))],
            errors: [.domain(.shipmentNotPacked), .domain(.invalidPincode)]
        ).tagged(tag)) { ctx in
            let id = ctx.request.parameters["id"] ?? ""
            guard EntityID.isValid(id, kind: .shipment) else { throw DomainError.notFound("shipment", id) }
            let cache = ctx.app.courierQuotes
            let (quotes, learned) = try await ctx.app.store.read { db in
                let quotes = try ShipmentQuoteFlow.quote(db, shipmentID: id, cache: cache)
                return (quotes, try Self.performance(db, from: quotes.fromPincode, to: quotes.toPincode, quotes.result))
            }
            return .json(CourierQuoteJSON.encoded(from: quotes.fromPincode, to: quotes.toPincode, parcel: quotes.parcel, quotes.result, shipmentID: id,
                                                  performance: learned))
        }
    }

    /// Each offered courier's learned performance to this destination (`Tracking.estimates`),
    /// none when the directory lacks a pincode.
    static func performance(_ db: any Database, from: String, to: String, _ result: CourierSelection.Result) throws -> [String: CourierPerformance] {
        guard !result.offers.isEmpty, let destination = Tracking.Destination(from: from, to: to) else { return [:] }
        return try Tracking.estimates(db, destination: destination,
                                      expectedDays: Dictionary(result.offers.map { ($0.courier, $0.expectedDays) }, uniquingKeysWith: { a, _ in a }))
    }
}
