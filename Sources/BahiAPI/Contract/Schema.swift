public import BahiHTTP
public import BahiJSON
import BahiCore

/// A JSON shape, declared once per route, that validates request bodies with the same field
/// errors `Validator` gives (path, code, fix), checks response bodies in the test suite, puts
/// response keys in their declared order, and becomes a JSON Schema in the OpenAPI document.
///
/// Why our own and not `Codable`: the wire needs what `Codable` cannot say (money as integers
/// only, unknown keys rejected with a suggestion, every problem listed at once), and the same
/// value must describe itself to clients.
///
/// Build shapes with the static functions (`.string(maxLength:)`, `.integer(1...500)`,
/// `.object([...])`, `.array(of:)`, `.ref(Components.order)`) and modifiers
/// (`.required`, `.nullable`, `.described(_:)`, `.example(_:)`).
public struct Schema: Sendable {
    /// What kind of JSON value this is.
    public indirect enum Kind: Sendable {
        case string
        case integer
        case number
        case boolean
        case array(Schema)
        /// Properties in declared order; `additional` allows keys not listed (free-form objects).
        case object([Property], additional: Bool)
        /// A named component schema (`#/components/schemas/<name>`).
        case ref(Component)
        /// Any JSON value (event payloads, history details).
        case any
    }

    /// One property of an object shape.
    public struct Property: Sendable {
        public var name: String
        public var schema: Schema
        public var required: Bool
    }

    public var kind: Kind
    /// `null` is allowed (responses: always present, sometimes null).
    public var isNullable = false
    /// Marks a property required in the object that holds it.
    public var isRequired = false
    /// Marks a property of an `allRequired` response object that is sometimes left out.
    public var isOmittable = false
    public var description: String?
    public var minLength: Int?
    public var maxLength: Int?
    /// An ECMA-262 pattern the whole string must match (checked by `matches` below when set).
    public var pattern: String?
    /// A Swift check standing for `pattern` (the server does not carry a regex engine).
    public var patternCheck: (@Sendable (String) -> Bool)?
    /// The fix a person reads when the pattern or enum does not match.
    public var hint: String?
    /// The field error's code when the pattern does not match (default `invalid`), so a
    /// declared pattern reports what the handler's own check would (`invalid_pincode`).
    public var patternCode = "invalid"
    public var enumValues: [String]?
    public var format: String?
    public var minimum: Int64?
    public var maximum: Int64?
    public var minItems: Int?
    public var maxItems: Int?
    public var example: JSONValue?

    public init(_ kind: Kind) { self.kind = kind }

    // MARK: builders

    /// A string, optionally bounded, from a closed list, or of a named format.
    public static func string(
        minLength: Int? = nil, maxLength: Int? = nil, enum values: [String]? = nil, format: String? = nil,
        pattern: String? = nil, check: (@Sendable (String) -> Bool)? = nil, hint: String? = nil, code: String = "invalid"
    ) -> Schema {
        var s = Schema(.string)
        s.minLength = minLength
        s.maxLength = maxLength
        s.enumValues = values
        s.format = format
        s.pattern = pattern
        s.patternCheck = check
        s.hint = hint
        s.patternCode = code
        return s
    }

    /// A merchant code (SKU, location, channel): 1 to 64 of `A–Z a–z 0–9 . _ -`.
    public static let merchantCode = Schema.string(
        minLength: 1, maxLength: MerchantCode.maxLength, pattern: "^[A-Za-z0-9._-]+$", check: MerchantCode.isValid, hint: "\(MerchantCode.rule).")

    /// An Indian pincode: six digits, not starting with 0 (whether it exists is the directory's call).
    public static let pincode = Schema.string(
        maxLength: 6, pattern: "^[1-9][0-9]{5}$", check: PincodeDirectory.isWellFormed, hint: "Six digits, not starting with 0.", code: "invalid_pincode")

    /// An Indian mobile number. Documented in its plain form; the server also accepts spaces,
    /// dashes, brackets and a leading 0 or +91.
    public static let indianPhone = Schema.string(
        maxLength: 30, pattern: "^(\\+91)?[6-9][0-9]{9}$", check: { IndianPhone.normalise($0) != nil },
        hint: "An Indian mobile number: ten digits starting 6–9, optionally with +91.", code: "invalid_phone")

    /// One of an enum's raw values.
    public static func oneOf<E: CaseIterable & RawRepresentable>(_ type: E.Type) -> Schema where E.RawValue == String {
        .string(enum: type.allCases.map(\.rawValue))
    }

    /// An RFC 3339 UTC time (`2026-11-22T10:15:00.123Z`).
    public static let dateTime = Schema.string(format: "date-time")

    /// A whole number (money in paise, quantities), optionally within a range.
    public static func integer(_ range: ClosedRange<Int64>? = nil) -> Schema {
        var s = Schema(.integer)
        s.minimum = range?.lowerBound
        s.maximum = range?.upperBound
        return s
    }

    /// A whole number of at least `minimum`.
    public static func integer(atLeast minimum: Int64) -> Schema {
        var s = Schema(.integer)
        s.minimum = minimum
        return s
    }

    /// A JSON number that may have a fraction (figures, never money).
    public static let number = Schema(.number)
    public static let boolean = Schema(.boolean)
    /// Any JSON value.
    public static let any = Schema(.any)

    /// An array of `item`, optionally bounded in length.
    public static func array(of item: Schema, minItems: Int? = nil, maxItems: Int? = nil) -> Schema {
        var s = Schema(.array(item))
        s.minItems = minItems
        s.maxItems = maxItems
        return s
    }

    /// An object whose properties are listed in order; unknown keys are rejected. Mark the
    /// required ones with `.required` — or pass `allRequired` for a response object whose
    /// every key is always present (null where nullable).
    public static func object(_ properties: KeyValuePairs<String, Schema>, allRequired: Bool = false) -> Schema {
        Schema(.object(properties.map { Property(name: $0.key, schema: $0.value, required: (allRequired && !$0.value.isOmittable) || $0.value.isRequired) }, additional: false))
    }

    /// The same from a list built at run time (two shapes that differ by a field).
    public static func object(_ properties: [(key: String, value: Schema)], allRequired: Bool = false) -> Schema {
        Schema(.object(properties.map { Property(name: $0.key, schema: $0.value, required: (allRequired && !$0.value.isOmittable) || $0.value.isRequired) }, additional: false))
    }

    /// An object with any keys (a printed document, a free-form detail).
    public static let freeObject = Schema(.object([], additional: true))

    /// A named component.
    public static func ref(_ component: Component) -> Schema { Schema(.ref(component)) }

    // MARK: modifiers

    /// Required in the object that holds it.
    public var required: Schema { var s = self; s.isRequired = true; return s }
    /// Sometimes left out of an `allRequired` object.
    public var omittable: Schema { var s = self; s.isOmittable = true; return s }
    /// May be null.
    public var nullable: Schema { var s = self; s.isNullable = true; return s }
    /// With a description for the document.
    public func described(_ text: String) -> Schema { var s = self; s.description = text; return s }
    /// With an example for the document.
    public func example(_ value: JSONValue) -> Schema { var s = self; s.example = value; return s }
    /// With a fix message for values that break the pattern or enum.
    public func hint(_ text: String) -> Schema { var s = self; s.hint = text; return s }

    /// The object's properties (through a ref), or nil for other kinds.
    var properties: [Property]? {
        switch kind {
        case .object(let properties, _): properties
        case .ref(let component): component.schema.properties
        default: nil
        }
    }
}

/// A named schema shown once under `components/schemas` and referred to by `$ref`.
///
/// A class so that a shape used by many routes is built once and compared by identity; the
/// closure lets a component name others declared after it (Swift statics are lazy).
public final class Component: Sendable {
    public let name: String
    /// The component's schema.
    public let schema: Schema

    public init(_ name: String, _ make: @Sendable () -> Schema) {
        self.name = name
        self.schema = make()
    }
}

// MARK: - Validation

extension Schema {
    /// Every problem with `value` against this shape, in the `Validator`'s terms: `invalid_type`
    /// for a wrong JSON type, `required`, `unknown_field` (with "did you mean"), `too_long`,
    /// `out_of_range`, `too_many`, `invalid` (with the hint). `null` stands for absent on a
    /// non-nullable optional property, as `Validator` treats it.
    public func problems(_ value: JSONValue, at path: String = "") -> [FieldError] {
        var errors: [FieldError] = []
        check(value, at: path, into: &errors)
        return errors
    }

    func check(_ value: JSONValue, at path: String, into errors: inout [FieldError]) {
        let field = path.isEmpty ? "body" : path
        if value == .null {
            if !isNullable { errors.append(FieldError(field: field, code: "invalid_type", message: "Expected \(expectation), got null.")) }
            return
        }
        switch kind {
        case .any:
            return
        case .ref(let component):
            var schema = component.schema
            schema.isNullable = isNullable
            schema.check(value, at: path, into: &errors)
        case .string:
            guard case .string(let s) = value else { return wrongType(field, value, &errors) }
            if let maxLength, s.count > maxLength { errors.append(FieldError(field: field, code: "too_long", message: "At most \(maxLength) characters.")) }
            if let minLength, s.count < minLength {
                errors.append(minLength == 1
                    ? FieldError(field: field, code: "required", message: "Must not be empty.")
                    : FieldError(field: field, code: "too_short", message: "At least \(minLength) characters."))
            }
            if let enumValues, !enumValues.contains(s) {
                errors.append(FieldError(field: field, code: "invalid", message: hint ?? "One of \(enumValues.joined(separator: ", ")) (got \(s))."))
            } else if let patternCheck, !patternCheck(s) {
                errors.append(FieldError(field: field, code: patternCode, message: hint ?? "Must match \(pattern ?? "the documented form")."))
            } else if format == "date-time", Timestamps.milliseconds(rfc3339: s) == nil {
                errors.append(FieldError(field: field, code: "invalid", message: hint ?? "An RFC 3339 time such as 2026-11-22T15:45:00+05:30."))
            }
        case .integer:
            guard case .number(let n) = value, let v = n.int64 else { return wrongType(field, value, &errors) }
            if let minimum, v < minimum { errors.append(outOfRange(field)) } else if let maximum, v > maximum { errors.append(outOfRange(field)) }
        case .number:
            guard case .number = value else { return wrongType(field, value, &errors) }
        case .boolean:
            guard case .bool = value else { return wrongType(field, value, &errors) }
        case .array(let item):
            guard case .array(let items) = value else { return wrongType(field, value, &errors) }
            if let minItems, items.count < minItems {
                errors.append(FieldError(field: field, code: "required", message: minItems == 1 ? "At least one item." : "At least \(minItems) items."))
            }
            if let maxItems, items.count > maxItems {
                errors.append(FieldError(field: field, code: "too_many", message: "At most \(maxItems) items."))
            }
            for (i, element) in items.prefix(maxItems ?? items.count).enumerated() {
                item.check(element, at: "\(field)[\(i)]", into: &errors)
            }
        case .object(let properties, let additional):
            guard case .object(let object) = value else { return wrongType(field, value, &errors) }
            let prefix = path.isEmpty ? "" : path + "."
            if !additional {
                let allowed = properties.map(\.name)
                for key in object.keys where !allowed.contains(key) {
                    errors.append(Validator.unknownField(key, at: prefix + key, allowed: allowed))
                }
            }
            for property in properties {
                let present = object[property.name]
                if present == nil || (present == .null && !property.schema.isNullable) {
                    if property.required { errors.append(FieldError(field: prefix + property.name, code: "required", message: "This field is required.")) }
                    continue
                }
                if let present { property.schema.check(present, at: prefix + property.name, into: &errors) }
            }
        }
    }

    private func outOfRange(_ field: String) -> FieldError {
        let low = minimum.map(String.init) ?? "\(Int64.min)", high = maximum.map(String.init) ?? "\(Int64.max)"
        return FieldError(field: field, code: "out_of_range", message: "Must be between \(low) and \(high).")
    }

    private func wrongType(_ field: String, _ value: JSONValue, _ errors: inout [FieldError]) {
        errors.append(FieldError(field: field, code: "invalid_type", message: "Expected \(expectation), got \(value.kindName)."))
    }

    /// How the wanted kind reads in a message ("a string", "an integer").
    var expectation: String {
        switch kind {
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a number"
        case .boolean: "true or false"
        case .array: "an array"
        case .object: "an object"
        case .ref(let c): c.schema.expectation
        case .any: "a value"
        }
    }
}

// MARK: - Rendering

extension Schema {
    /// `value` with every object's keys in the declared order (undeclared keys after them,
    /// as they came): the generic rendering the hot paths' byte writers are tested against.
    public func rendered(_ value: JSONValue) -> JSONValue {
        switch (kind, value) {
        case (.ref(let component), _):
            return component.schema.rendered(value)
        case (.array(let item), .array(let items)):
            return .array(items.map(item.rendered))
        case (.object(let properties, _), .object(let object)):
            var out = JSONObject()
            for property in properties {
                if let v = object[property.name] { out[property.name] = property.schema.rendered(v) }
            }
            for (key, v) in object where out[key] == nil { out[key] = v }
            return .object(out)
        default:
            return value
        }
    }
}

