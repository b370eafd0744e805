import Foundation
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// A migrated store in a temporary folder and a context over it, torn down after `body`.
func withApp<T>(
    configure: (inout BahiConfiguration) -> Void = { _ in },
    migrate: Bool = true,
    _ body: (BahiContext, String) async throws -> T
) async throws -> T {
    var template = Array("/tmp/bahi-api-test-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else { throw POSIXError(.EIO) }
    let folder = String(cString: created)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var config = BahiConfiguration()
    config.database.path = folder + "/bahi.db"
    configure(&config)
    let store = try await SQLiteStore(path: config.database.path)
    if migrate { try await store.migrate(BahiSchema.migrator) }
    let app = BahiContext(configuration: config, store: store, keyCacheTTL: .zero)
    do {
        let result = try await body(app, folder)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}

/// Sends one request through the API in-process.
func send(
    _ api: API, _ method: HTTPMethod, _ target: String, key: String? = nil,
    headers: [(String, String)] = [], body: String? = nil
) async -> HTTPResponse {
    var fields = HTTPHeaders()
    fields.add(name: "Host", value: "test")
    if let key { fields.add(name: "Authorization", value: "Bearer \(key)") }
    if body != nil { fields.add(name: "Content-Type", value: "application/json") }
    for (n, v) in headers { fields.replaceOrAdd(name: n, value: v) }
    let head = HTTPRequestHead(method: method, target: target, headers: fields)
    return await api.router.respond(to: HTTPRequest(head: head, body: Array((body ?? "").utf8), requestID: "req_test"))
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONObject? {
        if case .object(let o)? = try? JSONParser.parse(body) { return o }
        return nil
    }
    var code: String? {
        if case .string(let c)? = json?["code"] { return c }
        return nil
    }
}

/// Waits (politely, on the test task) until `condition` holds, failing after `timeout`.
func waitUntil(timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut() }
        try await Task.sleep(for: .milliseconds(2))
    }
}

struct WaitTimedOut: Error {}
