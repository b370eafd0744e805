import Testing
import BahiCore
import BahiStore

/// A waybill pool under concurrency, at the domain level: each AWB issued once whether the
/// store runs bookings one after another (SQLite's writer, PostgreSQL's group commit) or as
/// truly concurrent transactions (PostgreSQL without group commit, as several nodes would),
/// where claimers that lose an AWB move on to the next.
@Suite struct CourierWaybillDomainTests {
    /// A waybill-pool courier `pool` with `awbs` imported.
    static func pool(_ store: any DataStore, awbs: [String]) async throws -> Courier {
        try await store.write { db in
            let zones = Dictionary(uniqueKeysWithValues: CourierZone.allCases.map { ($0, RateCard.ZoneRate(firstPaise: 4000, additionalPaise: 3000)) })
            let fields = CourierFields(name: "Pool", provider: .waybillPool, mode: .surface, maxWeightG: 30_000, rateCard: RateCard(zones: zones))
            let courier = try Couriers.put(db, code: "pool", fields: fields, actor: "t", now: 1).resource
            #expect(try CourierWaybills.importPool(db, code: "pool", awbs: awbs, actor: "t", now: 1).added == awbs.count)
            return courier
        }
    }

    /// `bookings` claims at once on a pool of `size`: every AWB issued once, the rest refused
    /// with `waybill_pool_empty`.
    static func race(_ store: any DataStore, courier: Courier, bookings: Int, size: Int) async throws {
        let outcomes = await withTaskGroup(of: Result<String, DomainError>.self) { group in
            for i in 0..<bookings {
                group.addTask {
                    do {
                        return .success(try await store.write { db in
                            try CourierWaybills.issue(db, courier: courier, requested: nil, shipmentID: "shp_\(i)", now: 2)
                        })
                    } catch let error as DomainError {
                        return .failure(error)
                    } catch {
                        return .failure(DomainError(.corruptRow, "\(error)"))
                    }
                }
            }
            return await group.reduce(into: [Result<String, DomainError>]()) { $0.append($1) }
        }
        let issued = outcomes.compactMap { try? $0.get() }
        let refused = outcomes.compactMap { if case .failure(let e) = $0 { e.code } else { nil } }
        #expect(issued.count == size && Set(issued).count == size)
        #expect(refused == Array(repeating: .waybillPoolEmpty, count: bookings - size), "\(refused)")
        let rows = try await store.read { db in
            try db.query("SELECT shipment_id FROM courier_waybills WHERE status = 'issued'", StatementArguments([])) { row in try row["shipment_id"] as String }
        }
        #expect(rows.count == size && Set(rows).count == size)
    }

    static let awbs = (1...50).map { "AWB\(100_000_000 + $0)" }

    @Test func everyStoreIssuesEachAWBOnce() async throws {
        try await onEveryStore { store in
            try await Self.race(store, courier: try await Self.pool(store, awbs: Self.awbs), bookings: 64, size: 50)
        }
    }

    @Test func concurrentTransactionsOnPostgresIssueEachAWBOnce() async throws {
        try await onPostgres { migrated, conninfo in
            let courier = try await Self.pool(migrated, awbs: Self.awbs)
            let store = try await PostgresStore(configuration: .init(conninfo: conninfo, poolSize: 8, groupCommit: false))
            do {
                try await Self.race(store, courier: courier, bookings: 64, size: 50)
                await store.close()
            } catch {
                await store.close()
                throw error
            }
        }
    }
}
