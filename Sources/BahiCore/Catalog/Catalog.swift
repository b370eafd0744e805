/// Pieces the catalog resources (SKUs, locations, channels) share: field problems, the
/// optimistic-concurrency precondition, what a PUT did, and the text and number rules.

/// What a conditional write (a PUT) expects of the resource's current `version`.
///
/// Why two sources: HTTP clients send `If-Match: "3"` (the ETag they read), while scripts that
/// GET, edit and PUT the JSON back carry `"version": 3` in the body. Both must hold when both
/// are given. Either one on a resource that does not exist fails, because the client believed
/// it was updating something.
public struct VersionPrecondition: Sendable, Equatable {
    /// An `If-Match` header's meaning.
    public enum Match: Sendable, Equatable {
        /// `If-Match: *`: the resource must exist, in any version.
        case any
        /// A list of entity tags: the current version must be one of these. Weak or foreign
        /// tags never match (strong comparison, RFC 9110 §13.1.1), so the set may be empty.
        case versions(Set<Int64>)
    }

    /// The `If-Match` header, if sent.
    public var ifMatch: Match?
    /// The body's `version`, if sent.
    public var bodyVersion: Int64?

    /// A precondition from whichever of the two the request carried.
    public init(ifMatch: Match? = nil, bodyVersion: Int64? = nil) {
        self.ifMatch = ifMatch
        self.bodyVersion = bodyVersion
    }

    /// No precondition: an unconditional PUT (last writer wins).
    public static let none = VersionPrecondition()

    /// True when the request states any expectation at all.
    public var isConditional: Bool { ifMatch != nil || bodyVersion != nil }

    /// Throws `version_mismatch` unless the current version (nil: the resource does not
    /// exist) satisfies every expectation; the error carries `current_version` (null when
    /// there is none) and, when the body's version is at fault, a problem on `version`.
    public func check(current: Int64?, what: String, id: String) throws {
        guard isConditional else { return }
        guard let current else {
            throw DomainError(.versionMismatch,
                              "The change expects an existing \(what) \(id) (it names a version), but there is none; name no version to create it.",
                              problems: bodyVersion != nil ? [FieldProblem("version", "version_mismatch", "No \(what) \(id) exists yet.")] : [],
                              details: [DomainError.Detail(key: "current_version", json: "null")])
        }
        var matches = true
        if case .versions(let allowed)? = ifMatch, !allowed.contains(current) { matches = false }
        if let bodyVersion, bodyVersion != current { matches = false }
        guard matches else {
            throw DomainError(.versionMismatch,
                              "The \(what) \(id) is at version \(current), not the one this change expects; read it again and reapply the change.",
                              problems: bodyVersion.map { $0 != current ? [FieldProblem("version", "version_mismatch", "The current version is \(current).")] : [] } ?? [],
                              details: [DomainError.Detail(key: "current_version", json: String(current))])
        }
    }

    /// `version_mismatch` for a write that lost a race: the resource was created or changed
    /// by another writer between this one's read and its conditional write.
    public static func lostRace(_ what: String, _ id: String) -> DomainError {
        DomainError(.versionMismatch, "The \(what) \(id) changed while this change ran; read it again and reapply the change.")
    }
}

/// What a PUT did, so the API can answer 201, 200, or 200 without a new version.
public enum PutOutcome<Resource: Sendable>: Sendable {
    /// The resource did not exist and now does, at version 1.
    case created(Resource)
    /// The resource changed; its version went up by one.
    case updated(Resource)
    /// The request described the resource as it already was: nothing written, no event.
    case unchanged(Resource)

    /// The resource as it is after the PUT.
    public var resource: Resource {
        switch self {
        case .created(let r), .updated(let r), .unchanged(let r): r
        }
    }
}

/// One page of a list ordered by the merchant's code.
public struct CatalogPage<Item: Sendable>: Sendable {
    /// The page, in code order.
    public var items: [Item]
    /// The code of the last item when more follow (the next page starts after it), else nil.
    public var lastCodeIfMore: String?

    /// A page and where the next one starts.
    public init(items: [Item], lastCodeIfMore: String?) {
        self.items = items
        self.lastCodeIfMore = lastCodeIfMore
    }

    /// The page of `limit` items from `fetched`, rows read with `LIMIT limit + 1`: the one
    /// extra row says whether another page follows, and is not shown.
    public init(fetched: [Item], limit: Int, code: (Item) -> String) {
        let more = fetched.count > limit
        let items = more ? Array(fetched.prefix(limit)) : fetched
        self.init(items: items, lastCodeIfMore: more ? items.last.map(code) : nil)
    }
}

/// The catalog's validation rules, shared by the API, `bahi import` and anything else that
/// writes catalog rows, so all of them accept exactly the same data.
public enum CatalogRules {
    /// The largest money amount accepted (₹100 crore in paise): far above any retail price,
    /// and small enough that quantity × price never overflows Int64.
    public static let maxPaise: Int64 = 100_000_000_000
    /// The longest display name.
    public static let maxNameLength = 200
    /// The longest address.
    public static let maxAddressLength = 1000

    /// Problems with a required display name: present, not blank, short, no control
    /// characters (a name ends up in CSV cells, labels and invoices).
    public static func nameProblems(_ name: String, field: String = "name") -> [FieldProblem] {
        if name.allSatisfy(\.isWhitespace) { return [FieldProblem(field, "required", "Must not be empty.")] }
        if name.count > maxNameLength { return [FieldProblem(field, "too_long", "At most \(maxNameLength) characters.")] }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return [FieldProblem(field, "invalid", "Must not contain control characters such as line breaks or tabs.")]
        }
        return []
    }

    /// A problem when `value` is outside `range`.
    public static func rangeProblem(_ value: Int64, _ range: ClosedRange<Int64>, field: String) -> FieldProblem? {
        range.contains(value) ? nil : FieldProblem(field, "out_of_range", "Must be between \(range.lowerBound) and \(range.upperBound).")
    }

    /// The problem with a merchant code used as a URL key, naming the path parameter.
    public static func codeProblem(_ code: String, field: String) -> FieldProblem? {
        MerchantCode.isValid(code) ? nil : FieldProblem(field, "invalid_code", "Must be \(MerchantCode.rule).")
    }
}

/// Indian GST rates in basis points.
public enum GSTRate {
    /// The slabs a SKU may carry: nil-rated/exempt, 0.25% (rough precious stones), 3% (gold,
    /// silver, jewellery), and the general 5%, 12%, 18%, 28%, plus 40%, the rate GST 2.0
    /// (September 2025) introduced for luxury and sin goods.
    public static let slabs: [Int64] = [0, 25, 300, 500, 1200, 1800, 2800, 4000]

    /// True for one of `slabs`.
    public static func isValid(_ bps: Int64) -> Bool { slabs.contains(bps) }
}

/// HSN (Harmonized System of Nomenclature) codes printed on GST invoices.
public enum HSNCode {
    /// True for 4, 6 or 8 ASCII digits, or empty (not yet classified).
    public static func isValid(_ hsn: String) -> Bool {
        let bytes = hsn.utf8
        return [0, 4, 6, 8].contains(bytes.count) && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
