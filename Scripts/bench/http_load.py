"""Closed-loop HTTP/1.1 load generator (benchmark tooling only): C keep-alive connections, each
sending the next request as soon as the last answer arrived, for D seconds.

usage: http_load.py HOST:PORT PATH BODIES_JSONL CONNECTIONS SECONDS
Each line of BODIES_JSONL is one POST body, used round-robin.
prints: "rps p50_ms p99_ms max_ms errors"
"""
import asyncio
import sys
import time

host_port, path, bodies_path, connections, seconds = sys.argv[1:6]
host, port = host_port.rsplit(":", 1)
connections, seconds = int(connections), float(seconds)
with open(bodies_path, "rb") as f:
    bodies = [line.rstrip(b"\n") for line in f if line.strip()]
requests = [
    b"POST " + path.encode() + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(b)).encode() + b"\r\n\r\n" + b
    for b in bodies
]
latencies = []
errors = 0


async def worker(index, deadline):
    global errors
    reader, writer = await asyncio.open_connection(host, int(port))
    n = index
    while time.perf_counter() < deadline:
        request = requests[n % len(requests)]
        n += connections
        start = time.perf_counter()
        writer.write(request)
        status_line = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - start)
        if status_line[9:12] != b"200":
            errors += 1
    writer.close()


async def main():
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(worker(i, deadline) for i in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000
    print(f"{len(latencies) / elapsed:.1f} {pct(0.50):.3f} {pct(0.99):.3f} {latencies[-1] * 1000:.3f} {errors}")


asyncio.run(main())
