/// Thrown by a write closure whose conditional write found the row changed after the same
/// transaction had read it: what the closure decided from is already gone. The PostgreSQL
/// store runs the transaction again (at READ COMMITTED the rerun reads the newer state and
/// decides afresh), up to its attempts, then throws `underlying`.
///
/// Why: several connections write at once on PostgreSQL, so between a transition's read
/// ("the shipment is pending") and its conditional `UPDATE … WHERE status = 'pending'` another
/// transaction may commit; the `UPDATE` then changes nothing. Refusing would turn a benign
/// race (an edit and a cancel of one order) into a spurious 409; running again gives the
/// answer a single writer would have. SQLite's one writer never lets this happen, so there
/// the closure throws `underlying` directly (`Database.concurrentChange`).
public struct ConcurrentChange: Error, Sendable, CustomStringConvertible {
    /// The error to report if no attempt is left (a domain conflict).
    public let underlying: any Error & Sendable

    public init(_ underlying: any Error & Sendable) { self.underlying = underlying }

    public var description: String { "concurrent change: \(underlying)" }
}

extension Database {
    /// The error a closure throws when its conditional write lost to a concurrent commit:
    /// `ConcurrentChange` where the store reruns transactions (PostgreSQL), `error` itself
    /// where no other transaction can commit in between (SQLite's single writer).
    public func concurrentChange(_ error: any Error & Sendable) -> any Error {
        dialect == .postgres ? ConcurrentChange(error) : error
    }
}
