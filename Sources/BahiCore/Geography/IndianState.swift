/// The 36 states and union territories of India, each with its GST state code as the raw value.
///
/// Why an enum: the GST place of supply (CGST + SGST within a state, IGST across states) and the
/// courier zone both hinge on "which state", and free-text state names from buyers and from the
/// India Post directory disagree in spelling ("Orissa", "Pondicherry", "J&K", "THE DADRA AND
/// NAGAR HAVELI AND DAMAN AND DIU"). Everything downstream compares these cases, never strings.
///
/// Raw values are the two-digit codes of the official GST state code list (also the first two
/// characters of a GSTIN). The retired codes 25 (Daman and Diu, merged into 26 in January 2020)
/// and 28 (undivided Andhra Pradesh) and the non-state codes 97 (Other Territory) and 99
/// (Centre Jurisdiction) are deliberately absent. Being raw values, the codes are unique by
/// construction: the compiler rejects a duplicate.
public enum IndianState: String, CaseIterable, Sendable, Hashable {
    case jammuAndKashmir = "01"
    case himachalPradesh = "02"
    case punjab = "03"
    case chandigarh = "04"
    case uttarakhand = "05"
    case haryana = "06"
    case delhi = "07"
    case rajasthan = "08"
    case uttarPradesh = "09"
    case bihar = "10"
    case sikkim = "11"
    case arunachalPradesh = "12"
    case nagaland = "13"
    case manipur = "14"
    case mizoram = "15"
    case tripura = "16"
    case meghalaya = "17"
    case assam = "18"
    case westBengal = "19"
    case jharkhand = "20"
    case odisha = "21"
    case chhattisgarh = "22"
    case madhyaPradesh = "23"
    case gujarat = "24"
    case dadraAndNagarHaveliAndDamanAndDiu = "26"
    case maharashtra = "27"
    case karnataka = "29"
    case goa = "30"
    case lakshadweep = "31"
    case kerala = "32"
    case tamilNadu = "33"
    case puducherry = "34"
    case andamanAndNicobarIslands = "35"
    case telangana = "36"
    case andhraPradesh = "37"
    case ladakh = "38"

    /// The two-digit GST state code ("24" for Gujarat): what an invoice prints as the place of
    /// supply and what the first two characters of a GSTIN registered here are.
    public var gstCode: String { rawValue }

    /// Looks a state up by its two-digit GST code, so a GSTIN's prefix or a stored code can be
    /// turned back into a state. Nil for codes that name no current state (25, 28, 97, 99, ...).
    public init?(gstCode: String) {
        self.init(rawValue: gstCode)
    }

    /// The official English name, for invoices and messages ("Tamil Nadu", not "TAMIL NADU").
    public var name: String {
        switch self {
        case .jammuAndKashmir: "Jammu and Kashmir"
        case .himachalPradesh: "Himachal Pradesh"
        case .punjab: "Punjab"
        case .chandigarh: "Chandigarh"
        case .uttarakhand: "Uttarakhand"
        case .haryana: "Haryana"
        case .delhi: "Delhi"
        case .rajasthan: "Rajasthan"
        case .uttarPradesh: "Uttar Pradesh"
        case .bihar: "Bihar"
        case .sikkim: "Sikkim"
        case .arunachalPradesh: "Arunachal Pradesh"
        case .nagaland: "Nagaland"
        case .manipur: "Manipur"
        case .mizoram: "Mizoram"
        case .tripura: "Tripura"
        case .meghalaya: "Meghalaya"
        case .assam: "Assam"
        case .westBengal: "West Bengal"
        case .jharkhand: "Jharkhand"
        case .odisha: "Odisha"
        case .chhattisgarh: "Chhattisgarh"
        case .madhyaPradesh: "Madhya Pradesh"
        case .gujarat: "Gujarat"
        case .dadraAndNagarHaveliAndDamanAndDiu: "Dadra and Nagar Haveli and Daman and Diu"
        case .maharashtra: "Maharashtra"
        case .karnataka: "Karnataka"
        case .goa: "Goa"
        case .lakshadweep: "Lakshadweep"
        case .kerala: "Kerala"
        case .tamilNadu: "Tamil Nadu"
        case .puducherry: "Puducherry"
        case .andamanAndNicobarIslands: "Andaman and Nicobar Islands"
        case .telangana: "Telangana"
        case .andhraPradesh: "Andhra Pradesh"
        case .ladakh: "Ladakh"
        }
    }

    /// True for the North-Eastern states (Arunachal Pradesh, Assam, Manipur, Meghalaya, Mizoram,
    /// Nagaland, Sikkim, Tripura), Jammu and Kashmir, Ladakh and the island territories (Andaman
    /// and Nicobar, Lakshadweep): the places couriers price as their own zone E (DESIGN §8)
    /// because of distance, terrain and restricted or sea/air-only access.
    public var isNorthEastOrSpecial: Bool {
        switch self {
        case .arunachalPradesh, .assam, .manipur, .meghalaya, .mizoram, .nagaland, .sikkim, .tripura,
             .jammuAndKashmir, .ladakh, .andamanAndNicobarIslands, .lakshadweep:
            true
        default:
            false
        }
    }

    /// Reads a state name the way buyers, marketplaces and India Post write it, so an address form
    /// or an imported order can be matched to a state without exact spelling.
    ///
    /// Matching ignores case, spaces and punctuation, reads `&` as "and" and drops a leading
    /// "The": "TAMIL NADU", "tamilnadu", "Jammu & Kashmir" and "J&K" all match. Besides the
    /// official names it accepts common older and variant spellings: Orissa, Pondicherry,
    /// Uttaranchal, Chattisgarh, Kerela, NCT of Delhi, New Delhi, A&N Islands, and the two
    /// pre-2020 territories Dadra and Nagar Haveli / Daman and Diu (now one territory). Returns
    /// nil for anything else, including state abbreviations, which are too ambiguous to guess.
    public init?(name: String) {
        let key = GeographyName.key(name)
        guard !key.isEmpty, let state = IndianState.byNameKey[key] else { return nil }
        self = state
    }

    /// Normalized spelling → state, built once from `name` plus the aliases below.
    private static let byNameKey: [String: IndianState] = {
        var table: [String: IndianState] = [:]
        for state in IndianState.allCases {
            table[GeographyName.key(state.name)] = state
        }
        let aliases: [(String, IndianState)] = [
            ("J&K", .jammuAndKashmir),
            ("Jammu Kashmir", .jammuAndKashmir),
            ("NCT of Delhi", .delhi),
            ("National Capital Territory of Delhi", .delhi),
            ("New Delhi", .delhi),
            ("Orissa", .odisha),
            ("Pondicherry", .puducherry),
            ("Uttaranchal", .uttarakhand),
            ("Chattisgarh", .chhattisgarh),
            ("Chhatisgarh", .chhattisgarh),
            ("Kerela", .kerala),
            ("Telengana", .telangana),
            ("Arunanchal Pradesh", .arunachalPradesh),
            ("Lakshadweep Islands", .lakshadweep),
            ("Lakshwadeep", .lakshadweep),
            ("Andaman and Nicobar", .andamanAndNicobarIslands),
            ("A&N Islands", .andamanAndNicobarIslands),
            ("Dadra and Nagar Haveli", .dadraAndNagarHaveliAndDamanAndDiu),
            ("Daman and Diu", .dadraAndNagarHaveliAndDamanAndDiu),
            ("DNHDD", .dadraAndNagarHaveliAndDamanAndDiu),
        ]
        for (alias, state) in aliases {
            table[GeographyName.key(alias)] = state
        }
        return table
    }()
}

/// Name normalization shared by state and district matching.
enum GeographyName {
    /// A comparison key for a place name: ASCII letters and digits lowercased and run together,
    /// `&` read as "and", a leading "the" dropped, everything else (spaces, dots, hyphens,
    /// non-ASCII) ignored. "The Dadra & Nagar Haveli" → "dadraandnagarhaveli".
    static func key(_ name: String) -> String {
        var words: [[UInt8]] = []
        var word: [UInt8] = []
        func endWord() {
            if !word.isEmpty {
                words.append(word)
                word = []
            }
        }
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                word.append(byte + 32)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                word.append(byte)
            case UInt8(ascii: "&"):
                endWord()
                words.append(Array("and".utf8))
            default:
                endWord()
            }
        }
        endWord()
        if words.count > 1, words[0] == Array("the".utf8) {
            words.removeFirst()
        }
        return String(decoding: words.joined(), as: UTF8.self)
    }
}
