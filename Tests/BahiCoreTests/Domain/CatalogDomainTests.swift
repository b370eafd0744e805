import Testing
import BahiCore
import BahiJSON
import BahiStore

/// The catalog, keys, idempotency records and imports driven through their services on every
/// store: no HTTP, so what is checked here is the domain's own contract.
@Suite struct CatalogDomainTests {
    static let t0: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z

    /// The DomainError `body` throws, or nil (recording an issue) if it throws none or another.
    static func domainError(_ body: () throws -> Void) -> DomainError? {
        do {
            try body()
            Issue.record("expected a DomainError")
        } catch let error as DomainError {
            return error
        } catch {
            Issue.record("expected a DomainError, got \(error)")
        }
        return nil
    }

    /// The events of `type` (or a `prefix.*` family) appended so far.
    static func events(_ db: any Database, _ type: String) throws -> [Event] {
        numberOwnEvents(db)
        return try EventLog.list(db, after: 0, type: type, limit: 1000)
    }

    static func payload(_ event: Event?) -> JSONObject {
        if case .object(let o)? = event?.payload { return o }
        return [:]
    }

    static func tee(price: Int64 = 50_000) -> SKUFields {
        var f = SKUFields(name: "Tee", mrpPaise: 60_000, pricePaise: price)
        f.hsn = "6109"
        f.gstRateBps = 500
        return f
    }

    @Test func skusAndKitsBumpVersionsAndAppendTheirEvents() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                let created = try SKUCatalog.put(db, code: "TEE", fields: Self.tee(), actor: "t", now: Self.t0)
                guard case .created(let tee) = created else { Issue.record("TEE not created: \(created)"); return }
                #expect(tee.version == 1)
                _ = try SKUCatalog.put(db, code: "CAP", fields: SKUFields(name: "Cap", mrpPaise: 20_000, pricePaise: 20_000), actor: "t", now: Self.t0)

                // A kit: components given out of order come back sorted, and read back with it.
                var bundle = SKUFields(name: "Bundle", mrpPaise: 70_000, pricePaise: 65_000)
                bundle.components = [KitComponent(sku: "TEE", qty: 2), KitComponent(sku: "CAP", qty: 1)]
                let kit = try SKUCatalog.put(db, code: "BUNDLE", fields: bundle, actor: "t", now: Self.t0).resource
                #expect(kit.fields.components.map(\.sku) == ["CAP", "TEE"])
                #expect(try SKUCatalog.get(db, code: "BUNDLE")?.fields.components == [KitComponent(sku: "CAP", qty: 1), KitComponent(sku: "TEE", qty: 2)])
                #expect(try SKUCatalog.get(db, code: "TEE")?.fields.components == [])

                // An update bumps the version once; the same fields again change nothing.
                let updated = try SKUCatalog.put(db, code: "TEE", fields: Self.tee(price: 45_000), precondition: VersionPrecondition(ifMatch: .versions([1])),
                                                 actor: "t", now: Self.t0 + 1000)
                guard case .updated(let tee2) = updated else { Issue.record("TEE not updated: \(updated)"); return }
                #expect(tee2.version == 2)
                #expect(tee2.createdAt == Self.t0 && tee2.updatedAt == Self.t0 + 1000)
                guard case .unchanged(let same) = try SKUCatalog.put(db, code: "TEE", fields: Self.tee(price: 45_000), actor: "t", now: Self.t0 + 2000) else {
                    Issue.record("an identical PUT changed something"); return
                }
                #expect(same.version == 2 && same.updatedAt == Self.t0 + 1000)

                // A writer that read version 1 loses, and is told the current version.
                let stale = Self.domainError {
                    _ = try SKUCatalog.put(db, code: "TEE", fields: Self.tee(price: 1), precondition: VersionPrecondition(bodyVersion: 1), actor: "t")
                }
                #expect(stale?.code == .versionMismatch)
                #expect(stale?.details == [DomainError.Detail(key: "current_version", json: "2")])
                #expect(stale?.problems.map(\.path) == ["version"])
                #expect(Self.domainError {
                    _ = try SKUCatalog.put(db, code: "GHOST", fields: Self.tee(), precondition: VersionPrecondition(ifMatch: .any), actor: "t")
                }?.code == .versionMismatch)
                #expect(try SKUCatalog.get(db, code: "GHOST") == nil)

                // Kit rules that need the catalog: every problem at once, on the item at fault.
                var nested = SKUFields(name: "Nested", mrpPaise: 1, pricePaise: 1)
                nested.components = [KitComponent(sku: "BUNDLE", qty: 1), KitComponent(sku: "NOPE", qty: 1)]
                let invalid = Self.domainError { _ = try SKUCatalog.put(db, code: "NESTED", fields: nested, actor: "t") }
                #expect(invalid?.code == .invalidKit)
                #expect(invalid?.problems.map(\.path) == ["components[0].sku", "components[1].sku"])
                #expect(invalid?.problems.map(\.code) == ["nested_kit", "not_found"])
                var capAsKit = SKUFields(name: "Cap", mrpPaise: 20_000, pricePaise: 20_000)
                capAsKit.components = [KitComponent(sku: "TEE", qty: 1)]
                #expect(Self.domainError { _ = try SKUCatalog.put(db, code: "CAP", fields: capAsKit, actor: "t") }?.problems.map(\.path) == ["components"])
                let reserved = Self.domainError { _ = try SKUCatalog.put(db, code: "Export", fields: Self.tee(), actor: "t") }
                #expect(reserved?.problems.map(\.code) == ["reserved_code"])
                #expect(reserved?.message.contains("/") == false)

                // The events, in order, each with the SKU as it became.
                let events = try Self.events(db, "sku.*")
                #expect(events.map(\.type) == ["sku.created", "sku.created", "sku.created", "sku.updated"])
                #expect(events.map(\.entityID) == ["TEE", "CAP", "BUNDLE", "TEE"])
                #expect(events.allSatisfy { $0.entityType == "sku" && $0.actor == "t" })
                let change = Self.payload(events.last)
                #expect(change["changes"] == .array([.string("price_paise")]))
                #expect(change["version"] == .number(JSONNumber(2)))
                #expect(Self.payload(events[2])["is_kit"] == .bool(true))

                // A page: filters, cursor, and the page's kits with their components.
                let page = try SKUCatalog.list(db, SKUCatalog.ListQuery(limit: 2))
                #expect(page.items.map(\.code) == ["BUNDLE", "CAP"])
                #expect(page.lastCodeIfMore == "CAP")
                #expect(page.items.first?.fields.components.count == 2)
                let rest = try SKUCatalog.list(db, SKUCatalog.ListQuery(after: "CAP", limit: 2))
                #expect(rest.items.map(\.code) == ["TEE"] && rest.lastCodeIfMore == nil)
                #expect(try SKUCatalog.list(db, SKUCatalog.ListQuery(q: "un")).items.map(\.code) == ["BUNDLE"])
                #expect(try SKUCatalog.list(db, SKUCatalog.ListQuery(q: "t")).items.map(\.code) == ["TEE"])
                #expect(try SKUCatalog.list(db, SKUCatalog.ListQuery(q: "%")).items.isEmpty)
                #expect(try SKUCatalog.list(db, SKUCatalog.ListQuery(active: false)).items.isEmpty)
            }
        }
    }

    @Test func aSKUHoldingStockCannotBecomeAKit() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                _ = try SKUCatalog.put(db, code: "A", fields: Self.tee(), actor: "t", now: Self.t0)
                _ = try SKUCatalog.put(db, code: "B", fields: Self.tee(), actor: "t", now: Self.t0)
                _ = try LocationCatalog.put(db, code: "BLR", fields: LocationFields(name: "Bengaluru", pincode: "560001"), actor: "t", now: Self.t0)
                #expect(try StockLedger.apply(db, StockChange(sku: "A", location: "BLR", kind: .receive, onHand: 3), actor: "t", now: Self.t0))
                var kit = Self.tee()
                kit.components = [KitComponent(sku: "B", qty: 1)]
                let refused = Self.domainError { _ = try SKUCatalog.put(db, code: "A", fields: kit, actor: "t", now: Self.t0) }
                #expect(refused?.code == .skuHasStock)
                #expect(try SKUCatalog.get(db, code: "A")?.version == 1)
                // Without stock the same change is allowed.
                #expect(try SKUCatalog.put(db, code: "B", fields: { var f = Self.tee(); f.components = [KitComponent(sku: "A", qty: 2)]; return f }(),
                                           actor: "t", now: Self.t0).resource.version == 2)
            }
        }
    }

    @Test func locationsChannelsAndBuffers() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                // A location takes its state and district from the pincode.
                var fields = LocationFields(name: "Bengaluru DC", pincode: "560001")
                let location = try LocationCatalog.put(db, code: "BLR", fields: fields, actor: "t", now: Self.t0).resource
                #expect(location.version == 1 && location.state == "KARNATAKA")
                #expect(try LocationCatalog.exists(db, code: "BLR"))
                #expect(try !LocationCatalog.exists(db, code: "DEL"))
                fields.priority = 5
                #expect(try LocationCatalog.put(db, code: "BLR", fields: fields, actor: "t", now: Self.t0 + 1).resource.version == 2)
                guard case .unchanged = try LocationCatalog.put(db, code: "BLR", fields: fields, actor: "t") else { Issue.record("unchanged"); return }
                #expect(Self.domainError {
                    _ = try LocationCatalog.put(db, code: "BLR", fields: fields, precondition: VersionPrecondition(ifMatch: .versions([1])), actor: "t")
                }?.code == .versionMismatch)
                let badPincode = Self.domainError { _ = try LocationCatalog.put(db, code: "X", fields: LocationFields(name: "X", pincode: "000000"), actor: "t") }
                #expect(badPincode?.code == .invalidPincode && badPincode?.problems.map(\.path) == ["pincode"])
                #expect(try LocationCatalog.list(db, active: true, after: nil, limit: 10).items.map(\.code) == ["BLR"])
                #expect(try LocationCatalog.list(db, active: false, after: nil, limit: 10).items.isEmpty)

                // A channel and its global buffer.
                var web = ChannelFields(name: "Website", kind: .website)
                #expect(try ChannelCatalog.put(db, code: "web", fields: web, actor: "t", now: Self.t0).resource.version == 1)
                _ = try ChannelCatalog.put(db, code: "amazon", fields: ChannelFields(name: "Amazon", kind: .marketplace), actor: "t", now: Self.t0)
                web.buffer = ChannelBuffer(percentBps: 1000, units: 2)
                let channel = try ChannelCatalog.put(db, code: "web", fields: web, precondition: VersionPrecondition(bodyVersion: 1), actor: "t", now: Self.t0 + 1)
                #expect(channel.resource.version == 2 && channel.resource.fields.buffer.units == 2)
                #expect(try ChannelCatalog.get(db, code: "web") == channel.resource)
                #expect(try ChannelCatalog.exists(db, code: "amazon"))
                #expect(try ChannelCatalog.list(db, active: nil, kind: .marketplace, after: nil, limit: 10).items.map(\.code) == ["amazon"])
                let firstPage = try ChannelCatalog.list(db, active: true, kind: nil, after: nil, limit: 1)
                #expect(firstPage.items.map(\.code) == ["amazon"] && firstPage.lastCodeIfMore == "amazon")

                // A per-SKU buffer: created, unchanged, updated, deleted, then gone.
                _ = try SKUCatalog.put(db, code: "TEE", fields: Self.tee(), actor: "t", now: Self.t0)
                let small = ChannelBuffer(units: 1)
                guard case .created = try ChannelCatalog.putSKUBuffer(db, channel: "web", sku: "TEE", buffer: small, actor: "t") else { Issue.record("created"); return }
                guard case .unchanged = try ChannelCatalog.putSKUBuffer(db, channel: "web", sku: "TEE", buffer: small, actor: "t") else { Issue.record("unchanged"); return }
                guard case .updated = try ChannelCatalog.putSKUBuffer(db, channel: "web", sku: "TEE", buffer: ChannelBuffer(percentBps: 500), precondition: VersionPrecondition(ifMatch: .any), actor: "t") else {
                    Issue.record("updated"); return
                }
                #expect(try ChannelCatalog.skuBuffers(db, channel: "web", after: nil, limit: 10).items.map(\.sku) == ["TEE"])
                #expect(Self.domainError { _ = try ChannelCatalog.putSKUBuffer(db, channel: "web", sku: "NOPE", buffer: small, actor: "t") }?.code == .notFound)
                #expect(Self.domainError {
                    _ = try ChannelCatalog.deleteSKUBuffer(db, channel: "web", sku: "TEE", precondition: VersionPrecondition(ifMatch: .versions([1])), actor: "t")
                }?.code == .versionMismatch)
                #expect(try ChannelCatalog.deleteSKUBuffer(db, channel: "web", sku: "TEE", actor: "t").buffer == ChannelBuffer(percentBps: 500))
                #expect(try ChannelCatalog.skuBuffer(db, channel: "web", sku: "TEE") == nil)
                #expect(Self.domainError { _ = try ChannelCatalog.deleteSKUBuffer(db, channel: "web", sku: "TEE", actor: "t") }?.code == .notFound)
                #expect(Self.domainError {
                    _ = try ChannelCatalog.deleteSKUBuffer(db, channel: "web", sku: "TEE", precondition: VersionPrecondition(ifMatch: .any), actor: "t")
                }?.code == .versionMismatch)

                #expect(try Self.events(db, "location.*").map(\.type) == ["location.created", "location.updated"])
                let channelEvents = try Self.events(db, "channel.*")
                #expect(channelEvents.map(\.type) == ["channel.created", "channel.created", "channel.updated",
                                                      "channel.buffer_updated", "channel.buffer_updated", "channel.buffer_deleted"])
                #expect(Self.payload(channelEvents[2])["changes"] == .array([.string("buffer")]))
                #expect(Self.payload(channelEvents[3])["previous"] == .null)
                #expect(Self.payload(channelEvents[4])["previous"] == small.json)
                #expect(channelEvents[5].entityID == "web" && Self.payload(channelEvents[5])["sku"] == .string("TEE"))
            }
        }
    }

    @Test func keysAreCreatedListedAndRevokedOnce() async throws {
        try await onEveryStore { store in
            let keys = APIKeyStore(store: store)
            #expect(try await !keys.hasActiveAdmin())
            let (admin, secret) = try await keys.create(name: "  ops  ", role: .admin, channel: nil, actor: "cli")
            #expect(admin.name == "ops")
            _ = try await keys.create(name: "shop", role: .storefront, channel: "web", actor: "cli")
            #expect(try await keys.hasActiveAdmin())
            #expect(try await keys.principal(forSecretHash: APIKeySecret.hash(secret)) == Principal(keyID: admin.id, role: .admin))
            #expect(try await keys.list().count == 2)

            try await keys.revoke(id: admin.id, actor: "cli")
            await #expect(throws: APIKeyError.alreadyRevoked(admin.id)) { try await keys.revoke(id: admin.id, actor: "cli") }
            await #expect(throws: APIKeyError.notFound("key_nope")) { try await keys.revoke(id: "key_nope", actor: "cli") }
            #expect(try await keys.principal(forSecretHash: APIKeySecret.hash(secret)) == nil)
            #expect(try await !keys.hasActiveAdmin())
            #expect(try await keys.list().first { $0.id == admin.id }?.revokedAt != nil)

            let events = try await store.read { db in try Self.events(db, "key.*") }
            #expect(events.map(\.type) == ["key.created", "key.created", "key.revoked"])
            #expect(Self.payload(events.first)["role"] == .string("admin"))
        }
    }

    @Test func idempotencyRecordsKeepTheFirstAnswerUntilTheyExpire() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                let first = StoredResponse(requestHash: [1], status: 201, headers: [("Location", "/x")], body: Array("first".utf8))
                try IdempotencyStore.save(db, owner: "key_a", key: "k", response: first, now: 1000, retentionMilliseconds: 100)
                // A second save while the first lives changes nothing.
                try IdempotencyStore.save(db, owner: "key_a", key: "k", response: StoredResponse(requestHash: [2], status: 200, headers: [], body: []),
                                          now: 1050, retentionMilliseconds: 100)
                #expect(try IdempotencyStore.lookup(db, owner: "key_a", key: "k", now: 1099) == first)
                #expect(try IdempotencyStore.lookup(db, owner: "key_b", key: "k", now: 1099) == nil)
                #expect(try IdempotencyStore.lookup(db, owner: "key_a", key: "k", now: 1100) == nil)
                #expect(try IdempotencyStore.purgeExpired(db, now: 1100) == 1)
                #expect(try IdempotencyStore.purgeExpired(db, now: 1100) == 0)
            }
        }
    }

    @Test func skuImportsCreateUpdateRefuseKitsAndAppendOneEvent() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                _ = try SKUCatalog.put(db, code: "TEE", fields: Self.tee(), actor: "t", now: Self.t0)
                _ = try SKUCatalog.put(db, code: "CAP", fields: SKUFields(name: "Cap", mrpPaise: 100, pricePaise: 100), actor: "t", now: Self.t0)
                var kit = SKUFields(name: "Kit", mrpPaise: 100, pricePaise: 100)
                kit.components = [KitComponent(sku: "CAP", qty: 1)]
                _ = try SKUCatalog.put(db, code: "KIT", fields: kit, actor: "t", now: Self.t0)
            }
            let csv = "sku,name,mrp_paise,price_paise\nTEE,,,40000\nCAP,,,\nNEW,New,500,400\nKIT,,,50\nODD,Odd,,\n"
            let job = try SKUImport(csv: Array(csv.utf8))
            let context = ImportContext(actor: "cli", now: Self.t0 + 5)
            let pending = try await CSVImports.prepare(job, mode: nil, allOrNothing: false,
                                                       read: { body in try await store.read(body) }, write: { body in try await store.write(body) },
                                                       context: context)
            let report = try await store.write { db in try pending.finish(db, event: SystemEvents.skuImported, source: "cli") }
            #expect(report.results.map(\.status) == [.applied, .unchanged, .applied, .error, .error])
            #expect(report.results.map(\.code) == [nil, nil, nil, "kit_not_importable", "required"])

            try await store.read { db in
                #expect(try SKUCatalog.get(db, code: "TEE")?.fields.pricePaise == 40_000)
                #expect(try SKUCatalog.get(db, code: "TEE")?.version == 2)
                #expect(try SKUCatalog.get(db, code: "NEW")?.version == 1)
                #expect(try SKUCatalog.get(db, code: "KIT")?.fields.components.count == 1)
                let imported = try Self.events(db, "sku.imported")
                #expect(imported.count == 1 && imported.first?.entityID == context.importID)
                let payload = Self.payload(imported.first)
                #expect(payload["created"] == .number(JSONNumber(1)) && payload["updated"] == .number(JSONNumber(1)))
                #expect(payload["errors"] == .number(JSONNumber(2)))
                // Imports append no per-SKU events.
                #expect(try Self.events(db, "sku.updated").isEmpty)
                let export = String(decoding: try SKUImport.export(db), as: UTF8.self)
                #expect(export.split(whereSeparator: \.isNewline).map { $0.split(separator: ",").first.map(String.init) ?? "" } == ["sku", "CAP", "NEW", "TEE"])
            }
        }
    }
}
