-- Bahi: the whole current schema, for a person to read.
--
-- `bahi migrate` (and `bahi serve` at start) brings an older database here through the
-- numbered migrations in Sources/BahiCore/Schema/BahiSchema.swift; a test applies them to an
-- empty file and checks the result equals this file, so the two cannot drift.
--
-- Conventions (DESIGN §2, §3): STRICT tables; money in paise (INTEGER); times as Unix
-- milliseconds UTC (INTEGER); ids Bahi creates are prefixed text (key_…, evt_…); WAL,
-- foreign_keys=ON, synchronous=FULL by default.

-- Which migrations have run (kept by the migrator).
CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
) STRICT;

-- API keys. Only the SHA-256 of the secret is stored; the secret is shown once.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,                -- key_…
    name         TEXT NOT NULL,                   -- who or what uses it ("Shopify storefront")
    role         TEXT NOT NULL CHECK (role IN ('admin', 'storefront', 'warehouse', 'finance', 'support')),
    channel      TEXT,                            -- a storefront key acts for exactly one channel
    secret_hash  BLOB NOT NULL UNIQUE,            -- SHA-256 of "bahi_…"
    secret_hint  TEXT NOT NULL,                   -- "bahi_…wxyz", to tell keys apart
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    CHECK ((role = 'storefront') = (channel IS NOT NULL))
) STRICT;

-- Idempotency-Key records: the response of a successful POST, replayed for the same key
-- and body, written in the same transaction as the effect it guards.
CREATE TABLE idempotency_keys (
    owner            TEXT NOT NULL,               -- the API key id that sent it
    key              TEXT NOT NULL,               -- the client's Idempotency-Key
    request_hash     BLOB NOT NULL,               -- SHA-256 of method, path and body
    status           INTEGER NOT NULL,
    response_headers TEXT NOT NULL,               -- JSON array of [name, value]
    response_body    BLOB NOT NULL,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    PRIMARY KEY (owner, key)
) STRICT;
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- Every state change, appended in the transaction that made it: the outbox for webhooks,
-- notifications, channel feeds and analytics, and the audit trail. seq never repeats.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,             -- evt_…
    type        TEXT NOT NULL,                    -- "order.created", "key.revoked", …
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    payload     TEXT NOT NULL,                    -- JSON object
    actor       TEXT,                             -- API key id, or "cli"
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX events_type ON events (type, seq);
CREATE INDEX events_entity ON events (entity_type, entity_id, seq);

-- ───────────────────────────── catalog, locations, channels, stock (migration 2) ─────────────

-- Products by the merchant's SKU code (the URL key). Money in paise, GST in basis points.
CREATE TABLE skus (
    sku                 TEXT PRIMARY KEY,         -- merchant's code: 1–64 of A–Z a–z 0–9 . _ -
    name                TEXT NOT NULL,
    mrp_paise           INTEGER NOT NULL CHECK (mrp_paise >= 0),
    price_paise         INTEGER NOT NULL CHECK (price_paise >= 0 AND price_paise <= mrp_paise),
    weight_g            INTEGER NOT NULL DEFAULT 0 CHECK (weight_g >= 0),
    length_mm           INTEGER NOT NULL DEFAULT 0 CHECK (length_mm >= 0),
    width_mm            INTEGER NOT NULL DEFAULT 0 CHECK (width_mm >= 0),
    height_mm           INTEGER NOT NULL DEFAULT 0 CHECK (height_mm >= 0),
    hsn                 TEXT NOT NULL DEFAULT '',
    gst_rate_bps        INTEGER NOT NULL DEFAULT 0 CHECK (gst_rate_bps BETWEEN 0 AND 10000),
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    returnable          INTEGER NOT NULL DEFAULT 1 CHECK (returnable IN (0, 1)),
    return_window_days  INTEGER NOT NULL DEFAULT 7 CHECK (return_window_days >= 0),
    low_stock_threshold INTEGER NOT NULL DEFAULT 0 CHECK (low_stock_threshold >= 0),
    reorder_point       INTEGER NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    reorder_qty         INTEGER NOT NULL DEFAULT 0 CHECK (reorder_qty >= 0),
    is_kit              INTEGER NOT NULL DEFAULT 0 CHECK (is_kit IN (0, 1)),
    version             INTEGER NOT NULL DEFAULT 1,  -- optimistic concurrency (ETag / If-Match)
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX skus_name ON skus (name);

-- A kit has no stock of its own: it is sold as its components.
CREATE TABLE kit_components (
    kit_sku       TEXT NOT NULL REFERENCES skus (sku),
    component_sku TEXT NOT NULL REFERENCES skus (sku),
    qty           INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (kit_sku, component_sku),
    CHECK (kit_sku <> component_sku)
) STRICT;
CREATE INDEX kit_components_component ON kit_components (component_sku);

-- Warehouses, stores, dark stores. State and district come from the India Post pincode.
CREATE TABLE locations (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    pincode    TEXT NOT NULL,
    state      TEXT NOT NULL,
    district   TEXT NOT NULL,
    address    TEXT NOT NULL DEFAULT '',
    priority   INTEGER NOT NULL DEFAULT 100,      -- lower ships first
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Where orders come from, and how much of the stock each may sell.
CREATE TABLE channels (
    code               TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('website', 'app', 'marketplace', 'social', 'pos', 'b2b')),
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    buffer_bps         INTEGER NOT NULL DEFAULT 0 CHECK (buffer_bps BETWEEN 0 AND 10000),  -- % kept back, in basis points
    buffer_units       INTEGER NOT NULL DEFAULT 0 CHECK (buffer_units >= 0),               -- units kept back
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;

-- A per-SKU buffer for one channel replaces the channel's global buffer for that SKU.
CREATE TABLE channel_sku_buffers (
    channel      TEXT NOT NULL REFERENCES channels (code),
    sku          TEXT NOT NULL REFERENCES skus (sku),
    buffer_bps   INTEGER NOT NULL DEFAULT 0 CHECK (buffer_bps BETWEEN 0 AND 10000),
    buffer_units INTEGER NOT NULL DEFAULT 0 CHECK (buffer_units >= 0),
    PRIMARY KEY (channel, sku)
) STRICT;

-- The live ledger's balances. available = on_hand - reserved - safety_stock (shown as at
-- least 0). Every change is one stock_movements row; levels always equal their sums.
CREATE TABLE stock_levels (
    sku          TEXT NOT NULL REFERENCES skus (sku),
    location     TEXT NOT NULL REFERENCES locations (code),
    on_hand      INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved     INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    safety_stock INTEGER NOT NULL DEFAULT 0 CHECK (safety_stock >= 0),
    damaged      INTEGER NOT NULL DEFAULT 0 CHECK (damaged >= 0),
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (sku, location)
) STRICT;
CREATE INDEX stock_levels_location ON stock_levels (location, sku);

-- Append-only: every change to on_hand, reserved or damaged, with why and who.
-- (Rebuilt by migration 4: OR-list CHECK, no AUTOINCREMENT — rows are never deleted.)
CREATE TABLE stock_movements (
    id             INTEGER PRIMARY KEY,
    sku            TEXT NOT NULL,
    location       TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind = 'receive' OR kind = 'adjust' OR kind = 'count' OR kind = 'reserve' OR kind = 'release'
                                        OR kind = 'ship' OR kind = 'restock_return' OR kind = 'restock_rto' OR kind = 'damage'
                                        OR kind = 'transfer_out' OR kind = 'transfer_in'),
    on_hand_delta  INTEGER NOT NULL DEFAULT 0,
    reserved_delta INTEGER NOT NULL DEFAULT 0,
    damaged_delta  INTEGER NOT NULL DEFAULT 0,
    reference      TEXT,                          -- res_…, ord_…, shp_…, import batch, …
    reason         TEXT,
    actor          TEXT,
    created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX stock_movements_sku ON stock_movements (sku, id);

-- Checkout holds: stock reserved for a channel until converted, released or expired.
-- (Rebuilt by migration 4: OR-list CHECK, WITHOUT ROWID, as are the allocations.)
CREATE TABLE reservations (
    id          TEXT PRIMARY KEY,                 -- res_…
    channel     TEXT NOT NULL REFERENCES channels (code),
    reference   TEXT,
    status      TEXT NOT NULL CHECK (status = 'active' OR status = 'released' OR status = 'expired' OR status = 'converted'),
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    closed_at   INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX reservations_active ON reservations (expires_at) WHERE status = 'active';

-- What a hold took, per stocked SKU and location (a kit line holds its components).
CREATE TABLE reservation_allocations (
    reservation_id TEXT NOT NULL REFERENCES reservations (id),
    line           INTEGER NOT NULL,              -- index of the requested line
    sku            TEXT NOT NULL,                 -- the SKU asked for (maybe a kit)
    stock_sku      TEXT NOT NULL,                 -- the SKU whose stock is held
    location       TEXT NOT NULL,
    qty            INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (reservation_id, line, stock_sku, location)
) STRICT, WITHOUT ROWID;

-- ───────────────────────────── orders and fulfilment (migration 3) ─────────────────────────

-- From here on, CHECKs list allowed values with OR, not IN (…): for an IN list SQLite builds a
-- temporary index on every INSERT, and these tables take one or more rows per order.
-- Orders from every channel. Money in paise; totals are computed by Bahi (GST-inclusive
-- prices, tax rounded once per line). status follows DESIGN §5; payment_status and
-- fulfilment_status are stored beside it.
CREATE TABLE orders (
    id                  TEXT PRIMARY KEY,         -- ord_…
    channel             TEXT NOT NULL REFERENCES channels (code),
    channel_order_ref   TEXT NOT NULL,            -- the channel's own order number; unique per channel
    status              TEXT NOT NULL CHECK (status = 'pending_payment' OR status = 'on_hold' OR status = 'confirmed' OR status = 'in_fulfilment' OR status = 'completed' OR status = 'cancelled'),
    hold_reason         TEXT,                     -- cod_verification, … while on_hold
    payment_method      TEXT NOT NULL CHECK (payment_method = 'prepaid' OR payment_method = 'cod'),
    payment_status      TEXT NOT NULL CHECK (payment_status = 'unpaid' OR payment_status = 'authorized' OR payment_status = 'paid' OR payment_status = 'partially_refunded' OR payment_status = 'refunded' OR payment_status = 'cod_pending' OR payment_status = 'cod_collected' OR payment_status = 'cod_remitted'),
    fulfilment_status   TEXT NOT NULL DEFAULT 'unfulfilled' CHECK (fulfilment_status = 'unfulfilled' OR fulfilment_status = 'partially_shipped' OR fulfilment_status = 'shipped' OR fulfilment_status = 'partially_delivered' OR fulfilment_status = 'delivered' OR fulfilment_status = 'rto' OR fulfilment_status = 'partially_returned' OR fulfilment_status = 'returned'),
    gateway             TEXT,
    gateway_order_id    TEXT,
    paid_paise          INTEGER NOT NULL DEFAULT 0 CHECK (paid_paise >= 0),
    refund_due          INTEGER NOT NULL DEFAULT 0 CHECK (refund_due = 0 OR refund_due = 1),
    payment_expires_at  INTEGER,                  -- pending_payment orders are cancelled after this
    cancel_reason       TEXT CHECK (cancel_reason = 'customer' OR cancel_reason = 'fraud' OR cancel_reason = 'inventory' OR cancel_reason = 'payment_timeout' OR cancel_reason = 'address' OR cancel_reason = 'other'),
    customer_name       TEXT NOT NULL,
    customer_phone      TEXT NOT NULL,            -- +91 and ten digits
    customer_email      TEXT,
    shipping_address    TEXT NOT NULL,            -- JSON object
    billing_address     TEXT,                     -- JSON object
    ship_pincode        TEXT NOT NULL,
    place_of_supply     TEXT NOT NULL,            -- GST state code of the shipping pincode
    supply              TEXT NOT NULL CHECK (supply = 'intra_state' OR supply = 'inter_state'),
    subtotal_paise      INTEGER NOT NULL,
    discount_paise      INTEGER NOT NULL,
    shipping_paise      INTEGER NOT NULL,
    shipping_taxable_paise INTEGER NOT NULL,
    shipping_rate_bps   INTEGER NOT NULL,
    taxable_paise       INTEGER NOT NULL,
    cgst_paise          INTEGER NOT NULL,
    sgst_paise          INTEGER NOT NULL,
    igst_paise          INTEGER NOT NULL,
    total_paise         INTEGER NOT NULL CHECK (total_paise >= 0),
    risk_score          INTEGER NOT NULL DEFAULT 0 CHECK (risk_score BETWEEN 0 AND 100),
    risk_reasons        TEXT NOT NULL DEFAULT '[]', -- JSON array
    reservation_id      TEXT,                     -- the checkout hold it converted, if any
    tags                TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    notes               TEXT,
    version             INTEGER NOT NULL DEFAULT 1,
    placed_at           INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (channel, channel_order_ref)
) STRICT;
CREATE INDEX orders_status ON orders (status, id);
CREATE INDEX orders_phone ON orders (customer_phone);
CREATE INDEX orders_payment_expiry ON orders (payment_expires_at) WHERE status = 'pending_payment';
CREATE INDEX orders_reservation ON orders (reservation_id) WHERE reservation_id IS NOT NULL;

-- An order's lines with their tax, as computed at intake or the last edit.
CREATE TABLE order_lines (
    order_id         TEXT NOT NULL REFERENCES orders (id),
    line             INTEGER NOT NULL,
    sku              TEXT NOT NULL REFERENCES skus (sku),
    name             TEXT NOT NULL,
    hsn              TEXT NOT NULL,
    qty              INTEGER NOT NULL CHECK (qty > 0),
    unit_price_paise INTEGER NOT NULL CHECK (unit_price_paise >= 0),
    discount_paise   INTEGER NOT NULL CHECK (discount_paise >= 0),
    total_paise      INTEGER NOT NULL CHECK (total_paise >= 0),
    taxable_paise    INTEGER NOT NULL,
    rate_bps         INTEGER NOT NULL,
    cgst_paise       INTEGER NOT NULL,
    sgst_paise       INTEGER NOT NULL,
    igst_paise       INTEGER NOT NULL,
    invoice_id       TEXT,                    -- the invoice that billed this line (on its first packed shipment)
    PRIMARY KEY (order_id, line)
) STRICT;

-- Every transition and edit of an order, oldest first.
CREATE TABLE order_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id    TEXT NOT NULL REFERENCES orders (id),
    action      TEXT NOT NULL,                    -- created, confirmed, on_hold, cancelled, edited, payment, …
    from_status TEXT,
    to_status   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}',       -- JSON object (an edit's diff, a cancel reason, …)
    actor       TEXT,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX order_history_order ON order_history (order_id, id);

-- What RTO risk learns from: orders, cancellations and RTOs per phone and per pincode.
CREATE TABLE customer_stats (
    phone         TEXT PRIMARY KEY,
    orders        INTEGER NOT NULL DEFAULT 0,
    cancellations INTEGER NOT NULL DEFAULT 0,
    rtos          INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE pincode_stats (
    pincode       TEXT PRIMARY KEY,
    orders        INTEGER NOT NULL DEFAULT 0,
    cancellations INTEGER NOT NULL DEFAULT 0,
    rtos          INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Payments recorded against orders (by finance now, by gateway webhooks later).
CREATE TABLE payments (
    id                 TEXT PRIMARY KEY,          -- pay_…
    order_id           TEXT NOT NULL REFERENCES orders (id),
    amount_paise       INTEGER NOT NULL CHECK (amount_paise > 0),
    status             TEXT NOT NULL CHECK (status = 'authorized' OR status = 'captured' OR status = 'failed'),
    gateway            TEXT,
    gateway_payment_id TEXT,
    actor              TEXT,
    created_at         INTEGER NOT NULL,
    UNIQUE (gateway, gateway_payment_id)
) STRICT;
CREATE INDEX payments_order ON payments (order_id);

-- The parcels an order ships as, one per location. A shipment's lines hold their stock
-- reserved at its location until it ships (or is cancelled, releasing it).
CREATE TABLE shipments (
    id          TEXT PRIMARY KEY,                 -- shp_…
    order_id    TEXT NOT NULL REFERENCES orders (id),
    location    TEXT NOT NULL REFERENCES locations (code),
    status      TEXT NOT NULL CHECK (status = 'pending' OR status = 'picking' OR status = 'packed' OR status = 'ready' OR status = 'picked_up' OR status = 'in_transit' OR status = 'out_for_delivery' OR status = 'delivered' OR status = 'undelivered' OR status = 'rto_initiated' OR status = 'rto_in_transit' OR status = 'rto_delivered' OR status = 'lost' OR status = 'cancelled'),
    picklist_id TEXT,
    weight_g    INTEGER,
    length_mm   INTEGER,
    width_mm    INTEGER,
    height_mm   INTEGER,
    invoice_id  TEXT,
    packed_at   INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX shipments_order ON shipments (order_id);
CREATE INDEX shipments_queue ON shipments (status, location);

-- What a shipment carries, per order line and stocked SKU (a kit line carries its components).
CREATE TABLE shipment_lines (
    shipment_id TEXT NOT NULL REFERENCES shipments (id),
    line        INTEGER NOT NULL,
    sku         TEXT NOT NULL,                    -- the SKU ordered (maybe a kit)
    stock_sku   TEXT NOT NULL,                    -- the SKU picked and reserved
    qty         INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (shipment_id, line, stock_sku)
) STRICT;

-- Pick lists: a location's shipments to pick, aggregated by SKU when read.
CREATE TABLE picklists (
    id         TEXT PRIMARY KEY,                  -- pck_…
    location   TEXT NOT NULL REFERENCES locations (code),
    created_at INTEGER NOT NULL,
    actor      TEXT
) STRICT;

-- GST invoice numbers: one consecutive series per financial year (April–March).
CREATE TABLE invoice_series (
    financial_year TEXT PRIMARY KEY,              -- "2026-27"
    last_sequence  INTEGER NOT NULL CHECK (last_sequence >= 0)
) STRICT;

-- Issued invoices, immutable: the document is kept as issued.
CREATE TABLE invoices (
    id             TEXT PRIMARY KEY,              -- inv_…
    number         TEXT NOT NULL UNIQUE,          -- ≤ 16 of A–Z a–z 0–9 - /
    financial_year TEXT NOT NULL,
    sequence       INTEGER NOT NULL,
    order_id       TEXT NOT NULL REFERENCES orders (id),
    shipment_id    TEXT NOT NULL UNIQUE REFERENCES shipments (id),
    total_paise    INTEGER NOT NULL,
    document       TEXT NOT NULL,                 -- the invoice as JSON
    issued_at      INTEGER NOT NULL,
    UNIQUE (financial_year, sequence)
) STRICT;
CREATE INDEX invoices_order ON invoices (order_id);

-- The Catalog domain's published read contract: read-only views other domains (Inventory)
-- read catalog facts through, instead of naming Catalog's tables. Each is a plain projection of
-- one table, so SQLite flattens it into the query that uses it: a join through these views
-- stays one statement with the same plan and indexes as a join on the tables.
CREATE VIEW catalog_sku_facts AS
    SELECT sku, name, hsn, gst_rate_bps, active, is_kit, low_stock_threshold, reorder_point, reorder_qty FROM skus;
CREATE VIEW catalog_kit_parts AS
    SELECT kit_sku, component_sku, qty FROM kit_components;
CREATE VIEW catalog_locations AS
    SELECT code, priority, active FROM locations;
CREATE VIEW catalog_channels AS
    SELECT code, active, buffer_bps, buffer_units FROM channels;
CREATE VIEW catalog_channel_buffers AS
    SELECT channel, sku, buffer_bps, buffer_units FROM channel_sku_buffers;

-- Background jobs that must run on one node at a time (hold expiry, payment timeouts, the
-- PostgreSQL event sequencer): a node runs a job while it holds the job's lease; a node that
-- dies stops renewing it, and another takes the job over once `expires_at` has passed.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,                  -- the job
    holder     TEXT NOT NULL,                     -- the node holding it
    expires_at INTEGER NOT NULL                   -- Unix ms; free for anyone after this
) STRICT;

-- ───────────────────────────── seller profile (migration 7; PostgreSQL migration 2) ───────────

-- The seller's GST identity for tax invoices (CGST Rule 46: supplier's name, address, GSTIN),
-- owned by the Settings domain: one row, written by PUT /v1/settings/seller. While it is
-- absent the configuration's seller.* keys stand in.
CREATE TABLE seller_profile (
    id          INTEGER PRIMARY KEY CHECK (id = 1),   -- the one row
    legal_name  TEXT NOT NULL,
    trade_name  TEXT NOT NULL DEFAULT '',
    gstin       TEXT NOT NULL,                    -- 15 characters, check character verified
    line1       TEXT NOT NULL,
    line2       TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL,
    state_code  TEXT NOT NULL,                    -- GST state code ("24"), the GSTIN's first two
    pincode     TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT                              -- the API key id that stored it
) STRICT;

-- ───────────────────────────── a key's own rate limit (migration 8; PostgreSQL migration 3) ───

-- A key's own rate limit (bahi keys create --rate-limit), both set or both NULL: NULL
-- follows the role's limit in configuration (rate_limit.roles.*). Two more columns of
-- api_keys (above), added where a migration can add them: at the end.
ALTER TABLE api_keys ADD COLUMN rate_limit_per_second INTEGER CHECK (rate_limit_per_second > 0);
ALTER TABLE api_keys ADD COLUMN rate_limit_burst INTEGER CHECK (rate_limit_burst > 0);

-- ───────────────────────────── webhooks (migration 9; PostgreSQL migration 4) ───────────────────

-- Sellers' systems subscribed to events (the Webhooks domain). `cursor` is the last event `seq`
-- this endpoint's deliveries were written for: the fan-out writes a delivery per matching
-- event after it and moves it on, in one transaction, so an event is never skipped and never
-- written twice (UNIQUE below). The secret signs deliveries, so it is stored as given; during a
-- rotation the previous one signs too until `previous_secret_until`.
CREATE TABLE webhook_endpoints (
    id                    TEXT PRIMARY KEY,        -- whk_…
    url                   TEXT NOT NULL,           -- https (http only with webhooks.allow_http)
    events                TEXT NOT NULL,           -- JSON array of patterns: "order.*", "inventory.changed", "*"
    channel               TEXT,                    -- a channel code: inventory.changed carries what it may sell
    description           TEXT NOT NULL DEFAULT '',
    enabled               INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    disabled_reason       TEXT,                    -- operator | gone (410) | failing (5 days)
    secret                TEXT NOT NULL,           -- whsec_…
    previous_secret       TEXT,
    previous_secret_until INTEGER,                 -- Unix ms
    cursor                INTEGER NOT NULL,        -- the last event seq fanned out
    failing_since         INTEGER,                 -- the first failed attempt since the last success
    failed_attempts       INTEGER NOT NULL DEFAULT 0,
    version               INTEGER NOT NULL CHECK (version >= 1),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
) STRICT;

-- The durable outbox: one row per (endpoint, event), written in the same transaction that
-- moves the endpoint's cursor. The body is the event as the feed shows it, rendered at each
-- attempt from `events`; `payload` is stored only when it is not the event's own (a channel's
-- stock push, a ping).
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,              -- whd_…
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,                 -- the webhook-id header
    event_seq       INTEGER NOT NULL,              -- 0 for a ping
    event_type      TEXT NOT NULL,
    payload         TEXT,
    status          TEXT NOT NULL CHECK (status = 'pending' OR status = 'succeeded' OR status = 'failed'),
    attempts        INTEGER NOT NULL DEFAULT 0,    -- every attempt ever made
    round_attempts  INTEGER NOT NULL DEFAULT 0,    -- attempts on the current schedule (a retry by hand starts a last one)
    next_attempt_at INTEGER NOT NULL,              -- Unix ms
    last_status     INTEGER,                       -- the receiver's last HTTP status
    last_error      TEXT,                          -- or why no response came
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (endpoint_id, event_id)             -- also the list's order: event ids sort by time
) STRICT, WITHOUT ROWID;
-- Only the rows that need finding stay in these: a delivery leaves the first when it succeeds.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, event_seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (endpoint_id, event_id) WHERE status = 'failed';

-- Every attempt, for operators: when, what came back, how long it took.
CREATE TABLE webhook_attempts (
    delivery_id      TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt          INTEGER NOT NULL,
    attempted_at     INTEGER NOT NULL,
    status_code      INTEGER,                      -- NULL when no response came
    error            TEXT,                         -- dns, connection_refused, timeout, tls, address_refused, …
    latency_ms       INTEGER NOT NULL,
    response_excerpt TEXT NOT NULL DEFAULT '',     -- the first bytes of the answer
    PRIMARY KEY (delivery_id, attempt)
) STRICT, WITHOUT ROWID;

-- ───────────────────────────── payments domain (migration 10; PostgreSQL migration 5) ──────────

-- Payments become the Payments domain's records, moved by gateway events as much as by hand:
-- the table is rebuilt (SQLite cannot change a CHECK or drop a NOT NULL) with the gateway's
-- order id, the receipt, the method, the fee and its GST, `pending`, an error, and `updated_at`;
-- `order_id` may be NULL: a payment that matched no order is kept as an orphan, not dropped.
-- The order's payment columns stay the Orders domain's, moved by the flow that moves a payment.
CREATE TABLE payments_v2 (
    id                 TEXT PRIMARY KEY,          -- pay_…
    order_id           TEXT REFERENCES orders (id),   -- NULL: an orphan
    gateway            TEXT,                      -- razorpay | cashfree | payu; NULL when entered by hand without one
    gateway_payment_id TEXT,
    gateway_order_id   TEXT,
    receipt            TEXT,                      -- what the gateway was given to find the order by
    method             TEXT,                      -- upi | card | netbanking | wallet | emi | cod | other
    amount_paise       INTEGER NOT NULL CHECK (amount_paise >= 0),
    fee_paise          INTEGER,                   -- the gateway's fee, its GST included
    tax_paise          INTEGER,                   -- the GST inside the fee
    refunded_paise     INTEGER NOT NULL DEFAULT 0 CHECK (refunded_paise >= 0),  -- refunds asked for and not failed
    status             TEXT NOT NULL CHECK (status = 'pending' OR status = 'authorized' OR status = 'captured' OR status = 'failed'),
    error_code         TEXT,
    error_description  TEXT,
    actor              TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (gateway, gateway_payment_id)
) STRICT;
INSERT INTO payments_v2 (id, order_id, gateway, gateway_payment_id, amount_paise, status, actor, created_at, updated_at)
    SELECT id, order_id, gateway, gateway_payment_id, amount_paise, status, actor, created_at, created_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_v2 RENAME TO payments;
CREATE INDEX payments_order ON payments (order_id);
-- Webhooks find their order by the gateway's order id.
CREATE INDEX orders_gateway_order ON orders (gateway, gateway_order_id) WHERE gateway_order_id IS NOT NULL;

-- Every verified gateway event, once: the provider's identity deduplicates a retry, and the
-- verified body is kept as the record of what moved the payment. A rowid table in arrival
-- order, so bodies fill pages one after another; the gateways' ids are random, and only the
-- small UNIQUE index entry lands on a random page.
CREATE TABLE gateway_events (
    id           INTEGER PRIMARY KEY,             -- arrival order
    gateway      TEXT NOT NULL,
    event_id     TEXT NOT NULL,                   -- X-Razorpay-Event-Id, Cashfree's idempotency key, PayU's mihpayid:status
    type         TEXT NOT NULL,                   -- as the gateway named it
    payment_id   TEXT REFERENCES payments (id),   -- the payment it moved, if any
    body         TEXT NOT NULL,                   -- the verified raw body
    received_at  INTEGER NOT NULL,
    UNIQUE (gateway, event_id)
) STRICT;
CREATE INDEX gateway_events_payment ON gateway_events (payment_id) WHERE payment_id IS NOT NULL;

-- Money that went wrong, named: found when a payment moves (paid_after_cancel, double_charge,
-- amount_mismatch, orphan_payment), kept with the refund it makes due until resolved with a note.
CREATE TABLE payment_mismatches (
    id               TEXT PRIMARY KEY,            -- mis_…
    kind             TEXT NOT NULL CHECK (kind = 'paid_after_cancel' OR kind = 'double_charge' OR kind = 'amount_mismatch' OR kind = 'orphan_payment'),
    order_id         TEXT REFERENCES orders (id),
    payment_id       TEXT NOT NULL REFERENCES payments (id),
    amount_paise     INTEGER NOT NULL,            -- the payment's amount
    expected_paise   INTEGER,                     -- what the order asked for, when one matched
    refund_due_paise INTEGER NOT NULL DEFAULT 0 CHECK (refund_due_paise >= 0),
    status           TEXT NOT NULL CHECK (status = 'open' OR status = 'resolved'),
    note             TEXT,
    resolved_by      TEXT,
    resolved_at      INTEGER,
    created_at       INTEGER NOT NULL,
    UNIQUE (kind, payment_id)
) STRICT;
CREATE INDEX payment_mismatches_open ON payment_mismatches (created_at) WHERE status = 'open';

-- ───────────────────────────── refunds (migration 11; PostgreSQL migration 6) ───────────────────

-- Money given back: one row per refund, asked through Bahi or reported by a gateway (an
-- auto-refund of an uncaptured payment, one made on the dashboard). What a refund takes is
-- reserved on its payment (`payments.refunded_paise`) by one conditional UPDATE before the
-- gateway is called, so no number of concurrent requests can refund more than was captured; a
-- failed refund gives its amount back, once. A COD order's refund is a bank payout the seller
-- makes: only the account's last four digits are kept, and its UTR once paid.
CREATE TABLE refunds (
    id                         TEXT PRIMARY KEY,          -- rfd_…
    order_id                   TEXT REFERENCES orders (id),
    payment_id                 TEXT NOT NULL REFERENCES payments (id),
    gateway                    TEXT NOT NULL,             -- razorpay | cashfree | payout (a bank transfer by the seller)
    gateway_refund_id          TEXT,                      -- rfnd_…, Cashfree's cf_refund_id; NULL until the gateway answers
    amount_paise               INTEGER NOT NULL CHECK (amount_paise > 0),
    reason                     TEXT NOT NULL,
    lines                      TEXT,                      -- JSON: the lines refunded, when given
    status                     TEXT NOT NULL CHECK (status = 'pending' OR status = 'processed' OR status = 'failed'),
    idempotency_key            TEXT NOT NULL,             -- sent as X-Refund-Idempotency (Razorpay) and refund_id (Cashfree)
    arn                        TEXT,                      -- the acquirer reference the buyer's bank traces it by
    utr                        TEXT,                      -- a payout's bank transfer reference
    beneficiary_name           TEXT,
    beneficiary_account_masked TEXT,                      -- XXXXXX1234: never the whole number
    beneficiary_ifsc           TEXT,
    error                      TEXT,                      -- the gateway's refusal, or why its answer is not known yet
    actor                      TEXT,
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL,
    UNIQUE (gateway, gateway_refund_id)
) STRICT;
CREATE INDEX refunds_order ON refunds (order_id);
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE INDEX refunds_pending_payouts ON refunds (created_at) WHERE gateway = 'payout' AND status = 'pending';

-- ───────────────────────────── settlements and remittances (migration 12; PostgreSQL migration 7) ───

-- What gateways report settling (Razorpay's settlement reconciliation rows), one row per
-- (gateway, type, entity): a payment's credit less its fee, a refund's debit. `row_hash` is the
-- row as imported, so importing the same file again changes nothing and a row the gateway
-- has since updated (settled, its UTR) replaces the old one.
CREATE TABLE settlement_lines (
    gateway            TEXT NOT NULL,
    type               TEXT NOT NULL CHECK (type = 'payment' OR type = 'refund' OR type = 'transfer' OR type = 'adjustment'),
    entity_id          TEXT NOT NULL,             -- pay_… / rfnd_… / …: the gateway's id
    amount_paise       INTEGER NOT NULL,
    fee_paise          INTEGER NOT NULL,          -- GST included
    tax_paise          INTEGER NOT NULL,          -- the GST inside the fee
    debit_paise        INTEGER NOT NULL,
    credit_paise       INTEGER NOT NULL,
    on_hold            INTEGER NOT NULL DEFAULT 0 CHECK (on_hold IN (0, 1)),
    settled            INTEGER NOT NULL DEFAULT 0 CHECK (settled IN (0, 1)),
    settlement_id      TEXT,
    settlement_utr     TEXT,
    gateway_order_id   TEXT,
    order_receipt      TEXT,
    gateway_payment_id TEXT,                      -- a refund's payment
    method             TEXT,
    created_at         INTEGER,                   -- the gateway's times, Unix ms
    settled_at         INTEGER,
    row_hash           TEXT NOT NULL,
    import_id          TEXT NOT NULL,             -- imp_…: the import that last wrote it
    imported_at        INTEGER NOT NULL,
    PRIMARY KEY (gateway, type, entity_id)
) STRICT, WITHOUT ROWID;

-- What couriers remitted of COD cash, one row per (courier, remittance, AWB), with what they
-- deducted; `order_id` when the row's channel order id names one of ours.
CREATE TABLE cod_remittances (
    courier                TEXT NOT NULL,
    remittance_id          TEXT NOT NULL,
    awb                    TEXT NOT NULL,
    utr                    TEXT,
    remittance_date        INTEGER,               -- Unix ms
    channel_order_id       TEXT,
    order_id               TEXT REFERENCES orders (id),
    cod_amount_paise       INTEGER NOT NULL,
    freight_deducted_paise INTEGER NOT NULL,
    cod_charge_paise       INTEGER NOT NULL,
    early_cod_fee_paise    INTEGER NOT NULL,
    reversal_amount_paise  INTEGER NOT NULL,
    net_remitted_paise     INTEGER NOT NULL,
    row_hash               TEXT NOT NULL,
    import_id              TEXT NOT NULL,
    imported_at            INTEGER NOT NULL,
    PRIMARY KEY (courier, remittance_id, awb)
) STRICT, WITHOUT ROWID;
CREATE INDEX cod_remittances_order ON cod_remittances (order_id) WHERE order_id IS NOT NULL;
-- Couriers' files name orders by the channel's reference alone.
CREATE INDEX orders_channel_ref ON orders (channel_order_ref);

-- ───────────────────────────── reconciliation (migration 13; PostgreSQL migration 8) ─────────────

-- Mismatches are no longer only what a capture reveals: the reconciliation checks name money
-- that aged without settling (captured_not_settled), settled at another amount
-- (settled_amount_mismatch), cost more than the agreed rate (fee_above_agreed), refunds stuck
-- pending (refund_stuck), COD cash delivered and not remitted (cod_delivered_not_remitted) or
-- remitted short (cod_short_remitted). Each is about one subject (a payment pay_…, a refund
-- rfd_…, an order ord_… for a short remittance), recorded once per kind and subject; the ages
-- count from `occurred_at`, when the money moved. Rebuilt: SQLite cannot change a CHECK or a
-- UNIQUE, and `payment_id` may now be empty (a short remittance of an order without one).
CREATE TABLE payment_mismatches_v2 (
    id               TEXT PRIMARY KEY,            -- mis_…
    kind             TEXT NOT NULL CHECK (kind = 'paid_after_cancel' OR kind = 'double_charge' OR kind = 'amount_mismatch' OR kind = 'orphan_payment' OR kind = 'captured_not_settled' OR kind = 'settled_amount_mismatch' OR kind = 'fee_above_agreed' OR kind = 'refund_stuck' OR kind = 'cod_delivered_not_remitted' OR kind = 'cod_short_remitted'),
    subject_id       TEXT NOT NULL,               -- the payment, refund or order it is about
    order_id         TEXT REFERENCES orders (id),
    payment_id       TEXT REFERENCES payments (id),
    amount_paise     INTEGER NOT NULL,            -- what happened: captured, settled, the fee charged, refunded, collected, remitted
    expected_paise   INTEGER,                     -- what should have: the order's total, the payment, the agreed fee, what was due
    refund_due_paise INTEGER NOT NULL DEFAULT 0 CHECK (refund_due_paise >= 0),
    status           TEXT NOT NULL CHECK (status = 'open' OR status = 'resolved'),
    note             TEXT,
    resolved_by      TEXT,                        -- who, or `reconciliation` when the money arrived
    resolved_at      INTEGER,
    occurred_at      INTEGER NOT NULL,            -- when the money moved: ages count from it
    created_at       INTEGER NOT NULL,
    UNIQUE (kind, subject_id)
) STRICT;
INSERT INTO payment_mismatches_v2 (id, kind, subject_id, order_id, payment_id, amount_paise, expected_paise, refund_due_paise, status, note,
                                   resolved_by, resolved_at, occurred_at, created_at)
    SELECT id, kind, payment_id, order_id, payment_id, amount_paise, expected_paise, refund_due_paise, status, note,
           resolved_by, resolved_at, created_at, created_at FROM payment_mismatches;
DROP TABLE payment_mismatches;
ALTER TABLE payment_mismatches_v2 RENAME TO payment_mismatches;
CREATE INDEX payment_mismatches_open ON payment_mismatches (created_at) WHERE status = 'open';
CREATE INDEX payment_mismatches_occurred ON payment_mismatches (occurred_at);
-- The checks find captured payments by age, and COD cash by the order it was collected for.
CREATE INDEX payments_captured ON payments (created_at) WHERE status = 'captured';
CREATE INDEX refunds_pending ON refunds (created_at) WHERE status = 'pending';
CREATE INDEX settlement_lines_settled ON settlement_lines (settled_at) WHERE settled;
CREATE INDEX cod_remittances_date ON cod_remittances (remittance_date);
CREATE INDEX orders_placed ON orders (placed_at);

-- ───────────────────────────── couriers (migration 14; PostgreSQL migration 9) ──────────────────

-- Couriers, as data: one row each, its rate card's terms as columns (prices per zone in
-- courier_rates), its serviceability one row per pincode it serves (courier_pincodes,
-- replaced whole by an upload). A quote reads couriers and courier_rates whole, and both ends'
-- rows of courier_pincodes through its primary key (pincode, courier).
CREATE TABLE couriers (
    code                      TEXT PRIMARY KEY,   -- the merchant's code (URL key): delhivery-surface
    name                      TEXT NOT NULL,
    provider                  TEXT NOT NULL CHECK (provider = 'manual' OR provider = 'waybill_pool' OR provider = 'shiprocket' OR provider = 'delhivery'),
    mode                      TEXT NOT NULL CHECK (mode = 'surface' OR mode = 'air'),
    max_weight_g              INTEGER NOT NULL CHECK (max_weight_g > 0),
    cod                       INTEGER NOT NULL DEFAULT 0 CHECK (cod IN (0, 1)),
    active                    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    pickup_cutoff             TEXT NOT NULL,      -- HH:MM, India Standard Time
    daily_pickup_capacity     INTEGER CHECK (daily_pickup_capacity > 0),  -- parcels a day; NULL: no limit
    zone_e_states             TEXT NOT NULL,      -- GST state codes priced as zone E besides the built-in ones: "02,32"
    slab_g                    INTEGER NOT NULL CHECK (slab_g > 0),
    volumetric_divisor        INTEGER NOT NULL CHECK (volumetric_divisor > 0),  -- mm³ per gram
    min_chargeable_g          INTEGER NOT NULL CHECK (min_chargeable_g >= 0),
    cod_fixed_paise           INTEGER NOT NULL CHECK (cod_fixed_paise >= 0),
    cod_percent_bps           INTEGER NOT NULL CHECK (cod_percent_bps >= 0),
    rto_percent_bps           INTEGER NOT NULL CHECK (rto_percent_bps >= 0),    -- of the forward freight
    fuel_surcharge_bps        INTEGER NOT NULL CHECK (fuel_surcharge_bps >= 0),
    gst_bps                   INTEGER NOT NULL CHECK (gst_bps >= 0),
    serviceable_pincodes      INTEGER NOT NULL,   -- rows in courier_pincodes, kept by the upload
    serviceability_updated_at INTEGER,            -- when an upload last replaced them
    version                   INTEGER NOT NULL,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL
) STRICT;

-- A rate card's price per zone: the first slab and each further slab.
CREATE TABLE courier_rates (
    courier          TEXT NOT NULL REFERENCES couriers (code),
    zone             TEXT NOT NULL CHECK (zone = 'A' OR zone = 'B' OR zone = 'C' OR zone = 'D' OR zone = 'E'),
    first_paise      INTEGER NOT NULL CHECK (first_paise >= 0),
    additional_paise INTEGER NOT NULL CHECK (additional_paise >= 0),
    PRIMARY KEY (courier, zone)
) STRICT, WITHOUT ROWID;

-- What a courier does at each pincode it serves (Y/N flags); a pincode without a row is not served.
CREATE TABLE courier_pincodes (
    pincode TEXT NOT NULL,
    courier TEXT NOT NULL REFERENCES couriers (code),
    prepaid INTEGER NOT NULL DEFAULT 0 CHECK (prepaid IN (0, 1)),
    cod     INTEGER NOT NULL DEFAULT 0 CHECK (cod IN (0, 1)),
    pickup  INTEGER NOT NULL DEFAULT 0 CHECK (pickup IN (0, 1)),
    oda     INTEGER NOT NULL DEFAULT 0 CHECK (oda IN (0, 1)),      -- out of delivery area
    embargo INTEGER NOT NULL DEFAULT 0 CHECK (embargo IN (0, 1)),  -- not served for now
    PRIMARY KEY (pincode, courier)
) STRICT, WITHOUT ROWID;
CREATE INDEX courier_pincodes_courier ON courier_pincodes (courier);

-- ───────────────────────────── booking (migration 15; PostgreSQL migration 10) ──────────────────

-- A booked shipment's courier and air waybill (Fulfilment's columns, set by booking: packed →
-- ready, and cleared by cancelling the booking before pickup).
ALTER TABLE shipments ADD COLUMN courier TEXT;
ALTER TABLE shipments ADD COLUMN awb TEXT;
ALTER TABLE shipments ADD COLUMN booked_at INTEGER;
-- A courier's parcels booked today count against its daily pickup capacity.
CREATE INDEX shipments_booked ON shipments (booked_at) WHERE booked_at IS NOT NULL;

-- Every AWB a courier has given out (the Couriers domain): imported in bulk for a
-- waybill_pool courier (available until one booking claims it by a conditional UPDATE, so an
-- AWB is issued once), or typed in for a manual one (issued at once). A cancelled booking's
-- AWB is never issued again. UNIQUE (courier, awb): one AWB, one parcel.
CREATE TABLE courier_waybills (
    courier     TEXT NOT NULL REFERENCES couriers (code),
    awb         TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status = 'available' OR status = 'issued' OR status = 'cancelled'),
    shipment_id TEXT,                             -- the shipment it was issued to
    issued_at   INTEGER,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (courier, awb)
) STRICT;
-- A booking takes the first available AWB of its courier: this index holds only those.
CREATE INDEX courier_waybills_available ON courier_waybills (courier, awb) WHERE status = 'available';
CREATE INDEX courier_waybills_shipment ON courier_waybills (shipment_id) WHERE shipment_id IS NOT NULL;

-- ───────────────────────────── tracking (migration 16; PostgreSQL migration 11) ─────────────────

-- A courier's report finds its shipment by AWB; the status's time orders a delivery loop's
-- reports (TrackingProgress: a second out-for-delivery is a new attempt); pickup and delivery
-- times give the transit days courier performance learns from (Fulfilment's columns).
CREATE INDEX shipments_awb ON shipments (awb) WHERE awb IS NOT NULL;
ALTER TABLE shipments ADD COLUMN status_at INTEGER;
ALTER TABLE shipments ADD COLUMN picked_up_at INTEGER;
ALTER TABLE shipments ADD COLUMN delivered_at INTEGER;

-- Every scan a courier reported for a shipment (the Couriers domain), kept once: providers
-- resend whole histories, so (shipment, time, code) is the identity. A scan that moved
-- nothing (late, informational) is kept all the same: it is the parcel's history.
CREATE TABLE tracking_scans (
    shipment_id TEXT NOT NULL,
    at          INTEGER NOT NULL,                 -- when the courier scanned it (ms)
    code        TEXT NOT NULL,                    -- the courier's code (NSL, status id)
    provider    TEXT NOT NULL CHECK (provider = 'shiprocket' OR provider = 'delhivery' OR provider = 'manual'),
    status      TEXT,                             -- the shipment status it maps to, if any
    label       TEXT,
    location    TEXT,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (shipment_id, at, code)
) STRICT, WITHOUT ROWID;

-- Reports for AWBs no shipment has (booked elsewhere, or before Bahi knew): accepted, kept for
-- operators to see, never a 500. A redelivered push parks once (its identity).
CREATE TABLE tracking_parked (
    identity    TEXT PRIMARY KEY,                 -- provider:awb:time:code
    provider    TEXT NOT NULL,
    awb         TEXT NOT NULL,
    status      TEXT,
    occurred_at INTEGER NOT NULL,
    body        TEXT NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;
CREATE INDEX tracking_parked_received ON tracking_parked (received_at);

-- Failed delivery attempts (NDR): one row per attempt, open until the seller acts, the
-- parcel is delivered or it goes back. The action is recorded with what the courier answered.
CREATE TABLE shipment_ndrs (
    id            TEXT PRIMARY KEY,               -- ndr_…
    shipment_id   TEXT NOT NULL,
    attempt       INTEGER NOT NULL CHECK (attempt >= 1),
    reason        TEXT NOT NULL CHECK (reason = 'customer_unavailable' OR reason = 'refused' OR reason = 'address_issue' OR reason = 'cod_not_ready' OR reason = 'reschedule_requested' OR reason = 'out_of_delivery_area' OR reason = 'other'),
    code          TEXT,                           -- the courier's code and words for it
    text          TEXT,
    raised_at     INTEGER NOT NULL,               -- when the attempt failed
    status        TEXT NOT NULL CHECK (status = 'open' OR status = 'actioned' OR status = 'closed'),
    action        TEXT CHECK (action = 'reattempt' OR action = 'return' OR action = 'update_address' OR action = 'update_phone'),
    action_detail TEXT,                           -- JSON: deferred_date, address, phone, note
    action_by     TEXT,
    actioned_at   INTEGER,
    courier_reply TEXT,                           -- what the courier's API said, or why nothing was sent
    closed_by     TEXT,                           -- delivered, rto, policy
    UNIQUE (shipment_id, attempt)
) STRICT;
CREATE INDEX shipment_ndrs_open ON shipment_ndrs (raised_at) WHERE status = 'open';
CREATE INDEX shipment_ndrs_shipment ON shipment_ndrs (shipment_id);

-- What each courier has done for this seller, per destination (zone, state, 3-digit pincode
-- prefix): finished shipments, delivered, returned, and delivered transit days. Updated as
-- tracking finishes shipments; CourierPerformance smooths them.
CREATE TABLE courier_performance (
    courier      TEXT NOT NULL,
    level        TEXT NOT NULL CHECK (level = 'zone' OR level = 'state' OR level = 'prefix'),
    key          TEXT NOT NULL,
    finished     INTEGER NOT NULL DEFAULT 0,
    delivered    INTEGER NOT NULL DEFAULT 0,
    rto          INTEGER NOT NULL DEFAULT 0,
    transit_days INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (courier, level, key)
) STRICT, WITHOUT ROWID;
-- ───────────────────────────── manifests and RTO receipts (migration 17; PostgreSQL migration 12) ──────────────────

-- A courier's pickup list (the Fulfilment domain, beside pick lists): the ready parcels of one
-- courier at one location, printed for the pickup person, whose scans hand them over. Its
-- status is worked out from its parcels (open, partially handed over, handed over), never
-- stored, so a parcel leaving it cannot leave it stale.
CREATE TABLE manifests (
    id          TEXT PRIMARY KEY,                 -- man_…
    courier     TEXT NOT NULL REFERENCES couriers (code),
    location    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    actor       TEXT
) STRICT;
CREATE INDEX manifests_courier ON manifests (courier, location, created_at);

-- A shipment's manifest (set when manifested, cleared when its booking is cancelled before
-- pickup), and what booking priced: the forward cost (the quote's total) and the RTO charge
-- (the card's RTO share of the forward freight), so a return's cost is known when it happens.
ALTER TABLE shipments ADD COLUMN manifest_id TEXT;
ALTER TABLE shipments ADD COLUMN shipping_cost_paise INTEGER;
ALTER TABLE shipments ADD COLUMN rto_charge_paise INTEGER;
CREATE INDEX shipments_manifest ON shipments (manifest_id) WHERE manifest_id IS NOT NULL;

-- A returned (rto_delivered) parcel opened at its location, once: who received it, when, and
-- what each SKU's units were found to be (good: restocked; damaged: kept apart; missing).
CREATE TABLE rto_receipts (
    shipment_id TEXT PRIMARY KEY REFERENCES shipments (id),
    received_at INTEGER NOT NULL,
    actor       TEXT
) STRICT;
CREATE TABLE rto_receipt_lines (
    shipment_id TEXT NOT NULL REFERENCES rto_receipts (shipment_id),
    line        INTEGER NOT NULL,                 -- the request's order, from 0
    sku         TEXT NOT NULL,
    qty         INTEGER NOT NULL CHECK (qty > 0),
    condition   TEXT NOT NULL CHECK (condition = 'good' OR condition = 'damaged' OR condition = 'missing'),
    PRIMARY KEY (shipment_id, line)
) STRICT;
-- ───────────────────────────── courier providers (migration 18; PostgreSQL migration 13) ──────────────────

-- Booking through a provider's API (Shiprocket, Delhivery): per courier, Shiprocket's courier
-- company id and the pickup location's name as registered with the provider (Couriers' columns,
-- set by PUT /v1/couriers/{code}; required to book through the provider).
ALTER TABLE couriers ADD COLUMN provider_courier_id TEXT;
ALTER TABLE couriers ADD COLUMN pickup_location TEXT;
-- The provider's own references of an AWB its API issued (Shiprocket's order and shipment ids:
-- pickup, cancellation and NDR actions name them).
ALTER TABLE courier_waybills ADD COLUMN provider_order_id TEXT;
ALTER TABLE courier_waybills ADD COLUMN provider_shipment_id TEXT;
-- ───────────────────────────── order search and list indexes (migration 19; PostgreSQL migration 14) ──────────────────

-- Order search by buyer name (GET /v1/orders?q=): one row per order, its customer's and its
-- recipient's names, written by OrderRecords in the transaction that stores or edits the order.
-- SQLite: an FTS5 table (prefix queries through its index; order_id is indexed too, so an edit
-- finds its row by MATCH rather than by a rowid that VACUUM may renumber). PostgreSQL
-- (scripts/postgres-schema.py swaps these two statements): a plain table with a GIN index on
-- to_tsvector('simple', names).
CREATE VIRTUAL TABLE order_search USING fts5 (order_id, names, columnsize = 0);
INSERT INTO order_search (order_id, names) SELECT id, customer_name || ' ' || json_extract(shipping_address, '$.name') FROM orders;
-- The order list's filters, each in the list's order (newest first: created_at, then id), so a
-- page is a range of one index however large the store.
DROP INDEX orders_status;
CREATE INDEX orders_status ON orders (status, created_at, id);
CREATE INDEX orders_created ON orders (created_at, id);
CREATE INDEX orders_channel ON orders (channel, created_at, id);
CREATE INDEX orders_payment_method ON orders (payment_method, created_at, id);
-- Other lists: NDRs and payment mismatches by status in id order, an endpoint's deliveries by
-- status, shipments by status in id order (the packing queue's pending ones: all, or one
-- location's through a partial index), parked tracking reports newest first.
CREATE INDEX shipment_ndrs_status ON shipment_ndrs (status, id);
CREATE INDEX payment_mismatches_status ON payment_mismatches (status, id);
CREATE INDEX webhook_deliveries_status ON webhook_deliveries (endpoint_id, status, event_id);
DROP INDEX shipments_queue;
CREATE INDEX shipments_status ON shipments (status, id);
CREATE INDEX shipments_pending_location ON shipments (location, id) WHERE status = 'pending';
DROP INDEX tracking_parked_received;
CREATE INDEX tracking_parked_received ON tracking_parked (received_at, identity);
-- ───────────────────────────── the packing queue's sort keys (migration 20; PostgreSQL migration 15) ──────────────────

-- The packing queue, kept rather than computed (issue 15): one row per shipment waiting to be
-- picked (pending, its order confirmed or in fulfilment and not on hold), with what the queue
-- sorts on, so the top of a location's queue is a range of one index however many wait.
-- Fulfilment owns it; the flows that change a shipment or its order bring the order's rows up
-- to date in the same transaction (FulfilmentQueue.refresh), and a shipment leaving `pending`
-- leaves the queue. priority_class is FulfilmentPriority.priorityClass under the rules in
-- fulfilment_queue_rules (express before standard, then prepaid before COD): 0 first. The SLA
-- needs no column: breached ⇔ order_created_at ≤ now − sla, a range of fulfilment_queue_age.
CREATE TABLE fulfilment_queue (
    shipment_id       TEXT PRIMARY KEY REFERENCES shipments (id),
    order_id          TEXT NOT NULL REFERENCES orders (id),
    location          TEXT NOT NULL,
    channel           TEXT NOT NULL,
    channel_order_ref TEXT NOT NULL,
    payment_method    TEXT NOT NULL,
    value_paise       INTEGER NOT NULL,               -- the order's total
    order_created_at  INTEGER NOT NULL,               -- the SLA clock starts here
    priority_class    INTEGER NOT NULL
) STRICT;
CREATE INDEX fulfilment_queue_order ON fulfilment_queue (order_id);
-- Breached ones first, oldest first (then class, value, id: the reference's ties).
CREATE INDEX fulfilment_queue_age ON fulfilment_queue (location, order_created_at, priority_class, value_paise DESC, shipment_id);
-- The rest: class, higher value first, older first, id.
CREATE INDEX fulfilment_queue_rank ON fulfilment_queue (location, priority_class, value_paise DESC, order_created_at, shipment_id);
-- The rules fulfilment_queue.priority_class was computed with (at most one row; none means the
-- defaults the backfill below ranks with: prepaid first, no express channel). Configuration
-- may change between starts, so a node whose rules differ recomputes the classes in a write
-- (FulfilmentQueue.adopt) and reads by the reference sort until it has.
CREATE TABLE fulfilment_queue_rules (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    prepaid_first     INTEGER NOT NULL,               -- 1: prepaid before COD
    express_channels  TEXT NOT NULL                   -- JSON array of channel codes, sorted
) STRICT;
INSERT INTO fulfilment_queue (shipment_id, order_id, location, channel, channel_order_ref, payment_method, value_paise, order_created_at, priority_class)
SELECT s.id, s.order_id, s.location, o.channel, o.channel_order_ref, o.payment_method, o.total_paise, o.created_at,
       CASE WHEN o.payment_method = 'cod' THEN 3 ELSE 2 END
  FROM shipments s JOIN orders o ON o.id = s.order_id
 WHERE s.status = 'pending' AND o.status IN ('confirmed', 'in_fulfilment');
-- The queue no longer reads pending shipments by location.
DROP INDEX shipments_pending_location;

-- ───────────────────────────── stock audit checkpoints (migration 21; PostgreSQL migration 16) ──────────────────

-- The stock audit's checkpoint (Inventory's): per SKU and location, the sums of the deltas of
-- every movement with id <= through_id, written only from sums proven equal to the levels in the
-- snapshot they were added in (StockAudit.advance). The audit adds the movements after the newest
-- through_id (a range of the stock_movements primary key) to these rows instead of re-adding the
-- whole ledger; bahi check --full re-adds it from zero and checks these rows against it too.
-- Writing a checkpoint deletes the older ones. Starts empty: no checkpoint means sums from zero.
CREATE TABLE stock_audit_checkpoints (
    through_id  INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    location    TEXT NOT NULL,
    on_hand     INTEGER NOT NULL,
    reserved    INTEGER NOT NULL,
    damaged     INTEGER NOT NULL,
    taken_at    INTEGER NOT NULL,
    PRIMARY KEY (through_id, sku, location)
) STRICT, WITHOUT ROWID;

-- ───────────────────────────── order search in time order (migration 22; SQLite only) ──────────────────

-- SQLite's order search rows numbered by their order's creation time: rowid = created_at × 2^20
-- plus the order's place among those created in the same millisecond (OrderRecords.insertSearch
-- numbers new rows the same way). FTS5 returns a name's matches in rowid order, so a search reads
-- them newest first and stops after a page instead of sorting every match (a common name matches
-- tens of thousands of orders). PostgreSQL's order_search (a GIN index) is unchanged.
CREATE VIRTUAL TABLE order_search_by_time USING fts5 (order_id, names, columnsize = 0);
INSERT INTO order_search_by_time (rowid, order_id, names)
    SELECT o.created_at * 1048576 + ROW_NUMBER() OVER (PARTITION BY o.created_at ORDER BY o.id) - 1, s.order_id, s.names
      FROM order_search s JOIN orders o ON o.id = s.order_id;
DROP TABLE order_search;
ALTER TABLE order_search_by_time RENAME TO order_search;

-- ───────────────────────────── manifest counts from an index (migration 23; PostgreSQL migration 17) ──────────────────

-- A manifest's parcels by status, so its counts (waiting, handed over) and the list's status
-- filter read this index alone rather than each parcel's row.
DROP INDEX shipments_manifest;
CREATE INDEX shipments_manifest ON shipments (manifest_id, status) WHERE manifest_id IS NOT NULL;

-- ───────────────────────────── the event log's unused index (migration 24; PostgreSQL migration 18) ──────────────────

-- events_entity (entity_type, entity_id, seq) served no statement: the feed reads by seq, by type
-- (events_type), and by id. It was 7 % of a store with a history (850 bytes per order: 16 events
-- each) and one more random-key insert for every event intake writes.
DROP INDEX events_entity;

-- ───────────────────────────── order search by prefix (migration 25; SQLite only) ──────────────────

-- The name index with prefix indexes for words of 2 to 6 letters: a search types the start of a
-- name ("Priya Sha"), and FTS5 answers a prefix of an indexed length from one doclist in rowid
-- order, where otherwise it merges every term that starts so before the first match (3-4 ms for
-- two common words at a million orders, 0.3 ms with these). About 150 bytes per order.
CREATE VIRTUAL TABLE order_search_prefixed USING fts5 (order_id, names, columnsize = 0, prefix = '2 3 4 5 6');
INSERT INTO order_search_prefixed (rowid, order_id, names) SELECT rowid, order_id, names FROM order_search;
DROP TABLE order_search;
ALTER TABLE order_search_prefixed RENAME TO order_search;

-- ───────────────────────────── the name index without a pending list (PostgreSQL only: migration 19) ──────────────────

-- PostgreSQL's GIN index on order_search (the name search) takes new entries into a pending list
-- that every search reads whole until a vacuum merges it: up to 4 MB of unsorted entries, which
-- made even a search matching nothing take 70 ms at a million orders. Without fastupdate each
-- order's few words go straight into the index. SQLite's FTS5 index has no such list: nothing here.
-- postgres: ALTER INDEX order_search_names SET (fastupdate = off);
-- postgres: SELECT gin_clean_pending_list('order_search_names'::regclass);

-- ───────────────────────────── the name search by week (PostgreSQL only: migration 20) ──────────────────

-- A GIN index hands a name's matches over in no order, so the search fetched every matching
-- order (a full name: about a thousand at a million orders) from the orders heap to sort them:
-- 170 ms at p99. And it intersected the words' whole lists (60,000 entries for a common first
-- name, 8 ms for two) however few orders a page needs. Each search row now carries its order's
-- created_at and its terms: the names' words, and each word again marked with the week the
-- order was created in ('~002948' || word). A search reads the newest weeks first through
-- those short lists (OrderRecords.postgresNames), sorts the matches' narrow rows and fetches
-- only a page of orders. The table is rebuilt rather than updated in place: an UPDATE of every
-- row would write every row's GIN entries again, one by one. SQLite keeps the time in the
-- rowid and reads FTS5's lists in that order (migration 22): nothing here.
-- postgres: CREATE TABLE order_search_dated (
-- postgres:     order_id    TEXT PRIMARY KEY REFERENCES orders (id),
-- postgres:     names       TEXT NOT NULL,
-- postgres:     created_at  BIGINT NOT NULL,
-- postgres:     -- The words, then each as '~', the week in six digits, the word (OrderSearch.weekLexeme):
-- postgres:     -- written into the text form of the words without positions, at each lexeme's quote.
-- postgres:     terms       TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', names)
-- postgres:                     || regexp_replace(strip(to_tsvector('simple', names))::text, '(^| )''',
-- postgres:                                       '\1''~' || lpad((GREATEST(created_at, 0) / 604800000)::text, 6, '0'), 'g')::tsvector) STORED
-- postgres: );
-- postgres: INSERT INTO order_search_dated (order_id, names, created_at)
-- postgres:     SELECT s.order_id, s.names, o.created_at FROM order_search s JOIN orders o ON o.id = s.order_id;
-- postgres: DROP TABLE order_search;
-- postgres: ALTER TABLE order_search_dated RENAME TO order_search;
-- postgres: ALTER INDEX order_search_dated_pkey RENAME TO order_search_pkey;
-- postgres: ALTER TABLE order_search RENAME CONSTRAINT order_search_dated_order_id_fkey TO order_search_order_id_fkey;
-- postgres: CREATE INDEX order_search_terms ON order_search USING GIN (terms) WITH (fastupdate = off);
-- postgres: -- A new table has no statistics until autovacuum comes by: just after migrating a million
-- postgres: -- orders, a search matching nothing took 1.7 s (p50) until it had; 10 ms after.
-- postgres: ANALYZE order_search;

-- ───────────────────────────── the packing queue's counts (migration 26; PostgreSQL migration 21) ──────────────────

-- How many shipments wait at each location: exactly the rows of fulfilment_queue there (no row
-- means none), kept by PackingQueueRecords in the transaction of every change to the queue, so
-- the queue's `total` is one primary-key read instead of a count of the location's range (18.7 ms
-- on PostgreSQL with 114,971 waiting at one location, growing with the queue). Fulfilment owns it;
-- a row may stay at 0. Every change adds to the row (`waiting = waiting + n`), never sets it from
-- a read, so two writers cannot lose each other's change.
CREATE TABLE fulfilment_queue_counts (
    location  TEXT PRIMARY KEY,
    waiting   INTEGER NOT NULL
) STRICT;
INSERT INTO fulfilment_queue_counts (location, waiting) SELECT location, COUNT(*) FROM fulfilment_queue GROUP BY location;

-- ───────────────────────────── the order id out of the name index (migration 27; SQLite only) ──────────────────

-- The name index no longer indexes the order id: a search matches the names column only, and an
-- edit finds its order's row by rowid (its creation millisecond's range, OrderRecords.updateSearch).
-- Indexed, every order added two terms and their five prefixes, one of them a term of its own (the
-- id's random part) that every merge of the FTS5 segments carried through every level: a third of
-- the index (394 MB of it at 1.7 M orders, 261 MB without). PostgreSQL's order_search is a table
-- with a GIN index on the names alone: nothing to do there.
CREATE VIRTUAL TABLE order_search_names USING fts5 (order_id UNINDEXED, names, columnsize = 0, prefix = '2 3 4 5 6');
INSERT INTO order_search_names (rowid, order_id, names) SELECT rowid, order_id, names FROM order_search;
DROP TABLE order_search;
ALTER TABLE order_search_names RENAME TO order_search;

-- ───────────────────────────── the ledger's SKU index by id range (migration 28; SQLite only) ──────────────────

-- A SKU's movements indexed within ranges of 65,536 movement ids: (id >> 16) first, then the SKU.
-- Keyed by SKU alone, every SKU with a few hundred movements had a last leaf page of its own, and
-- intake wrote one such page for nearly every order line, far apart in the file: at 1.96 M orders,
-- 53–60 KiB written per order against 46 on an empty store. Within the newest range the SKUs
-- share leaves as they do on an empty store. A SKU's listing reads its part of each range from the
-- cursor's on (StockRecords.movements). PostgreSQL keeps (sku, id): its intake at a million orders
-- is no slower than on an empty store.
DROP INDEX stock_movements_sku;
CREATE INDEX stock_movements_sku ON stock_movements ((id >> 16), sku, id);
