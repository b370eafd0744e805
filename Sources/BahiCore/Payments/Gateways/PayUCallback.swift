import BahiJSON

/// PayU India's payment callback (the form posted to surl/furl and to the payment webhook
/// URL), decoded into a `GatewayEvent`. Parse the body with `FormURLEncoded` and check it with
/// `PayUHash.verify` first.
///
/// Only `status` decides (`success | pending | failure`, as PayU advises); `unmappedstatus`
/// is finer but not a contract. `amount` is decimal rupees as text (`"10.00"`). PayU's form
/// has no event type and no event id: the type is the status, and the id is
/// `<mihpayid>:<status>`, so a pending payment that later succeeds is two events, and a
/// repeated post of the same outcome is one.
public enum PayUCallback {
    /// The payment `form` reports (its fields as `FormURLEncoded.parse` returns them).
    public static func decode(form: [(name: String, value: String)]) throws(GatewayPayloadError) -> GatewayEvent {
        func required(_ name: String) throws(GatewayPayloadError) -> String {
            let value = PayUHash.field(name, in: form)
            guard let value, !value.isEmpty else {
                throw GatewayPayloadError(path: name, expected: "a non-empty field", found: value == nil ? "nothing" : "an empty value")
            }
            return value
        }
        func optional(_ name: String) -> String? {
            PayUHash.field(name, in: form).flatMap { $0.isEmpty ? nil : $0 }
        }
        let paymentID = try required("mihpayid")
        let statusText = try required("status")
        guard let status = statuses[statusText] else {
            throw GatewayPayloadError(path: "status", expected: "one of failure, pending, success", found: "\"\(statusText)\"")
        }
        let amountText = try required("amount")
        guard let amount = PaiseAmount.paise(fromRupees: amountText) else {
            throw GatewayPayloadError(path: "amount", expected: GatewayPayload.rupeeAmount, found: "\"\(amountText)\"")
        }
        // `error` is E000 ("no error") on success; only a real code is reported.
        let errorCode = optional("error").flatMap { $0 == "E000" ? nil : $0 }
        let update = GatewayEvent.PaymentUpdate(
            gatewayPaymentID: paymentID,
            receipt: try required("txnid"),
            status: status,
            amountPaise: amount,
            method: optional("mode").map { methods[$0.uppercased()] ?? .other } ?? .other,
            errorCode: errorCode,
            errorDescription: errorCode == nil ? nil : optional("error_Message"))
        return GatewayEvent(
            gateway: .payu, eventID: "\(paymentID):\(statusText)", eventType: statusText,
            occurredAt: optional("addedon").flatMap(addedOnMilliseconds), kind: .payment(update))
    }

    static let statuses: [String: GatewayEvent.PaymentUpdate.Status] = [
        "success": .captured, "pending": .pending, "failure": .failed,
    ]

    /// `mode` → method: CC/DC cards, NB net banking, CASH (PayU's name for wallets and cash
    /// cards), EMI, UPI, COD.
    static let methods: [String: GatewayEvent.PaymentUpdate.Method] = [
        "CC": .card, "DC": .card, "NB": .netbanking, "UPI": .upi, "CASH": .wallet, "WALLET": .wallet,
        "EMI": .emi, "COD": .cod,
    ]

    /// `addedon` (`2013-05-10 18:32:30`, India time without a zone) in Unix milliseconds; nil
    /// for any other form.
    static func addedOnMilliseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 19, bytes[10] == UInt8(ascii: " ") else { return nil }
        return Timestamps.milliseconds(rfc3339: String(decoding: bytes[..<10], as: UTF8.self) + "T" + String(decoding: bytes[11...], as: UTF8.self) + "+05:30")
    }
}
