import Testing
@testable import BahiCore

/// The forward-only rule for courier reports (`TrackingProgress`): it agrees with
/// `ShipmentStatus.canMove` for single steps, skips ahead where reports are missing, walks the
/// out-for-delivery ⇄ undelivered loop, and keeps late or backwards reports as scans. The
/// properties: every order of a delivered parcel's reports ends `delivered` (all 720), every
/// order of a returned parcel's ends `rto_delivered` (all 5040), and repeating reports changes
/// nothing.
@Suite struct TrackingProgressTests {
    typealias Report = (status: ShipmentStatus, at: Int64)

    /// Applies `reports` in order to a shipment at `start`; returns the final status and how
    /// many reports moved it.
    static func apply(_ reports: [Report], from start: ShipmentStatus = .ready, since startSince: Int64? = nil, timed: Bool)
        -> (status: ShipmentStatus, since: Int64?, moves: Int)
    {
        var status = start
        var since = startSince
        var moves = 0
        for report in reports {
            let decision = TrackingProgress.decide(current: status, incoming: report.status, currentSince: timed ? since : nil,
                                                   incomingAt: timed ? report.at : nil)
            if case .move(let next, _) = decision {
                #expect(status.canAdvance(to: next), "\(status.rawValue) → \(next.rawValue)")
                status = next
                moves += 1
            }
            since = TrackingProgress.since(after: decision, currentSince: since, incomingAt: report.at)
        }
        return (status, since, moves)
    }

    /// Every ordering of `items` (Heap's algorithm).
    static func permutations<T>(_ items: [T]) -> [[T]] {
        var result: [[T]] = []
        var a = items
        func generate(_ k: Int) {
            if k == 1 { result.append(a); return }
            generate(k - 1)
            for i in 0..<(k - 1) {
                a.swapAt(k % 2 == 0 ? i : 0, k - 1)
                generate(k - 1)
            }
        }
        generate(a.count)
        return result
    }

    static let delivered: [Report] = [(.pickedUp, 1), (.inTransit, 2), (.outForDelivery, 3), (.undelivered, 4), (.outForDelivery, 5), (.delivered, 6)]
    static let returned: [Report] = [(.pickedUp, 1), (.inTransit, 2), (.outForDelivery, 3), (.undelivered, 4), (.rtoInitiated, 5),
                                     (.rtoInTransit, 6), (.rtoDelivered, 7)]

    @Test func everyOrderOfADeliveredParcelsReportsEndsDelivered() {
        let orders = Self.permutations(Self.delivered)
        #expect(orders.count == 720)
        for order in orders {
            for timed in [false, true] {
                let end = Self.apply(order, timed: timed)
                #expect(end.status == .delivered, "\(order.map(\.status.rawValue)) timed: \(timed)")
                // Every report again, in the same order: nothing moves.
                let again = Self.apply(order, from: end.status, timed: timed)
                #expect(again.status == .delivered && again.moves == 0)
            }
        }
        // In time order every report moves the shipment once.
        #expect(Self.apply(Self.delivered, timed: true).moves == 6)
    }

    @Test func everyOrderOfAReturnedParcelsReportsEndsRTODelivered() {
        let orders = Self.permutations(Self.returned)
        #expect(orders.count == 5040)
        for order in orders {
            #expect(Self.apply(order, timed: true).status == .rtoDelivered, "\(order.map(\.status.rawValue))")
        }
    }

    @Test func repeatingReportsChangesNothing() {
        // Every ordered selection of a delivered parcel's reports (each is a prefix of some
        // order) and every order of a returned parcel's: each report twice in a row ends where
        // the single run ends, and replaying the whole run (with its times) moves nothing.
        let runs = Self.permutations(Self.delivered).flatMap { order in (1...order.count).map { Array(order.prefix($0)) } }
            + Self.permutations(Self.returned)
        for reports in runs {
            let single = Self.apply(reports, timed: true)
            let doubled = Self.apply(reports.flatMap { [$0, $0] }, timed: true)
            #expect(single.status == doubled.status && single.moves == doubled.moves, "\(reports.map(\.status.rawValue))")
            let replay = Self.apply(reports, from: single.status, since: single.since, timed: true)
            #expect(replay.moves == 0, "\(reports.map(\.status.rawValue)) replayed from \(single.status.rawValue)")
            // Whatever the order, the end is where the reports in time order lead.
            #expect(single.status == Self.apply(reports.sorted { $0.at < $1.at }, timed: true).status, "\(reports.map(\.status.rawValue))")
        }
    }

    @Test func singleStepsAgreeWithCanMove() {
        for from in ShipmentStatus.allCases {
            for to in ShipmentStatus.allCases {
                // Every single step is an advance; packing's table itself is untouched.
                if from.canMove(to: to) { #expect(from.canAdvance(to: to), "\(from.rawValue) → \(to.rawValue)") }
                guard from.canMove(to: to), from == .ready || !from.isInWarehouse else { continue }
                // ready → packed is a cancelled booking, the seller's move: a report never makes it.
                if to == .packed {
                    #expect(TrackingProgress.decide(current: from, incoming: to) == .keep(.behind))
                    continue
                }
                #expect(TrackingProgress.decide(current: from, incoming: to) == .move(to: to, implied: []), "\(from.rawValue) → \(to.rawValue)")
            }
        }
        for final in ShipmentStatus.allCases where final.isFinal {
            #expect([.delivered, .rtoDelivered, .lost, .cancelled].contains(final))
            #expect(ShipmentStatus.allCases.allSatisfy { !final.canAdvance(to: $0) })
        }
    }

    @Test func skippingAheadJumpsAndNamesWhatWasImplied() {
        #expect(TrackingProgress.decide(current: .pickedUp, incoming: .delivered) == .move(to: .delivered, implied: [.inTransit, .outForDelivery]))
        #expect(TrackingProgress.decide(current: .ready, incoming: .inTransit) == .move(to: .inTransit, implied: [.pickedUp]))
        #expect(TrackingProgress.decide(current: .ready, incoming: .lost) == .move(to: .lost, implied: [.pickedUp]))
        #expect(TrackingProgress.decide(current: .inTransit, incoming: .rtoInTransit)
                == .move(to: .rtoInTransit, implied: [.outForDelivery, .undelivered, .rtoInitiated]))
        #expect(TrackingProgress.decide(current: .undelivered, incoming: .delivered) == .move(to: .delivered, implied: [.outForDelivery]))
        #expect(ShipmentStatus.pickedUp.steps(to: .inTransit) == [.inTransit])
        #expect(ShipmentStatus.inTransit.steps(to: .pickedUp) == nil)
    }

    @Test func lateAndBackwardReportsAreKeptOnly() {
        // A late "in transit" after "delivered" is a scan and changes nothing.
        #expect(TrackingProgress.decide(current: .delivered, incoming: .inTransit) == .keep(.final))
        #expect(TrackingProgress.decide(current: .outForDelivery, incoming: .inTransit) == .keep(.behind))
        #expect(TrackingProgress.decide(current: .rtoInitiated, incoming: .delivered) == .keep(.behind))
        #expect(TrackingProgress.decide(current: .rtoInitiated, incoming: .outForDelivery) == .keep(.behind))
        #expect(TrackingProgress.decide(current: .pickedUp, incoming: .cancelled) == .keep(.behind))
        #expect(TrackingProgress.decide(current: .inTransit, incoming: .inTransit) == .keep(.unchanged))
        #expect(TrackingProgress.decide(current: .inTransit, incoming: nil) == .keep(.informational))
        #expect(TrackingProgress.decide(current: .packed, incoming: .inTransit) == .keep(.inWarehouse))
        #expect(TrackingProgress.decide(current: .pending, incoming: .delivered) == .keep(.inWarehouse))
        #expect(TrackingProgress.decide(current: .ready, incoming: .packed) == .keep(.behind))
        #expect(TrackingProgress.decide(current: .ready, incoming: .cancelled) == .move(to: .cancelled, implied: []))
        // The loop both ways, but only forward in time.
        #expect(TrackingProgress.decide(current: .undelivered, incoming: .outForDelivery, currentSince: 10, incomingAt: 20)
                == .move(to: .outForDelivery, implied: []))
        #expect(TrackingProgress.decide(current: .undelivered, incoming: .outForDelivery, currentSince: 20, incomingAt: 10) == .keep(.late))
        #expect(TrackingProgress.decide(current: .outForDelivery, incoming: .undelivered, currentSince: 20, incomingAt: 10) == .keep(.late))
        #expect(TrackingProgress.decide(current: .outForDelivery, incoming: .undelivered, currentSince: 20, incomingAt: 20) == .keep(.late))
        // Forward moves need no time: a later state is news whenever it arrives.
        #expect(TrackingProgress.decide(current: .inTransit, incoming: .outForDelivery, currentSince: 20, incomingAt: 10)
                == .move(to: .outForDelivery, implied: []))
    }
}
