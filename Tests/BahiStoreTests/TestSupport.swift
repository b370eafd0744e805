import Foundation
import BahiStore

/// A fresh directory from mkdtemp, removed after `body` (also when it throws).
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    var template = Array("/tmp/bahi-store-test-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else { throw POSIXError(.EIO) }
    let path = String(cString: created)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// A store on a fresh temporary file, closed and removed after `body`.
func withStore<T>(
    _ configuration: SQLiteStore.Configuration = SQLiteStore.Configuration(),
    _ body: (SQLiteStore, String) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory { directory in
        let store = try await SQLiteStore(path: directory + "/bahi.sqlite", configuration: configuration)
        do {
            let result = try await body(store, directory)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}

/// Waits (politely, on the test task) until `condition` holds, failing after `timeout`.
func waitUntil(timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut() }
        try await Task.sleep(for: .milliseconds(2))
    }
}

struct TimedOut: Error {}

/// The error a test closure throws on purpose, carrying which caller threw it.
struct Deliberate: Error, Equatable {
    let caller: Int
}
