#!/usr/bin/env python3
"""Scripts/bench/vector's interleaved comparison: vectord (in process, `lakehouse bench-vector
--worker`) against hnswlib (PyPI, `vector_rounds.py --hnswlib-worker`) on the same data file.

The comparison runs in --build-rounds repeats. Each repeat starts fresh worker processes, builds
every side once (the first builder alternates between the two processes: a process that builds
first was seen to query 10-15% slower afterwards, and one fixed order would carry that bias into
every ratio), sweeps ef on those graphs, and takes each side's ef as the smallest whose recall@k
reaches the target. Query runs then alternate between the sides, round after round (the order
rotates every round), one thread pinned to one core, then two threads. Every round gives one ratio
per pair; the figures are the median, min and max of those per-round ratios pooled over all
repeats (--rounds in all), beside each side's median queries/s and CPU time per query. The box is
shared and noisy: a ratio of two runs seconds apart is what survives that, not the fastest of
several runs per side. Python is benchmark tooling only.

usage: vector_rounds.py DATA LAKEHOUSE_BIN --m M --ef-construction E --efs 16,24,... --threads T
                        --metric cosine --rounds R --build-rounds B --cpu C --out vectord.json
"""
import argparse, json, os, statistics, subprocess, sys, time


def hnswlib_worker(path, m, efc, metric):
    import numpy as np, hnswlib
    space = {"cosine": "cosine", "euclidean": "l2", "dot": "ip"}[metric]
    with open(path, "rb") as f:
        n, d, nq, k = (int(x) for x in np.frombuffer(f.read(16), dtype="<i4"))
        data = np.fromfile(f, dtype="<f4", count=n * d).reshape(n, d)
        queries = np.fromfile(f, dtype="<f4", count=nq * d).reshape(nq, d)
        truth = np.fromfile(f, dtype="<i4", count=nq * k).reshape(nq, k)
    truth_sets = [set(row) for row in truth]
    batch = np.concatenate([queries, queries])
    index = None
    all_cpus = os.sched_getaffinity(0)

    def rss():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "build":
            index = None
            before = rss()
            index = hnswlib.Index(space=space, dim=d)
            index.init_index(max_elements=n, M=m, ef_construction=efc, random_seed=100)
            t0 = time.perf_counter()
            index.add_items(data, np.arange(n), num_threads=int(words[2]))
            seconds = time.perf_counter() - t0
            reply = {"seconds": seconds, "memory_bytes": rss() - before, "rss_bytes": rss()}
        elif words[0] == "recall":
            index.set_ef(int(words[2]))
            labels, _ = index.knn_query(queries, k=k, num_threads=1)
            reply = {"recall": sum(len(truth_sets[i].intersection(labels[i])) for i in range(nq)) / (nq * k)}
        elif words[0] == "query":
            ef, threads, cpu = int(words[2]), int(words[3]), int(words[4])
            index.set_ef(ef)
            # hnswlib runs a one-thread query in the calling thread: pin it like vectord's.
            if threads == 1 and cpu >= 0:
                os.sched_setaffinity(0, {cpu})
            t0 = time.perf_counter()
            index.knn_query(batch, k=k, num_threads=threads)
            reply = {"qps": len(batch) / (time.perf_counter() - t0)}
            os.sched_setaffinity(0, all_cpus)
        elif words[0] == "quit":
            break
        else:
            reply = {"error": "unknown command " + line.strip()}
        print(json.dumps(reply), flush=True)


class Worker:
    def __init__(self, name, argv):
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def cpu_seconds(self):
        """CPU time of the worker process, all its threads (exited ones too), in nanosecond
        resolution: Linux's CPU clock of another process, clock id MAKE_PROCESS_CPUCLOCK(pid,
        CPUCLOCK_SCHED) = (~pid << 3) | 2, what clock_getcpuclockid(3) returns."""
        return time.clock_gettime(((~self.proc.pid) << 3) | 2)

    def ask(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            sys.exit(f"{self.name} worker died on: {command}")
        reply = json.loads(line)
        if "error" in reply:
            sys.exit(f"{self.name} worker: {reply['error']}")
        return reply

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        self.proc.wait(timeout=60)


def med_min_max(xs):
    return statistics.median(xs), min(xs), max(xs)


SIDES = ("float", "int8", "hnswlib")


def build_order(repeat):
    """The order the sides build in, per repeat. The process that builds first was seen to query
    10-15% slower afterwards (where its memory lands), so the first builder alternates between the
    two processes (vectord's, which holds float and int8, then hnswlib's), and within vectord's
    process float and int8 take turns."""
    vectord = ["float", "int8"] if (repeat // 2) % 2 == 0 else ["int8", "float"]
    return vectord + ["hnswlib"] if repeat % 2 == 0 else ["hnswlib"] + vectord


def fmt_efs(efs):
    """The chosen ef of each repeat: one number when they agree, else all of them."""
    return str(efs[0]) if len(set(efs)) == 1 else "/".join(str(e) for e in efs)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("lakehouse")
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=200)
    p.add_argument("--efs", default="10,16,24,32,36,40,42,44,46,48,50,52,54,56,60,64,72,80,84,88,90,92,94,96,98,100,102,104,108,112,120,128,192,256")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--metric", default="cosine")
    p.add_argument("--rounds", type=int, default=12, help="query rounds in all, spread over the repeats")
    p.add_argument("--build-rounds", type=int, default=4,
                   help="repeats: fresh worker processes, one build of each side, then query rounds")
    p.add_argument("--cpu", type=int, default=-1)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    efs = [int(e) for e in a.efs.split(",")]
    common = ["--m", str(a.m), "--ef-construction", str(a.ef_construction), "--metric", a.metric]
    repeats = max(1, a.build_rounds)
    per_repeat = max(1, -(-a.rounds // repeats))
    nq = int.from_bytes(open(a.data, "rb").read(12)[8:12], "little")
    thread_counts = sorted({1, a.threads})
    targets = (0.95, 0.99)

    builds = {s: [] for s in SIDES}
    # (side, target, threads) -> per-round lists, pooled over the repeats.
    runs, cpu = {}, {}
    chosen_log = {(s, t): [] for s in SIDES for t in targets}
    recall_log = {(s, t): [] for s in SIDES for t in targets}
    kernels = None
    last_float_recall = {}

    print(f"{repeats} repeats, each: fresh worker processes, one build of every side (first builder alternates "
          f"between the processes), the ef sweep, then {per_repeat} interleaved query rounds per setting")
    for rep in range(repeats):
        order = build_order(rep)
        # Start the processes in build order, so the first builder also started first.
        procs = {}
        for s in order:
            owner = "hnswlib" if s == "hnswlib" else "vectord"
            if owner in procs:
                continue
            if owner == "vectord":
                procs[owner] = Worker("vectord", [a.lakehouse, "bench-vector", "--worker", a.data] + common)
            else:
                procs[owner] = Worker("hnswlib", [sys.executable, __file__, "--hnswlib-worker", a.data,
                                                  str(a.m), str(a.ef_construction), a.metric])
        sides = {"float": (procs["vectord"], "float"), "int8": (procs["vectord"], "int8"),
                 "hnswlib": (procs["hnswlib"], "hnsw")}
        for s in order:
            worker, mode = sides[s]
            before = worker.cpu_seconds()
            reply = worker.ask(f"build {mode} {a.threads}")
            reply["cpu"] = worker.cpu_seconds() - before
            builds[s].append(reply)
        kernels = builds["float"][-1].get("kernels", kernels)

        # Recall per ef on this repeat's graphs (a 2-thread build is not deterministic), until 0.995.
        recall = {s: {} for s in SIDES}
        for s, (worker, mode) in sides.items():
            for ef in efs:
                recall[s][ef] = worker.ask(f"recall {mode} {ef}")["recall"]
                if recall[s][ef] >= 0.995:
                    break
        last_float_recall = recall["float"]
        chosen = {}
        for target in targets:
            for s in SIDES:
                ok = [ef for ef, r in sorted(recall[s].items()) if r >= target]
                chosen[(s, target)] = ok[0] if ok else None
                if ok:
                    chosen_log[(s, target)].append(ok[0])
                    recall_log[(s, target)].append(recall[s][ok[0]])
        line = ", ".join(f"{s} ef {chosen[(s, t)]} @{t}" for t in targets for s in SIDES)
        print(f"  repeat {rep + 1}: build order {' '.join(order)}; {line}", flush=True)

        for threads in thread_counts:
            pin = a.cpu if threads == 1 else -1
            for target in targets:
                if chosen[("hnswlib", target)] is None:
                    continue
                present = [s for s in SIDES if chosen[(s, target)] is not None]
                for r in range(per_repeat):
                    # Query order rotates every round, continuing across repeats.
                    k = rep * per_repeat + r
                    for s in present[k % len(present):] + present[:k % len(present)]:
                        worker, mode = sides[s]
                        before = worker.cpu_seconds()
                        reply = worker.ask(f"query {mode} {chosen[(s, target)]} {threads} {pin}")
                        after = worker.cpu_seconds()
                        runs.setdefault((s, target, threads), []).append((k, reply["qps"]))
                        cpu.setdefault((s, target, threads), []).append((k, (after - before) / (2 * nq)))
        for w in procs.values():
            w.close()

    print(f"kernels: {kernels} (chosen at run time by vectord's dispatcher)")
    print(f"build ({repeats} repeats, {a.threads} threads; seconds median [min, max]):")
    for s in SIDES:
        t = med_min_max([b["seconds"] for b in builds[s]])
        print(f"  {s:8} {t[0]:7.1f} [{t[1]:.1f}, {t[2]:.1f}]" + ("  (durable: WAL fsynced)" if s != "hnswlib" else "  (in memory only)"))
    for s in ("float", "int8"):
        r = med_min_max([v["seconds"] / h["seconds"] for v, h in zip(builds[s], builds["hnswlib"])])
        print(f"  build time vectord {s} / hnswlib: median {r[0]:.2f}x (repeats {r[1]:.2f}-{r[2]:.2f}; < 1 means vectord is faster)")
    for s in SIDES:
        c = med_min_max([b["cpu"] for b in builds[s]])
        print(f"  build CPU seconds, {s:8} (all threads of the worker; proxy robust to other load): median {c[0]:.1f} [{c[1]:.1f}, {c[2]:.1f}]")
    fm, im = builds["float"][-1]["memory_bytes"], builds["int8"][-1]["memory_bytes"]
    print(f"index memory: vectord float {fm / 2**20:.0f} MiB, int8 {im / 2**20:.0f} MiB = {im / fm:.0%} of float "
          f"(+ {builds['int8'][-1]['mapped_vector_bytes'] / 2**20:.0f} MiB full-precision vectors in a file-backed map for re-ranking), "
          f"hnswlib ~{builds['hnswlib'][-1]['memory_bytes'] / 2**20:.0f} MiB (RSS growth)")

    for threads in thread_counts:
        pin = a.cpu if threads == 1 else -1
        label = f"{threads} thread" + ("s" if threads > 1 else "") + (f", pinned to cpu {pin}" if pin >= 0 else "")
        print()
        print(f"queries/s, {label}: {repeats} repeats x {per_repeat} interleaved rounds, each run = every query twice")
        for target in targets:
            h = dict(runs.get(("hnswlib", target, threads), []))
            if not h:
                print(f"  recall@10 >= {target:.2f}: hnswlib does not reach it in the sweep")
                continue
            hc = dict(cpu[("hnswlib", target, threads)])
            print(f"  recall@10 >= {target:.2f} (ef and recall per repeat):")
            for s in SIDES:
                got = runs.get((s, target, threads))
                if not got:
                    print(f"    {s:8} not reached in the sweep")
                    continue
                q = med_min_max([v for _, v in got])
                rc = recall_log[(s, target)]
                print(f"    {s:8} ef={fmt_efs(chosen_log[(s, target)]):<11} recall {min(rc):.4f}-{max(rc):.4f}"
                      f"  {q[0]:8.0f} q/s median [{q[1]:.0f}, {q[2]:.0f}]"
                      f"  CPU {statistics.median([c for _, c in cpu[(s, target, threads)]]) * 1e6:.0f} us/query median")
            for s in ("float", "int8"):
                got = runs.get((s, target, threads))
                if not got:
                    continue
                ratios = [v / h[k] for k, v in got if k in h]
                r = med_min_max(ratios)
                print(f"    ratio vectord {s} / hnswlib: median {r[0]:.2f}x, min {r[1]:.2f}x, max {r[2]:.2f}x"
                      f" over {len(ratios)} rounds  (> 1 means vectord is faster)")
                # Per repeat (fresh processes, other build order): shows whether the order matters.
                by_repeat = [statistics.median([v / h[k] for k, v in got if k in h and k // per_repeat == rep])
                             for rep in range(repeats)]
                print(f"      median per repeat: {' '.join(f'{x:.2f}x' for x in by_repeat)}")
                c = med_min_max([hc[k] / v for k, v in cpu[(s, target, threads)] if k in hc])
                print(f"    CPU-time ratio hnswlib / vectord {s} per query: median {c[0]:.2f}x, min {c[1]:.2f}x, max {c[2]:.2f}x"
                      "  (proxy robust to other load; > 1 means vectord uses less CPU)")

    # For the HTTP part of Scripts/bench/vector: the float recall per ef of the last repeat.
    rows = [{"ef": ef, "recall": rc} for ef, rc in sorted(last_float_recall.items())]
    json.dump({"impl": "vectord", "rows": rows, "build_seconds": builds["float"][-1]["seconds"]}, open(a.out, "w"))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--hnswlib-worker":
        hnswlib_worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        main()
