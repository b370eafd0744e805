public import BahiStore

/// Reserves a set of lines for a channel, all or nothing: the one code path behind checkout
/// holds and orders (DESIGN §4), so the channel buffers, kit expansion and the "two kits
/// sharing a component never oversell it" rule cannot differ between them.
public enum LineReservation {
    /// What every line needs in stocked units, and the levels read for them, given to a
    /// location-ranking strategy before anything is reserved.
    public struct Plan: Sendable {
        /// Stocked SKU → units needed over all lines (kits expanded into components).
        public var needs: [String: Int64]
        /// Stocked SKU → its levels at every location, by location priority.
        public var levels: [String: [StockLedger.Level]]
    }

    /// Reserves every line in this transaction, or throws (rolling back the caller's
    /// savepoint) and reserves nothing.
    ///
    /// - Parameters:
    ///   - credit: units of a SKU this operation already held and just released (an order
    ///     edit): they count as sellable even if the channel's buffer would keep them back, so
    ///     only an increase must fit the buffer.
    ///   - rank: orders locations for this plan (nearest first, …); nil keeps priority order.
    ///     Locations it leaves out are tried last, by priority.
    ///   - prefetched: `Availability.lineFacts` per line, when the caller already read them in
    ///     this transaction and nothing has changed stock since (order intake reads them to
    ///     price the lines).
    /// - Returns: where every line's units were reserved.
    public static func reserve(
        _ db: any Database, channel: String, lines: [Holds.Line], reference: String, actor: String?, now: Int64,
        credit: [String: Int64] = [:], rank: (@Sendable (Plan) -> [String])? = nil, prefetched: [Availability.LineFacts]? = nil
    ) throws -> [Holds.Allocation] {
        guard !lines.isEmpty else { throw DomainError.invalid("lines", "required", "At least one line.") }
        // Validate every line first, so a bad SKU never leaves partial work to roll back.
        var facts: [Availability.SKUFacts] = []
        var buffers: [(bps: Int64, units: Int64)] = []
        var problems: [FieldProblem] = []
        // One read of a stocked SKU's levels serves its availability, the allocation plan and
        // the change events; it is kept current as the lines reserve from it. A stocked
        // line's levels come with its channel and SKU facts in one query.
        var levels: [String: [StockLedger.Level]] = [:]
        for (i, line) in lines.enumerated() {
            let known = prefetched.flatMap { i < $0.count ? $0[i] : nil }
            guard let c = try known ?? Availability.lineFacts(db, channel: channel, sku: line.sku), c.channelActive else {
                throw DomainError.invalid("channel", "unknown_channel", "No active channel \(channel).")
            }
            buffers.append(c.buffer)
            if let f = c.facts {
                if !f.active { problems.append(.inItem("lines", i, field: "sku", "inactive_sku", "SKU \(line.sku) is not active.")) }
                facts.append(f)
                if !f.isKit, levels[line.sku] == nil { levels[line.sku] = c.levels }
            } else {
                problems.append(.inItem("lines", i, field: "sku", "unknown_sku", "No SKU \(line.sku)."))
            }
        }
        if !problems.isEmpty {
            throw DomainError(.validationFailed, "Some lines name SKUs that cannot be sold.", problems: problems)
        }
        func levelsOf(_ sku: String) throws -> [StockLedger.Level] {
            if let cached = levels[sku] { return cached }
            let fetched = try StockLedger.levels(db, sku: sku)
            levels[sku] = fetched
            return fetched
        }
        // Channel limits per line: an increase must fit what the channel may sell.
        var shortfalls: [Holds.Shortfall] = []
        var remainingCredit = credit
        for (i, line) in lines.enumerated() {
            let available = facts[i].isKit ? try Availability.available(db, sku: line.sku, isKit: true) : Availability.available(in: try levelsOf(line.sku))
            let credited = min(remainingCredit[line.sku] ?? 0, line.qty)
            remainingCredit[line.sku] = (remainingCredit[line.sku] ?? 0) - credited
            let sellable = Availability.sellable(available: max(0, available - credited), buffer: buffers[i]) + credited
            if sellable < line.qty { shortfalls.append(Holds.Shortfall(line: i, sku: line.sku, requested: line.qty, available: sellable)) }
        }
        if !shortfalls.isEmpty { throw Holds.insufficient(shortfalls) }

        // Expand kits once; the plan and the reservation loop share it.
        var parts: [[(sku: String, qty: Int64)]] = []
        var needs: [String: Int64] = [:]
        for (i, line) in lines.enumerated() {
            let lineParts: [(sku: String, qty: Int64)] = facts[i].isKit ? try Availability.components(db, kit: line.sku) : [(sku: line.sku, qty: Int64(1))]
            parts.append(lineParts)
            for part in lineParts { needs[part.sku, default: 0] += part.qty * line.qty }
        }
        var order: [String: Int] = [:]
        if let rank {
            for sku in needs.keys { _ = try levelsOf(sku) }
            for (index, code) in rank(Plan(needs: needs, levels: levels)).enumerated() where order[code] == nil { order[code] = index }
        }

        var changes = InventoryChanges()
        var allocations: [Holds.Allocation] = []
        for (i, line) in lines.enumerated() {
            for part in parts[i] {
                var current = try levelsOf(part.sku)
                try changes.touch(db, sku: part.sku, available: Availability.available(in: current), facts: facts[i].isKit ? nil : facts[i])
                var need = part.qty * line.qty
                let visit = order.isEmpty ? Array(current.indices)
                    : current.indices.sorted { (order[current[$0].location] ?? Int.max, $0) < (order[current[$1].location] ?? Int.max, $1) }
                for index in visit where need > 0 {
                    let level = current[index]
                    guard level.locationActive, level.available > 0 else { continue }
                    let take = min(need, level.available)
                    guard try StockLedger.reserve(db, sku: part.sku, location: level.location, qty: take, reference: reference, actor: actor, now: now,
                                                  levelWasRead: true) else { continue }
                    current[index].reserved += take
                    allocations.append(Holds.Allocation(line: i, sku: line.sku, stockSKU: part.sku, location: level.location, qty: take))
                    need -= take
                }
                levels[part.sku] = current
                changes.settle(part.sku, available: Availability.available(in: current))
                if need > 0 {
                    // Lines sharing a component asked for more than there is in total.
                    let held = allocations.filter { $0.line == i && $0.stockSKU == part.sku }.reduce(0) { $0 + $1.qty }
                    throw Holds.insufficient([Holds.Shortfall(line: i, sku: line.sku, requested: line.qty, available: held / part.qty)])
                }
            }
        }
        try changes.emit(db, actor: actor, reference: reference, now: now)
        return allocations
    }

    /// Releases units this operation holds, one `release` movement each; the change feed
    /// hears of every SKU whose availability moved. Throws if the ledger holds less than
    /// that (it never should: `bahi check` would report it).
    public static func release(
        _ db: any Database, _ held: [(sku: String, location: String, qty: Int64)], reference: String, reason: String, actor: String?, now: Int64
    ) throws {
        var changes = InventoryChanges()
        for a in held {
            try changes.touch(db, sku: a.sku)
            guard try StockLedger.release(db, sku: a.sku, location: a.location, qty: a.qty, reference: reference, reason: reason, actor: actor, now: now) else {
                throw DomainError(.ledgerInconsistent, "\(reference) holds more than is reserved at \(a.location).")
            }
        }
        try changes.emit(db, actor: actor, reference: reference, now: now)
    }
}
