import BahiCore
import BahiJSON

// Payments and mismatches as the API shows them (`Components.payment`, `paymentMismatch`).

extension Payment {
    func json(events: [(eventID: String, type: String, receivedAt: Int64)]) -> JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["order_id"] = .optional(orderID)
        o["gateway"] = .optional(gateway)
        o["gateway_payment_id"] = .optional(gatewayPaymentID)
        o["gateway_order_id"] = .optional(gatewayOrderID)
        o["receipt"] = .optional(receipt)
        o["method"] = .optional(method?.rawValue)
        o["status"] = .string(state.status.rawValue)
        o["amount_paise"] = .int(state.amountPaise)
        o["fee_paise"] = state.feePaise.map(JSONValue.int) ?? .null
        o["tax_paise"] = state.taxPaise.map(JSONValue.int) ?? .null
        o["error_code"] = .optional(state.errorCode)
        o["error_description"] = .optional(state.errorDescription)
        o["created_at"] = .string(Timestamps.rfc3339(milliseconds: createdAt))
        o["updated_at"] = .string(Timestamps.rfc3339(milliseconds: updatedAt))
        o["events"] = .array(events.map { e in
            .object(["event_id": .string(e.eventID), "type": .string(e.type), "received_at": .string(Timestamps.rfc3339(milliseconds: e.receivedAt))])
        })
        return .object(o)
    }
}

extension PaymentMismatch {
    var json: JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["kind"] = .string(kind.rawValue)
        o["subject_id"] = .string(subjectID)
        o["order_id"] = .optional(orderID)
        o["payment_id"] = .optional(paymentID)
        o["amount_paise"] = .int(amountPaise)
        o["expected_paise"] = expectedPaise.map(JSONValue.int) ?? .null
        o["refund_due_paise"] = .int(refundDuePaise)
        o["status"] = .string(status.rawValue)
        o["note"] = .optional(note)
        o["resolved_by"] = .optional(resolvedBy)
        o["resolved_at"] = resolvedAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null
        o["occurred_at"] = .string(Timestamps.rfc3339(milliseconds: occurredAt))
        o["created_at"] = .string(Timestamps.rfc3339(milliseconds: createdAt))
        return .object(o)
    }
}
