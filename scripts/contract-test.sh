#!/usr/bin/env bash
# The API contract against a live server: openapi.json validates as OpenAPI 3.1
# (openapi-spec-validator), then schemathesis fuzzes `bahi serve` on a fresh SQLite database
# with an admin key and with a storefront key, checking that no answer is a 5xx, every status
# and content type is one the document declares, and every body has its declared shape.
# Tools come pinned from requirements-ci.txt into a virtual environment. Used by .ci/run.
#
#   scripts/contract-test.sh [SECONDS_PER_KEY]   (default 80: both runs in about three minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${1:-80}
BIN=${BIN:-$(swift build --show-bin-path)/bahi}
[ -x "$BIN" ] || swift build --product bahi >/dev/null
VENV=${CONTRACT_VENV:-.build/contract-venv}
WORK=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
fail() { echo "contract: FAIL: $*" >&2; tail -20 "$WORK/err.log" >&2 || true; exit 1; }

if [ ! -x "$VENV/bin/schemathesis" ] || ! cmp -s requirements-ci.txt "$VENV/requirements-ci.txt"; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements-ci.txt
  cp requirements-ci.txt "$VENV/requirements-ci.txt"
fi

"$VENV/bin/openapi-spec-validator" openapi.json

# A free port: the kernel picks one for a socket we close at once.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
# Limits high enough that the fuzzer's pace is never mistaken for abuse (429s would hide
# the answers it came for). The gateways are configured as in a deployment: their webhooks
# then answer the fuzzer's unsigned bodies 401 (an unconfigured gateway's 503 "retry later",
# which the checks count as a server error, is the API suite's to test).
cat > "$WORK/config.json" <<JSON
{"rate_limit": {"requests_per_second": 100000, "burst": 100000}, "log": {"access_log": false},
 "seller": {"legal_name": "Contract Test Traders", "gstin": "24AAKFK1234K1ZF", "state": "Gujarat",
            "address": {"line1": "1 Ring Road", "city": "Surat", "pincode": "395003"}},
 "secrets": {"razorpay_webhook_secret": "contract_rzp", "cashfree_client_secret": "contract_cf",
             "payu_salt": "contract_salt", "payu_merchant_key": "contract_key",
             "shiprocket_webhook_token": "contract_sr", "delhivery_webhook_token": "contract_dl"}}
JSON
"$BIN" serve --config "$WORK/config.json" --db "$WORK/data/bahi.db" --port "$PORT" > "$WORK/out.log" 2> "$WORK/err.log" &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 50); do [ -s "$WORK/data/admin-key" ] && break; sleep 0.1; done
ADMIN=$(cat "$WORK/data/admin-key" 2>/dev/null) || fail "no admin key (bahi serve did not start)"
URL="http://127.0.0.1:$PORT"

# A little of everything, so the fuzzer meets real resources as well as missing ones.
put() { curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' "$URL$1" -d "$2" || fail "PUT $1"; }
post() { curl -sf -o /dev/null -X POST -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' "$URL$1" -d "$2" || fail "POST $1"; }
put /v1/locations/SURAT '{"name": "Surat", "pincode": "395003"}'
put /v1/channels/web '{"name": "Website", "kind": "website"}'
put /v1/channels/amazon '{"name": "Amazon", "kind": "marketplace"}'
put /v1/skus/TEE '{"name": "Cotton Tee", "mrp_paise": 99900, "price_paise": 49900, "hsn": "6109", "gst_rate_bps": 500}'
post /v1/inventory/movements '{"sku": "TEE", "location": "SURAT", "kind": "receive", "qty": 100000}'
post /v1/orders '{"channel": "web", "channel_order_ref": "CT-1", "customer": {"name": "Asha Patel", "phone": "9825012345"},
  "shipping_address": {"name": "Asha Patel", "line1": "12 Ring Road", "city": "Surat", "pincode": "395003"},
  "lines": [{"sku": "TEE", "qty": 1, "unit_price_paise": 49900}], "payment": {"method": "cod"}}'
status=0
for who in admin storefront; do
  key=$ADMIN
  # Made after the admin run: that run lists keys and revokes what it finds (all but itself).
  if [ "$who" = storefront ]; then
    key=$("$BIN" keys create --role storefront --channel web --name contract-test --db "$WORK/data/bahi.db" 2>/dev/null) || fail "storefront key"
  fi
  echo "== schemathesis as $who (${BUDGET}s)"
  NO_COLOR=1 "$VENV/bin/schemathesis" run openapi.json --url "$URL" -H "Authorization: Bearer $key" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing,stateful --max-time "$BUDGET" --workers 1 --request-timeout 40 \
    --suppress-health-check all --seed 1 || status=$?
done
kill -TERM "$PID"; wait "$PID" || fail "serve did not exit 0 after SIGTERM"; PID=
[ "$status" -eq 0 ] || { echo "contract: schemathesis found failures (above)"; exit "$status"; }
echo "contract: ok"
