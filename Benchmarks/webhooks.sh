#!/usr/bin/env bash
# Webhook delivery benchmark (release builds): `bahi serve` on a fresh SQLite database
# (synchronous=FULL), a receiver on loopback (`BahiBench receiver`: our own HTTP server, every
# signature verified), and stock movements produced over HTTP at a steady rate
# (`BahiBench produce`: one commit and one inventory.changed each).
#
#   throughput: ENDPOINTS endpoints (default 4) subscribed to every event while the producer
#               asks for more than the worker can send (PRODUCE_RATE movements/s, default 2000,
#               × ENDPOINTS deliveries/s): the receiver's deliveries/s, median of the steady
#               seconds, is what the worker sustains with producers running.
#   latency:    one endpoint, inventory.changed, the producer at LATENCY_RATE (default 1000)
#               events/s: event-to-delivery latency (arrival at the receiver − the event's
#               created_at) p50 and p99 over the run.
#
#   Benchmarks/webhooks.sh                    # both, DURATION=15 s each
#   PHASE=latency DURATION=20 Benchmarks/webhooks.sh
#   BIN=… BENCH=… Benchmarks/webhooks.sh      # other builds
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ] || [ -z "${BENCH:-}" ]; then
  echo "building bahi and BahiBench (release)..." >&2
  swift build -c release --product bahi --scratch-path .build-release >/dev/null
  swift build -c release --product BahiBench --scratch-path .build-release >/dev/null
  BIN=${BIN:-$(swift build -c release --scratch-path .build-release --show-bin-path)/bahi}
  BENCH=${BENCH:-$(swift build -c release --scratch-path .build-release --show-bin-path)/BahiBench}
fi
DURATION=${DURATION:-15}
PHASE=${PHASE:-both}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

run_phase() {  # run_phase NAME ENDPOINTS EVENTS RATE
  local name=$1 endpoints=$2 events=$3 rate=$4
  local work port rport server receiver key secret
  work=$(mktemp -d)
  port=$(free_port) rport=$(free_port)
  "$BIN" migrate --db "$work/bahi.db" >/dev/null
  python3 Benchmarks/seed_bench.py "$work/bahi.db" >/dev/null
  BAHI_WEBHOOKS_ALLOW_HTTP=true BAHI_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true BAHI_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 \
    BAHI_RATE_LIMIT_BURST=1000000 BAHI_LOG_ACCESS_LOG=false BAHI_DATABASE_SYNCHRONOUS=full \
    "$BIN" serve --db "$work/bahi.db" --port "$port" > "$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/v1/ready" >/dev/null 2>&1 && [ -s "$work/admin-key" ] && break; sleep 0.05; done
  key=$(cat "$work/admin-key")
  local secrets=()
  for i in $(seq "$endpoints"); do
    secret=$(curl -sf -X POST "http://127.0.0.1:$port/v1/webhook-endpoints" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      -d "{\"url\":\"http://127.0.0.1:$rport/hook/$i\",\"events\":[$events]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
    secrets+=(--secret "$secret")
  done
  "$BENCH" receiver --port "$rport" "${secrets[@]}" 2> "$work/receiver.err" > "$work/receiver.out" &
  receiver=$!
  sleep 0.3
  "$BENCH" produce --url "http://127.0.0.1:$port" --key "$key" --rate "$rate" --duration "$DURATION" --threads 8 > "$work/producer.out"
  sleep 1
  kill -TERM "$receiver"; wait "$receiver" 2>/dev/null || true
  kill "$server"; wait "$server" 2>/dev/null || true
  python3 - "$name" "$work" "$endpoints" <<'EOF'
import json, statistics, sys
name, work, endpoints = sys.argv[1], sys.argv[2], int(sys.argv[3])
produced = json.load(open(f"{work}/producer.out"))
seconds = [json.loads(l) for l in open(f"{work}/receiver.err") if l.startswith("{")]
summary = json.loads(open(f"{work}/receiver.out").read())
steady = [s["per_second"] for s in seconds[2:-2]] or [0]
print(json.dumps({
    "phase": name, "endpoints": endpoints,
    "movements_per_second": produced["per_second"], "movements_refused": produced["refused"],
    "deliveries": summary["total"], "deliveries_per_second_median": statistics.median(steady),
    "deliveries_per_second_max": max(steady),
    "latency_ms_p50": summary["latency_ms_p50"], "latency_ms_p99": summary["latency_ms_p99"],
    "bad_signatures": summary["bad_signatures"],
}))
EOF
  rm -rf "$work"
}

if [ "$PHASE" = both ] || [ "$PHASE" = throughput ]; then
  run_phase throughput "${ENDPOINTS:-4}" '"*"' "${PRODUCE_RATE:-2000}"
fi
if [ "$PHASE" = both ] || [ "$PHASE" = latency ]; then
  run_phase latency 1 '"inventory.changed"' "${LATENCY_RATE:-1000}"
fi
