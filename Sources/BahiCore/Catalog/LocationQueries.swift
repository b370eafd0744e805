public import BahiStore

/// Reads of locations that order intake and allocation need (their SQL is folded into
/// `CatalogRecords` when the catalog's records are merged).
public enum LocationQueries {
    /// The pincode of the highest-priority active location (ties by code), or nil when there
    /// is none: where a small seller without a configured state is registered.
    public static func primaryPincode(_ db: any Database) throws -> String? {
        try db.queryFirst("SELECT pincode FROM locations WHERE active = TRUE ORDER BY priority, code LIMIT 1", StatementArguments([])) { row in
            try row["pincode"] as String
        }
    }

    /// Every active location's code, priority and pincode, in priority then code order: the
    /// candidates an allocation strategy ranks.
    public static func active(_ db: any Database) throws -> [(code: String, priority: Int64, pincode: String)] {
        try db.query("SELECT code, priority, pincode FROM locations WHERE active = TRUE ORDER BY priority, code", StatementArguments([])) { row in
            (code: try row["code"] as String, priority: try row["priority"] as Int64, pincode: try row["pincode"] as String)
        }
    }
}
