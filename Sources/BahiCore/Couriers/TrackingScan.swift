/// One scan in a parcel's history, as a courier reported it.
///
/// Why every scan is kept, even those that map to no status or arrive late: the history is
/// what support shows a buyer and what a fake-attempt dispute needs, and a scan that changes
/// nothing today is still a fact. A scan is identified by its shipment's AWB, `at` and `code`
/// (`identity`): providers resend whole histories, and Shiprocket's own sample has two scans
/// at the same second with different codes.
public struct TrackingScan: Sendable, Equatable {
    /// When the scan happened, Unix milliseconds (the courier's local time read as IST).
    public var at: Int64
    /// The courier's own scan code (Delhivery's NSL code such as `X-PPOM` or `EOD-11`), or the
    /// provider's status code when the scan carries none.
    public var code: String
    /// What the courier says happened (`In Transit - Shipment picked up`).
    public var label: String?
    /// Where (`Chomu_SamodRd_D (Rajasthan)`).
    public var location: String?
    /// The shipment status the scan's provider status maps to (`CourierStatusTable`); nil when
    /// it maps to none (`"sr-status": "NA"`, an informational or unknown code).
    public var status: ShipmentStatus?

    /// A scan.
    public init(at: Int64, code: String, label: String? = nil, location: String? = nil, status: ShipmentStatus? = nil) {
        self.at = at
        self.code = code
        self.label = label
        self.location = location
        self.status = status
    }

    /// The scan's identity within one AWB's history: its time and code.
    public var identity: String { "\(at)|\(code)" }

    /// `scans` with repeats (same time and code) dropped, the first kept, in time order (a
    /// stable sort: scans at the same millisecond keep the provider's order).
    static func history(_ scans: [TrackingScan]) -> [TrackingScan] {
        var seen = Set<String>()
        let unique = scans.filter { seen.insert($0.identity).inserted }
        return unique.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }
}
