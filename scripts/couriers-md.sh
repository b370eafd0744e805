#!/bin/sh
# Regenerates the "Status mapping" section of docs/COURIERS.md from CourierStatusTable (the
# test that compares them rewrites that section instead; the page's other sections are kept).
set -eu
cd "$(dirname "$0")/.."
BAHI_WRITE_COURIERS_MD=1 swift test --filter CourierStatusTableTests
git diff --stat -- docs/COURIERS.md
