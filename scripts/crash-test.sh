#!/usr/bin/env bash
# Crash-safety proof of the stock ledger and orders: `bahi serve` under concurrent movements,
# holds, orders (some converting a hold) and cancellations is killed with SIGKILL mid-load and restarted on the same
# database, CYCLES times (default 20). After every restart: each movement, hold, order or
# cancellation that got a 2xx is there exactly once, nothing that was never sent is, refused
# requests left no trace, Idempotency-Key retries replay instead of applying twice, an order sent
# again by channel_order_ref returns the same order, GET /v1/inventory/audit is clean and
# `bahi check` exits 0.
# The load and the checks are in scripts/crash_driver.py (Python 3, standard library only).
# Used by .ci/run after the smoke test. Environment: BIN (the bahi binary; default: build the
# debug one), PORT (default: a free one), THREADS (16), SEED (random), KEEP=1 keeps the work folder.
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${1:-20}
case "$CYCLES" in ''|*[!0-9]*) echo "usage: scripts/crash-test.sh [CYCLES]" >&2; exit 2 ;; esac

if [ -z "${BIN:-}" ]; then
  swift build --product bahi >/dev/null
  BIN=$(swift build --show-bin-path)/bahi
fi
[ -x "$BIN" ] || { echo "crash-test: no bahi binary at $BIN" >&2; exit 1; }
command -v python3 >/dev/null || { echo "crash-test: python3 is required" >&2; exit 1; }

WORK=$(mktemp -d -t bahi-crash.XXXXXX)
DRIVER=
cleanup() {
  status=$?
  # The driver owns the server; if the driver itself was killed, the server may outlive it.
  if [ -n "$DRIVER" ]; then kill "$DRIVER" 2>/dev/null || true; wait "$DRIVER" 2>/dev/null || true; fi
  # server.pid exists only while the driver has a live server (it removes it on reaping).
  if [ -s "$WORK/server.pid" ]; then
    pid=$(cat "$WORK/server.pid")
    if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "serve --db $WORK/bahi.db"; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  if [ "$status" -ne 0 ] || [ -n "${KEEP:-}" ]; then
    echo "crash-test: work folder kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$BIN" migrate --db "$WORK/bahi.db" >/dev/null
args=(--bin "$BIN" --dir "$WORK" --cycles "$CYCLES" --threads "${THREADS:-16}")
[ -n "${PORT:-}" ] && args+=(--port "$PORT")
[ -n "${SEED:-}" ] && args+=(--seed "$SEED")
python3 scripts/crash_driver.py "${args[@]}" &
DRIVER=$!
status=0
wait "$DRIVER" || status=$?
DRIVER=
exit "$status"
