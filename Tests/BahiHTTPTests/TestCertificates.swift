import Foundation

/// A throwaway PKI made with the `openssl` command line in a temporary folder, once per test
/// process: a CA, certificates it signs for `localhost` (valid, expired) and for another
/// name, and a second CA the servers never use (the client trusting only it sees an unknown
/// CA). Elliptic-curve keys, so making them takes milliseconds.
struct TestCertificates: Sendable {
    let folder: String
    var caFile: String { folder + "/ca.pem" }
    var otherCAFile: String { folder + "/other-ca.pem" }
    var localhostChain: String { folder + "/localhost.pem" }
    var localhostKey: String { folder + "/localhost.key" }
    var expiredChain: String { folder + "/expired.pem" }
    var expiredKey: String { folder + "/expired.key" }
    var wrongHostChain: String { folder + "/wrong-host.pem" }
    var wrongHostKey: String { folder + "/wrong-host.key" }

    static let shared: Result<TestCertificates, ScriptError> = Result { () throws(ScriptError) -> TestCertificates in try make() }

    private static func make() throws(ScriptError) -> TestCertificates {
        let folder = NSTemporaryDirectory() + "bahi-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ScriptError("cannot create \(folder)")
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=Bahi Test CA"], in: folder)
        try run(["req", "-x509"] + ec + ["-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "30", "-subj", "/CN=Some Other CA"], in: folder)
        try issue("localhost", names: "DNS:localhost,IP:127.0.0.1", days: "30", in: folder)
        try issue("expired", names: "DNS:localhost,IP:127.0.0.1", days: "-1", in: folder)
        try issue("wrong-host", names: "DNS:wrong.example", days: "30", in: folder)
        return TestCertificates(folder: folder)
    }

    /// A key and a certificate signed by the test CA for `names` (subjectAltName), valid for
    /// `days` from now (a negative count makes one that expired before it began).
    private static func issue(_ name: String, names: String, days: String, in folder: String) throws(ScriptError) {
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"], in: folder)
        let ext = "\(folder)/\(name).ext"
        guard FileManager.default.createFile(atPath: ext, contents: Data("subjectAltName=\(names)\nbasicConstraints=CA:FALSE\n".utf8)) else {
            throw ScriptError("cannot write \(ext)")
        }
        try run(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-days", days, "-extfile", ext, "-out", "\(name).pem"], in: folder)
    }

    private static func run(_ arguments: [String], in folder: String) throws(ScriptError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ScriptError("cannot run openssl: \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ScriptError("openssl \(arguments.joined(separator: " ")) failed") }
    }
}
