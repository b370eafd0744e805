/// A value as SQLite stores it: one of its five storage classes.
///
/// Why an enum: it makes the storage class explicit at the boundary (a NULL is `.null`, never
/// a silent 0 or empty string) and it is `Sendable`, so arguments can be captured into write
/// closures and errors without copying C memory around.
public enum SQLValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer (money in paise, Unix milliseconds, counts, booleans).
    case integer(Int64)
    /// An IEEE-754 double. Never used for money; here for ratios and measurements.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes; an empty array is a zero-length blob, distinct from NULL.
    case blob([UInt8])

    /// The SQLite name of the storage class, for type-mismatch messages.
    public var typeName: String {
        switch self {
        case .null: "NULL"
        case .integer: "INTEGER"
        case .real: "REAL"
        case .text: "TEXT"
        case .blob: "BLOB"
        }
    }
}

/// A Swift type that maps to one SQLite value and back.
///
/// Conforming a domain type (an amount in paise, an id) lets it be bound and read directly,
/// so SQL call sites stay free of `.rawValue` noise while the conversion lives in one place.
/// Decoding is failable rather than lossy: reading TEXT as an integer is an error, not 0.
public protocol SQLValueConvertible: Sendable {
    /// The value to bind.
    var sqlValue: SQLValue { get }
    /// Converts a stored value, or returns nil if it has the wrong storage class. Only
    /// `Optional` accepts `.null`.
    init?(sqlValue: SQLValue)
}

extension SQLValue: SQLValueConvertible {
    /// Itself: lets untyped code (dumps, generic tools) pass values through unchanged.
    @inlinable public var sqlValue: SQLValue { self }
    /// Any stored value, NULL included.
    @inlinable public init?(sqlValue: SQLValue) { self = sqlValue }
}

extension Int64: SQLValueConvertible {
    /// Binds as INTEGER.
    @inlinable public var sqlValue: SQLValue { .integer(self) }
    /// Accepts INTEGER, and REAL only when it holds an exact integer (SQLite may return
    /// `sum()` of integers as REAL after overflow); anything else is a mismatch.
    @inlinable public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(let value): self = value
        case .real(let value):
            guard let exact = Int64(exactly: value) else { return nil }
            self = exact
        default: return nil
        }
    }
}

extension Int: SQLValueConvertible {
    /// Binds as INTEGER.
    @inlinable public var sqlValue: SQLValue { .integer(Int64(self)) }
    /// As `Int64`, checked to fit.
    @inlinable public init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue), let fitted = Int(exactly: value) else { return nil }
        self = fitted
    }
}

extension Double: SQLValueConvertible {
    /// Binds as REAL.
    @inlinable public var sqlValue: SQLValue { .real(self) }
    /// Accepts REAL and INTEGER (an average of integers may come back as either).
    @inlinable public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: return nil
        }
    }
}

extension Bool: SQLValueConvertible {
    /// Binds as INTEGER 0 or 1 (SQLite has no boolean type).
    @inlinable public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    /// Accepts INTEGER: zero is false, anything else true (SQLite's own truth rule).
    @inlinable public init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue else { return nil }
        self = value != 0
    }
}

extension String: SQLValueConvertible {
    /// Binds as TEXT (UTF-8, embedded NULs preserved).
    @inlinable public var sqlValue: SQLValue { .text(self) }
    /// Accepts TEXT only.
    @inlinable public init?(sqlValue: SQLValue) {
        guard case .text(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Array: SQLValueConvertible where Element == UInt8 {
    /// Binds as BLOB; an empty array is a zero-length blob, not NULL.
    @inlinable public var sqlValue: SQLValue { .blob(self) }
    /// Accepts BLOB only.
    @inlinable public init?(sqlValue: SQLValue) {
        guard case .blob(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    /// `nil` binds as NULL.
    @inlinable public var sqlValue: SQLValue {
        switch self {
        case .none: .null
        case .some(let wrapped): wrapped.sqlValue
        }
    }
    /// NULL reads as `nil`; any other value must convert to `Wrapped`.
    @inlinable public init?(sqlValue: SQLValue) {
        if case .null = sqlValue {
            self = .none
            return
        }
        guard let wrapped = Wrapped(sqlValue: sqlValue) else { return nil }
        self = .some(wrapped)
    }
}

/// The values for a statement's parameters: positional (`?`) or named (`:name`).
///
/// One type for both, writable as an array or dictionary literal
/// (`[order.id, amount]`, `[":sku": sku]`), so query helpers need a single signature.
/// Values are converted to `SQLValue` on creation, which keeps the arguments `Sendable`.
public struct StatementArguments: Sendable, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    enum Storage: Sendable {
        case positional([SQLValue])
        case named([(name: String, value: SQLValue)])
    }

    let storage: Storage

    /// Positional arguments for `?` placeholders, in order; `nil` binds NULL.
    /// Already-converted positional values.
    init(values: [SQLValue]) {
        storage = .positional(values)
    }

    /// The positional values, for engines that only number their parameters (PostgreSQL);
    /// named arguments there are a misuse naming the statement.
    func positionalValues(sql: String) throws -> [SQLValue] {
        guard case .positional(let values) = storage else {
            throw StoreError.misuse("named parameters are SQLite-only; number them (?1, ?2, …)", sql: sql)
        }
        return values
    }

    public init(_ values: [(any SQLValueConvertible)?]) {
        storage = .positional(values.map { $0?.sqlValue ?? .null })
    }

    /// Named arguments; a key may carry its prefix (`:sku`, `@sku`, `$sku`) or not (`sku`
    /// means `:sku`).
    public init(named values: [String: (any SQLValueConvertible)?]) {
        storage = .named(values.map { (name: $0.key, value: $0.value?.sqlValue ?? .null) })
    }

    /// `[a, b, nil]`.
    public init(arrayLiteral elements: (any SQLValueConvertible)?...) {
        self.init(elements)
    }

    /// `[":a": a, "b": b]`.
    public init(dictionaryLiteral elements: (String, (any SQLValueConvertible)?)...) {
        storage = .named(elements.map { (name: $0.0, value: $0.1?.sqlValue ?? .null) })
    }

    /// True when there are no arguments at all.
    public var isEmpty: Bool {
        switch storage {
        case .positional(let values): values.isEmpty
        case .named(let values): values.isEmpty
        }
    }
}
