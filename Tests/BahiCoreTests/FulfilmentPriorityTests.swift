import Testing
import BahiCore

@Suite struct FulfilmentPriorityTests {
    static let hour: Int64 = 3_600_000
    static let now: Int64 = 1_800_000_000_000

    func item(_ id: String, hoursAgo: Int64, cod: Bool = false, value: Int64 = 100_000, channel: String = "web", express: Bool = false) -> QueueItem {
        QueueItem(shipmentID: id, orderID: "ord_" + id, channel: channel, paymentMethod: cod ? "cod" : "prepaid",
                  orderValuePaise: value, createdAt: Self.now - hoursAgo * Self.hour, express: express)
    }

    func ids(_ items: [QueueItem], _ rules: FulfilmentPriorityRules = FulfilmentPriorityRules()) -> [String] {
        FulfilmentPriority.sort(items, rules: rules, now: Self.now).map(\.shipmentID)
    }

    @Test func slaDue() {
        let rules = FulfilmentPriorityRules(slaHours: 48)
        #expect(FulfilmentPriority.slaDue(createdAt: 1_000, rules: rules) == 1_000 + 48 * Self.hour)
        #expect(FulfilmentPriority.slaDue(createdAt: .max - 1, rules: rules) == .max)
        #expect(FulfilmentPriority.slaDue(createdAt: 0, rules: FulfilmentPriorityRules(slaHours: .max)) == .max)
        #expect(FulfilmentPriority.slaDue(createdAt: 5, rules: FulfilmentPriorityRules(slaHours: -3)) == 5)
        #expect(FulfilmentPriorityRules().slaHours == 24 && FulfilmentPriorityRules().prepaidFirst)
    }

    @Test func breachedFirstOldestFirst() {
        // 24 h SLA: b30 and b25 are breached, b24 exactly due (counts as breached), fresh is not,
        // even though it is express and worth more.
        let items = [item("fresh", hoursAgo: 1, value: 9_000_000, express: true), item("b25", hoursAgo: 25, cod: true),
                     item("b24", hoursAgo: 24), item("b30", hoursAgo: 30, cod: true, value: 1)]
        #expect(ids(items) == ["b30", "b25", "b24", "fresh"])
    }

    @Test func expressThenPrepaidThenValueThenAge() {
        let items = [
            item("cod-big", hoursAgo: 2, cod: true, value: 900_000),
            item("pre-small-old", hoursAgo: 5, value: 10_000),
            item("pre-small-new", hoursAgo: 1, value: 10_000),
            item("pre-big", hoursAgo: 1, value: 500_000),
            item("exp-cod", hoursAgo: 1, cod: true, express: true),
            item("exp-channel", hoursAgo: 1, channel: "amazon-prime"),
        ]
        let rules = FulfilmentPriorityRules(expressChannels: ["amazon-prime"])
        #expect(ids(items, rules) == ["exp-channel", "exp-cod", "pre-big", "pre-small-old", "pre-small-new", "cod-big"])
    }

    @Test func prepaidFirstCanBeTurnedOff() {
        let items = [item("pre", hoursAgo: 1, value: 10_000), item("cod", hoursAgo: 1, cod: true, value: 20_000)]
        #expect(ids(items) == ["pre", "cod"])
        #expect(ids(items, FulfilmentPriorityRules(prepaidFirst: false)) == ["cod", "pre"])
    }

    @Test func tiesBreakByIDSoTheOrderIsDeterministic() {
        let items = [item("shp_c", hoursAgo: 3), item("shp_a", hoursAgo: 3), item("shp_b", hoursAgo: 3)]
        #expect(ids(items) == ["shp_a", "shp_b", "shp_c"])
        #expect(ids(items.reversed()) == ["shp_a", "shp_b", "shp_c"])
        // Two shipments of one order with equal everything but the id.
        let breached = [item("shp_z", hoursAgo: 40), item("shp_y", hoursAgo: 40)]
        #expect(ids(breached) == ["shp_y", "shp_z"])
    }

    @Test func emptyQueue() {
        #expect(FulfilmentPriority.sort([], rules: FulfilmentPriorityRules(), now: 0).isEmpty)
    }
}
