import BahiJSON
import Testing
@testable import BahiCore
import BahiTestSupport

/// The courier tracking decoders on the providers' published samples (`TrackingFixtures`,
/// from `logistics-returns.md` §2–§3), each decoded to the values it holds, then the oddities
/// a real feed has: missing fields, `"NA"`, unknown codes, numbers as strings, bad times —
/// each either tolerated as documented or refused with the field's path.
@Suite struct CourierTrackingTests {
    /// `body` with its first `old` replaced by `new` (one changed field).
    static func replacing(_ old: String, with new: String, in body: String) -> String { GatewayTests.replacing(old, with: new, in: body) }

    /// Unix ms of an RFC 3339 time written with its IST offset: the expectation, computed by a
    /// different parser than the one under test.
    static func ist(_ text: String) -> Int64 { Timestamps.milliseconds(rfc3339: text + "+05:30") ?? -1 }

    static func shiprocket(_ body: String) throws -> TrackingUpdate { try ShiprocketTracking.decode(body: Array(body.utf8)) }
    static func delhivery(_ body: String) throws -> TrackingUpdate { try DelhiveryTracking.decode(body: Array(body.utf8)) }

    /// The error `body` throws, naming its field (the gateways' check: one error type serves both).
    func payloadError<T>(_ body: () throws -> T) -> TrackingPayloadError? { GatewayTests().payloadError(body) }

    // MARK: Shiprocket

    @Test func shiprocketPublishedSample() throws {
        let update = try Self.shiprocket(TrackingFixtures.shiprocket)
        #expect(update.provider == .shiprocket)
        #expect(update.awb == "19041424751540")
        // The shipment table's 18 decides; the order table's 20 is kept beside it.
        #expect(update.status == .inTransit)
        #expect(update.codes == [
            .init(scheme: .shiprocketShipment, code: "18", label: "IN TRANSIT"),
            .init(scheme: .shiprocketOrder, code: "20", label: "IN TRANSIT"),
        ])
        #expect(update.occurredAt == Self.ist("2023-05-23T11:43:52"))
        #expect(update.occurredAt == 1_684_822_432_000)
        #expect(update.location == "Mumbai_MiraRdIndEstate_I (Maharashtra)")
        #expect(update.reference == "1373900_150876814")
        #expect(update.ndr == nil)
        #expect(update.isReturn == false)
        #expect(update.scans.map(\.code) == ["X-UCI", "X-PPOM", "X-PIOM", "X-DBL1F", "X-DLL2F", "X-IBD3F"])
        #expect(update.scans.map(\.status) == [.ready, .pickedUp, .inTransit, nil, .inTransit, .inTransit])
        #expect(update.scans[0] == TrackingScan(
            at: Self.ist("2023-05-19T11:59:16"), code: "X-UCI", label: "Manifested - Manifest uploaded",
            location: "Chomu_SamodRd_D (Rajasthan)", status: .ready))
        #expect(update.identity == "shiprocket:19041424751540:1684822432000:shiprocket_shipment=18")
    }

    @Test func shiprocketTwoNumberingSchemes() throws {
        func status(shipment: String?, order: String?) throws -> ShipmentStatus? {
            var body = TrackingFixtures.shiprocket
            body = Self.replacing(#""shipment_status_id":18,"#, with: shipment.map { #""shipment_status_id":\#($0),"# } ?? "", in: body)
            body = Self.replacing(#""current_status_id":20,"#, with: order.map { #""current_status_id":\#($0),"# } ?? "", in: body)
            return try Self.shiprocket(body).status
        }
        // The same number means different things in the two tables.
        #expect(try status(shipment: "21", order: nil) == .undelivered)
        #expect(try status(shipment: nil, order: "21") == nil)  // Return Pending
        #expect(try status(shipment: "20", order: nil) == nil)  // Pickup Exception
        #expect(try status(shipment: nil, order: "20") == .inTransit)
        #expect(try status(shipment: "9", order: nil) == .rtoInitiated)
        #expect(try status(shipment: nil, order: "9") == nil)  // Returned: RTO or a buyer's return
        #expect(try status(shipment: nil, order: "36") == .undelivered)
        // The shipment table decides even when the order table says otherwise.
        #expect(try status(shipment: "7", order: "20") == .delivered)
        // A number written as a string, as `sr-status` always is.
        #expect(try status(shipment: #""42""#, order: nil) == .pickedUp)
        // Unknown codes are kept, never a crash.
        #expect(try status(shipment: "999", order: "20") == nil)
        let neither = payloadError { try status(shipment: nil, order: nil) }
        #expect(neither?.path == "shipment_status_id")
        #expect(neither?.found == "nothing")
        let text = payloadError { try status(shipment: #""IN TRANSIT""#, order: nil) }
        #expect(text?.path == "shipment_status_id")
        #expect(text?.found == "\"IN TRANSIT\"")
    }

    @Test func shiprocketTimestampIsReadExactly() throws {
        for bad in ["2023-05-23 11:43:52", "23-05-2023 11:43:52", "23 05 2023 11:43", "23 05 2023 24:00:00", "31 06 2023 10:00:00",
                    "29 02 2023 10:00:00", "23 05 2023 11:43:52 ", "23 5 2023 11:43:52", ""] {
            let body = Self.replacing("23 05 2023 11:43:52", with: bad, in: TrackingFixtures.shiprocket)
            let error = payloadError { try Self.shiprocket(body) }
            #expect(error?.path == "current_timestamp", "\(bad)")
            #expect(error?.expected == "a time \"DD MM YYYY HH:MM:SS\" (IST)")
        }
        let leap = Self.replacing("23 05 2023 11:43:52", with: "29 02 2024 00:00:00", in: TrackingFixtures.shiprocket)
        #expect(try Self.shiprocket(leap).occurredAt == Self.ist("2024-02-29T00:00:00"))
        let missing = Self.replacing(#""current_timestamp":"23 05 2023 11:43:52","#, with: "", in: TrackingFixtures.shiprocket)
        #expect(payloadError { try Self.shiprocket(missing) }?.path == "current_timestamp")
        let badScan = Self.replacing("2023-05-19 15:32:17", with: "19 05 2023 15:32:17", in: TrackingFixtures.shiprocket)
        let error = payloadError { try Self.shiprocket(badScan) }
        #expect(error?.path == "scans[1].date")
        #expect(error?.description == "scans[1].date: expected a time \"YYYY-MM-DD HH:MM:SS\" (IST), found \"19 05 2023 15:32:17\"")
    }

    @Test func shiprocketOddities() throws {
        let sample = TrackingFixtures.shiprocket
        #expect(payloadError { try Self.shiprocket(Self.replacing(#""awb":"19041424751540","#, with: "", in: sample)) }?.path == "awb")
        #expect(payloadError { try Self.shiprocket("{\"awb\":") }?.path == "$")
        #expect(payloadError { try Self.shiprocket("[]") }?.path == "$")
        // `sr-status` is "NA", digits, or absent; anything else names the scan.
        let word = Self.replacing(#""sr-status":"42""#, with: #""sr-status":"PICKED""#, in: sample)
        #expect(payloadError { try Self.shiprocket(word) }?.path == "scans[1].sr-status")
        let absent = Self.replacing(#","sr-status":"42""#, with: "", in: sample)
        #expect(try Self.shiprocket(absent).scans[1].status == nil)
        let unknown = Self.replacing(#""sr-status":"42""#, with: #""sr-status":"999""#, in: sample)
        #expect(try Self.shiprocket(unknown).scans[1].status == nil)
        #expect(try Self.shiprocket(unknown).scans.count == 6)
        // A scan without the courier's code is named by its sr-status; with neither it is refused.
        let noCode = Self.replacing(#""status":"X-PPOM","#, with: "", in: sample)
        #expect(try Self.shiprocket(noCode).scans[1].code == "sr-42")
        let nothing = Self.replacing(#""status":"X-DBL1F","#, with: "", in: sample)
        #expect(payloadError { try Self.shiprocket(nothing) }?.path == "scans[3].status")
        #expect(payloadError { try Self.shiprocket(Self.replacing(#""scans":["#, with: #""scans":[1,"#, in: sample)) }?.path == "scans[0]")
        // No history at all is fine: the status still counts.
        let bare = #"{"awb":"1","shipment_status_id":7,"current_timestamp":"01 06 2023 09:00:00"}"#
        let update = try Self.shiprocket(bare)
        #expect(update.status == .delivered)
        #expect(update.scans.isEmpty)
        #expect(update.location == nil)
        // A return's parcel is flagged.
        #expect(try Self.shiprocket(Self.replacing(#""is_return":0"#, with: #""is_return":1"#, in: sample)).isReturn)
    }

    @Test func shiprocketScansAreKeptOnceInTimeOrder() throws {
        let last = #"{"location":"Mumbai_MiraRdIndEstate_I (Maharashtra)","date":"2023-05-23 11:43:46","activity":"In Transit - Shipment Received at Facility","status":"X-IBD3F","sr-status":"18","sr-status-label":"IN TRANSIT"}"#
        let early = #"{"date":"2023-05-19 11:00:00","status":"X-EARLY","sr-status":"NA"}"#
        let body = Self.replacing(last, with: last + "," + last + "," + early, in: TrackingFixtures.shiprocket)
        let update = try Self.shiprocket(body)
        #expect(update.scans.count == 7)
        #expect(update.scans.first?.code == "X-EARLY")
        #expect(update.scans.map(\.at) == update.scans.map(\.at).sorted())
        // Same second, different code: both kept (the published sample has such a pair).
        let twin = Self.replacing(last, with: last + "," + last.replacingOccurrences(of: "X-IBD3F", with: "X-DWS"), in: TrackingFixtures.shiprocket)
        #expect(try Self.shiprocket(twin).scans.count == 7)
    }

    @Test func shiprocketUndeliveredCarriesTheNDR() throws {
        let ndrScan = #"{"date":"2023-05-24 15:17:44","status":"EOD-11","activity":"Pending - Consignee Unavailable","location":"Mumbai_MiraRdIndEstate_I (Maharashtra)","sr-status":"21","sr-status-label":"UNDELIVERED"}"#
        var body = Self.replacing(#""shipment_status_id":18"#, with: #""shipment_status_id":21"#, in: TrackingFixtures.shiprocket)
        body = Self.replacing(#""current_status_id":20"#, with: #""current_status_id":36"#, in: body)
        let once = Self.replacing(#"   ],"#, with: "," + ndrScan + "],", in: body)
        let update = try Self.shiprocket(once)
        #expect(update.status == .undelivered)
        #expect(update.ndr == TrackingUpdate.NDR(reason: .customerUnavailable, attempt: 1, code: "EOD-11", text: "Pending - Consignee Unavailable"))
        let second = ndrScan.replacingOccurrences(of: "2023-05-24", with: "2023-05-25").replacingOccurrences(of: "Consignee Unavailable", with: "Customer Refused To Accept")
            .replacingOccurrences(of: "EOD-11", with: "EOD-6")
        let twice = Self.replacing(#"   ],"#, with: "," + ndrScan + "," + second + "],", in: body)
        #expect(try Self.shiprocket(twice).ndr == TrackingUpdate.NDR(reason: .refused, attempt: 2, code: "EOD-6", text: "Pending - Customer Refused To Accept"))
        // Without an undelivered scan, the status label is all there is.
        #expect(try Self.shiprocket(body).ndr == TrackingUpdate.NDR(reason: .other, attempt: 1, code: nil, text: "IN TRANSIT"))
    }

    // MARK: Delhivery

    @Test func delhiveryPublishedPush() throws {
        let update = try Self.delhivery(TrackingFixtures.delhiveryPush)
        let at = Self.ist("2019-01-09T17:10:42.767")
        #expect(update == TrackingUpdate(
            provider: .delhivery, awb: "XXXXXXXXXXXX", status: .ready,
            codes: [.init(scheme: .delhivery, code: "UD/Manifested", label: "Manifest uploaded")], occurredAt: at,
            location: "Chandigarh_Raiprkln_C (Chandigarh)",
            scans: [TrackingScan(at: at, code: "X-UCI", label: "Manifest uploaded", location: "Chandigarh_Raiprkln_C (Chandigarh)", status: .ready)],
            reference: "28"))
    }

    /// The push sample with another (StatusType, Status) pair and NSL code.
    static func push(_ type: String, _ status: String, nsl: String = "X-UCI", instructions: String = "Manifest uploaded") -> String {
        var body = replacing(#""Status": "Manifested""#, with: #""Status": "\#(status)""#, in: TrackingFixtures.delhiveryPush)
        body = replacing(#""StatusType": "UD""#, with: #""StatusType": "\#(type)""#, in: body)
        body = replacing(#""NSLCode": "X-UCI""#, with: #""NSLCode": "\#(nsl)""#, in: body)
        return replacing(#""Instructions": "Manifest uploaded""#, with: #""Instructions": "\#(instructions)""#, in: body)
    }

    @Test func delhiveryPairsDecideTogether() throws {
        let cases: [(String, String, String, ShipmentStatus?, Bool)] = [
            ("UD", "In Transit", "X-PPOM", .inTransit, false),
            ("UD", "Pending", "X-IBD3F", .inTransit, false),
            ("UD", "Dispatched", "X-DDD3FD", .outForDelivery, false),
            ("UD", "Not Picked", "FMPUR-101", nil, false),
            // DL is terminal but means three things.
            ("DL", "Delivered", "EOD-38", .delivered, false),
            ("DL", "RTO", "RD-AC", .rtoDelivered, false),
            ("DL", "DTO", "RD-AC", nil, true),
            ("RT", "In Transit", "X-ILL2F", .rtoInTransit, false),
            ("RT", "Dispatched", "X-DDD3FD", .rtoInTransit, false),
            ("PU", "In Transit", "X-ILL2F", nil, true),
            ("CN", "Canceled", "X-CN", nil, true),
            ("ZZ", "Teleported", "X-NEW", nil, false),
            ("dl", "delivered", "EOD-38", .delivered, false),
        ]
        for (type, status, nsl, expected, reverse) in cases {
            let update = try Self.delhivery(Self.push(type, status, nsl: nsl))
            #expect(update.status == expected, "\(type)/\(status)")
            #expect(update.isReturn == reverse, "\(type)/\(status)")
            #expect(update.codes.first?.code == "\(type)/\(status)")
            #expect(update.scans.first?.code == nsl)
            #expect(update.ndr == nil)
        }
    }

    @Test func delhiveryFailedAttemptIsAnNDR() throws {
        let update = try Self.delhivery(Self.push("UD", "Pending", nsl: "EOD-6", instructions: "Consignee refused to accept"))
        #expect(update.status == .undelivered)
        #expect(update.ndr == TrackingUpdate.NDR(reason: .refused, attempt: nil, code: "EOD-6", text: "Consignee refused to accept"))
        let coded = try Self.delhivery(Self.push("UD", "Pending", nsl: "EOD-74", instructions: "Pending"))
        #expect(coded.ndr?.reason == .addressIssue)
    }

    @Test func delhiveryTimesAndMissingFields() throws {
        for (text, expected) in [("2019-01-09T17:10:42", "2019-01-09T17:10:42"), ("2019-01-09T17:10:42.7", "2019-01-09T17:10:42.700"),
                                 ("2019-01-09T17:10:42.76", "2019-01-09T17:10:42.760"), ("2019-01-09T11:40:42.767Z", "2019-01-09T17:10:42.767")] {
            let body = Self.replacing("2019-01-09T17:10:42.767", with: text, in: TrackingFixtures.delhiveryPush)
            #expect(try Self.delhivery(body).occurredAt == Self.ist(expected), "\(text)")
        }
        for bad in ["2019-01-09T17:10:42.7677", "2019-01-09 17:10:42", "2019-01-09T17:10:42.", "2019-13-09T17:10:42", "09-01-2019T17:10:42"] {
            let body = Self.replacing("2019-01-09T17:10:42.767", with: bad, in: TrackingFixtures.delhiveryPush)
            #expect(payloadError { try Self.delhivery(body) }?.path == "Shipment.Status.StatusDateTime", "\(bad)")
        }
        let noType = Self.replacing(#""StatusType": "UD","#, with: "", in: TrackingFixtures.delhiveryPush)
        #expect(payloadError { try Self.delhivery(noType) }?.path == "Shipment.Status.StatusType")
        #expect(payloadError { try Self.delhivery(#"{"Shipment": {"AWB": "1"}}"#) }?.path == "Shipment.Status")
        #expect(payloadError { try Self.delhivery(#"{"shipment": {}}"#) }?.path == "Shipment")
        let noAWB = Self.replacing(#""AWB": "XXXXXXXXXXXX""#, with: #""Awb": "XXXXXXXXXXXX""#, in: TrackingFixtures.delhiveryPush)
        #expect(payloadError { try Self.delhivery(noAWB) }?.path == "Shipment.AWB")
        // Optional parts may go: no NSL code names the scan by its pair.
        let lean = #"{"Shipment": {"AWB": 1234, "Status": {"Status": "In Transit", "StatusType": "UD", "StatusDateTime": "2019-01-10T08:00:00"}}}"#
        let update = try Self.delhivery(lean)
        #expect(update.awb == "1234")
        #expect(update.scans == [TrackingScan(at: Self.ist("2019-01-10T08:00:00"), code: "UD/In Transit", label: "In Transit", status: .inTransit)])
    }

    @Test func delhiveryPullCapture() throws {
        let updates = try DelhiveryTracking.decodePull(body: Array(TrackingFixtures.delhiveryPull.utf8))
        #expect(updates.count == 1)
        let update = try #require(updates.first)
        #expect(update.awb == "26805710004060")
        #expect(update.reference == "2237")
        #expect(update.status == .delivered)
        #expect(update.occurredAt == Self.ist("2024-09-20T15:41:19.002"))
        #expect(update.ndr == nil)
        // The current status repeats the last scan: kept once.
        #expect(update.scans.map(\.code) == ["X-DDD3FD", "EOD-11", "EOD-38"])
        #expect(update.scans.map(\.status) == [.outForDelivery, .undelivered, .delivered])
        #expect(update.scans[1].label == "Consignee Unavailable")
        // Applied in order to a shipment with its label printed, the history ends delivered.
        var current = ShipmentStatus.ready
        for scan in update.scans {
            if case .move(let next, _) = TrackingProgress.decide(current: current, incoming: scan.status) { current = next }
        }
        #expect(current == .delivered)
        // Undelivered in pull tracking: the dispatch count is the attempt.
        let pending = Self.replacing(#""Status":"Delivered","StatusLocation""#, with: #""Status":"Pending","StatusLocation""#, in: TrackingFixtures.delhiveryPull)
        let undelivered = Self.replacing(#""StatusType":"DL","Instructions":"Delivered to consignee""#,
                                         with: #""StatusType":"UD","Instructions":"Consignee Unavailable""#, in: pending)
        let ndr = try #require(try DelhiveryTracking.decodePull(body: Array(undelivered.utf8)).first)
        #expect(ndr.status == .undelivered)
        #expect(ndr.ndr == TrackingUpdate.NDR(reason: .customerUnavailable, attempt: 1, code: "EOD-38", text: "Consignee Unavailable"))
    }

    // MARK: NDR

    @Test func ndrReasonsFromCodesAndTexts() {
        let cases: [(String?, String?, NDRReason)] = [
            ("EOD-11", "Consignee Unavailable", .customerUnavailable),
            (nil, "Customer Asked For Future Delivery", .rescheduleRequested),  // Shiprocket's NDR list [V]
            ("EOD-6", nil, .refused), ("EOD-3", nil, .rescheduleRequested), ("EOD-74", nil, .addressIssue),
            ("EOD-104", nil, .addressIssue), ("DLYDC-132", nil, .outOfDeliveryArea), ("EOD-40", nil, .codNotReady),
            ("eod-11", nil, .customerUnavailable), ("EOD-69", nil, .other), ("ST-108", nil, .other),
            (nil, "Customer Refused to Accept", .refused), (nil, "Customer doesn't want the product", .refused),
            (nil, "The Buyer does not want the product", .refused), (nil, "Cash Not Ready", .codNotReady),
            (nil, "COD amount not ready", .codNotReady), (nil, "Address Incomplete/Incorrect", .addressIssue),
            (nil, "Wrong pincode", .addressIssue), (nil, "Out Of Delivery Area", .outOfDeliveryArea), (nil, "ODA location", .outOfDeliveryArea),
            (nil, "Customer Not Available/Contactable", .customerUnavailable), (nil, "Door locked", .customerUnavailable),
            (nil, "Customer not reachable", .customerUnavailable), (nil, "Reschedule requested by customer", .rescheduleRequested),
            (nil, "Customer Asked For Open Delivery", .other), (nil, "Kodak moment", .other), (nil, nil, .other), ("EOD-999", "Pending", .other),
            // The text (this attempt's words) outranks a code's third-party meaning; a silent text falls back to the code.
            ("EOD-11", "Customer refused", .refused), ("EOD-74", "Pending", .addressIssue),
        ]
        for (code, text, expected) in cases {
            #expect(NDRReason.normalise(code: code, text: text) == expected, "\(code ?? "-") \(text ?? "-")")
        }
    }

    @Test func ndrPolicyReattemptsThenReturns() {
        typealias D = NDRPolicy.Decision
        let cases: [(Int, NDRReason, Int, D)] = [
            (1, .customerUnavailable, 3, .reattempt(attempt: 2)), (2, .addressIssue, 3, .reattempt(attempt: 3)),
            (3, .customerUnavailable, 3, .returnToOrigin(.attemptsExhausted)), (4, .other, 3, .returnToOrigin(.attemptsExhausted)),
            (1, .refused, 3, .returnToOrigin(.refused)), (3, .refused, 3, .returnToOrigin(.refused)),
            (1, .outOfDeliveryArea, 3, .reattempt(attempt: 2)), (0, .other, 3, .reattempt(attempt: 2)), (-5, .other, 3, .reattempt(attempt: 2)),
            (1, .codNotReady, 1, .returnToOrigin(.attemptsExhausted)), (1, .other, 0, .returnToOrigin(.attemptsExhausted)),
            (3, .rescheduleRequested, 5, .reattempt(attempt: 4)),
        ]
        for (attempts, reason, max, expected) in cases {
            #expect(NDRPolicy.next(attempts: attempts, reason: reason, maxAttempts: max) == expected, "\(attempts) \(reason) \(max)")
        }
        #expect(NDRPolicy.next(attempts: 2, reason: .other) == .reattempt(attempt: 3))
        #expect(NDRPolicy.next(attempts: 3, reason: .other) == .returnToOrigin(.attemptsExhausted))
    }
}
