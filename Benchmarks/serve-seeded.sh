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
chmod 755 "$WORK"
PG_DIR="$WORK/pg"
stop_all() {
  for p in ${PID:-} ${PID2:-}; do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  if [ "${STORE:-sqlite}" = postgres ]; then BAHI_PG_DIR="$PG_DIR" BAHI_PG_PORT="$PG_PORT" scripts/postgres-test-server.sh stop; fi
  rm -rf "$WORK"
}
trap stop_all EXIT
# A signal (Ctrl-C, or a closed pipe such as `| head`) exits through the EXIT trap, so no
# server or cluster outlives the run.
trap 'exit 1' INT TERM PIPE

# STORE=postgres: a throwaway cluster with PostgreSQL's durable defaults (fsync and
# synchronous_commit on, as SQLite's synchronous=FULL), database "bench" on a Unix socket.
# NODES=2 starts a second `bahi serve` on PORT+1 over the same database.
if [ "${STORE:-sqlite}" = postgres ]; then
  PG_PORT=${PG_PORT:-55491}
  CONN=$(BAHI_PG_DURABLE=1 BAHI_PG_DIR="$PG_DIR" BAHI_PG_PORT="$PG_PORT" scripts/postgres-test-server.sh start)
  psql -q "$CONN" -c "CREATE DATABASE bench" >/dev/null
  DB="postgres://postgres@localhost:$PG_PORT/bench?host=$PG_DIR"
  SEED="${CONN/dbname=postgres/dbname=bench}"
else
  DB="$WORK/bahi.db"
  SEED="$DB"
fi
"$BIN" migrate --db "$DB" >/dev/null
python3 Benchmarks/seed_bench.py "$SEED" ${SEED_UNITS:+"$SEED_UNITS"}
serve() {  # serve PORT LOG: one node (BAHI_DATABASE_PATH puts the first admin key in $WORK on either store)
  BAHI_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 BAHI_RATE_LIMIT_BURST=1000000 BAHI_DATABASE_SYNCHRONOUS=full BAHI_SELLER_STATE=Gujarat \
    BAHI_DATABASE_PATH="$WORK/bahi.db" "$BIN" serve --db "$DB" --port "$1" > "$2" 2> "$WORK/err.$1.log" &
}
LOG1=/dev/null LOG2=/dev/null
[ -n "${SERVE_LOG:-}" ] && LOG1="$WORK/$SERVE_LOG" LOG2="$WORK/$SERVE_LOG.2"
serve "$PORT" "$LOG1"
PID=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/v1/ready" >/dev/null 2>&1 && [ -s "$WORK/admin-key" ] && break; sleep 0.1; done
if [ "${NODES:-1}" = 2 ]; then
  serve $((PORT + 1)) "$LOG2"
  PID2=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$((PORT + 1))/v1/ready" >/dev/null 2>&1 && break; sleep 0.1; done
fi
export BAHI_BENCH_KEY=$(cat "$WORK/admin-key")
