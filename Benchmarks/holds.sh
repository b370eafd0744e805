#!/usr/bin/env bash
# Holds benchmark: wrk POSTs single-unit checkout holds (POST /v1/inventory/reservations)
# at 64 connections against `bahi serve` (release build, synchronous=FULL, durable), and
# prints holds/s, p50, p99, the audit and `bahi check` afterwards.
#
#   Benchmarks/holds.sh                  # 3 runs of 10 s, median
#   DURATION=5 REPS=1 CONNS=64 Benchmarks/holds.sh
exec env LUA=Benchmarks/holds.lua LABEL=holds/s COUNT_TABLE=reservations PORT="${PORT:-18281}" "$(dirname "$0")/wrk-post.sh"
