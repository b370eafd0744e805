/// Why a courier's tracking payload could not be decoded: the field's path (`scans[3].date`,
/// `Shipment.Status.StatusDateTime`), what was expected there and what was found.
///
/// Why the gateways' error and not a twin of it: the tracking decoders read with the same
/// reader (`GatewayPayload`) and fail the same precise way, so one type serves both; the
/// route that called a courier's decoder knows it was a courier's payload.
public typealias TrackingPayloadError = GatewayPayloadError
