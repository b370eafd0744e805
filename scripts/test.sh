#!/usr/bin/env bash
# The test command (README): starts a throwaway PostgreSQL cluster (installing Debian's
# postgresql if it is missing), runs the whole suite — the domain-level suite on SQLite and on
# PostgreSQL — and stops the cluster. Arguments go to `swift test` (e.g. --filter Orders).
set -euo pipefail
cd "$(dirname "$0")/.."
BAHI_TEST_POSTGRES="$(scripts/postgres-test-server.sh start)"
export BAHI_TEST_POSTGRES BAHI_REQUIRE_POSTGRES=1
trap 'scripts/postgres-test-server.sh stop' EXIT
swift test "$@"
