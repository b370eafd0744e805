import Testing
import BahiCore

/// The core test target's anchor: pure domain logic (tax, risk, allocation, invoices) is
/// tested here without a store or a server.
@Suite struct CoreTargetTests {
    @Test func orderIDsCarryTheirPrefix() {
        let id = EntityID.make(.order)
        #expect(id.hasPrefix("ord_"))
        #expect(id.count == 30)
    }
}
