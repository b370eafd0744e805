import Testing
import BahiCore

@Suite struct AllocationPlannerTests {
    static func pin(_ code: String) -> PincodeInfo? { PincodeDirectory.lookup(code) }

    // Surat, Ahmedabad (Gujarat), Indore (MP), Jaipur (RJ), Kochi (KL), Mumbai, New Delhi,
    // Bengaluru (metros), Guwahati (Assam, zone E).
    static let surat = LocationCandidate(code: "SRT", priority: 50, pincode: pin("395003"), available: ["TEE": 1])
    static let ahmedabad = LocationCandidate(code: "AMD", priority: 40, pincode: pin("380001"), available: ["TEE": 5, "MUG": 5])
    static let indore = LocationCandidate(code: "IDR", priority: 10, pincode: pin("452001"), available: ["TEE": 9, "MUG": 9])
    static let jaipur = LocationCandidate(code: "JAI", priority: 10, pincode: pin("302001"), available: [:])
    static let kochi = LocationCandidate(code: "COK", priority: 30, pincode: pin("682001"), available: ["MUG": 3])
    static let mumbai = LocationCandidate(code: "MUM", priority: 20, pincode: pin("400001"), available: ["TEE": 2])
    static let delhi = LocationCandidate(code: "DEL", priority: 5, pincode: pin("110001"), available: ["TEE": 1, "MUG": 1])
    static let bengaluru = LocationCandidate(code: "BLR", priority: 60, pincode: pin("560001"))
    static let guwahati = LocationCandidate(code: "GHY", priority: 1, pincode: pin("781001"), available: ["TEE": 9, "MUG": 9])
    static let nowhere = LocationCandidate(code: "POP", priority: 0, pincode: nil, available: ["TEE": 9, "MUG": 9])

    static let all = [surat, ahmedabad, indore, jaipur, kochi, mumbai, delhi, guwahati, nowhere]

    @Test func pincodesUsedHereAreInTheDirectory() {
        for code in ["395003", "395007", "380001", "452001", "302001", "682001", "400001", "110001", "560001", "781001", "785001"] {
            #expect(Self.pin(code) != nil, "\(code)")
        }
    }

    @Test func priorityOrderIsPriorityThenCode() {
        let order = AllocationPlanner.rank(Self.all, needs: ["TEE": 1], destination: Self.pin("395007"), strategy: .priority)
        // 0 POP, 1 GHY, 5 DEL, 10 IDR and JAI (by code), 20 MUM, 30 COK, 40 AMD, 50 SRT.
        #expect(order == ["POP", "GHY", "DEL", "IDR", "JAI", "MUM", "COK", "AMD", "SRT"])
    }

    @Test func nearestToSurat() {
        // To Surat 395007: SRT same city (A); AMD same state (B); IDR, JAI, MUM, COK, DEL zone D
        // (Surat is no metro), by priority: DEL 5, IDR 10, JAI 10, MUM 20, COK 30; GHY zone E;
        // POP has no pincode, so last despite priority 0.
        let order = AllocationPlanner.rank(Self.all, needs: ["TEE": 1], destination: Self.pin("395007"), strategy: .nearest)
        #expect(order == ["SRT", "AMD", "DEL", "IDR", "JAI", "MUM", "COK", "GHY", "POP"])
    }

    @Test func nearestToMumbaiPrefersMetros() {
        // To Mumbai 400001: MUM (A); DEL and BLR are metro to metro (C) ahead of IDR and JAI (D).
        let order = AllocationPlanner.rank([Self.indore, Self.jaipur, Self.bengaluru, Self.delhi, Self.mumbai], needs: [:],
                                           destination: Self.pin("400001"), strategy: .nearest)
        #expect(order == ["MUM", "DEL", "BLR", "IDR", "JAI"])
    }

    @Test func nearestInTheNorthEastPrefersTheSameState() throws {
        // To Jorhat 785001 everything is zone E, but Guwahati is in Assam and ranks as same state.
        let far = LocationCandidate(code: "AAA", priority: 0, pincode: Self.pin("400001"))
        let order = AllocationPlanner.rank([far, Self.delhi, Self.guwahati], needs: [:], destination: Self.pin("785001"), strategy: .nearest)
        #expect(order == ["GHY", "AAA", "DEL"])
        // And within Guwahati it is local.
        let guwahati = try #require(Self.pin("781001"))
        #expect(AllocationPlanner.distanceClass(from: guwahati, to: guwahati) == 0)
        #expect(AllocationPlanner.distanceClass(from: nil, to: guwahati) == 5)
    }

    @Test func nearestWithoutDestinationIsPriority() {
        let order = AllocationPlanner.rank(Self.all, needs: [:], destination: nil, strategy: .nearest)
        #expect(order == AllocationPlanner.rank(Self.all, needs: [:], destination: nil, strategy: .priority))
    }

    @Test func singleLocationFirstAvoidsASplit() {
        // To Surat, needs 2 TEE + 1 MUG. SRT (1 TEE) and AMD (5 + 5) are nearest; AMD alone
        // covers everything, so it goes first; the rest keep nearest order.
        let order = AllocationPlanner.rank(Self.all, needs: ["TEE": 2, "MUG": 1], destination: Self.pin("395007"), strategy: .singleLocationFirst)
        #expect(order == ["AMD", "SRT", "DEL", "IDR", "JAI", "MUM", "COK", "GHY", "POP"])
        // Needs 6 TEE: only IDR, GHY and POP have that many; IDR is the nearest of them.
        let bigger = AllocationPlanner.rank(Self.all, needs: ["TEE": 6], destination: Self.pin("395007"), strategy: .singleLocationFirst)
        #expect(bigger == ["IDR", "SRT", "AMD", "DEL", "JAI", "MUM", "COK", "GHY", "POP"])
    }

    @Test func singleLocationFirstWithoutDestinationUsesPriority() {
        // Priority order is POP, GHY, DEL, …; POP covers 1 TEE + 1 MUG and is already first.
        let order = AllocationPlanner.rank(Self.all, needs: ["TEE": 1, "MUG": 1], destination: nil, strategy: .singleLocationFirst)
        #expect(order.first == "POP")
        // Without POP and GHY: DEL (priority 5) has 1 + 1 and stays first; for 2 TEE + 1 MUG it
        // cannot, and IDR (priority 10) is the first that can.
        let rest = Self.all.filter { $0.code != "POP" && $0.code != "GHY" }
        #expect(AllocationPlanner.rank(rest, needs: ["TEE": 1, "MUG": 1], destination: nil, strategy: .singleLocationFirst).first == "DEL")
        #expect(AllocationPlanner.rank(rest, needs: ["TEE": 2, "MUG": 1], destination: nil, strategy: .singleLocationFirst)
                == ["IDR", "DEL", "JAI", "MUM", "COK", "AMD", "SRT"])
    }

    @Test func singleLocationFirstSplitsWhenNoOneCovers() {
        let order = AllocationPlanner.rank(Self.all, needs: ["TEE": 100], destination: Self.pin("395007"), strategy: .singleLocationFirst)
        #expect(order == AllocationPlanner.rank(Self.all, needs: ["TEE": 100], destination: Self.pin("395007"), strategy: .nearest))
    }

    @Test func coversIgnoresEmptyNeeds() {
        #expect(Self.jaipur.covers([:]))
        #expect(Self.jaipur.covers(["TEE": 0, "MUG": -1]))
        #expect(!Self.jaipur.covers(["TEE": 1]))
        #expect(Self.surat.covers(["TEE": 1]))
        #expect(!Self.surat.covers(["TEE": 1, "MUG": 1]))
    }

    @Test func emptyAndStrategyNames() {
        #expect(AllocationPlanner.rank([], needs: ["TEE": 1], destination: nil, strategy: .singleLocationFirst).isEmpty)
        #expect(AllocationStrategy(rawValue: "single_location_first") == .singleLocationFirst)
        #expect(AllocationStrategy.allCases.map(\.rawValue) == ["priority", "nearest", "single_location_first"])
    }
}
