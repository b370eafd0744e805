/// Work that the calls of one transaction share and that is done once, just before the
/// transaction commits, instead of once per call.
///
/// Why: the store's writer commits many callers' work in one transaction (group commit), and
/// readers only ever see whole transactions. Work whose result only matters as of the commit
/// — "SKU X's stock changed, here is what it is now" — is wasted when forty holds on the same
/// SKU each append it; done once at the end, readers see exactly the same thing. Only the
/// writer's batches defer (`Connection.preCommitWork` is nil elsewhere, and the caller does
/// its work at once), so code written against a plain connection behaves as before.
public protocol PreCommitWork: AnyObject {
    /// An empty instance, made on a transaction's first request for this kind of work.
    init()

    /// Does the work inside the transaction, after every call in it and before `COMMIT`.
    /// A throw rolls the whole transaction back and fails every call in it, so nothing is
    /// acknowledged without its deferred work.
    ///
    /// Calls whose changes were rolled back may have registered work too: the work must be
    /// computed from the database as it now is, never from what a call said it changed.
    func run(_ db: any Database) throws
}

/// The deferred work of the transaction open on one connection, in registration order.
final class PreCommitWorkList {
    /// True inside the writer's batches, the only transactions that run work at commit.
    var isDeferring = false
    private var items: [(key: ObjectIdentifier, work: any PreCommitWork)] = []

    func instance<W: PreCommitWork>(_ type: W.Type) -> W? {
        guard isDeferring else { return nil }
        let key = ObjectIdentifier(type)
        // A transaction has one or two kinds of work: a linear scan beats hashing.
        for item in items where item.key == key {
            if let work = item.work as? W { return work }
        }
        let work = W()
        items.append((key, work))
        return work
    }

    /// Runs every registered piece of work (work registered while running runs too), then
    /// forgets them.
    func runAll(_ db: any Database) throws {
        var index = 0
        defer { items.removeAll(keepingCapacity: true) }
        while index < items.count {
            try items[index].work.run(db)
            index += 1
        }
    }

    /// Forgets the registered work without running it: the transaction rolled back.
    func discard() { items.removeAll(keepingCapacity: true) }
}

extension Connection {
    /// This transaction's shared instance of `W`, made on first use; nil when the connection
    /// does not defer work to its commit (anything but the store writer's batches), in which
    /// case the caller does the work itself, now.
    public func preCommitWork<W: PreCommitWork>(_ type: W.Type) -> W? {
        preCommitWorkList.instance(type)
    }
}
