/// What was found when a returned (RTO) parcel was opened at its location: for each SKU it
/// carried, how many units were good (restocked), damaged (kept apart, never sold again) or
/// missing. Recorded once per shipment, by whom and when (`RTOReceiveFlow`).
public struct RTOReceipt: Sendable, Equatable {
    /// What a unit was found to be.
    public enum Condition: String, Sendable, CaseIterable {
        case good, damaged, missing
    }

    /// Units of one stocked SKU in one condition.
    public struct Line: Sendable, Equatable {
        public var sku: String
        public var qty: Int64
        public var condition: Condition

        public init(sku: String, qty: Int64, condition: Condition) {
            self.sku = sku
            self.qty = qty
            self.condition = condition
        }
    }

    public var shipmentID: String
    public var receivedAt: Int64
    public var actor: String?
    public var lines: [Line]

    public init(shipmentID: String, receivedAt: Int64, actor: String?, lines: [Line]) {
        self.shipmentID = shipmentID
        self.receivedAt = receivedAt
        self.actor = actor
        self.lines = lines
    }

    /// Units per SKU in `condition`, over every line.
    public func units(_ condition: Condition) -> [String: Int64] {
        lines.filter { $0.condition == condition }.reduce(into: [:]) { $0[$1.sku, default: 0] += $1.qty }
    }

    /// Every problem with `lines` as a receipt of a parcel that carried `carried` (stocked SKU →
    /// units): each SKU must be one the parcel carried (`lines[i].sku`, `not_in_shipment`), and
    /// each SKU's lines must add up to exactly what it carried (`lines[i].qty`, `qty_mismatch`,
    /// named on the SKU's last line; a SKU with no line at all is named on `lines`). Pure: the
    /// flow writes nothing unless this is empty.
    public static func problems(_ lines: [Line], carried: [String: Int64]) -> [FieldProblem] {
        var out: [FieldProblem] = []
        var counted: [String: Int64] = [:]
        var last: [String: Int] = [:]
        for (i, line) in lines.enumerated() {
            guard carried[line.sku] != nil else {
                out.append(.inItem("lines", i, field: "sku", "not_in_shipment", "The parcel carried no \(line.sku) (it carried \(carried.keys.sorted().joined(separator: ", ")))."))
                continue
            }
            counted[line.sku, default: 0] += line.qty
            last[line.sku] = i
        }
        for (sku, qty) in carried.sorted(by: { $0.key < $1.key }) {
            let found = counted[sku] ?? 0
            guard found != qty else { continue }
            if let i = last[sku] {
                out.append(.inItem("lines", i, field: "qty", "qty_mismatch",
                                   "The lines for \(sku) add up to \(found) but the parcel carried \(qty): account for every unit as good, damaged or missing."))
            } else {
                out.append(FieldProblem("lines", "sku_unaccounted", "The parcel carried \(qty) of \(sku); add a line for them (good, damaged or missing)."))
            }
        }
        return out
    }
}
