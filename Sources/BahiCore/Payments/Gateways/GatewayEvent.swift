/// One payment gateway callback, decoded into terms that do not depend on the gateway.
///
/// Why one shape: Razorpay, Cashfree and PayU say the same few things (a payment moved, a
/// refund moved, money was settled) with different envelopes, names, units and quirks. The
/// decoders absorb those differences here, in pure code with the gateways' own samples as
/// tests, so what records payments later handles one value and never a gateway's JSON. Each
/// decoder reads the gateway's *status* fields, not its event names: events arrive out of
/// order and a name can disagree with the entity it carries (Razorpay's own sample has
/// `payment.authorized` carrying a captured payment).
public struct GatewayEvent: Sendable, Equatable {
    /// Which gateway sent the event.
    public enum Gateway: String, Sendable {
        case razorpay, cashfree, payu
    }

    /// What the event is about; `ignored` names an event type Bahi does not act on, so the
    /// caller can acknowledge it (a non-2xx would only make the gateway retry it).
    public enum Kind: Sendable, Equatable {
        case payment(PaymentUpdate)
        case refund(RefundUpdate)
        case settlement(SettlementUpdate)
        case ignored(String)
    }

    /// The state of one payment as the gateway now reports it. Amounts are integer paise.
    public struct PaymentUpdate: Sendable, Equatable {
        /// Where a payment stands. `pending` is not paid (late authorisation, PayU's pending);
        /// `refunded` is Razorpay's payment status once fully refunded.
        public enum Status: String, Sendable {
            case authorized, captured, failed, pending, refunded
        }

        /// How the buyer paid, folded to the families Bahi reports on.
        public enum Method: String, Sendable {
            case upi, card, netbanking, wallet, emi, cod, other
        }

        /// The gateway's payment id (`pay_…`, Cashfree's `cf_payment_id`, PayU's `mihpayid`).
        public var gatewayPaymentID: String
        /// The gateway-side order the payment belongs to, when the gateway has one.
        public var gatewayOrderID: String?
        /// Our own reference as the gateway echoes it (Razorpay order `receipt` or
        /// `notes.receipt`, Cashfree `order_id`, PayU `txnid`): how the payment finds its order.
        public var receipt: String?
        /// Where the payment stands, from the gateway's status field.
        public var status: Status
        /// The payment's amount in paise.
        public var amountPaise: Int64
        /// The gateway's fee, GST included where the gateway includes it (Razorpay's `fee`).
        public var feePaise: Int64?
        /// The GST inside (Razorpay) or on top of (Cashfree's surcharge) the fee.
        public var taxPaise: Int64?
        public var method: Method
        /// Why a payment failed, in the gateway's own code and words (nil when it did not).
        public var errorCode: String?
        public var errorDescription: String?

        /// A payment update; the optional parts default to absent.
        public init(
            gatewayPaymentID: String, gatewayOrderID: String? = nil, receipt: String? = nil, status: Status,
            amountPaise: Int64, feePaise: Int64? = nil, taxPaise: Int64? = nil, method: Method,
            errorCode: String? = nil, errorDescription: String? = nil
        ) {
            self.gatewayPaymentID = gatewayPaymentID
            self.gatewayOrderID = gatewayOrderID
            self.receipt = receipt
            self.status = status
            self.amountPaise = amountPaise
            self.feePaise = feePaise
            self.taxPaise = taxPaise
            self.method = method
            self.errorCode = errorCode
            self.errorDescription = errorDescription
        }
    }

    /// The state of one refund as the gateway now reports it.
    public struct RefundUpdate: Sendable, Equatable {
        /// Where a refund stands; `processed` means the gateway has sent the money back.
        public enum Status: String, Sendable {
            case pending, processed, failed
        }

        /// The gateway's refund id (`rfnd_…`, Cashfree's `cf_refund_id`).
        public var gatewayRefundID: String
        /// The payment being refunded.
        public var gatewayPaymentID: String
        /// This refund's amount in paise (not the payment's running total).
        public var amountPaise: Int64
        public var status: Status
        /// The acquirer reference number the buyer's bank can trace the refund by.
        public var arn: String?
        /// Our own refund id as the gateway echoes it (Razorpay's `receipt` or
        /// `notes.bahi_refund_id`, Cashfree's `refund_id`): how a report that arrives before
        /// the gateway's answer to our request finds the refund Bahi asked for.
        public var merchantRefundID: String?

        /// A refund update.
        public init(gatewayRefundID: String, gatewayPaymentID: String, amountPaise: Int64, status: Status, arn: String? = nil,
                    merchantRefundID: String? = nil) {
            self.merchantRefundID = merchantRefundID
            self.gatewayRefundID = gatewayRefundID
            self.gatewayPaymentID = gatewayPaymentID
            self.amountPaise = amountPaise
            self.status = status
            self.arn = arn
        }
    }

    /// A payout of collected money to the seller's bank account.
    public struct SettlementUpdate: Sendable, Equatable {
        /// Where a settlement stands: `pending` is Razorpay's `created`; `processed` means the
        /// transfer was initiated (the credit can lag hours).
        public enum Status: String, Sendable {
            case pending, processed, failed
        }

        /// The gateway's settlement id (`setl_…`).
        public var settlementID: String
        /// What is paid out, in paise (after fees).
        public var amountPaise: Int64
        /// The fees withheld, GST included, and the GST inside them.
        public var feesPaise: Int64?
        public var taxPaise: Int64?
        /// The bank transfer's reference, which the seller's bank statement shows.
        public var utr: String?
        public var status: Status

        /// A settlement update.
        public init(settlementID: String, amountPaise: Int64, feesPaise: Int64? = nil, taxPaise: Int64? = nil, utr: String? = nil, status: Status) {
            self.settlementID = settlementID
            self.amountPaise = amountPaise
            self.feesPaise = feesPaise
            self.taxPaise = taxPaise
            self.utr = utr
            self.status = status
        }
    }

    /// Who sent it.
    public var gateway: Gateway
    /// The gateway's identity for this delivery, for dropping repeats (every gateway delivers
    /// at least once): Razorpay's `X-Razorpay-Event-Id`; Cashfree's `x-idempotency-key`, else
    /// `<cf id>:<type>:<status>`; PayU's `<mihpayid>:<status>`.
    public var eventID: String
    /// The event's type as the gateway sent it (PayU has none: its `status`).
    public var eventType: String
    /// When the gateway says the event happened, in Unix milliseconds, if it says.
    public var occurredAt: Int64?
    /// What happened.
    public var kind: Kind

    /// An event.
    public init(gateway: Gateway, eventID: String, eventType: String, occurredAt: Int64?, kind: Kind) {
        self.gateway = gateway
        self.eventID = eventID
        self.eventType = eventType
        self.occurredAt = occurredAt
        self.kind = kind
    }
}
