#!/usr/bin/env bash
# Store benchmark: single-row Store.write calls/s at 1, 16, 64 and 256 concurrent callers,
# synchronous=FULL on a temp file, with mean group-commit batch size and p50/p99 latency,
# plus a bare-connection baseline (1 and 16 rows per COMMIT).
#
#   Benchmarks/store.sh [--duration SECONDS] [--callers 1,16,64,256] [--synchronous full|normal] [--dir PATH] [--no-baseline]
#
# Run on an otherwise idle machine; --dir should be on the disk the database will live on.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product BahiBench --scratch-path .build-release
exec .build-release/release/BahiBench store "$@"
