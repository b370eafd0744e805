#!/usr/bin/env bash
# The test command (README). Two passes over one build:
#   1. the whole suite (SQLite; every HTTP, store and domain test; the server on epoll),
#      then the HTTP server's own suite again on the Dispatch event loops;
#   2. the store-agnostic suites again on PostgreSQL — the domain-level suite
#      (*DomainTests, through onEveryStore), the HTTP API suite (BahiAPITests, through
#      withApp; its SQLite-only tests say why) and the PostgreSQL store's own tests — against
#      a throwaway cluster (scripts/postgres-test-server.sh, which installs Debian's
#      postgresql if it is missing).
# The passes run one after the other so the cluster's load never shares the two cores with
# the live HTTP tests' timing checks. Arguments go to both `swift test` runs.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
echo "== pass 1: the whole suite on SQLite"
env -u BAHI_TEST_POSTGRES -u BAHI_REQUIRE_POSTGRES -u BAHI_TEST_POSTGRES_ONLY swift test "$@"
echo "== pass 1b: the HTTP server's own suite (live server, event loops) on Dispatch (server.io)"
env -u BAHI_TEST_POSTGRES -u BAHI_REQUIRE_POSTGRES -u BAHI_TEST_POSTGRES_ONLY BAHI_TEST_IO=dispatch swift test --filter 'BahiHTTPTests' "$@"
echo "== pass 2: the domain-level and API suites and the store on PostgreSQL"
BAHI_TEST_POSTGRES="$(scripts/postgres-test-server.sh start)"
# The API suite's SQLite half ran in pass 1; here it runs on PostgreSQL only.
export BAHI_TEST_POSTGRES BAHI_REQUIRE_POSTGRES=1 BAHI_TEST_POSTGRES_ONLY=1
trap 'scripts/postgres-test-server.sh stop' EXIT
swift test --filter 'DomainTests|Postgres|BahiAPITests' "$@"
