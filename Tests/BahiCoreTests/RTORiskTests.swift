import Testing
import BahiCore
import BahiJSON

@Suite struct RTORiskTests {
    /// A good address: 29 non-space characters, a house number and a landmark.
    static let goodAddress = AddressLines(line1: "Flat 402, Shanti Apartments", line2: "Adajan", landmark: "Opp. Star Bazaar", city: "Surat")

    /// A COD order from a buyer with one clean delivery, to a quiet pincode, at noon, for ₹999:
    /// every factor neutral except `returning_customer`.
    func input(cod: Bool = true, value: Int64 = 99_900, previous: Int = 1, rtos: Int = 0, cancellations: Int = 0,
               deliveries: Int? = nil, pincodeOrders: Int = 0, pincodeRTOs: Int = 0,
               address: AddressLines = goodAddress, hour: Int = 12) -> RTORiskInput {
        RTORiskInput(isCOD: cod, orderValuePaise: value, customerPreviousOrders: previous, phoneRTOs: rtos,
                     phoneCancellations: cancellations, phoneDeliveries: deliveries, pincodeOrders: pincodeOrders,
                     pincodeRTOs: pincodeRTOs, address: address, hourOfDay: hour)
    }

    func codes(_ risk: RTORisk) -> [String] { risk.reasons.map(\.code) }
    func points(_ risk: RTORisk, _ code: String) -> Int? { risk.reasons.first { $0.code == code }?.points }

    @Test func prepaidScoresZeroWithNoReasons() {
        let risky = input(cod: false, value: 5_000_000, previous: 0, rtos: 9, cancellations: 9, pincodeOrders: 10,
                          pincodeRTOs: 10, address: AddressLines(line1: "x"), hour: 3)
        #expect(RTORiskScorer.score(risky) == RTORisk(score: 0, reasons: []))
    }

    @Test func returningCustomerLowersTheScoreButNeverBelowZero() {
        let risk = RTORiskScorer.score(input())
        #expect(codes(risk) == ["returning_customer"])
        #expect(points(risk, "returning_customer") == -10)
        #expect(risk.score == 0)
        // Against other factors the −10 counts: night (+10) and no landmark (+10) − 10 = 10.
        let night = RTORiskScorer.score(input(address: AddressLines(line1: "Flat 402, Shanti Apartments"), hour: 2))
        #expect(night.score == 10)
    }

    @Test func returningNeedsADelivery() {
        // Two earlier orders, one RTO and one cancelled: nothing delivered, no credit.
        let risk = RTORiskScorer.score(input(previous: 2, rtos: 1, cancellations: 1))
        #expect(!codes(risk).contains("returning_customer"))
        #expect(risk.score == 25 + 10)
        // The caller's own delivered count wins over the estimate.
        #expect(!codes(RTORiskScorer.score(input(previous: 3, deliveries: 0))).contains("returning_customer"))
        #expect(codes(RTORiskScorer.score(input(previous: 2, rtos: 1, cancellations: 1, deliveries: 1))).contains("returning_customer"))
    }

    @Test func newCustomer() {
        let risk = RTORiskScorer.score(input(previous: 0))
        #expect(codes(risk) == ["new_customer"])
        #expect(risk.score == 15)
    }

    @Test func phoneRTOHistoryIs25EachCappedAt50() {
        #expect(points(RTORiskScorer.score(input(previous: 5, rtos: 1)), "phone_rto_history") == 25)
        #expect(points(RTORiskScorer.score(input(previous: 5, rtos: 2)), "phone_rto_history") == 50)
        #expect(points(RTORiskScorer.score(input(previous: 9, rtos: 7)), "phone_rto_history") == 50)
        #expect(points(RTORiskScorer.score(input(previous: 9, rtos: .max)), "phone_rto_history") == 50)
    }

    @Test func cancellationsAre10EachCappedAt20() {
        #expect(points(RTORiskScorer.score(input(previous: 5, cancellations: 1)), "phone_cancellations") == 10)
        #expect(points(RTORiskScorer.score(input(previous: 5, cancellations: 2)), "phone_cancellations") == 20)
        #expect(points(RTORiskScorer.score(input(previous: 5, cancellations: 4)), "phone_cancellations") == 20)
    }

    @Test func pincodeRTORate() {
        func pin(_ orders: Int, _ rtos: Int) -> Int? { points(RTORiskScorer.score(input(pincodeOrders: orders, pincodeRTOs: rtos)), "pincode_rto_rate") }
        #expect(pin(4, 4) == nil)      // too few orders to judge
        #expect(pin(5, 0) == nil)
        #expect(pin(10, 1) == nil)     // 10 %
        #expect(pin(5, 1) == 15)       // exactly 20 %
        #expect(pin(100, 39) == 15)    // 39 %
        #expect(pin(5, 2) == 25)       // exactly 40 %
        #expect(pin(10, 10) == 25)
        #expect(pin(10, 50) == 25)     // more RTOs than orders is read as all of them
        let reason = RTORiskScorer.score(input(pincodeOrders: 10, pincodeRTOs: 3)).reasons.first { $0.code == "pincode_rto_rate" }
        #expect(reason?.message == "30 % of 10 earlier orders to this pincode returned to origin.")
    }

    @Test func highValue() {
        #expect(points(RTORiskScorer.score(input(value: 500_000)), "high_value") == nil)   // ₹5,000 is not above
        #expect(points(RTORiskScorer.score(input(value: 500_001)), "high_value") == 10)
        #expect(points(RTORiskScorer.score(input(value: 1_500_000)), "high_value") == 10)
        #expect(points(RTORiskScorer.score(input(value: 1_500_001)), "high_value") == 20)
    }

    @Test func nightOrders() {
        for hour in 0...5 { #expect(points(RTORiskScorer.score(input(hour: hour)), "night_order") == 10) }
        for hour in 6...23 { #expect(points(RTORiskScorer.score(input(hour: hour)), "night_order") == nil) }
    }

    @Test func addressIssuesAreTenEach() {
        let bare = AddressLines(line1: "Ram Nagar")
        #expect(AddressQuality.issues(bare).map(\.code) == ["address_too_short", "no_house_number", "no_landmark"])
        #expect(AddressQuality.issues(bare).allSatisfy { $0.points == 10 })
        let risk = RTORiskScorer.score(input(previous: 0, address: bare))
        #expect(risk.score == 15 + 30)
    }

    @Test func addressQualityRules() {
        // 15 non-space characters across both lines (8 + 7) is enough; spaces do not count.
        #expect(!AddressQuality.issues(AddressLines(line1: "12 Ganesh", line2: "Nagar 12", landmark: "x")).contains { $0.code == "address_too_short" })
        #expect(AddressQuality.issues(AddressLines(line1: "12 Ganesh      ", line2: "Nagr", landmark: "x")).map(\.code) == ["address_too_short"])
        // The digit may be in line 2, and in any script.
        #expect(!AddressQuality.issues(AddressLines(line1: "Shanti Apartments", line2: "Plot 7")).contains { $0.code == "no_house_number" })
        #expect(!AddressQuality.issues(AddressLines(line1: "मकान १२, गांधी मार्ग, इंदौर")).contains { $0.code == "no_house_number" })
        // A landmark written into the lines counts; a blank landmark field does not.
        #expect(!AddressQuality.issues(AddressLines(line1: "Flat 4, Shanti Apartments", line2: "Near Ram Mandir")).contains { $0.code == "no_landmark" })
        #expect(!AddressQuality.issues(AddressLines(line1: "Flat 4, Opp. SBI, Shanti Apts")).contains { $0.code == "no_landmark" })
        #expect(AddressQuality.issues(AddressLines(line1: "Flat 4, Shanti Apartments", landmark: "   ")).map(\.code) == ["no_landmark"])
        // "Nearby" is not the word "near".
        #expect(AddressQuality.issues(AddressLines(line1: "Flat 4, Nearby Towers, MG Road")).map(\.code) == ["no_landmark"])
    }

    @Test func everythingAtOnceClampsTo100() {
        let risk = RTORiskScorer.score(input(value: 2_000_000, previous: 4, rtos: 3, cancellations: 1, pincodeOrders: 10,
                                             pincodeRTOs: 5, address: AddressLines(line1: "x"), hour: 1))
        // 50 + 10 + 25 + 30 + 20 + 10 = 145, no delivery left to credit → 100.
        #expect(codes(risk) == ["phone_rto_history", "phone_cancellations", "pincode_rto_rate", "address_too_short",
                                "no_house_number", "no_landmark", "high_value", "night_order"])
        #expect(risk.reasons.reduce(0) { $0 + $1.points } == 145)
        #expect(risk.score == 100)
    }

    @Test func json() {
        let risk = RTORiskScorer.score(input(previous: 0))
        let text = String(decoding: risk.json.encoded(), as: UTF8.self)
        #expect(text == #"{"score":15,"reasons":[{"code":"new_customer","points":15,"message":"First order from this phone number."}]}"#)
    }

    @Test func hourOfDayIsIST() {
        // 2025-11-22T00:00:00Z = 1763769600000 → 05:30 IST.
        #expect(RTORiskScorer.hourOfDay(milliseconds: 1_763_769_600_000) == 5)
        // 18:29:59.999Z is 23:59 IST; 18:30Z is midnight IST.
        #expect(RTORiskScorer.hourOfDay(milliseconds: 1_763_769_600_000 + 18 * 3_600_000 + 29 * 60_000 + 59_999) == 23)
        #expect(RTORiskScorer.hourOfDay(milliseconds: 1_763_769_600_000 + 18 * 3_600_000 + 30 * 60_000) == 0)
        #expect(RTORiskScorer.hourOfDay(milliseconds: 0) == 5)
        // Before 1970: 1969-12-31T20:00Z = 01:30 IST.
        #expect(RTORiskScorer.hourOfDay(milliseconds: -4 * 3_600_000) == 1)
        #expect((0...23).contains(RTORiskScorer.hourOfDay(milliseconds: .max)))
        #expect((0...23).contains(RTORiskScorer.hourOfDay(milliseconds: .min)))
    }
}
