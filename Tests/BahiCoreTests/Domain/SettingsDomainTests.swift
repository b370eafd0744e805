import Testing
import BahiCore
import BahiStore

/// The seller profile service on every store: defaults until stored, versions, preconditions,
/// the event, and the profile in force reaching intake.
@Suite struct SettingsDomainTests {
    static let now: Int64 = 1_800_000_000_000

    static func input(gstin: String = "24AACCN3670J1ZG", line1: String = "1 Sindhu Bhavan Road") -> SellerProfiles.Input {
        var input = SellerProfiles.Input()
        input.legalName = "Nascent Info Technologies Pvt Ltd"
        input.gstin = gstin
        input.line1 = line1
        input.city = "Ahmedabad"
        input.state = "24"
        input.pincode = "380054"
        return input
    }

    @Test func theStoredProfileReplacesTheConfiguredOneWithVersions() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                let configured = SellerProfile(legalName: "From config")
                #expect(try SellerProfiles.current(db, configured: configured) == configured)

                let created = try SellerProfiles.put(db, Self.input(), actor: "t", now: Self.now)
                guard case .created(let first) = created else { Issue.record("expected created"); return }
                #expect(first.version == 1)
                #expect(first.source == .stored)
                #expect(first.state == .gujarat)
                #expect(first.missingForInvoice.isEmpty)
                #expect(try SellerProfiles.current(db, configured: configured) == first)

                guard case .unchanged = try SellerProfiles.put(db, Self.input(), actor: "t", now: Self.now + 1) else { Issue.record("expected unchanged"); return }
                let moved = try SellerProfiles.put(db, Self.input(line1: "2 Sindhu Bhavan Road"), precondition: VersionPrecondition(bodyVersion: 1), actor: "t", now: Self.now + 2)
                #expect(moved.resource.version == 2)
                #expect(moved.resource.updatedAt == Self.now + 2)
                #expect(throws: DomainError.self) {
                    try SellerProfiles.put(db, Self.input(), precondition: VersionPrecondition(bodyVersion: 1), actor: "t", now: Self.now + 3)
                }
                let events = try db.query("SELECT type FROM events WHERE entity_type = 'settings' ORDER BY seq", []) { row in try row["type"] as String }
                #expect(events == ["settings.seller_updated", "settings.seller_updated"])
            }
        }
    }

    @Test func anInvalidGSTINChangesNothing() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                do {
                    _ = try SellerProfiles.put(db, Self.input(gstin: "24AACCN3670J1ZH"), actor: "t", now: Self.now)
                    Issue.record("expected invalid_gstin")
                } catch let error as DomainError {
                    #expect(error.code == .invalidGSTIN)
                    #expect(error.problems.map(\.field) == ["gstin"])
                }
                do {
                    _ = try SellerProfiles.put(db, Self.input(gstin: "27AAACR5055K1Z7"), actor: "t", now: Self.now)
                    Issue.record("expected state_mismatch")
                } catch let error as DomainError {
                    #expect(error.code == .invalidGSTIN)
                    #expect(error.problems.map(\.code) == ["state_mismatch"])
                }
                #expect(try SellerProfiles.current(db, configured: SellerProfile()).source == .configuration)
                #expect(try db.query("SELECT type FROM events", []) { row in try row["type"] as String }.isEmpty)
            }
        }
    }
}
