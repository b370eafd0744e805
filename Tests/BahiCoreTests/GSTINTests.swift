import Testing
import BahiCore

/// GSTIN checks against published registrations: the check character (GSTN's mod-36
/// algorithm), the state code against the address's state, the PAN and the fixed positions.
@Suite struct GSTINTests {
    /// Published, real GSTINs: Reliance Industries Ltd and Tata Motors Ltd (Maharashtra, shown
    /// Active on the GST portal), Nascent Info Technologies Pvt Ltd (Gujarat), and
    /// python-stdnum's documented example (Maharashtra).
    static let published: [(gstin: String, state: IndianState)] = [
        ("27AAACR5055K1Z7", .maharashtra), ("27AAACT2727Q1ZW", .maharashtra), ("24AACCN3670J1ZG", .gujarat), ("27AAPFU0939F1ZV", .maharashtra),
    ]

    @Test func publishedGSTINsAreValidInTheirState() {
        for (gstin, state) in Self.published {
            #expect(GSTIN.problems(gstin, state: state) == [], "\(gstin)")
            #expect(GSTIN.problems(gstin, state: nil) == [], "\(gstin)")
            #expect(GSTIN.isValid(gstin))
        }
    }

    @Test func checkCharacterVectors() {
        #expect(GSTIN.checkCharacter("27AAACR5055K1Z") == "7")
        #expect(GSTIN.checkCharacter("27AAACT2727Q1Z") == "W")
        #expect(GSTIN.checkCharacter("24AACCN3670J1Z") == "G")
        #expect(GSTIN.checkCharacter("27AAPFU0939F1Z") == "V")
        #expect(GSTIN.checkCharacter("27AAPFU0939F1") == nil)      // 13 characters
        #expect(GSTIN.checkCharacter("27aapfu0939f1z") == nil)     // lower case is not the alphabet
        #expect(GSTIN.checkCharacter("27AAPFU-939F1Z") == nil)
    }

    @Test func everyWrongCheckCharacterIsRefused() {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for (gstin, state) in Self.published {
            for c in alphabet where c != gstin.last {
                let wrong = String(gstin.dropLast()) + String(c)
                let problems = GSTIN.problems(wrong, state: state)
                #expect(problems.map(\.code) == ["invalid_gstin"], "\(wrong)")
                #expect(problems.first?.message.contains("check character") == true)
            }
        }
        // Two adjacent characters swapped, the mistake people make: caught by the check character.
        #expect(GSTIN.problems("27AAACR5505K1Z7", state: .maharashtra).first?.message.contains("check character") == true)
    }

    @Test func aGSTINOfAnotherStateIsAMismatchNamingBoth() {
        let problems = GSTIN.problems("27AAACR5055K1Z7", state: .gujarat)
        #expect(problems.map(\.code) == ["state_mismatch"])
        #expect(problems.map(\.field) == ["gstin"])
        #expect(problems.first?.message.contains("registered in Maharashtra (state code 27), but the address is in Gujarat (24)") == true)
    }

    @Test func eachPositionIsChecked() {
        func message(_ gstin: String) -> String { GSTIN.problems(gstin, state: nil).first?.message ?? "valid" }
        #expect(message("27AAACR5055K1Z").contains("15 characters"))
        #expect(message("27AAACR5055K1Z77").contains("15 characters"))
        #expect(message("25AAACR5055K1Z7").contains("state code"))   // Daman and Diu, merged into 26 in 2020
        #expect(message("99AAACR5055K1Z7").contains("state code"))   // Centre jurisdiction: no seller's state
        #expect(message("2AAAACR5055K1Z7").contains("state code"))
        #expect(message("27AAAC15055K1Z7").contains("PAN"))
        #expect(message("27AAACR505XK1Z7").contains("PAN"))
        #expect(message("27AAACR505511Z7").contains("PAN"))
        #expect(message("27aaacr5055k1z7").contains("state code") || message("27aaacr5055k1z7").contains("PAN"))
        let zeros = "27AAACR0000K1Z" + String(GSTIN.checkCharacter("27AAACR0000K1Z") ?? "?")
        #expect(message(zeros).contains("0000"))
        let entityZero = "27AAACR5055K0Z" + String(GSTIN.checkCharacter("27AAACR5055K0Z") ?? "?")
        #expect(message(entityZero).contains("Character 13"))
        let notZ = "27AAACR5055K1D" + String(GSTIN.checkCharacter("27AAACR5055K1D") ?? "?")
        #expect(message(notZ).contains("Character 14"))
        // Entity numbers run 1–9 then A–Z: a tenth registration in the state is valid.
        let tenth = "27AAACR5055KAZ" + String(GSTIN.checkCharacter("27AAACR5055KAZ") ?? "?")
        #expect(GSTIN.isValid(tenth))
    }
}
