#!/usr/bin/env bash
# End-to-end smoke test of the bahi binary as a new user meets it: first start creates an
# admin key, curl works with it, keys/backup/check work beside a running server, SIGTERM
# drains and exits 0. Used by .ci/run after `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$(swift build --show-bin-path)/bahi}
[ -x "$BIN" ] || swift build --product bahi >/dev/null
WORK=$(mktemp -d)
PORT=${PORT:-18471}
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
fail() { echo "smoke: FAIL: $*" >&2; cat "$WORK/err.log" >&2 || true; exit 1; }

"$BIN" serve --db "$WORK/data/bahi.db" --port "$PORT" > "$WORK/access.log" 2> "$WORK/err.log" &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done

KEY=$(cat "$WORK/data/admin-key")
[ "$(stat -c %a "$WORK/data/admin-key")" = 600 ] || fail "admin-key is not mode 0600"
grep -q "$KEY" "$WORK/err.log" || fail "the first admin key was not printed"
curl -sf "http://127.0.0.1:$PORT/v1/ready" | grep -q '"status":"ready"' || fail "ready"
curl -sf -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/me" | grep -q '"role":"admin"' || fail "me"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/me")" = 401 ] || fail "401 without a key"

# The seller profile: incomplete until stored (nothing configured here), then complete.
U="http://127.0.0.1:$PORT/v1/settings/seller"
curl -sf -H "Authorization: Bearer $KEY" "$U" | grep -q '"complete":false' || fail "seller profile incomplete by default"
curl -sf -X PUT -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$U" -d '{"legal_name":"Smoke Traders LLP","gstin":"24AAKFK1234K1ZF","address":{"line1":"Plot 7","city":"Surat","state":"Gujarat","pincode":"395003"}}' \
  | grep -q '"complete":true' || fail "seller profile PUT"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$U" -d '{"legal_name":"X","gstin":"24AAKFK1234K1ZG","address":{"line1":"Plot 7","city":"Surat","state":"Gujarat","pincode":"395003"}}')" = 422 ] \
  || fail "422 for a GSTIN with a wrong check character"

SUPPORT=$("$BIN" keys create --role support --name smoke --db "$WORK/data/bahi.db" 2>/dev/null)
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SUPPORT" "http://127.0.0.1:$PORT/v1/events")" = 403 ] || fail "403 for support on events"
"$BIN" keys list --db "$WORK/data/bahi.db" | grep -q smoke || fail "keys list"
"$BIN" backup "$WORK/copy.db" --db "$WORK/data/bahi.db" | grep -q "backed up" || fail "backup"
"$BIN" check --db "$WORK/copy.db" >/dev/null || fail "check on the backup"
curl -sf -X POST -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/admin/backup" | grep -q size_bytes || fail "admin backup"
set +e; "$BIN" serve --bogus >/dev/null 2>&1; [ $? -eq 2 ] || fail "usage errors exit 2"; set -e

kill -TERM "$PID"
wait "$PID" || fail "serve did not exit 0 after SIGTERM"
grep -q '"path":"/v1/me"' "$WORK/access.log" || fail "access log"
grep -q "$KEY" "$WORK/access.log" && fail "a key leaked into the access log"
echo "smoke: ok"
