#!/usr/bin/env python3
"""Deterministic roster generator for Scripts/bench/validate (until `lakehouse gen` lands).

Writes N workers as JSONL in the SPEC §5 shape, and prints one fill and one e-mail request body
(for /v1/validate) built from workers that satisfy them, as JSON files next to the roster.

Usage: validate_roster.py COUNT OUT_DIR [SEED]      generate DIR/workers.jsonl and the two request bodies
       validate_roster.py --requests ROSTER OUT_DIR   only the request bodies, from an existing roster
"""
import json
import os
import random
import sys

CITIES = [
    ("Toledo", "OH", 41.6528, -83.5379), ("Columbus", "OH", 39.9612, -82.9988), ("Cleveland", "OH", 41.4993, -81.6944),
    ("Cincinnati", "OH", 39.1031, -84.5120), ("Detroit", "MI", 42.3314, -83.0458), ("Grand Rapids", "MI", 42.9634, -85.6681),
    ("Indianapolis", "IN", 39.7684, -86.1581), ("Chicago", "IL", 41.8781, -87.6298), ("Pittsburgh", "PA", 40.4406, -79.9959),
    ("Philadelphia", "PA", 39.9526, -75.1652), ("Buffalo", "NY", 42.8864, -78.8784), ("Nashville", "TN", 36.1627, -86.7816),
    ("Atlanta", "GA", 33.7490, -84.3880), ("Louisville", "KY", 38.2527, -85.7585),
]
ROLES = [
    ("forklift operator", ["forklift"], ["reach truck", "pallet jack", "inventory", "loading dock", "order picking"]),
    ("warehouse associate", [], ["inventory", "packing", "shipping", "rf scanner", "loading dock"]),
    ("order picker", [], ["rf scanner", "order picking", "packing", "pallet jack"]),
    ("welder", ["aws-d1.1"], ["mig", "tig", "stick", "blueprint reading", "fabrication"]),
    ("cdl driver", ["cdl-a"], ["hazmat", "tanker", "flatbed", "pre-trip inspection"]),
    ("registered nurse", ["rn-license"], ["patient care", "charting", "icu", "telemetry"]),
    ("line cook", [], ["grill", "saute", "food prep", "food safety"]),
    ("cashier", [], ["pos systems", "cash handling", "customer service"]),
    ("security guard", ["guard-card"], ["patrol", "access control", "cctv"]),
    ("general laborer", [], ["demolition", "site cleanup", "lifting 50 lb", "power tools"]),
]
FIRST = ["Maria", "James", "Aisha", "Wei", "Carlos", "Emily", "Dmitri", "Fatima", "Liam", "Priya", "Noah", "Sofia", "Kwame",
         "Hana", "Lucas", "Amara", "Mateo", "Chloe", "Omar", "Grace", "Diego", "Yuki", "Elena", "Samuel", "Zara", "Ethan"]
LAST = ["Lopez", "Smith", "Johnson", "Nguyen", "Garcia", "Brown", "Okafor", "Kowalski", "Patel", "Kim", "Rossi", "Hughes",
        "Mensah", "Silva", "Novak", "Reyes", "Walker", "Haddad", "Ivanova", "Turner", "Moreno", "Sato", "Fischer", "Bauer"]
SHIFTS = ["1st", "2nd", "3rd"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def worker(i, rng):
    city, state, lat, lon = CITIES[rng.randrange(len(CITIES))]
    role, certs, skills = ROLES[rng.randrange(len(ROLES))]
    first, last = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
    shifts = [s for s in SHIFTS if rng.random() < 0.6] or ["1st"]
    days = [d for d in DAYS if rng.random() < 0.7] or ["mon"]
    return {
        "id": "W-%06d" % i, "name": f"{first} {last}", "role": role,
        "skills": sorted(rng.sample(skills, 2)), "certifications": list(certs) + (["osha-10"] if rng.random() < 0.3 else []),
        "city": city, "state": state, "lat": round(lat + rng.uniform(-0.2, 0.2), 4), "lon": round(lon + rng.uniform(-0.2, 0.2), 4),
        "shifts": shifts, "days": days, "pay_rate": round(rng.uniform(15, 40) * 4) / 4,
        "status": "active" if rng.random() < 0.9 else "inactive",
        "phone": "+1-%03d-555-%04d" % (200 + i // 10000 % 800, i % 10000),
        "email": f"{first.lower()}.{last.lower()}{i}@example.com",
    }


def suitable(w, chosen):
    return (len(chosen) < 3 and w["role"] == "warehouse associate" and w["city"] == "Toledo" and w["status"] == "active"
            and "2nd" in w["shifts"] and "mon" in w["days"] and not any(c["name"] == w["name"] for c in chosen))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    chosen = []
    if sys.argv[1] == "--requests":
        out = sys.argv[3]
        with open(sys.argv[2]) as f:
            for line in f:
                w = json.loads(line)
                if suitable(w, chosen):
                    chosen.append(w)
                if len(chosen) == 3:
                    break
    else:
        count, out = int(sys.argv[1]), sys.argv[2]
        rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "workers.jsonl"), "w") as f:
            for i in range(1, count + 1):
                w = worker(i, rng)
                if suitable(w, chosen):
                    chosen.append(w)
                f.write(json.dumps(w, separators=(",", ":")) + "\n")
    if len(chosen) < 3:
        sys.exit("roster has no three active 2nd-shift Monday warehouse associates in Toledo, OH to build the sample requests")
    fill = {"role": "warehouse associate", "city": "Toledo", "state": "OH",
            "candidates": [{"worker_id": w["id"], "name": w["name"], "reason": "active, nearby, works 2nd shift"} for w in chosen]}
    context = {"query": "Need 3 warehouse associates in Toledo, OH for Monday 2nd shift", "count": 3,
               "role": "warehouse associate", "city": "Toledo", "state": "OH", "shift": "2nd", "day": "mon"}
    names = ", ".join(w["name"] for w in chosen[:-1]) + " and " + chosen[-1]["name"]
    email = {"subject": "3 warehouse associates for Monday 2nd shift in Toledo",
             "body": f"Hello,\n\nWe can place {names} ({', '.join(w['id'] for w in chosen)}) with you for Monday's 2nd shift in "
                     "Toledo, OH. All three are active, live nearby and know the loading dock well. Reply to confirm and we will "
                     "send arrival details.\n\nBest regards,\nThe staffing team"}
    with open(os.path.join(out, "validate_fill.json"), "w") as f:
        json.dump({"kind": "fill", "payload": fill, "context": context}, f)
    with open(os.path.join(out, "validate_email.json"), "w") as f:
        json.dump({"kind": "email", "payload": email, "context": dict(context, fill=fill)}, f)


if __name__ == "__main__":
    main()
