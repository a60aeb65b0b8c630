"""Validates every line of a JSONL file against a JSON Schema (draft 2020-12) with the
independent `jsonschema` package. Test tooling only.

usage: validate_jsonl.py SCHEMA JSONL
prints: "valid N" and exits 0, or the first errors (line number, path, message) and exits 1.
"""
import json
import sys

import jsonschema

schema_path, data_path = sys.argv[1:3]
with open(schema_path) as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
errors = 0
count = 0
with open(data_path) as f:
    for number, line in enumerate(f, 1):
        if not line.strip():
            continue
        count += 1
        for error in validator.iter_errors(json.loads(line)):
            errors += 1
            if errors <= 10:
                print(f"line {number}: {'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}")
if errors:
    print(f"invalid: {errors} errors in {count} records")
    sys.exit(1)
print(f"valid {count}")
