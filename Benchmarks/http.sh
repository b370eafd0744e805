#!/usr/bin/env bash
# HTTP benchmark: wrk against `bahi serve` (release build) and nginx (the loopback reference)
# on GET /v1/health, at 1, 64 and 256 connections, in the same run. Prints req/s, p50, p99
# (medians over REPS runs) and bahi's req/s as a percentage of nginx's.
#
#   Benchmarks/http.sh            # 3 runs of 10 s per point
#   DURATION=5 REPS=1 Benchmarks/http.sh
#   BIN=path/to/bahi CONNS=64 Benchmarks/http.sh   # an existing build, one point
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
REPS=${REPS:-3}
CONNS=${CONNS:-"1 64 256"}
BAHI_PORT_BENCH=${BAHI_PORT_BENCH:-18181}
NGINX_PORT=${NGINX_PORT:-18182}

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2" >&2; apt-get install -y "$2" >/dev/null; }; }
need wrk wrk
need nginx nginx-light

if [ -z "${BIN:-}" ]; then  # BIN=path/to/bahi compares another build on the same machine state
  echo "building bahi (release)..." >&2
  swift build -c release --product bahi --scratch-path .build-release >/dev/null
  BIN=$(swift build -c release --product bahi --scratch-path .build-release --show-bin-path)/bahi
fi

WORK=$(mktemp -d)
cleanup() {
  [ -n "${BAHI_PID:-}" ] && kill "$BAHI_PID" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  sleep 0.3; rm -rf "$WORK"
}
trap cleanup EXIT

sed -e "s#__DIR__#$WORK#g" -e "s#__PORT__#$NGINX_PORT#g" Benchmarks/nginx.conf.template > "$WORK/nginx.conf"
mkdir -p "$WORK/body"
nginx -c "$WORK/nginx.conf" -p "$WORK"
BAHI_DB="$WORK/bahi.db" "$BIN" serve --host 127.0.0.1 --port "$BAHI_PORT_BENCH" > "$WORK/bahi-access.log" 2> "$WORK/bahi.err" &
BAHI_PID=$!
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$BAHI_PORT_BENCH/v1/health" >/dev/null 2>&1 && curl -sf "http://127.0.0.1:$NGINX_PORT/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done
[ "$(curl -s "http://127.0.0.1:$BAHI_PORT_BENCH/v1/health")" = "$(curl -s "http://127.0.0.1:$NGINX_PORT/v1/health")" ] || { echo "bodies differ" >&2; exit 1; }

# One wrk run; prints "req_s p50_ms p99_ms".
run() {
  local port=$1 conns=$2 threads=2
  [ "$conns" -lt 2 ] && threads=1
  wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency "http://127.0.0.1:$port/v1/health" | awk '
    function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms$/, "", v); return v } if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 } return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    /Non-2xx/ { bad = $NF } /Socket errors/ { err = $0 }
    END { printf "%.0f %.3f %.3f\n", rps, p50, p99; if (bad != "" || err != "") print "warning: " bad " " err > "/dev/stderr" }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

printf "%-6s %-6s %12s %10s %10s\n" server conns "req/s" "p50 ms" "p99 ms"
declare -A RPS
for c in $CONNS; do
  for server in nginx bahi; do
    port=$NGINX_PORT; [ $server = bahi ] && port=$BAHI_PORT_BENCH
    : > "$WORK/runs"
    for _ in $(seq "$REPS"); do run "$port" "$c" >> "$WORK/runs"; done
    r=$(cut -d' ' -f1 "$WORK/runs" | median); p50=$(cut -d' ' -f2 "$WORK/runs" | median); p99=$(cut -d' ' -f3 "$WORK/runs" | median)
    RPS[$server-$c]=$r
    printf "%-6s %-6s %12s %10s %10s\n" $server "$c" "$r" "$p50" "$p99"
  done
  awk -v b="${RPS[bahi-$c]}" -v n="${RPS[nginx-$c]}" -v c="$c" 'BEGIN { printf "ratio  %-6s %11.1f%% of nginx req/s\n", c, 100 * b / n }'
done
echo "bahi access log lines: $(wc -l < "$WORK/bahi-access.log")" >&2
