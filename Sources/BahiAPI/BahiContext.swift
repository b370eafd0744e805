public import BahiCore
public import BahiHTTP
public import BahiStore
public import Synchronization

/// Everything a route needs, built once at startup: configuration, the store, keys,
/// authentication, the event notifier, and the set of Idempotency-Keys in flight.
public final class BahiContext: Sendable {
    public let configuration: BahiConfiguration
    /// SQLite or PostgreSQL: routes see only the `DataStore` interface; the few SQLite-only
    /// operations (backup, the writer's figures) check `store.dialect` and answer a problem
    /// on PostgreSQL.
    public let store: any DataStore
    public let keys: APIKeyStore
    public let authenticator: Authenticator
    public let notifier = EventNotifier()
    /// The seller's order rules, from configuration.
    public let orderPolicy: OrderPolicy
    /// The packing queue's priority rules, from configuration.
    public let fulfilmentRules: FulfilmentPriorityRules
    /// Where failures are explained: every 5xx answer and every failed maintenance job
    /// writes one JSON line here.
    public let log: ErrorLog
    /// Gateway webhooks refused for their signature, by gateway, since start: the counter a
    /// refusal leaves behind (it stores nothing else).
    public let gatewayRejections = Mutex<[String: Int]>([:])
    /// The client refunds call the gateways with, and bookings the courier providers
    /// (`CourierGateways`), made on first use (its worker threads are not worth starting in a
    /// process that never calls out).
    private let gatewayClientStore = Mutex<HTTPClient?>(nil)
    /// Shiprocket's API token and when it was issued (ms), kept between bookings: a login gives
    /// one that lasts 10 days (`CourierGateways`). Never logged.
    let shiprocketToken = Mutex<(token: String, at: Int64)?>(nil)
    /// The couriers and rate cards quotes price with, re-checked against the database's
    /// version by every quote (so another node's change is seen at once): `CourierQuoteCache`.
    public let courierQuotes = CourierQuoteCache()
    /// (key owner, Idempotency-Key) pairs whose first request has not finished.
    let idempotencyInFlight = Mutex<Set<String>>([])

    public init(
        configuration: BahiConfiguration, store: any DataStore, keyDirectory: (any KeyDirectory)? = nil, keyCacheTTL: Duration = .seconds(2),
        log: ErrorLog = .standardOutput
    ) {
        self.configuration = configuration
        self.store = store
        self.log = log
        self.keys = APIKeyStore(store: store)
        self.orderPolicy = configuration.orderPolicy
        self.fulfilmentRules = FulfilmentPriorityRules(
            prepaidFirst: configuration.fulfilment.prepaidFirst, expressChannels: Set(configuration.fulfilment.expressChannels),
            slaHours: configuration.fulfilment.dispatchSLAHours)
        self.authenticator = Authenticator(
            directory: keyDirectory ?? APIKeyStore(store: store),
            limits: configuration.roleRateLimits,
            cacheTTL: keyCacheTTL, log: log)
    }

    /// `store.write`, then wakes long-polling event readers: every domain write goes through
    /// here so the feed learns of a commit the moment it is durable.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        try await write(rerunnable: false, body)
    }

    /// `write(_:)` passing `rerunnable` to `DataStore.write(rerunnable:_:)`: true only for a
    /// closure that uses nothing but the connection, so it may run more than once (SQLite's
    /// writer then shares one savepoint among such calls; PostgreSQL may rerun any write
    /// after a serialization conflict anyway).
    public func write<T: Sendable>(rerunnable: Bool, _ body: @escaping @Sendable (any Database) throws -> T) async throws -> T {
        let value = try await store.write(rerunnable: rerunnable, body)
        notifier.signal()
        return value
    }

    /// The shared client for the payment gateways' APIs (refunds).
    func gatewayClient() throws(HTTPClientError) -> HTTPClient {
        try gatewayClientStore.withLock { (stored: inout HTTPClient?) throws(HTTPClientError) -> HTTPClient in
            if let client = stored { return client }
            var configuration = HTTPClientConfiguration()
            configuration.workerThreads = 4
            configuration.userAgent = "Bahi-Refunds/1"
            let client = try HTTPClient(configuration: configuration)
            stored = client
            return client
        }
    }

    /// How long idempotency records live.
    var idempotencyRetentionMilliseconds: Int64 { Int64(configuration.idempotencyRetentionHours) * 3_600_000 }
}
