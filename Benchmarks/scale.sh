#!/usr/bin/env bash
# Scale benchmark (issue 15): a realistic store of ORDERS orders (`BahiBench seed`: 50,000
# customers, 5,000 SKUs with kits, 3 locations, 4 channels, 180 days of orders through delivery,
# RTO, NDR and COD), then every list and search call an operator or a connector waits on, each
# with READERS concurrent readers (Benchmarks/scale_read.py: p50/p99 per call, the server's peak
# RSS), `bahi check`, `POST /v1/orders` at 64 connections on this store and on an empty one
# (same catalogue, same sitting), the seeding time and the bytes per order with what takes them.
#
#   Benchmarks/scale.sh                               # 1,000,000 orders on SQLite
#   ORDERS=200000 Benchmarks/scale.sh                 # a smaller store
#   DB=/tmp/scale/bahi.db Benchmarks/scale.sh         # reuse a seeded file (seeded there if absent)
#   STORE=postgres ORDERS=200000 Benchmarks/scale.sh  # a throwaway durable PostgreSQL cluster
#   STORE=postgres FROM_SQLITE=/tmp/scale/bahi.db Benchmarks/scale.sh  # that cluster filled by bahi copy
#
# Knobs: READERS=8 DURATION=5 (seconds per read call), CONNS=64 POST_DURATION=10 POST_WARMUP=5 POST_ROUNDS=3, SKIP_POST=1,
# SKIP_READS=1, SCALE_ONLY=<label text>, SKIP_CHECK=1, BAHI_PG_DIR=/tmp/pg-scale BAHI_PG_PORT=55435, PG_REUSE=1 (that cluster is
# running and its database `scale` filled: used as it is, and left running). The POST runs add orders to the store, so a
# reused DB grows by what they wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS=${ORDERS:-1000000}
STORE=${STORE:-sqlite}
READERS=${READERS:-8}
DURATION=${DURATION:-5}
CONNS=${CONNS:-64}
POST_DURATION=${POST_DURATION:-10}
POST_WARMUP=${POST_WARMUP:-5}
POST_ROUNDS=${POST_ROUNDS:-3}
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
if [ -z "${BIN:-}" ]; then
  echo "building bahi and BahiBench (release)..." >&2
  swift build -c release --product bahi --scratch-path .build-release >/dev/null
  swift build -c release --product BahiBench --scratch-path .build-release >/dev/null
  BIN=$(swift build -c release --product bahi --scratch-path .build-release --show-bin-path)/bahi
fi
BENCH=${BENCH:-$(dirname "$BIN")/BahiBench}
WORK=$(mktemp -d)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  if [ "$STORE" = postgres ] && [ "${PG_REUSE:-0}" != 1 ]; then BAHI_PG_DIR="$PG_DIR" BAHI_PG_PORT="$PG_PORT" scripts/postgres-test-server.sh stop; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM PIPE
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "== Bahi scale benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $STORE, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ── the stores: the big one (seeded, or reused) and an empty one with the same catalogue ──
if [ "$STORE" = postgres ]; then
  PG_DIR=${BAHI_PG_DIR:-/tmp/pg-scale}
  PG_PORT=${BAHI_PG_PORT:-55435}
  # The cluster's knobs, not bahi's: `bahi` refuses BAHI_ variables it does not know.
  unset BAHI_PG_DIR BAHI_PG_PORT
  if [ "${PG_REUSE:-0}" = 1 ]; then
    # A running cluster whose database `scale` is already filled (kept between runs: a copy
    # of the million takes ten minutes); only the empty store is made afresh.
    CONN="host=$PG_DIR port=$PG_PORT user=postgres dbname=postgres"
    psql -q "$CONN" -c "DROP DATABASE IF EXISTS scale_empty" -c "CREATE DATABASE scale_empty" >/dev/null
  else
    CONN=$(BAHI_PG_DURABLE=1 BAHI_PG_DIR="$PG_DIR" BAHI_PG_PORT="$PG_PORT" scripts/postgres-test-server.sh start)
    psql -q "$CONN" -c "CREATE DATABASE scale" -c "CREATE DATABASE scale_empty" >/dev/null
  fi
  BIG="postgres://postgres@localhost:$PG_PORT/scale?host=$PG_DIR"
  EMPTY="postgres://postgres@localhost:$PG_PORT/scale_empty?host=$PG_DIR"
  SEED_BIG=(--postgres "${CONN/dbname=postgres/dbname=scale}")
  SEED_EMPTY=(--postgres "${CONN/dbname=postgres/dbname=scale_empty}")
  NEEDS_SEED=1
  [ "${PG_REUSE:-0}" = 1 ] && NEEDS_SEED=0
  if [ -n "${FROM_SQLITE:-}" ]; then
    # The big store copied from a seeded SQLite file (`bahi copy`: COPY per table, then every
    # invariant on the target) rather than seeded here: PostgreSQL seeds at ~120 orders/s.
    "$BIN" migrate --db "$FROM_SQLITE" >/dev/null
    start=$(date +%s.%N)
    "$BIN" copy --from "$FROM_SQLITE" --to "$BIG" > "$WORK/copy.out" 2>&1 || { cat "$WORK/copy.out"; exit 1; }
    echo "-- copied $FROM_SQLITE onto PostgreSQL in $(python3 -c "print(f'{$(date +%s.%N) - $start:.0f}')") s"
    tail -3 "$WORK/copy.out" | sed 's/^/   /'
    psql -q "${CONN/dbname=postgres/dbname=scale}" -c "VACUUM ANALYZE" >/dev/null
    NEEDS_SEED=0
  fi
else
  BIG=${DB:-$WORK/big/bahi.db}
  EMPTY=$WORK/empty/bahi.db
  mkdir -p "$(dirname "$BIG")" "$(dirname "$EMPTY")"
  SEED_BIG=(--db "$BIG")
  SEED_EMPTY=(--db "$EMPTY")
  NEEDS_SEED=1
  [ -s "$BIG" ] && NEEDS_SEED=0
fi
if [ "$NEEDS_SEED" = 1 ]; then
  echo "-- seeding $ORDERS orders"
  start=$(date +%s.%N)
  "$BENCH" seed --orders "$ORDERS" "${SEED_BIG[@]}" 2> >(grep -v '^seed: [0-9]' >&2 | cat >&2) | tee "$WORK/seed.out"
  echo "seeding took $(python3 -c "print(f'{$(date +%s.%N) - $start:.0f}')") s (orders/s above; the release binary, one writer)"
else
  echo "-- reusing $BIG"
fi
"$BENCH" seed --orders 0 "${SEED_EMPTY[@]}" >/dev/null 2>&1

# ── this binary's schema (a store seeded by an older bahi is migrated in place, timed) ──
start=$(date +%s.%N)
"$BIN" migrate --db "$BIG" > "$WORK/migrate.out" 2>&1
echo "-- bahi migrate: $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s: $(tr '\n' ' ' < "$WORK/migrate.out")"

# ── shape and size ──
q() { if [ "$STORE" = postgres ]; then psql -Atq -F '|' -d "${CONN/dbname=postgres/dbname=scale}" -c "$1"; else sqlite3 -separator '|' "$BIG" "$1"; fi; }
if [ "$STORE" = postgres ]; then
  bytes=$(q "SELECT pg_database_size('scale')")
else
  sqlite3 "$BIG" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  bytes=$(stat -c %s "$BIG")
fi
orders=$(q "SELECT COUNT(*) FROM orders")
echo "-- the store: $orders orders"
q "SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY 2 DESC" | awk -F'|' -v n="$orders" '{ printf "   %-16s %9d  %5.1f %%\n", $1, $2, 100 * $2 / n }'
for t in order_lines shipments payments events order_history stock_movements tracking_scans invoices manifests shipment_ndrs; do
  printf "   %-16s %9d rows\n" "$t" "$(q "SELECT COUNT(*) FROM $t")"
done
echo "   customers $(q "SELECT COUNT(*) FROM customer_stats"), waiting to pack: $(q "SELECT COUNT(*) FROM shipments WHERE status IN ('pending', 'picking')")"
echo "-- size: $bytes bytes, $((bytes / orders)) bytes per order"
if [ "$STORE" = postgres ]; then
  q "SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC LIMIT 15" |
    awk -F'|' -v n="$orders" '{ printf "   %-28s %8.1f MB  %6.0f B/order (with its indexes)\n", $1, $2 / 1048576, $2 / n }'
else
  q "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 20" |
    awk -F'|' -v n="$orders" '{ printf "   %-34s %8.1f MB  %6.0f B/order\n", $1, $2 / 1048576, $2 / n }'
fi

# ── serving: reads, then writes ──
serve() {  # serve DB PORT DIR: one node, durable, rate limit lifted, its log (and a first start's admin key) in DIR
  BAHI_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 BAHI_RATE_LIMIT_BURST=1000000 BAHI_DATABASE_SYNCHRONOUS=full BAHI_SELLER_STATE=Gujarat \
    BAHI_LOG_ACCESS_LOG=false BAHI_DATABASE_PATH="$3/bahi.db" "$BIN" serve --db "$1" --port "$2" > "$3/serve.$2.log" 2>&1 &
  PIDS+=($!)
  SERVER=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$2/v1/ready" >/dev/null 2>&1 && break; sleep 0.1; done
}
key_for() {  # key_for DB: a new admin key, made offline, with its own limit lifted
  "$BIN" keys create --db "$1" --role admin --name "scale-$$-$RANDOM" --rate-limit 1000000/s --burst 1000000 2>/dev/null
}
KEY=$(key_for "$BIG")
PORT=$(free_port)
serve "$BIG" "$PORT" "$WORK"
BIGPID=$SERVER
# The stock audit reads from its checkpoint: a serving node's maintenance takes one at start when
# the movements since the last are many (a store seeded by an older bahi has none yet).
start=$(date +%s.%N)
for _ in $(seq 600); do
  curl -sf -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/inventory/audit" | grep -q '"checked_from":[1-9]' && break
  sleep 1
done
echo "-- the audit's checkpoint in place after $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s"
echo "-- reads: $READERS readers"
[ "${SKIP_READS:-0}" = 1 ] || SCALE_JSON=${SCALE_JSON:-} python3 Benchmarks/scale_read.py "http://127.0.0.1:$PORT" "$KEY" "$BIGPID" "$READERS" "$DURATION"

if [ "${SKIP_POST:-0}" != 1 ]; then
  wrk_post() {  # wrk_post PORT KEY SECONDS: POST /v1/orders at CONNS; prints "orders/s p50 p99 non-2xx"
    BAHI_BENCH_KEY=$2 BENCH_RUN=$RANDOM wrk -t2 -c"$CONNS" -d"${3}s" --latency -s Benchmarks/scale-orders.lua "http://127.0.0.1:$1" | awk '
      function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms$/, "", v); return v } if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 } return v }
      /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
      END { printf "%.0f %.2f %.2f %d", rps, p50, p99, bad }'
  }
  post() {  # post DB DIR [restock]: a new server on DB; POST_WARMUP s of load (its rate is the cold one), then
            # POST_DURATION s measured; prints "orders/s p50 p99 non-2xx peakRSS_MB cold_orders/s cold_non-2xx"
    local key port pid sampler peak cold rest
    key=$(key_for "$1")
    port=$(free_port)
    mkdir -p "$2"
    serve "$1" "$port" "$2"
    pid=$SERVER
    # The POST runs take stock from the popular thousand SKUs at Surat: a store those runs have
    # used up answers 409 (cheap, and not intake), so it is restocked first through the ledger.
    [ "${3:-}" = restock ] && restock "$port" "$key"
    cold="0 0 0 0"
    [ "$POST_WARMUP" -gt 0 ] && cold=$(wrk_post "$port" "$key" "$POST_WARMUP")
    ( peak=0; while kill -0 "$pid" 2>/dev/null; do r=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0); [ "${r:-0}" -gt "$peak" ] && peak=$r; echo "$peak" > "$WORK/rss.$pid"; sleep 0.1; done ) &
    sampler=$!
    rest=$(wrk_post "$port" "$key" "$POST_DURATION")
    kill "$sampler" 2>/dev/null || true
    kill "$pid"; wait "$pid" 2>/dev/null || true
    # The sampler may be caught rewriting the file: empty reads as 0.
    peak=$(cat "$WORK/rss.$pid" 2>/dev/null || true)
    read -r c_rate _ _ c_bad <<< "$cold"
    echo "$rest $(( ${peak:-0} / 1024 )) $c_rate $c_bad"
  }
  restock() {  # restock PORT KEY: 1,000,000 more of SKU-00001…SKU-01000 at Surat when any has fewer than 50,000 free
    local low
    low=$(q "SELECT COUNT(*) FROM stock_levels WHERE location = 'SURAT' AND sku >= 'SKU-00001' AND sku <= 'SKU-01000' AND on_hand - reserved < 50000")
    [ "${low:-0}" = 0 ] && return 0
    { echo "sku,location,delta"; for i in $(seq 1 1000); do printf 'SKU-%05d,SURAT,1000000\n' "$i"; done; } > "$WORK/restock.csv"
    curl -sf -X POST -H "Authorization: Bearer $2" -H "Content-Type: text/csv" --data-binary @"$WORK/restock.csv" \
      "http://127.0.0.1:$1/v1/inventory/import?mode=delta" | grep -q '"errors":0' || { echo "restock failed" >&2; return 1; }
    echo "   (restocked: $low of the popular SKUs had under 50,000 free at Surat)" >&2
  }
  fresh_empty() {  # a new empty store (same catalogue) for each round
    if [ "$STORE" = postgres ]; then
      psql -q "$CONN" -c "DROP DATABASE IF EXISTS scale_empty" -c "CREATE DATABASE scale_empty" >/dev/null
    else
      rm -f "$EMPTY" "$EMPTY-wal" "$EMPTY-shm"
    fi
    "$BENCH" seed --orders 0 "${SEED_EMPTY[@]}" >/dev/null 2>&1
  }
  # The big store's server has served the reads: a new process for each run, as for the empty
  # store, so both start alike (cold caches, the start-up audit) and are measured alike.
  kill "$BIGPID"; wait "$BIGPID" 2>/dev/null || true
  echo "-- POST /v1/orders at $CONNS connections: $POST_ROUNDS interleaved rounds, each a new server on a new empty store, then one on this"
  echo "   store; ${POST_WARMUP} s of the same load first (its rate is the cold one), then ${POST_DURATION} s measured"
  printf "   %-6s %-14s %9s %8s %8s %8s %12s %12s\n" round store "orders/s" "p50 ms" "p99 ms" non-2xx "peak RSS MB" "cold orders/s"
  ratios=(); cold_ratios=(); bad_total=0
  for round in $(seq "$POST_ROUNDS"); do
    fresh_empty
    read -r e_rate e_p50 e_p99 e_bad e_rss e_cold e_cold_bad <<< "$(post "$EMPTY" "$WORK/e$round")"
    [ "$STORE" = sqlite ] && sqlite3 "$BIG" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    read -r b_rate b_p50 b_p99 b_bad b_rss b_cold b_cold_bad <<< "$(post "$BIG" "$WORK/b$round" restock)"
    printf "   %-6s %-14s %9s %8s %8s %8s %12s %12s\n" "$round" empty "$e_rate" "$e_p50" "$e_p99" "$e_bad" "$e_rss" "$e_cold"
    printf "   %-6s %-14s %9s %8s %8s %8s %12s %12s\n" "$round" "$orders orders" "$b_rate" "$b_p50" "$b_p99" "$b_bad" "$b_rss" "$b_cold"
    ratios+=("$(python3 -c "print(f'{100 * $b_rate / max($e_rate, 1):.1f}')")")
    cold_ratios+=("$(python3 -c "print(f'{100 * $b_cold / max($e_cold, 1):.1f}')")")
    bad_total=$(( bad_total + ${e_bad:-0} + ${b_bad:-0} + ${e_cold_bad:-0} + ${b_cold_bad:-0} ))
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  echo "   big/empty measured: ${ratios[*]} %, median $(median "${ratios[@]}") % (target ≥ 90 %)"
  echo "   big/empty cold (the first ${POST_WARMUP} s after start): ${cold_ratios[*]} %, median $(median "${cold_ratios[@]}") %"
  # A refused order (409 insufficient_stock once the POST runs have used up a store's stock) is
  # cheap: a rate with refusals in it is not intake's.
  if [ "$bad_total" != 0 ]; then
    echo "   NOT COMPARABLE: $bad_total answers were not 2xx (restock: POST /v1/inventory/import?mode=delta)"
  fi
else
  kill "$BIGPID"; wait "$BIGPID" 2>/dev/null || true
fi

# ── the invariants, offline: the quick run (from the checkpoint) and --full (everything re-added) ──
MODES=("" --full)
[ "${SKIP_CHECK:-0}" = 1 ] && MODES=()
for mode in "${MODES[@]}"; do
  start=$(date +%s.%N)
  "$BIN" check $mode --db "$BIG" > "$WORK/check.out" 2>&1 || true
  echo "-- bahi check $mode: $(grep -c '^ok' "$WORK/check.out") ok, $(grep -c '^FAIL\|^not ok' "$WORK/check.out") failed, $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s"
  sed 's/^/   /' "$WORK/check.out"
done
