#!/usr/bin/env python3
"""The read half of Benchmarks/scale.sh: every list and search call an operator or a connector
waits on, each driven by READERS concurrent keep-alive clients for DURATION seconds (at least
MIN_REQUESTS answers, at most CAP seconds), with p50/p99/max per call, non-200 answers counted,
and the server's peak RSS while they ran.

    scale_read.py http://127.0.0.1:PORT KEY SERVER_PID [READERS=8] [DURATION=5]

The values each call is asked with come from the store itself, read through the API first:
phones and names of existing buyers (spread over the whole history), a cursor's second page,
the locations, a popular SKU, the event feed's range.
"""
import http.client, json, os, random, sys, threading, time, urllib.parse

base, key, server_pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
READERS = int(sys.argv[4]) if len(sys.argv) > 4 else 8
DURATION = float(sys.argv[5]) if len(sys.argv) > 5 else 5.0
MIN_REQUESTS, CAP = 16, 120.0
host, port = urllib.parse.urlparse(base).hostname, urllib.parse.urlparse(base).port
HEADERS = {"Authorization": "Bearer " + key}
rng = random.Random(15)


def get(path, timeout=300):
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    c.request("GET", path, headers=HEADERS)
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status != 200:
        raise SystemExit(f"scale_read: GET {path} answered {r.status}: {body[:300]!r}")
    return json.loads(body)


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


# ── what to ask with ──────────────────────────────────────────────────────────────────────
now_ms = int(time.time() * 1000)
samples = []
for days_ago in (1, 5, 20, 45, 90, 135, 170):
    page = get(f"/v1/orders?limit=20&created_before={urllib.parse.quote(iso(now_ms - days_ago * 86_400_000))}")
    samples += page["data"]
if not samples:
    raise SystemExit("scale_read: the store has no orders")
phones = sorted({o["customer"]["phone"] for o in samples})
names = sorted({o["customer"]["name"] for o in samples})
refs = sorted({o["channel_order_ref"] for o in samples})
channels = [c["code"] for c in get("/v1/channels?limit=50")["data"]]
locations = [l["code"] for l in get("/v1/locations?limit=50")["data"]]
first_page = get("/v1/orders?limit=50")
status_page = get("/v1/orders?status=completed&limit=50")
cursors = [c for c in (first_page.get("next_cursor"), status_page.get("next_cursor")) if c]
# The feed's range: probe doubling `after` until a page comes back empty.
last_seq = 1
while get(f"/v1/events?after={last_seq}&limit=1")["data"]:
    last_seq *= 2
top_skus = ["SKU-00001", "SKU-00002", "SKU-00003", "SKU-00010", "SKU-00100"]


def phone_forms(p):
    digits = p[-10:]
    return [p, "0" + digits, digits, "+91 " + digits[:5] + " " + digits[5:]]


q = urllib.parse.quote
week_ago = iso(now_ms - 7 * 86_400_000)
calls = [
    ("orders ?q=<phone, +91 form>", [f"/v1/orders?q={q(p)}" for p in phones]),
    ("orders ?q=<phone, 0/plain/spaced forms>", [f"/v1/orders?q={q(f)}" for p in phones for f in phone_forms(p)[1:]]),
    ("orders ?q=<buyer name>", [f"/v1/orders?q={q(n)}" for n in names]),
    ("orders ?q=<channel reference>", [f"/v1/orders?q={q(r)}" for r in refs]),
    ("orders ?q=<term matching nothing>", [f"/v1/orders?q=zqx{i}nomatch" for i in range(50)]),
    ("orders ?channel=&created_after=7d&limit=50", [f"/v1/orders?channel={c}&created_after={q(week_ago)}&limit=50" for c in channels]),
    ("orders ?status=", [f"/v1/orders?status={s}&limit=50" for s in ("completed", "cancelled", "in_fulfilment", "on_hold", "confirmed", "pending_payment")]),
    ("orders ?payment_method=cod", ["/v1/orders?payment_method=cod&limit=50"]),
    ("orders, a cursor's second page", [f"/v1/orders?limit=50&after={c}" for c in cursors[:1]]
        + [f"/v1/orders?status=completed&limit=50&after={c}" for c in cursors[1:]]),
    ("fulfilment/queue ?location=&limit=50", [f"/v1/fulfilment/queue?location={l}&limit=50" for l in locations]),
    ("inventory/audit", ["/v1/inventory/audit"]),
    ("ndr (open)", ["/v1/ndr"]),
    ("manifests", ["/v1/manifests"] + [f"/v1/manifests?courier={c}" for c in ("bluedart", "xpressbees")]),
    ("reconciliation/mismatches", ["/v1/reconciliation/mismatches"]),
    ("events ?after=", [f"/v1/events?after={rng.randrange(last_seq // 2)}&limit=100" for i in range(50)]),
    ("inventory/{sku}/movements", [f"/v1/inventory/{s}/movements" for s in top_skus]),
    # A SKU sold a few hundred times in the whole ledger: SQLite reads its part of many id ranges.
    ("inventory/{sku}/movements, a rarely sold SKU", [f"/v1/inventory/{s}/movements" for s in ("SKU-04500", "SKU-04800", "SKU-04950")]),
]

# SCALE_ONLY=<text>: only the calls whose label contains it (a re-measure of one fix).
only = os.environ.get("SCALE_ONLY", "")
calls = [c for c in calls if only in c[0]]

# ── the peak RSS of the server while the calls run ────────────────────────────────────────
peak_rss = [0]
stop_sampling = threading.Event()


def sample_rss():
    while not stop_sampling.is_set():
        try:
            with open(f"/proc/{server_pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        peak_rss[0] = max(peak_rss[0], int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)


threading.Thread(target=sample_rss, daemon=True).start()


def drive(urls):
    latencies, errors, lock = [], [0], threading.Lock()
    started = time.perf_counter()

    def reader(n):
        local = random.Random(n)
        c = http.client.HTTPConnection(host, port, timeout=300)
        while True:
            elapsed = time.perf_counter() - started
            with lock:
                done = len(latencies)
            if elapsed > CAP or (elapsed > DURATION and done >= MIN_REQUESTS):
                break
            url = local.choice(urls)
            t0 = time.perf_counter()
            try:
                c.request("GET", url, headers=HEADERS)
                r = c.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                c.close()
                c = http.client.HTTPConnection(host, port, timeout=300)
                ok = False
            dt = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(dt)
                if not ok:
                    errors[0] += 1
        c.close()

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    pick = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))]
    return len(latencies), errors[0], pick(0.5), pick(0.99), latencies[-1], time.perf_counter() - started


print(f"{READERS} readers, {DURATION:g} s per call (at least {MIN_REQUESTS} answers); {len(phones)} phones, {len(names)} names sampled")
print(f"{'call':44} {'answers':>8} {'non-200':>8} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}  target")
results = []
for label, urls in calls:
    if not urls:
        print(f"{label:44} (nothing to ask with)")
        continue
    n, errors, p50, p99, worst, seconds = drive(urls)
    target = 2000 if label == "inventory/audit" else 50
    verdict = "ok" if p99 <= target and errors == 0 else "MISS"
    results.append({"call": label, "answers": n, "errors": errors, "p50_ms": round(p50, 2), "p99_ms": round(p99, 2), "max_ms": round(worst, 2), "target_ms": target})
    print(f"{label:44} {n:8d} {errors:8d} {p50:9.2f} {p99:9.2f} {worst:9.2f}  {verdict} (p99 ≤ {target} ms)", flush=True)
stop_sampling.set()
print(f"server peak RSS during the reads: {peak_rss[0] / 1024:.0f} MB")
if os.environ.get("SCALE_JSON"):
    with open(os.environ["SCALE_JSON"], "w") as f:
        json.dump({"readers": READERS, "duration": DURATION, "calls": results, "peak_rss_mb": round(peak_rss[0] / 1024)}, f, indent=1)
