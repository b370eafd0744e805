import BahiCore
import BahiJSON

// Refunds as the API shows them (`Components.refund`): the beneficiary's account masked,
// as stored.

extension Refund {
    var json: JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["order_id"] = .optional(orderID)
        o["payment_id"] = .string(paymentID)
        o["gateway"] = .string(gateway)
        o["gateway_refund_id"] = .optional(gatewayRefundID)
        o["amount_paise"] = .int(amountPaise)
        o["reason"] = .string(reason)
        o["lines"] = linesJSON.flatMap { try? JSONParser.parse(Array($0.utf8)) } ?? .null
        o["status"] = .string(status.rawValue)
        o["arn"] = .optional(arn)
        o["utr"] = .optional(utr)
        o["beneficiary"] = beneficiary.map { b in
            .object(["name": .string(b.name), "account_masked": .string(b.accountMasked), "ifsc": .string(b.ifsc)])
        } ?? .null
        o["error"] = .optional(error)
        o["created_at"] = .string(Timestamps.rfc3339(milliseconds: createdAt))
        o["updated_at"] = .string(Timestamps.rfc3339(milliseconds: updatedAt))
        return .object(o)
    }
}
