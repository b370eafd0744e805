#!/usr/bin/env bash
# Quotes benchmark (issue 14): wrk POSTs courier quotes (POST /v1/quotes) at 64 connections
# (2 threads) against `bahi serve` (release build, a fresh SQLite database) with 20 couriers,
# each with its own rate card and a serviceability table of 19,000 pincodes from the India
# Post directory (Benchmarks/quotes_seed.py, through the API). Requests vary the two pincodes
# and the parcel (Benchmarks/quotes.lua). Prints quotes/s, p50, p99 and non-2xx per run and
# their medians, then checks a sample of answers: every courier either offered or excluded
# with a named reason, offers cheapest first.
#
#   Benchmarks/quotes.sh                        # 3 runs of 10 s, median
#   DURATION=8 REPS=1 BIN=path/to/bahi Benchmarks/quotes.sh
#   COURIERS=20 PINCODES=19000 CONNS=64 Benchmarks/quotes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
REPS=${REPS:-3}
CONNS=${CONNS:-64}
COURIERS=${COURIERS:-20}
PINCODES=${PINCODES:-19000}
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
if [ -z "${BIN:-}" ]; then
  echo "building bahi (release)..." >&2
  swift build -c release --product bahi --scratch-path .build-release >/dev/null
  BIN=$(swift build -c release --product bahi --scratch-path .build-release --show-bin-path)/bahi
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d)
PID=
stop_all() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap stop_all EXIT
trap 'exit 1' INT TERM PIPE

PORT=$(free_port)
"$BIN" migrate --db "$WORK/bahi.db" >/dev/null
BAHI_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 BAHI_RATE_LIMIT_BURST=1000000 BAHI_LOG_ACCESS_LOG=false \
  "$BIN" serve --db "$WORK/bahi.db" --port "$PORT" > "$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/v1/ready" >/dev/null 2>&1 && [ -s "$WORK/admin-key" ] && break; sleep 0.1; done
export BAHI_BENCH_KEY=$(cat "$WORK/admin-key")
python3 Benchmarks/quotes_seed.py "$PORT" "$BAHI_BENCH_KEY" "$WORK" "$COURIERS" "$PINCODES"
[ -n "${SERVER_PID_FILE:-}" ] && echo "$PID" > "$SERVER_PID_FILE"  # for /tmp/threads.sh or perf during the runs

printf "%-6s %10s %10s %10s %10s\n" conns "quotes/s" "p50 ms" "p99 ms" "non-2xx"
: > "$WORK/runs"
for run in $(seq "$REPS"); do
  QUOTES_FILE="$WORK/bodies.txt" wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s Benchmarks/quotes.lua "http://127.0.0.1:$PORT" | awk '
    function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms$/, "", v); return v } if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 } return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, bad }' > "$WORK/run"
  read -r rps p50 p99 bad < "$WORK/run"
  printf "%-6s %10s %10s %10s %10s\n" "$CONNS" "$rps" "$p50" "$p99" "$bad"
  cat "$WORK/run" >> "$WORK/runs"
done
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf "%-6s %10s %10s %10s %10s\n" median "$(cut -d' ' -f1 "$WORK/runs" | median)" "$(cut -d' ' -f2 "$WORK/runs" | median)" \
  "$(cut -d' ' -f3 "$WORK/runs" | median)" "$(cut -d' ' -f4 "$WORK/runs" | sort -n | tail -1)"

# Correctness: a sample of the benchmark's own requests, each answer naming every courier once
# (an offer or an exclusion with a known reason), offers cheapest first, totals adding up.
python3 - "$PORT" "$BAHI_BENCH_KEY" "$WORK/bodies.txt" "$COURIERS" <<'PY'
import json, sys, urllib.request
port, key, bodies, couriers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
reasons = {"inactive", "not_serviceable", "embargo", "cod_not_available", "overweight", "pickup_capacity_full"}
offered = excluded = 0
for line in open(bodies).read().splitlines()[:200]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/quotes", data=line.encode(), method="POST",
                                 headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    answer = json.load(urllib.request.urlopen(req))
    names = [q["courier"] for q in answer["quotes"]] + [e["courier"] for e in answer["excluded"]]
    assert len(names) == couriers and len(set(names)) == couriers, f"not every courier named once: {answer}"
    assert all(e["reason"] in reasons for e in answer["excluded"]), answer["excluded"]
    totals = [q["total_paise"] for q in answer["quotes"]]
    assert totals == sorted(totals), "offers not cheapest first"
    for q in answer["quotes"]:
        assert q["total_paise"] == q["freight_paise"] + q["fuel_paise"] + q["cod_fee_paise"] + q["gst_paise"], q
    offered += len(answer["quotes"]); excluded += len(answer["excluded"])
print(f"check: 200 sample answers name all {couriers} couriers each ({offered} offers, {excluded} named exclusions); ok")
PY
