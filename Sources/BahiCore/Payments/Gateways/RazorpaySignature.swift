/// Razorpay's two signatures, both lowercase hex HMAC-SHA256.
///
/// - Webhooks: `X-Razorpay-Signature` over the raw body, keyed with that webhook's own secret
///   (not the API key secret). Verified over the bytes as received, before any parsing: a
///   re-encoded body (key order, number forms, whitespace) has another signature.
/// - Checkout: `razorpay_signature` over `order_id|payment_id`, keyed with the API key secret;
///   it proves the payment id the buyer's browser hands back belongs to the order we created.
///
/// Pure functions; several secrets may be given during a rotation and any one accepts.
public enum RazorpaySignature {
    /// The webhook signature of `body` under `secret`: what Razorpay puts in `X-Razorpay-Signature`.
    public static func webhookSignature(secret: String, body: [UInt8]) -> String {
        Digest.hex(Digest.hmacSHA256(key: Array(secret.utf8), message: body))
    }

    /// Nil (genuine) when `signature` is the webhook signature of the raw `body` under any of
    /// `secrets`; otherwise why not.
    public static func verifyWebhook(body: [UInt8], signature: String?, secrets: [String]) -> GatewaySignatureRejection? {
        verify(signature, secrets: secrets, message: body)
    }

    /// The checkout signature of a payment: HMAC-SHA256 of `order_id|payment_id` under the API
    /// key secret. The order id is the one we stored when creating the order, never the one the
    /// browser sends back.
    public static func checkoutSignature(keySecret: String, orderID: String, paymentID: String) -> String {
        Digest.hex(Digest.hmacSHA256(key: Array(keySecret.utf8), message: checkoutMessage(orderID: orderID, paymentID: paymentID)))
    }

    /// Nil (genuine) when `signature` is the checkout signature of `orderID` and `paymentID`
    /// under any of `keySecrets`; otherwise why not.
    public static func verifyCheckout(
        orderID: String, paymentID: String, signature: String?, keySecrets: [String]
    ) -> GatewaySignatureRejection? {
        verify(signature, secrets: keySecrets, message: checkoutMessage(orderID: orderID, paymentID: paymentID))
    }

    private static func checkoutMessage(orderID: String, paymentID: String) -> [UInt8] {
        Array("\(orderID)|\(paymentID)".utf8)
    }

    private static func verify(_ signature: String?, secrets: [String], message: [UInt8]) -> GatewaySignatureRejection? {
        guard let signature, !signature.isEmpty else { return .missingSignature }
        // Compared as bytes: a signature that is not 32 bytes of hex is malformed, not wrong.
        guard let given = Digest.bytes(hex: signature), given.count == 32 else { return .malformedSignature }
        return GatewaySignatureRejection.check(given, secrets: secrets) { secret in
            Digest.hmacSHA256(key: Array(secret.utf8), message: message)
        }
    }
}
