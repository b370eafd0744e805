import Testing
import BahiCore
import BahiStore
import BahiJSON

/// The order flows driven directly (no HTTP) on every store: intake and its retry, cancel,
/// packing's invoice series, and payments adding up.
@Suite struct OrderDomainTests {
    static let now: Int64 = 1_800_000_000_000

    static var policy: OrderPolicy {
        var policy = OrderPolicy()
        // A complete profile from configuration (a made-up LLP's GSTIN with a valid check character).
        policy.seller = SellerProfile(legalName: "Kapas Textiles LLP", gstin: "24AAKFK1234K1ZF",
                                      address: .init(line1: "Plot 7, Kapas Bazaar", city: "Surat", state: .gujarat, pincode: "395003"))
        return policy
    }

    /// One location (Surat), one channel (web), SKUs TEE (5 %) and MUG (12 %) with `stock`
    /// units each, all through the catalog and stock services.
    static func seed(_ db: any Database, stock: Int64 = 10) throws {
        _ = try LocationCatalog.put(db, code: "SURAT", fields: LocationFields(name: "Surat", pincode: "395003"), actor: "t", now: now)
        _ = try ChannelCatalog.put(db, code: "web", fields: ChannelFields(name: "Website", kind: .website), actor: "t", now: now)
        for (code, rate) in [("TEE", Int64(500)), ("MUG", Int64(1200))] {
            var fields = SKUFields(name: code, mrpPaise: 200_000, pricePaise: 100_000)
            fields.hsn = "6109"
            fields.gstRateBps = rate
            _ = try SKUCatalog.put(db, code: code, fields: fields, actor: "t", now: now)
            _ = try Movements.record(db, sku: code, location: "SURAT", request: .receive(qty: stock), reason: nil, reference: "PO", actor: "t", now: now)
        }
    }

    static func draft(_ ref: String, lines: [OrderDraft.Line] = [OrderDraft.Line(sku: "TEE", qty: 2, unitPricePaise: 49_900)],
                      method: PaymentMethod = .prepaid, paid: Bool = true) -> OrderDraft {
        OrderDraft(channel: "web", channelOrderRef: ref, customerName: "Asha Patel", customerPhone: "+919825012345",
                   shipping: OrderAddress(name: "Asha Patel", line1: "Flat 12, Shanti Apartments", landmark: "Opp. Sardar Garden", city: "Surat",
                                          pincode: "395003"),
                   lines: lines, paymentMethod: method, gateway: "razorpay", gatewayOrderID: "order_X", paid: paid)
    }

    /// A field of a JSON object (nil for anything else).
    static func field(_ value: JSONValue?, _ key: String) -> JSONValue? {
        guard case .object(let object)? = value else { return nil }
        return object[key]
    }

    static func reserved(_ db: any Database, _ sku: String) throws -> Int64 {
        try StockLedger.levels(db, sku: sku).reduce(0) { $0 + $1.reserved }
    }

    @Test func intakeConfirmsAndARetryReturnsTheSameOrderReservingNothingTwice() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try Self.seed(db)
                let first = try PlaceOrderFlow.place(db, draft: Self.draft("W-1"), policy: Self.policy, actor: "t", now: Self.now)
                #expect(first.created)
                #expect(first.order.status == .confirmed)
                #expect(first.order.paymentStatus == .paid)
                #expect(first.order.paidPaise == first.order.totals.totalPaise)
                #expect(first.order.totals.totalPaise == 99_800)
                #expect(first.order.shipments.count == 1)
                #expect(try Self.reserved(db, "TEE") == 2)

                let retry = try PlaceOrderFlow.place(db, draft: Self.draft("W-1"), policy: Self.policy, actor: "t", now: Self.now + 1)
                #expect(!retry.created)
                #expect(retry.order.id == first.order.id)
                #expect(retry.order.shipments.map(\.id) == first.order.shipments.map(\.id))
                #expect(try Self.reserved(db, "TEE") == 2)

                // What was stored is what intake answered with, read back by column name.
                let stored = try #require(try OrderQueries.find(db, id: first.order.id))
                #expect(stored.channelOrderRef == "W-1" && stored.status == .confirmed && stored.paymentMethod == .prepaid)
                #expect(stored.lines == first.order.lines)
                #expect(stored.totals == first.order.totals)
                #expect(stored.history.map(\.action) == ["created"])

                // A retry is recognised before any check: with the SKU since deactivated it still
                // gets the stored order, not a validation error.
                var inactive = SKUFields(name: "TEE", mrpPaise: 200_000, pricePaise: 100_000)
                inactive.hsn = "6109"
                inactive.gstRateBps = 500
                inactive.active = false
                _ = try SKUCatalog.put(db, code: "TEE", fields: inactive, actor: "t", now: Self.now + 2)
                let late = try PlaceOrderFlow.place(db, draft: Self.draft("W-1"), policy: Self.policy, actor: "t", now: Self.now + 3)
                #expect(!late.created && late.order.id == first.order.id)
            }
        }
    }

    /// The maintenance loop's "anything due?": nil (not an error) with no unpaid order, then
    /// the earliest payment window.
    @Test func nextPaymentExpiryIsNilUntilAnOrderWaitsForPayment() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try Self.seed(db)
                #expect(try OrderTransitions.nextPaymentExpiry(db) == nil)
                let unpaid = try PlaceOrderFlow.place(db, draft: Self.draft("W-UNPAID", paid: false), policy: Self.policy, actor: "t", now: Self.now)
                #expect(unpaid.order.status == .pendingPayment)
                #expect(try OrderTransitions.nextPaymentExpiry(db) == unpaid.order.paymentExpiresAt)
                #expect(try Holds.nextExpiry(db) == nil)
            }
        }
    }

    @Test func cancelReleasesTheStock() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try Self.seed(db)
                let placed = try PlaceOrderFlow.place(
                    db, draft: Self.draft("W-2", lines: [OrderDraft.Line(sku: "TEE", qty: 3, unitPricePaise: 49_900), OrderDraft.Line(sku: "MUG", qty: 1, unitPricePaise: 29_900)]),
                    policy: Self.policy, actor: "t", now: Self.now)
                #expect(try Self.reserved(db, "TEE") == 3 && Self.reserved(db, "MUG") == 1)
                let cancelled = try CancelOrderFlow.cancel(db, id: placed.order.id, reason: .customer, note: "changed mind", actor: "t", now: Self.now + 10)
                #expect(cancelled.status == .cancelled)
                #expect(cancelled.cancelReason == .customer)
                #expect(cancelled.refundDue)  // it was paid
                #expect(cancelled.shipments.allSatisfy { $0.status == .cancelled })
                #expect(try Self.reserved(db, "TEE") == 0 && Self.reserved(db, "MUG") == 0)
                // A cancelled order cannot be cancelled again.
                #expect(throws: DomainError.self) {
                    try CancelOrderFlow.cancel(db, id: placed.order.id, reason: .customer, note: nil, actor: "t", now: Self.now + 20)
                }
            }
        }
    }

    @Test func packingIssuesConsecutiveInvoiceNumbers() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try Self.seed(db)
                let year = FinancialYear.containing(milliseconds: Self.now)
                var numbers: [String] = []
                for i in 1...4 {
                    let placed = try PlaceOrderFlow.place(db, draft: Self.draft("W-P\(i)"), policy: Self.policy, actor: "t", now: Self.now + Int64(i))
                    let shipment = try #require(placed.order.shipments.first)
                    let packed = try PackShipmentFlow.pack(db, shipmentID: shipment.id, package: Packing.Package(weightG: 400, lengthMM: 200, widthMM: 150, heightMM: 50),
                                                           scanned: ["TEE", "TEE"], policy: Self.policy, actor: "t", now: Self.now + 100 + Int64(i))
                    #expect(packed.shipment.status == .packed)
                    let invoice = try #require(packed.invoice)
                    numbers.append(invoice.number)
                    #expect(try OrderQueries.find(db, id: placed.order.id)?.status == .inFulfilment)
                    #expect(try OrderQueries.find(db, id: placed.order.id)?.lines.allSatisfy { $0.invoiceID == invoice.id } == true)
                }
                #expect(numbers == (1...4).map { "INV/\(year.short)/0000\($0)" })
                #expect(try Invoices.seriesProblems(db).isEmpty)
            }
        }
    }

    @Test func onlyTheOrdersFirstInvoiceCarriesShipping() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try Self.seed(db, stock: 0)
                _ = try LocationCatalog.put(db, code: "BLR", fields: LocationFields(name: "Bengaluru", pincode: "560001"), actor: "t", now: Self.now)
                _ = try Movements.record(db, sku: "TEE", location: "SURAT", request: .receive(qty: 5), reason: nil, reference: "PO", actor: "t", now: Self.now)
                _ = try Movements.record(db, sku: "MUG", location: "BLR", request: .receive(qty: 5), reason: nil, reference: "PO", actor: "t", now: Self.now)
                var draft = Self.draft("W-SHIP", lines: [OrderDraft.Line(sku: "TEE", qty: 1, unitPricePaise: 49_900), OrderDraft.Line(sku: "MUG", qty: 1, unitPricePaise: 29_900)])
                draft.shippingPaise = 5_000
                let placed = try PlaceOrderFlow.place(db, draft: draft, policy: Self.policy, actor: "t", now: Self.now)
                #expect(placed.order.shipments.count == 2)
                var invoices: [Invoices.Invoice] = []
                for (i, shipment) in placed.order.shipments.enumerated() {
                    let packed = try PackShipmentFlow.pack(db, shipmentID: shipment.id, package: Packing.Package(weightG: 1, lengthMM: 1, widthMM: 1, heightMM: 1),
                                                           scanned: shipment.lines.map(\.stockSKU), policy: Self.policy, actor: "t", now: Self.now + 10 + Int64(i))
                    invoices.append(try #require(packed.invoice))
                }
                let stored = try invoices.map { try #require(try Invoices.find(db, id: $0.id)) }
                #expect(Self.field(stored[0].document, "shipping") != .null)
                #expect(Self.field(stored[1].document, "shipping") == .null)
                #expect(stored.map { $0.document } == invoices.map { $0.document })
                let totals = stored.compactMap { invoice -> Int64? in
                    guard case .number(let n)? = Self.field(Self.field(invoice.document, "totals"), "total_paise") else { return nil }
                    return n.int64
                }
                #expect(totals.reduce(0, +) == placed.order.totals.totalPaise)
            }
        }
    }

    @Test func wrongScansPackNothing() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try Self.seed(db)
                let placed = try PlaceOrderFlow.place(db, draft: Self.draft("W-S"), policy: Self.policy, actor: "t", now: Self.now)
                let shipment = try #require(placed.order.shipments.first)
                let error = try #require(throws: DomainError.self) {
                    _ = try db.savepoint("pack") {
                        try PackShipmentFlow.pack(db, shipmentID: shipment.id, package: Packing.Package(weightG: 1, lengthMM: 1, widthMM: 1, heightMM: 1),
                                                  scanned: ["TEE", "MUG"], policy: Self.policy, actor: "t", now: Self.now + 1)
                    }
                }
                #expect(error.code == .scanMismatch)
                #expect(try Shipments.find(db, id: shipment.id)?.status == .pending)
            }
        }
    }

    @Test func paymentsAddUpAndAGatewayPaymentCountsOnce() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try Self.seed(db)
                let placed = try PlaceOrderFlow.place(db, draft: Self.draft("W-3", paid: false), policy: Self.policy, actor: "t", now: Self.now)
                #expect(placed.order.status == .pendingPayment)
                let total = placed.order.totals.totalPaise
                let half = total / 2
                let first = try ConfirmOrderFlow.recordPayment(
                    db, id: placed.order.id, payment: .init(amountPaise: half, status: .captured, gateway: "razorpay", gatewayPaymentID: "pay_1"),
                    actor: "t", now: Self.now + 1)
                #expect(first.created && first.order.paidPaise == half && first.order.status == .pendingPayment)
                let again = try ConfirmOrderFlow.recordPayment(
                    db, id: placed.order.id, payment: .init(amountPaise: half, status: .captured, gateway: "razorpay", gatewayPaymentID: "pay_1"),
                    actor: "t", now: Self.now + 2)
                #expect(!again.created && again.paymentID == first.paymentID && again.order.paidPaise == half)
                let second = try ConfirmOrderFlow.recordPayment(
                    db, id: placed.order.id, payment: .init(amountPaise: total - half, status: .captured, gateway: "razorpay", gatewayPaymentID: "pay_2"),
                    actor: "t", now: Self.now + 3)
                #expect(second.created)
                #expect(second.order.paidPaise == total)
                #expect(second.order.paymentStatus == .paid)
                #expect(second.order.status == .confirmed)
                #expect(!second.order.refundDue)
                #expect(second.order.paymentExpiresAt == nil)
                // One more capture is more than the order costs: money is owed back.
                let extra = try ConfirmOrderFlow.recordPayment(db, id: placed.order.id, payment: .init(amountPaise: 100, status: .captured), actor: "t", now: Self.now + 4)
                #expect(extra.order.paidPaise == total + 100 && extra.order.refundDue)
            }
        }
    }
}
