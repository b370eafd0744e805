import Foundation
import Testing
import BahiAPI
import BahiCore
import BahiJSON

/// The repository root, found from this file's path.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

@Suite struct ConfigurationTests {
    func file(_ text: String) -> (path: String, contents: [UInt8]) { ("test.json", Array(text.utf8)) }

    @Test func defaultsAreDocumented() throws {
        let config = try ConfigurationLoader.load()
        #expect(config.server.host == "127.0.0.1")
        #expect(config.server.port == 8080)
        #expect(config.database.path == "./bahi-data/bahi.db")
        #expect(config.database.synchronous == "full")
        #expect(config.resolvedBackupDirectory == "./bahi-data/backups")
    }

    @Test func exampleFileListsEveryKeyWithItsDefault() throws {
        let path = repositoryRoot + "/config.example.json"
        let contents = try #require(FileManager.default.contents(atPath: path))
        let loaded = try ConfigurationLoader.load(file: (path, Array(contents)), environment: [:], flags: [:])
        #expect(loaded == BahiConfiguration())
        // Every key appears in the example.
        let document = try JSONParser.parse(Array(contents))
        for key in ConfigurationLoader.keys {
            var node: JSONValue? = document
            for part in key.path.split(separator: ".") {
                if case .object(let o)? = node { node = o[String(part)] } else { node = nil }
            }
            #expect(node == key.read(BahiConfiguration()), "config.example.json lacks or misstates \(key.path)")
        }
    }

    @Test func precedenceIsDefaultsFileEnvironmentFlags() throws {
        let json = file(#"{"server": {"host": "0.0.0.0", "port": 9000}, "database": {"path": "/tmp/a.db", "synchronous": "normal"}}"#)
        let fromFile = try ConfigurationLoader.load(file: json)
        #expect(fromFile.server.host == "0.0.0.0")
        #expect(fromFile.server.port == 9000)
        #expect(fromFile.database.synchronous == "normal")

        let fromEnv = try ConfigurationLoader.load(file: json, environment: ["BAHI_PORT": "9100", "BAHI_DB": "/tmp/b.db", "BAHI_LOG_LEVEL": "warn", "PATH": "/bin"])
        #expect(fromEnv.server.port == 9100)
        #expect(fromEnv.server.host == "0.0.0.0")
        #expect(fromEnv.database.path == "/tmp/b.db")
        #expect(fromEnv.log.level == "warn")

        let fromFlags = try ConfigurationLoader.load(file: json, environment: ["BAHI_SERVER_PORT": "9100"], flags: ["server.port": "9200", "database.path": "/tmp/c.db"])
        #expect(fromFlags.server.port == 9200)
        #expect(fromFlags.database.path == "/tmp/c.db")
    }

    func rejects(_ expected: String, file text: String? = nil, environment: [String: String] = [:], flags: [String: String] = [:]) {
        do {
            _ = try ConfigurationLoader.load(file: text.map(file), environment: environment, flags: flags)
            Issue.record("expected an error containing \(expected)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func remittanceColumnMappingsAreReadAndCheckedByName() throws {
        let config = try ConfigurationLoader.load(file: file(#"{"reconciliation": {"remittance_columns": {"Ecom": {"AWB": "AWB Number"}}}}"#))
        #expect(config.reconciliation.remittanceColumns == ["ecom": ["awb": "AWB Number"]])
        let fromEnvironment = try ConfigurationLoader.load(environment: ["BAHI_RECONCILIATION_REMITTANCE_COLUMNS": #"{"xb": {"cod_amount": "COD"}}"#])
        #expect(fromEnvironment.reconciliation.remittanceColumns == ["xb": ["cod_amount": "COD"]])
        rejects(#"test.json: unknown column "reconciliation.remittance_columns.delhivery.waybil"; the columns are remittance_id, awb"#,
                file: #"{"reconciliation": {"remittance_columns": {"delhivery": {"waybil": "Waybill"}}}}"#)
        rejects(#""reconciliation.remittance_columns.delhivery.awb" is empty"#, file: #"{"reconciliation": {"remittance_columns": {"delhivery": {"awb": " "}}}}"#)
        rejects(#""reconciliation.remittance_columns.delhivery.awb" must be the header's name, a string, not an integer"#,
                file: #"{"reconciliation": {"remittance_columns": {"delhivery": {"awb": 1}}}}"#)
        rejects(#""reconciliation.remittance_columns.delhivery" must be an object of column → header, not a string"#,
                file: #"{"reconciliation": {"remittance_columns": {"delhivery": "Waybill"}}}"#)
        rejects(#""reconciliation.remittance_columns" must be an object of name → {column: header}, not an array"#,
                file: #"{"reconciliation": {"remittance_columns": []}}"#)
        rejects("environment variable BAHI_RECONCILIATION_REMITTANCE_COLUMNS must be a JSON object",
                environment: ["BAHI_RECONCILIATION_REMITTANCE_COLUMNS": "awb:Waybill"])
    }

    @Test func everyValidationErrorNamesTheKey() {
        rejects(#"unknown key "server.prot" (did you mean server.port?)"#, file: #"{"server": {"prot": 1}}"#)
        rejects(#"unknown key "databse""#, file: #"{"databse": {}}"#)
        rejects(#""server.port" must be a whole number from 0 to 65535, not 70000"#, file: #"{"server": {"port": 70000}}"#)
        rejects(#""server.port" must be a whole number, not a string"#, file: #"{"server": {"port": "80"}}"#)
        rejects(#""server.port" must be a whole number from 0 to 65535, not 80.5"#, file: #"{"server": {"port": 80.5}}"#)
        rejects(#""database.synchronous" must be one of full, normal, not "off""#, file: #"{"database": {"synchronous": "off"}}"#)
        rejects(#""log.access_log" must be true or false, not a string"#, file: #"{"log": {"access_log": "yes"}}"#)
        rejects(#""server.host" must be a string, not an integer"#, file: #"{"server": {"host": 1}}"#)
        rejects("not valid JSON at line 1", file: #"{"server": }"#)
        rejects("duplicate key", file: #"{"server": {"port": 1, "port": 2}}"#)
        rejects("the top level must be a JSON object", file: "[]")
        rejects("unknown environment variable BAHI_PROT (did you mean BAHI_PORT?)", environment: ["BAHI_PROT": "1"])
        rejects("environment variable BAHI_PORT must be a whole number, not \"eighty\"", environment: ["BAHI_PORT": "eighty"])
        rejects("environment variable BAHI_LOG_ACCESS_LOG must be true or false", environment: ["BAHI_LOG_ACCESS_LOG": "maybe"])
        rejects("flag for server.port must be a whole number from 0 to 65535, not 99999", flags: ["server.port": "99999"])
        rejects("rate_limit.burst (10) must be at least rate_limit.requests_per_second (20)", file: #"{"rate_limit": {"requests_per_second": 20, "burst": 10}}"#)
        rejects("seller.gstin \"24abc\": A GSTIN is 15 characters", file: #"{"seller": {"gstin": "24abc"}}"#)
        // The check character is verified: Reliance Industries' published GSTIN with its last character changed.
        rejects("seller.gstin \"27AAACR5055K1Z8\": The check character", file: #"{"seller": {"gstin": "27AAACR5055K1Z8"}}"#)
        rejects("is registered in Maharashtra (state code 27), but the address is in Gujarat", file: #"{"seller": {"gstin": "27AAACR5055K1Z7", "state": "Gujarat"}}"#)
        rejects("seller.address.pincode 560001 is in Karnataka, not Gujarat, the seller's state", file: #"{"seller": {"state": "Gujarat", "address": {"pincode": "560001"}}}"#)
        rejects("seller.address.pincode 395003 is in Gujarat, not Maharashtra", file: #"{"seller": {"gstin": "27AAACR5055K1Z7", "address": {"pincode": "395003"}}}"#)
        rejects("seller.address.pincode \"999999\" is not in the India Post pincode directory", file: #"{"seller": {"address": {"pincode": "999999"}}}"#)
        rejects("database.path must not be empty", environment: ["BAHI_DB": ""])
    }

    @Test func theSellerProfileDefaultsComeFromFileAndEnvironment() throws {
        let config = try ConfigurationLoader.load(
            file: file(#"{"seller":{"legal_name":"Kapas Textiles LLP","trade_name":"Kapas","address":{"line1":"Plot 7","city":"Surat"}}}"#),
            environment: ["BAHI_SELLER_GSTIN": "24aakfk1234k1zf", "BAHI_SELLER_ADDRESS_PINCODE": "395003", "BAHI_SELLER_ADDRESS_LINE2": "Ring Road"], flags: [:])
        let seller = config.orderPolicy.seller
        #expect(seller.source == .configuration)
        #expect(seller.gstin == "24AAKFK1234K1ZF")
        #expect(seller.tradeName == "Kapas")
        #expect(seller.address == SellerProfile.Address(line1: "Plot 7", line2: "Ring Road", city: "Surat", state: .gujarat, pincode: "395003"))
        #expect(seller.missingForInvoice.isEmpty)
        #expect(BahiConfiguration().orderPolicy.seller.missingForInvoice == ["legal_name", "gstin", "address.line1", "address.city", "address.state", "address.pincode"])
    }

    @Test func orderSettingsTakeListsFromFileAndEnvironment() throws {
        let config = try ConfigurationLoader.load(
            file: file(#"{"orders":{"cod_disabled_channels":["amazon","flipkart"],"channel_allocation_strategies":["amazon:nearest"]},"seller":{"gstin":"27AAACR5055K1Z7"}}"#),
            environment: ["BAHI_ORDERS_COD_BLOCKED_PINCODES": "110001, 400001", "BAHI_FULFILMENT_EXPRESS_CHANNELS": "blinkit"], flags: [:])
        #expect(config.orders.codDisabledChannels == ["amazon", "flipkart"])
        #expect(config.orders.codBlockedPincodes == ["110001", "400001"])
        #expect(config.fulfilment.expressChannels == ["blinkit"])
        let policy = config.orderPolicy
        #expect(policy.strategy(for: "amazon").rawValue == "nearest")
        #expect(policy.strategy(for: "website").rawValue == "priority")
        #expect(policy.seller.state?.gstCode == "27")  // from the GSTIN when no state is set
        #expect(policy.codBlockedPincodes.contains("400001"))
    }

    @Test func badOrderSettingsNameTheKey() {
        func message(_ text: String) -> String? {
            do { _ = try ConfigurationLoader.load(file: file(text), environment: [:], flags: [:]); return nil } catch { return error.description }
        }
        #expect(message(#"{"orders":{"cod_disabled_channels":"amazon"}}"#)?.contains("orders.cod_disabled_channels\" must be a list of strings") == true)
        #expect(message(#"{"orders":{"cod_disabled_channels":[1]}}"#)?.contains("list of strings") == true)
        #expect(message(#"{"orders":{"channel_allocation_strategies":["amazon:closest"]}}"#)?.contains("channel:strategy") == true)
        #expect(message(#"{"orders":{"invoice_prefix":"IN V"}}"#)?.contains("orders.invoice_prefix") == true)
        #expect(message(#"{"orders":{"allocation_strategy":"random"}}"#)?.contains("priority, nearest, single_location_first") == true)
        #expect(message(#"{"seller":{"state":"Atlantis"}}"#)?.contains("seller.state") == true)
        #expect(message(#"{"couriers":{"rules":["cod => courier=xb","zone=Z => mode=air"]}}"#)?.contains("couriers.rules[1] \"zone=Z => mode=air\": zone=Z: zones are A, B, C, D or E") == true)
        #expect(message(#"{"couriers":{"channel_policies":["amazon:quickest"]}}"#)?.contains("channel:policy") == true)
        #expect(message(#"{"couriers":{"policy":"random"}}"#)?.contains("cheapest, fastest, best_performing, balanced") == true)
    }

    @Test func courierChoiceIsReadPerChannelWithItsRules() throws {
        let config = try ConfigurationLoader.load(
            file: file(#"{"couriers":{"policy":"balanced","channel_policies":["amazon:fastest"],"weights":{"cost":80},"rules":["value>500000 => mode=air"]}}"#),
            environment: [:], flags: [:])
        let web = config.couriers.policy(channel: "website")
        #expect(web.kind == .balanced && web.weights == .init(cost: 80, days: 20, rtoRisk: 30) && web.rules.map(\.text) == ["value>500000 => mode=air"])
        #expect(config.couriers.policy(channel: "amazon").kind == .fastest)
    }

    @Test func httpSettingsFollowTheConfiguration() throws {
        let config = try ConfigurationLoader.load(file: file(#"{"server": {"max_header_count": 50, "header_timeout_ms": 1500, "io_queues": 3}, "log": {"access_log": false}}"#))
        let http = config.httpServer
        #expect(http.connection.limits.maxHeaderCount == 50)
        #expect(http.connection.headerTimeout == .milliseconds(1500))
        #expect(http.ioQueueCount == 3)
        if case .disabled = http.accessLog {} else { Issue.record("access log should be off") }
    }
}
