/// Delhivery's tracking, decoded into `TrackingUpdate`s: the scan-push webhook (one scan per
/// body) and the pull-tracking response (`GET /api/v1/packages/json/`, whole histories), which
/// share the `Shipment` object. Call the webhook decoder only after the route checked the
/// agreed auth header (Delhivery signs nothing).
///
/// A status is the pair (`StatusType`, `Status`): `DL` is terminal but means Delivered, RTO or
/// DTO, and `UD`/`Pending` is a parcel waiting at a hub unless the NSL code is an `EOD-` code
/// (a failed attempt) — `CourierStatusTable.delhiveryCode` keys it. The webhook puts the NSL
/// code on `Shipment.NSLCode`; pull tracking inside `Status.StatusCode` and each scan's
/// `StatusCode`. Times are IST without a zone, with 0–3 fraction digits.
public enum DelhiveryTracking {
    /// The update in a scan-push body: `{"Shipment": {"AWB", "Status": {…}, "NSLCode", …}}`.
    public static func decode(body: [UInt8]) throws(TrackingPayloadError) -> TrackingUpdate {
        try shipment(GatewayPayload.parse(body).object("Shipment"))
    }

    /// The updates in a pull-tracking response: `{"ShipmentData": [{"Shipment": {…}}, …]}`.
    public static func decodePull(body: [UInt8]) throws(TrackingPayloadError) -> [TrackingUpdate] {
        var updates: [TrackingUpdate] = []
        for entry in try GatewayPayload.parse(body).objects("ShipmentData") {
            updates.append(try shipment(entry.object("Shipment")))
        }
        return updates
    }

    static func shipment(_ shipment: GatewayPayload) throws(TrackingPayloadError) -> TrackingUpdate {
        let awb = try shipment.identifier("AWB")
        let current = try shipment.object("Status")
        let pushed = try shipment.optionalString("NSLCode")
        let pulled = try current.optionalString("StatusCode")
        let nsl = pushed ?? pulled
        let scan = try self.scan(current, type: "StatusType", status: "Status", location: "StatusLocation", nsl: nsl)
        var history = [scan.scan]
        for entry in try shipment.objects("Scans") {
            history.append(try self.scan(entry.object("ScanDetail"), type: "ScanType", status: "Scan", location: "ScannedLocation",
                                         nsl: nil).scan)
        }
        let status = scan.scan.status
        var ndr: TrackingUpdate.NDR?
        if status == .undelivered {
            // Pull tracking counts dispatches; a push is one scan, so the flow counts.
            let attempt = try shipment.optionalInteger("DispatchCount").map { Int(clamping: $0) }
            ndr = TrackingUpdate.NDR(reason: NDRReason.normalise(code: nsl, text: scan.scan.label), attempt: attempt, code: nsl, text: scan.scan.label)
        }
        return TrackingUpdate(
            provider: .delhivery, awb: awb, status: status, codes: [scan.code], occurredAt: scan.scan.at, location: scan.scan.location,
            ndr: ndr, scans: TrackingScan.history(history), reference: try shipment.optionalString("ReferenceNo"), isReturn: scan.isReverse)
    }

    /// A `Status` or `ScanDetail` object as a scan and its status code, read through the given
    /// key names (the two objects name the same things differently). The NSL code is the
    /// object's own `StatusCode` unless `nsl` gives it (the webhook's `Shipment.NSLCode`).
    static func scan(_ object: GatewayPayload, type typeKey: String, status statusKey: String, location: String, nsl: String?)
        throws(TrackingPayloadError) -> (scan: TrackingScan, code: TrackingUpdate.Code, isReverse: Bool)
    {
        let type = try object.string(typeKey)
        let status = try object.string(statusKey)
        let at = try object.time("StatusDateTime", layout: "\"YYYY-MM-DDTHH:MM:SS[.fff]\"", CourierTime.delhivery)
        let own = try object.optionalString("StatusCode")
        let code = nsl ?? own
        let key = CourierStatusTable.delhiveryCode(type: type, status: status, nsl: code)
        let mapped = CourierStatusTable.status(.delhivery, key)
        let instructions = try object.optionalString("Instructions")
        let scan = TrackingScan(
            at: at, code: code ?? "\(type)/\(status)", label: instructions ?? status, location: try object.optionalString(location), status: mapped)
        return (scan, TrackingUpdate.Code(scheme: .delhivery, code: "\(type)/\(status)", label: instructions),
                CourierStatusTable.delhiveryIsReverse(type: type, status: status))
    }
}
