#!/usr/bin/env python3
"""Reads lines "<schema name>\t<JSON record>" on stdin and prints, per line, "valid" or "invalid"
as Python's `jsonschema` (draft 2020-12) judges the record against
Sources/LakehouseKit/Schemas/<name>.schema.json. Test tooling: the Swift validator must agree."""
import json
import os
import sys

from jsonschema import Draft202012Validator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
validators = {}
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line:
        continue
    name, record = line.split("\t", 1)
    if name not in validators:
        with open(os.path.join(ROOT, "Sources", "LakehouseKit", "Schemas", name + ".schema.json")) as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
        validators[name] = Draft202012Validator(schema)
    print("valid" if validators[name].is_valid(json.loads(record)) else "invalid")
