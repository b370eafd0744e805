public import BahiJSON

/// A delivery address as the buyer typed it, the part that address-quality checks read.
///
/// Kept apart from the order's stored address so the checks stay pure and can be run on a
/// checkout form before any order exists.
public struct AddressLines: Sendable, Equatable {
    /// House/flat number, building, street.
    public var line1: String
    /// Area, locality.
    public var line2: String?
    /// A landmark ("near Hanuman temple"): Indian couriers find doors by landmarks.
    public var landmark: String?
    public var city: String?

    public init(line1: String, line2: String? = nil, landmark: String? = nil, city: String? = nil) {
        self.line1 = line1
        self.line2 = line2
        self.landmark = landmark
        self.city = city
    }
}

/// What the scorer needs to know about one order, gathered by the caller from the store.
///
/// History is counted by normalised phone (`IndianPhone.normalise`), the buyer's identity, and
/// by delivery pincode. Negative counts are read as 0.
public struct RTORiskInput: Sendable, Equatable {
    /// Cash on delivery. Prepaid orders carry no RTO risk worth scoring: the money is in.
    public var isCOD: Bool
    /// The order total the buyer pays, in paise.
    public var orderValuePaise: Int64
    /// Earlier orders from the same phone, delivered or not (this order excluded).
    public var customerPreviousOrders: Int
    /// Earlier orders from the same phone that came back to origin (refused, unreachable).
    public var phoneRTOs: Int
    /// Earlier orders from the same phone cancelled before shipping.
    public var phoneCancellations: Int
    /// Earlier orders from the same phone that were delivered, when the caller knows; nil means
    /// "estimate as previous orders − RTOs − cancellations" (in-flight orders then count as
    /// delivered, which errs towards the buyer).
    public var phoneDeliveries: Int?
    /// Earlier orders shipped to the delivery pincode (all buyers).
    public var pincodeOrders: Int
    /// How many of those came back to origin.
    public var pincodeRTOs: Int
    /// The delivery address, for the address-quality checks.
    public var address: AddressLines
    /// The hour the order was placed, 0–23 in Asia/Kolkata (`RTORiskScorer.hourOfDay`).
    public var hourOfDay: Int

    public init(isCOD: Bool, orderValuePaise: Int64, customerPreviousOrders: Int, phoneRTOs: Int,
                phoneCancellations: Int, phoneDeliveries: Int? = nil, pincodeOrders: Int, pincodeRTOs: Int,
                address: AddressLines, hourOfDay: Int) {
        self.isCOD = isCOD
        self.orderValuePaise = orderValuePaise
        self.customerPreviousOrders = customerPreviousOrders
        self.phoneRTOs = phoneRTOs
        self.phoneCancellations = phoneCancellations
        self.phoneDeliveries = phoneDeliveries
        self.pincodeOrders = pincodeOrders
        self.pincodeRTOs = pincodeRTOs
        self.address = address
        self.hourOfDay = hourOfDay
    }
}

/// One factor that moved the score: a stable snake_case `code` for machines (filters, rules,
/// analytics), its `points` (negative lowers the risk) and a sentence for the person reviewing.
public struct RTORiskReason: Sendable, Equatable {
    public var code: String
    public var points: Int
    public var message: String

    public init(code: String, points: Int, message: String) {
        self.code = code
        self.points = points
        self.message = message
    }

    /// `{"code", "points", "message"}`.
    public var json: JSONValue {
        .object(["code": .string(code), "points": .number(JSONNumber(points)), "message": .string(message)])
    }
}

/// An order's return-to-origin risk: a score from 0 (none) to 100 and every reason behind it, so
/// a seller can see why an order was held and a support agent can explain it to the buyer.
public struct RTORisk: Sendable, Equatable {
    /// 0...100; the sum of the reasons' points, clamped.
    public var score: Int
    /// The factors that applied, in the order the model lists them.
    public var reasons: [RTORiskReason]

    public init(score: Int, reasons: [RTORiskReason]) {
        self.score = score
        self.reasons = reasons
    }

    /// `{"score": n, "reasons": [{code, points, message}, ...]}`.
    public var json: JSONValue {
        .object(["score": .number(JSONNumber(score)), "reasons": .array(reasons.map(\.json))])
    }
}

/// Scores the RTO (return to origin) risk of an order. RTO is the Indian D2C seller's biggest
/// leak: a refused COD parcel costs forward and return shipping and ties up stock for weeks, so
/// sellers hold risky COD orders for a confirmation call or ask for prepayment.
///
/// The model is deliberately a transparent additive one rather than a trained classifier: every
/// point is attributable to a reason a seller can read, dispute and tune, and it works from the
/// first order with no training data.
///
/// - Prepaid orders score 0 with no reasons.
/// - COD orders add up these factors, then clamp the sum to 0...100:
///
/// | code | points | when |
/// |---|---|---|
/// | `new_customer` | +15 | no earlier order from this phone |
/// | `returning_customer` | −10 | at least one earlier order from this phone was delivered |
/// | `phone_rto_history` | +25 each, at most +50 | earlier orders to this phone came back |
/// | `phone_cancellations` | +10 each, at most +20 | earlier orders from this phone were cancelled |
/// | `pincode_rto_rate` | +15 (≥ 20 %) or +25 (≥ 40 %) | the pincode has ≥ 5 earlier orders and that share came back |
/// | `address_too_short`, `no_house_number`, `no_landmark` | +10 each | see `AddressQuality` |
/// | `high_value` | +10 (> ₹5,000) or +20 (> ₹15,000) | the order value |
/// | `night_order` | +10 | placed 00:00–05:59 IST |
///
/// The negative `returning_customer` can pull the sum below zero; the clamp makes that 0, so a
/// loyal buyer's clean order is "no risk", never negative.
public enum RTORiskScorer {
    /// ₹5,000 and ₹15,000 in paise, the `high_value` thresholds (strictly above).
    public static let highValuePaise: Int64 = 500_000
    public static let veryHighValuePaise: Int64 = 1_500_000
    /// The fewest earlier orders to a pincode before its RTO rate is trusted: with fewer, one
    /// refusal would label a whole neighbourhood.
    public static let minimumPincodeOrders = 5

    /// The score and its reasons for `input` (see the type's table).
    public static func score(_ input: RTORiskInput) -> RTORisk {
        guard input.isCOD else { return RTORisk(score: 0, reasons: []) }
        var reasons: [RTORiskReason] = []
        let previous = max(0, input.customerPreviousOrders)
        let rtos = max(0, input.phoneRTOs)
        let cancellations = max(0, input.phoneCancellations)

        if previous == 0 {
            reasons.append(RTORiskReason(code: "new_customer", points: 15,
                                         message: "First order from this phone number."))
        } else {
            let delivered = max(0, input.phoneDeliveries ?? (previous - rtos - cancellations))
            if delivered > 0 {
                reasons.append(RTORiskReason(code: "returning_customer", points: -10,
                                             message: "\(delivered) earlier \(plural(delivered, "order", "orders")) to this phone number delivered."))
            }
        }
        if rtos > 0 {
            reasons.append(RTORiskReason(code: "phone_rto_history", points: min(50, 25 * min(rtos, 2)),
                                         message: "\(rtos) earlier \(plural(rtos, "order", "orders")) to this phone number returned to origin."))
        }
        if cancellations > 0 {
            reasons.append(RTORiskReason(code: "phone_cancellations", points: min(20, 10 * min(cancellations, 2)),
                                         message: "\(cancellations) earlier \(plural(cancellations, "order", "orders")) from this phone number cancelled."))
        }
        let pincodeOrders = max(0, input.pincodeOrders)
        let pincodeRTOs = min(max(0, input.pincodeRTOs), pincodeOrders)
        if pincodeOrders >= minimumPincodeOrders {
            // Integer comparisons of the rate: rtos / orders ≥ 40 %  ⇔  100 × rtos ≥ 40 × orders.
            let percent = pincodeRTOs * 100 / pincodeOrders
            let points = pincodeRTOs * 100 >= pincodeOrders * 40 ? 25 : pincodeRTOs * 100 >= pincodeOrders * 20 ? 15 : 0
            if points > 0 {
                reasons.append(RTORiskReason(code: "pincode_rto_rate", points: points,
                                             message: "\(percent) % of \(pincodeOrders) earlier orders to this pincode returned to origin."))
            }
        }
        reasons += AddressQuality.issues(input.address)
        if input.orderValuePaise > veryHighValuePaise {
            reasons.append(RTORiskReason(code: "high_value", points: 20, message: "COD order above ₹15,000."))
        } else if input.orderValuePaise > highValuePaise {
            reasons.append(RTORiskReason(code: "high_value", points: 10, message: "COD order above ₹5,000."))
        }
        if (0...5).contains(input.hourOfDay) {
            reasons.append(RTORiskReason(code: "night_order", points: 10, message: "Placed between midnight and 6 a.m. IST."))
        }
        let sum = reasons.reduce(0) { $0 + $1.points }
        return RTORisk(score: min(100, max(0, sum)), reasons: reasons)
    }

    /// The hour (0–23) in Asia/Kolkata of a Unix time in milliseconds: IST is UTC+5:30 all year
    /// (India has no daylight saving), so this is arithmetic, not a time-zone database lookup.
    public static func hourOfDay(milliseconds: Int64) -> Int {
        let day: Int64 = 86_400_000
        let local = milliseconds.addingReportingOverflow(19_800_000)
        let ms = local.overflow ? milliseconds : local.partialValue
        let ofDay = ((ms % day) + day) % day
        return Int(ofDay / 3_600_000)
    }

    private static func plural(_ n: Int, _ one: String, _ many: String) -> String { n == 1 ? one : many }
}

/// Cheap checks on an address that predict a failed delivery: couriers in India find doors by
/// house number and landmark, and a two-word address is often a fake or a prank COD order.
public enum AddressQuality {
    /// The fewest non-space characters line 1 and line 2 together should have.
    public static let minimumLength = 15

    /// Words that show a landmark was written into the address lines instead of the landmark
    /// field ("Flat 4, near Ram Mandir").
    static let landmarkWords: Set<String> = ["near", "nr", "opp", "opposite", "behind", "beside", "besides", "landmark", "adjacent", "infront"]

    /// The problems found, each a +10 `RTORiskReason`, in this order:
    /// - `address_too_short`: line 1 and line 2 hold fewer than 15 non-space characters together;
    /// - `no_house_number`: no digit (any script) in line 1 or line 2;
    /// - `no_landmark`: the landmark is blank and neither line says "near", "opp", "behind", …
    public static func issues(_ address: AddressLines) -> [RTORiskReason] {
        let lines = [address.line1, address.line2 ?? ""]
        var out: [RTORiskReason] = []
        let length = lines.reduce(0) { $0 + $1.reduce(0) { $1.isWhitespace ? $0 : $0 + 1 } }
        if length < minimumLength {
            out.append(RTORiskReason(code: "address_too_short", points: 10,
                                     message: "Address lines have only \(length) characters."))
        }
        if !lines.contains(where: { $0.contains(where: \.isNumber) }) {
            out.append(RTORiskReason(code: "no_house_number", points: 10,
                                     message: "No house or flat number in the address."))
        }
        let landmarkGiven = !(address.landmark ?? "").allSatisfy(\.isWhitespace)
        if !landmarkGiven, !lines.contains(where: mentionsLandmark) {
            out.append(RTORiskReason(code: "no_landmark", points: 10, message: "No landmark given."))
        }
        return out
    }

    private static func mentionsLandmark(_ line: String) -> Bool {
        line.lowercased().split(whereSeparator: { !$0.isLetter }).contains { landmarkWords.contains(String($0)) }
    }
}
