/// The bank account a payout refund goes to, as Bahi keeps it: the name, the IFSC and only the
/// last four digits of the account number.
///
/// Why masked at the door: the whole number is needed once, by the person making the transfer,
/// who has it from the buyer; kept anywhere (a row, an event, a log, a backup) it is a liability.
/// The check runs before anything is stored, and nothing but `accountMasked` leaves it.
public struct RefundBeneficiary: Sendable, Equatable {
    public var name: String
    /// `XXXXXX1234`: six X and the last four digits.
    public var accountMasked: String
    public var ifsc: String

    public init(name: String, accountMasked: String, ifsc: String) {
        self.name = name
        self.accountMasked = accountMasked
        self.ifsc = ifsc
    }

    /// A beneficiary from what the buyer gave, or every problem with it: the name 1–100
    /// characters, the account number 9–18 digits (spaces and hyphens allowed between them),
    /// the IFSC four letters, a zero, six letters or digits (upper-cased first).
    public static func checked(name: String, accountNumber: String, ifsc: String) -> Result<RefundBeneficiary, DomainError> {
        var problems: [FieldProblem] = []
        let trimmedName = name.trimmedASCII()
        if trimmedName.isEmpty || trimmedName.count > 100 {
            problems.append(FieldProblem("beneficiary.name", "invalid", "The account holder's name, 1–100 characters."))
        }
        let digits = accountNumber.unicodeScalars.filter { $0 != " " && $0 != "-" }
        if !(9...18).contains(digits.count) || !digits.allSatisfy({ ("0"..."9").contains($0) }) {
            problems.append(FieldProblem("beneficiary.account_number", "invalid", "An Indian bank account number: 9 to 18 digits."))
        }
        let code = ifsc.trimmedASCII().uppercased()
        if !isIFSC(code) {
            problems.append(FieldProblem("beneficiary.ifsc", "invalid", "An IFSC: four letters, a zero, then six letters or digits (e.g. HDFC0001234)."))
        }
        guard problems.isEmpty else { return .failure(DomainError.problems(problems)) }
        let lastFour = String(String.UnicodeScalarView(digits.suffix(4)))
        return .success(RefundBeneficiary(name: trimmedName, accountMasked: "XXXXXX" + lastFour, ifsc: code))
    }

    /// `^[A-Z]{4}0[A-Z0-9]{6}$`.
    public static func isIFSC(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        guard bytes.count == 11 else { return false }
        let letter: (UInt8) -> Bool = { $0 >= 65 && $0 <= 90 }
        let digit: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        return bytes[0..<4].allSatisfy(letter) && bytes[4] == 48 && bytes[5...].allSatisfy { letter($0) || digit($0) }
    }
}
