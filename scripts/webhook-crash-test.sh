#!/usr/bin/env bash
# Crash-safety proof of outbound webhooks: a receiver on loopback (BahiBench receiver, which
# logs every delivery's webhook-id and seq), one endpoint subscribed to every event, stock
# movements produced at a steady rate (BahiBench produce) while `bahi serve` is killed with
# SIGKILL at random moments and restarted on the same database, CYCLES times (default 8).
# Then, once the outbox is empty: every event committed after the subscription reached the
# receiver at least once (duplicates allowed, gaps never), nothing it received is unknown, and
# the first arrivals came in seq order.
#
#   scripts/webhook-crash-test.sh [CYCLES]
#
# Used by .ci/run. Environment: BIN and BENCH (the bahi and BahiBench binaries; default: build
# the debug ones), PORT, RECEIVER_PORT (default: free ones), RATE (300 movements/s), KEEP=1
# keeps the work folder.
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${1:-8}
case "$CYCLES" in ''|*[!0-9]*) echo "usage: scripts/webhook-crash-test.sh [CYCLES]" >&2; exit 2 ;; esac

if [ -z "${BIN:-}" ] || [ -z "${BENCH:-}" ]; then
  swift build --product bahi >/dev/null
  swift build --product BahiBench >/dev/null
  BIN=${BIN:-$(swift build --show-bin-path)/bahi}
  BENCH=${BENCH:-$(swift build --show-bin-path)/BahiBench}
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${PORT:-$(free_port)}
RECEIVER_PORT=${RECEIVER_PORT:-$(free_port)}
RATE=${RATE:-300}

WORK=$(mktemp -d -t bahi-webhook-crash.XXXXXX)
DB=$WORK/bahi.db
SERVER= RECEIVER= PRODUCER=
cleanup() {
  status=$?
  for p in $PRODUCER $SERVER $RECEIVER; do kill -9 "$p" 2>/dev/null || true; done
  if [ "$status" -ne 0 ] || [ -n "${KEEP:-}" ]; then echo "webhook-crash-test: work folder kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"$BIN" migrate --db "$DB" >/dev/null
python3 Benchmarks/seed_bench.py "$DB" >/dev/null

serve() {
  BAHI_WEBHOOKS_ALLOW_HTTP=true BAHI_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true BAHI_RATE_LIMIT_REQUESTS_PER_SECOND=100000 \
    BAHI_RATE_LIMIT_BURST=100000 BAHI_LOG_ACCESS_LOG=false "$BIN" serve --db "$DB" --port "$PORT" >> "$WORK/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/v1/ready" >/dev/null 2>&1 && return; sleep 0.05; done
  echo "webhook-crash-test: bahi serve did not start" >&2; cat "$WORK/serve.log" >&2; exit 1
}

"$BENCH" receiver --port "$RECEIVER_PORT" --log "$WORK/received.log" 2> "$WORK/receiver.err" > "$WORK/receiver.out" &
RECEIVER=$!
serve
KEY=$(cat "$WORK/admin-key")
ENDPOINT=$(curl -sf -X POST "http://127.0.0.1:$PORT/v1/webhook-endpoints" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "{\"url\":\"http://127.0.0.1:$RECEIVER_PORT/hook\",\"events\":[\"*\"]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
FIRST_SEQ=$(python3 -c "import sqlite3; print(sqlite3.connect('$DB').execute(\"SELECT MIN(seq) FROM events WHERE type = 'webhook_endpoint.created' AND entity_id = '$ENDPOINT'\").fetchone()[0])")

for cycle in $(seq "$CYCLES"); do
  "$BENCH" produce --url "http://127.0.0.1:$PORT" --key "$KEY" --rate "$RATE" --duration 2 --threads 4 >> "$WORK/producer.log" 2>&1 &
  PRODUCER=$!
  sleep "$(python3 -c 'import random; print(round(random.uniform(0.3, 1.8), 2))')"
  kill -9 "$SERVER"; wait "$SERVER" 2>/dev/null || true
  wait "$PRODUCER" 2>/dev/null || true
  PRODUCER=
  serve
  echo "cycle $cycle: killed and restarted" >&2
done

# Let the outbox empty: nothing pending, and the endpoint's cursor at the feed's end.
# Both read in one statement, so from one snapshot: read apart, "nothing pending" could come
# from before a fan-out and "cursor at the end" from after it (a restarted node waits out the
# killed one's lease, then fans out the whole backlog in one commit).
for _ in $(seq 600); do
  state=$(python3 -c "import sqlite3; c=sqlite3.connect('$DB'); print(*c.execute(\"SELECT (SELECT MAX(seq) FROM events) - cursor, (SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending') FROM webhook_endpoints\").fetchone())")
  [ "$state" = "0 0" ] && break
  sleep 0.1
done
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
# SIGTERM: the receiver writes the rest of its log and its totals, and exits.
kill -TERM "$RECEIVER"; wait "$RECEIVER" 2>/dev/null || true; RECEIVER=
python3 - "$DB" "$WORK/received.log" "$FIRST_SEQ" <<'EOF'
import sqlite3, sys
db, log, first = sys.argv[1], sys.argv[2], int(sys.argv[3])
events = dict(sqlite3.connect(db).execute("SELECT id, seq FROM events WHERE seq >= ?", (first,)).fetchall())
arrivals = [line.split() for line in open(log) if line.strip()]
ids = [a[0] for a in arrivals]
missing = [i for i in events if i not in set(ids)]
unknown = sorted(set(ids) - set(events))
firsts, seen = [], set()
for i in ids:
    if i not in seen:
        seen.add(i)
        firsts.append(events.get(i, -1))
out_of_order = sum(1 for a, b in zip(firsts, firsts[1:]) if b < a)
print(f"webhook-crash-test: {len(events)} events after the subscription, {len(ids)} deliveries received "
      f"({len(ids) - len(set(ids))} duplicates), {len(missing)} missing, {len(unknown)} unknown, {out_of_order} first arrivals out of seq order")
if missing or unknown or out_of_order or len(events) < 100:
    print("missing:", missing[:10], "unknown:", unknown[:10], file=sys.stderr)
    sys.exit(1)
EOF
ACCEPTED=$(grep -h '"accepted"' "$WORK/producer.log" | python3 -c 'import json, sys; print(sum(json.loads(l)["accepted"] for l in sys.stdin))')
echo "webhook-crash-test: $ACCEPTED movements acknowledged around $CYCLES kills"
