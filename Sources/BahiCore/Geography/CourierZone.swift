/// The courier zone of a shipment (DESIGN §8), the key of every Indian courier rate card:
/// the price per 500 g slab depends on the zone, not on distance.
///
/// - A: same city (within one city, see `between`).
/// - B: same state, different city.
/// - C: metro to metro (two of the six `MetroCity` cities, necessarily in different states).
/// - D: rest of India.
/// - E: North-East, Jammu and Kashmir, Ladakh, the islands (`IndianState.isNorthEastOrSpecial`)
///   at either end.
public enum CourierZone: String, CaseIterable, Sendable, Hashable {
    case a = "A"
    case b = "B"
    case c = "C"
    case d = "D"
    case e = "E"

    /// The zone for shipping from `origin` to `destination`; symmetric in its arguments.
    ///
    /// Precedence, first match wins:
    /// 1. A when both are in the same city: the same `MetroCity` (so New Delhi to South Delhi, or
    ///    Mumbai to Mumbai Suburban, is local), or otherwise the same state and the same non-empty
    ///    district. A wins even in a zone-E state: a parcel across Guwahati is a local delivery.
    /// 2. E when either end is in a North-East/J&K/Ladakh/island state: the surcharge applies
    ///    however near the other end is, including within the state.
    /// 3. B when both are in the same state.
    /// 4. C when both are metros (different metros, since same metro was A).
    /// 5. D otherwise.
    ///
    /// A pincode whose district the directory leaves blank never counts as same-district, so
    /// such a shipment is priced at the safer (higher) B or D rather than A.
    public static func between(origin: PincodeInfo, destination: PincodeInfo) -> CourierZone {
        if isSameCity(origin, destination) {
            return .a
        }
        if origin.stateCode.isNorthEastOrSpecial || destination.stateCode.isNorthEastOrSpecial {
            return .e
        }
        if origin.stateCode == destination.stateCode {
            return .b
        }
        if origin.metroCity != nil, destination.metroCity != nil {
            return .c
        }
        return .d
    }

    /// Same metro, or same state and same named district.
    private static func isSameCity(_ one: PincodeInfo, _ other: PincodeInfo) -> Bool {
        if let metro = one.metroCity, metro == other.metroCity {
            return true
        }
        guard one.stateCode == other.stateCode else { return false }
        let district = GeographyName.key(one.district)
        return !district.isEmpty && district == GeographyName.key(other.district)
    }
}
