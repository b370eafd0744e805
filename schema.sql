-- Bahi: the whole current schema, for a person to read.
--
-- `bahi migrate` (and `bahi serve` at start) brings an older database here through the
-- numbered migrations in Sources/BahiCore/Schema/Migrations.swift; a test applies them to an
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
