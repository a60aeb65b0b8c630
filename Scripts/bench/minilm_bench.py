"""Benchmark tooling for Scripts/bench/minilm (not part of the product).

Compares embedd's minilm provider (HTTP, cache off, one embedd per thread count) with
sentence-transformers on PyTorch CPU, in the same process run, interleaved A B A B per round,
on the same sentences; then embedd's cold requests/s through the gateway at c=10.
"""
import argparse
import http.client
import json
import random
import statistics
import threading
import time

ROLES = ["forklift operator", "registered nurse", "CDL-A driver", "welder", "warehouse associate", "line cook",
         "electrician", "machine operator", "picker packer", "security guard", "HVAC technician", "dental assistant"]
CITIES = ["Toledo, OH", "Dayton, OH", "Austin, TX", "Fresno, CA", "Tampa, FL", "Reno, NV", "Boise, ID", "Macon, GA"]
TAILS = ["for Monday 2nd shift", "with reach truck experience", "who can start this week", "night shift, weekends",
         "bilingual preferred, OSHA-10 required", "for a three-month assignment at a distribution center near the airport"]


def sentences(count, seed):
    rng = random.Random(seed)
    out = []
    for i in range(count):
        n = rng.randint(1, 6)
        out.append(f"Need {n} {rng.choice(ROLES)}s in {rng.choice(CITIES)} {rng.choice(TAILS)} (req {seed}-{i})")
    return out


class Embedd:
    def __init__(self, addr):
        self.host, self.port = addr.rsplit(":", 1)
        self.reconnect()

    def reconnect(self):
        # A fresh keep-alive connection per measured run: embedd closes idle ones while PyTorch runs.
        self.conn = http.client.HTTPConnection(self.host, int(self.port), timeout=120)

    def embed(self, texts):
        body = json.dumps({"texts": texts})
        self.conn.request("POST", "/v1/embed", body, {"Content-Type": "application/json"})
        response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit(f"embedd answered {response.status}: {data[:200]!r}")
        return json.loads(data)["vectors"]


def run_ours(client, texts, batch):
    client.reconnect()
    client.embed(["connect"])  # cache off: an embedding like any other, outside the timed loop
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        client.embed(texts[i:i + batch])
    return len(texts) / (time.perf_counter() - start)


def run_torch(model, torch, texts, batch, threads):
    torch.set_num_threads(threads)
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        model.encode(texts[i:i + batch], batch_size=batch, convert_to_numpy=True)
    return len(texts) / (time.perf_counter() - start)


def cold_rps(addr, seconds, conns):
    host, port = addr.rsplit(":", 1)
    latencies, errors = [], [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(index):
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        i = 0
        mine = []
        while time.perf_counter() < deadline:
            text = f"cold query {index}-{i}: {ROLES[i % len(ROLES)]} near {CITIES[i % len(CITIES)]}"
            i += 1
            t = time.perf_counter()
            conn.request("POST", "/v1/embed", json.dumps({"texts": [text]}), {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                with lock:
                    errors[0] += 1
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return len(latencies) / elapsed, pick(0.5), pick(0.99), errors[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--embedd-1", required=True, help="embedd with EMBEDD_THREADS=1")
    parser.add_argument("--embedd-2", required=True, help="embedd with EMBEDD_THREADS=2")
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--b1-sentences", type=int, default=24)
    parser.add_argument("--b32-sentences", type=int, default=128)
    parser.add_argument("--cold-seconds", type=float, default=10)
    args = parser.parse_args()

    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise SystemExit(f"minilm bench: PyTorch reference unavailable ({error}); run with --python pointing at a "
                         "Python that has torch and sentence-transformers")
    model = SentenceTransformer(args.model_dir, device="cpu")
    print(f"peer: sentence-transformers {__import__('sentence_transformers').__version__}, torch {torch.__version__}, "
          f"CPU, mkldnn={torch.backends.mkldnn.is_available()}, mkl={torch.backends.mkl.is_available()}")
    clients = {1: Embedd(args.embedd_1), 2: Embedd(args.embedd_2)}

    # Warm both sides (first calls allocate, load code, fill caches of the CPU, not of embedd: its cache is off).
    warm = sentences(64, 999)
    for threads in (1, 2):
        run_ours(clients[threads], warm, 32)
        run_torch(model, torch, warm, 32, threads)

    cases = [(1, 1), (1, 2), (32, 1), (32, 2)]
    results = {case: {"ours": [], "torch": [], "ratio": []} for case in cases}
    for round_index in range(args.rounds):
        for batch, threads in cases:
            count = args.b1_sentences if batch == 1 else args.b32_sentences
            texts = sentences(count, round_index * 10 + batch + threads)
            # Alternate which side goes first, so neither always meets the warmer CPU.
            if round_index % 2 == 0:
                ours = run_ours(clients[threads], texts, batch)
                peer = run_torch(model, torch, texts, batch, threads)
            else:
                peer = run_torch(model, torch, texts, batch, threads)
                ours = run_ours(clients[threads], texts, batch)
            r = results[(batch, threads)]
            r["ours"].append(ours)
            r["torch"].append(peer)
            r["ratio"].append(ours / peer)
    for (batch, threads), r in results.items():
        print(f"encode batch={batch:<2} threads={threads}: embedd {statistics.median(r['ours']):8.1f} sent/s  "
              f"pytorch {statistics.median(r['torch']):8.1f} sent/s  ratio median {statistics.median(r['ratio']):.2f}x "
              f"(min {min(r['ratio']):.2f}x, max {max(r['ratio']):.2f}x, {args.rounds} rounds)")

    rps, p50, p99, errors = cold_rps(args.gateway, args.cold_seconds, 10)
    print(f"cold via gateway c=10, 1 text/request, EMBEDD_THREADS=2: {rps:.1f} req/s  p50 {p50:.2f} ms  p99 {p99:.2f} ms  "
          f"errors {errors}")


if __name__ == "__main__":
    main()
