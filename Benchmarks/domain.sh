#!/usr/bin/env bash
# Domain benchmark: checkout holds and two-line orders written straight through the store
# (Holds.place, OrderIntake.create), no HTTP, 64 concurrent callers, synchronous=FULL on a temp
# file. Prints ops/s, mean group-commit batch, the writer thread's CPU µs per operation, the
# whole process's CPU µs per operation, p50 and p99. The rate is the ceiling the store's single
# writer puts on POST /v1/inventory/reservations and POST /v1/orders on this machine.
#
#   Benchmarks/domain.sh [--duration SECONDS] [--callers 64] [--synchronous full|normal] [--dir PATH] [--only holds|orders]
#
# Run on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product BahiBench --scratch-path .build-release >/dev/null
exec .build-release/release/BahiBench domain "$@"
