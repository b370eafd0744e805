import Testing
import BahiCore
import BahiStore

/// The audit, driven directly: a clean store passes every invariant, and data broken behind
/// the services' backs is reported in the sentences `bahi check` prints. (Fixture rows are
/// written with SQL here on purpose: no service would write them.)
@Suite struct InvariantsDomainTests {
    func violations(_ store: any DataStore) async throws -> [String: [String]] {
        let results = try await store.read { db in
            try InvariantRegistry.run(db).map { (name: $0.name, violations: $0.violations) }
        }
        return Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0.violations) })
    }

    @Test func aCleanStorePassesEveryInvariant() async throws {
        try await onEveryStore { store in
            let found = try await violations(store)
            #expect(found.count == InvariantRegistry.all.count)
            #expect(found.values.allSatisfy { $0.isEmpty }, "\(found)")
        }
    }

    @Test func brokenRowsAreReportedInTheirOwnWords() async throws {
        try await onEveryStore { store in
            let pincode = "560001"
            let place = try #require(PincodeDirectory.lookup(pincode))
            try await store.write { db in
                try db.execute(
                    "INSERT INTO events (id, type, entity_type, entity_id, payload, actor, created_at) VALUES (?1, 'x.y', 'x', 'e', ?2, 'test', 0)",
                    ["evt_1", "[1, 2]"])
                try db.execute(
                    "INSERT INTO events (id, type, entity_type, entity_id, payload, actor, created_at) VALUES (?1, 'x.y', 'x', 'e', ?2, 'test', 0)",
                    ["evt_2", "{\"fine\": true}"])
                try db.execute(
                    "INSERT INTO skus (sku, name, mrp_paise, price_paise, is_kit, created_at, updated_at) VALUES ('KIT-1', 'Kit', 100, 100, TRUE, 0, 0)")
                try db.execute(
                    "INSERT INTO locations (code, name, pincode, state, district, created_at, updated_at) VALUES ('WH1', 'Main', ?1, 'Atlantis', ?2, 0, 0)",
                    [pincode, place.district])
            }
            let found = try await violations(store)
            #expect(found["event payloads are JSON objects"] == ["event evt_1 has a payload that is not a JSON object"])
            #expect(found["kits have components, never contain kits, and hold no stock"] == ["SKU KIT-1 is a kit without components"])
            #expect(found["locations match their pincode's state and district"] == [
                "location WH1 says Atlantis/\(place.district) but pincode \(pincode) is \(place.state)/\(place.district)",
            ])
            let others = found.filter { !["event payloads are JSON objects", "kits have components, never contain kits, and hold no stock",
                                          "locations match their pincode's state and district"].contains($0.key) }
            #expect(others.values.allSatisfy { $0.isEmpty }, "\(others)")
        }
    }

    @Test func aRefundedAmountThatDoesNotAddUpIsReported() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                // Two orphan payments written behind the services' backs: one says 500 paise were
                // refunded with no refund to show for it, one more than it took.
                try db.execute(
                    """
                    INSERT INTO payments (id, gateway, gateway_payment_id, amount_paise, refunded_paise, status, created_at, updated_at)
                    VALUES ('pay_DRIFT', 'razorpay', 'pay_X1', 1000, 500, 'captured', 0, 0), ('pay_OVER', 'razorpay', 'pay_X2', 1000, 1500, 'captured', 0, 0)
                    """)
            }
            let found = try await violations(store)["refunds never take more than a payment took, and refunded amounts add up"] ?? []
            #expect(found == ["payment pay_DRIFT has refunded_paise 500 but its refunds that did not fail add up to 0",
                              "payment pay_OVER has refunded 1500 paise of 1000 taken"], "\(found)")
        }
    }

    /// A run without `--full` runs each invariant's cheap proof and skips the rescans,
    /// reporting every one in order with its time; `--full` runs them all. A hold marked
    /// converted that no order took is found only by the full run (no index finds it).
    @Test func aPlainRunSkipsTheRescansAndAFullRunFindsWhatOnlyTheyCanSee() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try db.execute("INSERT INTO channels (code, name, kind, created_at, updated_at) VALUES ('web', 'Web', 'website', 0, 0)")
                try db.execute("INSERT INTO reservations (id, channel, status, expires_at, created_at) VALUES ('res_LOST', 'web', 'converted', 0, 0)")
            }
            let runs = try await store.read { db in
                try [false, true].map { full in
                    var seen: [InvariantRegistry.Outcome] = []
                    let results = try InvariantRegistry.run(db, full: full) { seen.append($0) }
                    return (seen: seen.map { "\($0.name) \($0.ran) \($0.seconds >= 0)" }, results: Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0.violations) }))
                }
            }
            let plain = runs[0], full = runs[1]
            #expect(plain.seen.count == InvariantRegistry.all.count && full.seen.count == InvariantRegistry.all.count)
            #expect(full.seen == InvariantRegistry.all.map { "\($0.name) true true" })
            let skipped = InvariantRegistry.all.filter { $0.quick == nil }.map(\.name)
            #expect(skipped.contains("event payloads are JSON objects") && skipped.contains("invoice numbers have no gaps or repeats"))
            #expect(Set(plain.results.keys) == Set(InvariantRegistry.all.map(\.name)).subtracting(skipped))
            let orphans = "every live reservation belongs to a live order or hold"
            #expect(plain.results[orphans] == [])
            #expect(full.results[orphans] == ["reservation res_LOST is converted but no order took it"])
        }
    }
}
