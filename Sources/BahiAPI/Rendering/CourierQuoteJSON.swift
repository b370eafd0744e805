import BahiCore
import BahiJSON

/// Quotes on the wire (`Components.quotes`), written with `JSONWriter` straight to bytes:
/// `POST /v1/quotes` is meant for checkout pages at tens of thousands a second, so it builds no
/// `JSONValue` tree.
enum CourierQuoteJSON {
    /// `{shipment_id?, from_pincode, to_pincode, parcel, quotes, excluded}`.
    static func encoded(from: String, to: String, parcel: Parcel, _ result: CourierSelection.Result, shipmentID: String? = nil,
                        performance: [String: CourierPerformance] = [:]) -> [UInt8] {
        var json = JSONWriter(capacity: 256 + result.offers.count * 240 + result.exclusions.count * 64)
        json.beginObject()
        if let shipmentID { json.key("shipment_id"); json.string(shipmentID) }
        json.key("from_pincode"); json.string(from)
        json.key("to_pincode"); json.string(to)
        json.key("parcel")
        json.beginObject()
        json.key("weight_g"); json.int64(parcel.weightG)
        json.key("length_mm"); json.int64(parcel.lengthMM)
        json.key("width_mm"); json.int64(parcel.widthMM)
        json.key("height_mm"); json.int64(parcel.heightMM)
        json.key("cod"); json.bool(parcel.cod)
        json.key("value_paise"); json.int64(parcel.valuePaise)
        json.endObject()
        json.key("quotes")
        json.beginArray()
        for offer in result.offers {
            let q = offer.quote
            json.beginObject()
            json.key("courier"); json.string(offer.courier)
            json.key("zone"); json.string(q.zone.rawValue)
            json.key("chargeable_g"); json.int64(q.chargeableG)
            json.key("freight_paise"); json.int64(q.freightPaise)
            json.key("fuel_paise"); json.int64(q.fuelPaise)
            json.key("cod_fee_paise"); json.int64(q.codFeePaise)
            json.key("gst_paise"); json.int64(q.gstPaise)
            json.key("total_paise"); json.int64(q.totalPaise)
            json.key("expected_days"); json.int64(offer.expectedDays)
            json.key("performance")
            if let p = performance[offer.courier] {
                json.beginObject()
                json.key("delivered_share"); json.raw(JSONValue.decimal(p.deliveredShare).encodedText)
                json.key("rto_share"); json.raw(JSONValue.decimal(p.rtoShare).encodedText)
                json.key("mean_transit_days"); json.raw(JSONValue.decimal(p.meanDays).encodedText)
                json.key("samples"); json.int64(p.samples)
                json.endObject()
            } else {
                json.null()
            }
            json.endObject()
        }
        json.endArray()
        json.key("excluded")
        json.beginArray()
        for exclusion in result.exclusions {
            json.beginObject()
            json.key("courier"); json.string(exclusion.courier)
            json.key("reason"); json.string(exclusion.reason.rawValue)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }
}
