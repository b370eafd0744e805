import BahiCore
import BahiHTTP
import BahiJSON
import BahiStore

/// "Where is my money": the reconciliation report (`GET /v1/reconciliation/report`, JSON or
/// CSV) and the checks that name what went quiet or came short (`POST
/// /v1/reconciliation/checks`; they also run after every import and on a timer).
enum ReconciliationRoutes {
    static let tag = PaymentRoutes.tag
    static let finance = PaymentRoutes.finance

    static let money = Schema.integer()
    static let count = Schema.integer(atLeast: 0)

    static let totals = Schema.object([
        "orders": count.described("Orders placed in the period and not cancelled."),
        "sales_paise": money.described("Their totals."), "prepaid_sales_paise": money, "cod_sales_paise": money,
        "cancelled_orders": count, "cancelled_paise": money,
        "prepaid_captured_paise": money.described("Gateway and hand-entered payments captured in the period."), "prepaid_payments": count,
        "cod_collected_paise": money.described("COD cash couriers collected at delivery in the period."), "cod_payments": count,
        "settled_gross_paise": money.described("Payments the gateways settled in the period, at their amount."),
        "fees_paise": money.described("The gateways' fees on lines settled in the period, GST included."),
        "fee_gst_paise": money.described("The GST inside those fees."),
        "settlement_refunds_paise": money.described("Refunds taken back in settlements of the period."),
        "settled_paise": money.described("What reached the bank from the gateways: credits less debits."), "settlement_lines": count,
        "refunds_processed_paise": money, "refunds_processed": count,
        "refunds_pending_paise": money.described("Refunds asked in the period and still pending."), "refunds_pending": count,
        "remitted_cod_paise": money.described("COD cash covered by remittances dated in the period."),
        "remittance_deductions_paise": money.described("What couriers deducted: freight, COD charges, early-COD fees, reversals."),
        "remitted_paise": money.described("What couriers paid the seller."), "remittance_rows": count,
        "outstanding_prepaid_paise": money.described("Captured in the period and not yet settled."),
        "outstanding_cod_paise": money.described("Collected in the period and not yet remitted."),
        "outstanding_paise": money.described("Both: the period's money not yet in the bank."),
    ], allRequired: true)

    static let report = Schema.object([
        "from": Schema.string(format: "date-time"), "to": Schema.string(format: "date-time").described("Exclusive."),
        "as_of": Schema.string(format: "date-time").described("When ages and what is outstanding were judged: now."),
        "currency": Schema.string(enum: ["INR"]),
        "totals": totals,
        "cod_ageing": .array(of: .object([
            "bucket": Schema.string(enum: ReconciliationReport.emptyAgeing().map(\.label)), "min_days": count, "max_days": Schema.integer().nullable,
            "orders": count, "amount_paise": money,
        ], allRequired: true)).described("COD cash collected in the period and not remitted, by whole days since delivery."),
        "mismatch_totals": .array(of: .object([
            "kind": Schema.string(enum: PaymentMismatch.Kind.allCases.map(\.rawValue)), "count": count, "open": count,
            "open_amount_paise": money, "open_refund_due_paise": money,
        ], allRequired: true)).described("Every kind, with zeros stated."),
        "mismatches": .array(of: .ref(Components.reportMismatch)).described("Every mismatch whose money moved in the period, open or resolved, oldest first; `age_days` counts to as_of."),
    ], allRequired: true)

    static func register(on api: inout API) {
        api.route(.get, "/v1/reconciliation/report", access: finance, RouteDoc(
            "Where the money is: sales, captures, settlements, fees, refunds, remittances, what is outstanding, and every mismatch",
            description: """
            from and to are dates (YYYY-MM-DD, days in India Standard Time; to is inclusive) or RFC 3339 times (to exclusive); \
            the default is this month so far. Each figure counts money by when it moved: orders by when they were placed, \
            payments by when Bahi first heard of them, settlements by when they settled, refunds by when they were processed \
            (or asked, while pending), remittances by their date, mismatches by when their money moved. Ages and what is \
            outstanding are judged now. The mismatches are what the checks have found (they run after every import, every \
            reconciliation.check_interval_seconds, and on POST /v1/reconciliation/checks). format=csv: one row per total, \
            ageing bucket and mismatch, for a spreadsheet.
            """,
            query: [QueryParameter("from", .string(maxLength: 40), "First day (or time) of the period."),
                    QueryParameter("to", .string(maxLength: 40), "Last day of the period (inclusive), or the time it ends (exclusive)."),
                    QueryParameter("format", .string(enum: ["json", "csv"]), "json (default) or csv.")],
            responses: [ResponseDoc(200, "The report", .jsonOrCSV(report))]
        ).tagged(tag)) { ctx in
            var errors: [FieldError] = []
            let now = Int64(WallClock.milliseconds())
            let format = ctx.request.queryItem("format") ?? "json"
            if format != "json" && format != "csv" { errors.append(FieldError(field: "format", code: "invalid", message: "json or csv.")) }
            let from = period(ctx.request.queryItem("from"), "from", end: false, &errors) ?? ReconciliationPeriod.monthStart(containing: now)
            let to = period(ctx.request.queryItem("to"), "to", end: true, &errors) ?? ReconciliationPeriod.dayEnd(containing: now)
            if errors.isEmpty, from >= to { errors.append(FieldError(field: "to", code: "out_of_range", message: "The period ends before it begins: to must be after from.")) }
            try InventoryReads.check(errors)
            let report = try await ctx.app.store.read { db in try ReconciliationReportFlow.report(db, from: from, to: to, asOf: now) }
            if format == "csv" {
                return InventoryCSVRoutes.csvResponse(report.csv, filename: "reconciliation-\(ReconciliationPeriod.day(from))-\(ReconciliationPeriod.day(to - 1)).csv")
            }
            return .json(report.json)
        }

        api.route(.post, "/v1/reconciliation/checks", access: finance, RouteDoc(
            "Run the reconciliation checks now",
            description: "Names what went quiet or came short, as of now: captured_not_settled, settled_amount_mismatch, fee_above_agreed, refund_stuck, cod_delivered_not_remitted, cod_short_remitted (each once per subject), and resolves those whose money has since arrived. Safe to repeat; they also run after every import and every reconciliation.check_interval_seconds.",
            responses: [.ok(.object([
                "found": .object(PaymentMismatch.Kind.allCases.map { (key: $0.rawValue, value: count) }, allRequired: true)
                    .described("Mismatches recorded by this run, by kind."),
                "found_total": count, "resolved": count.described("Mismatches this run found cleared (the money arrived)."),
            ], allRequired: true))]
        ).tagged(tag)) { ctx in
            .json(checksJSON(try await ctx.app.runReconciliationChecks()))
        }
    }

    static func checksJSON(_ outcome: ReconciliationChecks.Outcome) -> JSONValue {
        var found = JSONObject()
        for kind in PaymentMismatch.Kind.allCases { found[kind.rawValue] = .int(Int64(outcome.found[kind] ?? 0)) }
        return .object(["found": .object(found), "found_total": .int(Int64(outcome.foundTotal)), "resolved": .int(Int64(outcome.resolved))])
    }

    /// A period bound from a query parameter: a date (a day in IST; as `to`, the day's end) or
    /// an RFC 3339 time; nil when absent, an error named when it is neither.
    static func period(_ text: String?, _ name: String, end: Bool, _ errors: inout [FieldError]) -> Int64? {
        guard let text else { return nil }
        if let day = ReconciliationPeriod.dayStart(text) { return end ? day + 86_400_000 : day }
        if let ms = Timestamps.milliseconds(rfc3339: text) { return ms }
        errors.append(FieldError(field: name, code: "invalid", message: "A date YYYY-MM-DD (India Standard Time) or an RFC 3339 time, not \(text)."))
        return nil
    }
}
