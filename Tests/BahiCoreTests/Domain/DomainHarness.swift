import Foundation
import BahiStore
import BahiCore

/// The stores the domain-level suite runs on. Each test body takes `any DataStore` and never
/// names an engine, so the PostgreSQL store joins this list and the whole suite runs on it.
enum DomainStores {
    /// A fresh, migrated SQLite store in a temporary folder, closed and removed after `body`.
    static func sqlite<T>(_ body: (any DataStore) async throws -> T) async throws -> T {
        var template = Array("/tmp/bahi-domain-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw POSIXError(.EIO) }
        let directory = String(cString: created)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await SQLiteStore(path: directory + "/bahi.db")
        do {
            try await store.migrate(BahiSchema.migrator)
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}

/// Runs `body` against every store the suite covers (SQLite today).
func onEveryStore(_ body: (any DataStore) async throws -> Void) async throws {
    try await DomainStores.sqlite(body)
}
