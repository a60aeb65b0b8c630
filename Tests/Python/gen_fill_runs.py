#!/usr/bin/env python3
"""Writes realistic journal events of recorded fill runs (the FillRunContracts of LakehouseKit):
fill.requested, fill.retrieved, iterate.attempt x n, iterate.finished, fill.finished, or fill.failed.

Deterministic for a seed. Mix: accepted (valid first draft), corrected (a flaw fixed: role_mismatch,
name_mismatch, salary_disclosure, ssn_pattern, contact_leak, unparseable_draft), rejected (never
valid), pii_violation (pay still in the final e-mail), unparseable (no draft ever parsed), failed
(fill.failed at retrieve). Test and bench tooling only.

  gen_fill_runs.py --runs 60 --seed 7 --out Tests/Fixtures/distill/fill_events.jsonl
  gen_fill_runs.py --runs 100000 --post http://127.0.0.1:4224 --batch 1000
"""
import argparse
import json
import random
import sys
import urllib.request

FIRST = ["Maria", "James", "Aisha", "Chen", "Diego", "Olga", "Kwame", "Priya", "Liam", "Sofia", "Noah", "Fatima", "Ethan", "Mei", "Lucas"]
LAST = ["Lopez", "Smith", "Khan", "Wang", "Garcia", "Ivanova", "Mensah", "Patel", "Murphy", "Rossi", "Brown", "Haddad", "Nguyen", "Silva"]
PLACES = [("Toledo", "OH"), ("Columbus", "OH"), ("Detroit", "MI"), ("Chicago", "IL"), ("Dallas", "TX"), ("Atlanta", "GA"), ("Denver", "CO")]
ROLES = ["forklift operator", "warehouse associate", "order picker", "welder", "cdl driver", "registered nurse", "janitor", "line cook"]
SHIFTS = ["1st", "2nd", "3rd"]
DAYS = [("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"), ("fri", "Friday"), ("sat", "Saturday")]
FLAWS = ["role_mismatch", "name_mismatch", "salary_disclosure", "ssn_pattern", "contact_leak", "unparseable_draft"]


def worker(rng, index, role, city, state):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return {"id": "W-%06d" % index, "name": "%s %s" % (first, last), "role": role, "city": city, "state": state,
            "phone": "+1-419-555-%04d" % (index % 10000), "email": "%s.%s%d@example.com" % (first.lower(), last.lower(), index),
            "pay": round(15 + rng.random() * 20, 2)}


def email_for(req, chosen, flaw=None):
    lines = ["- %s (%s)" % (w["name"], w["id"]) for w in chosen]
    body = ("Hello,\n\nFor your request (%d %s in %s, %s, %s shift, %s) we propose:\n%s\n"
            "Each is active, holds the role and its certification, and works the requested shift.\n\nBest regards,\nLakehouse Staffing"
            % (req["count"], req["role"], req["city"], req["state"], req["shift"], req["day_name"], "\n".join(lines)))
    if flaw == "salary_disclosure":
        body += "\nP.S. %s earns $%.2f/hr." % (chosen[0]["name"], chosen[0]["pay"])
    elif flaw == "ssn_pattern":
        body += "\nReference: %03d-%02d-%04d" % (100 + chosen[0]["pay"] * 10 % 800, 10 + int(chosen[0]["pay"]) % 89, 1000 + int(chosen[0]["pay"] * 100) % 8999)
    elif flaw == "contact_leak":
        body += "\nYou can reach %s at %s." % (chosen[0]["name"], chosen[0]["phone"])
    return {"subject": "%d %s for %s, %s" % (req["count"], req["role"], req["city"], req["state"]), "body": body}


def draft(req, chosen, flaw=None):
    candidates = [{"worker_id": w["id"], "name": w["name"], "reason": "active %s in %s, works the %s shift" % (w["role"], w["city"], req["shift"])}
                  for w in chosen]
    if flaw == "name_mismatch":
        candidates[0] = dict(candidates[0], name=candidates[0]["name"].split()[0] + " X.")
    role = "order picker" if flaw == "role_mismatch" and req["role"] != "order picker" else req["role"]
    return {"fill": {"role": role, "city": req["city"], "state": req["state"], "candidates": candidates}, "email": email_for(req, chosen, flaw)}


def violation_for(flaw, chosen):
    w = chosen[0]
    messages = {
        "role_mismatch": ("$.fill.role", "the fill's role is not the requested role; propose workers of the requested role"),
        "name_mismatch": ("$.fill.candidates[0].name", "the name of %s differs from the roster name %s" % (w["id"], w["name"])),
        "salary_disclosure": ("$.email.body", "the body discloses pay (\"$%.2f/hr\"); remove every pay rate" % w["pay"]),
        "ssn_pattern": ("$.email.body", "the body contains a number shaped like a social security number; remove it"),
        "contact_leak": ("$.email.body", "the body contains the phone number of %s; remove workers' phone numbers" % w["id"]),
        "unparseable_draft": ("$", "the answer is not a JSON object; answer with exactly one JSON object"),
    }
    path, message = messages[flaw]
    return {"rule": flaw, "severity": "error", "path": path, "message": message}


def run_events(rng, n, ts):
    run_id = "run-%08d-%04x" % (n, rng.randrange(65536))
    role = rng.choice(ROLES)
    city, state = rng.choice(PLACES)
    day, day_name = rng.choice(DAYS)
    shift = rng.choice(SHIFTS)
    count = rng.randint(1, 4)
    query = "Need %d %ss in %s, %s for %s %s shift" % (count, role, city, state, day_name, shift)
    req = {"count": count, "role": role, "city": city, "state": state, "shift": shift, "day_name": day_name}
    request = {"query": query, "count": count, "role": role, "city": city, "state": state, "shift": shift, "day": day}
    pool = [worker(rng, 1 + (n * 7 + i) % 500000, role, city, state) for i in range(max(4, 3 * count))]
    chosen = pool[:count]
    events = []

    def event(daemon, kind, payload):
        events.append({"id": "%s-%d" % (run_id, len(events)), "ts": ts, "daemon": daemon, "type": kind, "trace_id": run_id, "payload": payload})

    understood = {"text": query, "count": count, "role": role, "role_method": "regex", "confidence": 0.95, "city": city, "state": state,
                  "shift": shift, "day": day}
    event("gateway", "fill.requested", {"command": {"query": query}, "understood": understood, "request": request})
    roll = rng.random()
    if roll < 0.02:
        event("gateway", "fill.failed", {"stage": "retrieve", "status": 503, "error": "matrixd is unavailable: connection refused"})
        return events
    event("gateway", "fill.retrieved", {"role": role, "workers": [{"id": w["id"], "score": round(0.95 - 0.01 * i, 4)} for i, w in enumerate(pool)],
                                        "playbook_worker_ids": [pool[0]["id"]] if rng.random() < 0.3 else [], "gate_dropped": rng.randint(0, 3)})
    max_attempts = 3
    if roll < 0.62:
        plan = [None]                                  # accepted
    elif roll < 0.87:
        plan = [rng.choice(FLAWS)] * rng.randint(1, 2) + [None]  # corrected
    elif roll < 0.93:
        plan = [rng.choice(["role_mismatch", "name_mismatch"])] * 3  # rejected
    elif roll < 0.97:
        plan = ["salary_disclosure"] * 3               # pii_violation
    else:
        plan = ["unparseable_draft"] * 3               # unparseable
    attempts = []
    final = None
    for number, flaw in enumerate(plan, 1):
        if flaw == "unparseable_draft":
            output = "Sure! Here are some great workers for you: %s" % ", ".join(w["name"] for w in chosen)
        else:
            output = draft(req, chosen, flaw)
            final = output
        violations = [] if flaw is None else [violation_for(flaw, chosen)]
        attempt = {"attempt": number, "output": output, "violations": violations, "valid": flaw is None, "provider": "local",
                   "model": "local-drafter", "latency_ms": round(0.2 + rng.random(), 3)}
        attempts.append(attempt)
        event("validatord", "iterate.attempt", attempt)
    valid = plan[-1] is None
    corrected = sorted({f for f in plan[:-1] if f}) if valid else []
    finished_iter = {"valid": valid, "attempts": len(plan), "max_attempts": max_attempts, "request": request, "provider": "local"}
    if final:
        finished_iter["final"] = final
    event("validatord", "iterate.finished", finished_iter)
    timings = {"understand": 0.4, "retrieve": 1.2, "iterate": round(sum(a["latency_ms"] for a in attempts), 3)}
    timings["total"] = round(sum(timings.values()) + 0.1, 3)
    finished = {"request": request, "valid": valid, "attempts": len(plan), "max_attempts": max_attempts,
                "violations": attempts[-1]["violations"], "corrected": corrected, "provider": "local", "timings_ms": timings}
    if final:
        finished["fill"] = final["fill"]
        finished["email"] = final["email"]
    event("gateway", "fill.finished", finished)
    return events


def generate(runs, seed):
    rng = random.Random(seed)
    for n in range(runs):
        ts = "2026-11-21T%02d:%02d:%02d.%03dZ" % (8 + n // 36000 % 12, n // 600 % 60, n // 10 % 60, n % 1000)
        yield from run_events(rng, n, ts)


def post(url, batch):
    request = urllib.request.Request(url + "/v1/events", data=json.dumps({"events": batch}).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status != 200:
            raise SystemExit("journald answered %d" % response.status)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", help="write the events as JSONL here (- for stdout)")
    parser.add_argument("--post", help="journald base URL: POST the events to /v1/events")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    if args.out:
        out = sys.stdout if args.out == "-" else open(args.out, "w")
        for event in generate(args.runs, args.seed):
            out.write(json.dumps(event, sort_keys=True) + "\n")
        out.close()
    if args.post:
        batch = []
        for event in generate(args.runs, args.seed):
            batch.append(event)
            if len(batch) >= args.batch:
                post(args.post, batch)
                batch = []
        if batch:
            post(args.post, batch)


if __name__ == "__main__":
    main()
