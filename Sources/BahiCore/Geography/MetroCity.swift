/// The six metro cities that Indian courier rate cards treat as one tier (zone C, metro to
/// metro, DESIGN §8), and the rule that decides which directory districts belong to each.
///
/// Why a rule over (state, district) rather than a list of pincodes: the India Post directory
/// gives every pincode a district, and couriers' "metro" is the city proper, which maps onto whole
/// revenue districts. The rule, decided from the district names in data/india-pincodes.csv:
///
/// - Delhi: every pincode whose state is Delhi (all 11 NCT districts, New Delhi, Central, North,
///   ..., Shahdara; also 110025, which the directory files under a stray "BUDAUN").
/// - Mumbai: Maharashtra's MUMBAI and MUMBAI SUBURBAN, the two districts of Greater Mumbai
///   (not Thane, Palghar or Raigad).
/// - Kolkata: West Bengal's KOLKATA (not Howrah or the 24 Parganas).
/// - Chennai: Tamil Nadu's CHENNAI (not Chengalpattu, Kanchipuram or Tiruvallur).
/// - Bengaluru: Karnataka's BENGALURU URBAN (not Bengaluru Rural).
/// - Hyderabad: Telangana's HYDERABAD, which holds Secunderabad too (not Medchal–Malkajgiri or
///   Ranga Reddy, whose pincodes are mostly outside the city).
///
/// The state is part of the rule because district names repeat across states (Aurangabad is in
/// both Bihar and Maharashtra). District matching ignores case and punctuation and also accepts
/// the older names Bombay, Calcutta, Madras and Bangalore (Urban).
public enum MetroCity: String, CaseIterable, Sendable, Hashable {
    case delhi
    case mumbai
    case kolkata
    case chennai
    case bengaluru
    case hyderabad

    /// The metro a district belongs to under the rule above, or nil when it is not a metro
    /// district; this is what `CourierZone` uses to tell zone C (and same-city zone A) apart.
    public init?(state: IndianState, district: String) {
        let key = GeographyName.key(district)
        switch state {
        case .delhi:
            self = .delhi
        case .maharashtra where ["mumbai", "mumbaisuburban", "mumbaicity", "bombay"].contains(key):
            self = .mumbai
        case .westBengal where ["kolkata", "calcutta"].contains(key):
            self = .kolkata
        case .tamilNadu where ["chennai", "madras"].contains(key):
            self = .chennai
        case .karnataka where ["bengaluruurban", "bangaloreurban", "bengaluru", "bangalore"].contains(key):
            self = .bengaluru
        case .telangana where key == "hyderabad":
            self = .hyderabad
        default:
            return nil
        }
    }

    /// The city's English name, for messages and rate-card labels.
    public var name: String {
        switch self {
        case .delhi: "Delhi"
        case .mumbai: "Mumbai"
        case .kolkata: "Kolkata"
        case .chennai: "Chennai"
        case .bengaluru: "Bengaluru"
        case .hyderabad: "Hyderabad"
        }
    }

    /// The state the city lies in, so a rate card can show "Mumbai, Maharashtra".
    public var state: IndianState {
        switch self {
        case .delhi: .delhi
        case .mumbai: .maharashtra
        case .kolkata: .westBengal
        case .chennai: .tamilNadu
        case .bengaluru: .karnataka
        case .hyderabad: .telangana
        }
    }
}
