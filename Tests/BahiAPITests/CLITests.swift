import Foundation
import Testing
import BahiCore

/// The `bahi` executable itself (built beside the tests by `swift build --build-tests`):
/// `--version`, and `bahi restore` refused while `bahi serve` has the database open.
@Suite(.serialized) struct CLITests {
    static let binary = repositoryRoot + "/.build/debug/bahi"

    /// Not the test run's: bahi refuses BAHI_* variables it does not know (the suite's own).
    static let environment = ["PATH": "/usr/bin:/bin"]

    struct Outcome {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs `bahi arguments…` to its end.
    func bahi(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.environment = Self.environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(), errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self), errors: String(decoding: errors, as: UTF8.self))
    }

    @Test func aSettlementFileImportsOnceAndReportsItsBadRows() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build bahi first: swift build")
        try withTemporaryFolderSync { folder in
            let db = folder + "/bahi.db"
            #expect(try bahi(["migrate", "--db", db]).status == 0)
            let file = folder + "/recon.csv"
            try "entity_id,type,debit,credit,amount,fee,tax,settled\npay_1,payment,0,97100,100000,2900,442,1\npay_2,bogus,0,1,1,0,0,0\n"
                .write(toFile: file, atomically: true, encoding: .utf8)
            let first = try bahi(["import", "settlements", file, "--db", db])
            #expect(first.status == 1, "a refused row fails the run")
            #expect(first.output.contains("1 applied, 0 unchanged, 1 errors") && first.output.contains("row 3: invalid_type"), "\(first.output)")
            let again = try bahi(["import", "settlements", file, "--db", db])
            #expect(again.output.contains("0 applied, 1 unchanged, 1 errors"), "\(again.output)")
            #expect(try bahi(["import", "settlements", file, "--gateway", "payu", "--db", db]).status == 2)

            // Cashfree's recon, in rupees; a column mapping naming a column the kind lacks is a usage error.
            let cashfree = folder + "/cashfree.csv"
            try "Event ID,Event Type,Sale Type,Event Amount,Event Settlement Amount,Service Charge,Service Tax,Payment ID,UTR\n1453002795,PAYMENT,CREDIT,100.00,97.94,1.75,0.31,1453002795,UTR9\n"
                .write(toFile: cashfree, atomically: true, encoding: .utf8)
            let imported = try bahi(["import", "settlements", cashfree, "--gateway", "cashfree", "--db", db])
            #expect(imported.status == 0 && imported.output.contains("1 applied, 0 unchanged, 0 errors"), "\(imported.output)\(imported.errors)")
            let unknown = try bahi(["import", "remittances", cashfree, "--courier", "delhivery", "--columns", "waybil:Waybill", "--db", db])
            #expect(unknown.status == 2 && unknown.errors.contains("--columns: waybil is not a cod_remittance column"), "\(unknown.errors)")
        }
    }

    /// A temporary folder for a synchronous test, removed afterwards.
    func withTemporaryFolderSync(_ body: (String) throws -> Void) throws {
        let folder = NSTemporaryDirectory() + "bahi-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try body(folder)
    }

    @Test func versionIsPrintedBothWays() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build bahi first: swift build")
        for form in ["--version", "version"] {
            let run = try bahi([form])
            #expect(run.status == 0)
            #expect(run.output.hasPrefix("bahi \(BahiVersion.current) "), "\(run.output)")
        }
    }

    @Test func restoreWaitsForTheServerToStop() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build bahi first: swift build")
        try await withTemporaryFolder { folder in
            let db = folder + "/bahi.db", backup = folder + "/backup.db"
            #expect(try bahi(["keys", "create", "--role", "admin", "--name", "first", "--db", db]).status == 0)
            #expect(try bahi(["backup", backup, "--db", db]).status == 0)
            #expect(try bahi(["keys", "create", "--role", "admin", "--name", "second", "--db", db]).status == 0)

            let server = Process()
            server.executableURL = URL(fileURLWithPath: Self.binary)
            server.arguments = ["serve", "--db", db, "--port", "0"]
            server.environment = Self.environment.merging(["BAHI_LOG_ACCESS_LOG": "false"]) { $1 }
            let log = folder + "/serve.err"
            FileManager.default.createFile(atPath: log, contents: nil)
            server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            server.standardOutput = FileHandle.nullDevice
            try server.run()
            defer { if server.isRunning { server.interrupt() } }
            try await waitUntil(timeout: .seconds(60)) {
                (try? String(contentsOfFile: log, encoding: .utf8))?.contains("listening on") == true
            }

            let refused = try bahi(["restore", backup, "--db", db])
            #expect(refused.status == 1)
            #expect(refused.errors.contains("stop it first"), "\(refused.errors)")

            server.terminate()  // SIGTERM: drain and exit, releasing the lock
            server.waitUntilExit()
            #expect(server.terminationStatus == 0)
            let restored = try bahi(["restore", backup, "--db", db])
            #expect(restored.status == 0, "\(restored.errors)")
            #expect(restored.output.contains("restored \(backup) to \(db)"))
            let listed = try bahi(["keys", "list", "--db", db])
            #expect(listed.output.contains("first") && !listed.output.contains("second"), "\(listed.output)")
        }
    }
}
