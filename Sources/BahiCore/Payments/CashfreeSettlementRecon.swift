/// A row of Cashfree's settlement reconciliation, as a settlement line in the same shape as
/// Razorpay's (`settlement_lines`, gateway `cashfree`), so one table answers "what did each
/// gateway settle, and what did it keep".
///
/// Columns: the fields of an item of Cashfree PG's Settlement Reconciliation API
/// (`POST /pg/settlement/recon`, `SettlementReconEntity.data[]`; the SDKs' generated
/// `docs/SettlementReconEntityDataInner.md`, e.g. GitHub `cashfree/cashfree-pg-sdk-python`;
/// https://www.cashfree.com/docs/api-reference/payments/latest/settlements/settlement-reconciliation):
/// `event_id`, `event_type` (PAYMENT, REFUND, REFUND_REVERSAL, DISPUTE, DISPUTE_REVERSAL,
/// CHARGEBACK, CHARGEBACK_REVERSAL, OTHER_ADJUSTMENT), `event_amount`, `event_settlement_amount`,
/// `sale_type` (CREDIT/DEBIT), `event_time`, `order_id`, `cf_payment_id`,
/// `payment_service_charge`, `payment_service_tax`, `cf_settlement_id`, `settlement_date`,
/// `settlement_utr`, `payment_group`, `adjustment_remarks`. The dashboard's Settlement Recon
/// report ("Transaction details", https://www.cashfree.com/docs/partners/embedded/reports/settlement-recon-reports)
/// carries the same facts under worded headers ("Event ID", "Event Amount", "UTR", …), accepted
/// as aliases (`SettlementImportColumns.cashfreeAliases`), as are `service_charge` and
/// `service_tax` (the PG recon API's names).
///
/// Amounts are rupees with decimals (`97.94`), converted exactly by `PaiseAmount`, never through
/// a float. Mapping, chosen to keep Razorpay's identities:
/// - PAYMENT → `payment`, entity `cf_payment_id` (what the Cashfree webhooks stored as the
///   payment's gateway id), else `event_id`; fee = service charge + service tax, tax = the
///   service tax (Razorpay's fee includes its GST the same way); credit = the event's settlement
///   amount, or amount − fee when the file has none.
/// - REFUND → `refund`, entity `cf_refund_id` when present, else `event_id` (Cashfree's id of the
///   refund event); `gateway_payment_id` = `cf_payment_id`; debit = the settlement amount, or the
///   amount. The `payment_service_*` fields of a refund row describe the payment it refunds, so
///   they are not the refund's fee.
/// - Any other event type → `adjustment`, entity `<EVENT_TYPE>:<event_id>[:<remarks>]` (Cashfree
///   gives a dispute and its reversal the same event id, and one settlement's adjustments the
///   settlement's id, so the type and remarks keep each row its own); `sale_type` is required
///   and says whether it is a credit or a debit.
/// - SETTLEMENT rows (the PG recon API's summary of a whole settlement) are refused: they are
///   not a line of it, and counting them would count the settlement twice.
/// - `settled` = the row names a settlement UTR or date; `settlement_id` = `cf_settlement_id`;
///   `order_id` = Cashfree's `order_id` (the merchant's order id); `method` = `payment_group`;
///   `created_at` = `event_time`, `settled_at` = `settlement_date` (RFC 3339, or the dashboard's
///   `YYYY-MM-DD HH:MM:SS` in IST).
enum CashfreeSettlementRecon {
    typealias Problem = SettlementImport.Problem

    static func line(_ field: (String) -> String?) throws(Problem) -> SettlementImport.SettlementLine {
        guard let eventID = field("event_id") else { throw Problem(code: "missing_value", message: "event_id is empty.") }
        let eventType = (field("event_type") ?? "").uppercased()
        let type: String
        switch eventType {
        case "PAYMENT": type = "payment"
        case "REFUND": type = "refund"
        case "SETTLEMENT":
            throw Problem(code: "invalid_type", message: "event_type SETTLEMENT summarises a whole settlement; import the settlement reconciliation's event rows.")
        case let other where !other.isEmpty && other.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x5F }):
            type = "adjustment"
        default:
            throw Problem(code: "invalid_type", message: "event_type \(field("event_type") ?? "") is not PAYMENT, REFUND or an adjustment's type (e.g. CHARGEBACK).")
        }
        let amount = try SettlementImport.rupees(field("event_amount"), "event_amount", required: true)
        let settledAmount = try field("event_settlement_amount").map { text throws(Problem) in try SettlementImport.rupees(text, "event_settlement_amount") }
        var fee: Int64 = 0, tax: Int64 = 0
        if type == "payment" {
            tax = try SettlementImport.rupees(field("payment_service_tax"), "payment_service_tax")
            let (sum, overflow) = try SettlementImport.rupees(field("payment_service_charge"), "payment_service_charge").addingReportingOverflow(tax)
            guard !overflow else { throw Problem(code: "invalid_amount", message: "payment_service_charge plus payment_service_tax is too large.") }
            fee = sum
        }
        let credit: Bool
        switch field("sale_type")?.uppercased() {
        case "CREDIT": credit = true
        case "DEBIT": credit = false
        case nil where type != "adjustment": credit = type == "payment"
        case nil: throw Problem(code: "missing_value", message: "sale_type is empty; an adjustment must say CREDIT or DEBIT.")
        case let other?: throw Problem(code: "invalid_sale_type", message: "sale_type \(other) is not CREDIT or DEBIT.")
        }
        let settles: Int64
        if let settledAmount {
            settles = settledAmount
        } else if type == "payment" {
            guard fee <= amount else { throw Problem(code: "invalid_amount", message: "The service charge and tax exceed event_amount.") }
            settles = amount - fee
        } else {
            settles = amount
        }
        let entityID: String = switch type {
        case "payment": field("cf_payment_id") ?? eventID
        case "refund": field("cf_refund_id") ?? eventID
        default: [eventType, eventID, field("adjustment_remarks")].compactMap { $0 }.joined(separator: ":")
        }
        let utr = field("settlement_utr"), settledAt = try SettlementImport.time(field("settlement_date"), "settlement_date")
        return SettlementImport.SettlementLine(
            type: type, entityID: entityID, amount: amount, fee: fee, tax: tax, debit: credit ? 0 : settles, credit: credit ? settles : 0,
            onHold: false, settled: utr != nil || settledAt != nil, settlementID: field("cf_settlement_id"), settlementUTR: utr,
            gatewayOrderID: field("order_id"), orderReceipt: nil, gatewayPaymentID: type == "payment" ? nil : field("cf_payment_id"),
            method: field("payment_group"), createdAt: try SettlementImport.time(field("event_time"), "event_time"), settledAt: settledAt
        ).hashed()
    }
}
