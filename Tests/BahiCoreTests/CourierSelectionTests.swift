import Testing
import BahiCore
import BahiJSON

/// Which couriers are offered and why the others are left out, with every fact handed in;
/// and the serviceability files (our CSV, Delhivery's JSON) read row by row.
@Suite struct CourierSelectionTests {
    static func courier(_ code: String, active: Bool = true, cod: Bool = true, maxWeightG: Int64 = 10_000, capacity: Int64? = nil,
                        first: Int64 = 5000, mode: CourierFields.Mode = .surface) -> Courier {
        var card = CourierQuoteTests.card
        card.zones[.e] = .init(firstPaise: first, additionalPaise: 1000)
        var fields = CourierFields(name: code, provider: .manual, mode: mode, maxWeightG: maxWeightG, rateCard: card)
        fields.active = active
        fields.cod = cod
        fields.dailyPickupCapacity = capacity
        return Courier(code: code, fields: fields, version: 1, createdAt: 0, updatedAt: 0)
    }

    static let from = "395003", to = "781001"

    /// Both ends served fully unless changed.
    static func ends(from: PincodeService? = PincodeService(pincode: from, prepaid: true, cod: true, pickup: true),
                     to: PincodeService? = PincodeService(pincode: to, prepaid: true, cod: true, pickup: true)) -> CourierSelection.Ends {
        CourierSelection.Ends(origin: from, destination: to)
    }

    static func select(_ couriers: [Courier], _ ends: [String: CourierSelection.Ends], cod: Bool = false, weight: Int64 = 700,
                       booked: [String: Int64] = [:]) throws -> CourierSelection.Result {
        let parcel = Parcel(weightG: weight, lengthMM: 300, widthMM: 250, heightMM: 40, cod: cod, valuePaise: 149_900)
        return CourierSelection.select(couriers: couriers, origin: try CourierQuoteTests.place(from), destination: try CourierQuoteTests.place(to),
                                       parcel: parcel, ends: ends, bookedToday: booked)
    }

    @Test func offersAreCheapestFirstThenFasterThenByCode() throws {
        let result = try Self.select(
            [Self.courier("zeta", first: 4000), Self.courier("alpha", first: 6000), Self.courier("beta", first: 4000, mode: .air), Self.courier("gamma", first: 4000)],
            ["zeta": Self.ends(), "alpha": Self.ends(), "beta": Self.ends(), "gamma": Self.ends()])
        // beta, gamma and zeta cost the same; beta flies (4 days to E against 7), gamma before zeta by code.
        #expect(result.offers.map(\.courier) == ["beta", "gamma", "zeta", "alpha"])
        #expect(result.offers.map(\.expectedDays) == [4, 7, 7, 7])
        #expect(result.exclusions.isEmpty)
        // 700 g in zone E on the first card: 2 slabs, 4000 + 1000 = 5000 freight.
        #expect(result.offers[0].quote.freightPaise == 5000)
    }

    @Test func everyReasonInItsOrder() throws {
        let served = PincodeService(pincode: Self.to, prepaid: true, cod: true, pickup: false)
        let result = try Self.select(
            [Self.courier("inactive", active: false), Self.courier("no-row"), Self.courier("no-pickup"), Self.courier("no-prepaid"),
             Self.courier("embargo"), Self.courier("no-cod-here"), Self.courier("no-cod-at-all", cod: false), Self.courier("light", maxWeightG: 600),
             Self.courier("full", capacity: 10), Self.courier("spare", capacity: 11), Self.courier("fine")],
            ["inactive": Self.ends(to: nil),
             "no-row": Self.ends(to: nil),
             "no-pickup": Self.ends(from: PincodeService(pincode: Self.from, prepaid: true, cod: true, pickup: false)),
             "no-prepaid": Self.ends(to: PincodeService(pincode: Self.to, prepaid: false, cod: false, pickup: true)),
             "embargo": Self.ends(to: PincodeService(pincode: Self.to, prepaid: true, cod: false, pickup: true, embargo: true)),
             "no-cod-here": Self.ends(to: PincodeService(pincode: Self.to, prepaid: true, cod: false, pickup: true)),
             "no-cod-at-all": Self.ends(to: served), "light": Self.ends(to: served), "full": Self.ends(to: served), "spare": Self.ends(to: served),
             "fine": Self.ends(to: served)],
            cod: true, booked: ["full": 10, "spare": 10])
        let reasons = Dictionary(uniqueKeysWithValues: result.exclusions.map { ($0.courier, $0.reason) })
        #expect(reasons == [
            "inactive": .inactive, "no-row": .notServiceable, "no-pickup": .notServiceable, "no-prepaid": .notServiceable,
            // Embargoed and no COD: the embargo is named, it comes first.
            "embargo": .embargo, "no-cod-here": .codNotAvailable, "no-cod-at-all": .codNotAvailable,
            // 700 g dead against 600 g allowed.
            "light": .overweight, "full": .pickupCapacityFull,
        ])
        #expect(result.exclusions.map(\.courier) == result.exclusions.map(\.courier).sorted())
        #expect(result.offers.map(\.courier) == ["fine", "spare"] || result.offers.map(\.courier) == ["spare", "fine"])
    }

    @Test func aPrepaidParcelNeedsPrepaidDeliveryAndACODParcelCOD() throws {
        let codOnly = Self.ends(to: PincodeService(pincode: Self.to, prepaid: false, cod: true, pickup: false))
        #expect(try Self.select([Self.courier("c")], ["c": codOnly]).exclusions.map(\.reason) == [.notServiceable])
        #expect(try Self.select([Self.courier("c")], ["c": codOnly], cod: true).offers.count == 1)
    }

    @Test func volumetricWeightCountsAgainstTheLimit() throws {
        // 300 × 250 × 40 ÷ 5000 = 600 g volumetric; a 100 g parcel still exceeds a 500 g limit.
        #expect(try Self.select([Self.courier("c", maxWeightG: 500)], ["c": Self.ends()], weight: 100).exclusions.map(\.reason) == [.overweight])
        #expect(try Self.select([Self.courier("c", maxWeightG: 600)], ["c": Self.ends()], weight: 100).offers.count == 1)
    }

    // MARK: serviceability files

    @Test func csvRowsAreReadAndBadOnesReported() throws {
        let csv = """
            pincode,prepaid,cod,pickup,oda,embargo
            395003,Y,Y,Y,N,N
            781001,Y,n,N,Y,N
            12345,Y,Y,Y,N,N
            560001,Y,maybe,Y,N,N
            400001,Y,Y,Y,N,Y

            400001,Y,Y,Y,N,N
            110001,Y,Y
            """
        let file = try ServiceabilityFile.csv(Array(csv.utf8))
        #expect(file.rows == 7)
        #expect(file.services == [PincodeService(pincode: "395003", prepaid: true, cod: true, pickup: true),
                                  PincodeService(pincode: "781001", prepaid: true, cod: false, pickup: false, oda: true)])
        #expect(file.errors.map { "\($0.row):\($0.code)" } == ["4:invalid_pincode", "5:invalid_flag", "6:duplicate_row", "8:duplicate_row", "9:wrong_field_count"])
    }

    @Test func aCSVWithoutItsColumnsIsRefusedWhole() {
        #expect(throws: DomainError.self) { try ServiceabilityFile.csv(Array("pincode,prepaid,cod\n395003,Y,Y\n".utf8)) }
        let withExtraColumn = try? ServiceabilityFile.csv(Array("pincode,prepaid,cod,pickup,oda,embargo,extra\n".utf8))
        #expect(withExtraColumn == nil)
        do {
            _ = try ServiceabilityFile.csv(Array("pincode,prepaid\n".utf8))
        } catch let error as DomainError {
            #expect(error.code == .invalidHeader)
            #expect(error.problems.map(\.field) == ["cod", "pickup", "oda", "embargo"])
        } catch {
            Issue.record("unexpected \(error)")
        }
        do {
            _ = try ServiceabilityFile.csv(Array("pincode,prepaid,cod,pickup,oda,embargo\n\"395003,Y,Y,Y,N,N\n".utf8))
            Issue.record("an unterminated quote was read")
        } catch let error as DomainError {
            #expect(error.code == .invalidCSV)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func delhiveryJSONIsRead() throws {
        // The published sample (made valid JSON): cod "N" while cash "Y" — `cod` is the flag read.
        let json = #"""
            {"delivery_codes": [
              {"postal_code": {"city": "Mumbai", "cod": "N", "inc": "Mumbai MIDC (Maharashtra)", "district": "Mumbai", "pin": 400064, "max_amount": 0.0,
                               "pre_paid": "Y", "cash": "Y", "state_code": "MH", "max_weight": 0.0, "pickup": "N", "repl": "Y", "covid_zone": null,
                               "country_code": "IN", "is_oda": "N", "remarks": ""}},
              {"postal_code": {"pin": "781001", "pre_paid": "Y", "cod": "Y", "pickup": "Y", "is_oda": "Y", "remarks": "Embargo"}},
              {"postal_code": {"pin": "560001", "pre_paid": "Y", "cod": "Y", "pickup": "Y"}},
              {"postal_code": {"pin": 12, "pre_paid": "Y", "cod": "Y", "pickup": "Y"}},
              {"postal_code": {"pin": "110001", "pre_paid": "yes", "cod": "Y", "pickup": "Y"}},
              {"pin": "110002"}
            ]}
            """#
        let file = try ServiceabilityFile.delhivery(try JSONParser.parse(json))
        #expect(file.format == .delhiveryJSON)
        #expect(file.rows == 6)
        #expect(file.services == [
            PincodeService(pincode: "400064", prepaid: true, cod: false, pickup: false),
            PincodeService(pincode: "781001", prepaid: true, cod: true, pickup: true, oda: true, embargo: true),
            PincodeService(pincode: "560001", prepaid: true, cod: true, pickup: true),
        ])
        #expect(file.errors.map { "\($0.row):\($0.code)" } == ["4:invalid_pincode", "5:invalid_flag", "6:invalid_entry"])
        // An empty list: the courier serves nowhere.
        #expect(try ServiceabilityFile.delhivery(try JSONParser.parse(#"{"delivery_codes":[]}"#)).services.isEmpty)
        #expect(throws: DomainError.self) { try ServiceabilityFile.delhivery(try JSONParser.parse(#"{"codes":[]}"#)) }
    }
}
