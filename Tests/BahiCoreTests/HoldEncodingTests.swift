import Testing
import BahiJSON
@testable import BahiCore

/// `Hold.encodedJSON` is the hot-path form of `Hold.json`; they must never drift apart.
@Suite struct HoldEncodingTests {
    @Test func encodedJSONIsByteForByteTheEncodedJSONValue() {
        let holds = [
            Holds.Hold(id: "res_01JD0000000000000000000000", channel: "web", reference: nil, status: .active,
                       expiresAt: 1_795_342_500_123, createdAt: 1_795_341_600_000,
                       allocations: [Holds.Allocation(line: 0, sku: "BENCH-1", stockSKU: "BENCH-1", location: "SURAT", qty: 1)]),
            Holds.Hold(id: "res_X", channel: "mkt \"quoted\"\n", reference: "cart \\ 42 ✓", status: .released,
                       expiresAt: 0, createdAt: 253_402_300_799_999,
                       allocations: [
                           Holds.Allocation(line: 0, sku: "KIT-1", stockSKU: "C", location: "A", qty: 2),
                           Holds.Allocation(line: 1, sku: "B\u{1}", stockSKU: "B\u{1}", location: "Ω-2", qty: 100_000),
                       ]),
            Holds.Hold(id: "res_Y", channel: "web", reference: "", status: .expired, expiresAt: 1, createdAt: 2, allocations: []),
        ]
        for hold in holds {
            #expect(hold.encodedJSON == hold.json.encoded())
        }
    }
}
