#!/usr/bin/env bash
# Gateway webhook benchmark: Razorpay `payment.captured` webhooks at 64 connections against
# `bahi serve` (release, SQLite, synchronous=FULL: every answered webhook is durable), each for
# its own pending order (seeded straight into the database), each signed and verified over
# its raw bytes, each confirming its order. Prints webhooks/s, p50, p99, non-2xx, and then
# checks that every 200 left a captured payment and a confirmed order.
#
#   Benchmarks/payments.sh                      # 3 runs of 10 s, median
#   DURATION=5 REPS=1 CONNS=64 Benchmarks/payments.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
REPS=${REPS:-3}
CONNS=${CONNS:-64}
ORDERS=${ORDERS:-150000}
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
if [ -z "${BIN:-}" ]; then
  swift build -c release --product bahi --scratch-path .build-release >/dev/null
  BIN=$(swift build -c release --product bahi --scratch-path .build-release --show-bin-path)/bahi
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
SECRET=whsec_bahi_bench

printf "%-6s %12s %10s %10s %10s\n" conns "webhooks/s" "p50 ms" "p99 ms" "non-2xx"
results=$(mktemp)
for run in $(seq "$REPS"); do
  WORK=$(mktemp -d)
  PORT=$(free_port)
  "$BIN" migrate --db "$WORK/bahi.db" >/dev/null
  # Pending prepaid orders (only the columns a payment touches matter here) and one signed
  # payment.captured per order.
  python3 - "$WORK/bahi.db" "$WORK/payments.tsv" "$ORDERS" "$SECRET" <<'PY'
import hashlib, hmac, json, sqlite3, sys, time
db, out, n, secret = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].encode()
now = int(time.time() * 1000)
c = sqlite3.connect(db)
c.execute("INSERT INTO channels (code, name, kind, created_at, updated_at) VALUES ('web', 'Website', 'website', ?, ?)", (now, now))
address = json.dumps({"name": "Asha", "line1": "12 Ring Road", "city": "Surat", "pincode": "395003"})
c.executemany(
    """INSERT INTO orders (id, channel, channel_order_ref, status, payment_method, payment_status, gateway, gateway_order_id,
       customer_name, customer_phone, shipping_address, ship_pincode, place_of_supply, supply, subtotal_paise, discount_paise,
       shipping_paise, shipping_taxable_paise, shipping_rate_bps, taxable_paise, cgst_paise, sgst_paise, igst_paise, total_paise,
       placed_at, created_at, updated_at)
       VALUES (?, 'web', ?, 'pending_payment', 'prepaid', 'unpaid', 'razorpay', ?, 'Asha', '+919825012345', ?, '395003', '24',
               'intra_state', 99800, 0, 0, 0, 0, 95048, 2376, 2376, 0, 99800, ?, ?, ?)""",
    ((f"ord_BENCH{i:012d}", f"B-{i}", f"order_B{i}", address, now, now, now) for i in range(n)))
c.commit()
with open(out, "w") as f:
    for i in range(n):
        body = json.dumps({"entity": "event", "account_id": "acc_BFQ7uQEaa7j2z7", "event": "payment.captured", "contains": ["payment"],
                           "payload": {"payment": {"entity": {"id": f"pay_B{i}", "entity": "payment", "amount": 99800, "currency": "INR",
                                                              "status": "captured", "order_id": f"order_B{i}", "method": "upi", "captured": True,
                                                              "notes": [], "fee": 2356, "tax": 359, "created_at": now // 1000}}},
                           "created_at": now // 1000}, separators=(",", ":"))
        sig = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
        f.write(f"evt_B{i}\t{sig}\t{body}\n")
PY
  BAHI_SECRETS_RAZORPAY_WEBHOOK_SECRET=$SECRET BAHI_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 BAHI_RATE_LIMIT_BURST=1000000 \
    BAHI_DATABASE_SYNCHRONOUS=full BAHI_LOG_ACCESS_LOG=false "$BIN" serve --db "$WORK/bahi.db" --port "$PORT" > "$WORK/serve.log" 2>&1 &
  PID=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/v1/ready" >/dev/null 2>&1 && break; sleep 0.05; done
  PAYMENTS_FILE="$WORK/payments.tsv" WRK_THREADS=2 wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s Benchmarks/payments.lua "http://127.0.0.1:$PORT" > "$WORK/wrk.out"
  kill "$PID"; wait "$PID" 2>/dev/null || true
  line=$(awk '
    function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms$/, "", v); return v } if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 } return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF } /requests in/ { total = $1 }
    END { printf "%.0f %.3f %.3f %d %d\n", rps, p50, p99, bad, total }' "$WORK/wrk.out")
  set -- $line
  printf "%-6s %12s %10s %10s %10s\n" "$CONNS" "$1" "$2" "$3" "$4"
  echo "$line" >> "$results"
  # Every answered webhook left a captured payment and a confirmed, paid order.
  python3 - "$WORK/bahi.db" "$5" "$4" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
answered = int(sys.argv[2]) - int(sys.argv[3])
captured = c.execute("SELECT COUNT(*) FROM payments WHERE status = 'captured'").fetchone()[0]
confirmed = c.execute("SELECT COUNT(*) FROM orders WHERE status = 'confirmed' AND payment_status = 'paid'").fetchone()[0]
events = c.execute("SELECT COUNT(*) FROM gateway_events").fetchone()[0]
print(f"       check: {captured} captured payments, {confirmed} confirmed paid orders, {events} gateway events kept; wrk counted {answered} answered", file=sys.stderr)
# wrk stops mid-flight, so the server may have committed a few requests wrk never counted.
if not (captured == confirmed == events and captured >= answered):
    sys.exit("payments.sh: the database does not match the answers")
PY
  rm -rf "$WORK"
done
sort -n "$results" | awk '{ a[NR] = $0 } END { split(a[int((NR + 1) / 2)], m, " "); printf "median %12s %10s %10s\n", m[1], m[2], m[3] }'
rm -f "$results"
