/// Razorpay webhook bodies, decoded into a `GatewayEvent`. Call only after
/// `RazorpaySignature.verifyWebhook` accepted the same bytes.
///
/// Envelope: `{"entity":"event","event":…,"contains":[…],"payload":{"payment":{"entity":{…}},…},
/// "created_at":<seconds>}`; the body has no event id, so the `X-Razorpay-Event-Id` header is
/// passed in. Amounts are integer paise. The quirks of Razorpay's own samples are absorbed here:
/// `notes` is `[]` when empty and an object when set, `fee`/`tax` are `null` before capture,
/// `error_code` is `""` or `null`, and card samples say `captured: true` beside
/// `status: "authorized"` — the `status` is what is believed, never `captured` nor the event name.
public enum RazorpayWebhook {
    /// The event in `body`, with `eventID` from the `X-Razorpay-Event-Id` header. Event types
    /// other than `payment.authorized|captured|failed`, `order.paid`,
    /// `refund.created|processed|failed` and `settlement.processed` decode as `.ignored`.
    public static func decode(body: [UInt8], eventID: String) throws(GatewayPayloadError) -> GatewayEvent {
        guard !eventID.isEmpty else {
            throw GatewayPayloadError(path: "X-Razorpay-Event-Id", expected: "the event id header", found: "nothing")
        }
        let root = try GatewayPayload.parse(body)
        let type = try root.string("event")
        let occurredAt = try root.optionalInteger("created_at").map { $0 * 1000 }
        let kind: GatewayEvent.Kind
        switch type {
        case "payment.authorized", "payment.captured", "payment.failed", "order.paid":
            let payload = try root.object("payload")
            let order = try payload.optionalObject("order")?.object("entity")
            kind = .payment(try payment(payload.object("payment").object("entity"), order: order))
        case "refund.created", "refund.processed", "refund.failed":
            kind = .refund(try refund(root.object("payload").object("refund").object("entity")))
        case "settlement.processed":
            kind = .settlement(try settlement(root.object("payload").object("settlement").object("entity")))
        default:
            kind = .ignored(type)
        }
        return GatewayEvent(gateway: .razorpay, eventID: eventID, eventType: type, occurredAt: occurredAt, kind: kind)
    }

    static let paymentStatuses: [String: GatewayEvent.PaymentUpdate.Status] = [
        // `created`: the bank has not answered yet (late authorisation may still succeed).
        "created": .pending, "authorized": .authorized, "captured": .captured, "failed": .failed, "refunded": .refunded,
    ]

    static let methods: [String: GatewayEvent.PaymentUpdate.Method] = [
        "upi": .upi, "card": .card, "netbanking": .netbanking, "wallet": .wallet,
        "emi": .emi, "cardless_emi": .emi, "cod": .cod,
    ]

    /// A payment entity; `order`, when the event carries it (`order.paid`), gives the receipt.
    static func payment(_ entity: GatewayPayload, order: GatewayPayload?) throws(GatewayPayloadError) -> GatewayEvent.PaymentUpdate {
        let method = try entity.optionalString("method").map { methods[$0] ?? .other } ?? .other
        // `tax` is the GST inside `fee`; the oldest payloads (the Python SDK's fixture) call it `service_tax`.
        let legacyTax = try entity.optionalPaise("service_tax")
        let tax = try entity.optionalPaise("tax") ?? legacyTax
        return GatewayEvent.PaymentUpdate(
            gatewayPaymentID: try entity.string("id"),
            gatewayOrderID: try entity.optionalString("order_id"),
            receipt: try order?.optionalString("receipt") ?? noteReceipt(entity),
            status: try entity.oneOf("status", paymentStatuses),
            amountPaise: try entity.paise("amount"),
            feePaise: try entity.optionalPaise("fee"),
            taxPaise: tax,
            method: method,
            errorCode: try entity.optionalString("error_code"),
            errorDescription: try entity.optionalString("error_description"))
    }

    /// `notes.receipt` when `notes` is an object holding a string there; `notes` is `[]` when
    /// empty, and it is the merchant's free-form map, so any other shape simply has no receipt.
    static func noteReceipt(_ entity: GatewayPayload) -> String? {
        guard case .object(let notes)? = entity.present("notes"), case .string(let receipt)? = notes["receipt"], !receipt.isEmpty else {
            return nil
        }
        return receipt
    }

    /// A refund entity. Its own `status` decides (the `refund.created` sample already says
    /// `processed`); `acquirer_data.arn` is the ARN once the bank has one.
    static func refund(_ entity: GatewayPayload) throws(GatewayPayloadError) -> GatewayEvent.RefundUpdate {
        GatewayEvent.RefundUpdate(
            gatewayRefundID: try entity.string("id"),
            gatewayPaymentID: try entity.string("payment_id"),
            amountPaise: try entity.paise("amount"),
            status: try entity.oneOf("status", ["pending": .pending, "processed": .processed, "failed": .failed]),
            arn: try entity.optionalObject("acquirer_data")?.optionalString("arn"),
            merchantRefundID: try entity.optionalString("receipt") ?? notesRefundID(entity))
    }

    /// `notes.bahi_refund_id`, when `notes` is an object (it is `[]` when empty).
    static func notesRefundID(_ entity: GatewayPayload) -> String? {
        guard case .object(let notes)? = entity.present("notes"), case .string(let id)? = notes["bahi_refund_id"], !id.isEmpty else { return nil }
        return id
    }

    /// A settlement entity: `amount` is what reaches the bank, `fees` includes `tax`.
    static func settlement(_ entity: GatewayPayload) throws(GatewayPayloadError) -> GatewayEvent.SettlementUpdate {
        GatewayEvent.SettlementUpdate(
            settlementID: try entity.string("id"),
            amountPaise: try entity.paise("amount"),
            feesPaise: try entity.optionalPaise("fees"),
            taxPaise: try entity.optionalPaise("tax"),
            utr: try entity.optionalString("utr"),
            status: try entity.oneOf("status", ["created": .pending, "processed": .processed, "failed": .failed]))
    }
}
