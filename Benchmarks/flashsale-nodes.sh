#!/usr/bin/env bash
# Two nodes, one flash sale, one event feed (issue 10's proofs on PostgreSQL): a throwaway
# PostgreSQL cluster of its own, one database, two `bahi serve` nodes on it; UNITS units of one
# SKU and HOLDS single-unit holds raced over CONNS connections, half on each node, while a
# reader follows GET /v1/events?after=&wait= on node A. Asserts exactly UNITS × 201 and the
# rest × 409 (nothing else), the stock and audit on both nodes, the feed's seqs 1..N each once
# with N the events in the database, then both nodes stop cleanly and `bahi check` passes.
# The load and the checks are Benchmarks/flashsale_nodes.py (standard library; psql reads the
# database). Exit 0 only if all hold; the last line is the summary.
#
#   Benchmarks/flashsale-nodes.sh                    # 1,000 units, 5,000 holds, 64 connections
#   BIN=.build-release/release/bahi CONNS=256 Benchmarks/flashsale-nodes.sh
#   KEY=storefront CONNS=256 Benchmarks/flashsale-nodes.sh  # the holds through one storefront key
#
# A correctness proof first, so it builds the debug binary unless BIN names one (figures from
# a debug build are not throughput figures). Environment: UNITS, HOLDS, CONNS, PG_PORT (the
# cluster's socket number, 55498; its socket is in a folder of its own), KEEP=1 keeps the logs,
# KEY=storefront sends the holds through one storefront key (channel web) at its role's default
# limit (the lifted BAHI_RATE_LIMIT_* below are only the default the admin key follows).
set -euo pipefail
cd "$(dirname "$0")/.."
UNITS=${UNITS:-1000}
HOLDS=${HOLDS:-5000}
CONNS=${CONNS:-64}
PG_PORT=${PG_PORT:-55498}
command -v psql >/dev/null || { echo "flashsale-nodes: psql is required (Debian: postgresql-client)" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  swift build --product bahi >/dev/null
  BIN=$(swift build --show-bin-path)/bahi
fi

WORK=$(mktemp -d -t bahi-flash-nodes.XXXXXX)
PG_DIR=
NODES=()
cleanup() {
  status=$?
  # Only the nodes this script started, by pid.
  for pid in "${NODES[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ -n "$PG_DIR" ]; then BAHI_PG_DIR=$PG_DIR scripts/postgres-test-server.sh stop; fi
  if [ "$status" -ne 0 ] || [ -n "${KEEP:-}" ]; then echo "flashsale-nodes: logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The cluster's folder is not inside WORK: mktemp's folder is private, and the postgres user
# must reach its own.
PG_DIR=$(mktemp -d -t bahi-flash-pg.XXXXXX)
conninfo=$(BAHI_PG_DIR=$PG_DIR BAHI_PG_PORT=$PG_PORT scripts/postgres-test-server.sh start)
psql -X -q -v ON_ERROR_STOP=1 "$conninfo" -c "CREATE DATABASE bahi_flash" >/dev/null
conninfo=${conninfo/dbname=postgres/dbname=bahi_flash}
DB="postgres://postgres@:$PG_PORT/bahi_flash?host=$PG_DIR"
"$BIN" migrate --db "$DB" >/dev/null
# On PostgreSQL bahi serve has no folder to save a first admin key in: make one here.
FLASH_KEY=$("$BIN" keys create --role admin --name flash-sale --db "$DB" 2>/dev/null)
export FLASH_KEY
if [ "${KEY:-admin}" = storefront ]; then
  HOLD_KEY=$("$BIN" keys create --role storefront --channel web --name flash-store --db "$DB" 2>/dev/null)
  export HOLD_KEY
fi

read -r PORT_A PORT_B < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
for node in A B; do
  port=PORT_$node
  # 64 connections on one admin key: lift the per-node rate limit so it measures stock, not 429s.
  BAHI_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 BAHI_RATE_LIMIT_BURST=1000000 \
    "$BIN" serve --db "$DB" --port "${!port}" > "$WORK/access-$node.log" 2> "$WORK/server-$node.err" &
  NODES+=($!)
done
for port in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/v1/ready" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$port/v1/ready" >/dev/null || { echo "flashsale-nodes: node on :$port not ready" >&2; tail "$WORK"/server-*.err >&2; exit 1; }
done

status=0
python3 Benchmarks/flashsale_nodes.py --ports "$PORT_A,$PORT_B" --psql "$conninfo" \
  --units "$UNITS" --holds "$HOLDS" --conns "$CONNS" | tee "$WORK/driver.log" || status=$?

# Both nodes stop cleanly (SIGTERM: drain, give up the expiry lease) and the database passes
# every invariant bahi check knows.
for pid in "${NODES[@]}"; do
  kill -TERM "$pid"; code=0; wait "$pid" || code=$?
  [ "$code" -eq 0 ] || { echo "flashsale-nodes: a node exited $code on SIGTERM" >&2; status=1; }
done
NODES=()
if "$BIN" check --db "$DB" > "$WORK/check.log" 2>&1; then
  echo "bahi check: ok ($(grep -c '^ok' "$WORK/check.log") checks)"
else
  cat "$WORK/check.log"; status=1
fi
# 5xx on either node would be in its error log even if the driver missed it.
if grep -q '"status":5' "$WORK"/access-*.log; then echo "flashsale-nodes: a 5xx in the access logs" >&2; status=1; fi
if [ "$status" -eq 0 ]; then
  echo "flashsale-nodes: ok: $(tail -1 "$WORK/driver.log" | sed 's/^ok: //'); audit clean, bahi check ok"
else
  echo "flashsale-nodes: FAILED (logs in $WORK)"
fi
exit "$status"
