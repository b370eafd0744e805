#!/usr/bin/env python3
"""Crash-safety proof for the stock ledger and orders (driven by scripts/crash-test.sh).

Seeds a catalog straight into a migrated database, starts `bahi serve`, then for each cycle:
many client threads post stock movements, holds and orders (web and amazon, prepaid and COD,
1–2 lines, sometimes a deliberately unfillable extra line), place orders from acknowledged
holds ("conversions": POST /v1/orders with reservation_id, the hold's channel and lines,
kits too; only long-ttl holds no release or other conversion was sent for, except a few
sent after that hold's release, maybe still in flight, to race it; a few with an unfillable
extra line), release holds (never one a conversion was sent for) and cancel orders while
the server is killed with SIGKILL at a random moment; the server is restarted on the same
database and the driver proves, from the database and the API, that

  1. every request that got a 2xx is there exactly once (movements by reference, holds by
     reference and id, releases by status, orders by channel_order_ref with the id, lines and
     total_paise they were answered, cancellations by status), with the deltas, allocations
     and parcels it was answered; an acknowledged conversion's order references its hold
     (orders.reservation_id) and the hold is `converted` (in the database, and for a sample
     through GET /v1/inventory/reservations/{id});
  2. nothing else is: every ledger row, hold and order belongs to a request that was at least
     sent, no request that got an error response left anything behind (an order may only be
     refused 409 insufficient_stock, and then leaves no order and no reservation; a
     conversion also 409 reservation_not_active, only if its hold was released or expired
     first; a refused conversion leaves its hold as it was — never converted, still active
     unless a release was sent; a release may only be refused 409 invalid_transition, when
     the conversion racing it won, and changes nothing), an unanswered order exists at most
     once, an unanswered conversion committed whole or not at all (right after the restart,
     before its retry: hold converted ⇔ its order exists), a hold is converted exactly when
     one order references it and that order was sent as a conversion of that hold, a hold's
     reserve movements equal its allocations and its release movements (reason = its status:
     released, expired or converted) equal them exactly when it is closed, and an order's
     reserve/release movements equal what its parcels carry (released exactly when it was
     cancelled);
  3. GET /v1/inventory/audit is clean and `bahi check` exits 0 (levels = sum of movements,
     reserved = what active holds and unshipped parcels hold, every live reservation belongs
     to a live order or hold, integrity, foreign keys);
  4. Idempotency-Key retries after the crash replay (Idempotent-Replayed: true, same body)
     instead of applying twice, and a retry of an unanswered request replays exactly when its
     effect committed before the crash; an unanswered order or conversion without a key is
     retried as a connector would (same channel_order_ref): 200 with the stored order exactly
     when it committed, else taken now (or refused); and acknowledged orders and conversions
     sent again by channel_order_ref return 200 with the same id and total, not a second
     order.

With --db postgres://… (scripts/crash-test.sh --postgres) the same load and the same checks
run against `bahi serve` on PostgreSQL: the catalog is seeded and the database read through
`psql` (--psql names the cluster in libpq's key=value form), and after each kill the driver
waits until the killed node's server backends are gone before it restarts it (see
wait_for_dead_node) — on PostgreSQL a killed node's last COMMIT may still be in flight in its
server backend, where on SQLite the file is settled the moment the process dies.

Standard library only. Exit 0 if every cycle verified, 1 on any violation.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid

STOCKED = ["A", "B", "C", "D", "E", "F"]
KIT = "KIT"  # 2 x C + 1 x B
LOCATIONS = [("SURAT", 1), ("JAIPUR", 2), ("BLR", 3)]
CHANNELS = [("web", "website", 0), ("amazon", "marketplace", 1000)]
KIT_PARTS = {"C": 2, "B": 1}
# Delivery addresses with real pincodes (the seller is in Gujarat: Surat is intra-state, the rest inter-state).
ADDRESSES = [
    ("395002", "Surat", "Gujarat", "12 Ring Road, Athwa", "Near Kinnary cinema"),
    ("302001", "Jaipur", "Rajasthan", "44 MI Road, Panch Batti", "Opposite Raj Mandir"),
    ("560001", "Bengaluru", "Karnataka", "7 Brigade Road, Flat 3B", "Behind Rex theatre"),
]
NAMES = ["Asha Patel", "Ravi Mehta", "Meena Sharma", "Imran Shaikh", "Kavya Rao", "Sunil Joshi"]
PRICES = [9000, 12900, 49900, 119900]


def log(msg):
    print(msg, flush=True)


class Violation(Exception):
    pass


class SqliteDb:
    """The SQLite file, read only (seeding opens it read-write)."""

    def __init__(self, path, readonly=True):
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=10)
        else:
            self.db = sqlite3.connect(path)

    def execute(self, sql, params=()):
        return self.db.execute(sql, params)

    def snapshot(self, queries):
        """Every (sql, params) read in one WAL snapshot; a list of row lists."""
        self.db.execute("BEGIN")
        try:
            return [self.db.execute(sql, params).fetchall() for sql, params in queries]
        finally:
            self.db.execute("COMMIT")

    def close(self):
        self.db.close()


class Rows:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return self.rows


class PgDb:
    """PostgreSQL through psql, so the driver needs no package beyond the standard library:
    one psql process per call, each query's rows returned as one line of JSON (json_agg), so
    integers stay integers and NULL is None, as sqlite3 gives them. Placeholders are `?` as in
    the SQLite queries; values are inlined as literals (the driver's own references and ids)."""

    def __init__(self, conninfo):
        self.conninfo = conninfo

    @staticmethod
    def literal(value):
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):
            return str(value)
        return "'" + str(value).replace("'", "''") + "'"

    @classmethod
    def bind(cls, sql, params):
        parts = sql.split("?")
        if len(parts) != len(params) + 1:
            raise ValueError(f"{len(params)} parameters for {len(parts) - 1} placeholders: {sql}")
        return parts[0] + "".join(cls.literal(v) + rest for v, rest in zip(params, parts[1:]))

    def run(self, script, timeout=60):
        done = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", self.conninfo],
                              input=script, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise Violation(f"psql failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def snapshot(self, queries):
        """Every (sql, params) read in one REPEATABLE READ snapshot; a list of row lists."""
        script = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n"
        for sql, params in queries:
            # json_agg puts a newline between rows; inside strings JSON escapes them, so
            # replacing raw newlines leaves one line per query.
            script += f"SELECT coalesce(replace(json_agg(t)::text, E'\\n', ' '), '[]') FROM ({self.bind(sql, params)}) t;\n"
        script += "COMMIT;\n"
        lines = [line for line in self.run(script).splitlines() if line.strip()]
        if len(lines) != len(queries):
            raise Violation(f"psql returned {len(lines)} results for {len(queries)} queries")
        return [[tuple(row.values()) for row in json.loads(line)] for line in lines]

    def execute(self, sql, params=()):
        return Rows(self.snapshot([(sql, params)])[0])

    def write(self, statements):
        """(sql, params) statements in one transaction."""
        self.run("BEGIN;\n" + "".join(self.bind(sql, params) + ";\n" for sql, params in statements) + "COMMIT;\n")

    def close(self):
        pass


class Request:
    """One HTTP request the driver made, and what became of it."""

    __slots__ = ("op", "cycle", "method", "path", "body", "idem", "reference", "meta",
                 "sent", "status", "headers", "resp", "error", "retried")

    def __init__(self, op, cycle, method, path, payload, idem, reference, meta):
        self.op = op              # "move", "hold", "release", "order", "convert" (an order from a hold), "cancel"
        self.cycle = cycle
        self.method = method
        self.path = path
        self.body = None if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        self.idem = idem          # Idempotency-Key or None
        self.reference = reference
        self.meta = meta
        self.sent = False
        self.status = None        # HTTP status if a response (its head) arrived
        self.headers = {}
        self.resp = None          # raw body bytes if they arrived whole
        self.error = None
        self.retried = None       # "replayed" / "fresh" after a post-restart retry

    @property
    def acked(self):
        return self.status is not None and 200 <= self.status < 300

    @property
    def refused(self):
        return self.status is not None and not self.acked

    @property
    def unanswered(self):
        return self.sent and self.status is None

    def json(self):
        try:
            return json.loads(self.resp) if self.resp else None
        except ValueError:
            return None

    def describe(self):
        return (f"{self.method} {self.path} body={self.body.decode() if self.body else ''} "
                f"idempotency-key={self.idem} cycle={self.cycle} status={self.status} error={self.error}")


class Client:
    """A keep-alive HTTP/1.1 connection that reconnects after any failure."""

    def __init__(self, port, key, timeout=10.0):
        self.port = port
        self.key = key
        self.timeout = timeout
        self.conn = None

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None

    def send(self, req):
        headers = {"Authorization": f"Bearer {self.key}"}
        if req.body is not None:
            headers["Content-Type"] = "application/json"
        if req.idem is not None:
            headers["Idempotency-Key"] = req.idem
        # Marked sent before a byte leaves: a request recorded as unsent must never reach the server.
        req.sent = True
        req.status, req.headers, req.resp, req.error = None, {}, None, None
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.conn.request(req.method, req.path, body=req.body, headers=headers)
            resp = self.conn.getresponse()
            req.status = resp.status
            req.headers = {k.lower(): v for k, v in resp.getheaders()}
            req.resp = resp.read()
            if req.headers.get("connection", "").lower() == "close":
                self.close()
        except Exception as e:  # the server died (or hung) mid-request
            req.error = f"{type(e).__name__}: {e}"
            self.close()
        return req

    def call(self, method, path, payload=None, idem=None, body=None):
        """A one-off request outside the load (replays, audit)."""
        req = Request("call", -1, method, path, payload, idem, None, {})
        if body is not None:
            req.body = body
        return self.send(req)


class Run:
    def __init__(self, args):
        self.args = args
        self.bin = args.bin
        self.dir = args.dir
        # An SQLite file in the work folder, or a postgres:// URL (then psql reads it).
        self.db = args.db or os.path.join(args.dir, "bahi.db")
        self.pg = args.db is not None and args.db.startswith(("postgres://", "postgresql://"))
        if self.pg and not args.psql:
            raise SystemExit("crash_driver: --db postgres://… needs --psql (the cluster's libpq conninfo)")
        self.config = os.path.join(args.dir, "config.json")
        self.port = args.port or free_port()
        self.rng = random.Random(args.seed)
        self.run_id = uuid.uuid4().hex[:8]
        self.requests = []        # every Request of every cycle
        self.lock = threading.Lock()
        self.releasable = []      # acked hold ids not yet sent a release (skipped once sent a conversion)
        self.convertible = []     # acked long-ttl hold ids not yet sent a conversion (skipped once sent a release)
        self.hold_reqs = {}       # hold id -> the acknowledged hold request (channel, lines)
        self.release_sent = set() # hold ids sent a release
        self.convert_sent = set() # hold ids sent a conversion (at most one each): never released by the driver…
        self.convert_refused = set()  # … unless it was refused insufficient_stock (the hold stays active)
        self.raced = []           # long-ttl hold ids just sent a release, never a conversion: a conversion may race it
        self.cancellable = []     # acked order ids not yet sent a cancel
        self.proc = None
        self.key = None
        self.serial = 0
        self.pid_file = os.path.join(args.dir, "server.pid")

    # ── server process ────────────────────────────────────────────────────────────────
    def start_server(self):
        out = open(os.path.join(self.dir, "access.log"), "ab")
        err = open(os.path.join(self.dir, "server.err"), "ab")
        self.proc = subprocess.Popen(
            [self.bin, "serve", "--db", self.db, "--port", str(self.port), "--config", self.config],
            stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        out.close()
        err.close()
        with open(self.pid_file, "w") as f:
            f.write(f"{self.proc.pid}\n")
        started = time.monotonic()
        deadline = started + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.forget_pid()
                raise Violation(f"bahi serve exited with {self.proc.returncode} while starting; see {self.dir}/server.err:\n"
                                + tail(os.path.join(self.dir, "server.err")))
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/v1/ready")
                r = c.getresponse()
                body = r.read()
                c.close()
                if r.status == 200 and b'"ready"' in body:
                    return time.monotonic() - started
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.03)
        raise Violation(f"bahi serve was not ready within 60 s; see {self.dir}/server.err")

    def forget_pid(self):
        # Once reaped, the pid may be reused: crash-test.sh's trap must not kill it.
        try:
            os.unlink(self.pid_file)
        except FileNotFoundError:
            pass

    def kill_server(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.forget_pid()
        if self.proc.returncode != -signal.SIGKILL:
            raise Violation(f"bahi serve ended with {self.proc.returncode} before it was killed (it crashed by itself?); "
                            f"see {self.dir}/server.err:\n" + tail(os.path.join(self.dir, "server.err")))
        if self.pg:
            self.wait_for_dead_node()

    def wait_for_dead_node(self, timeout=20.0):
        """On PostgreSQL the killed node's transactions end in the server, not with the process:
        a backend notices its client is gone only when it next reads the socket, and a COMMIT
        already sent still commits. Until they are all gone, what the driver reads as "not
        there" could still appear, so it waits until no other backend is connected to the
        database (only this node ever connects to it; psql's own is excluded)."""
        deadline = time.monotonic() + timeout
        db = PgDb(self.args.psql)
        while True:
            left = db.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                              "AND pid <> pg_backend_pid() AND backend_type = 'client backend'").fetchone()[0]
            if left == 0:
                return
            if time.monotonic() > deadline:
                raise Violation(f"{left} server backends of the killed node were still there {timeout:.0f} s after the kill")
            time.sleep(0.02)

    def stop_server(self):
        if self.proc is None or self.proc.poll() is not None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "timeout"
        finally:
            self.forget_pid()

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.forget_pid()

    # ── setup ─────────────────────────────────────────────────────────────────────────
    def seed_catalog(self):
        """SKUs, a kit, locations and channels written straight to the migrated database
        (the catalog routes are not needed for this test), before the server first starts."""
        now = int(time.time() * 1000)
        rows = []
        for sku in STOCKED + [KIT]:
            rows.append(("INSERT INTO skus (sku, name, mrp_paise, price_paise, hsn, gst_rate_bps, is_kit, low_stock_threshold, reorder_point, reorder_qty,"
                         " created_at, updated_at) VALUES (?, ?, 10000, 9000, '6109', 1200, ?, 5, 3, 50, ?, ?)", (sku, f"Item {sku}", sku == KIT, now, now)))
        rows.append(("INSERT INTO kit_components (kit_sku, component_sku, qty) VALUES ('KIT', 'C', 2), ('KIT', 'B', 1)", ()))
        for code, priority in LOCATIONS:
            rows.append(("INSERT INTO locations (code, name, pincode, state, district, priority, created_at, updated_at)"
                         " VALUES (?, ?, '395003', 'GUJARAT', 'SURAT', ?, ?, ?)", (code, code.title(), priority, now, now)))
        for code, kind, bps in CHANNELS:
            rows.append(("INSERT INTO channels (code, name, kind, buffer_bps, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                         (code, code.title(), kind, bps, now, now)))
        if self.pg:
            PgDb(self.args.psql).write(rows)
        else:
            db = sqlite3.connect(self.db)
            try:
                mode = db.execute("PRAGMA journal_mode").fetchone()[0]
                if mode != "wal":
                    raise Violation(f"the migrated database is not in WAL mode ({mode})")
                with db:
                    for sql, params in rows:
                        db.execute(sql, params)
            finally:
                db.close()
        # The load is 16 clients on one admin key: lift the per-key rate limit so that the test
        # measures the ledger, not 429s.
        with open(self.config, "w") as f:
            json.dump({"rate_limit": {"requests_per_second": 1000000, "burst": 10000000}}, f)

    def seed_stock(self):
        client = Client(self.port, self.key)
        for sku in STOCKED:
            for code, _ in LOCATIONS[:2]:
                req = self.movement(0, {"sku": sku, "location": code, "kind": "receive", "qty": 400})
                client.send(req)
                if not req.acked:
                    raise Violation(f"seeding stock failed: {req.describe()} -> {req.resp!r}")
                self.requests.append(req)
        client.close()

    # ── requests ──────────────────────────────────────────────────────────────────────
    def next_ref(self, cycle, op):
        with self.lock:
            self.serial += 1
            return f"crash-{self.run_id}-{cycle}-{self.serial}-{op}"

    def movement(self, cycle, payload):
        ref = self.next_ref(cycle, "mv")
        payload = dict(payload, reference=ref)
        return Request("move", cycle, "POST", "/v1/inventory/movements", payload, str(uuid.uuid4()), ref, payload)

    def random_movement(self, cycle, rng):
        sku = rng.choice(STOCKED)
        loc = rng.choice(LOCATIONS)[0]
        r = rng.random()
        if r < 0.40:
            p = {"sku": sku, "location": loc, "kind": "receive", "qty": rng.randint(5, 40)}
        elif r < 0.85:
            p = {"sku": sku, "location": loc, "kind": "adjust", "qty": rng.choice([-1, 1]) * rng.randint(1, 8)}
        else:
            dest = rng.choice([c for c, _ in LOCATIONS if c != loc])
            p = {"sku": sku, "location": loc, "kind": "transfer", "qty": rng.randint(1, 5), "to_location": dest}
        return self.movement(cycle, p)

    def random_hold(self, cycle, rng):
        ref = self.next_ref(cycle, "hold")
        lines = []
        for sku in rng.sample(STOCKED + [KIT], rng.choice([1, 1, 2])):
            lines.append({"sku": sku, "qty": rng.randint(1, 3)})
        ttl = rng.randint(1, 3) if rng.random() < 0.2 else 3600
        payload = {"channel": rng.choice(CHANNELS)[0], "lines": lines, "ttl_seconds": ttl, "reference": ref}
        idem = str(uuid.uuid4()) if rng.random() < 0.7 else None
        return Request("hold", cycle, "POST", "/v1/inventory/reservations", payload, idem, ref, payload)

    def release(self, cycle, hold_id):
        return Request("release", cycle, "DELETE", f"/v1/inventory/reservations/{hold_id}", None, None, None, {"hold_id": hold_id})

    def random_order(self, cycle, rng, hold=None):
        """A random order; with `hold` (hold id, its acknowledged request, whether it races a
        release), an order placed from that hold: its channel, its lines (SKU and qty, kits
        too) and reservation_id, so the hold becomes `converted`."""
        ref = self.next_ref(cycle, "conv" if hold else "ord")
        lines = []
        picked = [(l["sku"], l["qty"]) for l in hold[1].meta["lines"]] if hold else \
            [(sku, rng.randint(1, 3)) for sku in rng.sample(STOCKED + [KIT], rng.choice([1, 1, 2]))]
        for sku, qty in picked:
            line = {"sku": sku, "qty": qty, "unit_price_paise": rng.choice(PRICES)}
            if rng.random() < 0.3:
                line["discount_paise"] = rng.randint(1, qty * line["unit_price_paise"] // 10)
            lines.append(line)
        unfillable = rng.random() < (0.05 if hold else 0.04)
        if unfillable:
            # More than all the stock, after lines that fit: 409 insufficient_stock, and the
            # lines before it must not stay reserved.
            sku = rng.choice([s for s in STOCKED if s not in {l["sku"] for l in lines}])
            lines.append({"sku": sku, "qty": 100000, "unit_price_paise": 9000})
        pincode, city, state, line1, landmark = rng.choice(ADDRESSES)
        name = rng.choice(NAMES)
        # A small pool of phones: repeat customers, and their cancellations feed the RTO score.
        phone = f"98250{rng.randrange(300):05d}"
        address = {"name": name, "line1": line1, "city": city, "pincode": pincode, "phone": phone}
        if rng.random() < 0.15:
            address["line1"] = "Ring Road"    # no house number, no landmark: a riskier COD
        else:
            address["landmark"] = landmark
            if rng.random() < 0.5:
                address["state"] = state
        extra = {}
        if unfillable or rng.random() < 0.65:
            payment = {"method": "prepaid", "status": "paid", "gateway": "razorpay", "gateway_order_id": f"order_{ref}"}
        else:
            payment = {"method": "cod"}
            if rng.random() < 0.1 and not hold:
                # New phone, vague address, above ₹5,000, placed at 2:30 a.m.: scores 65, so it
                # waits on_hold (and still holds its stock).
                phone = f"98251{rng.randrange(100000):05d}"
                address = {"name": name, "line1": "Ring Road", "city": city, "pincode": pincode}
                lines = [{"sku": sku, "qty": 3, "unit_price_paise": 119900} for sku in rng.sample(STOCKED, 2)]
                extra["placed_at"] = "2026-11-22T02:30:00+05:30"
        channel = hold[1].meta["channel"] if hold else rng.choice(CHANNELS)[0]
        if hold:
            extra["reservation_id"] = hold[0]
        payload = {"channel": channel, "channel_order_ref": ref,
                   "customer": {"name": name, "phone": rng.choice([phone, f"+91 {phone[:5]} {phone[5:]}"])},
                   "shipping_address": address, "lines": lines, "payment": payment, **extra}
        if rng.random() < 0.3:
            payload["shipping_paise"] = 4900
        idem = str(uuid.uuid4()) if rng.random() < 0.5 else None
        return Request("convert" if hold else "order", cycle, "POST", "/v1/orders", payload, idem, ref,
                       dict(payload, unfillable=unfillable, raced=bool(hold and hold[2])))

    def cancel(self, cycle, order_id, rng):
        idem = str(uuid.uuid4()) if rng.random() < 0.5 else None
        return Request("cancel", cycle, "POST", f"/v1/orders/{order_id}/cancel", {"reason": "customer"}, idem, None, {"order_id": order_id})

    def worker(self, cycle, seed, stop, out):
        rng = random.Random(seed)
        client = Client(self.port, self.key)
        while not stop.is_set():
            r = rng.random()
            req = None
            if r >= 0.95:
                with self.lock:
                    if self.cancellable:
                        req = self.cancel(cycle, self.cancellable.pop(rng.randrange(len(self.cancellable))), rng)
            elif r >= 0.85:
                with self.lock:
                    while self.releasable and req is None:
                        rid = self.releasable.pop(rng.randrange(len(self.releasable)))
                        if rid in self.convert_sent and rid not in self.convert_refused:
                            continue  # an order was (maybe) placed from it: the driver never releases it
                        self.release_sent.add(rid)
                        if rid in self.hold_reqs and rid not in self.convert_sent:
                            self.raced.append(rid)
                            del self.raced[:-20]
                        req = self.release(cycle, rid)
            elif r >= 0.80:
                with self.lock:
                    hold = None
                    if self.raced and rng.random() < 0.15:
                        # Right behind its release (maybe still in flight): 201 if the
                        # conversion commits first (the release then gets 409
                        # invalid_transition), else 409 reservation_not_active.
                        rid = self.raced.pop(rng.randrange(len(self.raced)))
                        hold = (rid, self.hold_reqs[rid], True)
                    while self.convertible and hold is None:
                        rid = self.convertible.pop(rng.randrange(len(self.convertible)))
                        if rid not in self.release_sent:
                            hold = (rid, self.hold_reqs[rid], False)
                    if hold is not None:
                        self.convert_sent.add(hold[0])
                if hold is not None:
                    req = self.random_order(cycle, rng, hold)
            if req is None:
                if r < 0.42:
                    req = self.random_movement(cycle, rng)
                elif r < 0.68:
                    req = self.random_hold(cycle, rng)
                else:
                    req = self.random_order(cycle, rng)
            out.append(req)
            client.send(req)
            self.note_acked(req)
        client.close()

    def note_acked(self, req):
        """An acknowledged hold may be released later (and, with the long ttl, converted into an
        order), an acknowledged order cancelled; a hold whose conversion was refused
        insufficient_stock is still active and may be released."""
        if req.acked and req.op in ("hold", "order", "convert"):
            body = req.json()
            if body and body.get("id"):
                with self.lock:
                    if req.op == "hold":
                        self.releasable.append(body["id"])
                        # Short-ttl holds may expire any moment: conversions take only the long ones.
                        if req.meta["ttl_seconds"] >= 3600 and body.get("status") == "active":
                            self.hold_reqs[body["id"]] = req
                            self.convertible.append(body["id"])
                    else:
                        self.cancellable.append(body["id"])
        elif req.op == "convert" and req.refused and (req.json() or {}).get("code") == "insufficient_stock" and not req.meta["raced"]:
            with self.lock:
                rid = req.meta["reservation_id"]
                if rid not in self.release_sent:
                    self.convert_refused.add(rid)
                    self.releasable.append(rid)

    # ── one cycle ─────────────────────────────────────────────────────────────────────
    def cycle(self, n):
        stop = threading.Event()
        outs = [[] for _ in range(self.args.threads)]
        threads = [threading.Thread(target=self.worker, args=(n, self.rng.random(), stop, outs[i]), daemon=True)
                   for i in range(self.args.threads)]
        for t in threads:
            t.start()
        delay = self.rng.uniform(self.args.min_kill, self.args.max_kill)
        time.sleep(delay)
        stop.set()                  # no new requests after this one; those in flight stay in flight
        self.kill_server()          # mid-load: every client is waiting on a response right now
        for t in threads:
            t.join(timeout=30)
            if t.is_alive():
                raise Violation("a client thread did not finish 30 s after the server was killed")
        reqs = [r for out in outs for r in out]
        self.requests.extend(reqs)
        # What the clients saw before the crash (the retries below resolve the unanswered).
        stats = {
            "sent": len(reqs), "acked": sum(r.acked for r in reqs),
            "acked_mv": sum(r.acked for r in reqs if r.op == "move"),
            "acked_hold": sum(r.acked for r in reqs if r.op == "hold"),
            "acked_rel": sum(r.acked for r in reqs if r.op == "release"),
            "acked_ord": sum(r.acked for r in reqs if r.op == "order"),
            "acked_cod": sum(r.acked and r.meta["payment"]["method"] == "cod" for r in reqs if r.op == "order"),
            "acked_cancel": sum(r.acked for r in reqs if r.op == "cancel"),
            "acked_held": sum(r.acked and (r.json() or {}).get("status") == "on_hold" for r in reqs if r.op == "order"),
            "refused_ord": sum(r.refused for r in reqs if r.op == "order"),
            "acked_conv": sum(r.acked for r in reqs if r.op == "convert"),
            "conv_not_active": sum(r.refused and (r.json() or {}).get("code") == "reservation_not_active" for r in reqs if r.op == "convert"),
            "conv_no_stock": sum(r.refused and (r.json() or {}).get("code") == "insufficient_stock" for r in reqs if r.op == "convert"),
            "unanswered_conv": sum(r.unanswered for r in reqs if r.op == "convert"),
            "raced_conv": sum(r.meta["raced"] for r in reqs if r.op == "convert"),
            "rel_lost_race": sum(r.refused for r in reqs if r.op == "release"),
            "refused": sum(r.refused for r in reqs), "unanswered": sum(r.unanswered for r in reqs),
            "kill_after": delay,
        }
        stats["restart"] = self.start_server()

        client = Client(self.port, self.key)
        resolved = self.retry_unanswered(client, reqs)
        stats["replays"] = self.replay_acked(client, n)
        stats["ref_retries"] = self.resend_orders(client, n)
        stats["movements"], stats["holds"], stats["orders"], stats["cancelled"], stats["converted"] = self.verify(client, n)
        client.close()
        stats["committed_unanswered"] = resolved["present"]
        stats["retried"] = resolved["retried"]
        return stats

    # ── after the restart: retries with the same Idempotency-Key ──────────────────────────
    def retry_unanswered(self, client, reqs):
        """Every unanswered keyed request is retried as a client would. It must replay exactly
        when its effect is in the database (the key record commits with the effect), and
        otherwise run now, once. An unanswered conversion is first checked for atomicity: its
        hold is converted exactly when its order (referencing the hold) is in the database."""
        present = retried = 0
        db = self.ro()
        try:
            for req in reqs:
                if not req.unanswered:
                    continue
                if req.op == "move":
                    was_there = db.execute("SELECT COUNT(*) FROM stock_movements WHERE reference = ?", (req.reference,)).fetchone()[0] > 0
                elif req.op == "hold":
                    was_there = db.execute("SELECT COUNT(*) FROM reservations WHERE reference = ?", (req.reference,)).fetchone()[0] > 0
                elif req.op in ("order", "convert"):
                    stored = db.execute("SELECT id FROM orders WHERE channel = ? AND channel_order_ref = ?",
                                        (req.meta["channel"], req.reference)).fetchall()
                    was_there = len(stored) > 0
                    if req.op == "convert":
                        # Straight after the crash, before any retry: the hold was converted
                        # exactly when the order from it committed (one transaction).
                        rid = req.meta["reservation_id"]
                        hold = db.execute("SELECT status FROM reservations WHERE id = ?", (rid,)).fetchone()
                        taker = db.execute("SELECT id, reservation_id FROM orders WHERE reservation_id = ?", (rid,)).fetchall()
                        if (hold is not None and hold[0] == "converted") != was_there or (was_there and taker != [(stored[0][0], rid)]):
                            raise Violation(f"unanswered conversion {req.reference} of {rid} is half-committed after the crash: hold "
                                            f"{hold[0] if hold else 'missing'}, its order {stored}, orders referencing the hold {taker}")
                elif req.op == "cancel":
                    row = db.execute("SELECT status FROM orders WHERE id = ?", (req.meta["order_id"],)).fetchone()
                    was_there = row is not None and row[0] == "cancelled"
                else:
                    row = db.execute("SELECT status FROM reservations WHERE id = ?", (req.meta["hold_id"],)).fetchone()
                    was_there = row is not None and row[0] == "released"
                present += was_there
                if req.idem is None and req.op in ("order", "convert"):
                    # A connector retries by channel_order_ref: the stored order (200) exactly
                    # when it committed before the crash, else it is taken now (or refused).
                    first_error = req.error
                    client.send(req)
                    retried += 1
                    if req.status is None:
                        raise Violation(f"retry after restart got no response: {req.describe()}")
                    body = req.json() or {}
                    req.retried = "deduplicated" if req.status == 200 else "fresh"
                    if was_there and (req.status != 200 or body.get("id") != stored[0][0]):
                        raise Violation(f"unanswered order {req.reference} committed as {stored[0][0]} before the crash, but its retry "
                                        f"got {req.status} {req.resp!r}; first attempt: {first_error}")
                    if not was_there and req.status == 200:
                        raise Violation(f"retry of unanswered order {req.reference} returned 200 (an existing order) but none was "
                                        f"stored before the retry: {req.resp!r}")
                    self.note_acked(req)
                    continue
                if req.idem is None:
                    continue  # a hold or cancel without a key, or a release: it stays "maybe"
                first_error = req.error
                client.send(req)
                retried += 1
                if req.status is None:
                    raise Violation(f"retry after restart got no response: {req.describe()}")
                replay = req.headers.get("idempotent-replayed") == "true"
                req.retried = "replayed" if replay else "fresh"
                if was_there and not replay:
                    raise Violation(f"request committed before the crash but its Idempotency-Key retry was not a replay "
                                    f"(status {req.status}, body {req.resp!r}): {req.describe()}; first attempt: {first_error}")
                if not was_there and replay:
                    raise Violation(f"Idempotency-Key retry replayed a response whose effect is not in the database "
                                    f"(status {req.status}, body {req.resp!r}): {req.describe()}")
                self.note_acked(req)
        finally:
            db.close()
        return {"present": present, "retried": retried}

    def replay_acked(self, client, cycle):
        """A sample of acknowledged keyed requests (this cycle's and older) sent again with the
        same key and body: each must replay the first response byte for byte."""
        keyed = [r for r in self.requests if r.acked and r.idem is not None and r.resp is not None]
        this = [r for r in keyed if r.cycle == cycle]
        sample = self.rng.sample(this, min(len(this), self.args.replays))
        older = [r for r in keyed if r.cycle != cycle]
        sample += self.rng.sample(older, min(len(older), 2))
        for req in sample:
            again = client.call(req.method, req.path, idem=req.idem, body=req.body)
            if again.status != req.status or again.headers.get("idempotent-replayed") != "true" or again.resp != req.resp:
                raise Violation(f"replay after restart differs: first {req.status} {req.resp!r}; replay {again.status} "
                                f"replayed={again.headers.get('idempotent-replayed')} {again.resp!r}; request {req.describe()}")
        return len(sample)

    def resend_orders(self, client, cycle):
        """A sample of acknowledged orders and conversions (this cycle's and older, some since cancelled) sent
        again without an Idempotency-Key, as a connector retries: each must return 200 with the
        id and total it was first answered, not take a second order."""
        acked = [r for r in self.requests if r.op in ("order", "convert") and r.acked and r.json()]
        this = [r for r in acked if r.cycle == cycle]
        sample = self.rng.sample(this, min(len(this), self.args.replays))
        older = [r for r in acked if r.cycle != cycle]
        sample += self.rng.sample(older, min(len(older), 2))
        for req in sample:
            first = req.json()
            again = client.call(req.method, req.path, body=req.body)
            body = again.json() or {}
            if (again.status != 200 or body.get("id") != first.get("id")
                    or (body.get("totals") or {}).get("total_paise") != (first.get("totals") or {}).get("total_paise")):
                raise Violation(f"order {req.reference} sent again after restart: {again.status} {again.resp!r}; "
                                f"first answered {req.status} id {first.get('id')} total {(first.get('totals') or {}).get('total_paise')}")
        return len(sample)

    # ── verification ──────────────────────────────────────────────────────────────────
    def ro(self):
        return PgDb(self.args.psql) if self.pg else SqliteDb(self.db)

    def verify(self, client, cycle):
        problems = []
        db = self.ro()
        try:
            now = int(time.time() * 1000)
            # One snapshot for every query below (the server is up: expiries may run meanwhile).
            (movements, reservation_rows, allocation_rows, order_rows, order_line_rows, shipment_rows,
             parcel_line_rows) = db.snapshot([(sql, ()) for sql in (
                "SELECT id, sku, location, kind, on_hand_delta, reserved_delta, damaged_delta, reference, reason FROM stock_movements",
                "SELECT id, channel, reference, status, expires_at, created_at FROM reservations",
                "SELECT reservation_id, line, sku, stock_sku, location, qty FROM reservation_allocations",
                "SELECT id, channel, channel_order_ref, status, total_paise, cancel_reason, reservation_id FROM orders",
                "SELECT order_id, line, sku, qty, unit_price_paise, discount_paise FROM order_lines ORDER BY order_id, line",
                "SELECT id, order_id, location, status FROM shipments",
                "SELECT shipment_id, line, sku, stock_sku, qty FROM shipment_lines")])
            reservations = {row[0]: row for row in reservation_rows}
            allocations = {}
            for rid, line, sku, stock_sku, loc, qty in allocation_rows:
                allocations.setdefault(rid, []).append((line, sku, stock_sku, loc, qty))
            orders = {row[0]: row for row in order_rows}
            order_lines = {}
            for oid, line, sku, qty, price, discount in order_line_rows:
                order_lines.setdefault(oid, []).append((line, sku, qty, price, discount))
            shipments = {}
            for sid, oid, loc, status in shipment_rows:
                shipments.setdefault(oid, []).append((sid, loc, status))
            parcel_lines = {}
            for sid, line, sku, stock_sku, qty in parcel_line_rows:
                parcel_lines.setdefault(sid, []).append((line, sku, stock_sku, qty))
        finally:
            db.close()

        by_ref = {}
        for row in movements:
            by_ref.setdefault(row[7], []).append(row)
        holds_by_ref = {}
        for row in reservations.values():
            holds_by_ref.setdefault(row[2], []).append(row)

        orders_by_ref = {}
        takers = {}  # hold id -> orders whose reservation_id is it
        for row in orders.values():
            orders_by_ref.setdefault((row[1], row[2]), []).append(row)
            if row[6] is not None:
                takers.setdefault(row[6], []).append(row)

        move_refs = set()
        hold_refs = set()
        order_refs = set()
        releases = {}  # hold id -> [release requests]
        converts = {}  # hold id -> [conversion requests] (at most one)
        cancels = {}   # order id -> [cancel requests]
        order_reqs = []
        for req in self.requests:
            if req.op == "move":
                move_refs.add(req.reference)
                self.check_movement(req, by_ref.get(req.reference, []), problems)
            elif req.op == "hold":
                hold_refs.add(req.reference)
                self.check_hold(req, holds_by_ref.get(req.reference, []), allocations, problems)
            elif req.op == "release":
                releases.setdefault(req.meta["hold_id"], []).append(req)
            elif req.op in ("order", "convert"):
                order_refs.add((req.meta["channel"], req.reference))
                order_reqs.append(req)
                if req.op == "convert":
                    converts.setdefault(req.meta["reservation_id"], []).append(req)
            elif req.op == "cancel":
                cancels.setdefault(req.meta["order_id"], []).append(req)

        # Each hold in the database: its ledger rows match its allocations and its status is explained.
        for rid, (_, channel, reference, status, expires_at, _) in reservations.items():
            if reference not in hold_refs:
                problems.append(f"reservation {rid} (reference {reference!r}) belongs to no request that was sent")
            held = {}
            for _, _, stock_sku, loc, qty in allocations.get(rid, []):
                held[(stock_sku, loc)] = held.get((stock_sku, loc), 0) + qty
            reserve, release = {}, {}
            for row in by_ref.get(rid, []):
                _, sku, loc, kind, on_hand, reserved, damaged, _, reason = row
                if kind == "reserve" and on_hand == 0 and damaged == 0 and reserved > 0:
                    reserve[(sku, loc)] = reserve.get((sku, loc), 0) + reserved
                elif kind == "release" and on_hand == 0 and damaged == 0 and reserved < 0 and reason == status:
                    # Released, expired or converted: the units go back with that reason.
                    release[(sku, loc)] = release.get((sku, loc), 0) - reserved
                else:
                    problems.append(f"hold {rid} ({status}) has an unexpected ledger row {row}")
            if reserve != held:
                problems.append(f"hold {rid}: reserve movements {reserve} but allocations {held}")
            closed = status in ("released", "expired", "converted")
            if release != (held if closed else {}):
                problems.append(f"hold {rid} is {status}: release movements {release}, allocations {held}")
            sent_releases = releases.get(rid, [])
            acked_releases = [r for r in sent_releases if r.acked and r.json()]
            if status == "released" and not sent_releases:
                problems.append(f"hold {rid} is released but no release was ever sent for it")
            if status == "expired" and expires_at > now:
                problems.append(f"hold {rid} is expired but expires only at {expires_at} (now {now})")
            # Converted exactly when one order references it, and that order is a conversion of it.
            taken = takers.get(rid, [])
            sent_converts = converts.get(rid, [])
            if status == "converted":
                if len(taken) != 1:
                    problems.append(f"hold {rid} is converted but {len(taken)} orders reference it: {[t[0] for t in taken]}")
                if not sent_converts:
                    problems.append(f"hold {rid} is converted but no order was ever placed from it")
            elif taken:
                problems.append(f"hold {rid} is {status} but orders {[t[0] for t in taken]} reference it")
            for t in taken:
                if not any((r.meta["channel"], r.reference) == (t[1], t[2]) for r in sent_converts):
                    problems.append(f"order {t[0]} ({t[1]} {t[2]!r}) references hold {rid} but was not sent as a conversion of it")
            for r in acked_releases:
                answered = r.json().get("status")
                if answered in ("released", "expired") and answered != status:
                    problems.append(f"release of {rid} was answered {r.status} status {answered!r} but the hold is {status!r}")
            for r in sent_releases:
                # Only a conversion racing the release may win, and then the release changes nothing.
                if r.refused and (r.status != 409 or (r.json() or {}).get("code") != "invalid_transition" or status != "converted"):
                    problems.append(f"release of {rid} was refused {r.status} {r.resp!r}; the hold is {status!r} "
                                    f"(only 409 invalid_transition for a converted hold is expected)")
        for rid, reqs in releases.items():
            if rid not in reservations and any(r.acked for r in reqs):
                problems.append(f"release of {rid} was acknowledged but there is no such hold")

        # Conversions: acknowledged → its hold converted and referenced; refused → hold as it was.
        for rid, reqs in converts.items():
            self.check_conversion(rid, reqs, reservations.get(rid), orders_by_ref, releases.get(rid, []), now, problems)
        sample = [r for r in order_reqs if r.op == "convert" and r.cycle == cycle and r.acked]
        for req in self.rng.sample(sample, min(len(sample), 4)):
            got = client.call("GET", f"/v1/inventory/reservations/{req.meta['reservation_id']}")
            if got.status != 200 or (got.json() or {}).get("status") != "converted":
                problems.append(f"acknowledged conversion {req.reference}: GET its hold answered {got.status} {got.resp!r}")

        # Orders: each request answered as it should be, each stored order explained.
        for req in order_reqs:
            self.check_order(req, orders_by_ref.get((req.meta["channel"], req.reference), []), order_lines, cancels, problems)
        for oid, row in orders.items():
            self.check_stored_order(row, order_lines.get(oid, []), shipments.get(oid, []), parcel_lines, by_ref.get(oid, []),
                                    cancels.get(oid, []), (row[1], row[2]) in order_refs, problems)
        for oid, reqs in cancels.items():
            if oid not in orders and any(r.acked for r in reqs):
                problems.append(f"cancellation of {oid} was acknowledged but there is no such order")

        # Nothing that was never sent.
        for ref, rows in by_ref.items():
            if ref is None:
                problems.append(f"{len(rows)} stock movements have no reference: {rows[:3]}")
            elif ref not in move_refs and ref not in reservations and ref not in orders:
                problems.append(f"stock movements with reference {ref!r} belong to no request that was sent: {rows[:3]}")

        # The server's own audit and the CLI's invariants.
        audit = client.call("GET", "/v1/inventory/audit")
        body = audit.json() or {}
        if audit.status != 200 or body.get("clean") is not True or body.get("drift"):
            problems.append(f"GET /v1/inventory/audit: {audit.status} {audit.resp!r}")
        check = subprocess.run([self.bin, "check", "--db", self.db, "--config", self.config],
                               capture_output=True, text=True, timeout=120)
        if check.returncode != 0:
            problems.append(f"bahi check exited {check.returncode}:\n{check.stdout}{check.stderr}")

        if problems:
            shown = "\n  ".join(problems[:25])
            more = f"\n  … and {len(problems) - 25} more" if len(problems) > 25 else ""
            raise Violation(f"{len(problems)} violation(s):\n  {shown}{more}")
        return (len(movements), len(reservations), len(orders), sum(row[3] == "cancelled" for row in orders.values()),
                sum(row[3] == "converted" for row in reservations.values()))

    @staticmethod
    def expected_rows(req):
        p = req.meta
        kind = p["kind"]
        if kind == "receive":
            return [(p["sku"], p["location"], "receive", p["qty"], 0, 0)]
        if kind == "adjust":
            return [(p["sku"], p["location"], "adjust", p["qty"], 0, 0)]
        if kind == "transfer":
            return [(p["sku"], p["location"], "transfer_out", -p["qty"], 0, 0),
                    (p["sku"], p["to_location"], "transfer_in", p["qty"], 0, 0)]
        raise ValueError(kind)

    def check_movement(self, req, rows, problems):
        got = sorted(tuple(r[1:7]) for r in rows)
        want = sorted(self.expected_rows(req))
        if req.acked:
            if got != want:
                problems.append(f"acknowledged movement {req.reference}: ledger rows {got}, expected exactly {want}; {req.describe()}")
        elif req.refused:
            if got:
                problems.append(f"movement {req.reference} was refused ({req.status} {req.resp!r}) but left ledger rows {got}")
        elif got and got != want:
            problems.append(f"unanswered movement {req.reference}: ledger rows {got}, expected none or exactly {want}")

    def check_hold(self, req, rows, allocations, problems):
        if req.refused:
            if rows:
                problems.append(f"hold {req.reference} was refused ({req.status} {req.resp!r}) but exists: {rows}")
            return
        if len(rows) > 1:
            problems.append(f"hold {req.reference} exists {len(rows)} times: {[r[0] for r in rows]}")
            return
        if not rows:
            if req.acked:
                problems.append(f"acknowledged hold {req.reference} ({req.resp!r}) is missing; {req.describe()}")
            return
        rid, channel = rows[0][0], rows[0][1]
        if channel != req.meta["channel"]:
            problems.append(f"hold {rid} has channel {channel}, asked {req.meta['channel']}")
        if req.acked:
            body = req.json()
            if body is None:
                return  # the head arrived, the body did not: the reference check above is all we can do
            if body.get("id") != rid:
                problems.append(f"hold {req.reference} was answered id {body.get('id')} but the database has {rid}")
            answered = sorted((a["line"], a["sku"], a["stock_sku"], a["location"], a["qty"]) for a in body.get("allocations", []))
            # The answer lists one entry per allocation step; the table merges equal keys.
            merged = {}
            for line, sku, stock_sku, loc, qty in answered:
                merged[(line, sku, stock_sku, loc)] = merged.get((line, sku, stock_sku, loc), 0) + qty
            stored = {(line, sku, stock_sku, loc): qty for line, sku, stock_sku, loc, qty in allocations.get(rid, [])}
            if merged != stored:
                problems.append(f"hold {rid}: answered allocations {merged}, stored {stored}")


    @staticmethod
    def requested_lines(req):
        return [(i, l["sku"], l["qty"], l["unit_price_paise"], l.get("discount_paise", 0)) for i, l in enumerate(req.meta["lines"])]

    def check_order(self, req, rows, order_lines, cancels, problems):
        ref = req.reference
        if req.refused:
            body = req.json() or {}
            allowed = ("insufficient_stock", "reservation_not_active") if req.op == "convert" else ("insufficient_stock",)
            if req.status != 409 or body.get("code") not in allowed:
                problems.append(f"{req.op} {ref} was refused {req.status} {req.resp!r}; only 409 {' or '.join(allowed)} is expected")
            if rows:
                problems.append(f"order {ref} was refused ({req.status}) but exists: {[r[0] for r in rows]}")
            return
        if req.meta["unfillable"] and (req.acked or rows):
            problems.append(f"order {ref} asks {req.meta['lines'][-1]['qty']} units, more than all the stock, but was "
                            f"{'acknowledged' if req.acked else 'stored'}: {req.resp!r} {[r[0] for r in rows]}")
        if len(rows) > 1:
            problems.append(f"order {ref} exists {len(rows)} times: {[r[0] for r in rows]}")
            return
        if not rows:
            if req.acked:
                problems.append(f"acknowledged order {ref} ({req.status}, {(req.json() or {}).get('id')}) is missing; {req.describe()}")
            return
        oid, _, _, status, total, _, _ = rows[0]
        stored = order_lines.get(oid, [])
        if stored != self.requested_lines(req):
            problems.append(f"order {oid} ({ref}): lines {stored}, requested {self.requested_lines(req)}")
        if req.acked:
            body = req.json()
            if body is None:
                return  # the head arrived, the body did not: the reference check above is all we can do
            if body.get("id") != oid:
                problems.append(f"order {ref} was answered id {body.get('id')} but the database has {oid}")
            answered_total = (body.get("totals") or {}).get("total_paise")
            if answered_total != total:
                problems.append(f"order {oid} was answered total_paise {answered_total} but the database has {total}")
            answered = body.get("status")
            if answered != status and not (status == "cancelled" and cancels.get(oid)):
                problems.append(f"order {oid} was answered status {answered!r} but is {status!r} (no cancel explains it)")

    def check_conversion(self, rid, reqs, hold, orders_by_ref, release_reqs, now, problems):
        """An order placed from hold `rid` (the driver sends at most one per hold)."""
        if len(reqs) != 1:
            problems.append(f"hold {rid} was sent {len(reqs)} conversions; the driver sends at most one")
        req = reqs[0]
        rows = orders_by_ref.get((req.meta["channel"], req.reference), [])
        status = hold[3] if hold else None
        if hold is None:
            problems.append(f"conversion {req.reference} names hold {rid}, which is not in the database")
            return
        for row in rows:
            if row[6] != rid:
                problems.append(f"order {row[0]} from conversion {req.reference} has reservation_id {row[6]!r}, sent {rid}")
        if req.acked:
            if status != "converted":
                problems.append(f"acknowledged conversion {req.reference} ({(req.json() or {}).get('id')}) but hold {rid} is {status!r}")
            body = req.json()
            if body is not None and body.get("reservation_id") != rid:
                problems.append(f"conversion {req.reference} was answered reservation_id {body.get('reservation_id')!r}, sent {rid}")
        elif req.refused:
            code = (req.json() or {}).get("code")
            if status == "converted":
                problems.append(f"conversion {req.reference} was refused {req.status} {code} but hold {rid} is converted")
            elif code == "reservation_not_active" and status not in ("released", "expired"):
                problems.append(f"conversion {req.reference} was refused reservation_not_active but hold {rid} is {status!r}")
            elif code == "reservation_not_active" and status == "released" and not release_reqs:
                problems.append(f"conversion {req.reference} was refused reservation_not_active but hold {rid} was never sent a release")
            elif code == "insufficient_stock" and not release_reqs and status != "active":
                problems.append(f"conversion {req.reference} was refused insufficient_stock, no release was sent, yet hold {rid} is {status!r}")
        else:
            # Unanswered: committed or not, but as one (hold converted ⇔ its order exists).
            if (status == "converted") != bool(rows):
                problems.append(f"unanswered conversion {req.reference}: hold {rid} is {status!r} but its order "
                                f"{'exists' if rows else 'does not exist'} (not atomic)")

    def check_stored_order(self, row, lines, parcels, parcel_lines, ledger, cancel_reqs, was_sent, problems):
        oid, channel, ref, status, _, cancel_reason, _ = row
        if not was_sent:
            problems.append(f"order {oid} ({channel} {ref!r}) belongs to no request that was sent")
        # Parcels carry exactly the lines (a kit as its components).
        carried = {}
        held, freed = {}, {}
        for sid, loc, pstatus in parcels:
            for line, sku, stock_sku, qty in parcel_lines.get(sid, []):
                carried[(line, stock_sku)] = carried.get((line, stock_sku), 0) + qty
                held[(stock_sku, loc)] = held.get((stock_sku, loc), 0) + qty
                if pstatus == "cancelled":
                    freed[(stock_sku, loc)] = freed.get((stock_sku, loc), 0) + qty
        want = {}
        for line, sku, qty, _, _ in lines:
            for part, n in (KIT_PARTS.items() if sku == KIT else [(sku, 1)]):
                want[(line, part)] = want.get((line, part), 0) + qty * n
        if not lines:
            problems.append(f"order {oid} has no lines")
        if carried != want:
            problems.append(f"order {oid}: parcels carry {carried}, lines need {want}")
        # Its ledger rows: reserved what the parcels carry, released exactly what cancelled parcels carried.
        reserve, release = {}, {}
        for mrow in ledger:
            _, sku, loc, kind, on_hand, reserved, damaged, _, _ = mrow
            if kind == "reserve" and on_hand == 0 and damaged == 0 and reserved > 0:
                reserve[(sku, loc)] = reserve.get((sku, loc), 0) + reserved
            elif kind == "release" and on_hand == 0 and damaged == 0 and reserved < 0:
                release[(sku, loc)] = release.get((sku, loc), 0) - reserved
            else:
                problems.append(f"order {oid} has an unexpected ledger row {mrow}")
        if reserve != held:
            problems.append(f"order {oid}: reserve movements {reserve} but parcels hold {held}")
        if release != freed:
            problems.append(f"order {oid} is {status}: release movements {release}, cancelled parcels held {freed}")
        statuses = sorted({p[2] for p in parcels})
        if status == "cancelled":
            if statuses != ["cancelled"]:
                problems.append(f"order {oid} is cancelled but its parcels are {statuses}")
            if cancel_reason != "customer":
                problems.append(f"order {oid} is cancelled with reason {cancel_reason!r}, only 'customer' was sent")
            if not cancel_reqs:
                problems.append(f"order {oid} is cancelled but no cancellation was ever sent for it")
            if any(r.refused for r in cancel_reqs):
                problems.append(f"order {oid} is cancelled but its cancellation was refused: "
                                f"{[(r.status, r.resp) for r in cancel_reqs if r.refused]}")
        else:
            if status not in ("confirmed", "on_hold"):
                problems.append(f"order {oid} is {status}; intake here makes only confirmed or on_hold orders")
            if statuses != ["pending"]:
                problems.append(f"order {oid} is {status} but its parcels are {statuses} (expected all pending)")
            acked = [r for r in cancel_reqs if r.acked]
            if acked:
                problems.append(f"order {oid} is {status} but its cancellation was acknowledged: {acked[0].status} {acked[0].resp!r}")
        for r in cancel_reqs:
            if r.refused:
                problems.append(f"cancellation of live order {oid} was refused: {r.status} {r.resp!r}")
            elif r.acked and r.json() and r.json().get("status") != "cancelled":
                problems.append(f"cancellation of {oid} was answered status {r.json().get('status')!r}")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tail(path, n=30):
    try:
        with open(path, "rb") as f:
            return b"".join(f.readlines()[-n:]).decode(errors="replace")
    except OSError:
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the bahi binary")
    ap.add_argument("--dir", required=True, help="work folder holding the migrated bahi.db (and the logs)")
    ap.add_argument("--db", default=None, help="a migrated postgres:// database instead of DIR/bahi.db")
    ap.add_argument("--psql", default=None, help="with --db postgres://…: the same database as a libpq conninfo, for psql")
    ap.add_argument("--cycles", type=int, default=20)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--replays", type=int, default=6, help="acknowledged requests replayed per cycle")
    ap.add_argument("--min-kill", type=float, default=0.3)
    ap.add_argument("--max-kill", type=float, default=1.5)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    if args.seed is None:
        args.seed = random.randrange(1 << 30)

    run = Run(args)
    started = time.monotonic()
    totals = {"sent": 0, "acked": 0, "unanswered": 0, "committed_unanswered": 0, "replays": 0, "retried": 0, "refused": 0,
              "acked_ord": 0, "acked_cod": 0, "acked_held": 0, "acked_cancel": 0, "refused_ord": 0, "ref_retries": 0,
              "acked_conv": 0, "conv_not_active": 0, "conv_no_stock": 0, "unanswered_conv": 0, "raced_conv": 0, "rel_lost_race": 0}
    try:
        run.seed_catalog()
        run.start_server()
        # bahi serve saves the first admin key beside an SQLite file; on PostgreSQL it has no
        # folder of its own, so crash-test.sh creates the key (bahi keys create) and saves it there.
        with open(os.path.join(args.dir, "admin-key")) as f:
            run.key = f.read().strip()
        run.seed_stock()
        log(f"crash-test: {args.cycles} cycles on {'PostgreSQL' if run.pg else 'SQLite'}, {args.threads} clients, port {run.port}, seed {args.seed}, work {args.dir}")
        for n in range(1, args.cycles + 1):
            try:
                s = run.cycle(n)
            except Violation as v:
                raise Violation(f"cycle {n}: {v}") from None
            for k in totals:
                totals[k] += s[k]
            log(f"cycle {n:2}: killed after {s['kill_after']:.2f}s; sent {s['sent']:4}, acked {s['acked']:4} "
                f"(movements {s['acked_mv']}, holds {s['acked_hold']}, releases {s['acked_rel']}, orders {s['acked_ord']} "
                f"[{s['acked_cod']} COD, {s['acked_held']} on_hold], from holds {s['acked_conv']}, cancels {s['acked_cancel']}), "
                f"refused {s['refused']:3} ({s['refused_ord']} orders; conversions {s['conv_not_active']} not active + {s['conv_no_stock']} no stock, "
                f"{s['raced_conv']} sent racing a release; {s['rel_lost_race']} releases lost to a conversion), "
                f"unanswered {s['unanswered']:2} ({s['unanswered_conv']} conversions; {s['committed_unanswered']} had committed; {s['retried']} retried), "
                f"replays {s['replays']} ok, orders re-sent {s['ref_retries']} ok; ready again in {s['restart']:.2f}s; "
                f"verified {s['movements']} ledger rows, {s['holds']} holds ({s['converted']} converted), {s['orders']} orders ({s['cancelled']} cancelled)")
        code = run.stop_server()
        if code != 0:
            raise Violation(f"bahi serve did not exit 0 on SIGTERM after the last cycle (got {code})")
        check = subprocess.run([run.bin, "check", "--db", run.db, "--config", run.config], capture_output=True, text=True)
        if check.returncode != 0:
            raise Violation(f"final bahi check exited {check.returncode}:\n{check.stdout}{check.stderr}")
    except Violation as v:
        log(f"crash-test: FAIL: {v}")
        server_log = tail(os.path.join(args.dir, "server.err"), 15)
        if run.key:
            server_log = server_log.replace(run.key, "bahi_<admin key redacted>")
        log(f"crash-test: server log tail ({args.dir}/server.err):\n{server_log}")
        run.cleanup()
        return 1
    finally:
        run.cleanup()
    elapsed = time.monotonic() - started
    log(f"crash-test: ok: {args.cycles} kill -9 cycles on {'PostgreSQL' if run.pg else 'SQLite'} in {elapsed:.1f}s; {totals['sent']} requests sent, "
        f"{totals['acked']} acknowledged (all present exactly once; {totals['acked_ord']} orders, {totals['acked_cod']} COD, {totals['acked_held']} on_hold, "
        f"{totals['acked_conv']} orders from holds, {totals['acked_cancel']} cancellations), {totals['refused']} refused (none left a trace; "
        f"{totals['refused_ord']} orders; conversions: {totals['conv_not_active']} reservation_not_active, {totals['conv_no_stock']} insufficient_stock, "
        f"{totals['raced_conv']} sent racing a release; {totals['rel_lost_race']} releases refused invalid_transition), "
        f"{totals['unanswered']} unanswered ({totals['unanswered_conv']} conversions; {totals['committed_unanswered']} had committed; "
        f"{totals['retried']} retried with their key or order ref), "
        f"{totals['replays']} replays of acknowledged requests, {totals['ref_retries']} orders re-sent by channel_order_ref "
        f"(same id); audit clean, bahi check ok after every restart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
