#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests (Debian's postgresql, installed if
# missing) and prints the libpq connection string on stdout:
#
#   export BAHI_TEST_POSTGRES="$(scripts/postgres-test-server.sh start)"
#   scripts/postgres-test-server.sh stop
#
# initdb and pg_ctl refuse to run as root, so the cluster belongs to the postgres user, in a
# folder it owns, listening only on a Unix socket in that folder (no TCP port to collide).
# fsync is off: the cluster is thrown away after the run. BAHI_PG_DURABLE=1 keeps PostgreSQL's
# defaults (fsync, synchronous_commit, full_page_writes on): what the benchmarks compare with
# SQLite at synchronous=FULL.
set -euo pipefail
DIR=${BAHI_PG_DIR:-/tmp/bahi-pg-test}
PORT=${BAHI_PG_PORT:-55432}
case "${1:-start}" in
start)
  if ! command -v pg_config >/dev/null 2>&1 || [ ! -x "$(pg_config --bindir 2>/dev/null)/initdb" ]; then
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
      echo "installing postgresql" >&2
      (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null) >&2
    fi
  fi
  BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  if [ -f "$DIR/data/postmaster.pid" ]; then
    runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"; mkdir -p "$DIR"; chown postgres "$DIR"
  runuser -u postgres -- "$BIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null
  DURABILITY="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${BAHI_PG_DURABLE:-0}" = 1 ] && DURABILITY=""
  runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses='' $DURABILITY -c max_connections=600" start >/dev/null
  echo "host=$DIR port=$PORT user=postgres dbname=postgres"
  ;;
stop)
  BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
