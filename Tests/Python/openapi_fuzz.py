#!/usr/bin/env python3
"""Runs Schemathesis (PyPI `schemathesis`) against a live gateway's /openapi.json.

Checks: not_a_server_error (no 5xx) and response_schema_conformance (no answer that contradicts
the document), bounded by --max-examples per operation and --max-time overall. Exit status is
Schemathesis's (0 = no failure); a missing module exits 2 with the reason.

usage: openapi_fuzz.py --url http://127.0.0.1:PORT [--operations id,id,...] [--max-examples N] [--max-time S]
"""
import argparse
import importlib.util
import subprocess
import sys
import tempfile


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--operations", default="")
    parser.add_argument("--max-examples", type=int, default=5)
    parser.add_argument("--max-time", type=int, default=40)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    if importlib.util.find_spec("schemathesis") is None:
        print("schemathesis is not installed: pip install -r Tests/Python/requirements.txt", file=sys.stderr)
        return 2
    base = args.url.rstrip("/")
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{base}/openapi.json", "--url", base,
        "--checks", "not_a_server_error,response_schema_conformance",
        "--max-examples", str(args.max_examples),
        "--seed", str(args.seed), "--phases", "examples,coverage,fuzzing", "--workers", "2",
        "--request-timeout", "20", "--no-color", "--generation-database", "none",
        "--suppress-health-check", "all",
    ]
    for operation in filter(None, args.operations.split(",")):
        command += ["--include-operation-id", operation]
    try:
        # In a scratch directory: Schemathesis and Hypothesis leave caches in the working directory.
        with tempfile.TemporaryDirectory(prefix="lakehouse-schemathesis-") as scratch:
            return subprocess.run(command, timeout=args.max_time, cwd=scratch).returncode
    except subprocess.TimeoutExpired:
        print(f"schemathesis did not finish within {args.max_time} s", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
