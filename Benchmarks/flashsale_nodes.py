#!/usr/bin/env python3
"""Two nodes, one flash sale, one event feed (driven by Benchmarks/flashsale-nodes.sh).

Against two `bahi serve` nodes on one PostgreSQL database:

  1. seeds through node A's API: a location, channel "web", SKU FLASH-1 and a `receive` of
     UNITS units (so the ledger audit has a movement for every unit);
  2. races HOLDS single-unit holds of FLASH-1 over CONNS keep-alive connections, half on each
     node, all at once: exactly UNITS must get 201 and the rest 409 insufficient_stock, and
     nothing else (no 5xx, no 429, no dropped connection);
  3. meanwhile a reader follows GET /v1/events?after=…&wait=… on node A (a long-poll, as a
     connector would, with the default page of 50) from the start, and another on node B:
     when the writes are done and every event in the database is numbered, the seqs each saw
     must be exactly 1..N, each once, in order, with N the number of events in the database —
     no event skipped while another node's commit was in flight, none delivered twice;
     a few connections restock another SKU one unit at a time on both nodes throughout, so
     events commit on both nodes for the whole sale, not just while holds still succeed;
  4. checks the stock (reserved = UNITS, available 0) on both nodes and in the database (one
     active hold per 201, allocations summing to UNITS), and GET /v1/inventory/audit on both.

Prints the counts, one line per proof, and exits 1 if any is wrong. Standard library only;
the database is read with psql (--psql, a libpq conninfo).
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time

SKU = "FLASH-1"
FEED_SKU = "FEED-1"  # restocked one unit at a time on both nodes during the sale: events all along


class Failure(Exception):
    pass


def call(conn, method, path, key, payload=None):
    headers = {"Authorization": f"Bearer {key}"}
    body = None
    if payload is not None:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, data


def psql(conninfo, sql):
    """One value (or row) from the database, as psql prints it unaligned."""
    done = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-F", " ", "-v", "ON_ERROR_STOP=1", conninfo, "-c", sql],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise Failure(f"psql: {done.stderr.strip()}")
    return done.stdout.strip()


def seed(port, key, units):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    steps = [
        ("PUT", "/v1/locations/SURAT", {"name": "Surat warehouse", "pincode": "395003", "priority": 1}),
        ("PUT", "/v1/channels/web", {"name": "Website", "kind": "website"}),
        ("PUT", f"/v1/skus/{SKU}", {"name": "Flash sale kurta", "mrp_paise": 99900, "price_paise": 79900,
                                    "hsn": "6211", "gst_rate_bps": 500}),
        ("POST", "/v1/inventory/movements", {"sku": SKU, "location": "SURAT", "kind": "receive", "qty": units,
                                             "reference": "flash-grn"}),
        ("PUT", f"/v1/skus/{FEED_SKU}", {"name": "Restocked all day", "mrp_paise": 49900, "price_paise": 49900,
                                         "hsn": "6211", "gst_rate_bps": 500}),
    ]
    for method, path, payload in steps:
        status, data = call(conn, method, path, key, payload)
        if status not in (200, 201):
            raise Failure(f"seeding {method} {path}: {status} {data[:300]!r}")
    conn.close()


class Reader(threading.Thread):
    """Follows the feed on one node from seq 0 with long-polls, keeping every seq it is given."""

    def __init__(self, port, key, wait):
        super().__init__(daemon=True)
        self.port, self.key, self.wait = port, key, wait
        self.seqs = []
        self.after = 0
        self.polls = 0
        self.error = None
        self.stop = threading.Event()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.wait + 30)
        try:
            while not self.stop.is_set():
                status, data = call(conn, "GET", f"/v1/events?after={self.after}&wait={self.wait}", self.key)
                self.polls += 1
                if status != 200:
                    raise Failure(f"GET /v1/events?after={self.after}: {status} {data[:300]!r}")
                page = json.loads(data)
                for event in page["data"]:
                    self.seqs.append(int(event["seq"]))
                # The cursor the server hands back, as a client would use it.
                self.after = int(page["next_cursor"])
        except Exception as e:  # reported by the main thread
            self.error = f"{type(e).__name__}: {e}"
        finally:
            conn.close()


class Mover(threading.Thread):
    """Receives one unit of FEED_SKU at a time on one node until told to stop: each is an
    event committed on that node while the other commits too, for the whole sale."""

    def __init__(self, port, key):
        super().__init__(daemon=True)
        self.port, self.key = port, key
        self.acked = 0
        self.other = {}
        self.stop = threading.Event()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        body = {"sku": FEED_SKU, "location": "SURAT", "kind": "receive", "qty": 1, "reference": "feed-restock"}
        while not self.stop.is_set():
            try:
                status, _ = call(conn, "POST", "/v1/inventory/movements", self.key, body)
            except Exception as e:
                status = type(e).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            if status == 201:
                self.acked += 1
            else:
                self.other[status] = self.other.get(status, 0) + 1
        conn.close()


def holds(ports, key, total, conns):
    """`total` single-unit holds over `conns` connections, connection i on node i % 2."""
    lock = threading.Lock()
    next_hold = [0]
    counts = [{} for _ in ports]  # per node: status -> count
    body = {"channel": "web", "lines": [{"sku": SKU, "qty": 1}], "ttl_seconds": 900}
    start = threading.Barrier(conns + 1)

    def worker(i):
        node = i % len(ports)
        conn = http.client.HTTPConnection("127.0.0.1", ports[node], timeout=60)
        local = {}
        start.wait()
        while True:
            with lock:
                if next_hold[0] >= total:
                    break
                next_hold[0] += 1
            try:
                status, _ = call(conn, "POST", "/v1/inventory/reservations", key, body)
            except Exception as e:  # a dropped connection counts as a wrong answer
                status = type(e).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", ports[node], timeout=60)
            local[status] = local.get(status, 0) + 1
        conn.close()
        with lock:
            for status, n in local.items():
                counts[node][status] = counts[node].get(status, 0) + n

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(conns)]
    for t in threads:
        t.start()
    start.wait()
    began = time.monotonic()
    for t in threads:
        t.join()
    return counts, time.monotonic() - began


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ports", required=True, help="the nodes' ports, comma-separated (the reader follows the first)")
    ap.add_argument("--key", default=os.environ.get("FLASH_KEY"), help="an admin key (default: $FLASH_KEY, kept out of ps)")
    ap.add_argument("--hold-key", default=os.environ.get("HOLD_KEY"),
                    help="the key the holds go through (default: the admin key; $HOLD_KEY, e.g. a storefront key of channel web)")
    ap.add_argument("--psql", required=True, help="the database as a libpq conninfo")
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--holds", type=int, default=5000)
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--movers", type=int, default=4, help="connections restocking FEED-1 during the sale (events on both nodes)")
    ap.add_argument("--wait", type=int, default=3, help="the reader's long-poll wait, seconds")
    args = ap.parse_args()
    if not args.key:
        ap.error("no admin key: --key or FLASH_KEY")
    ports = [int(p) for p in args.ports.split(",")]
    problems = []

    seed(ports[0], args.key, args.units)
    # The proof's reader follows node A with the default page (50), as a connector would; a
    # second one follows node B, so each node's feed route is checked against the other's commits.
    readers = [Reader(port, args.key, args.wait) for port in ports]
    for reader in readers:
        reader.start()

    movers = [Mover(ports[i % len(ports)], args.key) for i in range(args.movers)]
    for mover in movers:
        mover.start()
    counts, elapsed = holds(ports, args.hold_key or args.key, args.holds, args.conns)
    for mover in movers:
        mover.stop.set()
    for mover in movers:
        mover.join()
    read_during_sale = [len(r.seqs) for r in readers]
    restocked = sum(m.acked for m in movers)
    mover_other = {}
    for m in movers:
        for status, n in m.other.items():
            mover_other[status] = mover_other.get(status, 0) + n
    created = sum(c.get(201, 0) for c in counts)
    refused = sum(c.get(409, 0) for c in counts)
    other = {}
    for c in counts:
        for status, n in c.items():
            if status not in (201, 409):
                other[status] = other.get(status, 0) + n
    per_node = ", ".join(f"node {'AB'[i]} :{ports[i]} {c.get(201, 0)} × 201 + {c.get(409, 0)} × 409"
                         for i, c in enumerate(counts))
    print(f"holds: {args.holds} over {args.conns} connections in {elapsed:.2f} s ({args.holds / elapsed:,.0f}/s): "
          f"{created} × 201, {refused} × 409, other {other or 0} ({per_node})", flush=True)
    if created != args.units or refused != args.holds - args.units or other:
        problems.append(f"expected exactly {args.units} × 201 and {args.holds - args.units} × 409, nothing else")
    print(f"restocks: {restocked} single-unit receives of {FEED_SKU} acknowledged on {len(ports)} nodes during the sale, "
          f"other {mover_other or 0}", flush=True)
    if mover_other:
        problems.append(f"restocks answered other than 201: {mover_other}")

    # Stock, on both nodes and in the database.
    for i, port in enumerate(ports):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status, data = call(conn, "GET", f"/v1/inventory/{SKU}", args.key)
        totals = json.loads(data).get("totals", {}) if status == 200 else {}
        if (totals.get("on_hand"), totals.get("reserved"), totals.get("available")) != (args.units, args.units, 0):
            problems.append(f"node {'AB'[i]}: GET /v1/inventory/{SKU} {status} {data[:300]!r}")
        status, data = call(conn, "GET", f"/v1/inventory/{FEED_SKU}", args.key)
        feed_on_hand = (json.loads(data).get("totals", {}) if status == 200 else {}).get("on_hand")
        if feed_on_hand != restocked:
            problems.append(f"node {'AB'[i]}: {FEED_SKU} on hand {feed_on_hand}, but {restocked} restocks were acknowledged")
        status, data = call(conn, "GET", "/v1/inventory/audit", args.key)
        audit = json.loads(data) if status == 200 else {}
        if audit.get("clean") is not True or audit.get("drift"):
            problems.append(f"node {'AB'[i]}: GET /v1/inventory/audit {status} {data[:300]!r}")
        conn.close()
    db = psql(args.psql, "SELECT (SELECT count(*) FROM reservations WHERE status = 'active'), "
                         "(SELECT coalesce(sum(qty), 0) FROM reservation_allocations), "
                         f"(SELECT reserved FROM stock_levels WHERE sku = '{SKU}')").split()
    print(f"stock: {SKU} {args.units} on hand, {args.units} reserved, 0 available and {FEED_SKU} {restocked} on hand on both nodes; database: {db[0]} active holds, "
          f"allocations {db[1]}, stock_levels.reserved {db[2]}; audit clean on both nodes"
          + ("" if not problems else " — NOT SO, see below"), flush=True)
    if db != [str(created), str(args.units), str(args.units)]:
        problems.append(f"database: {db[0]} active holds (201s: {created}), allocations {db[1]}, reserved {db[2]}")

    # The feed: wait until the sequencers have numbered every committed event, then until the
    # readers have reached the last, then stop them.
    deadline = time.monotonic() + 60
    while True:
        total, numbered, top = (int(x) for x in psql(args.psql, "SELECT count(*), count(seq), coalesce(max(seq), 0) FROM events").split())
        if total == numbered and all(r.seqs[-1:] == [top] or r.error for r in readers):
            break
        if time.monotonic() > deadline:
            problems.append(f"the feed readers did not catch up within 60 s: database {total} events ({numbered} numbered, top {top}), "
                            f"readers at {[r.after for r in readers]}")
            break
        time.sleep(0.05)
    for reader in readers:
        reader.stop.set()
    for reader in readers:
        reader.join(timeout=args.wait + 35)
    # Counted again once the readers have stopped: nothing writes now, so this is the end state.
    total, top = (int(x) for x in psql(args.psql, "SELECT count(*), coalesce(max(seq), 0) FROM events").split())
    for i, reader in enumerate(readers):
        if reader.error:
            problems.append(f"feed reader on node {'AB'[i]}: {reader.error}")
        seqs = reader.seqs
        repeats = len(seqs) - len(set(seqs))
        missing = sorted(set(range(1, total + 1)) - set(seqs))
        in_order = all(a < b for a, b in zip(seqs, seqs[1:]))
        print(f"feed: reader on node {'AB'[i]} saw {len(seqs)} events ({read_during_sale[i]} while the writes ran) in {reader.polls} long-polls, seqs {seqs[0] if seqs else '-'}..{seqs[-1] if seqs else '-'}; "
              f"database has {total} events (numbered up to {top}); {repeats} repeats, {len(missing)} gaps, "
              f"{'ascending' if in_order else 'OUT OF ORDER'}", flush=True)
        if seqs != list(range(1, total + 1)) or top != total:
            problems.append(f"feed on node {'AB'[i]}: expected seqs 1..{total} exactly once in order; missing {missing[:20]}, "
                            f"{repeats} repeats, in order {in_order}, max seq in database {top}")

    if problems:
        for p in problems:
            print(f"FAIL: {p}", flush=True)
        return 1
    print(f"ok: {created} of {args.holds} holds succeeded across {len(ports)} nodes, {refused} refused, no other status; "
          f"the feed delivered events 1..{total} exactly once to a reader on each node", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as f:
        print(f"FAIL: {f}", flush=True)
        sys.exit(1)
