import Testing
import BahiCore

@Suite struct IndianPhoneTests {
    @Test(arguments: [
        "9876543210",
        "98765 43210",
        "98765-43210",
        "(98765) 43210",
        "+919876543210",
        "+91 98765 43210",
        "+91-98765-43210",
        "(+91) 98765-43210",
        "919876543210",
        "91 98765 43210",
        "09876543210",
        "098765-43210",
    ])
    func acceptsTheWaysBuyersWriteOneNumber(raw: String) {
        #expect(IndianPhone.normalise(raw) == "+919876543210")
    }

    @Test func acceptsEveryMobileSeries() {
        #expect(IndianPhone.normalise("6000000000") == "+916000000000")
        #expect(IndianPhone.normalise("7012345678") == "+917012345678")
        #expect(IndianPhone.normalise("8123456789") == "+918123456789")
        // A ten-digit number that happens to start with 91 is still ten digits.
        #expect(IndianPhone.normalise("9123456789") == "+919123456789")
        #expect(IndianPhone.normalise("919123456789") == "+919123456789")
    }

    @Test(arguments: [
        "",
        "   ",
        "5876543210",          // 5 is not a mobile series
        "1234567890",
        "02226543210",         // Mumbai landline with STD code: 0 + 22…, national part starts with 2
        "022 2654 3210",
        "987654321",           // nine digits
        "98765432101",         // eleven digits not starting with 0
        "9198765432101",       // thirteen digits
        "+9209876543210",      // another country code
        "+44 7911 123456",
        "+9198765432",         // +91 and too few digits
        "+91 098765 43210",    // +91 then a trunk 0
        "0091 98765 43210",
        "98765O43210",         // letter O
        "98765.43210",         // dots are not accepted
        "9876543210 ext 2",
        "+ 91 98765 43210+",   // a second plus
        "98765+43210",         // plus in the middle
        "９８７６５４３２１０",  // full-width digits
        "०९८७६५४३२१०",         // Devanagari digits
        "919876543210\n",
    ])
    func rejectsEverythingElse(raw: String) {
        #expect(IndianPhone.normalise(raw) == nil)
    }
}
