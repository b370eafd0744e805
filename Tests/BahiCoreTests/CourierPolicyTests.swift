import Testing
import BahiCore

/// Choosing a courier: rules first, then the policy, each choice saying why; and the learned
/// performance, smoothed toward wider figures when samples are few (worked by hand below).
@Suite struct CourierPolicyTests {
    static func offer(_ courier: String, _ total: Int64, days: Int64) -> CourierSelection.Offer {
        CourierSelection.Offer(courier: courier, quote: CourierQuote(zone: .e, volumetricG: 0, chargeableG: 500, slabs: 1, freightPaise: total,
                                                                     fuelPaise: 0, codFeePaise: 0, gstPaise: 0, totalPaise: total), expectedDays: days)
    }

    // Three couriers to Guwahati: cheap and slow with many returns, dear and fast by air, middling.
    static let offers = [offer("ekart", 9_000, days: 7), offer("bluedart", 16_000, days: 3), offer("delhivery", 11_000, days: 5)]
    static let modes: [String: CourierFields.Mode] = ["ekart": .surface, "bluedart": .air, "delhivery": .surface]
    static let performance: [String: CourierPerformance] = [
        "ekart": CourierPerformance(deliveredShare: 0.70, rtoShare: 0.28, meanDays: 7.5, samples: 120),
        "bluedart": CourierPerformance(deliveredShare: 0.95, rtoShare: 0.04, meanDays: 2.8, samples: 80),
        "delhivery": CourierPerformance(deliveredShare: 0.88, rtoShare: 0.10, meanDays: 4.6, samples: 200),
    ]
    static let guwahatiCOD = CourierPolicy.Parcel(cod: true, valuePaise: 149_900, destinationPincode: "781001", zone: .e, channel: "website")

    func choose(_ policy: CourierPolicy, _ parcel: CourierPolicy.Parcel = guwahatiCOD) -> CourierPolicy.Choice? {
        policy.choose(Self.offers, parcel: parcel, modes: Self.modes, performance: Self.performance)
    }

    @Test func eachPolicyChoosesAsDefined() {
        #expect(choose(CourierPolicy(kind: .cheapest)) == .init(courier: "ekart", reason: "cheapest"))
        #expect(choose(CourierPolicy(kind: .fastest)) == .init(courier: "bluedart", reason: "fastest"), "2.8 learned days")
        #expect(choose(CourierPolicy(kind: .bestPerforming)) == .init(courier: "bluedart", reason: "best_performing"))
        // Balanced, weights 50/20/30 (total 100). Cheapest 9,000, fastest 2.8 days:
        //   ekart:     cost 0            days (7.5−2.8)/2.8 = 1.679  rto 0.28×10 = 2.8  → (0 + 33.57 + 84)/100   = 1.1757
        //   bluedart:  cost 7,000/9,000 = 0.778  days 0   rto 0.4          → (38.89 + 0 + 12)/100      = 0.5089
        //   delhivery: cost 2,000/9,000 = 0.222  days 1.8/2.8 = 0.643  rto 1.0 → (11.11 + 12.86 + 30)/100 = 0.5397
        #expect(choose(CourierPolicy(kind: .balanced)) == .init(courier: "bluedart", reason: "balanced"))
        // Weigh cost more (80/10/10): ekart 0 + 16.79 + 28 = 0.4479; bluedart 62.22 + 0 + 4 = 0.6622;
        // delhivery 17.78 + 6.43 + 10 = 0.3421 → delhivery.
        #expect(choose(CourierPolicy(kind: .balanced, weights: .init(cost: 80, days: 10, rtoRisk: 10)))?.courier == "delhivery")
        #expect(CourierPolicy().choose([], parcel: Self.guwahatiCOD, modes: [:], performance: [:]) == nil)
    }

    @Test func rulesComeFirstAndAreSkippedWhenTheirCourierCannotCarry() throws {
        let rules = try ["cod&zone=E => courier=delhivery", "value>500000 => mode=air"].map { try CourierPolicy.parseRule($0).get() }
        let policy = CourierPolicy(kind: .cheapest, rules: rules)
        #expect(choose(policy) == .init(courier: "delhivery", reason: "rule 1: cod&zone=E => courier=delhivery"))
        var dear = Self.guwahatiCOD
        dear.cod = false
        dear.valuePaise = 600_000
        #expect(choose(policy, dear) == .init(courier: "bluedart", reason: "rule 2: value>500000 => mode=air, then cheapest"))
        // The rule's courier is not among the offers (it cannot carry this parcel): the next decides.
        let absent = CourierPolicy(kind: .cheapest, rules: [try CourierPolicy.parseRule("cod => courier=xpressbees").get()])
        #expect(choose(absent) == .init(courier: "ekart", reason: "cheapest"))
        let pins = try CourierPolicy.parseRule("prefix=781|782 & channel=website => courier=bluedart").get()
        #expect(pins.matches(Self.guwahatiCOD) && !pins.matches(.init(cod: true, valuePaise: 1, destinationPincode: "400001", zone: .c, channel: "website")))
        #expect(try CourierPolicy.parseRule("pincode=781001 => courier=x").get().matches(.init(cod: true, valuePaise: 1, destinationPincode: "781001", zone: .e, channel: nil)))
    }

    @Test func aMistypedRuleIsNamed() {
        func error(_ text: String) -> String? { if case .failure(let e) = CourierPolicy.parseRule(text) { e.message } else { nil } }
        #expect(error("cod courier=x")?.contains("=>") == true)
        #expect(error("zone=F => courier=x")?.contains("zones are A, B, C, D or E") == true)
        #expect(error("pincode=7810 => courier=x")?.contains("six digits") == true)
        #expect(error("cod => carrier=x")?.contains("not courier=CODE") == true)
        #expect(error("fragile => courier=x")?.contains("the condition fragile") == true)
        #expect(error(" => courier=x") != nil)
    }

    @Test func performanceIsSmoothedTowardWiderFigures() {
        // No history: the assumption (0.9 delivered, 0.1 RTO, the expected days).
        let none = CourierPerformance.estimate(zone: .init(), state: .init(), prefix: .init(), expectedDays: 7)
        #expect(none == CourierPerformance(deliveredShare: 0.9, rtoShare: 0.1, meanDays: 7, samples: 0))
        // Zone: 80 finished, 60 delivered (300 transit days), 20 RTO; weight 20 toward the assumption:
        //   delivered (60 + 18) / 100 = 0.78; RTO (20 + 2) / 100 = 0.22; days (300 + 140) / 80 = 5.5.
        // State: 10 finished, 10 delivered (40 days), 0 RTO, toward the zone:
        //   delivered (10 + 15.6) / 30 = 0.8533…; RTO (0 + 4.4) / 30 = 0.14666…; days (40 + 110) / 30 = 5.
        let zone = CourierPerformance.Tally(finished: 80, delivered: 60, rto: 20, transitDays: 300)
        let state = CourierPerformance.Tally(finished: 10, delivered: 10, rto: 0, transitDays: 40)
        let e = CourierPerformance.estimate(zone: zone, state: state, prefix: .init(finished: 29, delivered: 0, rto: 29, transitDays: 0), expectedDays: 7)
        #expect(abs(e.deliveredShare - 25.6 / 30) < 1e-9 && abs(e.rtoShare - 4.4 / 30) < 1e-9 && abs(e.meanDays - 5) < 1e-9 && e.samples == 10,
                "a prefix with 29 shipments is not used yet")
        // The prefix at 30 shipments, all returned: RTO (30 + 20 × 0.14666…) / 50 = 0.65866…
        let p = CourierPerformance.estimate(zone: zone, state: state, prefix: .init(finished: 30, delivered: 0, rto: 30, transitDays: 0), expectedDays: 7)
        #expect(abs(p.rtoShare - (30 + 20 * 4.4 / 30) / 50) < 1e-9 && p.samples == 30 && abs(p.meanDays - 5) < 1e-9)
    }
}
