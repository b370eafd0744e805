import Testing
import BahiCore

@Suite struct EntityIDTests {
    @Test func idsArePrefixedSortableAndDecodable() {
        let a = EntityID.make(.order, milliseconds: 1_700_000_000_000)
        let b = EntityID.make(.order, milliseconds: 1_700_000_000_001)
        #expect(a.hasPrefix("ord_"))
        #expect(a.count == 30)
        #expect(a < b)
        #expect(EntityID.milliseconds(of: a) == 1_700_000_000_000)
        #expect(EntityID.isValid(a, kind: .order))
        #expect(!EntityID.isValid(a, kind: .shipment))
        #expect(!EntityID.isValid("ord_" + String(repeating: "U", count: 26), kind: .order))  // U is not Crockford
        #expect(!EntityID.isValid("ord_short", kind: .order))
    }

    @Test func randomPartDiffers() {
        let ids = Set((0..<1000).map { _ in EntityID.make(.event, milliseconds: 42) })
        #expect(ids.count == 1000)
    }
}
