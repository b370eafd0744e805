import Foundation
import Testing
import BahiCore

/// The embedded India Post directory against data/india-pincodes.csv, plus states, metros and
/// courier zones.
@Suite struct PincodeDirectoryTests {
    /// One CSV row, as written.
    struct CSVRow {
        let pincode: String
        let state: String
        let district: String
    }

    /// data/india-pincodes.csv at the repository root, read fresh (so a stale generated
    /// PincodeData.swift fails the comparison tests).
    static func csvRows() throws -> [CSVRow] {
        let root = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        let text = try String(contentsOfFile: "/" + root + "/data/india-pincodes.csv", encoding: .utf8)
        var lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        #expect(lines.first == "pincode,state,district")
        lines.removeFirst()
        return lines.map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return CSVRow(
                pincode: fields[0],
                state: fields.count > 1 ? fields[1] : "",
                district: fields.count > 2 ? fields[2] : ""
            )
        }
    }

    @Test func directoryHoldsEveryRowOfTheCSV() throws {
        let rows = try Self.csvRows()
        #expect(rows.count == 19_586)
        #expect(PincodeDirectory.count == 19_586)
        #expect(PincodeDirectory.attribution.contains("GODL-India"))
        #expect(PincodeDirectory.attribution.contains("India Post"))
    }

    @Test func everyCSVRowLooksUpToItsStateAndDistrict() throws {
        var inferred = 0
        for row in try Self.csvRows() {
            guard let info = PincodeDirectory.lookup(row.pincode) else {
                Issue.record("\(row.pincode) not found")
                continue
            }
            #expect(info.pincode == row.pincode)
            #expect(info.district == row.district, "\(row.pincode)")
            if row.state.isEmpty {
                inferred += 1
                #expect(info.isStateInferred, "\(row.pincode)")
            } else {
                #expect(!info.isStateInferred, "\(row.pincode)")
                #expect(info.state == row.state, "\(row.pincode)")
                #expect(IndianState(name: row.state) == info.stateCode, "\(row.pincode) \(row.state)")
            }
        }
        // The source leaves 82 states blank; each was filled from its sorting district.
        #expect(inferred == 82)
    }

    @Test func everyStateSpellingInTheCSVMapsAndCoversAllStates() throws {
        let spellings = Set(try Self.csvRows().map(\.state)).subtracting([""])
        var states = Set<IndianState>()
        for spelling in spellings {
            let state = IndianState(name: spelling)
            #expect(state != nil, "\(spelling)")
            if let state { states.insert(state) }
        }
        #expect(spellings.count == 36)
        #expect(states == Set(IndianState.allCases))
    }

    @Test(arguments: [
        ("110001", IndianState.delhi, "DELHI", "NEW DELHI"),
        ("395003", .gujarat, "GUJARAT", "SURAT"),
        ("452001", .madhyaPradesh, "MADHYA PRADESH", "INDORE"),
        ("302001", .rajasthan, "RAJASTHAN", "JAIPUR"),
        ("682001", .kerala, "KERALA", "ERNAKULAM"),
        ("396210", .dadraAndNagarHaveliAndDamanAndDiu, "THE DADRA AND NAGAR HAVELI AND DAMAN AND DIU", "DAMAN"),
        ("194101", .ladakh, "LADAKH", "LEH LADAKH"),
    ])
    func knownPincodes(pincode: String, state: IndianState, spelling: String, district: String) throws {
        let info = try #require(PincodeDirectory.lookup(pincode))
        #expect(info.stateCode == state)
        #expect(info.state == spelling)
        #expect(info.district == district)
        #expect(!info.isStateInferred)
    }

    @Test(arguments: [
        ("504314", IndianState.telangana),  // 504313 and 504323 are Telangana
        ("605012", .puducherry),            // between 605011 and 605013, Puducherry
        ("682053", .kerala),                // after 682052, Ernakulam
        ("781041", .assam),                 // after 781040, Kamrup Metro
        ("400111", .maharashtra),
        ("380010", .gujarat),
    ])
    func blankStatesAreFilledFromTheSortingDistrict(pincode: String, state: IndianState) throws {
        let info = try #require(PincodeDirectory.lookup(pincode))
        #expect(info.stateCode == state)
        #expect(info.isStateInferred)
        #expect(info.district == "")
    }

    @Test(arguments: [
        "", "11000", "1100011", "011000", "000000", "11000a", " 110001", "110001 ", "110 001",
        "+11000", "-11000", "１１０００１", "११०००१", "11000١", "110001\n", "1.0001",
    ])
    func malformedPincodesAreRejected(pincode: String) {
        #expect(!PincodeDirectory.isWellFormed(pincode))
        #expect(PincodeDirectory.lookup(pincode) == nil)
    }

    @Test(arguments: ["100000", "110000", "123456", "999999"])
    func wellFormedButUnknownPincodesAreNil(pincode: String) {
        #expect(PincodeDirectory.isWellFormed(pincode))
        #expect(PincodeDirectory.lookup(pincode) == nil)
    }

    @Test func gstCodesAreUniqueAndOfficial() {
        #expect(IndianState.allCases.count == 36)
        let codes = IndianState.allCases.map(\.gstCode)
        #expect(Set(codes).count == 36)
        #expect(codes.allSatisfy { $0.utf8.count == 2 && $0.utf8.allSatisfy { (48...57).contains($0) } })
        let expected: [(IndianState, String)] = [
            (.jammuAndKashmir, "01"), (.delhi, "07"), (.rajasthan, "08"), (.uttarPradesh, "09"),
            (.westBengal, "19"), (.madhyaPradesh, "23"), (.gujarat, "24"),
            (.dadraAndNagarHaveliAndDamanAndDiu, "26"), (.maharashtra, "27"), (.karnataka, "29"),
            (.kerala, "32"), (.tamilNadu, "33"), (.telangana, "36"), (.andhraPradesh, "37"), (.ladakh, "38"),
        ]
        for (state, code) in expected {
            #expect(state.gstCode == code, "\(state)")
            #expect(IndianState(gstCode: code) == state)
        }
        for retired in ["25", "28", "97", "99", "00", "7", ""] {
            #expect(IndianState(gstCode: retired) == nil, "\(retired)")
        }
    }

    @Test func stateNamesAcceptCommonSpellings() {
        for state in IndianState.allCases {
            #expect(IndianState(name: state.name) == state)
            #expect(IndianState(name: state.name.uppercased()) == state)
        }
        let spellings: [(String, IndianState)] = [
            ("tamilnadu", .tamilNadu), ("  Gujarat ", .gujarat), ("Orissa", .odisha),
            ("Pondicherry", .puducherry), ("Jammu & Kashmir", .jammuAndKashmir), ("J&K", .jammuAndKashmir),
            ("NCT of Delhi", .delhi), ("New Delhi", .delhi), ("Uttaranchal", .uttarakhand),
            ("Chattisgarh", .chhattisgarh), ("Andaman & Nicobar Islands", .andamanAndNicobarIslands),
            ("Daman and Diu", .dadraAndNagarHaveliAndDamanAndDiu),
            ("THE DADRA AND NAGAR HAVELI AND DAMAN AND DIU", .dadraAndNagarHaveliAndDamanAndDiu),
            ("west-bengal", .westBengal),
        ]
        for (spelling, state) in spellings {
            #expect(IndianState(name: spelling) == state, "\(spelling)")
        }
        for unknown in ["", "  ", "The", "MH", "Andhra", "Bombay", "तमिलनाडु", "Tamil Nadu India"] {
            #expect(IndianState(name: unknown) == nil, "\(unknown)")
        }
    }

    @Test func northEastAndSpecialStates() {
        let special = Set(IndianState.allCases.filter(\.isNorthEastOrSpecial))
        #expect(special == [
            .arunachalPradesh, .assam, .manipur, .meghalaya, .mizoram, .nagaland, .sikkim, .tripura,
            .jammuAndKashmir, .ladakh, .andamanAndNicobarIslands, .lakshadweep,
        ])
    }

    @Test func metroRuleMatchesTheDirectory() throws {
        let metros: [(String, MetroCity?)] = [
            ("110001", .delhi), ("110002", .delhi), ("110025", .delhi),
            ("400001", .mumbai), ("400050", .mumbai), ("700001", .kolkata), ("600001", .chennai),
            ("560001", .bengaluru), ("560300", .bengaluru), ("500001", .hyderabad), ("500003", .hyderabad),
            ("400601", nil), ("562110", nil), ("711101", nil), ("201301", nil), ("122001", nil),
            ("395003", nil), ("781001", nil),
        ]
        for (pincode, metro) in metros {
            let info = try #require(PincodeDirectory.lookup(pincode))
            #expect(info.metroCity == metro, "\(pincode)")
            #expect(PincodeDirectory.isMetro(district: info.district, in: info.stateCode) == (metro != nil))
        }
        // Every metro has pincodes in the directory under the rule's district names.
        var found = Set<MetroCity>()
        for row in try Self.csvRows() {
            if let metro = PincodeDirectory.lookup(row.pincode)?.metroCity { found.insert(metro) }
        }
        #expect(found == Set(MetroCity.allCases))
        // The state matters: district names repeat across states.
        #expect(PincodeDirectory.isMetro(district: "Mumbai", in: .maharashtra))
        #expect(PincodeDirectory.isMetro(district: "bangalore urban", in: .karnataka))
        #expect(!PincodeDirectory.isMetro(district: "Hyderabad", in: .andhraPradesh))
        #expect(!PincodeDirectory.isMetro(district: "", in: .maharashtra))
        for metro in MetroCity.allCases {
            #expect(!metro.name.isEmpty)
            #expect(PincodeDirectory.isMetro(district: metro.name, in: metro.state))
        }
    }

    @Test(arguments: [
        ("110001", "110002", CourierZone.a),  // New Delhi to Central Delhi: one metro
        ("400001", "400050", .a),             // Mumbai to Mumbai Suburban
        ("395003", "395007", .a),             // both Surat
        ("781001", "781005", .a),             // across Guwahati: A even in a zone-E state
        ("380001", "395003", .b),             // Ahmedabad to Surat
        ("400601", "400001", .b),             // Thane is not Mumbai
        ("400111", "400113", .b),             // blank districts are never "same district"
        ("110001", "400001", .c),             // Delhi to Mumbai
        ("560001", "600001", .c),             // Bengaluru to Chennai
        ("700001", "500001", .c),             // Kolkata to Hyderabad
        ("452001", "302001", .d),             // Indore to Jaipur
        ("110001", "452001", .d),             // metro to non-metro
        ("201301", "122001", .d),             // Noida to Gurugram: neither is Delhi
        ("804409", "423701", .d),             // Aurangabad (Bihar) to Aurangabad (Maharashtra)
        ("110001", "781001", .e),             // Delhi to Guwahati
        ("190001", "110001", .e),             // Srinagar
        ("194101", "400001", .e),             // Leh
        ("744101", "600001", .e),             // Port Blair
        ("682551", "682001", .e),             // Lakshadweep to Kochi
        ("737101", "781001", .e),             // Gangtok to Guwahati
        ("781001", "781041", .e),             // Guwahati to an inferred Assam pincode without a district
    ])
    func courierZones(origin: String, destination: String, zone: CourierZone) throws {
        let from = try #require(PincodeDirectory.lookup(origin))
        let to = try #require(PincodeDirectory.lookup(destination))
        #expect(CourierZone.between(origin: from, destination: to) == zone)
        #expect(CourierZone.between(origin: to, destination: from) == zone)
    }

    @Test func sameDistrictNeedsSameState() {
        let bihar = PincodeInfo(pincode: "824101", state: "BIHAR", district: "AURANGABAD", stateCode: .bihar)
        let maharashtra = PincodeInfo(pincode: "431001", state: "MAHARASHTRA", district: "Aurangabad", stateCode: .maharashtra)
        #expect(CourierZone.between(origin: bihar, destination: maharashtra) == .d)
        let alsoMaharashtra = PincodeInfo(pincode: "431005", state: "MAHARASHTRA", district: "AURANGABAD", stateCode: .maharashtra)
        #expect(CourierZone.between(origin: alsoMaharashtra, destination: maharashtra) == .a)
    }

    @Test func concurrentFirstUseIsSafe() async {
        await withTaskGroup(of: Bool.self) { group in
            for pincode in ["110001", "395003", "452001", "302001", "682001", "560001", "700001", "600001"] {
                group.addTask { PincodeDirectory.lookup(pincode) != nil }
            }
            for await found in group {
                #expect(found)
            }
        }
    }
}
