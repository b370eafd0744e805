#!/usr/bin/env bash
# Orders benchmark: wrk POSTs new two-line prepaid orders (POST /v1/orders, each with its own
# channel_order_ref) at 64 connections against `bahi serve` (release build, synchronous=FULL,
# durable), and prints orders/s, p50, p99, the audit and `bahi check` afterwards.
#
#   Benchmarks/orders.sh                 # 3 runs of 10 s, median
#   DURATION=5 REPS=1 CONNS=64 Benchmarks/orders.sh
exec env LUA=Benchmarks/orders.lua LABEL=orders/s COUNT_TABLE=orders PORT="${PORT:-18282}" "$(dirname "$0")/wrk-post.sh"
