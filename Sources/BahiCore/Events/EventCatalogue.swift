public import BahiJSON

/// One event type, declared once: its name, version, the entity it is about and the shape of
/// its payload. Outbound webhooks publish this catalogue, `docs/EVENTS.md` is generated from
/// it, and in debug builds `EventLog.append` checks every payload against it.
public struct EventDefinition: Sendable, Equatable {
    /// The type as stored and filtered on: `order.confirmed`, `inventory.changed`.
    public let type: String
    /// Bumped when a payload field changes meaning or is removed (adding one is compatible).
    public let version: Int
    /// The kind of entity `entity_id` names: `order`, `sku`, `reservation`.
    public let entityType: String
    /// When it is appended, for a reader of the catalogue.
    public let summary: String
    /// Every payload field.
    public let payload: [PayloadField]

    public init(_ type: String, version: Int = 1, entity: String, _ summary: String, payload: [PayloadField]) {
        self.type = type
        self.version = version
        self.entityType = entity
        self.summary = summary
        self.payload = payload
    }
}

/// One field of an event payload.
public struct PayloadField: Sendable, Equatable {
    /// The JSON type of a field's value.
    public enum Kind: String, Sendable {
        case string, integer, boolean, object, array
        /// An RFC 3339 UTC time, as a string.
        case timestamp
    }

    public let name: String
    public let kind: Kind
    /// True when the field may be absent or null.
    public let optional: Bool
    public let summary: String

    public init(_ name: String, _ kind: Kind, optional: Bool = false, _ summary: String) {
        self.name = name
        self.kind = kind
        self.optional = optional
        self.summary = summary
    }

    /// Whether `value` is of this field's kind.
    func admits(_ value: JSONValue) -> Bool {
        switch (kind, value) {
        case (_, .null): optional
        case (.string, .string), (.timestamp, .string), (.boolean, .bool), (.object, .object), (.array, .array): true
        case (.integer, .number(let n)): n.int64 != nil
        default: false
        }
    }
}

/// An event a domain appends: which definition it follows, which entity it is about, and its
/// payload. Domain code builds these typed values; `EventLog.append` writes them.
public protocol DomainEvent {
    /// The catalogue entry this event follows.
    var definition: EventDefinition { get }
    /// The id or code of the entity the event is about.
    var entityID: String { get }
    /// The payload as one encoded JSON object.
    var payloadJSON: String { get }
}

/// Every event type Bahi appends, by domain. A type that is not listed here cannot be
/// appended (debug builds check), and `docs/EVENTS.md` is generated from this list.
public enum EventCatalogue {
    /// All definitions, in the order `docs/EVENTS.md` lists them.
    public static let all: [EventDefinition] =
        SystemEvents.all + CatalogEvents.all + StockEvents.all + OrderEvents.all + FulfilmentEvents.all + SettingsEvents.all + WebhookEvents.all + PaymentEvents.all + RefundEvents.all + CourierEvents.all + TrackingEvents.all

    /// The definition of `type`, or nil.
    public static func definition(of type: String) -> EventDefinition? {
        byType[type]
    }

    private static let byType: [String: EventDefinition] = Dictionary(all.map { ($0.type, $0) }, uniquingKeysWith: { first, _ in first })

    /// The problems of a payload against its definition: missing required fields, fields of
    /// the wrong kind, fields the definition does not declare. Empty when it conforms.
    public static func problems(payloadJSON: String, against definition: EventDefinition) -> [String] {
        guard case .object(let object)? = try? JSONParser.parse(payloadJSON) else { return ["payload is not a JSON object"] }
        var problems: [String] = []
        var declared = Set<String>()
        for field in definition.payload {
            declared.insert(field.name)
            guard let value = object[field.name] else {
                if !field.optional { problems.append("\(definition.type): missing \(field.name)") }
                continue
            }
            if !field.admits(value) { problems.append("\(definition.type): \(field.name) is not \(field.kind.rawValue)") }
        }
        for key in object.keys where !declared.contains(key) {
            problems.append("\(definition.type): undeclared field \(key)")
        }
        return problems
    }

    /// `docs/EVENTS.md`: the catalogue as a person reads it (a test keeps the file equal).
    public static var markdown: String {
        var out = """
        # Events

        Every state change appends one event to the `events` table in the same transaction
        (DESIGN §3): `GET /v1/events?after=` reads them in commit order, and outbound webhooks
        publish them. Each type is declared once in `EventCatalogue` with its payload and a
        version; this page is generated from it (`EventCatalogueTests` keeps it equal).

        Every event carries `seq`, `id` (`evt_…`), `type`, `entity_type`, `entity_id`, `payload`,
        `actor` and `created_at`; the tables below are the payloads.

        """
        for definition in all {
            out += "\n## `\(definition.type)` (v\(definition.version))\n\n"
            out += "\(definition.summary) Entity: `\(definition.entityType)`.\n\n"
            if definition.payload.isEmpty {
                out += "Payload: `{}`.\n"
                continue
            }
            out += "| field | type | |\n|---|---|---|\n"
            for field in definition.payload {
                out += "| `\(field.name)` | \(field.kind.rawValue)\(field.optional ? ", optional" : "") | \(field.summary) |\n"
            }
        }
        return out
    }
}

/// An event ready to append: a definition, an entity and a payload.
public struct NewEvent: DomainEvent {
    public let definition: EventDefinition
    public let entityID: String
    public let payloadJSON: String

    /// An event whose payload is built as a `JSONObject`: the common case off the hot paths.
    public init(_ definition: EventDefinition, entityID: String, payload: JSONObject) {
        self.definition = definition
        self.entityID = entityID
        self.payloadJSON = JSONValue.object(payload).encodedText
    }

    /// An event whose payload is already encoded (one JSON object, as `JSONWriter` makes it):
    /// for hot paths, where building a `JSONObject` costs more than the INSERT.
    public init(_ definition: EventDefinition, entityID: String, payloadJSON: String) {
        self.definition = definition
        self.entityID = entityID
        self.payloadJSON = payloadJSON
    }
}
