/// Whether a courier's report moves a shipment, or is only kept as a scan.
///
/// Why a rule of its own: courier reports arrive twice, late and out of order (a Delhivery
/// push per scan, a Shiprocket push with a whole history, each retried), so "set the status
/// to what the courier said" would let a late "in transit" undo "delivered". The rule:
///
/// - a shipment moves only **forward**: to a status reachable from its own by the lifecycle's
///   single steps (`ShipmentStatus.canMove`), skipping any number of them — a report can jump
///   from picked up straight to delivered when the courier's intermediate scans never came.
///   The shipment jumps directly; the statuses skipped are returned as `implied` for history;
/// - the one real loop, out for delivery ⇄ undelivered (a failed attempt, then a re-attempt),
///   is walked both ways, but a report no newer than the current status is late and kept only;
/// - delivered, RTO delivered, lost and cancelled are final; anything after them is a scan;
/// - a shipment still in the warehouse (pending, picking, packed) is moved by packing, never
///   by a courier: packing is what ships the stock and issues the invoice;
/// - a report with no status (informational or unknown code) moves nothing.
///
/// Consequences the tests prove: any order of a delivered parcel's scans ends `delivered`,
/// any order of a returned parcel's scans ends `rto_delivered`, and repeating a report
/// changes nothing.
public enum TrackingProgress {
    /// Why a report moved nothing.
    public enum Kept: String, Sendable {
        /// The report maps to no status.
        case informational
        /// The shipment already has this status: a repeat, or a newer report of the same
        /// status (a second out for delivery), which makes the status newer (`since`).
        case unchanged
        /// The shipment's status is final.
        case final
        /// The shipment has not left the warehouse; packing moves it.
        case inWarehouse = "in_warehouse"
        /// The status is behind the shipment's (a late or backwards report).
        case behind
        /// A step of the delivery loop no newer than the shipment's current status.
        case late
    }

    /// What to do with a report.
    public enum Decision: Sendable, Equatable {
        /// Set the shipment to `status`; `implied` are the statuses skipped on the way, in order.
        case move(to: ShipmentStatus, implied: [ShipmentStatus])
        /// Keep the report as a scan; the shipment stays.
        case keep(Kept)
    }

    /// The decision for a shipment at `current` receiving a report of `incoming` that happened
    /// at `incomingAt`. `currentSince` is the time of the latest report of the current status
    /// (`since(after:currentSince:incomingAt:)` keeps it), not of the first: a second "out for
    /// delivery" is a new attempt, and an "undelivered" older than it belongs to the first.
    /// Without the times the loop is walked whichever way the report says.
    public static func decide(current: ShipmentStatus, incoming: ShipmentStatus?, currentSince: Int64? = nil, incomingAt: Int64? = nil) -> Decision {
        guard let incoming else { return .keep(.informational) }
        if incoming == current { return .keep(.unchanged) }
        if current.isFinal { return .keep(.final) }
        if current.isInWarehouse && current != .ready { return .keep(.inWarehouse) }
        // Back into the warehouse is a cancelled booking (ready → packed), the seller's move:
        // no courier report makes it.
        if incoming.isInWarehouse && incoming != .ready { return .keep(.behind) }
        guard let steps = current.steps(to: incoming) else { return .keep(.behind) }
        if incoming.canAdvance(to: current), let currentSince, let incomingAt, incomingAt <= currentSince { return .keep(.late) }
        return .move(to: incoming, implied: Array(steps.dropLast()))
    }

    /// The current status's time once `decision` is applied: the report's time after a move,
    /// the later of the two after a report of the same status, else unchanged.
    public static func since(after decision: Decision, currentSince: Int64?, incomingAt: Int64?) -> Int64? {
        switch decision {
        case .move: incomingAt
        case .keep(.unchanged): [currentSince, incomingAt].compactMap { $0 }.max()
        case .keep: currentSince
        }
    }
}

extension ShipmentStatus {
    /// Delivered, RTO delivered, lost and cancelled: nothing follows them.
    public var isFinal: Bool { ShipmentStatus.reachable[self]?.isEmpty ?? true }

    /// Whether `next` can be reached from this status by one or more of `canMove`'s single
    /// steps: what a courier report may do (skip statuses it never reported). A companion to
    /// `canMove`, which packing and every hand-made transition keep using unweakened.
    public func canAdvance(to next: ShipmentStatus) -> Bool { ShipmentStatus.reachable[self]?.contains(next) ?? false }

    /// The shortest walk of single steps from this status to `next`, ending with `next`; nil
    /// when `next` cannot be reached. Ties go to the earlier status in `allCases` order, so the
    /// walk is always the same.
    public func steps(to next: ShipmentStatus) -> [ShipmentStatus]? {
        guard canAdvance(to: next) else { return nil }
        var previous: [ShipmentStatus: ShipmentStatus] = [:]
        var queue = [self]
        var index = 0
        while index < queue.count {
            let status = queue[index]
            index += 1
            for candidate in ShipmentStatus.allCases where status.canMove(to: candidate) && previous[candidate] == nil && candidate != self {
                previous[candidate] = status
                queue.append(candidate)
            }
        }
        var walk = [next]
        while let before = previous[walk[0]], before != self { walk.insert(before, at: 0) }
        return walk
    }

    /// Every status's reachable set under `canMove`, computed once.
    static let reachable: [ShipmentStatus: Set<ShipmentStatus>] = Dictionary(uniqueKeysWithValues: allCases.map { start in
        var seen = Set<ShipmentStatus>()
        var frontier = [start]
        while let status = frontier.popLast() {
            for next in allCases where status.canMove(to: next) && seen.insert(next).inserted { frontier.append(next) }
        }
        return (start, seen)
    })
}
