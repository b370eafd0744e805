/// How a courier is chosen among those that can carry a parcel: ordered rules first ("COD to
/// zone E → xpressbees", "value above ₹5,000 → air"), then a policy — `cheapest`, `fastest`,
/// `best_performing`, or `balanced` (weights for cost, days and RTO risk).
///
/// Why rules before the policy: a seller's rules are what they learned the hard way (one
/// courier returns every COD parcel to the North-East); the policy is the default for the
/// rest. Pure: offers, couriers' modes and performance are handed in, and the choice says why.
public struct CourierPolicy: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case cheapest, fastest
        case bestPerforming = "best_performing"
        case balanced
    }

    /// How much each of cost, days and RTO risk weighs in `balanced` (any non-negative scale).
    public struct Weights: Sendable, Equatable {
        public var cost: Int
        public var days: Int
        public var rtoRisk: Int
        public init(cost: Int = 50, days: Int = 20, rtoRisk: Int = 30) { (self.cost, self.days, self.rtoRisk) = (cost, days, rtoRisk) }
    }

    /// What a parcel is, for the rules.
    public struct Parcel: Sendable, Equatable {
        public var cod: Bool
        public var valuePaise: Int64
        public var destinationPincode: String
        public var zone: CourierZone
        public var channel: String?
        public init(cod: Bool, valuePaise: Int64, destinationPincode: String, zone: CourierZone, channel: String? = nil) {
            (self.cod, self.valuePaise, self.destinationPincode, self.zone, self.channel) = (cod, valuePaise, destinationPincode, zone, channel)
        }
    }

    /// One rule: every condition must hold; then its target decides.
    public struct Rule: Sendable, Equatable {
        public enum Condition: Sendable, Equatable {
            case cod(Bool)
            case zones(Set<CourierZone>)
            case valueAbovePaise(Int64)
            case pincodes(Set<String>)
            case prefixes([String])
            case channels(Set<String>)
        }
        public enum Target: Sendable, Equatable {
            /// This courier, if it can carry the parcel.
            case courier(String)
            /// The policy, among this mode's couriers only.
            case mode(CourierFields.Mode)
        }
        public var conditions: [Condition]
        public var target: Target
        /// The rule as written, for the choice's reason.
        public var text: String

        public func matches(_ p: Parcel) -> Bool {
            conditions.allSatisfy { c in
                switch c {
                case .cod(let cod): p.cod == cod
                case .zones(let zones): zones.contains(p.zone)
                case .valueAbovePaise(let v): p.valuePaise > v
                case .pincodes(let pins): pins.contains(p.destinationPincode)
                case .prefixes(let prefixes): prefixes.contains { p.destinationPincode.hasPrefix($0) }
                case .channels(let channels): p.channel.map(channels.contains) ?? false
                }
            }
        }
    }

    public var kind: Kind
    public var weights: Weights
    public var rules: [Rule]

    public init(kind: Kind = .cheapest, weights: Weights = Weights(), rules: [Rule] = []) {
        (self.kind, self.weights, self.rules) = (kind, weights, rules)
    }

    /// What was chosen, and why (the rule's text, or the policy's name).
    public struct Choice: Sendable, Equatable {
        public var courier: String
        public var reason: String
        public init(courier: String, reason: String) { (self.courier, self.reason) = (courier, reason) }
    }

    /// The courier for `parcel` among `offers` (nil when there are none). `modes` gives each
    /// courier's mode; `performance` its estimate for this destination (absent: assumed from
    /// its expected days). A rule whose courier is not among the offers is passed over.
    public func choose(_ offers: [CourierSelection.Offer], parcel: Parcel, modes: [String: CourierFields.Mode],
                       performance: [String: CourierPerformance]) -> Choice? {
        for (i, rule) in rules.enumerated() where rule.matches(parcel) {
            switch rule.target {
            case .courier(let code):
                if offers.contains(where: { $0.courier == code }) { return Choice(courier: code, reason: "rule \(i + 1): \(rule.text)") }
            case .mode(let mode):
                let some = offers.filter { modes[$0.courier] == mode }
                if let best = rank(some, performance: performance).first {
                    return Choice(courier: best.courier, reason: "rule \(i + 1): \(rule.text), then \(kind.rawValue)")
                }
            }
        }
        return rank(offers, performance: performance).first.map { Choice(courier: $0.courier, reason: kind.rawValue) }
    }

    /// `offers` best first by the policy; ties go to the cheaper, then the faster, then by code.
    public func rank(_ offers: [CourierSelection.Offer], performance: [String: CourierPerformance]) -> [CourierSelection.Offer] {
        func perf(_ o: CourierSelection.Offer) -> CourierPerformance { performance[o.courier] ?? .assumed(expectedDays: o.expectedDays) }
        func days(_ o: CourierSelection.Offer) -> Double { performance[o.courier].map { $0.samples > 0 ? $0.meanDays : Double(o.expectedDays) } ?? Double(o.expectedDays) }
        let minCost = Double(max(1, offers.map(\.quote.totalPaise).min() ?? 1))
        let minDays = max(0.5, offers.map(days).min() ?? 1)
        let total = Double(max(1, weights.cost + weights.days + weights.rtoRisk))
        func score(_ o: CourierSelection.Offer) -> Double {
            switch kind {
            case .cheapest: return Double(o.quote.totalPaise)
            case .fastest: return days(o)
            case .bestPerforming: return -perf(o).deliveredShare
            case .balanced:
                // Each term is 0 for the best courier on it and grows with how much worse it is.
                let cost = (Double(o.quote.totalPaise) - minCost) / minCost
                let slower = (days(o) - minDays) / minDays
                return (Double(weights.cost) * cost + Double(weights.days) * slower + Double(weights.rtoRisk) * perf(o).rtoShare * 10) / total
            }
        }
        return offers.sorted { a, b in
            let (sa, sb) = (score(a), score(b))
            if sa != sb { return sa < sb }
            if a.quote.totalPaise != b.quote.totalPaise { return a.quote.totalPaise < b.quote.totalPaise }
            if days(a) != days(b) { return days(a) < days(b) }
            return a.courier < b.courier
        }
    }

    /// A rule from its written form: conditions joined by `&`, then `=>`, then the target.
    /// Conditions: `cod`, `prepaid`, `zone=E` (or `D|E`), `value>500000` (paise), `pincode=…|…`,
    /// `prefix=110|400`, `channel=amazon|flipkart`. Targets: `courier=CODE` or `mode=air|surface`.
    /// Example: `cod&zone=E => courier=xpressbees`. A mistake is named with what to write.
    public static func parseRule(_ text: String) -> Result<Rule, RuleError> {
        let halves = text.components(separatedBy: "=>")
        guard halves.count == 2 else { return .failure(RuleError("write conditions => target, e.g. cod&zone=E => courier=xpressbees")) }
        let target: Rule.Target
        let t = halves[1].trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("courier="), case let code = String(t.dropFirst(8)), !code.isEmpty, code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
            target = .courier(code.lowercased())
        } else if t.hasPrefix("mode="), let mode = CourierFields.Mode(rawValue: String(t.dropFirst(5))) {
            target = .mode(mode)
        } else {
            return .failure(RuleError("the target \(t) is not courier=CODE or mode=surface|air"))
        }
        var conditions: [Rule.Condition] = []
        for raw in halves[0].split(separator: "&") {
            let c = raw.trimmingCharacters(in: .whitespaces)
            let values = { (prefix: String) in c.dropFirst(prefix.count).split(separator: "|").map { String($0).trimmingCharacters(in: .whitespaces) } }
            if c == "cod" { conditions.append(.cod(true)) }
            else if c == "prepaid" { conditions.append(.cod(false)) }
            else if c.hasPrefix("zone=") {
                let zones = values("zone=").map { CourierZone(rawValue: $0.uppercased()) }
                guard !zones.isEmpty, zones.allSatisfy({ $0 != nil }) else { return .failure(RuleError("\(c): zones are A, B, C, D or E, joined by |")) }
                conditions.append(.zones(Set(zones.compactMap { $0 })))
            } else if c.hasPrefix("value>"), let v = Int64(c.dropFirst(6)), v >= 0 {
                conditions.append(.valueAbovePaise(v))
            } else if c.hasPrefix("pincode=") {
                let pins = values("pincode=")
                guard !pins.isEmpty, pins.allSatisfy({ $0.count == 6 && $0.allSatisfy(\.isNumber) }) else { return .failure(RuleError("\(c): pincodes are six digits, joined by |")) }
                conditions.append(.pincodes(Set(pins)))
            } else if c.hasPrefix("prefix=") {
                let prefixes = values("prefix=")
                guard !prefixes.isEmpty, prefixes.allSatisfy({ (1...5).contains($0.count) && $0.allSatisfy(\.isNumber) }) else { return .failure(RuleError("\(c): prefixes are 1–5 digits, joined by |")) }
                conditions.append(.prefixes(prefixes))
            } else if c.hasPrefix("channel=") {
                let channels = values("channel=")
                guard !channels.isEmpty, channels.allSatisfy({ !$0.isEmpty }) else { return .failure(RuleError("\(c): name one or more channels, joined by |")) }
                conditions.append(.channels(Set(channels)))
            } else {
                return .failure(RuleError("the condition \(c) is not cod, prepaid, zone=…, value>…, pincode=…, prefix=… or channel=…"))
            }
        }
        guard !conditions.isEmpty else { return .failure(RuleError("a rule needs at least one condition before =>")) }
        return .success(Rule(conditions: conditions, target: target, text: text.trimmingCharacters(in: .whitespaces)))
    }

    /// Why a rule could not be read.
    public struct RuleError: Error, Sendable, Equatable {
        public var message: String
        public init(_ message: String) { self.message = message }
    }
}
