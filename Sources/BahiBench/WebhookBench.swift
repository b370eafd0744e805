// `BahiBench receiver` and `BahiBench produce`: the two ends of the webhook benchmark and
// crash test (Benchmarks/webhooks.sh, scripts/webhook-crash-test.sh).
//
//   BahiBench receiver --port N [--secret whsec_…]… [--log FILE] [--fail-every N]
//       serves POST on 127.0.0.1:N (our own HTTP server), verifies each delivery's Standard
//       Webhooks signature, answers 204 (or 500 for every Nth request with --fail-every), and
//       prints one JSON line per second: deliveries, their rate, event-to-delivery latency
//       (arrival − the event's created_at) p50/p99 in that second, bad signatures. With --log
//       it appends "webhook-id seq path" per delivery (the crash test's evidence). SIGTERM
//       prints the totals and exits.
//   BahiBench produce --url http://127.0.0.1:PORT --key KEY --rate N --duration S [--skus 10] [--threads 8]
//       POSTs `receive` movements of 1 unit over BENCH-1..N at a steady rate (one commit, one
//       inventory.changed each), and prints how many were accepted.
import BahiCore
import BahiHTTP
import BahiJSON
import Foundation
import Synchronization

/// What the receiver counts.
final class ReceiverCounters: Sendable {
    struct State {
        var total = 0
        var badSignatures = 0
        var windowLatencies: [Int64] = []
        var allLatencies: [Int64] = []
        var windowStart = Int64(WallClock.milliseconds())
        var windowCount = 0
        var log: [UInt8] = []
    }
    let state = Mutex(State())
}

/// The benchmark's receiver: verifies, counts, answers.
final class BenchReceiver: HTTPResponder {
    /// Any of these may sign (one per endpoint); none: signatures are not checked.
    let secrets: [String]
    let failEvery: Int
    let counters = ReceiverCounters()

    init(secrets: [String], failEvery: Int) {
        self.secrets = secrets
        self.failEvery = failEvery
    }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        let arrived = Int64(WallClock.milliseconds())
        let headers = request.head.headers
        // The endpoint's secret by its path (/hook/N: the Nth --secret), as a real receiver
        // knows its own; any of them when the path names none.
        let path = request.head.path
        let index = path.split(separator: "/").last.flatMap { Int($0) }.map { $0 - 1 }
        let candidates = index.flatMap { secrets.indices.contains($0) ? [secrets[$0]] : nil } ?? secrets
        let valid = secrets.isEmpty || candidates.contains { secret in
            WebhookSignature.verify(secret: secret, id: headers["webhook-id"], timestamp: headers["webhook-timestamp"],
                                    signatureHeader: headers["webhook-signature"], body: request.body, now: arrived / 1000) == nil
        }
        var created: Int64?
        var seq: Int64 = -1
        if case .object(let o)? = try? JSONParser.parse(request.body) {
            if case .string(let text)? = o["created_at"] { created = Timestamps.milliseconds(rfc3339: text) }
            if case .number(let n)? = o["seq"] { seq = n.int64 ?? -1 }
        }
        let fail = counters.state.withLock { s -> Bool in
            s.total += 1
            if !valid { s.badSignatures += 1 }
            if failEvery > 0, s.total % failEvery == 0 { return true }
            s.windowCount += 1
            if let created, seq > 0 {
                s.windowLatencies.append(arrived - created)
                s.allLatencies.append(arrived - created)
            }
            s.log += Array("\(headers["webhook-id"] ?? "-") \(seq) \(request.head.path)\n".utf8)
            return false
        }
        if !valid { return HTTPResponse(status: HTTPStatus(code: 401)) }
        return HTTPResponse(status: fail ? .internalServerError : .noContent)
    }

    func bodyLimit(for head: HTTPRequestHead) -> Int { 1 << 20 }
}

func percentile(_ values: [Int64], _ p: Double) -> Int64 {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

func runReceiver(_ arguments: ArraySlice<String>) async throws {
    var port = 0, failEvery = 0
    var secrets: [String] = []
    var logPath: String?
    var rest = arguments
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { usage() }
        switch flag {
        case "--port": port = Int(value) ?? 0
        case "--secret": secrets.append(value)
        case "--log": logPath = value
        case "--fail-every": failEvery = Int(value) ?? 0
        default: usage()
        }
    }
    let receiver = BenchReceiver(secrets: secrets, failEvery: failEvery)
    var configuration = HTTPServerConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = port
    configuration.ioQueueCount = 1
    configuration.accessLog = .disabled
    let server = HTTPServer(configuration: configuration, responder: receiver)
    let bound = try server.start()
    FileHandle.standardError.write(Data("receiver listening on 127.0.0.1:\(bound)\n".utf8))
    let log = logPath.flatMap { FileHandle(forWritingAtPath: $0) ?? (FileManager.default.createFile(atPath: $0, contents: nil) ? FileHandle(forWritingAtPath: $0) : nil) }
    log?.seekToEndOfFile()

    func flush() {
        let bytes = receiver.counters.state.withLock { s -> [UInt8] in
            defer { s.log.removeAll(keepingCapacity: true) }
            return s.log
        }
        if !bytes.isEmpty { log?.write(Data(bytes)) }
    }
    signal(SIGTERM, SIG_IGN)
    let stop = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
    stop.setEventHandler {
        flush()
        let summary = receiver.counters.state.withLock { s in
            "{\"total\":\(s.total),\"bad_signatures\":\(s.badSignatures),\"latency_ms_p50\":\(percentile(s.allLatencies, 0.5)),\"latency_ms_p99\":\(percentile(s.allLatencies, 0.99)),\"latency_samples\":\(s.allLatencies.count)}"
        }
        FileHandle.standardOutput.write(Data((summary + "\n").utf8))
        exit(0)
    }
    stop.resume()
    while true {
        try await Task.sleep(for: .seconds(1))
        flush()
        let line = receiver.counters.state.withLock { s -> String in
            let now = Int64(WallClock.milliseconds())
            let seconds = Double(max(1, now - s.windowStart)) / 1000
            let text = String(format: "{\"t\":%lld,\"deliveries\":%d,\"per_second\":%.0f,\"latency_ms_p50\":%lld,\"latency_ms_p99\":%lld,\"total\":%d,\"bad_signatures\":%d}",
                              now, s.windowCount, Double(s.windowCount) / seconds, percentile(s.windowLatencies, 0.5),
                              percentile(s.windowLatencies, 0.99), s.total, s.badSignatures)
            s.windowStart = now
            s.windowCount = 0
            s.windowLatencies.removeAll(keepingCapacity: true)
            return text
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

func runProducer(_ arguments: ArraySlice<String>) async throws {
    var url = "", key = ""
    var rate = 1000.0, duration = 10.0
    var skus = 10, threads = 8
    var rest = arguments
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { usage() }
        switch flag {
        case "--url": url = value
        case "--key": key = value
        case "--rate": rate = Double(value) ?? rate
        case "--duration": duration = Double(value) ?? duration
        case "--skus": skus = Int(value) ?? skus
        case "--threads": threads = Int(value) ?? threads
        default: usage()
        }
    }
    var configuration = HTTPClientConfiguration()
    configuration.workerThreads = threads
    configuration.maxConnectionsPerOrigin = threads
    configuration.maxIdleConnectionsPerOrigin = threads
    let client = try HTTPClient(configuration: configuration)
    let total = Int(rate * duration)
    final class Tally: Sendable {
        let accepted = Atomic<Int>(0)
        let refused = Atomic<Int>(0)
    }
    let tally = Tally()
    let started = ContinuousClock.now
    let interval = Duration.seconds(1 / rate)
    let (target, secret, count, lanes) = (url, key, skus, max(1, threads))
    // `lanes` threads of the client each send every lanes-th request at its own time (start +
    // i × interval), however long the one before took: a steady rate, not a closed loop that
    // slows with the server, and one blocking exchange per request (no task per request).
    await withTaskGroup(of: Void.self) { group in
        for lane in 0..<lanes {
            group.addTask {
                await client.onWorkerThread {
                    var i = lane
                    while i < total {
                        let due = started + interval * i
                        let wait = due - ContinuousClock.now
                        if wait > .zero {
                            var pause = timespec(tv_sec: Int(wait.components.seconds), tv_nsec: Int(wait.components.attoseconds / 1_000_000_000))
                            nanosleep(&pause, nil)
                        }
                        var headers = HTTPHeaders()
                        headers.add(name: "Authorization", value: "Bearer \(secret)")
                        headers.add(name: "Content-Type", value: "application/json")
                        let body = #"{"sku":"BENCH-\#(i % count + 1)","location":"SURAT","kind":"receive","qty":1}"#
                        if let request = try? HTTPClientRequest(method: .post, url: target + "/v1/inventory/movements", headers: headers, body: Array(body.utf8)),
                           let response = try? client.executeBlocking(request), response.status.code == 201 {
                            tally.accepted.add(1, ordering: .relaxed)
                        } else {
                            tally.refused.add(1, ordering: .relaxed)
                        }
                        i += lanes
                    }
                }
            }
        }
    }
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(String(format: "{\"accepted\":%d,\"refused\":%d,\"seconds\":%.2f,\"per_second\":%.0f}",
                 tally.accepted.load(ordering: .relaxed), tally.refused.load(ordering: .relaxed), seconds, Double(tally.accepted.load(ordering: .relaxed)) / seconds))
}
