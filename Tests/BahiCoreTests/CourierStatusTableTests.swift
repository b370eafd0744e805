import Foundation
import Testing
@testable import BahiCore

/// The courier status table is well formed, says what the issue and the reference say for the
/// statuses that matter, and `docs/COURIERS.md`'s "Status mapping" section is its current
/// rendering.
///
/// To regenerate that section after changing the table: `scripts/couriers-md.sh` (it runs this
/// suite with `BAHI_WRITE_COURIERS_MD=1`, which rewrites the section and leaves the rest of the
/// page — other sections, written by hand or by others — as it is).
@Suite struct CourierStatusTableTests {
    static var couriersPage: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/COURIERS.md")
    }

    /// `page` split around the section that starts at `heading` and runs to the next `## `
    /// heading: the text before, the section (trailing blank lines dropped), the text after.
    static func split(_ page: String, heading: String) -> (before: String, section: String?, after: String) {
        let lines = page.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: heading) else { return (page, nil, "") }
        let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("## ") } ?? lines.count
        var section = Array(lines[start..<end])
        while section.last == "" { section.removeLast() }
        return (lines[..<start].joined(separator: "\n"), section.joined(separator: "\n"), lines[end...].joined(separator: "\n"))
    }

    @Test func couriersPageHasTheTable() throws {
        let expected = CourierStatusTable.markdown.trimmingCharacters(in: .newlines)
        var page = (try? String(contentsOf: Self.couriersPage, encoding: .utf8)) ?? "# Couriers\n"
        let parts = Self.split(page, heading: CourierStatusTable.sectionHeading)
        if ProcessInfo.processInfo.environment["BAHI_WRITE_COURIERS_MD"] != nil {
            if parts.section == nil {
                page = page.trimmingCharacters(in: .newlines) + "\n\n" + expected + "\n"
            } else {
                page = parts.before + expected + "\n" + (parts.after.isEmpty ? "" : "\n" + parts.after)
            }
            try page.write(to: Self.couriersPage, atomically: true, encoding: .utf8)
            return
        }
        #expect(parts.section == expected, "docs/COURIERS.md's Status mapping is out of date: run scripts/couriers-md.sh")
    }

    @Test func splittingLeavesOtherSectionsAlone() {
        let page = "# Couriers\n\nintro\n\n## Status mapping\n\nold\n\n### sub\n\nx\n\n## Rate cards and quotes\n\nrates\n"
        let parts = Self.split(page, heading: "## Status mapping")
        #expect(parts.section == "## Status mapping\n\nold\n\n### sub\n\nx")
        #expect(parts.after == "## Rate cards and quotes\n\nrates\n")
        #expect(parts.before == "# Couriers\n\nintro\n")
        #expect(Self.split("# Couriers\n", heading: "## Status mapping").section == nil)
    }

    @Test func everyCodeOnceAndNeverAWarehouseStatus() {
        var seen = Set<String>()
        for row in CourierStatusTable.rows {
            #expect(seen.insert("\(row.scheme.rawValue)|\(row.code.lowercased())").inserted, "\(row.scheme.rawValue) \(row.code) twice")
            #expect(!row.label.isEmpty)
            // Couriers never put a parcel back on a shelf: packing owns those states.
            if let status = row.status { #expect(![.pending, .picking, .packed].contains(status), "\(row.code)") }
            #expect(!row.code.contains("|") && !row.label.contains("|") && !(row.note ?? "").contains("|"), "breaks the table: \(row.code)")
        }
        #expect(CourierStatusTable.rows.filter { $0.scheme == .shiprocketShipment }.count == 49)
        #expect(CourierStatusTable.rows.filter { $0.scheme == .shiprocketOrder }.count == 61)
        // Every shipment status a courier can bring about is named by every provider.
        for scheme in [CourierStatusTable.Scheme.shiprocketShipment, .shiprocketOrder, .delhivery] {
            let reached = Set(CourierStatusTable.rows.filter { $0.scheme == scheme }.compactMap(\.status))
            let expected: Set<ShipmentStatus> = scheme == .delhivery
                ? [.ready, .inTransit, .outForDelivery, .delivered, .undelivered, .rtoInTransit, .rtoDelivered]
                : [.ready, .pickedUp, .inTransit, .outForDelivery, .delivered, .undelivered, .rtoInitiated, .rtoInTransit, .rtoDelivered, .lost, .cancelled]
            #expect(reached == expected, "\(scheme.rawValue)")
        }
    }

    @Test func theMappingsTheIssueNames() {
        typealias T = CourierStatusTable
        #expect(T.status(.delhivery, T.delhiveryCode(type: "DL", status: "Delivered", nsl: "EOD-38")) == .delivered)
        #expect(T.status(.delhivery, T.delhiveryCode(type: "DL", status: "RTO", nsl: nil)) == .rtoDelivered)
        #expect(T.status(.delhivery, T.delhiveryCode(type: "DL", status: "DTO", nsl: nil)) == nil)
        #expect(T.status(.delhivery, T.delhiveryCode(type: "RT", status: "In Transit", nsl: nil)) == .rtoInTransit)
        #expect(T.status(.delhivery, T.delhiveryCode(type: "UD", status: "Pending", nsl: "X-IBD3F")) == .inTransit)
        #expect(T.status(.delhivery, T.delhiveryCode(type: "UD", status: "Pending", nsl: "EOD-11")) == .undelivered)
        #expect(T.status(.delhivery, T.delhiveryCode(type: "UD", status: "Pending", nsl: nil)) == .inTransit)
        #expect(T.status(.shiprocketShipment, "18") == .inTransit && T.status(.shiprocketOrder, "20") == .inTransit)
        #expect(T.status(.shiprocketShipment, "42") == .pickedUp && T.status(.shiprocketOrder, "51") == .pickedUp)
        #expect(T.status(.shiprocketShipment, "17") == .outForDelivery && T.status(.shiprocketOrder, "19") == .outForDelivery)
        #expect(T.status(.shiprocketShipment, "21") == .undelivered && T.status(.shiprocketOrder, "36") == .undelivered)
        #expect(T.status(.shiprocketShipment, "10") == .rtoDelivered && T.status(.shiprocketOrder, "16") == .rtoDelivered)
        #expect(T.status(.shiprocketShipment, "12") == .lost && T.status(.shiprocketOrder, "33") == .lost)
        #expect(T.status(.shiprocketShipment, "999") == nil && T.status(.shiprocketOrder, "NA") == nil && T.status(.delhivery, "XX/New") == nil)
        #expect(T.status(.manual, "out_for_delivery") == .outForDelivery && T.status(.manual, "teleported") == nil)
    }
}
