"""Benchmark tooling for Scripts/bench/fill (never in the product's path).

fill_prepare.py sentences WORKERS_JSONL N OUT_JSONL   coordinator sentences built from random roster workers
fill_prepare.py stages GATEWAY N BODIES_JSONL OUT_VALIDATE_JSONL
    sends N fills one at a time, prints the per-stage time shares, and writes /v1/validate bodies
    (kind fill, payload = a final fill, context = its request) for the validate run.
"""
import json
import random
import sys
import urllib.request

DAYS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}


def sentences(workers_path, n, out_path):
    rng = random.Random(20261121)
    workers = []
    with open(workers_path) as f:
        for i, line in enumerate(f):
            if i % 7 == 0:  # a sample is enough, and keeps memory small at 500k
                w = json.loads(line)
                if w["status"] == "active":
                    workers.append(w)
    with open(out_path, "w") as out:
        for _ in range(n):
            w = rng.choice(workers)
            count = rng.choice([1, 1, 2, 3])
            role = w["role"] + ("s" if count > 1 else "")
            text = f"Need {count} {role} in {w['city']}, {w['state']} for {DAYS[rng.choice(w['days'])]} {rng.choice(w['shifts'])} shift"
            out.write(json.dumps({"query": text}) + "\n")


def stages(gateway, n, bodies_path, out_path):
    bodies = [line for line in open(bodies_path) if line.strip()]
    totals, count, valid, attempts = {}, 0, 0, 0
    validate = []
    for i in range(n):
        request = urllib.request.Request(f"http://{gateway}/v1/fill", data=bodies[i % len(bodies)].encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        for stage, ms in answer["timings_ms"].items():
            totals[stage] = totals.get(stage, 0.0) + ms
        count += 1
        valid += answer["valid"]
        attempts += len(answer["attempts"])
        if answer.get("fill"):
            context = {k: v for k, v in answer["request"].items() if v is not None}
            validate.append(json.dumps({"kind": "fill", "payload": answer["fill"], "context": context}))
    total = totals.get("total", 1.0)
    shares = ", ".join(f"{stage} {100 * totals[stage] / total:.1f}%" for stage in ("understand", "retrieve", "iterate") if stage in totals)
    other = 100 * (total - sum(totals.get(s, 0) for s in ("understand", "retrieve", "iterate"))) / total
    print(f"stages over {count} sequential fills: mean total {total / count:.2f} ms; {shares}, journal+other {other:.1f}%; "
          f"valid {valid}/{count}, mean attempts {attempts / count:.2f}")
    with open(out_path, "w") as out:
        out.write("\n".join(validate) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "sentences":
        sentences(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "stages":
        stages(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__)
