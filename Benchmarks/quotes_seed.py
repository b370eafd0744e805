#!/usr/bin/env python3
"""Seeds Benchmarks/quotes.sh's couriers through the API and writes the wrk bodies.

    quotes_seed.py PORT KEY WORKDIR [COURIERS] [PINCODES]

COURIERS couriers (default 20), each with its own rate card (surface and air, some with COD,
two with extra zone-E states, one inactive) and a serviceability table of PINCODES pincodes
(default 19,000) drawn from data/india-pincodes.csv with a seed per courier, a few of them
embargoed, without COD or without pickup. Writes WORKDIR/bodies.txt: 2,000 quote requests
(one JSON body a line) between pincodes of the directory with varied parcels, some COD.
Standard library only; deterministic (seeded).
"""
import csv, json, random, sys, urllib.request

port, key, work = sys.argv[1], sys.argv[2], sys.argv[3]
couriers = int(sys.argv[4]) if len(sys.argv) > 4 else 20
per_courier = int(sys.argv[5]) if len(sys.argv) > 5 else 19_000
base = f"http://127.0.0.1:{port}"

with open("data/india-pincodes.csv") as f:
    directory = [row["pincode"] for row in csv.DictReader(f) if row["state"]]

def call(method, path, body, content_type):
    req = urllib.request.Request(base + path, data=body, method=method,
                                 headers={"Authorization": f"Bearer {key}", "Content-Type": content_type})
    with urllib.request.urlopen(req) as r:
        return r.status, r.read()

for i in range(couriers):
    rng = random.Random(i)
    code = f"bench-{i:02d}"
    air = i % 4 == 3
    first = 2500 + 150 * i + (2000 if air else 0)
    zones = {z: {"first_paise": first + 600 * n, "additional_paise": first - 300 + 550 * n} for n, z in enumerate("ABCDE")}
    card = {"zones": zones, "slab_g": 500 if i % 5 else 250, "volumetric_divisor": 5000 if i % 3 else 4000,
            "min_chargeable_g": 0 if i % 2 else 500, "fuel_surcharge_bps": 1000 + 50 * i,
            "cod_fee": {"fixed_paise": 3000 + 100 * i, "percent_bps": 150 + 10 * i}}
    body = {"name": f"Bench courier {i}", "provider": "delhivery" if i % 2 else "shiprocket", "mode": "air" if air else "surface",
            "max_weight_g": 10_000 if i % 7 == 6 else 30_000, "cod": i % 3 != 2, "active": i != 19, "rate_card": card}
    if i % 8 == 1:
        body["zone_e_states"] = ["Kerala", "Himachal Pradesh"]
    status, _ = call("PUT", f"/v1/couriers/{code}", json.dumps(body).encode(), "application/json")
    assert status in (200, 201), status
    served = rng.sample(directory, min(per_courier, len(directory)))
    lines = ["pincode,prepaid,cod,pickup,oda,embargo"]
    for p in served:
        r = rng.random()
        lines.append(f"{p},Y,{'N' if r < 0.05 else 'Y'},{'N' if r > 0.97 else 'Y'},{'Y' if r < 0.1 else 'N'},{'Y' if 0.5 < r < 0.505 else 'N'}")
    status, answer = call("POST", f"/v1/couriers/{code}/serviceability", ("\n".join(lines) + "\n").encode(), "text/csv")
    report = json.loads(answer)
    assert status == 200 and report["pincodes"] == len(served), (status, report)

rng = random.Random(1234)
with open(f"{work}/bodies.txt", "w") as out:
    for n in range(2000):
        cod = n % 3 == 0
        body = {"from_pincode": rng.choice(directory), "to_pincode": rng.choice(directory), "weight_g": rng.randint(100, 12_000),
                "length_mm": rng.randint(100, 600), "width_mm": rng.randint(100, 400), "height_mm": rng.randint(20, 300), "cod": cod}
        if cod:
            body["value_paise"] = rng.randint(10_000, 500_000)
        out.write(json.dumps(body, separators=(",", ":")) + "\n")
print(f"seeded {couriers} couriers x {per_courier} pincodes; 2000 quote bodies", file=sys.stderr)
