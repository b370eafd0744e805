public import BahiStore

extension BahiSchema {
    /// Every Bahi table (views and `schema_migrations` aside), parents before the tables whose
    /// foreign keys point at them: the order `bahi copy` fills a target in, so every row's
    /// parent is already there on an engine that checks keys as rows arrive.
    ///
    /// Why a list here and not read from the catalogue: BahiStore must not know Bahi's tables,
    /// and the one engine-specific column (`events.position`, PostgreSQL's insert order) needs
    /// saying anyway. A test checks the list against both schemas — every table present, every
    /// foreign key pointing backwards — so a new table cannot be forgotten.
    public static let tables: [TableCopier.Table] = [
        .init("api_keys"),
        .init("idempotency_keys"),
        // The feed's order, kept: `seq` as it is; PostgreSQL's `position` (insert order)
        // takes the same number, so events copied in keep their places before new ones.
        .init("events", orderBy: "seq", engineColumns: ["position": "seq"]),
        .init("leases"),
        .init("skus"),
        .init("kit_components"),
        .init("locations"),
        .init("channels"),
        .init("channel_sku_buffers"),
        .init("stock_levels"),
        .init("stock_movements"),
        .init("stock_audit_checkpoints"),
        .init("reservations"),
        .init("reservation_allocations"),
        .init("orders"),
        .init("order_lines"),
        .init("order_history"),
        // Built from orders (names for search); copied as rows like any table. PostgreSQL's
        // rows carry their orders' creation times (the name search's order; SQLite keeps
        // them in the rowid, which `renumberSearch` sets after a copy) and the terms
        // PostgreSQL generates from both (generated columns are not copied).
        .init("order_search", derivedColumns: ["created_at": "SELECT o.created_at FROM orders o WHERE o.id = order_search.order_id"]),
        .init("customer_stats"),
        .init("pincode_stats"),
        .init("payments"),
        .init("gateway_events"),
        .init("payment_mismatches"),
        .init("refunds"),
        .init("settlement_lines"),
        .init("cod_remittances"),
        .init("shipments"),
        .init("shipment_lines"),
        .init("picklists"),
        // The packing queue's stored sort keys (built from shipments and orders; copied as rows).
        .init("fulfilment_queue"),
        .init("fulfilment_queue_rules"),
        // Its per-location counts, copied as rows: equal to the copied queue's.
        .init("fulfilment_queue_counts"),
        .init("invoice_series"),
        .init("invoices"),
        .init("seller_profile"),
        .init("webhook_endpoints"),
        .init("webhook_deliveries"),
        .init("webhook_attempts"),
        .init("couriers"),
        .init("courier_rates"),
        .init("courier_pincodes"),
        .init("courier_waybills"),
        .init("tracking_scans"),
        .init("tracking_parked"),
        .init("shipment_ndrs"),
        .init("courier_performance"),
        .init("manifests"),
        .init("rto_receipts"),
        .init("rto_receipt_lines"),
    ]
}
