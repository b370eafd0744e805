import BahiCore
import BahiStore

/// The seeded seller's world (catalogue, locations, channels, couriers, customers) and each
/// order's story, derived from the plan alone; `StoreSeeder` writes it batch by batch.
///
/// Why each order draws from its own generator (seeded by the plan's seed and its number): the
/// stock the whole history needs is summed in a first pass without writing anything, then
/// received up front, so no order of any batch runs out of stock, and a batch writes the same
/// orders whatever came before it.
struct SeedWorld: Sendable {
    static let actor = "seed"
    static let locations: [(code: String, name: String, pincode: String, priority: Int64)] = [
        ("SURAT", "Surat warehouse", "395003", 1), ("BHIWANDI", "Bhiwandi warehouse", "421302", 2), ("BLR", "Bengaluru dark store", "560068", 3),
    ]
    /// Channel code, name, kind, share of orders.
    static let channels: [(code: String, name: String, kind: String, share: Double)] = [
        ("web", "Website", "website", 0.45), ("amazon", "Amazon", "marketplace", 0.30), ("app", "App", "app", 0.15), ("instagram", "Instagram", "social", 0.10),
    ]
    static let couriers: [(code: String, name: String, mode: CourierFields.Mode)] = [("bluedart", "Blue Dart", .air), ("xpressbees", "Xpressbees", .surface)]
    static let firstNames = [
        "Aarav", "Vivaan", "Aditya", "Arjun", "Sai", "Reyansh", "Krishna", "Ishaan", "Rohan", "Kabir", "Ananya", "Diya", "Saanvi", "Aadhya", "Pari",
        "Myra", "Anika", "Kavya", "Priya", "Neha", "Pooja", "Sneha", "Rahul", "Amit", "Suresh", "Ramesh", "Lakshmi", "Meena", "Farhan", "Ayesha",
        "Gurpreet", "Harpreet", "Joseph", "Mary", "Venkat", "Deepa", "Arun", "Divya", "Manoj", "Sunita",
    ]
    static let lastNames = [
        "Sharma", "Verma", "Patel", "Shah", "Iyer", "Nair", "Reddy", "Rao", "Gupta", "Singh", "Kumar", "Das", "Banerjee", "Mukherjee", "Joshi",
        "Kulkarni", "Desai", "Mehta", "Khan", "Qureshi", "Fernandes", "D'Souza", "Pillai", "Menon", "Chauhan", "Yadav", "Agarwal", "Jain", "Bose", "Ghosh",
    ]
    static let streets = ["MG Road", "Station Road", "Gandhi Nagar", "Nehru Street", "Park Street", "Link Road", "Ring Road", "Main Bazaar", "Temple Street", "Lake View Road"]
    static let products = ["Cotton Kurta", "Silk Saree", "Printed Dupatta", "Linen Shirt", "Denim Jeans", "Kolhapuri Chappal", "Brass Diya", "Steel Tiffin",
                           "Ayurvedic Soap", "Herbal Shampoo", "Masala Chai", "Basmati Rice", "Handloom Towel", "Cushion Cover", "Bedsheet Set"]

    let plan: SeedPlan
    let start: Int64
    let step: Double

    init(plan: SeedPlan) {
        self.plan = plan
        start = plan.now - Int64(plan.days) * 86_400_000
        step = Double(plan.now - 600_000 - start) / Double(max(plan.orders, 1))
    }

    // MARK: catalogue

    var stockedCount: Int { plan.skus - plan.kits }
    func skuCode(_ index: Int) -> String { index < stockedCount ? "SKU-\(pad(index + 1, 5))" : "KIT-\(pad(index - stockedCount + 1, 3))" }
    func price(_ index: Int) -> Int64 { Int64(19_900 + (index * 7_919) % 40 * 5_000) }
    func rate(_ index: Int) -> Int64 { [500, 1200, 1800, 500, 1200][index % 5] }

    /// A kit's components: two or three popular stocked SKUs, one or two of each.
    func components(_ kit: Int) -> [(sku: Int, qty: Int64)] {
        var random = SeedRandom(plan.seed &+ 0xC0FFEE &+ UInt64(kit))
        var chosen: [(Int, Int64)] = []
        for _ in 0..<(2 + random.below(2)) {
            let sku = random.below(min(stockedCount, 500))
            if !chosen.contains(where: { $0.0 == sku }) { chosen.append((sku, Int64(1 + random.below(2)))) }
        }
        return chosen
    }

    // MARK: customers

    struct Customer {
        var name: String
        var phone: String
        var pincode: String
        var line1: String
    }

    func customer(_ index: Int) -> Customer {
        var random = SeedRandom(plan.seed &+ 0xCAFE_0000 &+ UInt64(index))
        let name = "\(random.pick(Self.firstNames)) \(random.pick(Self.lastNames))"
        let phone = "+91\(6 + random.below(4))\(pad(random.below(1_000_000_000), 9))"
        let pincode = plan.pincodes[random.skewed(plan.pincodes.count)]
        return Customer(name: name, phone: phone, pincode: pincode, line1: "\(1 + random.below(400)), \(random.pick(Self.streets))")
    }

    // MARK: an order's story

    /// Where an order's life had got to when the history ends.
    enum Fate: String {
        case pendingPayment, onHold, cancelled, waiting, packed, booked, inTransit, ndrOpen, delivered, rtoInTransit, rtoReceived
    }

    struct Story {
        var number: Int
        var placedAt: Int64
        var channel: String
        var customer: Int
        var lines: [(sku: Int, qty: Int64, discount: Int64)]
        var cod: Bool
        var fate: Fate
        var method: PaymentInstrument
    }

    func story(_ number: Int) -> Story {
        var random = SeedRandom(plan.seed &* 1_000_003 &+ UInt64(number))
        let placedAt = start + Int64(Double(number) * step) + Int64(random.below(Int(max(step, 1))))
        var roll = random.unit()
        var channel = Self.channels[0].code
        for c in Self.channels {
            if roll < c.share { channel = c.code; break }
            roll -= c.share
        }
        let customer = min(plan.customers - 1, Int(Double(plan.customers) * random.unit() * random.unit()))
        var lines: [(Int, Int64, Int64)] = []
        let count = [1, 1, 1, 1, 1, 1, 2, 2, 2, 3][random.below(10)]
        for _ in 0..<count {
            let sku = random.unit() < 0.03 && plan.kits > 0 ? stockedCount + random.below(plan.kits) : random.skewed(stockedCount)
            guard !lines.contains(where: { $0.0 == sku }) else { continue }
            let qty = Int64([1, 1, 1, 1, 1, 1, 1, 2, 2, 3][random.below(10)])
            let discount = random.unit() < 0.2 ? Int64(random.below(5)) * 1_000 * qty : 0
            lines.append((sku, qty, discount))
        }
        let cod = random.unit() < 0.4
        let age = Double(plan.now - placedAt) / 86_400_000
        let r = random.unit()
        let fate: Fate
        if !cod && age < 0.02 && r < 0.3 {
            fate = .pendingPayment
        } else if r < 0.05 {
            fate = .cancelled
        } else if age < plan.backlogDays {
            fate = r < 0.08 ? .onHold : age < plan.backlogDays * 0.5 || r < 0.6 ? .waiting : r < 0.8 ? .packed : .booked
        } else if age < plan.backlogDays + 3 {
            fate = r < 0.1 ? .ndrOpen : r < 0.7 ? .inTransit : .delivered
        } else {
            let rto = cod ? 0.12 : 0.04
            fate = r < 0.05 + rto ? (age < plan.backlogDays + 10 ? .rtoInTransit : .rtoReceived) : .delivered
        }
        let method = cod ? PaymentInstrument.cod : [.upi, .upi, .upi, .card, .netbanking, .wallet][random.below(6)]
        return Story(number: number, placedAt: placedAt, channel: channel, customer: customer, lines: lines, cod: cod, fate: fate, method: method)
    }

    /// Units of each stocked SKU the whole history takes (kits counted as their components).
    func stockDemand() -> [Int64] {
        var demand = [Int64](repeating: 0, count: stockedCount)
        let kitParts = (0..<plan.kits).map { components($0) }
        for n in 0..<plan.orders {
            for line in story(n).lines {
                if line.sku < stockedCount {
                    demand[line.sku] += line.qty
                } else {
                    for part in kitParts[line.sku - stockedCount] { demand[part.sku] += part.qty * line.qty }
                }
            }
        }
        return demand
    }

    // MARK: writing

    var policy: OrderPolicy {
        var policy = OrderPolicy()
        policy.seller = Self.seller
        return policy
    }

    static let seller = SellerProfile(legalName: "Kapas Textiles LLP", tradeName: "Kapas", gstin: "24AAKFK1234K1ZF",
                                      address: .init(line1: "Plot 7, Kapas Bazaar", line2: "Ring Road", city: "Surat", state: .gujarat, pincode: "395003"))

    /// The seller profile, locations, channels, catalogue, couriers, and every location
    /// stocked (through `receive` movements) with what the whole history will take there at
    /// most, and a little over.
    func setUp(_ db: any Database, demand: [Int64]) throws {
        let at = start - 7 * 86_400_000
        var input = SellerProfiles.Input()
        input.legalName = Self.seller.legalName
        input.tradeName = Self.seller.tradeName
        input.gstin = Self.seller.gstin
        input.line1 = Self.seller.address.line1
        input.line2 = Self.seller.address.line2
        input.city = Self.seller.address.city
        input.state = "Gujarat"
        input.pincode = Self.seller.address.pincode
        _ = try SellerProfiles.put(db, input, actor: Self.actor, now: at)
        for l in Self.locations {
            let info = PincodeDirectory.lookup(l.pincode)
            try db.execute("INSERT INTO locations (code, name, pincode, state, district, priority, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                           [l.code, l.name, l.pincode, info?.state ?? "", info?.district ?? "", l.priority, at])
        }
        for c in Self.channels {
            try db.execute("INSERT INTO channels (code, name, kind, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)", [c.code, c.name, c.kind, at])
        }
        for i in 0..<plan.skus {
            let isKit = i >= stockedCount
            let name = "\(Self.products[i % Self.products.count]) \(i + 1)"
            try db.execute("""
                INSERT INTO skus (sku, name, mrp_paise, price_paise, weight_g, length_mm, width_mm, height_mm, hsn, gst_rate_bps, is_kit, created_at, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, 300, 200, 100, ?6, ?7, ?8, ?9, ?9)
                """, [skuCode(i), name, price(i) + 10_000, price(i), Int64(250 + (i % 7) * 150), ["6109", "5208", "3401", "0902", "6302"][i % 5], rate(i),
                      Int64(isKit ? 1 : 0), at])
        }
        for k in 0..<plan.kits {
            for part in components(k) {
                try db.execute("INSERT INTO kit_components (kit_sku, component_sku, qty) VALUES (?1, ?2, ?3)", [skuCode(stockedCount + k), skuCode(part.sku), part.qty])
            }
        }
        for (i, units) in demand.enumerated() {
            for l in Self.locations {
                _ = try Movements.record(db, sku: skuCode(i), location: l.code, request: .receive(qty: units + plan.spareUnits), reason: "opening stock",
                                         reference: "seed", actor: Self.actor, now: at)
            }
        }
        let zones = Dictionary(uniqueKeysWithValues: CourierZone.allCases.map { ($0, RateCard.ZoneRate(firstPaise: 3_500 + 500 * Int64(CourierZone.allCases.firstIndex(of: $0) ?? 0), additionalPaise: 3_000)) })
        for c in Self.couriers {
            var fields = CourierFields(name: c.name, provider: .manual, mode: c.mode, maxWeightG: 30_000, rateCard: RateCard(zones: zones))
            fields.cod = true
            _ = try Couriers.put(db, code: c.code, fields: fields, actor: Self.actor, now: at)
            // Both couriers pick up at every location and deliver (prepaid and COD) to every
            // buyer's pincode.
            let served = Set(plan.pincodes + Self.locations.map(\.pincode)).sorted()
            let csv = "pincode,prepaid,cod,pickup,oda,embargo\n" + served.map { "\($0),Y,Y,Y,N,N\n" }.joined()
            try Couriers.replaceServiceability(db, code: c.code, try ServiceabilityFile.csv(Array(csv.utf8)), actor: Self.actor, now: at)
        }
    }

    /// What one batch wrote.
    struct Part: Sendable {
        var orders = 0
        var shipments = 0
        var statuses: [String: Int] = [:]
    }

    /// Writes orders `range`: each taken in, paid or confirmed, and moved through packing,
    /// booking, pickup (manifests handed over per courier and location) and the courier's
    /// reports as far as its story goes.
    func write(_ db: any Database, orders range: Range<Int>) throws -> Part {
        var part = Part()
        let policy = policy
        let tracking = TrackingFlow.Policy()
        var handedOver: [(story: Story, shipment: Shipment)] = []
        var toManifest: [String: [(Story, Shipment)]] = [:]
        for number in range {
            let story = story(number)
            let person = customer(story.customer)
            let info = PincodeDirectory.lookup(person.pincode)
            let draft = OrderDraft(
                channel: story.channel, channelOrderRef: "\(story.channel.uppercased())-\(pad(number + 1, 7))", placedAt: story.placedAt,
                customerName: person.name, customerPhone: person.phone,
                shipping: OrderAddress(name: person.name, line1: person.line1, city: info?.district ?? "City", pincode: person.pincode),
                lines: story.lines.map { OrderDraft.Line(sku: skuCode($0.sku), qty: $0.qty, unitPricePaise: price($0.sku), discountPaise: $0.discount) },
                shippingPaise: story.cod ? 4_900 : 0, paymentMethod: story.cod ? .cod : .prepaid,
                gateway: story.cod ? nil : "razorpay", gatewayOrderID: story.cod ? nil : "order_S\(pad(number, 9))")
            var t = story.placedAt
            var ids = SeedRandom(plan.seed ^ (UInt64(number) &* 0x2545_F491_4F6C_DD1D))
            let id = EntityID.make(.order, milliseconds: UInt64(t), using: &ids)
            let order = try PlaceOrderFlow.place(db, draft: draft, policy: policy, actor: Self.actor, now: t, id: id).order
            part.orders += 1
            part.shipments += order.shipments.count
            if story.fate == .pendingPayment { part.count(story.fate); continue }
            if !story.cod {
                t += 60_000
                let report = Payments.Report(gateway: "razorpay", gatewayPaymentID: "pay_S\(pad(number, 9))", gatewayOrderID: "order_S\(pad(number, 9))",
                                             method: story.method, state: PaymentState(status: .captured, amountPaise: order.totals.totalPaise))
                _ = try PaymentFlow.apply(db, report, orderID: order.id, actor: Self.actor, now: t)
            }
            t += 3_600_000
            if story.fate == .cancelled {
                _ = try CancelOrderFlow.cancel(db, id: order.id, reason: .customer, note: nil, actor: Self.actor, now: t)
                part.count(story.fate)
                continue
            }
            if story.fate == .onHold {
                if order.status != .onHold {
                    _ = try ConfirmOrderFlow.hold(db, id: order.id, reason: .addressReview, note: nil, actor: Self.actor, now: t)
                }
                part.count(story.fate)
                continue
            }
            if order.status == .onHold { _ = try ConfirmOrderFlow.confirm(db, id: order.id, note: "verified by call", actor: Self.actor, now: t) }
            if story.fate == .waiting { part.count(story.fate); continue }
            let shipments = try Shipments.forOrder(db, orderID: order.id)
            for (k, shipment) in shipments.enumerated() {
                t += 4 * 3_600_000
                let scanned = shipment.lines.flatMap { [String](repeating: $0.stockSKU, count: Int($0.qty)) }
                _ = try PackShipmentFlow.pack(db, shipmentID: shipment.id, package: Packing.Package(weightG: 800, lengthMM: 300, widthMM: 250, heightMM: 100),
                                              scanned: scanned, policy: policy, actor: Self.actor, now: t)
                if story.fate == .packed { continue }
                let courier = Self.couriers[(number + k) % Self.couriers.count].code
                let booked = try BookShipmentFlow.book(db, shipmentID: shipment.id, courier: courier, awb: "\(courier.prefix(2).uppercased())\(pad(number, 9))\(k)",
                                                       actor: Self.actor, now: t + 60_000).shipment
                if story.fate == .booked { continue }
                toManifest["\(courier)|\(booked.location)", default: []].append((story, booked))
            }
            if story.fate == .packed || story.fate == .booked { part.count(story.fate) }
        }
        // Pickups: one manifest per courier and location for the batch, handed over whole.
        for key in toManifest.keys.sorted() {
            guard let group = toManifest[key], let first = group.first else { continue }
            let at = group.map { $0.1.bookedAt ?? $0.0.placedAt }.max() ?? first.0.placedAt
            let details = try ManifestFlow.create(db, courier: first.1.courier ?? "", location: first.1.location, shipmentIDs: group.map(\.1.id),
                                                  actor: Self.actor, now: at + 3_600_000)
            _ = try ManifestFlow.handover(db, manifestID: details.manifest.id, scanned: group.compactMap(\.1.awb), actor: Self.actor, now: at + 2 * 3_600_000)
            handedOver += group.map { (story: $0.0, shipment: $0.1) }
        }
        // The couriers' reports, each at its own time after pickup.
        var finished: Set<String> = []
        for (story, shipment) in handedOver {
            let picked = (shipment.bookedAt ?? story.placedAt) + 12 * 3_600_000
            let where_ = shipment.location
            func report(_ status: ShipmentStatus, at: Int64, ndr: TrackingUpdate.NDR? = nil, scans: [TrackingScan] = []) throws {
                let update = TrackingUpdate(provider: .manual, awb: shipment.awb ?? "", status: status, codes: [], occurredAt: at, location: where_,
                                            ndr: ndr, scans: scans)
                _ = try TrackingFlow.receive(db, update, shipmentID: shipment.id, policy: tracking, actor: Self.actor, now: at)
            }
            let transit = picked + 24 * 3_600_000
            switch story.fate {
            case .inTransit:
                try report(.inTransit, at: transit)
            case .delivered:
                let out = picked + Int64(2 + story.number % 3) * 86_400_000
                try report(.delivered, at: out + 5 * 3_600_000, scans: [
                    TrackingScan(at: transit, code: "IT", label: "In transit", location: "Hub", status: .inTransit),
                    TrackingScan(at: out, code: "OFD", label: "Out for delivery", status: .outForDelivery),
                    TrackingScan(at: out + 5 * 3_600_000, code: "DL", label: "Delivered", status: .delivered),
                ])
                if story.cod && plan.now - out > 20 * 86_400_000 { _ = try OrderTransitions.markCODRemitted(db, orderID: shipment.orderID, now: out + 15 * 86_400_000) }
            case .ndrOpen:
                try report(.inTransit, at: transit)
                try report(.undelivered, at: transit + 86_400_000, ndr: TrackingUpdate.NDR(reason: .customerUnavailable, attempt: 1, code: "UD", text: "Customer not available"))
            case .rtoInTransit, .rtoReceived:
                try report(.inTransit, at: transit)
                try report(.undelivered, at: transit + 86_400_000, ndr: TrackingUpdate.NDR(reason: .refused, attempt: 1, code: "RF", text: "Refused by customer"))
                let back = transit + 6 * 86_400_000
                try report(story.fate == .rtoReceived ? .rtoDelivered : .rtoInTransit, at: back)
                if story.fate == .rtoReceived {
                    var units: [String: Int64] = [:]
                    for line in shipment.lines { units[line.stockSKU, default: 0] += line.qty }
                    _ = try RTOReceiveFlow.receive(db, shipmentID: shipment.id, lines: units.keys.sorted().map { RTOReceipt.Line(sku: $0, qty: units[$0] ?? 0, condition: .good) },
                                                   actor: Self.actor, now: back + 86_400_000)
                }
            default:
                break
            }
            if finished.insert(shipment.orderID).inserted { part.count(story.fate) }
        }
        return part
    }
}

extension SeedWorld.Part {
    /// Counts an order under where its story ended (`bahi`'s own status mix is the store's to
    /// tell: Benchmarks/scale.sh prints it).
    mutating func count(_ fate: SeedWorld.Fate) {
        statuses[fate.rawValue, default: 0] += 1
    }
}

/// `value` in decimal, zero-padded to `width` digits.
func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}
