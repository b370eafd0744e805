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

    static func post(_ w: OrderWorld, _ csv: String, kind: String, query: String = "", key: String? = nil) async -> HTTPResponse {
        await send(w.api, .post, "/v1/reconciliation/imports?kind=\(kind)\(query)", key: key ?? w.finance, headers: [("Content-Type", "text/csv")], body: csv)
    }

    /// "row:code" of each refused row.
    static func errors(_ response: HTTPResponse) -> [String] {
        response.list("errors").compactMap { e -> String? in
            guard case .object(let o) = e, case .number(let n)? = o["row"] else { return nil }
            return "\(n.int64 ?? 0):\(o["code"]?.text ?? "")"
        }
    }

    /// A stored settlement line's money and links, by gateway and entity id.
    static func line(_ w: OrderWorld, gateway: String, _ entityID: String) async throws -> [String]? {
        try await w.app.store.read { db in
            try db.queryFirst(
                """
                SELECT type, amount_paise, fee_paise, tax_paise, debit_paise, credit_paise, settled, settlement_id, settlement_utr, gateway_order_id,
                       gateway_payment_id, method, created_at, settled_at
                  FROM settlement_lines WHERE gateway = ?1 AND entity_id = ?2
                """, binding: gateway, entityID) { row in
                [try row["type"] as String, String(try row["amount_paise"] as Int64), String(try row["fee_paise"] as Int64),
                 String(try row["tax_paise"] as Int64), String(try row["debit_paise"] as Int64), String(try row["credit_paise"] as Int64),
                 String(try row["settled"] as Bool), try row["settlement_id"] as String? ?? "-", try row["settlement_utr"] as String? ?? "-",
                 try row["gateway_order_id"] as String? ?? "-", try row["gateway_payment_id"] as String? ?? "-", try row["method"] as String? ?? "-",
                 (try row["created_at"] as Int64?).map(String.init) ?? "-", (try row["settled_at"] as Int64?).map(String.init) ?? "-"]
            }
        }
    }

    /// A stored remittance's (remittance id, UTR, COD paise, net paise, channel order id), by courier and AWB.
    static func remittance(_ w: OrderWorld, courier: String, awb: String) async throws -> [String]? {
        try await w.app.store.read { db in
            try db.queryFirst(
                "SELECT remittance_id, utr, cod_amount_paise, net_remitted_paise, channel_order_id FROM cod_remittances WHERE courier = ?1 AND awb = ?2",
                binding: courier, awb) { row in
                [try row["remittance_id"] as String, try row["utr"] as String? ?? "-", String(try row["cod_amount_paise"] as Int64),
                 String(try row["net_remitted_paise"] as Int64), try row["channel_order_id"] as String? ?? "-"]
            }
        }
    }

    /// Cashfree's settlement recon API fields: a payment (the settlement webhook's sample sums,
    /// 100.00 − 1.75 − 0.31 = 97.94), its refund, an adjustment in rupees without paise, a
    /// payment without its settlement amount (credit = amount − fee), one amount with a third
    /// decimal, one settlement summary.
    static let cashfree = """
        event_id,event_type,sale_type,event_amount,event_settlement_amount,payment_service_charge,payment_service_tax,event_time,order_id,cf_payment_id,cf_settlement_id,settlement_date,settlement_utr,payment_group,adjustment_remarks
        1453002795,PAYMENT,CREDIT,100.00,97.94,1.75,0.31,2025-01-16T15:06:41+05:30,order_CF_1,1453002795,208386848,2025-01-18T10:00:00+05:30,AXISCN1169361047,UPI,
        11325632,REFUND,DEBIT,2.00,2.00,1.75,0.31,2025-01-17T12:54:25+05:30,order_CF_1,1453002795,208386848,2025-01-18 10:00:00,AXISCN1169361047,UPI,
        208386848,OTHER_ADJUSTMENT,DEBIT,1.5,1.5,,,2025-01-18T10:00:00+05:30,,,208386848,2025-01-18T10:00:00+05:30,AXISCN1169361047,,INSTANT_SETTLEMENT_CHARGE
        1453002796,PAYMENT,,2,,0.02,0,2025-01-16T16:00:00+05:30,order_CF_2,1453002796,,,,CARD,
        1453002797,PAYMENT,CREDIT,12.345,12.00,0.30,0.05,2025-01-16T17:00:00+05:30,order_CF_3,1453002797,,,,UPI,
        208386848,SETTLEMENT,CREDIT,100.00,95.94,,,2025-01-18T10:00:00+05:30,,,208386848,2025-01-18T10:00:00+05:30,AXISCN1169361047,,
        """

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

    @Test func aCashfreeFileIsImportedToThePaisaAndTheSameFileTwiceChangesNothing() async throws {
        try await withOrders { w in
            let first = await Self.post(w, Self.cashfree, kind: "cashfree_settlements")
            #expect(first.status == .ok && first.str("kind") == "cashfree_settlements", "\(first.text)")
            #expect(first.num("rows") == 6 && first.num("applied") == 4 && first.num("unchanged") == 0, "\(first.text)")
            #expect(Self.errors(first) == ["6:invalid_amount", "7:invalid_type"], "\(first.text)")
            #expect(first.str("errors.0.message")?.contains("event_amount 12.345") == true, "\(first.text)")

            // Payment: fee = charge + tax, tax = the tax, credit = the settled amount; keyed by cf_payment_id as the webhooks stored it.
            let payment = try await Self.line(w, gateway: "cashfree", "1453002795")
            #expect(payment == ["payment", "10000", "206", "31", "0", "9794", "true", "208386848", "AXISCN1169361047", "order_CF_1", "-", "UPI",
                                "1737020201000", "1737174600000"], "\(payment ?? [])")
            // Refund: debit = its amount; the payment's charges are not its fee; the dashboard's local time is IST.
            let refund = try await Self.line(w, gateway: "cashfree", "11325632")
            #expect(refund == ["refund", "200", "0", "0", "200", "0", "true", "208386848", "AXISCN1169361047", "order_CF_1", "1453002795", "UPI",
                               "1737098665000", "1737174600000"], "\(refund ?? [])")
            let adjustment = try await Self.line(w, gateway: "cashfree", "OTHER_ADJUSTMENT:208386848:INSTANT_SETTLEMENT_CHARGE")
            #expect(adjustment?[0...5] == ["adjustment", "150", "0", "0", "150", "0"], "\(adjustment ?? [])")
            // No settlement amount: credit = amount − fee; no UTR or date: not settled.
            let unsettled = try await Self.line(w, gateway: "cashfree", "1453002796")
            #expect(unsettled?[0...6] == ["payment", "200", "2", "0", "0", "198", "false"], "\(unsettled ?? [])")

            let again = await Self.post(w, Self.cashfree, kind: "cashfree_settlements")
            #expect(again.num("applied") == 0 && again.num("unchanged") == 4 && Self.errors(again) == ["6:invalid_amount", "7:invalid_type"], "\(again.text)")
        }
    }

    @Test func cashfreeDashboardHeadersAreReadToo() async throws {
        try await withOrders { w in
            let csv = """
                Event ID,Event Type,Sale Type,Event Amount,Event Settlement Amount,Service Charge,Service Tax,Event Time,Order ID,Payment ID,Settlement Date,UTR
                4387450090,PAYMENT,CREDIT,3.00,2.94,0.05,0.01,2025-09-26 15:05:12,order_CF_9,4387450090,2025-10-08 15:35:50,AXISCN1169361047
                """
            let response = await Self.post(w, csv, kind: "cashfree_settlements")
            #expect(response.num("applied") == 1 && Self.errors(response).isEmpty, "\(response.text)")
            let line = try await Self.line(w, gateway: "cashfree", "4387450090")
            #expect(line?[0...9] == ["payment", "300", "6", "1", "0", "294", "true", "-", "AXISCN1169361047", "order_CF_9"], "\(line ?? [])")
            let missing = await Self.post(w, "Event ID,Event Type\n1,PAYMENT\n", kind: "cashfree_settlements")
            #expect(missing.str("errors.0.code") == "missing_column", "\(missing.text)")
            #expect(missing.str("errors.0.message")?.contains(#"event_amount (looked for "event_amount" or "event amount")"#) == true, "\(missing.text)")
        }
    }

    /// Delhivery's remittance report, under its own headers.
    static let delhivery = """
        Waybill,Order ID,COD Amount,Remitted Amount,UTR No,Remittance Date
        1490811234567,DL-1,1499.00,1463.02,UTRDL001,2026-12-03
        1490811234568,DL-2,250,250,UTRDL001,2026-12-03
        1490811234569,DL-3,99.999,99,UTRDL001,2026-12-03
        """

    @Test func aDelhiveryLayoutIsReadByItsBuiltInMappingAndByAColumnsOverride() async throws {
        try await withOrders { w in
            let builtIn = await Self.post(w, Self.delhivery, kind: "cod_remittance", query: "&courier=delhivery")
            #expect(builtIn.num("applied") == 2 && Self.errors(builtIn) == ["4:invalid_amount"], "\(builtIn.text)")
            let stored1 = try await Self.remittance(w, courier: "delhivery", awb: "1490811234567")
            #expect(stored1 == ["UTRDL001", "UTRDL001", "149900", "146302", "DL-1"])
            #expect(await Self.post(w, Self.delhivery, kind: "cod_remittance", query: "&courier=delhivery").num("unchanged") == 2)

            // A courier Bahi has no layout for, named per request (percent-encoded spaces and +).
            let columns = "remittance_id:UTR+No,utr:UTR%20No,awb:Waybill,channel_order_id:Order%20ID,cod_amount:COD%20Amount,net_remitted:Remitted%20Amount"
            let overridden = await Self.post(w, Self.delhivery, kind: "cod_remittance", query: "&courier=ecom&columns=\(columns)")
            #expect(overridden.num("applied") == 2 && Self.errors(overridden) == ["4:invalid_amount"], "\(overridden.text)")
            let stored2 = try await Self.remittance(w, courier: "ecom", awb: "1490811234568")
            #expect(stored2 == ["UTRDL001", "UTRDL001", "25000", "25000", "DL-2"])

            // The default layout's file is not Delhivery's: the error names our column and the header looked for.
            let wrong = await Self.post(w, Self.delhivery, kind: "cod_remittance")
            #expect(wrong.str("errors.0.code") == "missing_column", "\(wrong.text)")
            #expect(wrong.str("errors.0.message")?.contains(#"awb (looked for "awb")"#) == true, "\(wrong.text)")
            // Delhivery's layout with one column renamed away: named with the header it now expects.
            let renamed = await Self.post(w, Self.delhivery, kind: "cod_remittance", query: "&courier=delhivery&columns=awb:AWB%20Number")
            #expect(renamed.str("errors.0.message")?.contains(#"awb (looked for "AWB Number")"#) == true, "\(renamed.text)")
        }
    }

    @Test func aConfiguredCourierLayoutIsUsed() async throws {
        try await withOrders(configure: { config in
            config.reconciliation.remittanceColumns = ["ecom": ["remittance_id": "Remittance No", "awb": "AWB Number", "cod_amount": "COD Value",
                                                                "net_remitted": "Net Payable"]]
        }) { w in
            let csv = "Remittance No,AWB Number,COD Value,Net Payable\nREM-E1,EC100,10.50,10.00\n"
            let response = await Self.post(w, csv, kind: "cod_remittance", query: "&courier=ECOM")
            #expect(response.num("applied") == 1, "\(response.text)")
            let stored3 = try await Self.remittance(w, courier: "ecom", awb: "EC100")
            #expect(stored3 == ["REM-E1", "-", "1050", "1000", "-"])
        }
    }

    @Test func aMappingNamingAnUnknownColumnIsRefused() async throws {
        try await withOrders { w in
            let response = await Self.post(w, Self.delhivery, kind: "cod_remittance", query: "&courier=delhivery&columns=waybil:Waybill")
            #expect(response.status.code == 400 && response.str("code") == "invalid_query", "\(response.text)")
            #expect(response.str("errors.0.field") == "columns" && response.str("errors.0.message")?.hasPrefix("waybil is not a cod_remittance column") == true,
                    "\(response.text)")
            #expect(await Self.post(w, Self.cashfree, kind: "cashfree_settlements", query: "&columns=awb:Waybill").status.code == 400)
            #expect(await Self.post(w, Self.delhivery, kind: "cod_remittance", query: "&columns=Waybill").status.code == 400)
            let nothingStored = try await w.app.store.read { db in
                try db.queryFirst("SELECT COUNT(*) AS n FROM cod_remittances", []) { row in try row["n"] as Int64 }
            }
            #expect(nothingStored == 0)
        }
    }

    @Test func mappingsAreParsedAndCheckedPurely() throws {
        #expect(try SettlementImportColumns.mapping(" AWB : Waybill , cod_amount:COD Amount,") == ["awb": "Waybill", "cod_amount": "COD Amount"])
        #expect(try SettlementImportColumns.mapping("note:a:b") == ["note": "a:b"])
        #expect(throws: SettlementImportColumns.Problem.self) { try SettlementImportColumns.mapping("awb") }
        #expect(throws: SettlementImportColumns.Problem.self) { try SettlementImportColumns.mapping("awb:A,awb:B") }
        #expect(SettlementImportColumns.check(["waybil": "Waybill"], kind: .codRemittance)?.column == "waybil")
        #expect(SettlementImportColumns.check(["awb": " "], kind: .codRemittance)?.column == "awb")
        #expect(SettlementImportColumns.check(["awb": "Waybill"], kind: .codRemittance) == nil)
        #expect(SettlementImportColumns.check(["awb": "Waybill"], kind: .cashfreeSettlements)?.column == "awb")
        #expect(SettlementImport.Kind(gateway: "Cashfree") == .cashfreeSettlements && SettlementImport.Kind(gateway: "payu") == nil)
        // The built-in layouts: every mapped name is a column of the kind.
        for (courier, layout) in SettlementImportColumns.courierLayouts {
            #expect(SettlementImportColumns.check(layout, kind: .codRemittance) == nil, "\(courier)")
        }
    }
}
