import Foundation
import Synchronization
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// Lines an `ErrorLog` wrote, kept for a test to read.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    var log: ErrorLog { .custom { [self] line in lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }

    /// The lines as JSON objects (a line that is not one fails the test).
    func objects() throws -> [JSONObject] {
        try all.map { line in
            guard case .object(let object) = try JSONParser.parse(Array(line.utf8)) else { throw NotAnObject() }
            return object
        }
    }

    struct NotAnObject: Error {}
}

/// A key directory whose store is down: every lookup fails the way a busy SQLite does.
struct BusyKeyDirectory: KeyDirectory {
    static let failure = StoreError(extendedCode: 5, message: "database is locked", sql: "SELECT id FROM api_keys WHERE secret_hash = ?1")

    func principal(forSecretHash hash: [UInt8]) async throws -> Principal? { throw BusyKeyDirectory.failure }
    func touch(keyID: String, at milliseconds: UInt64) async throws { throw BusyKeyDirectory.failure }
}

/// Every 500 and 503 the API answers, and every failed maintenance job, writes one JSON line
/// naming the request (or job) and the cause; secrets never appear in it.
@Suite struct FailureLogTests {
    @Test func aStoreFailureBehindAuthenticationIsLoggedWithoutTheKey() async throws {
        try await withApp { app, _ in
            let captured = CapturedLog()
            let context = BahiContext(configuration: app.configuration, store: app.store, keyDirectory: BusyKeyDirectory(),
                                      keyCacheTTL: .zero, log: captured.log)
            let api = BahiApplication.makeAPI(context)
            let secret = APIKeySecret.generate()
            let response = await send(api, .get, "/v1/me", key: secret)
            #expect(response.status.code == 503)
            #expect(response.code == "store_unavailable")
            #expect(!response.text.contains("database is locked"))

            let lines = captured.all
            #expect(lines.count == 1)
            let object = try #require(try captured.objects().first)
            #expect(object["request_id"] == .string("req_test"))
            #expect(object["status"] == .number(JSONNumber(503)))
            #expect(object["code"] == .string("store_unavailable"))
            #expect(object["error"] == .string(BusyKeyDirectory.failure.description))
            #expect(object["error_type"] == .string("BahiStore.StoreError"))
            #expect(lines.allSatisfy { !$0.contains(secret) && !$0.contains(String(secret.suffix(12))) })
        }
    }

    // SQLite only: the cause checked is SQLite's misuse code for a closed store.
    @Test func readinessOnAClosedStoreLogsWhy() async throws {
        try await withSQLiteApp { app, _, _ in
            let captured = CapturedLog()
            let store = try await SQLiteStore(path: app.configuration.database.path)
            await store.close()
            let context = BahiContext(configuration: app.configuration, store: store, keyCacheTTL: .zero, log: captured.log)
            let response = await send(BahiApplication.makeAPI(context), .get, "/v1/ready")
            #expect(response.status.code == 503)
            #expect(response.code == "store_unavailable")
            let objects = try captured.objects()
            #expect(objects.count == 1)
            #expect(objects.first?["request_id"] == .string("req_test"))
            #expect(objects.first?["error_type"] == .string("BahiStore.StoreError"))
            guard case .string(let cause)? = objects.first?["error"] else { Issue.record("no cause"); return }
            #expect(cause.hasPrefix("SQLITE_MISUSE"))
        }
    }

    @Test func pendingMigrationsAreLoggedToo() async throws {
        try await withApp(migrate: false) { app, _ in
            let captured = CapturedLog()
            let context = BahiContext(configuration: app.configuration, store: app.store, keyCacheTTL: .zero, log: captured.log)
            let response = await send(BahiApplication.makeAPI(context), .get, "/v1/ready")
            #expect(response.code == "migrations_pending")
            let objects = try captured.objects()
            #expect(objects.count == 1)
            #expect(objects.first?["code"] == .string("migrations_pending"))
        }
    }

    @Test func successesAndClientErrorsWriteNothing() async throws {
        try await withApp { app, _ in
            let captured = CapturedLog()
            let context = BahiContext(configuration: app.configuration, store: app.store, keyCacheTTL: .zero, log: captured.log)
            let api = BahiApplication.makeAPI(context)
            #expect(await send(api, .get, "/v1/ready").status == .ok)
            #expect(await send(api, .get, "/v1/me").status.code == 401)
            #expect(await send(api, .get, "/v1/me", key: APIKeySecret.generate()).status.code == 401)
            #expect(captured.all.isEmpty)
        }
    }

    // SQLite only: the cause checked is SQLite's misuse code for a closed store.
    @Test func maintenanceLogsAFailedJobAndKeepsLooping() async throws {
        try await withSQLiteApp { app, _, _ in
            let captured = CapturedLog()
            let store = try await SQLiteStore(path: app.configuration.database.path)
            await store.close()
            let context = BahiContext(configuration: app.configuration, store: store, keyCacheTTL: .zero, log: captured.log)
            let task = Maintenance(context).start(interval: .milliseconds(50))
            defer { task.cancel() }
            // Two turns of the expiry loop: it went on after the first failure (taking the
            // expiry lease is its first write, so that is what fails).
            try await waitUntil {
                let jobs = captured.all.filter { $0.contains("\"job\":\"renew_lease\"") }
                return jobs.count >= 2 && captured.all.contains { $0.contains("\"job\":\"purge_idempotency_keys\"") }
            }
            task.cancel()
            await task.value
            for object in try captured.objects() {
                #expect(object["message"] == .string("maintenance job failed"))
                guard case .string(let cause)? = object["error"] else { Issue.record("no cause"); continue }
                #expect(cause.hasPrefix("SQLITE_MISUSE"))
            }
            let jobs = Set(try captured.objects().compactMap { object -> String? in
                if case .string(let job)? = object["job"] { job } else { nil }
            })
            #expect(jobs == ["renew_lease", "purge_idempotency_keys"])
        }
    }

    @Test func expiryBatchesAreTheNamedLimits() {
        #expect(Maintenance.holdExpiryBatch == 500)
        #expect(Maintenance.paymentExpiryBatch == 200)
    }
}
