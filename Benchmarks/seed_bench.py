#!/usr/bin/env python3
"""Seeds a migrated Bahi database for benchmarks: SKUs BENCH-1..N, one location, channel
"web", and on_hand written through a `receive` movement so the ledger audit stays clean.

    seed_bench.py PATH.db [UNITS]            # SQLite, through Python's sqlite3
    seed_bench.py 'host=… dbname=…' [UNITS]  # PostgreSQL (a libpq conninfo), through psql
"""
import sqlite3, subprocess, sys, time

db, units = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100_000_000
now = int(time.time() * 1000)
statements = [
    ("INSERT INTO locations (code, name, pincode, state, district, priority, created_at, updated_at) VALUES ('SURAT', 'Surat', '395003', 'GUJARAT', 'SURAT', 1, ?, ?)", (now, now)),
    ("INSERT INTO channels (code, name, kind, created_at, updated_at) VALUES ('web', 'Website', 'website', ?, ?)", (now, now)),
]
for i in range(1, 11):
    sku = f"BENCH-{i}"
    statements += [
        ("INSERT INTO skus (sku, name, mrp_paise, price_paise, gst_rate_bps, created_at, updated_at) VALUES (?, ?, 99900, 79900, 1200, ?, ?)", (sku, f"Bench item {i}", now, now)),
        ("INSERT INTO stock_levels (sku, location, on_hand, updated_at) VALUES (?, 'SURAT', ?, ?)", (sku, units, now)),
        ("INSERT INTO stock_movements (sku, location, kind, on_hand_delta, reference, actor, created_at) VALUES (?, 'SURAT', 'receive', ?, 'bench-seed', 'bench', ?)", (sku, units, now)),
    ]
if "=" in db:
    # Values are ours (numbers and fixed words), so inlining them as literals is safe here.
    def literal(v):
        return str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"
    def inline(sql, args):
        parts = sql.split("?")
        return "".join(p + (literal(args[i]) if i < len(args) else "") for i, p in enumerate(parts))
    script = "BEGIN;\n" + "".join(inline(s, a) + ";\n" for s, a in statements) + "COMMIT;\n"
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", db], input=script.encode(), check=True, stdout=subprocess.DEVNULL)
else:
    c = sqlite3.connect(db)
    c.execute("PRAGMA journal_mode=WAL")
    for sql, args in statements:
        c.execute(sql, args)
    c.commit()
