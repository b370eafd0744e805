public import BahiCore
#if canImport(Glibc)
import Glibc
#endif

/// What happens the first time `bahi serve` meets a database with no admin key: it creates
/// one, so a new user can curl at once, and saves the secret beside the database in a file
/// only its owner can read.
public enum FirstStart {
    /// The key created, where its secret was saved (nil if the file could not be written).
    public struct CreatedKey: Sendable {
        public var record: APIKeyRecord
        public var secret: String
        public var savedTo: String?
    }

    /// Creates the first admin key if there is no active one; nil if there already is.
    public static func ensureAdminKey(_ app: BahiContext) async throws -> CreatedKey? {
        guard try await !app.keys.hasActiveAdmin() else { return nil }
        let (record, secret) = try await app.keys.create(name: "first admin (created by bahi serve)", role: .admin, channel: nil, actor: "cli")
        let path = adminKeyPath(databasePath: app.configuration.database.path)
        return CreatedKey(record: record, secret: secret, savedTo: writeOwnerOnlyFile(path, secret + "\n") ? path : nil)
    }

    /// `admin-key` in the database's folder.
    public static func adminKeyPath(databasePath: String) -> String {
        guard let slash = databasePath.lastIndex(of: "/") else { return "admin-key" }
        return String(databasePath[...slash]) + "admin-key"
    }

    /// Writes a file with mode 0600 (replacing any earlier one).
    static func writeOwnerOnlyFile(_ path: String, _ text: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
    }
}
