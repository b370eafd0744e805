public import BahiStore

/// The reconciliation report across the two domains it reads: the Orders domain's sales for
/// the period, the Payments domain's money for it — read in one snapshot, so the figures agree.
public enum ReconciliationReportFlow {
    public static func report(_ db: any Database, from: Int64, to: Int64, asOf: Int64) throws -> ReconciliationReport {
        try ReconciliationReport.build(db, from: from, to: to, asOf: asOf, sales: try OrderQueries.sales(db, from: from, to: to))
    }
}
