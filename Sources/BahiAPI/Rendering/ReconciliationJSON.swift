import BahiCore
import BahiJSON

extension ReconciliationReport {
    var totalFields: [(String, Int64)] {
        [("orders", sales.orders), ("sales_paise", sales.totalPaise), ("prepaid_sales_paise", sales.prepaidPaise), ("cod_sales_paise", sales.codPaise),
         ("cancelled_orders", sales.cancelledOrders), ("cancelled_paise", sales.cancelledPaise),
         ("prepaid_captured_paise", prepaidCapturedPaise), ("prepaid_payments", prepaidPayments),
         ("cod_collected_paise", codCollectedPaise), ("cod_payments", codPayments),
         ("settled_gross_paise", settled.grossPaise), ("fees_paise", settled.feesPaise), ("fee_gst_paise", settled.feeTaxPaise),
         ("settlement_refunds_paise", settled.refundsPaise), ("settled_paise", settled.netPaise), ("settlement_lines", settled.lines),
         ("refunds_processed_paise", refunds.processedPaise), ("refunds_processed", refunds.processed),
         ("refunds_pending_paise", refunds.pendingPaise), ("refunds_pending", refunds.pending),
         ("remitted_cod_paise", remitted.codPaise), ("remittance_deductions_paise", remitted.deductionsPaise),
         ("remitted_paise", remitted.netPaise), ("remittance_rows", remitted.rows),
         ("outstanding_prepaid_paise", outstandingPrepaidPaise), ("outstanding_cod_paise", outstandingCODPaise), ("outstanding_paise", outstandingPaise)]
    }

    var json: JSONValue {
        var totals = JSONObject()
        for (name, value) in totalFields { totals[name] = .int(value) }
        var o = JSONObject()
        o["from"] = .string(Timestamps.rfc3339(milliseconds: from))
        o["to"] = .string(Timestamps.rfc3339(milliseconds: to))
        o["as_of"] = .string(Timestamps.rfc3339(milliseconds: asOf))
        o["currency"] = .string("INR")
        o["totals"] = .object(totals)
        o["cod_ageing"] = .array(codAgeing.map { b in
            .object(["bucket": .string(b.label), "min_days": .int(b.minDays), "max_days": b.maxDays.map(JSONValue.int) ?? .null,
                     "orders": .int(b.orders), "amount_paise": .int(b.amountPaise)])
        })
        o["mismatch_totals"] = .array(byKind.map { k in
            .object(["kind": .string(k.kind.rawValue), "count": .int(k.total.count), "open": .int(k.total.open),
                     "open_amount_paise": .int(k.total.openAmountPaise), "open_refund_due_paise": .int(k.total.openRefundDuePaise)])
        })
        o["mismatches"] = .array(mismatches.map { m in
            guard case .object(var j) = m.json else { return m.json }
            j["age_days"] = .int(m.ageDays(at: asOf))
            return .object(j)
        })
        return .object(o)
    }

    static let csvColumns = ["record", "name", "value", "count", "mismatch_id", "status", "subject_id", "order_id", "payment_id",
                             "expected_paise", "refund_due_paise", "age_days", "occurred_at", "note"]

    /// The period (record `period`: from, to, as_of, the time in `value`), then one row per
    /// total (record `total`, the figure in `value`), per ageing bucket
    /// (`cod_ageing`: the amount in `value`, the orders in `count`) and per mismatch
    /// (`mismatch`: its kind in `name`, its amount in `value`).
    var csv: [UInt8] {
        var csv = CSVWriter(capacity: 4096 + mismatches.count * 160)
        csv.row(Self.csvColumns)
        func blank(_ n: Int) { for _ in 0..<n { csv.append("") } }
        for (name, time) in [("from", from), ("to", to), ("as_of", asOf)] {
            csv.append("period"); csv.append(name); csv.append(Timestamps.rfc3339(milliseconds: time)); blank(11); csv.endRow()
        }
        for (name, value) in totalFields {
            csv.append("total"); csv.append(name); csv.append(value); blank(11); csv.endRow()
        }
        for b in codAgeing {
            csv.append("cod_ageing"); csv.append(b.label); csv.append(b.amountPaise); csv.append(b.orders); blank(10); csv.endRow()
        }
        for m in mismatches {
            csv.append("mismatch"); csv.append(m.kind.rawValue); csv.append(m.amountPaise); csv.append("")
            csv.append(m.id); csv.append(m.status.rawValue); csv.append(m.subjectID); csv.append(m.orderID ?? ""); csv.append(m.paymentID ?? "")
            if let e = m.expectedPaise { csv.append(e) } else { csv.append("") }
            csv.append(m.refundDuePaise); csv.append(m.ageDays(at: asOf)); csv.append(Timestamps.rfc3339(milliseconds: m.occurredAt))
            csv.append(m.note ?? ""); csv.endRow()
        }
        return csv.bytes
    }
}
