import Testing
import BahiCore
import BahiStore

/// `GET /v1/orders?q=` below HTTP, on every store: an order is found by its id, its channel
/// reference, its phone however it is written, and the start of its buyer's or recipient's
/// name words, the name index kept in step by an edit; a miss is empty; the list's filters and
/// cursor apply to what the search finds.
@Suite struct OrderSearchDomainTests {
    static let now = OrderDomainTests.now

    /// Three orders: Asha Patel (9825012345, shipped to herself), Ravi Kumar (7012345678,
    /// shipped to Meena Iyer) and Ashok Rao (6123456789), placed a millisecond apart.
    static func place(_ db: any Database) throws -> (asha: Order, ravi: Order, ashok: Order) {
        try OrderDomainTests.seed(db, stock: 50)
        func order(_ ref: String, _ name: String, _ phone: String, recipient: String? = nil, at: Int64) throws -> Order {
            var draft = OrderDomainTests.draft(ref)
            draft.customerName = name
            draft.customerPhone = phone
            draft.shipping.name = recipient ?? name
            return try PlaceOrderFlow.place(db, draft: draft, policy: OrderDomainTests.policy, actor: "t", now: now + at).order
        }
        let asha = try order("W-1001", "Asha Patel", "+919825012345", at: 0)
        let ravi = try order("W-1002", "Ravi Kumar", "+917012345678", recipient: "Meena Iyer", at: 1)
        let ashok = try order("AMZ-408-77", "Ashok Rao", "+916123456789", at: 2)
        return (asha, ravi, ashok)
    }

    static func search(_ db: any Database, _ q: String, configure: (inout OrderQueries.Filter) -> Void = { _ in }) throws -> [String] {
        var filter = OrderQueries.Filter()
        filter.q = q
        configure(&filter)
        return try OrderQueries.list(db, filter).orders.map(\.channelOrderRef)
    }

    @Test func findsByIdReferencePhoneInEveryFormAndNamePrefix() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                let placed = try Self.place(db)
                #expect(try Self.search(db, placed.ravi.id) == ["W-1002"])
                #expect(try Self.search(db, "AMZ-408-77") == ["AMZ-408-77"])
                #expect(try Self.search(db, " W-1001 ") == ["W-1001"])
                for phone in ["+91 98250 12345", "09825012345", "9825012345", "919825012345", "0091 98250 12345", "+91-98250-12345"] {
                    #expect(try Self.search(db, phone) == ["W-1001"], "\(phone)")
                }
                // Names: any word's start, any case; every word must match; newest first.
                #expect(try Self.search(db, "Ash") == ["AMZ-408-77", "W-1001"])
                #expect(try Self.search(db, "asha") == ["W-1001"])
                #expect(try Self.search(db, "PAT") == ["W-1001"])
                #expect(try Self.search(db, "Ash Rao") == ["AMZ-408-77"])
                // The recipient's name finds the order too.
                #expect(try Self.search(db, "meena") == ["W-1002"])
                // Misses: no such name, phone, reference or id.
                #expect(try Self.search(db, "Zubin") == [])
                #expect(try Self.search(db, "9000000000") == [])
                #expect(try Self.search(db, "ord_01ZZZZZZZZZZZZZZZZZZZZZZZZ") == [])
                #expect(try Self.search(db, "\"a*") == [])
                // A substring inside a word or a phone is not a match any more.
                #expect(try Self.search(db, "shok") == [])
                #expect(try Self.search(db, "12345") == [])
            }
        }
    }

    @Test func filtersAndTheCursorApplyToWhatTheSearchFinds() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                let placed = try Self.place(db)
                #expect(try Self.search(db, "ash") { $0.status = "cancelled" } == [])
                #expect(try Self.search(db, "ash") { $0.createdBefore = Self.now + 1 } == ["W-1001"])
                #expect(try Self.search(db, "ash") { $0.channel = "amazon" } == [])
                var filter = OrderQueries.Filter()
                filter.q = "ash"
                filter.limit = 1
                let first = try OrderQueries.list(db, filter)
                #expect(first.orders.map(\.id) == [placed.ashok.id] && first.next == placed.ashok.id)
                filter.after = first.next
                let second = try OrderQueries.list(db, filter)
                #expect(second.orders.map(\.id) == [placed.asha.id] && second.next == nil)
            }
        }
    }

    /// Many orders share a name and some a millisecond: every page size walks them newest
    /// first (creation time, then id, as the list without `q`), none twice, none missed — also
    /// the one found both by its reference and by its name — and a date filter bounds them.
    @Test func aCommonNamePagesNewestFirstAcrossTiedMilliseconds() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try OrderDomainTests.seed(db, stock: 200)
                var placed: [Order] = []
                for (index, at) in [5, 5, 5, 3, 3, 9, 9, 9, 9, 1, 0, 7, 5].enumerated() {
                    var draft = OrderDomainTests.draft(index == 12 ? "Kavya" : "K-\(index)")
                    draft.customerName = "Kavya Nair"
                    draft.customerPhone = "+9198250\(String(10_000 + index))"
                    draft.shipping.name = "Kavya Nair"
                    placed.append(try PlaceOrderFlow.place(db, draft: draft, policy: OrderDomainTests.policy, actor: "t", now: Self.now + Int64(at)).order)
                }
                let expected = placed.sorted { a, b in
                    a.createdAt != b.createdAt ? a.createdAt > b.createdAt : b.id.utf8.lexicographicallyPrecedes(a.id.utf8)
                }.map(\.id)
                for limit in [1, 2, 3, 4, 50] {
                    #expect(try Self.everyPage(db, q: "Kavya", limit: limit) == expected, "limit \(limit)")
                }
                var dated = OrderQueries.Filter()
                dated.q = "kav nai"
                dated.createdAfter = Self.now + 3
                dated.createdBefore = Self.now + 9
                #expect(try OrderQueries.list(db, dated).orders.map(\.id) == expected.filter { id in
                    placed.first { $0.id == id }.map { $0.createdAt >= Self.now + 3 && $0.createdAt < Self.now + 9 } ?? false
                })
            }
        }
    }

    /// PostgreSQL reads a name's matches a window of weeks at a time, newest first, then all
    /// older time at once (`OrderRecords.postgresNames`); SQLite in one statement. Orders spread
    /// over two years — some in the newest weeks, some only past the weekly windows — page in
    /// the same order on both, under every page size, with dates that cut weeks in half.
    @Test func aNameSpreadOverYearsPagesNewestFirst() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                try OrderDomainTests.seed(db, stock: 200)
                let week = OrderSearch.weekMilliseconds
                var placed: [(order: Order, nair: Bool)] = []
                // Weeks back from the newest order, and whether the buyer is a Nair.
                let spread: [(Int64, Bool)] = [(0, true), (0, false), (1, true), (3, true), (5, false), (9, true), (20, true),
                                               (33, true), (40, false), (70, true), (100, true), (100, true), (101, false)]
                for (index, (back, nair)) in spread.enumerated() {
                    var draft = OrderDomainTests.draft("Y-\(index)")
                    draft.customerName = nair ? "Kavya Nair" : "Kavya Menon"
                    draft.customerPhone = "+9198251\(String(10_000 + index))"
                    draft.shipping.name = draft.customerName
                    let at = Self.now - back * week + Int64(index % 3) * 1_000
                    placed.append((try PlaceOrderFlow.place(db, draft: draft, policy: OrderDomainTests.policy, actor: "t", now: at).order, nair))
                }
                func newestFirst(_ orders: [Order]) -> [String] {
                    orders.sorted { a, b in a.createdAt != b.createdAt ? a.createdAt > b.createdAt : b.id.utf8.lexicographicallyPrecedes(a.id.utf8) }.map(\.id)
                }
                for (q, nairOnly) in [("kavya nair", true), ("Kav", false), ("nai", true)] {
                    let expected = newestFirst(placed.filter { !nairOnly || $0.nair }.map(\.order))
                    for limit in [1, 2, 3, 50] {
                        #expect(try Self.everyPage(db, q: q, limit: limit) == expected, "\(q), limit \(limit)")
                    }
                    // Dates that cut weeks (and the windows) in half.
                    var dated = OrderQueries.Filter()
                    dated.q = q
                    dated.createdAfter = Self.now - 70 * week - week / 2
                    dated.createdBefore = Self.now - 3 * week + week / 2
                    let inRange = placed.filter { (!nairOnly || $0.nair) && $0.order.createdAt >= dated.createdAfter! && $0.order.createdAt < dated.createdBefore! }
                    #expect(try OrderQueries.list(db, dated).orders.map(\.id) == newestFirst(inRange.map(\.order)), "\(q) dated")
                }
                #expect(try OrderQueries.list(db, { var f = OrderQueries.Filter(); f.q = "kavya zz"; return f }()).orders.isEmpty)
            }
        }
    }

    /// The ids a search for `q` lists, page after page of `limit` (each page no longer).
    static func everyPage(_ db: any Database, q: String, limit: Int) throws -> [String] {
        var filter = OrderQueries.Filter()
        filter.q = q
        filter.limit = limit
        var ids: [String] = []
        while true {
            let page = try OrderQueries.list(db, filter)
            #expect(page.orders.count <= limit)
            ids += page.orders.map(\.id)
            guard let next = page.next else { return ids }
            filter.after = next
        }
    }

    /// Edits `order` (as read) to ship to `recipient`.
    static func reship(_ db: any Database, _ order: Order, to recipient: String, at: Int64) throws {
        var shipping = order.shipping
        shipping.name = recipient
        _ = try EditOrderFlow.edit(db, id: order.id, OrderTransitions.EditInput(version: order.version, shipping: shipping),
                                   policy: OrderDomainTests.policy, actor: "t", now: now + at)
    }

    /// On SQLite an edit finds its order's search row among the rowids of its creation
    /// millisecond (migration 27: the id is stored, not indexed): three orders of one
    /// millisecond, the middle one edited, the others keep their names and nothing is added.
    @Test func anEditChangesOnlyItsOwnRowAmongItsMillisecondsOrders() async throws {
        try await onEveryStore { store in
            let placed = try await store.write { db -> [Order] in
                try OrderDomainTests.seed(db, stock: 50)
                return try [("W-2001", "Kavya Nair"), ("W-2002", "Rohan Desai"), ("W-2003", "Pooja Menon")].map { ref, name in
                    var draft = OrderDomainTests.draft(ref)
                    draft.customerName = name
                    draft.shipping.name = name
                    return try PlaceOrderFlow.place(db, draft: draft, policy: OrderDomainTests.policy, actor: "t", now: Self.now + 5).order
                }
            }
            try await store.write { db in try Self.reship(db, placed[1], to: "Divya Joshi", at: 10) }
            try await store.read { db throws in
                #expect(try Self.search(db, "divya") == ["W-2002"])
                #expect(try Self.search(db, "rohan") == ["W-2002"])
                #expect(try Self.search(db, "kavya") == ["W-2001"])
                #expect(try Self.search(db, "pooja menon") == ["W-2003"])
                #expect(try db.queryValue("SELECT COUNT(*) FROM order_search", as: Int64.self) == 3)
                // An order id is not a name: its parts find nothing through the name index.
                #expect(try Self.search(db, "ord") == [])
            }
        }
    }

    @Test func anEditedRecipientIsFoundByTheNewNameInTheSameTransaction() async throws {
        try await onEveryStore { store in
            let ravi = try await store.write { db in try Self.place(db).ravi }
            try await store.write { db in
                try Self.reship(db, ravi, to: "Farhan Qureshi", at: 10)
                #expect(try Self.search(db, "farh") == ["W-1002"])
                #expect(try Self.search(db, "Meena") == [])
                #expect(try Self.search(db, "Ravi") == ["W-1002"])
            }
            // A transaction that edits and then fails leaves the index as it was (rolled back with the order).
            let edited = try #require(try await store.read { db in try OrderQueries.find(db, id: ravi.id) })
            do {
                try await store.write { db in
                    try Self.reship(db, edited, to: "Gone Away", at: 20)
                    #expect(try Self.search(db, "gone") == ["W-1002"])
                    throw CancellationError()
                }
            } catch is CancellationError {}
            try await store.read { db throws in
                #expect(try Self.search(db, "gone") == [])
                #expect(try Self.search(db, "farhan") == ["W-1002"])
            }
        }
    }

    @Test func theListPagesNewestFirstUnderEveryFilter() async throws {
        try await onEveryStore { store in
            try await store.write { db in
                let placed = try Self.place(db)
                func pages(_ configure: (inout OrderQueries.Filter) -> Void) throws -> [String] {
                    var filter = OrderQueries.Filter()
                    filter.limit = 1
                    configure(&filter)
                    var ids: [String] = []
                    while true {
                        let page = try OrderQueries.list(db, filter)
                        ids += page.orders.map(\.id)
                        guard let next = page.next else { return ids }
                        filter.after = next
                    }
                }
                let newestFirst = [placed.ashok.id, placed.ravi.id, placed.asha.id]
                #expect(try pages { _ in } == newestFirst)
                #expect(try pages { $0.status = "confirmed" } == newestFirst)
                #expect(try pages { $0.channel = "web" } == newestFirst)
                #expect(try pages { $0.paymentMethod = "prepaid" } == newestFirst)
                #expect(try pages { $0.createdAfter = Self.now + 1 } == [placed.ashok.id, placed.ravi.id])
                #expect(try pages { $0.createdAfter = Self.now; $0.createdBefore = Self.now + 2 } == [placed.ravi.id, placed.asha.id])
                // A filter with dates and another filter (PostgreSQL reads these as a range of the
                // filter's own index: `OrderRecords.postgresLead`).
                #expect(try pages { $0.status = "confirmed"; $0.createdBefore = Self.now + 2 } == [placed.ravi.id, placed.asha.id])
                #expect(try pages { $0.paymentMethod = "prepaid"; $0.status = "confirmed"; $0.createdAfter = Self.now + 1 } == [placed.ashok.id, placed.ravi.id])
                #expect(try pages { $0.paymentMethod = "prepaid"; $0.createdAfter = Self.now + 1; $0.createdBefore = Self.now + 2 } == [placed.ravi.id])
                #expect(try pages { $0.status = "cancelled" } == [])
            }
        }
    }
}
