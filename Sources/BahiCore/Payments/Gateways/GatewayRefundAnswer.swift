/// A gateway's answer to a refund request, read into `Refunds.Answer`.
///
/// Why the rules are what they are: a 2xx carries the refund entity (its own status decides);
/// a 4xx other than 408, 409 and 429 is the gateway refusing (Razorpay's
/// `BAD_REQUEST_ERROR`, "greater than amount captured"), so nothing was refunded; anything
/// else — a 5xx, a 408/409/429, a body that cannot be read — says nothing certain, so the
/// refund stays pending and is safe to ask again with the same idempotency key.
public enum GatewayRefundAnswer {
    /// Razorpay's answer: a refund entity, or `{"error":{"code","description"}}`.
    public static func razorpay(status: Int, body: [UInt8]) -> Refunds.Answer {
        read(status: status, body: body, gateway: "Razorpay") { root throws(GatewayPayloadError) in
            let update = try RazorpayWebhook.refund(root)
            return (update.gatewayRefundID, update.status, update.arn)
        } error: { root in
            guard let error = try? root.object("error") else { return nil }
            return [try? error.optionalString("code"), try? error.optionalString("description")].compactMap { $0 ?? nil }.joined(separator: ": ")
        }
    }

    /// Cashfree's answer: a refund entity (`cf_refund_id`, `refund_status`), or
    /// `{"message","code","type"}`.
    public static func cashfree(status: Int, body: [UInt8]) -> Refunds.Answer {
        read(status: status, body: body, gateway: "Cashfree") { root throws(GatewayPayloadError) in
            let id = try root.identifier("cf_refund_id")
            let state = try root.oneOf("refund_status", CashfreeWebhook.refundStatuses)
            return (id, state, try root.optionalString("refund_arn"))
        } error: { root in
            [try? root.optionalString("code"), try? root.optionalString("message")].compactMap { $0 ?? nil }.joined(separator: ": ")
        }
    }

    static func read(
        status: Int, body: [UInt8], gateway: String,
        entity: (GatewayPayload) throws(GatewayPayloadError) -> (String, GatewayEvent.RefundUpdate.Status, String?),
        error: (GatewayPayload) -> String?
    ) -> Refunds.Answer {
        let root = try? GatewayPayload.parse(body)
        switch status {
        case 200...299:
            guard let root else { return .unknown("\(gateway) answered \(status) with a body that is not JSON") }
            do {
                let (id, state, arn) = try entity(root)
                let mapped: Refund.Status = switch state {
                case .pending: .pending
                case .processed: .processed
                case .failed: .failed
                }
                return .accepted(gatewayRefundID: id, status: mapped, arn: arn)
            } catch {
                return .unknown("\(gateway) answered \(status) but its refund could not be read (\(error))")
            }
        case 400...499 where status != 408 && status != 409 && status != 429:
            let said = root.flatMap(error).flatMap { $0.isEmpty ? nil : $0 } ?? "no reason given"
            return .refused("\(gateway) refused the refund (\(status)): \(said)")
        default:
            return .unknown("\(gateway) answered \(status)")
        }
    }
}
