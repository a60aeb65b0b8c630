#!/usr/bin/env python3
"""Test tooling: SHA-256 of each stdin line (hex-encoded bytes) with hashlib, one hex digest per line."""
import hashlib, sys

for line in sys.stdin:
    print(hashlib.sha256(bytes.fromhex(line.strip())).hexdigest())
