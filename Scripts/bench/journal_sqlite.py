#!/usr/bin/env python3
"""Benchmark tooling for Scripts/bench/journal: the peer a user would otherwise pick for an
event journal, SQLite in WAL mode with synchronous=FULL, inserting the same events as the
journald run (same JSON shape, unique ids, indexes on trace_id, type and subject like journald's
query indexes), one transaction per batch, from N writer threads (one connection each).

Usage: journal_sqlite.py DB_PATH WRITERS BATCH SECONDS
Prints one line: "events=<acknowledged> seconds=<elapsed> events_per_s=<rate>".
"""
import sqlite3, sys, threading, time, uuid

db, writers, batch, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])

setup = sqlite3.connect(db)
setup.execute("PRAGMA journal_mode=WAL")
setup.execute("""CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ts TEXT NOT NULL,
                 daemon TEXT NOT NULL, type TEXT NOT NULL, trace_id TEXT NOT NULL, subject TEXT, payload TEXT NOT NULL)""")
for column in ("trace_id", "type", "subject"):
    setup.execute(f"CREATE INDEX IF NOT EXISTS events_{column} ON events({column})")
setup.commit()
setup.close()

PAYLOAD = '{"attempt":%d,"latency_ms":12.5,"provider":"local","role":"forklift operator","valid":true,"violations":[]}'
counts = [0] * writers
stop = time.monotonic() + seconds

def writer(w):
    conn = sqlite3.connect(db, isolation_level=None, timeout=60)
    conn.execute("PRAGMA synchronous=FULL")
    n = 0
    while time.monotonic() < stop:
        rows = []
        for _ in range(batch):
            n += 1
            rows.append((str(uuid.uuid4()), "2026-11-21T12:00:00.000Z", "gateway", "fill.attempt", f"run-{w}-{n // 4}",
                         f"worker:W-{n % 500000:06d}", PAYLOAD % (n % 3 + 1)))
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO events (id, ts, daemon, type, trace_id, subject, payload) VALUES (?,?,?,?,?,?,?)", rows)
        conn.execute("COMMIT")
        counts[w] += batch
    conn.close()

started = time.monotonic()
threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - started
print(f"events={sum(counts)} seconds={elapsed:.3f} events_per_s={sum(counts) / elapsed:.1f}")
