/// The GST identification number (GSTIN) of a regular taxpayer: 15 characters, checked
/// offline before an invoice carries it.
///
/// Why check it here: a GSTIN printed wrong on a tax invoice denies the buyer input tax credit
/// and fails the seller's GSTR-1 upload, and most mistakes (a transposed or mistyped
/// character) are caught by the check character without asking the GST portal.
///
/// Layout (GSTN's format for regular, composition and casual taxpayers):
///
/// | characters | what | checked |
/// |---|---|---|
/// | 1–2 | the state code of the registration (`24` Gujarat) | a current state or UT code (`IndianState`), equal to the address's state |
/// | 3–12 | the holder's PAN: 5 letters, 4 digits, 1 letter | the shape, and a sequence of `0001`–`9999` (PAN serials never are `0000`) |
/// | 13 | the entity number: how many registrations the PAN has in that state | `1`–`9`, then `A`–`Z` (never `0`) |
/// | 14 | `Z` by default | `Z`: other letters belong to registrations that do not issue these invoices (a TDS deductor's `D`, a TCS collector's `C`, UN bodies and non-resident OIDAR suppliers, whose characters 3–12 are not a PAN either) |
/// | 15 | the check character | GSTN's mod-36 algorithm (`checkCharacter`) |
///
/// The PAN's fourth letter (the holder's status: C company, F firm or LLP, P person, …) is
/// not checked against a list: the portal has added statuses before, and refusing a real
/// GSTIN would stop a seller's invoicing, which is worse than letting an odd one through.
public enum GSTIN {
    /// The length of every GSTIN.
    public static let length = 15

    /// The 36 characters a GSTIN is written in, each standing for its position (0–35).
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    /// The check character (the 15th) for the first 14 characters of a GSTIN, or nil when
    /// `first14` is not 14 characters of `0`–`9` and `A`–`Z`.
    ///
    /// GSTN's algorithm, a Luhn mod 36: each character's value (0–9, then A = 10 … Z = 35) is
    /// multiplied by 1 and 2 alternately from the left; a product's base-36 digits are added
    /// (quotient + remainder by 36); the check value is (36 − sum mod 36) mod 36, written as the
    /// character of that value.
    public static func checkCharacter(_ first14: some StringProtocol) -> Character? {
        let bytes = Array(first14.utf8)
        guard bytes.count == length - 1 else { return nil }
        var sum = 0
        for (i, byte) in bytes.enumerated() {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            let product = value * (i % 2 == 0 ? 1 : 2)
            sum += product / 36 + product % 36
        }
        return Character(UnicodeScalar(alphabet[(36 - sum % 36) % 36]))
    }

    /// Every problem with `gstin` as the GSTIN of a seller registered in `state` (nil: the
    /// state is not known, so only the code's validity is checked), each naming `field` and
    /// saying how to fix it. Empty when it is valid. Letters must be capitals, as GSTNs are
    /// issued; the caller decides whether to upper-case input first.
    public static func problems(_ gstin: String, state: IndianState?, field: String = "gstin") -> [FieldProblem] {
        let b = Array(gstin.utf8)
        guard b.count == length else {
            return [FieldProblem(field, "invalid_gstin", "A GSTIN is 15 characters (e.g. 24AAKFK1234K1ZF); this has \(gstin.count).")]
        }
        func digit(_ x: UInt8) -> Bool { x >= 0x30 && x <= 0x39 }
        func letter(_ x: UInt8) -> Bool { x >= 0x41 && x <= 0x5A }
        let code = String(decoding: b[0..<2], as: UTF8.self)
        guard digit(b[0]), digit(b[1]), let registered = IndianState(gstCode: code) else {
            return [FieldProblem(field, "invalid_gstin", "Characters 1–2 of a GSTIN are the GST state code of the registration (01–38, e.g. 24 for Gujarat); \(code) is none.")]
        }
        let pan = b[2..<12]
        let panShape = pan.prefix(5).allSatisfy(letter) && pan.dropFirst(5).prefix(4).allSatisfy(digit) && letter(pan[pan.startIndex + 9])
        guard panShape else {
            return [FieldProblem(field, "invalid_gstin", "Characters 3–12 of a GSTIN are the holder's PAN: 5 capital letters, 4 digits, 1 capital letter (AAKFK1234K).")]
        }
        guard pan.dropFirst(5).prefix(4).contains(where: { $0 != 0x30 }) else {
            return [FieldProblem(field, "invalid_gstin", "Characters 8–11 of a GSTIN are the PAN's sequence number, 0001 to 9999; 0000 is never issued.")]
        }
        guard (b[12] >= 0x31 && b[12] <= 0x39) || letter(b[12]) else {
            return [FieldProblem(field, "invalid_gstin", "Character 13 of a GSTIN is the entity number of the registration within the state: 1–9, then A–Z (never 0).")]
        }
        guard b[13] == UInt8(ascii: "Z") else {
            return [FieldProblem(field, "invalid_gstin", "Character 14 of a regular taxpayer's GSTIN is Z.")]
        }
        guard let check = checkCharacter(String(decoding: b[0..<14], as: UTF8.self)),
              Character(UnicodeScalar(b[14])) == check else {
            return [FieldProblem(field, "invalid_gstin",
                                 "The check character (the 15th) does not match the first 14: a character is mistyped or two are swapped. Copy the GSTIN from the registration certificate (REG-06).")]
        }
        if let state, state != registered {
            return [FieldProblem(field, "state_mismatch",
                                 "This GSTIN is registered in \(registered.name) (state code \(registered.gstCode)), but the address is in \(state.name) (\(state.gstCode)). Use the GSTIN of the \(state.name) registration, or the address registered with this one.")]
        }
        return []
    }

    /// Whether `gstin` is a valid GSTIN of any state.
    public static func isValid(_ gstin: String) -> Bool {
        problems(gstin, state: nil).isEmpty
    }
}
