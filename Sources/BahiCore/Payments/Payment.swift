/// One payment as the Payments domain records it: whatever reported it (a gateway's webhook,
/// finance by hand), the order it belongs to (nil: an orphan), and where it stands.
public struct Payment: Sendable, Equatable {
    public var id: String
    public var orderID: String?
    public var gateway: String?
    public var gatewayPaymentID: String?
    public var gatewayOrderID: String?
    public var receipt: String?
    public var method: PaymentInstrument?
    public var state: PaymentState
    /// What refunds not failed have taken from it (reserved before a gateway is asked).
    public var refundedPaise: Int64 = 0
    public var actor: String?
    public var createdAt: Int64
    public var updatedAt: Int64
}

/// How the buyer paid, in the gateways' common words.
public enum PaymentInstrument: String, Sendable, CaseIterable {
    case upi, card, netbanking, wallet, emi, cod, other
}

extension Payment {
    /// What may still be refunded: the capture less what refunds have taken (0 uncaptured).
    public var refundablePaise: Int64 { max(0, state.capturedPaise - refundedPaise) }
}

/// Where a payment stands, and the figures that go with it: the pure part of recording a
/// payment, so that out-of-order and repeated reports can be proved to agree.
///
/// Why a merge and not a state machine that refuses moves: gateways deliver at least once and
/// in no particular order (`payment.failed` then `payment.captured` for one payment is normal:
/// a late authorisation). Merging by rank — failed < pending < authorized < captured — is
/// commutative, associative and idempotent, so every permutation and repetition of one
/// payment's reports ends in the same state, and nothing moves a captured payment back.
public struct PaymentState: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable, Comparable {
        case failed, pending, authorized, captured

        /// The order of the merge: a later stage of the same payment wins.
        var rank: Int {
            switch self {
            case .failed: 0
            case .pending: 1
            case .authorized: 2
            case .captured: 3
            }
        }

        public static func < (a: Status, b: Status) -> Bool { a.rank < b.rank }
    }

    public var status: Status
    public var amountPaise: Int64
    /// The gateway's fee, its GST included (Razorpay's `fee`); nil until a report carries it.
    public var feePaise: Int64?
    /// The GST inside the fee.
    public var taxPaise: Int64?
    public var errorCode: String?
    public var errorDescription: String?

    public init(status: Status, amountPaise: Int64, feePaise: Int64? = nil, taxPaise: Int64? = nil, errorCode: String? = nil, errorDescription: String? = nil) {
        self.status = status
        self.amountPaise = amountPaise
        self.feePaise = feePaise
        self.taxPaise = taxPaise
        self.errorCode = errorCode
        self.errorDescription = errorDescription
    }

    /// This state and another report of the same payment, merged: the higher status; the
    /// larger of each figure a report carries (one payment has one amount and one fee, so the
    /// larger is the one reported once known); the error only while failed.
    public func merged(with other: PaymentState) -> PaymentState {
        var result = self
        result.status = max(status, other.status)
        result.amountPaise = max(amountPaise, other.amountPaise)
        result.feePaise = Self.larger(feePaise, other.feePaise)
        result.taxPaise = Self.larger(taxPaise, other.taxPaise)
        if result.status == .failed {
            // Both failed: the larger (code, description) is kept, so the order of the reports
            // cannot change which error is shown.
            let mine = [errorCode ?? "", errorDescription ?? ""], theirs = [other.errorCode ?? "", other.errorDescription ?? ""]
            let pick = theirs.lexicographicallyPrecedes(mine) ? self : other
            result.errorCode = pick.errorCode
            result.errorDescription = pick.errorDescription
        } else {
            result.errorCode = nil
            result.errorDescription = nil
        }
        return result
    }

    private static func larger(_ a: Int64?, _ b: Int64?) -> Int64? {
        switch (a, b) {
        case (nil, nil): nil
        case (let x?, nil), (nil, let x?): x
        case (let x?, let y?): max(x, y)
        }
    }

    /// Money taken: the amount once captured.
    public var capturedPaise: Int64 { status == .captured ? amountPaise : 0 }
}
