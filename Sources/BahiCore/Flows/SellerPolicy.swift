public import BahiStore

/// The order rules with the seller profile in force, for the flows that decide tax: intake
/// and edits (the state of registration decides CGST + SGST against IGST) and packing (the
/// invoice's supplier). Orders and fulfilment never read settings themselves; a flow hands
/// them the profile.
public enum SellerPolicy {
    /// `policy` with its seller replaced by the stored profile when one exists (one primary-key
    /// read), so a profile changed by `PUT /v1/settings/seller` applies from the next order
    /// on every node, without a restart.
    public static func applied(_ db: any Database, _ policy: OrderPolicy) throws -> OrderPolicy {
        var policy = policy
        policy.seller = try SellerProfiles.current(db, configured: policy.seller)
        return policy
    }
}
