import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiHTTP
import BahiJSON

/// Settlement and remittance files in: every row reported on its own, the same file twice
/// changing nothing, a row the gateway updated replacing the old, remitted COD cash moving its
/// order to cod_remitted (both stores).
@Suite struct SettlementImportTests {
    static let recon = """
        entity_id,type,debit,credit,amount,currency,fee,tax,on_hold,settled,created_at,settled_at,settlement_id,settlement_utr,order_id,order_receipt,payment_id,method
        pay_A1,payment,0,97100,100000,INR,2900,442,0,1,1733300000,1733500000,setl_1,UTR001,order_A1,ord_x,,upi
        rfnd_A2,refund,50000,0,50000,INR,0,0,0,1,1733300000,1733500000,setl_1,UTR001,order_A1,,pay_A1,upi
        adj_A3,adjustment,0,1500,1500,INR,0,0,0,0,1733300000,,,,,,,
        pay_A4,bogus,0,1,1,INR,0,0,0,0,1733300000,,,,,,,
        pay_A5,payment,0,97100,ten rupees,INR,2900,442,0,0,1733300000,,,,,,,card
        """

    static func post(_ w: OrderWorld, _ csv: String, kind: String, key: String? = nil) async -> HTTPResponse {
        await send(w.api, .post, "/v1/reconciliation/imports?kind=\(kind)", key: key ?? w.finance, headers: [("Content-Type", "text/csv")], body: csv)
    }

    @Test func aSettlementFileIsReportedRowByRowAndTheSameFileTwiceChangesNothing() async throws {
        try await withOrders { w in
            let first = await Self.post(w, Self.recon, kind: "razorpay_settlements")
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.num("rows") == 5 && first.num("applied") == 3 && first.num("unchanged") == 0)
            let errors = first.list("errors").compactMap { e -> String? in
                guard case .object(let o) = e, case .number(let n)? = o["row"] else { return nil }
                return "\(n.int64 ?? 0):\(o["code"]?.text ?? "")"
            }
            #expect(errors == ["5:invalid_type", "6:invalid_amount"], "\(first.text)")
            let again = await Self.post(w, Self.recon, kind: "razorpay_settlements")
            #expect(again.num("applied") == 0 && again.num("unchanged") == 3)
            // Razorpay settled the adjustment since: that row is replaced, the others stay.
            let updated = Self.recon.replacingOccurrences(of: "adj_A3,adjustment,0,1500,1500,INR,0,0,0,0,1733300000,,,,", with: "adj_A3,adjustment,0,1500,1500,INR,0,0,0,1,1733300000,1733600000,setl_2,UTR002,")
            let third = await Self.post(w, updated, kind: "razorpay_settlements")
            #expect(third.num("applied") == 1 && third.num("unchanged") == 2, "\(third.text)")
            let stored = try await w.app.store.read { db in
                try db.queryFirst("SELECT settled, settlement_utr FROM settlement_lines WHERE entity_id = 'adj_A3'", []) { row in
                    (try row["settled"] as Bool, try row["settlement_utr"] as String?)
                }
            }
            #expect(stored?.0 == true && stored?.1 == "UTR002")
            try await w.app.numberPendingEvents()
            let imports = try await w.app.store.read { db in try EventLog.list(db, after: 0, type: "reconciliation.import_completed", limit: 10) }
            #expect(imports.count == 3, "one event per import")
        }
    }

    @Test func aFileWithoutItsColumnsIsRefusedWhole() async throws {
        try await withOrders { w in
            let response = await Self.post(w, "entity_id,amount\npay_1,100\n", kind: "razorpay_settlements")
            #expect(response.num("applied") == 0 && response.str("errors.0.code") == "missing_column")
            #expect(await Self.post(w, Self.recon, kind: "bank_statement").status.code == 400)
            #expect(await send(w.api, .post, "/v1/reconciliation/imports?kind=razorpay_settlements", key: w.finance, body: "{}").status.code == 415)
            #expect(await Self.post(w, Self.recon, kind: "razorpay_settlements", key: w.warehouse).status.code == 403)
        }
    }

    @Test func aTimeTooLargeForMillisecondsIsARowErrorNotACrash() async throws {
        try await withOrders { w in
            let csv = "entity_id,type,debit,credit,amount,fee,tax,settled,created_at\npay_T1,payment,0,97100,100000,2900,442,1,9223372036854775807\n"
            let response = await Self.post(w, csv, kind: "razorpay_settlements")
            #expect(response.status == .ok && response.num("applied") == 0 && response.str("errors.0.code") == "invalid_time", "\(response.text)")
        }
    }

    @Test func remittedCODCashMovesItsOrderToRemittedOnce() async throws {
        try await withOrders { w in
            try await w.stock("TEE", 10)
            let placed = await w.place(orderJSON("COD-R1", payment: codPayment))
            let id = try #require(placed.str("id"))
            let total = try #require(placed.num("totals.total_paise"))
            #expect(placed.str("payment.status") == "cod_pending")
            _ = try await w.app.write { db in
                try PaymentFlow.codCollected(db, orderID: id, amountPaise: total, reference: "AWB9001", actor: "courier", now: Int64(WallClock.milliseconds()))
            }
            #expect(await w.order(id).str("payment.status") == "cod_collected")
            let rupees = String(format: "%d.%02d", total / 100, total % 100)
            let csv = """
                remittance_id,utr,remittance_date,awb,channel_order_id,cod_amount,freight_deducted,cod_charge,early_cod_fee,reversal_amount,net_remitted
                REM-77,UTR77,2026-12-03,AWB9001,COD-R1,\(rupees),0,36.00,0,0,\(String(format: "%d.%02d", (total - 3600) / 100, (total - 3600) % 100))
                REM-77,UTR77,2026-12-03,AWB9002,NOBODY-1,100.00,0,0,0,0,100.00
                """
            let first = await Self.post(w, csv, kind: "cod_remittance")
            #expect(first.status == .ok && first.num("applied") == 2 && first.num("orders_remitted") == 1, "\(first.text)")
            #expect(await w.order(id).str("payment.status") == "cod_remitted")
            let again = await Self.post(w, csv, kind: "cod_remittance")
            #expect(again.num("applied") == 0 && again.num("unchanged") == 2 && again.num("orders_remitted") == 0)
        }
    }
}
