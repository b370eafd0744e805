/// Shiprocket's tracking webhook body, decoded into a `TrackingUpdate`. Call only after the
/// route checked the seller's security token (`x-api-key`; Shiprocket signs nothing).
///
/// The body (SR-PM "Webhooks"): `awb`, `current_status` + `current_status_id` counted in
/// Shiprocket's **order-status** table, `shipment_status` + `shipment_status_id` counted in its
/// **shipment** table, `current_timestamp` as `"DD MM YYYY HH:MM:SS"` (IST; every other date is
/// `"YYYY-MM-DD HH:MM:SS"`), and `scans[]` whose `status` is the courier's raw code and whose
/// `"sr-status"` is a shipment-table number written as a string, or `"NA"`.
///
/// The status is the shipment table's (`shipment_status_id` is about the parcel; the
/// order table also counts returns and payments, and the two disagree on what a number
/// means); `current_status_id` decides only when `shipment_status_id` is absent. Both codes
/// are kept. An unknown code is no error: the status is nil and the scans are kept.
public enum ShiprocketTracking {
    /// The update in `body`.
    public static func decode(body: [UInt8]) throws(TrackingPayloadError) -> TrackingUpdate {
        let root = try GatewayPayload.parse(body)
        let awb = try root.identifier("awb")
        var codes: [TrackingUpdate.Code] = []
        if let shipment = try root.statusNumber("shipment_status_id") {
            codes.append(.init(scheme: .shiprocketShipment, code: shipment, label: try root.optionalString("shipment_status")))
        }
        if let order = try root.statusNumber("current_status_id") {
            codes.append(.init(scheme: .shiprocketOrder, code: order, label: try root.optionalString("current_status")))
        }
        guard let deciding = codes.first else {
            throw root.failure("shipment_status_id", expected: "a status number from Shiprocket's shipment table (or current_status_id)")
        }
        let occurredAt = try root.time("current_timestamp", layout: "\"DD MM YYYY HH:MM:SS\"", CourierTime.dayMonthYear)
        let scans = try TrackingScan.history(root.objects("scans").map(scan))
        let status = CourierStatusTable.status(deciding.scheme, deciding.code)
        let isReturn = try root.optionalInteger("is_return").map { $0 != 0 } ?? false
        return TrackingUpdate(
            provider: .shiprocket, awb: awb, status: status, codes: codes, occurredAt: occurredAt, location: scans.last?.location,
            ndr: status == .undelivered ? ndr(scans, label: deciding.label) : nil, scans: scans,
            reference: try root.optionalString("order_id"), isReturn: isReturn)
    }

    /// One `scans[]` entry. `status` (the courier's code) names the scan; a scan without one is
    /// named by its `sr-status`, and one with neither is an error at `status`.
    static func scan(_ entry: GatewayPayload) throws(TrackingPayloadError) -> TrackingScan {
        let at = try entry.time("date", layout: "\"YYYY-MM-DD HH:MM:SS\"", CourierTime.spaced)
        let number = try entry.statusNumber("sr-status")
        guard let code = try entry.optionalString("status") ?? number.map({ "sr-\($0)" }) else {
            throw entry.failure("status", expected: "the courier's scan code (or an sr-status)")
        }
        return TrackingScan(
            at: at, code: code, label: try entry.optionalString("activity"), location: try entry.optionalString("location"),
            status: number.flatMap { CourierStatusTable.status(.shiprocketShipment, $0) })
    }

    /// The NDR of an undelivered push: the reason from the latest undelivered scan (its courier
    /// code and activity, e.g. Delhivery's `EOD-11` "Pending - Consignee Unavailable"), else
    /// from the status label; the attempt is the number of undelivered scans in the history
    /// (at least 1: this push is one).
    static func ndr(_ scans: [TrackingScan], label: String?) -> TrackingUpdate.NDR {
        let failed = scans.filter { $0.status == .undelivered }
        let last = failed.last
        let text = last?.label ?? label
        return TrackingUpdate.NDR(
            reason: NDRReason.normalise(code: last?.code, text: text), attempt: max(1, failed.count), code: last?.code, text: text)
    }
}
