public import BahiJSON
import BahiHTTP
import BahiCore
import BahiStore
#if canImport(Glibc)
import Glibc
#endif

/// A configuration mistake, phrased for the person who made it: which key, where it came
/// from (file, environment variable or flag), and what would be accepted.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Builds a `BahiConfiguration` from defaults, a JSON file, `BAHI_*` environment variables
/// and flags, in that order of precedence.
///
/// Every key is declared once in `keys` with its type and range; the file, the environment
/// and the flags are all checked against that table, so an unknown key anywhere is an error
/// that names it (with a suggestion when it looks like a typo).
public enum ConfigurationLoader {
    /// The type and range of a key's value.
    public enum Kind: Sendable {
        case string
        case int(ClosedRange<Int>)
        case bool
        case choice([String])
        /// A JSON array of strings; comma-separated in the environment and flags.
        case list
        /// A JSON array of whole numbers in the range; comma-separated in the environment and flags.
        case integers(ClosedRange<Int>)
        /// A database: a `postgres://` URL, checked at once so a mistake is named before
        /// anything connects (and without the password); with `pathAllowed`, anything else
        /// is an SQLite path, and without it the value may only be empty.
        case database(pathAllowed: Bool)
        /// Header mappings: a JSON object of name → {column: header}, each column one of
        /// `columns`; JSON text in the environment and flags.
        case headerMappings(columns: [String])
    }

    /// One configurable key.
    public struct Key: Sendable {
        /// Dotted path in the file, e.g. `server.port`.
        public let path: String
        public let kind: Kind
        let apply: @Sendable (inout BahiConfiguration, JSONValue) -> Void
        /// The value in a configuration, as JSON (for `config.example.json` and tests).
        public let read: @Sendable (BahiConfiguration) -> JSONValue

        /// `BAHI_` + the path in upper case with `.` as `_`, e.g. `BAHI_SERVER_PORT`.
        public var environmentName: String {
            "BAHI_" + path.uppercased().map { $0 == "." ? "_" : $0 }.map(String.init).joined()
        }
    }

    private static func string(_ path: String, _ keyPath: any WritableKeyPath<BahiConfiguration, String> & Sendable) -> Key {
        Key(path: path, kind: .string,
            apply: { config, value in if case .string(let s) = value { config[keyPath: keyPath] = s } },
            read: { .string($0[keyPath: keyPath]) })
    }

    private static func choice(_ path: String, _ options: [String], _ keyPath: any WritableKeyPath<BahiConfiguration, String> & Sendable) -> Key {
        Key(path: path, kind: .choice(options),
            apply: { config, value in if case .string(let s) = value { config[keyPath: keyPath] = s.lowercased() } },
            read: { .string($0[keyPath: keyPath]) })
    }

    private static func int(_ path: String, _ range: ClosedRange<Int>, _ keyPath: any WritableKeyPath<BahiConfiguration, Int> & Sendable) -> Key {
        Key(path: path, kind: .int(range),
            apply: { config, value in if case .number(let n) = value, let v = n.int64 { config[keyPath: keyPath] = Int(v) } },
            read: { .number(JSONNumber($0[keyPath: keyPath])) })
    }

    private static func bool(_ path: String, _ keyPath: any WritableKeyPath<BahiConfiguration, Bool> & Sendable) -> Key {
        Key(path: path, kind: .bool,
            apply: { config, value in if case .bool(let b) = value { config[keyPath: keyPath] = b } },
            read: { .bool($0[keyPath: keyPath]) })
    }

    private static func list(_ path: String, _ keyPath: any WritableKeyPath<BahiConfiguration, [String]> & Sendable) -> Key {
        Key(path: path, kind: .list,
            apply: { config, value in
                if case .array(let items) = value { config[keyPath: keyPath] = items.compactMap { if case .string(let s) = $0 { s } else { nil } } }
            },
            read: { .array($0[keyPath: keyPath].map(JSONValue.string)) })
    }

    private static func integers(_ path: String, _ range: ClosedRange<Int>, _ keyPath: any WritableKeyPath<BahiConfiguration, [Int]> & Sendable) -> Key {
        Key(path: path, kind: .integers(range),
            apply: { config, value in
                if case .array(let items) = value { config[keyPath: keyPath] = items.compactMap { if case .number(let n) = $0 { n.int64.map(Int.init) } else { nil } } }
            },
            read: { .array($0[keyPath: keyPath].map { .number(JSONNumber(Int64($0))) }) })
    }

    private static func headerMappings(
        _ path: String, columns: [String], _ keyPath: any WritableKeyPath<BahiConfiguration, [String: [String: String]]> & Sendable
    ) -> Key {
        Key(path: path, kind: .headerMappings(columns: columns),
            apply: { config, value in
                guard case .object(let outer) = value else { return }
                var mappings: [String: [String: String]] = [:]
                for (name, inner) in outer {
                    guard case .object(let pairs) = inner else { continue }
                    for (column, header) in pairs { if case .string(let text) = header { mappings[name.lowercased(), default: [:]][column.lowercased()] = text } }
                }
                config[keyPath: keyPath] = mappings
            },
            read: { config in
                var outer = JSONObject()
                for (name, pairs) in config[keyPath: keyPath].sorted(by: { $0.key < $1.key }) {
                    var inner = JSONObject()
                    for (column, header) in pairs.sorted(by: { $0.key < $1.key }) { inner[column] = .string(header) }
                    outer[name] = .object(inner)
                }
                return .object(outer)
            })
    }

    /// Every key, in the order `config.example.json` lists them.
    public static let keys: [Key] = [
        string("server.host", \.server.host),
        int("server.port", 0...65535, \.server.port),
        int("server.max_connections", 1...1_000_000, \.server.maxConnections),
        int("server.io_queues", 0...256, \.server.ioQueues),
        choice("server.io", IOBackend.availableHere.map(\.rawValue), \.server.io),
        int("server.max_body_bytes", 1024...(1 << 30), \.server.maxBodyBytes),
        int("server.max_target_bytes", 256...(1 << 20), \.server.maxTargetBytes),
        int("server.max_header_bytes", 1024...(1 << 22), \.server.maxHeaderBytes),
        int("server.max_header_count", 8...10_000, \.server.maxHeaderCount),
        int("server.header_timeout_ms", 10...3_600_000, \.server.headerTimeoutMs),
        int("server.body_idle_timeout_ms", 10...3_600_000, \.server.bodyIdleTimeoutMs),
        int("server.keep_alive_timeout_ms", 10...3_600_000, \.server.keepAliveTimeoutMs),
        int("server.drain_timeout_ms", 0...3_600_000, \.server.drainTimeoutMs),
        string("database.path", \.database.path),
        Key(path: "database.url", kind: .database(pathAllowed: false),
            apply: { config, value in if case .string(let s) = value { config.database.url = s } },
            read: { .string($0.database.url) }),
        int("database.pool_size", 1...1000, \.database.poolSize),
        choice("database.synchronous", ["full", "normal"], \.database.synchronous),
        int("database.read_connections", 1...64, \.database.readConnections),
        int("database.busy_timeout_ms", 0...600_000, \.database.busyTimeoutMs),
        int("database.writer_cache_mb", 1...65_536, \.database.writerCacheMB),
        int("database.checkpoint_pages", 100...1_000_000, \.database.checkpointPages),
        string("backup_directory", \.backupDirectory),
        choice("log.format", ["json", "text"], \.log.format),
        choice("log.level", ["debug", "info", "warn", "error"], \.log.level),
        bool("log.access_log", \.log.accessLog),
        string("seller.legal_name", \.seller.legalName),
        string("seller.trade_name", \.seller.tradeName),
        string("seller.gstin", \.seller.gstin),
        string("seller.state", \.seller.state),
        string("seller.address.line1", \.seller.address.line1),
        string("seller.address.line2", \.seller.address.line2),
        string("seller.address.city", \.seller.address.city),
        string("seller.address.pincode", \.seller.address.pincode),
        string("seller.pickup_address.line1", \.seller.pickupAddress.line1),
        string("seller.pickup_address.line2", \.seller.pickupAddress.line2),
        string("seller.pickup_address.city", \.seller.pickupAddress.city),
        string("seller.pickup_address.pincode", \.seller.pickupAddress.pincode),
        string("business_timezone", \.businessTimezone),
        int("idempotency_retention_hours", 1...24 * 365, \.idempotencyRetentionHours),
        int("rate_limit.requests_per_second", 1...1_000_000, \.rateLimit.requestsPerSecond),
        int("rate_limit.burst", 1...10_000_000, \.rateLimit.burst),
        int("rate_limit.roles.admin.requests_per_second", 0...1_000_000, \.rateLimit.roles.admin.requestsPerSecond),
        int("rate_limit.roles.admin.burst", 0...10_000_000, \.rateLimit.roles.admin.burst),
        int("rate_limit.roles.storefront.requests_per_second", 0...1_000_000, \.rateLimit.roles.storefront.requestsPerSecond),
        int("rate_limit.roles.storefront.burst", 0...10_000_000, \.rateLimit.roles.storefront.burst),
        int("rate_limit.roles.warehouse.requests_per_second", 0...1_000_000, \.rateLimit.roles.warehouse.requestsPerSecond),
        int("rate_limit.roles.warehouse.burst", 0...10_000_000, \.rateLimit.roles.warehouse.burst),
        int("rate_limit.roles.finance.requests_per_second", 0...1_000_000, \.rateLimit.roles.finance.requestsPerSecond),
        int("rate_limit.roles.finance.burst", 0...10_000_000, \.rateLimit.roles.finance.burst),
        int("rate_limit.roles.support.requests_per_second", 0...1_000_000, \.rateLimit.roles.support.requestsPerSecond),
        int("rate_limit.roles.support.burst", 0...10_000_000, \.rateLimit.roles.support.burst),
        string("secrets.razorpay_webhook_secret", \.secrets.razorpayWebhookSecret),
        string("secrets.razorpay_key_id", \.secrets.razorpayKeyID),
        string("secrets.razorpay_key_secret", \.secrets.razorpayKeySecret),
        string("secrets.cashfree_app_id", \.secrets.cashfreeAppID),
        string("secrets.cashfree_client_secret", \.secrets.cashfreeClientSecret),
        string("secrets.payu_salt", \.secrets.payuSalt),
        string("secrets.payu_merchant_key", \.secrets.payuMerchantKey),
        string("secrets.shiprocket_token", \.secrets.shiprocketToken),
        string("secrets.delhivery_token", \.secrets.delhiveryToken),
        string("secrets.shiprocket_webhook_token", \.secrets.shiprocketWebhookToken),
        string("secrets.delhivery_webhook_token", \.secrets.delhiveryWebhookToken),
        string("secrets.shiprocket_email", \.secrets.shiprocketEmail),
        string("secrets.shiprocket_password", \.secrets.shiprocketPassword),
        string("secrets.delhivery_api_token", \.secrets.delhiveryAPIToken),
        int("orders.cod_max_paise", 0...10_000_000_000, \.orders.codMaxPaise),
        list("orders.cod_disabled_channels", \.orders.codDisabledChannels),
        list("orders.cod_blocked_pincodes", \.orders.codBlockedPincodes),
        int("orders.risk_hold_threshold", 0...101, \.orders.riskHoldThreshold),
        int("orders.payment_expiry_minutes", 1...7 * 24 * 60, \.orders.paymentExpiryMinutes),
        choice("orders.allocation_strategy", ["priority", "nearest", "single_location_first"], \.orders.allocationStrategy),
        list("orders.channel_allocation_strategies", \.orders.channelAllocationStrategies),
        string("orders.invoice_prefix", \.orders.invoicePrefix),
        string("payments.razorpay_api_url", \.payments.razorpayAPIURL),
        string("payments.cashfree_api_url", \.payments.cashfreeAPIURL),
        int("reconciliation.settlement_days.razorpay", 0...60, \.reconciliation.settlementDaysRazorpay),
        int("reconciliation.settlement_days.cashfree", 0...60, \.reconciliation.settlementDaysCashfree),
        int("reconciliation.settlement_days.payu", 0...60, \.reconciliation.settlementDaysPayU),
        int("reconciliation.fee_bps.upi", -1...10_000, \.reconciliation.feeBpsUPI),
        int("reconciliation.fee_bps.card", -1...10_000, \.reconciliation.feeBpsCard),
        int("reconciliation.fee_bps.netbanking", -1...10_000, \.reconciliation.feeBpsNetbanking),
        int("reconciliation.fee_bps.wallet", -1...10_000, \.reconciliation.feeBpsWallet),
        int("reconciliation.fee_bps.emi", -1...10_000, \.reconciliation.feeBpsEMI),
        int("reconciliation.refund_stuck_days", 1...365, \.reconciliation.refundStuckDays),
        int("reconciliation.cod_remittance_days", 1...365, \.reconciliation.codRemittanceDays),
        int("reconciliation.check_interval_seconds", 0...86_400, \.reconciliation.checkIntervalSeconds),
        headerMappings("reconciliation.remittance_columns", columns: SettlementImportColumns.names(.codRemittance),
                       \.reconciliation.remittanceColumns),
        bool("webhooks.allow_http", \.webhooks.allowHTTP),
        bool("webhooks.allow_private_networks", \.webhooks.allowPrivateNetworks),
        integers("webhooks.retry_schedule_seconds", 0...7 * 86_400, \.webhooks.retryScheduleSeconds),
        int("webhooks.timeout_ms", 100...120_000, \.webhooks.timeoutMs),
        int("webhooks.concurrency", 1...256, \.webhooks.concurrency),
        bool("webhooks.deliver", \.webhooks.deliver),
        int("fulfilment.dispatch_sla_hours", 1...24 * 30, \.fulfilment.dispatchSLAHours),
        list("fulfilment.express_channels", \.fulfilment.expressChannels),
        bool("fulfilment.prepaid_first", \.fulfilment.prepaidFirst),
        choice("couriers.policy", CourierPolicy.Kind.allCases.map(\.rawValue), \.couriers.policy),
        list("couriers.channel_policies", \.couriers.channelPolicies),
        int("couriers.weights.cost", 0...1_000, \.couriers.weightCost),
        int("couriers.weights.days", 0...1_000, \.couriers.weightDays),
        int("couriers.weights.rto_risk", 0...1_000, \.couriers.weightRTORisk),
        list("couriers.rules", \.couriers.rules),
        int("couriers.ndr_max_attempts", 1...10, \.couriers.ndrMaxAttempts),
        int("couriers.ndr_action_hours", 1...24 * 7, \.couriers.ndrActionHours),
        string("couriers.shiprocket_api_url", \.couriers.shiprocketAPIURL),
        string("couriers.delhivery_api_url", \.couriers.delhiveryAPIURL),
        int("couriers.provider_timeout_ms", 100...120_000, \.couriers.providerTimeoutMs),
    ]

    /// `--db` and `BAHI_DB`: one value naming the database either way. A `postgres://` URL
    /// sets `database.url`; anything else is an SQLite path, which sets `database.path` and
    /// clears `database.url`.
    ///
    /// Why one key that clears the other: with two keys, a URL in the config file would
    /// still win over `--db ./other.db`; this way the level that names the database last
    /// (flag > environment > file) decides which store it is.
    public static let databaseChoice = Key(
        path: "database", kind: .database(pathAllowed: true),
        apply: { config, value in
            guard case .string(let s) = value else { return }
            if PostgresURL.isPostgres(s) {
                config.database.url = s
            } else {
                config.database.path = s
                config.database.url = ""
            }
        },
        read: { config in .string(config.database.url.isEmpty ? config.database.path : config.database.url) })

    /// Short environment names the issue tracker and README promise, beside the long ones.
    public static let environmentAliases: [String: String] = [
        "BAHI_HOST": "server.host",
        "BAHI_PORT": "server.port",
        "BAHI_DB": "database",
    ]

    /// The key at `path`, counting `databaseChoice` (the `--db` flag's and `BAHI_DB`'s key).
    static func key(_ path: String) -> Key? {
        path == databaseChoice.path ? databaseChoice : keys.first { $0.path == path }
    }

    /// Environment variables that start with `BAHI_` but are not configuration keys.
    public static let nonConfigurationEnvironment: Set<String> = ["BAHI_CONFIG"]

    /// Loads the configuration.
    ///
    /// - Parameters:
    ///   - fileContents: the `--config` file's bytes and its path (for messages), if given.
    ///   - environment: the process environment (only `BAHI_*` names are read).
    ///   - flags: key path → value text from command-line flags.
    public static func load(
        file: (path: String, contents: [UInt8])? = nil,
        environment: [String: String] = [:],
        flags: [String: String] = [:]
    ) throws(ConfigurationError) -> BahiConfiguration {
        var config = BahiConfiguration()
        if let file {
            let document: JSONValue
            do {
                document = try JSONParser.parse(file.contents)
            } catch {
                throw ConfigurationError("\(file.path): not valid JSON at \(error)")
            }
            guard case .object(let root) = document else { throw ConfigurationError("\(file.path): the top level must be a JSON object") }
            try applyObject(root, prefix: "", source: file.path, to: &config)
        }
        for name in environment.keys.sorted() where name.hasPrefix("BAHI_") && !nonConfigurationEnvironment.contains(name) {
            guard let text = environment[name] else { continue }
            let path = environmentAliases[name] ?? keys.first { $0.environmentName == name }?.path
            guard let path, let key = key(path) else {
                let names = keys.map(\.environmentName) + environmentAliases.keys
                throw ConfigurationError("unknown environment variable \(name)\(suggestion(name, among: names))")
            }
            try apply(key, text: text, source: "environment variable \(name)", to: &config)
        }
        for (path, text) in flags.sorted(by: { $0.key < $1.key }) {
            guard let key = key(path) else { throw ConfigurationError("unknown setting \(path)") }
            try apply(key, text: text, source: path == databaseChoice.path ? "--db" : "flag for \(path)", to: &config)
        }
        try validate(config)
        return config
    }

    /// Reads the file at `path` and loads.
    public static func load(path: String?, environment: [String: String], flags: [String: String]) throws(ConfigurationError) -> BahiConfiguration {
        guard let path else { return try load(file: nil, environment: environment, flags: flags) }
        guard let contents = readFile(path) else { throw ConfigurationError("cannot read config file \(path): \(String(cString: strerror(errno)))") }
        return try load(file: (path, contents), environment: environment, flags: flags)
    }

    private static func applyObject(_ object: JSONObject, prefix: String, source: String, to config: inout BahiConfiguration) throws(ConfigurationError) {
        for (name, value) in object {
            let path = prefix.isEmpty ? name : prefix + "." + name
            if path == "$comment" || name.hasPrefix("//") { continue }
            if case .object(let nested) = value, keys.contains(where: { $0.path.hasPrefix(path + ".") }) {
                try applyObject(nested, prefix: path, source: source, to: &config)
                continue
            }
            guard let key = keys.first(where: { $0.path == path }) else {
                throw ConfigurationError("\(source): unknown key \"\(path)\"\(suggestion(path, among: keys.map(\.path)))")
            }
            try check(key, value: value, source: "\(source): \"\(path)\"")
            key.apply(&config, value)
        }
    }

    /// Parses a flag or environment value as the key's type.
    private static func apply(_ key: Key, text: String, source: String, to config: inout BahiConfiguration) throws(ConfigurationError) {
        let value: JSONValue
        switch key.kind {
        case .string, .choice, .database:
            value = .string(text)
        case .int:
            guard Int(text) != nil else { throw ConfigurationError("\(source) must be a whole number, not \"\(text)\"") }
            value = .number(JSONNumber(text: text))
        case .bool:
            switch text.lowercased() {
            case "true", "1", "yes", "on": value = .bool(true)
            case "false", "0", "no", "off": value = .bool(false)
            default: throw ConfigurationError("\(source) must be true or false, not \"\(text)\"")
            }
        case .list:
            value = .array(text.split(separator: ",").map { .string($0.trimmingCharacters(in: " \t")) }.filter { $0 != .string("") })
        case .integers:
            var numbers: [JSONValue] = []
            for part in text.split(separator: ",") {
                let item = part.trimmingCharacters(in: " \t")
                guard Int(item) != nil else { throw ConfigurationError("\(source) must be whole numbers separated by commas, not \"\(text)\"") }
                numbers.append(.number(JSONNumber(text: item)))
            }
            value = .array(numbers)
        case .headerMappings:
            do {
                value = try JSONParser.parse(Array(text.utf8))
            } catch {
                throw ConfigurationError("\(source) must be a JSON object such as {\"delhivery\": {\"awb\": \"Waybill\"}}, not valid JSON at \(error)")
            }
        }
        try check(key, value: value, source: source)
        key.apply(&config, value)
    }

    private static func check(_ key: Key, value: JSONValue, source: String) throws(ConfigurationError) {
        switch (key.kind, value) {
        case (.string, .string):
            return
        case (.choice(let options), .string(let s)):
            guard options.contains(s.lowercased()) else {
                throw ConfigurationError("\(source) must be one of \(options.joined(separator: ", ")), not \"\(s)\"")
            }
        case (.int(let range), .number(let n)):
            guard let v = n.int64, range.contains(Int(v)) else {
                throw ConfigurationError("\(source) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(n.text)")
            }
        case (.bool, .bool):
            return
        case (.database(let pathAllowed), .string(let s)):
            // Anything URL-shaped is checked as one: `mysql://…` is a mistake, not a file name.
            if PostgresURL.isPostgres(s) || s.contains("://") {
                do { _ = try PostgresURL(s) } catch { throw ConfigurationError("\(source): \(error.description)") }
            } else if !pathAllowed && !s.isEmpty {
                throw ConfigurationError("\(source) must be a postgres:// URL (postgres://user:password@host:5432/dbname), or empty for the SQLite file at database.path")
            }
        case (.list, .array(let items)):
            for item in items {
                guard case .string = item else { throw ConfigurationError("\(source) must be a list of strings, not a list holding \(item.kindName)") }
            }
        case (.list, _):
            throw ConfigurationError("\(source) must be a list of strings, not \(value.kindName)")
        case (.integers(let range), .array(let items)):
            guard !items.isEmpty, items.count <= 30 else { throw ConfigurationError("\(source) must list 1 to 30 numbers") }
            for item in items {
                guard case .number(let n) = item, let v = n.int64, range.contains(Int(v)) else {
                    throw ConfigurationError("\(source) must list whole numbers from \(range.lowerBound) to \(range.upperBound), not \(item.encodedText)")
                }
            }
        case (.integers, _):
            throw ConfigurationError("\(source) must be a list of whole numbers, not \(value.kindName)")
        case (.headerMappings(let columns), .object(let outer)):
            try checkMappings(outer, columns: columns, path: key.path, source: source)
        case (.headerMappings, _):
            throw ConfigurationError("\(source) must be an object of name → {column: header}, not \(value.kindName)")
        case (.int, _):
            throw ConfigurationError("\(source) must be a whole number, not \(value.kindName)")
        case (.bool, _):
            throw ConfigurationError("\(source) must be true or false, not \(value.kindName)")
        default:
            throw ConfigurationError("\(source) must be a string, not \(value.kindName)")
        }
    }

    /// Each name a courier code, each mapping an object of known column → non-empty header
    /// text; a mistake names its full key (`reconciliation.remittance_columns.delhivery.waybil`).
    private static func checkMappings(_ outer: JSONObject, columns: [String], path: String, source fullSource: String) throws(ConfigurationError) {
        // The file's source names the key (`file: "path"`); the full key below says it again.
        let suffix = ": \"\(path)\""
        let source = fullSource.hasSuffix(suffix) ? String(fullSource.dropLast(suffix.count)) : fullSource
        for (name, inner) in outer {
            guard MerchantCode.isValid(name) else {
                throw ConfigurationError("\(source): \"\(path).\(name)\" is not a courier code (letters, digits, . _ -, at most \(MerchantCode.maxLength))")
            }
            guard case .object(let pairs) = inner else {
                throw ConfigurationError("\(source): \"\(path).\(name)\" must be an object of column → header, not \(inner.kindName)")
            }
            for (column, header) in pairs {
                guard columns.contains(column.lowercased()) else {
                    throw ConfigurationError("\(source): unknown column \"\(path).\(name).\(column)\"\(suggestion(column, among: columns)); the columns are \(columns.joined(separator: ", "))")
                }
                guard case .string(let text) = header else {
                    throw ConfigurationError("\(source): \"\(path).\(name).\(column)\" must be the header's name, a string, not \(header.kindName)")
                }
                guard !text.allSatisfy(\.isWhitespace) else {
                    throw ConfigurationError("\(source): \"\(path).\(name).\(column)\" is empty; name the header that carries \(column)")
                }
            }
        }
    }

    /// Cross-field rules.
    private static func validate(_ config: BahiConfiguration) throws(ConfigurationError) {
        if config.database.path.isEmpty { throw ConfigurationError("database.path must not be empty") }
        if config.rateLimit.burst < config.rateLimit.requestsPerSecond {
            throw ConfigurationError("rate_limit.burst (\(config.rateLimit.burst)) must be at least rate_limit.requests_per_second (\(config.rateLimit.requestsPerSecond))")
        }
        let roles = config.rateLimit.roles
        for (name, own) in [("admin", roles.admin), ("storefront", roles.storefront), ("warehouse", roles.warehouse),
                            ("finance", roles.finance), ("support", roles.support)] {
            let prefix = "rate_limit.roles.\(name)"
            if own.requestsPerSecond == 0, own.burst > 0 {
                throw ConfigurationError("\(prefix).burst is \(own.burst) but \(prefix).requests_per_second is 0 (none of its own): set the rate too, or the burst back to 0")
            }
            if own.burst > 0, own.burst < own.requestsPerSecond {
                throw ConfigurationError("\(prefix).burst (\(own.burst)) must be at least \(prefix).requests_per_second (\(own.requestsPerSecond)), or 0 for two seconds' worth")
            }
        }
        let seller = config.seller
        if !seller.state.isEmpty, IndianState(name: seller.state) == nil, IndianState(gstCode: seller.state) == nil {
            throw ConfigurationError("seller.state \"\(seller.state)\" is not an Indian state or union territory (a name such as Gujarat, or its GST code such as 24)")
        }
        // The same GSTIN rules as PUT /v1/settings/seller: a default that could not be stored is refused.
        let state = IndianState(name: seller.state) ?? IndianState(gstCode: seller.state)
        if !seller.gstin.isEmpty, let problem = GSTIN.problems(seller.gstin.uppercased(), state: state).first {
            throw ConfigurationError("seller.gstin \"\(seller.gstin)\": \(problem.message)")
        }
        if !seller.address.pincode.isEmpty {
            guard let place = PincodeDirectory.lookup(seller.address.pincode) else {
                throw ConfigurationError("seller.address.pincode \"\(seller.address.pincode)\" is not in the India Post pincode directory")
            }
            // The seller's state: seller.state, else the (valid) GSTIN's.
            let sellerState = state ?? (seller.gstin.count >= 2 ? IndianState(gstCode: String(seller.gstin.prefix(2))) : nil)
            if let sellerState, place.stateCode != sellerState {
                throw ConfigurationError("seller.address.pincode \(seller.address.pincode) is in \(place.stateCode.name), not \(sellerState.name), the seller's state (seller.state or the GSTIN's)")
            }
        }
        for entry in config.orders.channelAllocationStrategies {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, AllocationStrategy(rawValue: parts[1]) != nil else {
                throw ConfigurationError("orders.channel_allocation_strategies entry \"\(entry)\" must be channel:strategy with strategy priority, nearest or single_location_first")
            }
        }
        for entry in config.couriers.channelPolicies {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, CourierPolicy.Kind(rawValue: parts[1]) != nil else {
                throw ConfigurationError("couriers.channel_policies entry \"\(entry)\" must be channel:policy with policy cheapest, fastest, best_performing or balanced")
            }
        }
        for (i, rule) in config.couriers.rules.enumerated() {
            if case .failure(let error) = CourierPolicy.parseRule(rule) {
                throw ConfigurationError("couriers.rules[\(i)] \"\(rule)\": \(error.message)")
            }
        }
        do {
            try InvoiceNumber.validatePrefix(config.orders.invoicePrefix)
        } catch {
            throw ConfigurationError("orders.invoice_prefix \"\(config.orders.invoicePrefix)\": \(error.message)")
        }
    }

    /// " (did you mean X?)" when a known name is within two edits.
    static func suggestion(_ name: String, among candidates: [String]) -> String {
        let best = candidates.map { ($0, editDistance(name.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= 2 else { return "" }
        return " (did you mean \(best.0)?)"
    }

    /// The documented example: every key with its default, nested by path.
    public static func exampleDocument() -> JSONValue {
        let defaults = BahiConfiguration()
        var root = JSONObject()
        for key in keys {
            insert(key.read(defaults), at: key.path.split(separator: ".").map(String.init)[...], into: &root)
        }
        return .object(root)
    }

    private static func insert(_ value: JSONValue, at path: ArraySlice<String>, into object: inout JSONObject) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object[first] = value
            return
        }
        var child: JSONObject
        if case .object(let existing)? = object[first] { child = existing } else { child = JSONObject() }
        insert(value, at: path.dropFirst(), into: &child)
        object[first] = .object(child)
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}
