#!/usr/bin/env bash
# Crash-safety proof of the stock ledger and orders: `bahi serve` under concurrent movements,
# holds, orders (some converting a hold) and cancellations is killed with SIGKILL mid-load and restarted on the same
# database, CYCLES times (default 20). After every restart: each movement, hold, order or
# cancellation that got a 2xx is there exactly once, nothing that was never sent is, refused
# requests left no trace, Idempotency-Key retries replay instead of applying twice, an order sent
# again by channel_order_ref returns the same order, GET /v1/inventory/audit is clean and
# `bahi check` exits 0.
# The load and the checks are in scripts/crash_driver.py (Python 3, standard library only).
#
#   scripts/crash-test.sh [CYCLES]              # SQLite: a file in a temp folder
#   scripts/crash-test.sh --postgres [CYCLES]   # PostgreSQL (or CRASH_POSTGRES=1)
#
# --postgres starts a throwaway cluster of its own (scripts/postgres-test-server.sh in the work
# folder, so it never touches another run's), creates a database, serves it with
# `bahi serve --db postgres://…`, runs the same load and checks (bahi check on the URL), and
# stops the cluster on exit. What is killed is the node, not PostgreSQL.
# Used by .ci/run after the smoke test. Environment: BIN (the bahi binary; default: build the
# debug one), PORT (default: a free one), THREADS (16), SEED (random), KEEP=1 keeps the work
# folder, PG_PORT (the --postgres cluster's socket number, 55499; the socket is in its own folder).
set -euo pipefail
cd "$(dirname "$0")/.."
POSTGRES=${CRASH_POSTGRES:-}
CYCLES=20
for arg in "$@"; do
  case "$arg" in
    --postgres) POSTGRES=1 ;;
    ''|*[!0-9]*) echo "usage: scripts/crash-test.sh [--postgres] [CYCLES]" >&2; exit 2 ;;
    *) CYCLES=$arg ;;
  esac
done
[ "$POSTGRES" = 0 ] && POSTGRES=

if [ -z "${BIN:-}" ]; then
  swift build --product bahi >/dev/null
  BIN=$(swift build --show-bin-path)/bahi
fi
[ -x "$BIN" ] || { echo "crash-test: no bahi binary at $BIN" >&2; exit 1; }
command -v python3 >/dev/null || { echo "crash-test: python3 is required" >&2; exit 1; }

WORK=$(mktemp -d -t bahi-crash.XXXXXX)
DRIVER=
PG_DIR=
DB=$WORK/bahi.db
cleanup() {
  status=$?
  # The driver owns the server; if the driver itself was killed, the server may outlive it.
  if [ -n "$DRIVER" ]; then kill "$DRIVER" 2>/dev/null || true; wait "$DRIVER" 2>/dev/null || true; fi
  # server.pid exists only while the driver has a live server (it removes it on reaping).
  if [ -s "$WORK/server.pid" ]; then
    pid=$(cat "$WORK/server.pid")
    if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "serve --db $DB"; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  if [ -n "$PG_DIR" ]; then BAHI_PG_DIR=$PG_DIR scripts/postgres-test-server.sh stop; fi
  if [ "$status" -ne 0 ] || [ -n "${KEEP:-}" ]; then
    echo "crash-test: work folder kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

args=(--bin "$BIN" --dir "$WORK" --cycles "$CYCLES" --threads "${THREADS:-16}")
if [ -n "$POSTGRES" ]; then
  command -v psql >/dev/null || { echo "crash-test: psql is required for --postgres (Debian: postgresql-client)" >&2; exit 1; }
  # A cluster of its own in a folder of its own (the postgres user must reach it, so not
  # inside the private work folder); its socket is there too, so the port number only names
  # the socket file and cannot collide with another run's cluster.
  PG_DIR=$(mktemp -d -t bahi-crash-pg.XXXXXX)
  PG_PORT=${PG_PORT:-55499}
  conninfo=$(BAHI_PG_DIR=$PG_DIR BAHI_PG_PORT=$PG_PORT scripts/postgres-test-server.sh start)
  psql -X -q -v ON_ERROR_STOP=1 "$conninfo" -c "CREATE DATABASE bahi_crash" >/dev/null
  DB="postgres://postgres@:$PG_PORT/bahi_crash?host=$PG_DIR"
  "$BIN" migrate --db "$DB" >/dev/null
  # On PostgreSQL bahi serve has no folder to save its first admin key in: make it here.
  (umask 077; "$BIN" keys create --role admin --name crash-test --db "$DB" 2>/dev/null > "$WORK/admin-key")
  args+=(--db "$DB" --psql "${conninfo/dbname=postgres/dbname=bahi_crash}")
else
  "$BIN" migrate --db "$DB" >/dev/null
fi
[ -n "${PORT:-}" ] && args+=(--port "$PORT")
[ -n "${SEED:-}" ] && args+=(--seed "$SEED")
python3 scripts/crash_driver.py "${args[@]}" &
DRIVER=$!
status=0
wait "$DRIVER" || status=$?
DRIVER=
exit "$status"
