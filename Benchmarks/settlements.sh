#!/usr/bin/env bash
# Settlement import benchmark: a 100,000-row Razorpay settlement reconciliation file POSTed
# to /v1/reconciliation/imports (release build, SQLite, synchronous=FULL), then the same file
# again (every row unchanged). Prints the seconds each took and the report's counts.
#
#   Benchmarks/settlements.sh            ROWS=100000 by default
#   KIND=cashfree_settlements Benchmarks/settlements.sh   the same for a Cashfree recon file (rupees)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-100000}
KIND=${KIND:-razorpay_settlements}
if [ -z "${BIN:-}" ]; then
  swift build -c release --product bahi --scratch-path .build-release >/dev/null
  BIN=$(swift build -c release --product bahi --scratch-path .build-release --show-bin-path)/bahi
fi
WORK=$(mktemp -d)
PID=
trap 'if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$WORK/recon.csv" "$ROWS" "$KIND" <<'PY'
import sys
out, n, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kind == "cashfree_settlements":
    with open(out, "w") as f:
        f.write("event_id,event_type,event_amount,sale_type,event_settlement_amount,event_time,order_id,cf_payment_id,cf_refund_id,payment_service_charge,payment_service_tax,cf_settlement_id,settlement_date,settlement_utr,payment_group\n")
        for i in range(n):
            if i % 10 == 9:
                f.write(f"{i},REFUND,500.00,DEBIT,500.00,2026-12-01 10:00:00,order_{i},{i - 1},{i},0,0,{i // 1000},2026-12-03 10:00:00,UTR{i // 1000:06d},upi\n")
            else:
                f.write(f"{i},PAYMENT,1000.00,CREDIT,971.00,2026-12-01 10:00:00,order_{i},{i},,24.58,4.42,{i // 1000},2026-12-03 10:00:00,UTR{i // 1000:06d},upi\n")
    sys.exit(0)
with open(out, "w") as f:
    f.write("entity_id,type,debit,credit,amount,currency,fee,tax,on_hold,settled,created_at,settled_at,settlement_id,settlement_utr,order_id,order_receipt,payment_id,method\n")
    for i in range(n):
        if i % 10 == 9:
            f.write(f"rfnd_{i:010d},refund,50000,0,50000,INR,0,0,0,1,1733300000,1733500000,setl_{i // 1000},UTR{i // 1000:06d},order_{i},,pay_{i - 1:010d},upi\n")
        else:
            f.write(f"pay_{i:010d},payment,0,97100,100000,INR,2900,442,0,1,1733300000,1733500000,setl_{i // 1000},UTR{i // 1000:06d},order_{i},ord_{i},,upi\n")
PY
"$BIN" migrate --db "$WORK/bahi.db" >/dev/null
BAHI_LOG_ACCESS_LOG=false BAHI_DATABASE_SYNCHRONOUS=full "$BIN" serve --db "$WORK/bahi.db" --port "$PORT" > "$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/v1/ready" >/dev/null 2>&1 && [ -s "$WORK/admin-key" ] && break; sleep 0.05; done
KEY=$(cat "$WORK/admin-key")
for pass in first again; do
  start=$(date +%s.%N)
  curl -sf -X POST "http://127.0.0.1:$PORT/v1/reconciliation/imports?kind=$KIND" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: text/csv' --data-binary @"$WORK/recon.csv" > "$WORK/report.json"
  end=$(date +%s.%N)
  python3 - "$WORK/report.json" "$start" "$end" "$pass" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("%s: %.2f s for %d rows: %d applied, %d unchanged, %d errors" % (sys.argv[4], float(sys.argv[3]) - float(sys.argv[2]), r["rows"], r["applied"], r["unchanged"], len(r["errors"])))
PY
done
