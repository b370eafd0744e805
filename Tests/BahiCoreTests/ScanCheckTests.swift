import Testing
import BahiCore

@Suite struct ScanCheckTests {
    private func mismatch(_ expected: [String: Int64], _ scanned: [String]) -> DomainError? {
        do { try ScanCheck.check(expected: expected, scanned: scanned) } catch { return error }
        return nil
    }

    private func extra(_ error: DomainError?, _ key: String) -> String? {
        error?.details.first { $0.key == key }?.json
    }

    @Test func exactScansPassInAnyOrder() throws {
        try ScanCheck.check(expected: ["TEE-M": 2, "MUG": 1], scanned: ["MUG", "TEE-M", "TEE-M"])
        // Scanner line endings and empty scans are tolerated; zero lines expect nothing.
        try ScanCheck.check(expected: ["TEE-M": 1, "GIFT": 0], scanned: ["TEE-M\r\n", "  ", ""])
        try ScanCheck.check(expected: [:], scanned: [])
    }

    @Test func reportsMissingAndExtraWithCounts() {
        let e = mismatch(["TEE-M": 3, "MUG": 1, "CAP": 1], ["TEE-M", "TEE-L", "TEE-L", "CAP", "CAP"])
        #expect(e?.code == .scanMismatch)
        #expect(e?.code.rawValue == "scan_mismatch")
        #expect(e?.message == "The scans do not match the shipment: missing MUG ×1, TEE-M ×2; extra CAP ×1, TEE-L ×2.")
        #expect(extra(e, "missing") == #"[{"sku":"MUG","qty":1},{"sku":"TEE-M","qty":2}]"#)
        #expect(extra(e, "extra") == #"[{"sku":"CAP","qty":1},{"sku":"TEE-L","qty":2}]"#)
    }

    @Test func onlyMissing() {
        let e = mismatch(["TEE-M": 2], ["TEE-M"])
        #expect(e?.message == "The scans do not match the shipment: missing TEE-M ×1.")
        #expect(extra(e, "missing") == #"[{"sku":"TEE-M","qty":1}]"#)
        #expect(extra(e, "extra") == "[]")
    }

    @Test func onlyExtraAndCaseMatters() {
        let e = mismatch(["tee-m": 1], ["tee-m", "TEE-M"])
        #expect(extra(e, "missing") == "[]")
        #expect(extra(e, "extra") == #"[{"sku":"TEE-M","qty":1}]"#)
        let nothingExpected = mismatch([:], ["X"])
        #expect(extra(nothingExpected, "extra") == #"[{"sku":"X","qty":1}]"#)
    }

    @Test func skuTextIsEscapedInJSON() {
        let e = mismatch([:], ["A\"B"])
        #expect(extra(e, "extra") == #"[{"sku":"A\"B","qty":1}]"#)
    }
}
