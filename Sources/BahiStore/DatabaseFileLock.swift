#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory lock beside an SQLite file (`PATH.lock`, `flock(2)`): shared while a bahi
/// process has the database open (`bahi serve` for its whole life, and the other commands
/// while they run), exclusive while `bahi restore` replaces the file.
///
/// Why a lock file and not SQLite's own locks: in WAL mode an idle connection holds no SQLite
/// lock at all, so "is a server using this file?" cannot be asked of SQLite. `flock` belongs
/// to the open file, so the kernel releases it when the process dies, however it dies: a
/// crashed server never leaves a stale lock behind (unlike a pid file). The file itself is
/// never removed (removing it would let two processes lock two different files).
public final class DatabaseFileLock: Sendable {
    /// Who holds a lock.
    public enum Kind: Sendable {
        /// Any number of bahi processes using the database.
        case shared
        /// One process replacing the database, with no one else using it.
        case exclusive
    }

    /// Why a lock could not be taken.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Another process holds a lock that conflicts (`PATH.lock` named).
        case held(lockPath: String, wanted: Kind)
        /// The lock file could not be opened or locked.
        case system(String)

        public var description: String {
            switch self {
            case .held(let lockPath, .exclusive):
                return "the database is open in another bahi process (bahi serve holds \(lockPath) while it runs): stop it first"
            case .held(let lockPath, .shared):
                return "the database is being restored (bahi restore holds \(lockPath)): wait for it to finish"
            case .system(let message):
                return message
            }
        }
    }

    /// The lock file of the database at `databasePath`.
    public static func lockPath(for databasePath: String) -> String { databasePath + ".lock" }

    public let kind: Kind
    public let path: String
    private let descriptor: Int32

    /// Takes the lock on `databasePath`'s lock file without waiting (creating the file, mode
    /// 0600, if needed); throws `Failure.held` when a conflicting lock is held.
    public init(databasePath: String, _ kind: Kind) throws(Failure) {
        let path = Self.lockPath(for: databasePath)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure.system("cannot open \(path): \(String(cString: strerror(errno)))") }
        var result: Int32
        repeat {
            result = flock(descriptor, (kind == .shared ? LOCK_SH : LOCK_EX) | LOCK_NB)
        } while result != 0 && errno == EINTR
        guard result == 0 else {
            let reason = errno
            close(descriptor)
            if reason == EWOULDBLOCK { throw Failure.held(lockPath: path, wanted: kind) }
            throw Failure.system("cannot lock \(path): \(String(cString: strerror(reason)))")
        }
        self.kind = kind
        self.path = path
        self.descriptor = descriptor
    }

    /// Closing the descriptor releases the lock.
    deinit { close(descriptor) }
}
