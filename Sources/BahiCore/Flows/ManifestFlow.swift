public import BahiStore
import BahiJSON

/// A courier's pickup: the manifest of ready parcels made for it, and the handover where its
/// pickup person scans them. A flow, because a manifest is Fulfilment's rows but its limit is
/// the courier's (`daily_pickup_capacity`, Couriers), its printout shows the orders' references
/// and COD amounts (Orders), and a handover ships stock (Inventory) and moves the orders'
/// fulfilment status (Orders) — all in the caller's one transaction.
public enum ManifestFlow {
    /// One parcel of a manifest as it is printed: the shipment and what its order says.
    public struct Parcel: Sendable {
        public var shipment: Shipment
        public var orderReference: String
        /// What the courier collects (the order's total for a COD order), else nil.
        public var codPaise: Int64?
    }

    /// A manifest as it is shown and printed.
    public struct Details: Sendable {
        public var manifest: Manifest
        public var courierName: String
        public var parcels: [Parcel]
    }

    /// What a handover did.
    public struct Handover: Sendable {
        public var details: Details
        /// AWBs scanned now whose parcels moved to picked_up.
        public var pickedUp: [String]
        /// AWBs scanned that were picked up already (a second scan changes nothing).
        public var alreadyPickedUp: [String]
        /// AWBs on the manifest, still ready, that were not scanned: they stay on it for a
        /// later handover.
        public var missing: [String]
    }

    /// Makes a manifest for `courier` at `location`: the listed shipments, or every ready one
    /// booked with that courier there and on no manifest yet.
    ///
    /// Refusals: 422 `unknown_courier` / `unknown_location`; 422 naming `shipment_ids[i]` for a
    /// listed shipment that is unknown, not ready, another courier's or location's, already
    /// on a manifest or listed twice; 422 `nothing_to_manifest` when nothing is eligible; 409
    /// `pickup_capacity_full` when the parcels exceed the courier's daily pickup capacity less
    /// what its manifests at this location already hold today (IST), naming how many fit.
    /// Manifests of one courier and location are made one at a time, on every store.
    public static func create(_ db: any Database, courier code: String, location: String, shipmentIDs: [String]?, actor: String?, now: Int64) throws -> Details {
        guard let courier = try Couriers.get(db, code: code) else { throw DomainError.invalid("courier", "unknown_courier", "No courier \(code).") }
        guard try LocationCatalog.get(db, code: location) != nil else { throw DomainError.invalid("location", "unknown_location", "No location \(location).") }
        // Manifests of one courier at one location are made one at a time (PostgreSQL: a row
        // lock to commit), so two nodes cannot each count the other's parcels out and together
        // pass the day's capacity. SQLite's single writer does this already.
        try Leases.serialize(db, name: "manifest:\(code):\(location)")
        let chosen: [String]
        if let shipmentIDs {
            var problems: [FieldProblem] = []
            var seen: Set<String> = []
            for (i, id) in shipmentIDs.enumerated() {
                func refuse(_ code: String, _ message: String) { problems.append(.inItem("shipment_ids", i, code, message)) }
                guard seen.insert(id).inserted else { refuse("duplicate", "Shipment \(id) is listed twice."); continue }
                guard let s = try Shipments.find(db, id: id) else { refuse("not_found", "No shipment \(id)."); continue }
                if s.status != .ready {
                    refuse("not_ready", "Shipment \(id) is \(s.status.rawValue); only a booked (ready) parcel can go on a manifest.")
                } else if s.courier != code {
                    refuse("other_courier", "Shipment \(id) is booked with \(s.courier ?? "no courier"), not \(code).")
                } else if s.location != location {
                    refuse("other_location", "Shipment \(id) leaves from \(s.location), not \(location).")
                } else if let on = s.manifestID {
                    refuse("already_manifested", "Shipment \(id) is on manifest \(on) already.")
                }
            }
            if !problems.isEmpty { throw DomainError.problems(problems) }
            chosen = shipmentIDs
        } else {
            chosen = try Manifests.eligible(db, courier: code, location: location)
        }
        guard !chosen.isEmpty else {
            throw DomainError(.nothingToManifest, "No parcel booked with \(code) at \(location) is ready and off a manifest: book parcels with \(code) first, or they are on a manifest already.")
        }
        if let capacity = courier.fields.dailyPickupCapacity {
            let today = CourierTime.istDayStart(now)
            let manifested = try Manifests.manifestedSince(db, courier: code, location: location, since: today)
            let fits = max(0, capacity - manifested)
            if Int64(chosen.count) > fits {
                throw DomainError(.pickupCapacityFull,
                                  "\(courier.fields.name) picks up \(capacity) parcels a day; \(manifested) are on today's manifests at \(location), so \(fits) more fit, not \(chosen.count). List \(fits) shipment_ids, or make the rest tomorrow (IST).",
                                  details: [.init(key: "fits", json: "\(fits)"), .init(key: "capacity", json: "\(capacity)"),
                                            .init(key: "manifested_today", json: "\(manifested)"), .init(key: "requested", json: "\(chosen.count)")])
            }
        }
        let id = try Manifests.create(db, courier: code, location: location, shipmentIDs: chosen, actor: actor, now: now)
        try EventLog.append(db, NewEvent(FulfilmentEvents.manifestCreated, entityID: id, payload: [
            "manifest_id": .string(id), "courier": .string(code), "location": .string(location), "shipment_ids": .array(chosen.map { .string($0) }),
        ]), actor: actor, at: now)
        return try details(db, id: id)
    }

    /// The manifest `id` with each parcel's order reference and COD amount; `not_found` if none.
    public static func details(_ db: any Database, id: String) throws -> Details {
        guard let manifest = try Manifests.find(db, id: id) else { throw DomainError.notFound("manifest", id) }
        var parcels: [Parcel] = []
        for s in manifest.shipments {
            guard let order = try OrderQueries.find(db, id: s.orderID, history: false) else {
                throw DomainError(.corruptRow, "Shipment \(s.id) belongs to order \(s.orderID), which does not exist.")
            }
            parcels.append(Parcel(shipment: s, orderReference: order.channelOrderRef, codPaise: order.paymentMethod == .cod ? order.totals.totalPaise : nil))
        }
        return Details(manifest: manifest, courierName: try Couriers.get(db, code: manifest.courier)?.fields.name ?? manifest.courier, parcels: parcels)
    }

    /// The pickup person scanned `scanned` against manifest `id`. Every scanned parcel still
    /// ready moves to picked_up, its reservations become `ship` movements (referencing the
    /// shipment), its order's fulfilment status follows (`shipped` once no live parcel of it is
    /// left in the warehouse, else `partially_shipped`) and `shipment.picked_up` is appended.
    /// A parcel scanned again is left as it is. Parcels on the manifest not scanned are named
    /// `missing` and stay ready on it.
    ///
    /// Refusals, before anything changes: `not_found`; 422 naming `scanned_awbs[i]` for an AWB
    /// that is not on this manifest (`not_on_manifest`).
    public static func handover(_ db: any Database, manifestID id: String, scanned: [String], actor: String?, now: Int64) throws -> Handover {
        guard let manifest = try Manifests.find(db, id: id) else { throw DomainError.notFound("manifest", id) }
        var byAWB: [String: Shipment] = [:]
        for s in manifest.shipments { if let awb = s.awb { byAWB[awb] = s } }
        let problems = scanned.enumerated().compactMap { i, awb in
            byAWB[awb] == nil ? FieldProblem.inItem("scanned_awbs", i, "not_on_manifest", "AWB \(awb) is not on manifest \(id): set that parcel aside; it is not this courier's pickup.") : nil
        }
        if !problems.isEmpty { throw DomainError.problems(problems) }
        var picked: [String] = [], already: [String] = []
        var seen: Set<String> = []
        for awb in scanned where seen.insert(awb).inserted {
            guard let head = byAWB[awb] else { continue }
            guard head.status == .ready else { already.append(awb); continue }
            guard let shipment = try Shipments.find(db, id: head.id) else { throw DomainError.notFound("shipment", head.id) }
            try pickUp(db, shipment, actor: actor, now: now)
            picked.append(awb)
        }
        let missing = manifest.shipments.filter { $0.status == .ready && !seen.contains($0.awb ?? "") }.compactMap(\.awb)
        return Handover(details: try details(db, id: id), pickedUp: picked, alreadyPickedUp: already, missing: missing)
    }

    /// Ready shipment `shipment` (read with its lines) left with its courier: ready →
    /// picked_up, its reservations become `ship` movements referencing it, its order's
    /// fulfilment status follows and `shipment.picked_up` is appended. The one way a parcel is
    /// picked up by a handover; a courier's first report ships the stock of a parcel no handover
    /// scanned through `shipStock`, so stock ships exactly once whoever reports the pickup first.
    public static func pickUp(_ db: any Database, _ shipment: Shipment, actor: String?, now: Int64) throws {
        try Shipments.allowed(shipment, to: .pickedUp)
        // The handover is the pickup: its time starts the transit days performance learns.
        guard try Shipments.track(db, shipment, to: .pickedUp, at: now, pickedUp: true, now: now) else {
            throw db.concurrentChange(DomainError(.invalidTransition, "Shipment \(shipment.id) changed while it was being handed over."))
        }
        try shipStock(db, shipment, actor: actor, now: now)
        var payload = TrackingFlow.journey(shipment, at: now, location: nil, implied: false)
        payload["manifest_id"] = .optional(shipment.manifestID)
        try EventLog.append(db, NewEvent(TrackingEvents.pickedUp, entityID: shipment.id, payload: payload), actor: actor, at: now)
    }

    /// What leaving the warehouse does besides the move, whoever reports it (a handover scan
    /// here, a courier's first report in `TrackingFlow`): the parcel's reservations become
    /// `ship` movements referencing it, and its order's fulfilment status follows (`shipped`
    /// once no live parcel of it is left in the warehouse, else `partially_shipped`).
    static func shipStock(_ db: any Database, _ shipment: Shipment, actor: String?, now: Int64) throws {
        // A courier's report reads the parcel without its lines; what ships is read here.
        let lines = shipment.lines.isEmpty ? try Shipments.find(db, id: shipment.id)?.lines ?? [] : shipment.lines
        try StockLedger.ship(db, lines.map { StockLedger.Units(sku: $0.stockSKU, location: shipment.location, qty: $0.qty) },
                             reference: shipment.id, actor: actor, now: now)
        let siblings = try Shipments.statuses(db, orderID: shipment.orderID)
        let allShipped = !siblings.contains { $0.id != shipment.id && $0.status.isInWarehouse }
        try OrderTransitions.markShipped(db, orderID: shipment.orderID, shipmentID: shipment.id, allShipped: allShipped, actor: actor, now: now)
    }
}

extension ManifestFlow.Details {
    /// The manifest as one printable A4 page for the pickup person: courier, location, the IST
    /// day, each parcel's AWB as a Code 128 barcode with its order reference, weight and COD
    /// amount, the totals and the signature lines. Every text is HTML-escaped.
    public var html: String {
        let e = PrintableHTML.escape
        var rows = ""
        var cod: Int64 = 0
        for (n, p) in parcels.enumerated() {
            let awb = p.shipment.awb ?? ""
            // An AWB is 8–30 letters or digits, which Code 128 always encodes; the text stays beside it.
            let bars = (try? Code128(awb))?.svg(moduleWidth: 1, barHeight: 28) ?? e(awb)
            let weight = p.shipment.weightG.map { "\($0) g" } ?? "—"
            cod += p.codPaise ?? 0
            rows += """
                <tr><td>\(n + 1)</td><td class="bc">\(bars)</td><td>\(e(awb))</td><td>\(e(p.orderReference))</td><td class="num">\(e(weight))</td>\
                <td class="num">\(p.codPaise.map { e(PrintableHTML.rupees($0)) } ?? "Prepaid")</td><td>\(e(p.shipment.status.rawValue))</td></tr>

                """
        }
        let body = """
            <h1>Pickup manifest</h1>
            <table class="head"><tr><td>Courier</td><td>\(e(courierName)) (\(e(manifest.courier)))</td><td>Manifest</td><td>\(e(manifest.id))</td></tr>
            <tr><td>Location</td><td>\(e(manifest.location))</td><td>Date (IST)</td><td>\(e(manifest.day))</td></tr></table>
            <table class="parcels"><thead><tr><th>#</th><th>AWB</th><th></th><th>Order</th><th>Weight</th><th>COD</th><th>Status</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            <p>Parcels: \(parcels.count). COD to collect: \(e(PrintableHTML.rupees(cod))).</p>
            <table class="sign"><tr><td>Handed over by (name, signature)</td><td>Received by the courier's pickup person (name, signature, time)</td></tr>
            <tr><td class="line"></td><td class="line"></td></tr></table>
            """
        return PrintableHTML.page(title: "Manifest \(manifest.id)", body: body,
                                  style: PrintableHTML.a4Style + "\n.bc svg { height: 10mm; width: auto; }\n.sign td { width: 50%; }\n.sign .line { height: 18mm; }")
    }
}
