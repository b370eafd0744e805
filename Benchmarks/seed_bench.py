#!/usr/bin/env python3
"""Seeds a migrated Bahi database for benchmarks: SKUs BENCH-1..N, one location, channel
"web", and on_hand written through a `receive` movement so the ledger audit stays clean."""
import sqlite3, sys, time

db, units = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100_000_000
now = int(time.time() * 1000)
c = sqlite3.connect(db)
c.execute("PRAGMA journal_mode=WAL")
c.execute("INSERT INTO locations (code, name, pincode, state, district, priority, created_at, updated_at) VALUES ('SURAT', 'Surat', '395003', 'GUJARAT', 'SURAT', 1, ?, ?)", (now, now))
c.execute("INSERT INTO channels (code, name, kind, created_at, updated_at) VALUES ('web', 'Website', 'website', ?, ?)", (now, now))
for i in range(1, 11):
    sku = f"BENCH-{i}"
    c.execute("INSERT INTO skus (sku, name, mrp_paise, price_paise, gst_rate_bps, created_at, updated_at) VALUES (?, ?, 99900, 79900, 1200, ?, ?)", (sku, f"Bench item {i}", now, now))
    c.execute("INSERT INTO stock_levels (sku, location, on_hand, updated_at) VALUES (?, 'SURAT', ?, ?)", (sku, units, now))
    c.execute("INSERT INTO stock_movements (sku, location, kind, on_hand_delta, reference, actor, created_at) VALUES (?, 'SURAT', 'receive', ?, 'bench-seed', 'bench', ?)", (sku, units, now))
c.commit()
