public import BahiJSON

/// Everything about a courier that `PUT /v1/couriers/{code}` sets.
///
/// Why couriers are rows and not code: a seller's couriers, their cards and their limits
/// change with every renegotiation and differ per seller; an adapter (how to book with
/// `provider`) is code, but which couriers exist and what they cost is data.
public struct CourierFields: Sendable, Equatable {
    /// How Bahi books with the courier: by hand, from a pool of pre-issued waybills, or through
    /// Shiprocket's or Delhivery's API (`ShiprocketAPI`, `DelhiveryAPI`).
    public enum Provider: String, Sendable, CaseIterable {
        case manual
        case waybillPool = "waybill_pool"
        case shiprocket
        case delhivery
    }

    /// Surface or air: it decides the expected days (`expectedDays`).
    public enum Mode: String, Sendable, CaseIterable {
        case surface
        case air

        /// Days from pickup to delivery by zone, until learned performance replaces them:
        /// surface A 2, B 3, C 4, D 5, E 7; air A 1, B 2, C 2, D 3, E 4 (the spread of
        /// Shiprocket's `estimated_delivery_days` for its surface and air couriers).
        public func expectedDays(_ zone: CourierZone) -> Int64 {
            switch (self, zone) {
            case (.surface, .a): 2
            case (.surface, .b): 3
            case (.surface, .c): 4
            case (.surface, .d): 5
            case (.surface, .e): 7
            case (.air, .a): 1
            case (.air, .b), (.air, .c): 2
            case (.air, .d): 3
            case (.air, .e): 4
            }
        }
    }

    public var name: String
    public var provider: Provider
    public var mode: Mode
    /// The heaviest parcel it takes: dead or volumetric weight above this is `overweight`.
    public var maxWeightG: Int64
    /// Whether it collects cash on delivery at all (each pincode may still refuse COD).
    public var cod = false
    /// An inactive courier is listed but never quoted (`inactive`).
    public var active = true
    /// The latest time of day (IST, "HH:MM") a parcel is handed over for the same day's pickup.
    public var pickupCutoff = "14:00"
    /// Parcels it picks up a day; nil: no limit.
    public var dailyPickupCapacity: Int64?
    public var rateCard: RateCard
    /// States priced as zone E besides the built-in ones (`IndianState.isNorthEastOrSpecial`):
    /// Shiprocket adds Kerala and Himachal Pradesh. Sorted by GST code, no repeats.
    public var zoneEStates: [IndianState] = []
    /// Shiprocket only: the courier company's id at Shiprocket (`courier_id` of `courier/assign/awb`:
    /// 43 Delhivery Surface, 1 Blue Dart, …). Required to book through Shiprocket.
    public var providerCourierID: String?
    /// Shiprocket and Delhivery: the pickup location (warehouse) name exactly as registered with
    /// the provider. Required to book through either.
    public var pickupLocation: String?

    public init(name: String, provider: Provider, mode: Mode, maxWeightG: Int64, rateCard: RateCard) {
        self.name = name
        self.provider = provider
        self.mode = mode
        self.maxWeightG = maxWeightG
        self.rateCard = rateCard
    }

    /// Accepted maximum weights (1 g to 1 tonne).
    public static let maxWeightRange: ClosedRange<Int64> = 1...1_000_000
    /// Accepted daily pickup capacities.
    public static let capacityRange: ClosedRange<Int64> = 1...1_000_000

    /// Whether `text` is a time of day as `HH:MM` (24-hour, two digits each).
    public static func isCutoff(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 5, b[2] == UInt8(ascii: ":"), b.enumerated().allSatisfy({ $0.offset == 2 || (0x30...0x39).contains($0.element) }) else { return false }
        let hours = Int(b[0] - 0x30) * 10 + Int(b[1] - 0x30), minutes = Int(b[3] - 0x30) * 10 + Int(b[4] - 0x30)
        return hours < 24 && minutes < 60
    }

    /// Every problem, each named as the request spells the field.
    public func problems() -> [FieldProblem] {
        var out = CatalogRules.nameProblems(name)
        if let p = CatalogRules.rangeProblem(maxWeightG, Self.maxWeightRange, field: "max_weight_g") { out.append(p) }
        if !Self.isCutoff(pickupCutoff) {
            out.append(FieldProblem("pickup_cutoff", "invalid", "A time of day as HH:MM, 24-hour (\"14:00\"), India Standard Time."))
        }
        if let capacity = dailyPickupCapacity, let p = CatalogRules.rangeProblem(capacity, Self.capacityRange, field: "daily_pickup_capacity") { out.append(p) }
        if let id = providerCourierID {
            if provider != .shiprocket {
                out.append(FieldProblem("provider_courier_id", "not_allowed", "Only a shiprocket courier has a provider courier id."))
            } else if !(1...12).contains(id.utf8.count) || !id.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
                out.append(FieldProblem("provider_courier_id", "invalid", "Shiprocket's courier company id: 1 to 12 digits (43 is Delhivery Surface)."))
            }
        }
        if let location = pickupLocation {
            if provider != .shiprocket && provider != .delhivery {
                out.append(FieldProblem("pickup_location", "not_allowed", "Only a shiprocket or delhivery courier has a pickup location at the provider."))
            } else if !(1...100).contains(location.count) || location.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                out.append(FieldProblem("pickup_location", "invalid", "The pickup location's name as registered with the provider: 1 to 100 characters, no control characters."))
            }
        }
        return out + rateCard.problems()
    }

    /// The JSON names of the fields that differ from `other`.
    public func changedFields(from other: CourierFields) -> [String] {
        var names: [String] = []
        if name != other.name { names.append("name") }
        if provider != other.provider { names.append("provider") }
        if mode != other.mode { names.append("mode") }
        if maxWeightG != other.maxWeightG { names.append("max_weight_g") }
        if cod != other.cod { names.append("cod") }
        if active != other.active { names.append("active") }
        if pickupCutoff != other.pickupCutoff { names.append("pickup_cutoff") }
        if dailyPickupCapacity != other.dailyPickupCapacity { names.append("daily_pickup_capacity") }
        if rateCard != other.rateCard { names.append("rate_card") }
        if zoneEStates != other.zoneEStates { names.append("zone_e_states") }
        if providerCourierID != other.providerCourierID { names.append("provider_courier_id") }
        if pickupLocation != other.pickupLocation { names.append("pickup_location") }
        return names
    }

    /// The courier's zone between two places: `CourierZone.between`, raised to E when either
    /// end lies in one of `zoneEStates`. Same-city A stays A, as it does in the built-in
    /// zone-E states (a parcel across Kochi is a local delivery for any courier).
    public func zone(from origin: PincodeInfo, to destination: PincodeInfo) -> CourierZone {
        zone(base: CourierZone.between(origin: origin, destination: destination), from: origin, to: destination)
    }

    /// `zone(from:to:)` given `base`, the places' `CourierZone.between`: a quote decides that
    /// once for all its couriers.
    func zone(base zone: CourierZone, from origin: PincodeInfo, to destination: PincodeInfo) -> CourierZone {
        guard zone != .a, zone != .e, !zoneEStates.isEmpty else { return zone }
        return zoneEStates.contains(origin.stateCode) || zoneEStates.contains(destination.stateCode) ? .e : zone
    }
}

/// A courier as stored.
public struct Courier: Sendable, Equatable {
    /// The merchant's code for it (the URL key): `delhivery-surface`, `bluedart-air`.
    public var code: String
    public var fields: CourierFields
    /// Pincodes in its serviceability table, and when the table was last replaced.
    public var serviceablePincodes: Int64 = 0
    public var serviceabilityUpdatedAt: Int64?
    public var version: Int64
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(code: String, fields: CourierFields, version: Int64, createdAt: Int64, updatedAt: Int64) {
        self.code = code
        self.fields = fields
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The courier as the API shows it and its events carry it.
    public var json: JSONValue {
        let f = fields
        return .object([
            "code": .string(code), "name": .string(f.name), "provider": .string(f.provider.rawValue), "mode": .string(f.mode.rawValue),
            "max_weight_g": .int(f.maxWeightG), "cod": .bool(f.cod), "active": .bool(f.active), "pickup_cutoff": .string(f.pickupCutoff),
            "daily_pickup_capacity": f.dailyPickupCapacity.map(JSONValue.int) ?? .null,
            "rate_card": f.rateCard.json,
            "zone_e_states": .array(f.zoneEStates.map { .string($0.name) }),
            "provider_courier_id": .optional(f.providerCourierID), "pickup_location": .optional(f.pickupLocation),
            "serviceability": .object([
                "pincodes": .int(serviceablePincodes),
                "updated_at": serviceabilityUpdatedAt.map { .string(Timestamps.rfc3339(milliseconds: $0)) } ?? .null,
            ]),
            "version": .int(version),
            "created_at": .string(Timestamps.rfc3339(milliseconds: createdAt)),
            "updated_at": .string(Timestamps.rfc3339(milliseconds: updatedAt)),
        ])
    }
}
