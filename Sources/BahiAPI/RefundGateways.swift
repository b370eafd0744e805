import BahiCore
import BahiHTTP
import BahiJSON

/// The I/O edge of refunds: which gateways this server can refund through, and asking one.
/// Core builds each gateway's request and reads its answer (`GatewayRefundRequest`,
/// `GatewayRefundAnswer`); this sends it, outside any transaction.
///
/// Requests carry the API credentials: nothing here logs a request or its headers.
struct RefundGateways: Sendable {
    let secrets: BahiConfiguration.Secrets
    let urls: BahiConfiguration.PaymentGateways

    /// How long a gateway may take. A refund that runs out stays pending (safe to ask again).
    static let timeouts = HTTPClientTimeouts(connect: .seconds(5), read: .seconds(20), total: .seconds(30))

    init(_ configuration: BahiConfiguration) {
        self.secrets = configuration.secrets
        self.urls = configuration.payments
    }

    /// The gateways with API credentials set: a refund through any other is refused before
    /// anything is written.
    var configured: Set<String> {
        var gateways: Set<String> = []
        if !secrets.razorpayKeyID.isEmpty && !secrets.razorpayKeySecret.isEmpty { gateways.insert("razorpay") }
        if !secrets.cashfreeAppID.isEmpty && cashfreeSecret != nil { gateways.insert("cashfree") }
        return gateways
    }

    /// The newest of Cashfree's secrets (during a rotation the setting lists two; the last is the new one).
    var cashfreeSecret: String? { BahiConfiguration.secretList(secrets.cashfreeClientSecret).last }

    /// A request to send, or why there is none.
    enum Built {
        case request(GatewayRefundRequest)
        case impossible(String)
    }

    /// The request for `refund` of `payment`, or why there is none.
    func request(_ refund: Refund, payment: Payment) -> Built {
        switch refund.gateway {
        case "razorpay":
            guard let paymentID = payment.gatewayPaymentID else { return .impossible("Payment \(payment.id) has no Razorpay payment id") }
            return .request(.razorpay(apiURL: urls.razorpayAPIURL, keyID: secrets.razorpayKeyID, keySecret: secrets.razorpayKeySecret,
                                      gatewayPaymentID: paymentID, refundID: refund.idempotencyKey, amountPaise: refund.amountPaise))
        case "cashfree":
            guard let orderID = payment.gatewayOrderID ?? payment.receipt else { return .impossible("Payment \(payment.id) has no Cashfree order id") }
            guard let secret = cashfreeSecret else { return .impossible("secrets.cashfree_client_secret is not set") }
            return .request(.cashfree(apiURL: urls.cashfreeAPIURL, appID: secrets.cashfreeAppID, clientSecret: secret, gatewayOrderID: orderID,
                                      refundID: refund.idempotencyKey, amountPaise: refund.amountPaise, note: refund.reason))
        default:
            return .impossible("Bahi cannot refund through \(refund.gateway)")
        }
    }

    /// Asks the gateway for `refund` and reads its answer. A failure to reach it is `.unknown`
    /// (the refund stays pending), never a thrown error: the refund is already stored.
    func ask(_ refund: Refund, payment: Payment, client: () throws(HTTPClientError) -> HTTPClient) async -> Refunds.Answer {
        let built: GatewayRefundRequest
        switch request(refund, payment: payment) {
        case .request(let r): built = r
        case .impossible(let reason): return .refused(reason)
        }
        let name = refund.gateway == "razorpay" ? "Razorpay" : "Cashfree"
        do {
            var headers = HTTPHeaders()
            for (field, value) in built.headers { headers.add(name: field, value: value) }
            var request = try HTTPClientRequest(method: .post, url: built.url, headers: headers, body: built.body)
            request.timeouts = Self.timeouts
            request.bodyExcerptLimit = 64 * 1024
            let response = try await client().execute(request)
            return refund.gateway == "razorpay"
                ? GatewayRefundAnswer.razorpay(status: response.status.code, body: response.body)
                : GatewayRefundAnswer.cashfree(status: response.status.code, body: response.body)
        } catch {
            return .unknown("\(name) could not be reached (\(error))")
        }
    }
}
