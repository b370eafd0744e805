public import BahiHTTP
public import BahiCore

/// Every setting of a Bahi process, with its default.
///
/// Precedence: defaults < config file (`--config`) < `BAHI_*` environment < command-line
/// flags. `ConfigurationLoader` builds it and rejects any unknown or mistyped key by name,
/// so a typo never silently falls back to a default. `config.example.json` documents every
/// key; a test keeps that file and this type in step.
public struct BahiConfiguration: Sendable, Equatable {
    /// Listening and HTTP limits.
    public struct Server: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 8080
        public var maxConnections = 10_000
        /// 0 = one event loop (thread) per core.
        public var ioQueues = 0
        /// The event loops: `epoll` (Linux default, measured faster) or `dispatch` (portable).
        public var io = IOBackend.platformDefault.rawValue
        public var maxBodyBytes = 1 << 20
        public var maxTargetBytes = 8 * 1024
        public var maxHeaderBytes = 32 * 1024
        public var maxHeaderCount = 100
        public var headerTimeoutMs = 10_000
        public var bodyIdleTimeoutMs = 30_000
        public var keepAliveTimeoutMs = 60_000
        public var drainTimeoutMs = 10_000
    }

    /// The store: the SQLite file at `path`, or the PostgreSQL database `url` names.
    public struct Database: Sendable, Equatable {
        /// The SQLite file (its folder is created); also where `admin-key` and backups go.
        public var path = "./bahi-data/bahi.db"
        /// A `postgres://` URL; when set the store is PostgreSQL and `path` names no
        /// database. Never printed: `DatabaseLocation` gives the redacted form.
        public var url = ""
        /// PostgreSQL connections (and threads) in this node's pool.
        public var poolSize = 8
        /// `full` (an acknowledged write survives power loss) or `normal`.
        public var synchronous = "full"
        public var readConnections = 4
        public var busyTimeoutMs = 5_000
        /// The SQLite writer's page cache in MB: the hot pages of a big store's indexes.
        public var writerCacheMB = 32
        /// SQLite: the WAL's pages before a commit copies them into the database file.
        public var checkpointPages = 10_000
    }

    /// Logging.
    public struct Log: Sendable, Equatable {
        /// `json` or `text`.
        public var format = "json"
        /// `debug`, `info`, `warn` or `error`.
        public var level = "info"
        /// One JSON line per request on standard output.
        public var accessLog = true
    }

    /// A postal address.
    public struct Address: Sendable, Equatable {
        public var line1 = ""
        public var line2 = ""
        public var city = ""
        public var pincode = ""
    }

    /// The seller's legal identity, for invoices and courier pickups: the default seller
    /// profile until `PUT /v1/settings/seller` stores one.
    public struct Seller: Sendable, Equatable {
        public var legalName = ""
        public var tradeName = ""
        public var gstin = ""
        /// The state of registration and of `address` (sets CGST+SGST vs IGST).
        public var state = ""
        /// The registered address printed on invoices.
        public var address = Address()
        public var pickupAddress = Address()
    }

    /// API keys' rate limits (a token bucket per key): per role, with a default for roles
    /// that have none of their own. A key created with `--rate-limit` has its own instead.
    public struct RateLimit: Sendable, Equatable {
        /// One role's limit; 0 = none of its own (the default above applies). A burst of 0
        /// with a rate set is two seconds' worth.
        public struct Role: Sendable, Equatable {
            public var requestsPerSecond = 0
            public var burst = 0
        }

        /// Per role. Storefront keys carry every buyer of a storefront, so a flash sale must
        /// fit (thousands of checkouts a second through one key); the other roles are one
        /// person or script each and keep the modest default.
        public struct Roles: Sendable, Equatable {
            public var admin = Role()
            public var storefront = Role(requestsPerSecond: 10_000, burst: 20_000)
            public var warehouse = Role()
            public var finance = Role()
            public var support = Role()
        }

        /// The default: for every role without its own limit.
        public var requestsPerSecond = 200
        public var burst = 400
        public var roles = Roles()
    }

    /// Secrets for payment gateways and couriers; never logged. A gateway's secret may list
    /// several, comma-separated, while one is being rotated: any of them verifies.
    public struct Secrets: Sendable, Equatable {
        public var razorpayWebhookSecret = ""
        /// Razorpay's API key id and secret (HTTP Basic for refunds); not the webhook's secret.
        public var razorpayKeyID = ""
        public var razorpayKeySecret = ""
        /// Cashfree's client id (`x-client-id`); its secret is `cashfreeClientSecret`.
        public var cashfreeAppID = ""
        public var cashfreeClientSecret = ""
        public var payuSalt = ""
        /// PayU's merchant key (public, in the checkout form): callbacks for another key are refused.
        public var payuMerchantKey = ""
        public var shiprocketToken = ""
        public var delhiveryToken = ""
        /// The security token the seller set on Shiprocket's tracking webhook (sent as
        /// `x-api-key`), and the one Delhivery's scan push sends: reports without it are refused.
        public var shiprocketWebhookToken = ""
        public var delhiveryWebhookToken = ""
        /// Shiprocket's API user (booking, cancelling, NDR actions log in with these for a
        /// token that lasts 10 days).
        public var shiprocketEmail = ""
        public var shiprocketPassword = ""
        /// Delhivery's static API token (`Authorization: Token …`) for booking, cancelling and NDR actions.
        public var delhiveryAPIToken = ""
    }

    /// Where the gateways' APIs are (refunds). Tests point them at local stubs.
    public struct PaymentGateways: Sendable, Equatable {
        public var razorpayAPIURL = "https://api.razorpay.com"
        public var cashfreeAPIURL = "https://api.cashfree.com/pg"
    }

    /// Outbound webhooks: which URLs endpoints may have, the retry schedule, the worker.
    public struct Webhooks: Sendable, Equatable {
        /// Allow plain `http://` endpoint URLs (local development; signatures still apply).
        public var allowHTTP = false
        /// Allow private, loopback and link-local addresses (tests, local development).
        public var allowPrivateNetworks = false
        /// Seconds before each retry after a failed attempt (Standard Webhooks' schedule).
        public var retryScheduleSeconds: [Int] = RetrySchedule.standard.delaysSeconds.map { Int($0) }
        /// Longest wait for a receiver's answer, connect included.
        public var timeoutMs = 10_000
        /// Endpoints delivered to at once (each in `seq` order on its own connection).
        public var concurrency = 16
        /// Whether this node runs the delivery worker (one node at a time does, under a lease).
        public var deliver = true
    }

    /// Order intake: COD rules, RTO risk, payment expiry, allocation, invoices.
    public struct Orders: Sendable, Equatable {
        /// COD orders above this total are refused (422 `cod_limit_exceeded`).
        public var codMaxPaise = 5_000_000
        /// Channels that may not take COD.
        public var codDisabledChannels: [String] = []
        /// Pincodes COD is never offered to (a seller's own RTO blacklist).
        public var codBlockedPincodes: [String] = []
        /// COD orders scoring at or above this go `on_hold` for verification (101 = never).
        public var riskHoldThreshold = 60
        /// How long a prepaid order waits for its payment before it is cancelled.
        public var paymentExpiryMinutes = 30
        /// `priority`, `nearest` or `single_location_first`.
        public var allocationStrategy = "priority"
        /// Per-channel overrides, each `channel:strategy`.
        public var channelAllocationStrategies: [String] = []
        /// Invoice number prefix (1–8 of letters, digits, `-`, `/`).
        public var invoicePrefix = "INV"
    }

    /// What the seller agreed with gateways and couriers, for the reconciliation checks.
    public struct Reconciliation: Sendable, Equatable {
        /// Days after capture each gateway settles (T+N): later is `captured_not_settled`.
        public var settlementDaysRazorpay = 3
        public var settlementDaysCashfree = 3
        public var settlementDaysPayU = 3
        /// The agreed fee per method in basis points, GST aside (200 = 2 %); -1: none agreed, not checked.
        public var feeBpsUPI = -1
        public var feeBpsCard = -1
        public var feeBpsNetbanking = -1
        public var feeBpsWallet = -1
        public var feeBpsEMI = -1
        /// Days a refund may stay pending before it is `refund_stuck`.
        public var refundStuckDays = 7
        /// Days after delivery a courier may keep COD cash before it is `cod_delivered_not_remitted`.
        public var codRemittanceDays = 8
        /// How often the checks run (on one node at a time); 0: only after imports and when asked.
        public var checkIntervalSeconds = 300
        /// Per courier, our remittance column → the header its file uses, for a courier whose
        /// layout Bahi has not built in (or to correct one): `{"ecom": {"awb": "AWB Number"}}`.
        public var remittanceColumns: [String: [String: String]] = [:]

        /// The policy the checks judge by.
        public var policy: ReconciliationPolicy {
            var fees: [String: Int] = [:]
            for (method, bps) in [("upi", feeBpsUPI), ("card", feeBpsCard), ("netbanking", feeBpsNetbanking), ("wallet", feeBpsWallet), ("emi", feeBpsEMI)]
            where bps >= 0 { fees[method] = bps }
            return ReconciliationPolicy(
                settlementDays: ["razorpay": settlementDaysRazorpay, "cashfree": settlementDaysCashfree, "payu": settlementDaysPayU],
                feeBasisPoints: fees, refundStuckDays: refundStuckDays, codRemittanceDays: codRemittanceDays)
        }
    }

    /// How a courier is chosen among those that can carry a parcel (`CourierPolicy`).
    public struct CourierChoice: Sendable, Equatable {
        /// `cheapest`, `fastest`, `best_performing` or `balanced`.
        public var policy = "cheapest"
        /// Per-channel overrides, each `channel:policy`.
        public var channelPolicies: [String] = []
        /// `balanced`'s weights for cost, days and RTO risk.
        public var weightCost = 50
        public var weightDays = 20
        public var weightRTORisk = 30
        /// Ordered rules tried before the policy, e.g. `cod&zone=E => courier=xpressbees`.
        public var rules: [String] = []
        /// Failed delivery attempts after which the parcel goes back (RTO); a refusal goes at once.
        public var ndrMaxAttempts = NDRPolicy.defaultMaxAttempts
        /// Hours the seller has to act on an NDR before it shows overdue (Shiprocket re-attempts
        /// on its own after 24).
        public var ndrActionHours = 24
        /// Where the providers' APIs are (booking, cancelling, NDR actions). Tests point them at local stubs.
        public var shiprocketAPIURL = ShiprocketAPI.defaultBaseURL
        public var delhiveryAPIURL = DelhiveryAPI.defaultBaseURL
        /// Longest wait for a provider's answer to one call, connect included: a booking that
        /// runs out changes nothing in Bahi and answers 503 courier_unavailable.
        public var providerTimeoutMs = 20_000

        /// The policy for `channel` (its override, else the default), with the rules; entries
        /// the loader has already checked, so an unreadable one cannot occur here and is skipped.
        public func policy(channel: String?) -> CourierPolicy {
            var kind = CourierPolicy.Kind(rawValue: policy) ?? .cheapest
            for entry in channelPolicies {
                let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
                if parts.count == 2, parts[0] == channel, let k = CourierPolicy.Kind(rawValue: parts[1]) { kind = k }
            }
            let parsed = rules.compactMap { try? CourierPolicy.parseRule($0).get() }
            return CourierPolicy(kind: kind, weights: .init(cost: weightCost, days: weightDays, rtoRisk: weightRTORisk), rules: parsed)
        }
    }

    /// The packing queue's priority rules.
    public struct Fulfilment: Sendable, Equatable {
        /// Hours from order to dispatch the seller promises; breached orders go first.
        public var dispatchSLAHours = 24
        /// Channels whose orders go before others (quick commerce, express).
        public var expressChannels: [String] = []
        /// Prepaid orders before COD ones (COD parcels are likelier to come back).
        public var prepaidFirst = true
    }

    public var server = Server()
    public var database = Database()
    public var log = Log()
    public var seller = Seller()
    public var rateLimit = RateLimit()
    public var secrets = Secrets()
    public var payments = PaymentGateways()
    public var reconciliation = Reconciliation()
    public var webhooks = Webhooks()
    public var orders = Orders()
    public var fulfilment = Fulfilment()
    public var couriers = CourierChoice()
    /// Where `POST /v1/admin/backup` writes; empty = `backups/` beside the database.
    public var backupDirectory = ""
    /// Business days and reports are computed in this IANA zone.
    public var businessTimezone = "Asia/Kolkata"
    /// How long an Idempotency-Key's stored response is kept.
    public var idempotencyRetentionHours = 24

    public init() {}

    /// The HTTP server settings this configuration implies.
    public var httpServer: HTTPServerConfiguration {
        var http = HTTPServerConfiguration()
        http.host = server.host
        http.port = server.port
        http.maxConnections = server.maxConnections
        if server.ioQueues > 0 { http.ioQueueCount = server.ioQueues }
        http.io = IOBackend(rawValue: server.io) ?? .platformDefault
        http.connection.limits.maxTargetLength = server.maxTargetBytes
        http.connection.limits.maxHeaderBytes = server.maxHeaderBytes
        http.connection.limits.maxHeaderCount = server.maxHeaderCount
        http.connection.headerTimeout = .milliseconds(server.headerTimeoutMs)
        http.connection.bodyIdleTimeout = .milliseconds(server.bodyIdleTimeoutMs)
        http.connection.keepAliveTimeout = .milliseconds(server.keepAliveTimeoutMs)
        http.drainTimeout = .milliseconds(server.drainTimeoutMs)
        http.accessLog = log.accessLog ? .standardOutput : .disabled
        return http
    }

    /// The rate limit each role is held to (a key's own limit aside).
    public var roleRateLimits: RoleRateLimits {
        let table: [(BahiCore.Role, RateLimit.Role)] = [
            (.admin, rateLimit.roles.admin), (.storefront, rateLimit.roles.storefront), (.warehouse, rateLimit.roles.warehouse),
            (.finance, rateLimit.roles.finance), (.support, rateLimit.roles.support),
        ]
        var limits = RoleRateLimits(defaultLimit: BahiCore.RateLimit(requestsPerSecond: rateLimit.requestsPerSecond, burst: rateLimit.burst))
        for (role, own) in table where own.requestsPerSecond > 0 {
            limits.roles[role] = own.burst > 0
                ? BahiCore.RateLimit(requestsPerSecond: own.requestsPerSecond, burst: own.burst)
                : BahiCore.RateLimit(requestsPerSecond: own.requestsPerSecond)
        }
        return limits
    }

    /// A secret setting as the list of secrets it names (comma-separated during a rotation).
    public static func secretList(_ value: String) -> [String] {
        value.split(separator: ",").map { String($0).trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
    }

    /// The URL rule webhook endpoints are held to, at creation and at connect time.
    public var webhookURLPolicy: WebhookURLPolicy {
        WebhookURLPolicy(allowHTTP: webhooks.allowHTTP, allowPrivateNetworks: webhooks.allowPrivateNetworks)
    }

    /// The retry schedule deliveries follow.
    public var webhookRetrySchedule: RetrySchedule {
        RetrySchedule(delaysSeconds: webhooks.retryScheduleSeconds.map { Int64($0) })
    }

    /// The folder backups go to.
    public var resolvedBackupDirectory: String {
        if !backupDirectory.isEmpty { return backupDirectory }
        let path = database.path
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        return folder + "/backups"
    }

    /// The order rules the core applies. The seller's state is the configured one (a name
    /// or GST code), else the GSTIN's first two digits, else the address's pincode's state, else
    /// the pickup pincode's; nil leaves intake to use the first location's.
    public var orderPolicy: OrderPolicy {
        var policy = OrderPolicy()
        let state = IndianState(name: seller.state) ?? IndianState(gstCode: seller.state)
            ?? (seller.gstin.count >= 2 ? IndianState(gstCode: String(seller.gstin.prefix(2))) : nil)
            ?? PincodeDirectory.lookup(seller.address.pincode)?.stateCode
            ?? PincodeDirectory.lookup(seller.pickupAddress.pincode)?.stateCode
        let a = seller.address
        policy.seller = SellerProfile(legalName: seller.legalName, tradeName: seller.tradeName, gstin: seller.gstin.uppercased(),
                                      address: .init(line1: a.line1, line2: a.line2, city: a.city, state: state, pincode: a.pincode))
        policy.codMaxPaise = Int64(orders.codMaxPaise)
        policy.codDisabledChannels = Set(orders.codDisabledChannels)
        policy.codBlockedPincodes = Set(orders.codBlockedPincodes)
        policy.riskHoldThreshold = orders.riskHoldThreshold
        policy.paymentExpiryMilliseconds = Int64(orders.paymentExpiryMinutes) * 60_000
        policy.allocationStrategy = AllocationStrategy(rawValue: orders.allocationStrategy) ?? .priority
        for entry in orders.channelAllocationStrategies {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2, let strategy = AllocationStrategy(rawValue: parts[1]) { policy.channelStrategies[parts[0]] = strategy }
        }
        policy.invoicePrefix = orders.invoicePrefix
        return policy
    }
}
