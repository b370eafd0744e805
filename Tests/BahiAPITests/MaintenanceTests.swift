import Testing
import BahiAPI
import BahiCore
import BahiStore

/// Background jobs across nodes: the expiry jobs run on the node holding their lease, and a
/// node that stops hands them over.
@Suite struct MaintenanceTests {
    static func holder(_ app: BahiContext) async throws -> String? {
        try await app.store.read { db in try Leases.holder(db, name: Maintenance.expiryLease, now: Int64(WallClock.milliseconds())) }
    }

    /// Polls the lease until `node` holds it, failing after 20 s.
    static func waitForHolder(_ app: BahiContext, _ node: String) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while try await holder(app) != node {
            guard ContinuousClock.now < deadline else { throw WaitTimedOut() }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func expiriesRunOnTheNodeHoldingTheLeaseAndMoveWhenItStops() async throws {
        try await withApp { app, _ in
            let first = Maintenance(app, node: "node-a").start()
            try await Self.waitForHolder(app, "node-a")
            let second = Maintenance(app, node: "node-b").start()
            // B runs beside A for several turns of the expiry loop without taking the lease.
            try await Task.sleep(for: Maintenance.expiryPollInterval * 5)
            #expect(try await Self.holder(app) == "node-a")
            // A stops (and gives the lease up): B takes the jobs over.
            first.cancel()
            await first.value
            try await Self.waitForHolder(app, "node-b")
            second.cancel()
            await second.value
            #expect(try await Self.holder(app) == nil)
        }
    }

    @Test func nodeNamesDifferBetweenProcessesAndRestarts() {
        let a = Maintenance.nodeName(), b = Maintenance.nodeName()
        #expect(a != b)
        #expect(a.split(separator: ":").count == 3)
    }
}
