"""Role-filtered search as a playbooks-like index grows (benchmark tooling for Scripts/bench/filtered).

Two vectord processes, A and B, hold the same index, grown in steps (e.g. 1k, 10k, 50k, 200k items
over R roles). At each size the same role-filtered searches (k 20, default ef, like matrixd's boost
search) go to A and B in alternating timed runs (A B A B ..., ROUNDS rounds): per side and round,
CPU per search from /proc/<pid>/stat (utime+stime, a proxy that other load on the box distorts
less) and the latency median; then the median of the per-round ratios B/A with min and max, and
B's recall@20 against A's answers (A scans exactly).

The vectors are playbook-like: each is the sum of random directions for its role, city, day and
shift plus noise (a fill sentence names those four), so a role's items lie near one another, as
embedded playbook sentences do. Queries are drawn the same way.

usage: filtered_search.py BASE_A PID_A BASE_B PID_B SIZES ROLES DIMS ROUNDS SECONDS
prints one block per size
"""
import http.client
import json
import os
import statistics
import sys
import time
from urllib.parse import urlparse

import numpy as np

base_a, pid_a, base_b, pid_b, sizes, roles, dims, rounds, seconds = sys.argv[1:10]
sizes = [int(s) for s in sizes.split(",")]
roles, dims, rounds, seconds = int(roles), int(dims), int(rounds), float(seconds)
pids = {"A": int(pid_a), "B": int(pid_b)}
ticks = os.sysconf("SC_CLK_TCK")
rng = np.random.default_rng(7)
role_dirs = rng.standard_normal((roles, dims)).astype(np.float32)
city_dirs = rng.standard_normal((60, dims)).astype(np.float32)
day_dirs = rng.standard_normal((7, dims)).astype(np.float32)
shift_dirs = rng.standard_normal((3, dims)).astype(np.float32)


def draw(n, seed):
    r = np.random.default_rng(seed)
    role = r.integers(0, roles, n)
    v = (role_dirs[role] + city_dirs[r.integers(0, 60, n)] + 0.7 * day_dirs[r.integers(0, 7, n)]
         + 0.7 * shift_dirs[r.integers(0, 3, n)] + 0.8 * r.standard_normal((n, dims)).astype(np.float32))
    return role, v


def connect(base):
    url = urlparse(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=600)


conns = {"A": connect(base_a), "B": connect(base_b)}


def call(side, method, path, body):
    conn = conns[side]
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    if response.status >= 300:
        raise SystemExit(f"{side} {method} {path}: {response.status} {payload[:300]!r}")
    return payload


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks


create = json.dumps({"dims": dims, "metric": "cosine", "ef_construction": 64}).encode()
for side in conns:
    call(side, "PUT", "/v1/indexes/playbooks", create)

q_role, q_vec = draw(2000, 99)
bodies = [json.dumps({"vector": [round(float(x), 5) for x in q_vec[i]], "k": 20,
                      "filter": {"role": f"role-{q_role[i]}"}}).encode() for i in range(len(q_role))]


def grow(start, end):
    for lo in range(start, end, 2000):
        hi = min(end, lo + 2000)
        role, v = draw(hi - lo, lo + 1)
        rows = np.round(v, 5).tolist()
        items = [{"id": f"pb-{lo + i}", "vector": rows[i],
                  "metadata": {"role": f"role-{role[i]}", "outcome": "filled"}} for i in range(hi - lo)]
        body = json.dumps({"items": items}).encode()
        for side in conns:
            call(side, "POST", "/v1/indexes/playbooks/upsert", body)


def run(side, start):
    """Searches for `seconds`; returns (searches, cpu per search s, latency median s, next query)."""
    path = "/v1/indexes/playbooks/search"
    latencies = []
    i = start
    cpu0 = cpu_seconds(pids[side])
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        t = time.perf_counter()
        call(side, "POST", path, bodies[i % len(bodies)])
        latencies.append(time.perf_counter() - t)
        i += 1
    cpu = cpu_seconds(pids[side]) - cpu0
    return len(latencies), cpu / len(latencies), statistics.median(latencies), i


def ids(side, i):
    return [h["id"] for h in json.loads(call(side, "POST", "/v1/indexes/playbooks/search", bodies[i]))["results"]]


def spread(values):
    return f"{statistics.median(values):.2f}x (min {min(values):.2f}, max {max(values):.2f})"


size = 0
for target in sizes:
    grow(size, target)
    size = target
    for side in conns:  # warm both
        run(side, 0)
    cpu = {"A": [], "B": []}
    lat = {"A": [], "B": []}
    nxt = 0
    for r in range(rounds):
        for side in ("A", "B") if r % 2 == 0 else ("B", "A"):
            _, c, m, _ = run(side, nxt)
            cpu[side].append(c)
            lat[side].append(m)
        nxt += 500
    overlaps = []
    for i in range(200):
        exact = ids("A", i)
        overlaps.append(len(set(ids("B", i)) & set(exact)) / max(1, len(exact)))
    recall = statistics.mean(overlaps)
    per_role = size // roles
    print(f"size {size} ({per_role} per role):")
    for side, name in (("A", "exact scan"), ("B", "new plan  ")):
        print(f"  {side} {name}: cpu/search {statistics.median(cpu[side]) * 1e6:8.1f} us  "
              f"latency p50 {statistics.median(lat[side]) * 1e6:8.1f} us")
    print(f"  B/A cpu per search {spread([b / a for a, b in zip(cpu['A'], cpu['B'])])}  "
          f"latency {spread([b / a for a, b in zip(lat['A'], lat['B'])])}  recall@20 of B vs A {recall:.3f}")
    sys.stdout.flush()
