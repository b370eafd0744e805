import BahiJSON

/// A refund request to a gateway's API, as plain data (method POST): the URL, the headers and
/// the body. BahiAPI sends it; Core builds it and reads the answer, so the wire format of each
/// gateway is pure code with its own tests and Core never touches the network.
///
/// The headers carry credentials: never log a request.
public struct GatewayRefundRequest: Sendable {
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// Razorpay's `POST /v1/payments/{payment_id}/refund`: HTTP Basic with the key id and
    /// secret, `X-Refund-Idempotency` (our refund id: at least 10 of `[A-Za-z0-9_-]`, which
    /// `rfd_` + 26 Crockford characters are), the amount in integer paise, normal speed, our
    /// id as the receipt and in the notes (webhooks echo them back).
    public static func razorpay(apiURL: String, keyID: String, keySecret: String, gatewayPaymentID: String, refundID: String,
                                amountPaise: Int64) -> GatewayRefundRequest {
        var notes = JSONObject()
        notes["bahi_refund_id"] = .string(refundID)
        var body = JSONObject()
        body["amount"] = .int(amountPaise)
        body["speed"] = .string("normal")
        body["notes"] = .object(notes)
        body["receipt"] = .string(refundID)
        return GatewayRefundRequest(
            url: "\(trimmed(apiURL))/v1/payments/\(percentEncoded(gatewayPaymentID))/refund",
            headers: [("Authorization", "Basic " + Base64.encode(Array("\(keyID):\(keySecret)".utf8))),
                      ("X-Refund-Idempotency", refundID), ("Content-Type", "application/json"), ("Accept", "application/json")],
            body: Array(JSONValue.object(body).encodedText.utf8))
    }

    /// Cashfree's `POST /orders/{order_id}/refunds` (API version 2023-08-01): the client id
    /// and secret as headers, the amount in rupees written exactly from paise (`499.00`, never
    /// through a Double), our refund id as `refund_id` (Cashfree refuses a second refund with it).
    public static func cashfree(apiURL: String, appID: String, clientSecret: String, gatewayOrderID: String, refundID: String,
                                amountPaise: Int64, note: String) -> GatewayRefundRequest {
        var body = JSONObject()
        body["refund_amount"] = .number(JSONNumber(text: rupees(amountPaise)))
        body["refund_id"] = .string(refundID)
        body["refund_note"] = .string(String(note.prefix(100)))
        return GatewayRefundRequest(
            url: "\(trimmed(apiURL))/orders/\(percentEncoded(gatewayOrderID))/refunds",
            headers: [("x-client-id", appID), ("x-client-secret", clientSecret), ("x-api-version", "2023-08-01"),
                      ("Content-Type", "application/json"), ("Accept", "application/json")],
            body: Array(JSONValue.object(body).encodedText.utf8))
    }

    /// Paise as rupees with two decimals: 49900 → `499.00`, 5 → `0.05`.
    public static func rupees(_ paise: Int64) -> String {
        let sign = paise < 0 ? "-" : ""
        let magnitude = paise.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// A path segment with everything but unreserved characters percent-encoded (a gateway's
    /// id is not ours to trust in a path).
    static func percentEncoded(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]], as: UTF8.self)
            }
        }
        return out
    }
}
