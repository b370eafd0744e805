#!/usr/bin/env bash
# The shared body of the write benchmarks (holds.sh, orders.sh): builds bahi in release mode,
# seeds a fresh database (Benchmarks/seed_bench.py), serves it durably (synchronous=FULL), runs
# wrk with the Lua script $LUA at $CONNS connections $REPS times for $DURATION seconds, and
# prints the median rate, p50, p99, the worst non-2xx count, the ledger audit, the row count of
# $COUNT_TABLE and `bahi check`.
#
#   LUA=Benchmarks/holds.lua LABEL=holds/s COUNT_TABLE=reservations Benchmarks/wrk-post.sh
#   STORE=postgres [NODES=2] …   # on a throwaway durable PostgreSQL, one node or two (serve-seeded.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${LUA:?the wrk script}" "${LABEL:?the rate label}" "${COUNT_TABLE:?the table to count}"
DURATION=${DURATION:-10}
REPS=${REPS:-3}
CONNS=${CONNS:-64}
PORT=${PORT:-18281}
source Benchmarks/serve-seeded.sh

printf "%-6s %10s %10s %10s %10s\n" conns "$LABEL" "p50 ms" "p99 ms" "non-2xx"
: > "$WORK/runs"
# One wrk run against PORT with CONNS connections; prints "req/s p50_ms p99_ms non2xx".
one_wrk() {
  BENCH_RUN=$1 wrk -t"$4" -c"$3" -d"${DURATION}s" --latency -s "$LUA" "http://127.0.0.1:$2" | awk '
    function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms$/, "", v); return v } if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 } return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, bad }'
}
for run in $(seq "$REPS"); do
  if [ "${NODES:-1}" = 2 ]; then
    # Half the connections on each node, at once; rates and errors add up, the latencies
    # shown are the worse node's.
    one_wrk "${run}1" "$PORT" $((CONNS / 2)) 1 > "$WORK/node1" &
    first=$!
    one_wrk "${run}2" $((PORT + 1)) $((CONNS / 2)) 1 > "$WORK/node2"
    wait "$first"  # not a bare wait: the servers are background jobs of this shell too
    cat "$WORK/node1" "$WORK/node2" | awk '{ r += $1; if ($2 > p50) p50 = $2; if ($3 > p99) p99 = $3; b += $4 } END { printf "%.0f %.3f %.3f %d\n", r, p50, p99, b }' >> "$WORK/runs"
  else
    one_wrk "$run" "$PORT" "$CONNS" 2 >> "$WORK/runs"
  fi
done
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf "%-6s %10s %10s %10s %10s\n" "$CONNS" "$(cut -d' ' -f1 "$WORK/runs" | median)" "$(cut -d' ' -f2 "$WORK/runs" | median)" \
  "$(cut -d' ' -f3 "$WORK/runs" | median)" "$(cut -d' ' -f4 "$WORK/runs" | sort -n | tail -1)"
echo "audit: $(curl -s -H "Authorization: Bearer $BAHI_BENCH_KEY" "http://127.0.0.1:$PORT/v1/inventory/audit")"
if [ "${STORE:-sqlite}" = postgres ]; then
  echo "$COUNT_TABLE: $(psql -Atq "$SEED" -c "select count(*) from $COUNT_TABLE")"
else
  echo "$COUNT_TABLE: $(python3 -c "import sqlite3; c=sqlite3.connect('file:$WORK/bahi.db?mode=ro', uri=True); print(c.execute('select count(*) from $COUNT_TABLE').fetchone()[0])")"
fi
for p in $PID ${PID2:-}; do kill "$p"; wait "$p" 2>/dev/null || true; done
PID= PID2=
env -u BAHI_BENCH_KEY "$BIN" check --db "$DB" | sed 's/^/check: /'
