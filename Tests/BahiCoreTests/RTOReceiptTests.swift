import Testing
import BahiCore

/// The pure rules under manifests and RTO receipts: a receipt must account for exactly the
/// units the parcel carried, per SKU, and a manifest's status follows from its parcels.
@Suite struct RTOReceiptTests {
    static let carried: [String: Int64] = ["TEE": 3, "MUG": 2]

    static func line(_ sku: String, _ qty: Int64, _ condition: RTOReceipt.Condition) -> RTOReceipt.Line {
        RTOReceipt.Line(sku: sku, qty: qty, condition: condition)
    }

    @Test func aReceiptThatAccountsForEveryUnitHasNoProblem() {
        let lines = [Self.line("TEE", 2, .good), Self.line("MUG", 2, .missing), Self.line("TEE", 1, .damaged)]
        #expect(RTOReceipt.problems(lines, carried: Self.carried).isEmpty)
        let receipt = RTOReceipt(shipmentID: "shp_x", receivedAt: 0, actor: nil, lines: lines)
        #expect(receipt.units(.good) == ["TEE": 2] && receipt.units(.damaged) == ["TEE": 1] && receipt.units(.missing) == ["MUG": 2])
    }

    @Test func aSKUNotCarriedOrASumThatDiffersIsNamedByLine() {
        let problems = RTOReceipt.problems([Self.line("TEE", 1, .good), Self.line("SERUM", 1, .good), Self.line("TEE", 1, .damaged), Self.line("MUG", 2, .good)],
                                           carried: Self.carried)
        #expect(problems.map(\.path) == ["lines[1].sku", "lines[2].qty"])
        #expect(problems.map(\.code) == ["not_in_shipment", "qty_mismatch"])
        // Too many units is as wrong as too few.
        #expect(RTOReceipt.problems([Self.line("TEE", 4, .good), Self.line("MUG", 2, .good)], carried: Self.carried).map(\.path) == ["lines[0].qty"])
        // A carried SKU with no line at all.
        let silent = RTOReceipt.problems([Self.line("TEE", 3, .good)], carried: Self.carried)
        #expect(silent.map(\.path) == ["lines"] && silent.map(\.code) == ["sku_unaccounted"])
    }

    @Test func aManifestsStatusFollowsItsParcels() {
        #expect(ManifestStatus(waiting: 3, handedOver: 0) == .open)
        #expect(ManifestStatus(waiting: 0, handedOver: 0) == .open)
        #expect(ManifestStatus(waiting: 1, handedOver: 2) == .partiallyHandedOver)
        #expect(ManifestStatus(waiting: 0, handedOver: 2) == .handedOver)
    }
}
