#!/usr/bin/env bash
# Flash-sale benchmark (issue 4's proof, as a benchmark): UNITS units of one SKU, CONNS
# concurrent keep-alive connections (wrk, 256 by default) race 5,000 single-unit holds against
# `bahi serve` (release build, durable). Prints how many holds succeeded and how many got 409,
# the server-side window in which all the holds were answered (from the access log) and the
# attempts per second, then the SKU's reserved and available stock, the ledger audit and
# `bahi check`. Exactly UNITS may succeed, whatever the concurrency.
#
# KEY=storefront races through one storefront key (channel web) at its role's default rate
# limit (rate_limit.roles.storefront: 10,000/s, burst 20,000; the lifted BAHI_RATE_LIMIT_*
# of serve-seeded.sh are only the default other roles follow): issue 11's proof that a flash
# sale through a storefront key meets no 429. Otherwise the first admin key is used.
#
#   Benchmarks/flashsale.sh                  # 1,000 units, 5,000 holds, 256 connections
#   KEY=storefront Benchmarks/flashsale.sh   # the same through one storefront key
#   BIN=path/to/bahi UNITS=500 Benchmarks/flashsale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
UNITS=${UNITS:-1000}
HOLDS=${HOLDS:-5000}
CONNS=${CONNS:-256}
PORT=${PORT:-18283}
SEED_UNITS=$UNITS SERVE_LOG=access.log
source Benchmarks/serve-seeded.sh
export HOLDS_PER_THREAD=$((HOLDS / 2)) FLASH_SKU=BENCH-1
ADMIN_KEY=$BAHI_BENCH_KEY
if [ "${KEY:-admin}" = storefront ]; then
  BAHI_BENCH_KEY=$(env -u BAHI_BENCH_KEY "$BIN" keys create --role storefront --channel web --name flash-sale --db "$WORK/bahi.db" 2>/dev/null)
  export BAHI_BENCH_KEY
  echo "key: storefront (channel web), policy $(curl -s -D - -o /dev/null -H "Authorization: Bearer $BAHI_BENCH_KEY" "http://127.0.0.1:$PORT/v1/me" | tr -d '\r' | sed -n 's/^RateLimit-Policy: //Ip')"
fi
wrk -t2 -c"$CONNS" -d10s -s Benchmarks/flashsale.lua "http://127.0.0.1:$PORT" | grep "wrk saw"
sleep 0.5  # the access log is flushed on the loops' tick
python3 - "$WORK/access.log" "$UNITS" "$HOLDS" <<'PY'
import json, sys, datetime
path, units, holds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = []
for line in open(path):
    if not line.startswith("{"): continue
    r = json.loads(line)
    if r.get("path") == "/v1/inventory/reservations" and r.get("method") == "POST":
        end = datetime.datetime.fromisoformat(r["time"].replace("Z", "+00:00")).timestamp() * 1000
        rows.append((end - r["duration_ms"], end, r["status"]))
ok = sum(1 for r in rows if r[2] == 201); refused = sum(1 for r in rows if r[2] == 409); limited = sum(1 for r in rows if r[2] == 429)
window = (max(r[1] for r in rows) - min(r[0] for r in rows)) / 1000 if rows else 0
lat = sorted(r[1] - r[0] for r in rows)
print(f"server: {len(rows)} holds answered: {ok} × 201, {refused} × 409, {limited} × 429, {len(rows) - ok - refused - limited} other")
print(f"window {window:.3f} s, {len(rows) / window:,.0f} hold attempts/s, server time p50 {lat[len(lat)//2]:.2f} ms, p99 {lat[len(lat)*99//100]:.2f} ms")
verdict = "ok" if (ok == units and ok + refused == holds) else "WRONG"
print(f"exactly {units} succeeded out of {holds}: {verdict}")
PY
curl -s -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:$PORT/v1/inventory/BENCH-1" | python3 -c "import json,sys; t=json.load(sys.stdin)['totals']; print('stock of BENCH-1:', ', '.join(f'{k} {t.get(k)}' for k in ('on_hand', 'reserved', 'available')))"
echo "audit: $(curl -s -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:$PORT/v1/inventory/audit")"
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
env -u BAHI_BENCH_KEY "$BIN" check --db "$WORK/bahi.db" | sed 's/^/check: /' | grep -v "^check: ok" || echo "check: ok (every invariant)"
