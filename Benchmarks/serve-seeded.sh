# Sourced by the write benchmarks (wrk-post.sh, flashsale.sh): picks the binary (BIN, or a
# release build), seeds a fresh database in a temp folder (Benchmarks/seed_bench.py with
# SEED_UNITS per SKU) and starts `bahi serve` on it durably (synchronous=FULL, rate limit
# lifted), its standard output (the access log, on by default) in the file $WORK/$SERVE_LOG
# when SERVE_LOG names one, else discarded. Leaves WORK, PID and
# BAHI_BENCH_KEY set; the EXIT trap stops the server and removes WORK.
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
if [ -z "${BIN:-}" ]; then  # BIN=path/to/bahi compares another build on the same machine state
  echo "building bahi (release)..." >&2
  swift build -c release --product bahi --scratch-path .build-release >/dev/null
  BIN=$(swift build -c release --product bahi --scratch-path .build-release --show-bin-path)/bahi
fi
WORK=$(mktemp -d)
trap '[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; sleep 0.3; rm -rf "$WORK"' EXIT

"$BIN" migrate --db "$WORK/bahi.db" >/dev/null
python3 Benchmarks/seed_bench.py "$WORK/bahi.db" ${SEED_UNITS:+"$SEED_UNITS"}
BAHI_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 BAHI_RATE_LIMIT_BURST=1000000 BAHI_DATABASE_SYNCHRONOUS=full BAHI_SELLER_STATE=Gujarat \
  "$BIN" serve --db "$WORK/bahi.db" --port "$PORT" > "${SERVE_LOG:+$WORK/}${SERVE_LOG:-/dev/null}" 2> "$WORK/err.log" &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v1/ready" >/dev/null 2>&1 && break; sleep 0.1; done
export BAHI_BENCH_KEY=$(cat "$WORK/admin-key")
