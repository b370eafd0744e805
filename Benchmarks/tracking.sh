#!/usr/bin/env bash
# Courier tracking benchmark: Shiprocket tracking pushes (`POST /v1/webhooks/shiprocket`) at 64
# connections against `bahi serve` (release, SQLite, synchronous=FULL: every answered push is
# durable). Booked shipments are seeded straight into the database, each with its own AWB; the
# pushes are Shiprocket's published webhook (its fields, `shipment_status_id`,
# `current_timestamp` "DD MM YYYY HH:MM:SS", the sample's six `scans[]`), pre-generated, one
# per request, in this mix:
#
#   8 in 10  the first push for a fresh AWB, in transit: ready → picked_up (implied) →
#            in_transit, six scans kept, two events, the order's fulfilment_status shipped;
#   1 in 10  a delivery for a parcel already in transit (its six earlier scans already kept):
#            two new scans, delivered, a COD order's cash collected (every third order is
#            COD), the courier's tallies, the order delivered and completed;
#   1 in 10  a redelivered push: the same body as a transit push ~1,000 requests earlier,
#            answered `duplicate`.
#
# Prints pushes/s, p50, p99, non-2xx, and the server's CPU per answered push (all its threads,
# and its writer thread alone, from /proc: on a shared machine a steadier comparison of two
# builds than the rate), and then checks from the database that every answered
# push left its scans and moved its shipment (and its order, its COD cash, its events).
#
#   Benchmarks/tracking.sh                      # 3 runs of 10 s, median
#   DURATION=5 REPS=1 CONNS=64 Benchmarks/tracking.sh
#   BIN=/path/to/bahi Benchmarks/tracking.sh    # a build of your own (no swift build)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
REPS=${REPS:-3}
CONNS=${CONNS:-64}
PUSHES=${PUSHES:-$((DURATION * 15000))}   # more than a run sends: no line is sent twice
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
if [ -z "${BIN:-}" ]; then
  swift build -c release --product bahi --scratch-path .build-release >/dev/null
  BIN=$(swift build -c release --product bahi --scratch-path .build-release --show-bin-path)/bahi
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
TOKEN=srtok_bahi_bench

printf "%-6s %12s %10s %10s %10s %12s %12s\n" conns "pushes/s" "p50 ms" "p99 ms" "non-2xx" "cpu us/push" "writer us/p"
results=$(mktemp)
for run in $(seq "$REPS"); do
  WORK=$(mktemp -d)
  PORT=$(free_port)
  "$BIN" migrate --db "$WORK/bahi.db" >/dev/null
  # A channel, a location, a manual courier, one SKU; per push i (but the duplicates) an order
  # in fulfilment with one line and its one booked shipment (ready, or in transit with its
  # earlier scans for the deliveries), and the push itself.
  python3 - "$WORK/bahi.db" "$WORK/pushes.txt" "$PUSHES" <<'PY'
import calendar, json, sqlite3, sys, time
db, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
now = int(time.time() * 1000)
IST = 19800
def ms(text):  # "YYYY-MM-DD HH:MM:SS" IST → Unix ms
    return (calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%S")) - IST) * 1000
def kind(i):
    if i % 10 == 0: return "delivery"
    if i % 10 == 1 and i >= 1000: return "duplicate"
    return "transit"
awb = lambda i: f"7{i:013d}"
# The sample's history (SR-PM "Webhooks"), in December 2026.
history = [
    ("2026-12-01 11:59:16", "X-UCI", "Manifested - Manifest uploaded", "Chomu_SamodRd_D (Rajasthan)", "5", "MANIFEST GENERATED", "ready"),
    ("2026-12-01 15:32:17", "X-PPOM", "In Transit - Shipment picked up", "Chomu_SamodRd_D (Rajasthan)", "42", "PICKED UP", "picked_up"),
    ("2026-12-01 16:40:19", "X-PIOM", "In Transit - Shipment Recieved at Origin Center", "Chomu_SamodRd_D (Rajasthan)", "6", "SHIPPED", "in_transit"),
    ("2026-12-01 17:19:14", "X-DBL1F", "In Transit - Added to Bag", "Chomu_SamodRd_D (Rajasthan)", "NA", "NA", None),
    ("2026-12-02 10:27:56", "X-DLL2F", "In Transit - Bag Added To Trip", "Chomu_SamodRd_D (Rajasthan)", "18", "IN TRANSIT", "in_transit"),
    ("2026-12-03 11:43:46", "X-IBD3F", "In Transit - Shipment Received at Facility", "Surat_Udhna_H (Gujarat)", "18", "IN TRANSIT", "in_transit"),
]
delivery = history + [
    ("2026-12-04 09:12:05", "X-DDD3FD", "Out for delivery", "Surat_Udhna_D (Gujarat)", "17", "OUT FOR DELIVERY", "out_for_delivery"),
    ("2026-12-04 14:05:31", "EOD-38", "Delivered to consignee", "Surat_Udhna_D (Gujarat)", "7", "DELIVERED", "delivered"),
]
def scans(rows):
    return [{"date": d, "status": s, "activity": a, "location": l, "sr-status": sr, "sr-status-label": srl} for d, s, a, l, sr, srl, _ in rows]
def push(i, delivered):
    status, sid, oid, stamp = ("DELIVERED", 7, 7, "04 12 2026 14:05:33") if delivered else ("IN TRANSIT", 18, 20, "03 12 2026 11:43:52")
    return json.dumps({
        "awb": awb(i), "courier_name": "Delhivery Surface", "current_status": status, "current_status_id": oid,
        "shipment_status": status, "shipment_status_id": sid, "current_timestamp": stamp, "order_id": f"{1373900 + i}_{150876814 + i}",
        "sr_order_id": 348456385 + i, "awb_assigned_date": "2026-12-01 11:59:16", "pickup_scheduled_date": "2026-12-01 11:59:17",
        "etd": "2026-12-04 15:40:19", "scans": scans(delivery if delivered else history), "is_return": 0, "channel_id": 3422553,
        "pod_status": "OTP Based Delivery", "pod": "Not Available", "qc_image": "", "qc_failure_reason": ""}, separators=(",", ":"))

c = sqlite3.connect(db)
c.execute("INSERT INTO channels (code, name, kind, created_at, updated_at) VALUES ('web', 'Website', 'website', ?, ?)", (now, now))
c.execute("""INSERT INTO locations (code, name, pincode, state, district, address, created_at, updated_at)
             VALUES ('SURAT', 'Surat warehouse', '395003', 'Gujarat', 'Surat', '4 Ring Road, Surat', ?, ?)""", (now, now))
c.execute("""INSERT INTO couriers (code, name, provider, mode, max_weight_g, cod, active, pickup_cutoff, zone_e_states, slab_g, volumetric_divisor,
             min_chargeable_g, cod_fixed_paise, cod_percent_bps, rto_percent_bps, fuel_surcharge_bps, gst_bps, serviceable_pincodes, version,
             created_at, updated_at)
             VALUES ('bench-manual', 'Bench courier', 'manual', 'surface', 20000, 1, 1, '17:00', '', 500, 5000, 500, 3500, 200, 10000, 0, 1800, 0, 1, ?, ?)""",
          (now, now))
c.execute("INSERT INTO skus (sku, name, mrp_paise, price_paise, weight_g, hsn, gst_rate_bps, created_at, updated_at) VALUES ('TEE-1', 'Tee', 99800, 99800, 300, '6109', 500, ?, ?)",
          (now, now))
address = json.dumps({"name": "Asha", "line1": "12 Ring Road", "city": "Surat", "pincode": "395003"})
booked, picked, transit = ms("2026-12-01 10:00:00"), ms("2026-12-01 15:32:17"), ms("2026-12-03 11:43:46")
seeded = [i for i in range(n) if kind(i) != "duplicate"]
cod = lambda i: i % 3 == 0
c.executemany(
    """INSERT INTO orders (id, channel, channel_order_ref, status, payment_method, payment_status, fulfilment_status, gateway, paid_paise,
       customer_name, customer_phone, shipping_address, ship_pincode, place_of_supply, supply, subtotal_paise, discount_paise,
       shipping_paise, shipping_taxable_paise, shipping_rate_bps, taxable_paise, cgst_paise, sgst_paise, igst_paise, total_paise,
       placed_at, created_at, updated_at)
       VALUES (?, 'web', ?, 'in_fulfilment', ?, ?, ?, ?, ?, 'Asha', '+919825012345', ?, '395003', '24',
               'intra_state', 99800, 0, 0, 0, 0, 95048, 2376, 2376, 0, 99800, ?, ?, ?)""",
    ((f"ord_TRK{i:012d}", f"T-{i}", "cod" if cod(i) else "prepaid", "cod_pending" if cod(i) else "paid",
      "shipped" if kind(i) == "delivery" else "unfulfilled", None if cod(i) else "razorpay", 0 if cod(i) else 99800, address, now, now, now)
     for i in seeded))
c.executemany(
    """INSERT INTO order_lines (order_id, line, sku, name, hsn, qty, unit_price_paise, discount_paise, total_paise, taxable_paise, rate_bps,
       cgst_paise, sgst_paise, igst_paise) VALUES (?, 0, 'TEE-1', 'Tee', '6109', 1, 99800, 0, 99800, 95048, 500, 2376, 2376, 0)""",
    ((f"ord_TRK{i:012d}",) for i in seeded))
c.executemany(
    """INSERT INTO shipments (id, order_id, location, status, weight_g, length_mm, width_mm, height_mm, packed_at, created_at, updated_at,
       courier, awb, booked_at, status_at, picked_up_at)
       VALUES (?, ?, 'SURAT', ?, 300, 300, 250, 20, ?, ?, ?, 'bench-manual', ?, ?, ?, ?)""",
    ((f"shp_TRK{i:012d}", f"ord_TRK{i:012d}", "in_transit" if kind(i) == "delivery" else "ready", booked, booked, booked, awb(i), booked,
      transit if kind(i) == "delivery" else None, picked if kind(i) == "delivery" else None) for i in seeded))
c.executemany("INSERT INTO shipment_lines (shipment_id, line, sku, stock_sku, qty) VALUES (?, 0, 'TEE-1', 'TEE-1', 1)",
              ((f"shp_TRK{i:012d}",) for i in seeded))
c.executemany(
    "INSERT INTO tracking_scans (shipment_id, at, code, provider, status, label, location, received_at) VALUES (?, ?, ?, 'shiprocket', ?, ?, ?, ?)",
    ((f"shp_TRK{i:012d}", ms(d), s, st, a, l, now) for i in seeded if kind(i) == "delivery" for d, s, a, l, _, _, st in history))
# The stock the ready parcels hold reserved (one receive and one reserve movement, so the
# ledger adds up): the first push of each ships it, as a handover would.
ready = sum(1 for i in seeded if kind(i) == "transit")
c.execute("INSERT INTO stock_levels (sku, location, on_hand, reserved, updated_at) VALUES ('TEE-1', 'SURAT', ?, ?, ?)", (ready, ready, now))
c.execute("INSERT INTO stock_movements (sku, location, kind, on_hand_delta, reference, actor, created_at) VALUES ('TEE-1', 'SURAT', 'receive', ?, 'bench-seed', 'bench', ?)", (ready, now))
c.execute("INSERT INTO stock_movements (sku, location, kind, reserved_delta, reference, actor, created_at) VALUES ('TEE-1', 'SURAT', 'reserve', ?, 'bench-seed', 'bench', ?)", (ready, now))
c.commit()
with open(out, "w") as f:
    for i in range(n):
        k = kind(i)
        f.write((push(i - 997, False) if k == "duplicate" else push(i, k == "delivery")) + "\n")
PY
  BAHI_SECRETS_SHIPROCKET_WEBHOOK_TOKEN=$TOKEN BAHI_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 BAHI_RATE_LIMIT_BURST=1000000 \
    BAHI_DATABASE_SYNCHRONOUS=full BAHI_LOG_ACCESS_LOG=false "$BIN" serve --db "$WORK/bahi.db" --port "$PORT" > "$WORK/serve.log" 2>&1 &
  PID=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/v1/ready" >/dev/null 2>&1 && break; sleep 0.05; done
  # CPU ticks (utime + stime) of the server and of its writer thread.
  WRITER=$(grep -l 'store.writ' /proc/$PID/task/*/comm 2>/dev/null | head -1 | xargs -r dirname)
  ticks() { awk '{ print $14 + $15 }' "$1/stat" 2>/dev/null || echo 0; }
  cpu0=$(ticks /proc/$PID); wcpu0=$(ticks "${WRITER:-/nonexistent}")
  PUSHES_FILE="$WORK/pushes.txt" PUSH_TOKEN=$TOKEN WRK_THREADS=2 wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s Benchmarks/tracking.lua \
    "http://127.0.0.1:$PORT" > "$WORK/wrk.out"
  cpu1=$(ticks /proc/$PID); wcpu1=$(ticks "${WRITER:-/nonexistent}")
  kill "$PID"; wait "$PID" 2>/dev/null || true
  line=$(awk '
    function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms$/, "", v); return v } if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 } return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF } /requests in/ { total = $1 }
    END { printf "%.0f %.3f %.3f %d %d", rps, p50, p99, bad, total }' "$WORK/wrk.out")
  hz=$(getconf CLK_TCK)
  line="$line $(awk -v c=$((cpu1 - cpu0)) -v w=$((wcpu1 - wcpu0)) -v hz="$hz" -v line="$line" \
    'BEGIN { split(line, f, " "); n = f[5] - f[4]; printf "%.0f %.0f", c / hz * 1e6 / n, w / hz * 1e6 / n }')"
  set -- $line
  printf "%-6s %12s %10s %10s %10s %12s %12s\n" "$CONNS" "$1" "$2" "$3" "$4" "$6" "$7"
  echo "$line" >> "$results"
  # Every answered push did what it says: wrk's answered count against what the database
  # holds, and every moved shipment checked whole (its scans, events, order, COD cash).
  python3 - "$WORK/bahi.db" "$5" "$4" "$PUSHES" "$CONNS" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
answered, n, conns = int(sys.argv[2]) - int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if int(sys.argv[2]) > n:
    sys.exit(f"tracking.sh: wrk sent {sys.argv[2]} requests, more than the {n} pushes seeded: raise PUSHES")
kind = lambda i: "delivery" if i % 10 == 0 else "duplicate" if i % 10 == 1 and i >= 1000 else "transit"
q = lambda sql: c.execute(sql).fetchone()[0]
# A push moved its shipment: a transit push's from ready to in_transit, a delivery's from
# in_transit (seeded) to delivered.
moved = {int(r[0][7:]): r[1] for r in c.execute("SELECT id, status FROM shipments WHERE status = 'in_transit' OR status = 'delivered'")}
moved = {i: s for i, s in moved.items() if s == ("delivered" if kind(i) == "delivery" else "in_transit")}
transits = sum(1 for s in moved.values() if s == "in_transit")
deliveries = sum(1 for s in moved.values() if s == "delivered")
# wrk's thread t sends lines t, t+2, …: per thread, everything below the last line that moved a
# shipment was sent, and only the requests in flight when wrk stopped may be missing.
duplicates, holes = 0, 0
for t in (0, 1):
    mine = [i for i in moved if i % 2 == t]
    top = max(mine) if mine else -1
    duplicates += sum(1 for i in range(t, top + 1, 2) if kind(i) == "duplicate")
    holes += sum(1 for i in range(t, top + 1, 2) if kind(i) != "duplicate" and i not in moved)
bad = []
if transits + deliveries + duplicates < answered: bad.append("fewer moves than answered pushes")
if holes > conns: bad.append(f"{holes} pushes below the last one applied left nothing")
# Each moved shipment whole: six scans after a transit push, eight after a delivery.
wrong_scans = q("""SELECT COUNT(*) FROM (SELECT s.id, s.status, COUNT(t.code) AS n FROM shipments s JOIN tracking_scans t ON t.shipment_id = s.id
                   WHERE s.picked_up_at IS NOT NULL GROUP BY s.id HAVING NOT ((s.status = 'in_transit' AND n = 6) OR (s.status = 'delivered' AND n = 8)))""")
if wrong_scans: bad.append(f"{wrong_scans} shipments without exactly their scans")
events = dict(c.execute("SELECT type, COUNT(*) FROM events WHERE type LIKE 'shipment.%' OR type LIKE 'order.%' GROUP BY type").fetchall())
expect = {"shipment.picked_up": transits, "shipment.in_transit": transits, "shipment.delivered": deliveries,
          "order.fulfilment_changed": transits + deliveries, "order.completed": deliveries}
for t, e in expect.items():
    if events.get(t, 0) != e: bad.append(f"{events.get(t, 0)} {t} events, expected {e}")
shipped = q("SELECT COUNT(*) FROM orders WHERE fulfilment_status = 'shipped' AND status = 'in_fulfilment'")
completed = q("SELECT COUNT(*) FROM orders WHERE fulfilment_status = 'delivered' AND status = 'completed'")
cod_due = sum(1 for i, s in moved.items() if s == "delivered" and i % 3 == 0)
cod_paid = q("SELECT COUNT(*) FROM payments WHERE gateway = 'cod' AND status = 'captured' AND amount_paise = 99800")
cod_orders = q("SELECT COUNT(*) FROM orders WHERE payment_status = 'cod_collected' AND paid_paise = 99800")
unshipped_delivery_orders = sum(1 for i in range(0, n, 10) if i not in moved)
if shipped != transits + unshipped_delivery_orders: bad.append(f"{shipped} shipped orders, expected {transits + unshipped_delivery_orders}")
if completed != deliveries: bad.append(f"{completed} completed orders, expected {deliveries}")
if not (cod_paid == cod_orders == cod_due): bad.append(f"COD: {cod_paid} payments, {cod_orders} orders collected, expected {cod_due}")
# The stock each transit push shipped: one ship movement per first push, and the ledger adds up.
ships = q("SELECT COUNT(*) FROM stock_movements WHERE kind = 'ship'")
if ships != transits: bad.append(f"{ships} ship movements, expected {transits}")
level = c.execute("SELECT on_hand, reserved FROM stock_levels WHERE sku = 'TEE-1'").fetchone()
sums = c.execute("SELECT SUM(on_hand_delta), SUM(reserved_delta) FROM stock_movements WHERE sku = 'TEE-1'").fetchone()
if tuple(level) != tuple(sums): bad.append(f"stock level {tuple(level)} is not the sum of its movements {tuple(sums)}")
finished = q("SELECT COALESCE(SUM(finished), 0) FROM courier_performance WHERE level = 'zone'")
if finished != deliveries: bad.append(f"courier tallies count {finished} finished, expected {deliveries}")
print(f"       check: {transits} in transit, {deliveries} delivered ({cod_paid} COD collected), ~{duplicates} duplicates sent; "
      f"wrk counted {answered} answered; {holes} in flight at the end", file=sys.stderr)
if bad:
    sys.exit("tracking.sh: the database does not match the answers: " + "; ".join(bad))
PY
  rm -rf "$WORK"
done
sort -n "$results" | awk '{ a[NR] = $0 } END { split(a[int((NR + 1) / 2)], m, " "); printf "median %12s %10s %10s %10s %12s %12s\n", m[1], m[2], m[3], "", m[6], m[7] }'
rm -f "$results"
