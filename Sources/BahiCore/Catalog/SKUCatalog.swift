public import BahiJSON
public import BahiStore

/// One line of a kit: which SKU and how many of it one kit contains.
public struct KitComponent: Sendable, Equatable {
    public var sku: String
    public var qty: Int64

    /// A component line.
    public init(sku: String, qty: Int64) {
        self.sku = sku
        self.qty = qty
    }
}

/// Everything about a SKU that a PUT sets. Defaults are the documented values for omitted
/// optional fields, so a PUT replaces the whole description and never leaves a stale value
/// behind from an earlier version.
public struct SKUFields: Sendable, Equatable {
    public var name: String
    public var mrpPaise: Int64
    public var pricePaise: Int64
    public var weightG: Int64 = 0
    public var lengthMM: Int64 = 0
    public var widthMM: Int64 = 0
    public var heightMM: Int64 = 0
    public var hsn: String = ""
    public var gstRateBps: Int64 = 0
    public var active = true
    public var returnable = true
    public var returnWindowDays: Int64 = 7
    public var lowStockThreshold: Int64 = 0
    public var reorderPoint: Int64 = 0
    public var reorderQty: Int64 = 0
    /// Non-empty makes the SKU a kit, sold as these components and never stocked itself.
    /// Stored and read back sorted by SKU code; `SKUCatalog.put` sorts what a client sent
    /// (after validating it in the client's order, so error paths name the client's indices).
    public var components: [KitComponent] = []

    /// The required fields; every other field starts at its documented default.
    public init(name: String, mrpPaise: Int64, pricePaise: Int64) {
        self.name = name
        self.mrpPaise = mrpPaise
        self.pricePaise = pricePaise
    }

    /// Whether the SKU is a kit.
    public var isKit: Bool { !components.isEmpty }

    // Limits on the numbers: generous for real goods, tight enough that sums never overflow.
    /// Grams, up to a tonne.
    public static let weightRange: ClosedRange<Int64> = 0...1_000_000
    /// Millimetres, up to 100 m.
    public static let dimensionRange: ClosedRange<Int64> = 0...100_000
    /// Days, up to a year.
    public static let returnWindowRange: ClosedRange<Int64> = 0...365
    /// Stock thresholds and reorder quantities.
    public static let countRange: ClosedRange<Int64> = 0...1_000_000_000
    /// Units of one component per kit.
    public static let componentQtyRange: ClosedRange<Int64> = 1...10_000
    /// Components per kit.
    public static let maxComponents = 100

    /// Every problem that can be found without the database (kit components' existence is
    /// checked by `SKUCatalog.put`). `code` is the SKU's own code, to catch self-reference.
    public func problems(code: String) -> [FieldProblem] {
        var out = CatalogRules.nameProblems(name)
        let money = 0...CatalogRules.maxPaise
        out += [
            CatalogRules.rangeProblem(mrpPaise, money, field: "mrp_paise"),
            CatalogRules.rangeProblem(pricePaise, money, field: "price_paise"),
            CatalogRules.rangeProblem(weightG, Self.weightRange, field: "weight_g"),
            CatalogRules.rangeProblem(lengthMM, Self.dimensionRange, field: "length_mm"),
            CatalogRules.rangeProblem(widthMM, Self.dimensionRange, field: "width_mm"),
            CatalogRules.rangeProblem(heightMM, Self.dimensionRange, field: "height_mm"),
            CatalogRules.rangeProblem(returnWindowDays, Self.returnWindowRange, field: "return_window_days"),
            CatalogRules.rangeProblem(lowStockThreshold, Self.countRange, field: "low_stock_threshold"),
            CatalogRules.rangeProblem(reorderPoint, Self.countRange, field: "reorder_point"),
            CatalogRules.rangeProblem(reorderQty, Self.countRange, field: "reorder_qty"),
        ].compactMap { $0 }
        if money.contains(mrpPaise), money.contains(pricePaise), pricePaise > mrpPaise {
            out.append(FieldProblem("price_paise", "exceeds_mrp", "The selling price (\(pricePaise)) must not exceed the MRP (\(mrpPaise)): Indian law forbids selling above MRP."))
        }
        if !HSNCode.isValid(hsn) {
            out.append(FieldProblem("hsn", "invalid", "An HSN code of 4, 6 or 8 digits, or empty."))
        }
        if !GSTRate.isValid(gstRateBps) {
            out.append(FieldProblem("gst_rate_bps", "invalid", "One of the GST slabs in basis points: \(GSTRate.slabs.map(String.init).joined(separator: ", "))."))
        }
        if components.count > Self.maxComponents {
            out.append(FieldProblem("components", "too_many", "At most \(Self.maxComponents) components."))
        }
        return out
    }

    /// Problems with a kit's component list as the client sent it (indices are its order):
    /// codes, quantities, duplicates and self-reference. Existence and nesting need the
    /// database and are checked in `SKUCatalog.put`.
    public static func componentProblems(_ components: [KitComponent], code: String) -> [FieldProblem] {
        var out: [FieldProblem] = []
        var seen = Set<String>()
        for (i, c) in components.enumerated() {
            var line: [FieldProblem] = []
            if let p = CatalogRules.codeProblem(c.sku, field: "sku") {
                line.append(p)
            } else if c.sku == code {
                line.append(FieldProblem("sku", "self_reference", "A kit cannot contain itself."))
            } else if !seen.insert(c.sku).inserted {
                line.append(FieldProblem("sku", "duplicate", "\(c.sku) is listed twice; give it once with the total qty."))
            }
            if let p = CatalogRules.rangeProblem(c.qty, componentQtyRange, field: "qty") { line.append(p) }
            out += line.map { FieldProblem.inItem("components", i, field: $0.field, $0.code, $0.message) }
        }
        return out
    }

    /// The JSON names of the fields that differ from `other` (for `sku.updated` events).
    public func changedFields(from other: SKUFields) -> [String] {
        var names: [String] = []
        func check<T: Equatable>(_ a: T, _ b: T, _ name: String) { if a != b { names.append(name) } }
        check(name, other.name, "name")
        check(mrpPaise, other.mrpPaise, "mrp_paise")
        check(pricePaise, other.pricePaise, "price_paise")
        check(weightG, other.weightG, "weight_g")
        check(lengthMM, other.lengthMM, "length_mm")
        check(widthMM, other.widthMM, "width_mm")
        check(heightMM, other.heightMM, "height_mm")
        check(hsn, other.hsn, "hsn")
        check(gstRateBps, other.gstRateBps, "gst_rate_bps")
        check(active, other.active, "active")
        check(returnable, other.returnable, "returnable")
        check(returnWindowDays, other.returnWindowDays, "return_window_days")
        check(lowStockThreshold, other.lowStockThreshold, "low_stock_threshold")
        check(reorderPoint, other.reorderPoint, "reorder_point")
        check(reorderQty, other.reorderQty, "reorder_qty")
        check(components, other.components, "components")
        return names
    }
}

/// A SKU as stored: the merchant's code, its description, and the version that guards
/// concurrent edits.
public struct SKU: Sendable, Equatable {
    public var code: String
    public var fields: SKUFields
    public var version: Int64
    /// Unix milliseconds UTC.
    public var createdAt: Int64
    /// Unix milliseconds UTC of the last change (not of a PUT that changed nothing).
    public var updatedAt: Int64

    /// The SKU as the API shows it and events carry it.
    public var json: JSONValue {
        let f = fields
        func n(_ v: Int64) -> JSONValue { .number(JSONNumber(v)) }
        return .object([
            "sku": .string(code), "name": .string(f.name),
            "mrp_paise": n(f.mrpPaise), "price_paise": n(f.pricePaise),
            "weight_g": n(f.weightG), "length_mm": n(f.lengthMM), "width_mm": n(f.widthMM), "height_mm": n(f.heightMM),
            "hsn": .string(f.hsn), "gst_rate_bps": n(f.gstRateBps),
            "active": .bool(f.active), "returnable": .bool(f.returnable), "return_window_days": n(f.returnWindowDays),
            "low_stock_threshold": n(f.lowStockThreshold), "reorder_point": n(f.reorderPoint), "reorder_qty": n(f.reorderQty),
            "is_kit": .bool(f.isKit),
            "components": .array(f.components.map { .object(["sku": .string($0.sku), "qty": n($0.qty)]) }),
            "version": n(version),
            "created_at": .string(Timestamps.rfc3339(milliseconds: createdAt)),
            "updated_at": .string(Timestamps.rfc3339(milliseconds: updatedAt)),
        ])
    }
}

/// Reads and writes SKUs and kit compositions. Writes run inside the caller's write
/// transaction and append their event there, so a change and its event commit together.
public enum SKUCatalog {
    /// The SKU with its components, or nil.
    public static func get(_ db: any Database, code: String) throws -> SKU? {
        guard let stored = try CatalogRecords.sku(db, code: code) else { return nil }
        var sku = stored.sku
        if stored.isKit { sku.fields.components = try CatalogRecords.components(db, kit: code) }
        return sku
    }

    /// Filters for `list`.
    public struct ListQuery: Sendable {
        /// Matches a code prefix or a name substring, case-insensitively.
        public var q: String?
        public var active: Bool?
        /// Only codes after this one (the cursor).
        public var after: String?
        /// Page size (the API enforces 1…500).
        public var limit: Int

        /// A query; all filters optional.
        public init(q: String? = nil, active: Bool? = nil, after: String? = nil, limit: Int = 50) {
            self.q = q
            self.active = active
            self.after = after
            self.limit = limit
        }
    }

    /// One page of SKUs in code order. Components of the page's kits come from one range
    /// query over the page's codes rather than one query per kit.
    public static func list(_ db: any Database, _ query: ListQuery) throws -> CatalogPage<SKU> {
        let pattern = query.q.flatMap { $0.isEmpty ? nil : likeEscaped($0.lowercased()) }
        var rows = try CatalogRecords.skuPage(db, after: query.after ?? "", active: query.active, pattern: pattern, limit: query.limit + 1)
        let more = rows.count > query.limit
        if more { rows.removeLast() }
        var skus = rows.map(\.sku)
        if rows.contains(where: \.isKit), let first = skus.first?.code, let last = skus.last?.code {
            let byKit = try CatalogRecords.components(db, kitsFrom: first, through: last)
            for i in skus.indices { skus[i].fields.components = byKit[skus[i].code] ?? [] }
        }
        return CatalogPage(items: skus, lastCodeIfMore: more ? skus.last?.code : nil)
    }

    /// Creates or replaces a SKU (PUT semantics), checking the version precondition against
    /// the row and the kit rules against the current catalog, in the caller's transaction.
    /// The write itself is conditional (insert unless the code is taken, update only at the
    /// version read), so a writer that lost a race gets `version_mismatch`, never a duplicate.
    ///
    /// Kit rules: components must exist and not be kits; a SKU that is a component of a kit
    /// cannot become a kit; a SKU holding stock cannot become a kit (a kit has no stock).
    public static func put(
        _ db: any Database, code: String, fields: SKUFields, precondition: VersionPrecondition = .none,
        actor: String?, now: Int64 = Int64(WallClock.milliseconds())
    ) throws -> PutOutcome<SKU> {
        if let p = CatalogRules.codeProblem(code, field: "sku") { throw DomainError.problems([p]) }
        if MerchantCode.reservedSKUs.contains(code.lowercased()) {
            throw DomainError.problems([FieldProblem("sku", "reserved_code", "\(code) is a word the API reserves beside SKU codes, so a SKU with it could never be addressed; choose another SKU code.")])
        }
        let problems = fields.problems(code: code) + SKUFields.componentProblems(fields.components, code: code)
        guard problems.isEmpty else { throw DomainError.problems(problems) }

        let current = try get(db, code: code)
        try precondition.check(current: current?.version, what: "SKU", id: code)
        if fields.isKit { try checkKit(db, code: code, components: fields.components, current: current) }
        var fields = fields
        fields.components.sort { $0.sku < $1.sku }

        guard let current else {
            guard try CatalogRecords.insertSKU(db, code: code, fields: fields, now: now) else { throw VersionPrecondition.lostRace("SKU", code) }
            try CatalogRecords.insertComponents(db, kit: code, fields.components)
            let sku = SKU(code: code, fields: fields, version: 1, createdAt: now, updatedAt: now)
            try EventLog.append(db, NewEvent(CatalogEvents.skuCreated, entityID: code, payload: catalogPayload(sku.json)), actor: actor, at: now)
            return .created(sku)
        }
        let changes = fields.changedFields(from: current.fields)
        guard !changes.isEmpty else { return .unchanged(current) }

        guard try CatalogRecords.updateSKU(db, code: code, fields: fields, version: current.version, now: now) else {
            throw VersionPrecondition.lostRace("SKU", code)
        }
        if changes.contains("components") { try CatalogRecords.replaceComponents(db, kit: code, fields.components) }
        let sku = SKU(code: code, fields: fields, version: current.version + 1, createdAt: current.createdAt, updatedAt: now)
        var payload = catalogPayload(sku.json)
        payload["changes"] = .array(changes.map(JSONValue.string))
        try EventLog.append(db, NewEvent(CatalogEvents.skuUpdated, entityID: code, payload: payload), actor: actor, at: now)
        if changes.contains("active") || changes.contains("components") { try InventoryChanges.announce(db, .skus([code]), actor: actor, now: now) }
        return .updated(sku)
    }

    /// The kit rules that need the database; every failure is listed in one `invalid_kit`
    /// (or `sku_has_stock` for stock, which the caller cannot fix by editing the kit).
    private static func checkKit(_ db: any Database, code: String, components: [KitComponent], current: SKU?) throws {
        var problems: [FieldProblem] = []
        for (i, c) in components.enumerated() {
            switch try CatalogRecords.skuIsKit(db, code: c.sku) {
            case nil:
                problems.append(.inItem("components", i, field: "sku", "not_found", "No SKU \(c.sku); create the component before the kit."))
            case true?:
                problems.append(.inItem("components", i, field: "sku", "nested_kit", "\(c.sku) is itself a kit; a kit's components must be stocked SKUs."))
            case false?:
                break
            }
        }
        if current?.fields.isKit != true {
            let parents = try CatalogRecords.kits(db, containing: code, limit: 5)
            if !parents.isEmpty {
                problems.append(FieldProblem("components", "nested_kit", "\(code) is a component of \(parents.joined(separator: ", ")); a component cannot become a kit."))
            }
        }
        if !problems.isEmpty { throw DomainError.problems(problems, code: .invalidKit) }
        if current != nil, current?.fields.isKit == false {
            // The stock ledger's own read: the catalog never reads stock tables.
            let stocked = try StockLedger.levels(db, sku: code).count { $0.onHand != 0 || $0.reserved != 0 || $0.damaged != 0 }
            if stocked > 0 {
                throw DomainError(.skuHasStock,
                                  "\(code) holds stock at \(stocked) location(s); a kit has no stock of its own. Move or adjust the stock to zero first, or create the kit under a new code.",
                                  problems: [FieldProblem("components", "sku_has_stock", "The SKU holds stock.")])
            }
        }
    }
}

/// `text` with LIKE's wildcards and the escape character escaped by `\`.
func likeEscaped(_ text: String) -> String {
    var out = ""
    for ch in text {
        if ch == "%" || ch == "_" || ch == "\\" { out.append("\\") }
        out.append(ch)
    }
    return out
}
