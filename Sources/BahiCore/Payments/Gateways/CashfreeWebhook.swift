import BahiJSON

/// Cashfree PG webhook bodies (API versions 2023-08-01 and 2025-01-01), decoded into a
/// `GatewayEvent`. Call only after `CashfreeSignature.verify` accepted the same bytes.
///
/// Envelope: `{"data":{…},"event_time":"<ISO-8601 +05:30>","type":…}`. Amounts are decimal
/// rupees, read from the number's text (`PaiseAmount`), never a float. The status fields
/// decide, not `type`: a `PAYMENT_SUCCESS_WEBHOOK` may carry `payment_status: "PENDING"` (late
/// authorisation). Known quirks: `cf_payment_id` is a string in payment webhooks and an integer
/// in refund webhooks; `payment_method` is an object with one key naming the method.
public enum CashfreeWebhook {
    /// The event in `body`; `idempotencyKey` is the `x-idempotency-key` header (2025-01-01 only).
    /// Types other than `PAYMENT_SUCCESS_WEBHOOK`, `PAYMENT_FAILED_WEBHOOK`,
    /// `PAYMENT_USER_DROPPED_WEBHOOK` and `REFUND_STATUS_WEBHOOK` decode as `.ignored`.
    ///
    /// Without the header the event id is `<cf_payment_id>:<type>:<payment_status>` (refunds:
    /// `<cf_refund_id>:<type>:<refund_status>`). Cashfree suggests id and type alone, but one
    /// type carries several statuses over time (a success webhook saying PENDING, then one
    /// saying SUCCESS; a refund PENDING, then SUCCESS), and the later one must not be dropped
    /// as a repeat of the first.
    public static func decode(body: [UInt8], idempotencyKey: String?) throws(GatewayPayloadError) -> GatewayEvent {
        let root = try GatewayPayload.parse(body)
        let type = try root.string("type")
        // The time is informational: an unreadable one is dropped, not a reason to refuse a payment.
        let occurredAt = try root.optionalString("event_time").flatMap { Timestamps.milliseconds(rfc3339: $0) }
        let kind: GatewayEvent.Kind
        let identity: String
        switch type {
        case "PAYMENT_SUCCESS_WEBHOOK", "PAYMENT_FAILED_WEBHOOK", "PAYMENT_USER_DROPPED_WEBHOOK":
            let data = try root.object("data")
            let update = try payment(data)
            kind = .payment(update)
            identity = "\(update.gatewayPaymentID):\(type):\(try data.object("payment").string("payment_status"))"
        case "REFUND_STATUS_WEBHOOK":
            let refundObject = try root.object("data").object("refund")
            let update = try refund(refundObject)
            kind = .refund(update)
            identity = "\(update.gatewayRefundID):\(type):\(try refundObject.string("refund_status"))"
        default:
            kind = .ignored(type)
            identity = ""
        }
        let eventID: String
        if let idempotencyKey, !idempotencyKey.isEmpty {
            eventID = idempotencyKey
        } else if !identity.isEmpty {
            eventID = identity
        } else {
            // An ignored type without the header: nothing stable to name it by but its bytes.
            eventID = "\(type):" + Digest.hex(Digest.sha256(body))
        }
        return GatewayEvent(gateway: .cashfree, eventID: eventID, eventType: type, occurredAt: occurredAt, kind: kind)
    }

    static let paymentStatuses: [String: GatewayEvent.PaymentUpdate.Status] = [
        "SUCCESS": .captured, "PENDING": .pending, "FAILED": .failed, "USER_DROPPED": .failed, "CANCELLED": .failed,
    ]

    static let refundStatuses: [String: GatewayEvent.RefundUpdate.Status] = [
        "SUCCESS": .processed, "PENDING": .pending, "ONHOLD": .pending, "CANCELLED": .failed, "FAILED": .failed,
    ]

    /// `payment_method`'s one key → method. `app` is Cashfree's wallet apps (Paytm, PhonePe…).
    static let methods: [String: GatewayEvent.PaymentUpdate.Method] = [
        "upi": .upi, "card": .card, "netbanking": .netbanking, "app": .wallet,
        "emi": .emi, "cardless_emi": .emi,
    ]

    /// `data.order` and `data.payment` (+ `data.error_details`) of a payment webhook. The
    /// order's `order_id` is ours (Cashfree orders are created under the merchant's id), so it
    /// is both the gateway order and the receipt. `payment_surcharge` holds the service charge
    /// and its tax when the seller passes charges on.
    static func payment(_ data: GatewayPayload) throws(GatewayPayloadError) -> GatewayEvent.PaymentUpdate {
        let order = try data.object("order")
        let payment = try data.object("payment")
        let surcharge = try payment.optionalObject("payment_surcharge")
        let errors = try data.optionalObject("error_details")
        let orderID = try order.string("order_id")
        return GatewayEvent.PaymentUpdate(
            gatewayPaymentID: try payment.identifier("cf_payment_id"),
            gatewayOrderID: orderID,
            receipt: orderID,
            status: try payment.oneOf("payment_status", paymentStatuses),
            amountPaise: try payment.rupees("payment_amount"),
            feePaise: try surcharge?.optionalRupees("payment_surcharge_service_charge"),
            taxPaise: try surcharge?.optionalRupees("payment_surcharge_service_tax"),
            method: try method(payment),
            errorCode: try errors?.optionalString("error_code"),
            errorDescription: try errors?.optionalString("error_description"))
    }

    /// The method named by `payment_method`'s key; absent or `null` (a buyer who dropped before
    /// choosing) is `other`.
    static func method(_ payment: GatewayPayload) throws(GatewayPayloadError) -> GatewayEvent.PaymentUpdate.Method {
        guard let value = payment.present("payment_method") else { return .other }
        guard case .object(let object) = value, let key = object.keys.first else {
            throw payment.failure("payment_method", expected: "an object with one key naming the method")
        }
        return methods[key] ?? .other
    }

    /// `data.refund` of a refund webhook.
    static func refund(_ refund: GatewayPayload) throws(GatewayPayloadError) -> GatewayEvent.RefundUpdate {
        GatewayEvent.RefundUpdate(
            gatewayRefundID: try refund.identifier("cf_refund_id"),
            gatewayPaymentID: try refund.identifier("cf_payment_id"),
            amountPaise: try refund.rupees("refund_amount"),
            status: try refund.oneOf("refund_status", refundStatuses),
            arn: try refund.optionalString("refund_arn"),
            merchantRefundID: try refund.optionalString("refund_id"))
    }
}
