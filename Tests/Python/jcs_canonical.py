#!/usr/bin/env python3
"""Test tooling: RFC 8785 canonical form of each stdin line (a JSON document) with the PyPI
package rfc8785, printed hex-encoded, one per line."""
import json, sys

try:
    import rfc8785
except ImportError:
    sys.exit("missing Python module rfc8785 (pip install -r Tests/Python/requirements.txt)")

for line in sys.stdin:
    print(rfc8785.dumps(json.loads(line)).hex())
