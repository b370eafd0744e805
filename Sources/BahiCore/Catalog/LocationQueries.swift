public import BahiStore

/// Reads of locations that order intake and allocation need, for other domains (the SQL is in
/// `CatalogRecords`).
public enum LocationQueries {
    /// The pincode of the highest-priority active location (ties by code), or nil when there
    /// is none: where a small seller without a configured state is registered.
    public static func primaryPincode(_ db: any Database) throws -> String? {
        try CatalogRecords.primaryPincode(db)
    }

    /// Every active location's code, priority and pincode, in priority then code order: the
    /// candidates an allocation strategy ranks.
    public static func active(_ db: any Database) throws -> [(code: String, priority: Int64, pincode: String)] {
        try CatalogRecords.activeLocations(db)
    }
}
