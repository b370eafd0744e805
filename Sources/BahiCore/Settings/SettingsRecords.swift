import BahiStore

/// Every SQL statement on the Settings domain's table, `seller_profile` (one row).
enum SettingsRecords {
    /// The columns `profile(_:)` reads.
    static let columns = "legal_name, trade_name, gstin, line1, line2, city, state_code, pincode, version, updated_at"

    /// A stored `SellerProfile` from a row selected with `columns`; `corrupt_row` when the stored
    /// state code names no state (the PUT that wrote it checked it).
    static func profile(_ row: Row) throws -> SellerProfile {
        let code: String = try row["state_code"]
        guard let state = IndianState(gstCode: code) else {
            throw DomainError(.corruptRow, "seller_profile.state_code \(code) is not a GST state code.")
        }
        let address = SellerProfile.Address(line1: try row["line1"], line2: try row["line2"], city: try row["city"], state: state, pincode: try row["pincode"])
        return SellerProfile(legalName: try row["legal_name"], tradeName: try row["trade_name"], gstin: try row["gstin"], address: address,
                             source: .stored, version: try row["version"], updatedAt: try row["updated_at"])
    }

    /// The stored profile, or nil when none was ever stored.
    static func profile(_ db: any Database) throws -> SellerProfile? {
        try db.queryFirst("SELECT \(columns) FROM seller_profile WHERE id = 1", [], profile)
    }

    /// Stores the first profile at version 1 unless one exists; returns whether it did.
    static func insert(_ db: any Database, _ p: SellerProfile, actor: String?) throws -> Bool {
        try db.execute(
            """
            INSERT INTO seller_profile (id, \(columns), updated_by) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10)
            ON CONFLICT (id) DO NOTHING
            """,
            [p.legalName, p.tradeName, p.gstin, p.address.line1, p.address.line2, p.address.city, p.address.state?.gstCode ?? "",
             p.address.pincode, p.updatedAt ?? 0, actor]) == 1
    }

    /// Writes `p` over the row and bumps its version, only if the row is still at `version`;
    /// returns whether it did.
    static func update(_ db: any Database, _ p: SellerProfile, expecting version: Int64, actor: String?) throws -> Bool {
        try db.execute(
            """
            UPDATE seller_profile SET legal_name = ?1, trade_name = ?2, gstin = ?3, line1 = ?4, line2 = ?5, city = ?6, state_code = ?7,
                   pincode = ?8, version = version + 1, updated_at = ?9, updated_by = ?10
             WHERE id = 1 AND version = ?11
            """,
            [p.legalName, p.tradeName, p.gstin, p.address.line1, p.address.line2, p.address.city, p.address.state?.gstCode ?? "",
             p.address.pincode, p.updatedAt ?? 0, actor, version]) == 1
    }
}
