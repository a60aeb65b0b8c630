#!/usr/bin/env python3
"""Independent checks of the distillation artifacts under a LAKEHOUSE_DATA_DIR (test tooling):

1. every line of every artifact file validates against its canonical schema
   (Sources/LakehouseKit/Schemas, draft 2020-12) with Python's `jsonschema`;
2. one corrupted record of each kind present is rejected by the same validator;
3. no export sample carries personal data (regular expressions written here, independently of the
   Swift scanner);
4. SftNever: every SFT sample's run is accepted or corrected in scored_runs.jsonl.

Prints one JSON object; exits 1 when a check fails.
  check_artifacts.py DATA_DIR [--require evidence,scored_run,...]
"""
import copy
import json
import os
import re
import sys

from jsonschema import Draft202012Validator

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMAS = os.path.join(ROOT, "Sources", "LakehouseKit", "Schemas")
FILES = [
    ("evidence/fill.jsonl", "evidence"), ("quarantine/fill.jsonl", "quarantine"), ("scored/scored_runs.jsonl", "scored_run"),
    ("exports/sft.jsonl", "sft_sample"), ("exports/sft.meta.jsonl", "export_meta"), ("exports/rag.jsonl", "rag_chunk"),
    ("exports/preference.jsonl", "preference_pair"), ("exports/preference.meta.jsonl", "export_meta"),
    ("replay/replay_runs.jsonl", "replay_run"), ("audit/audit_baselines.jsonl", "audit_baseline"),
]
PII = {
    "ssn_shape": re.compile(r"(?<![0-9])[0-9]{3}[-. ]?[0-9]{2}[-. ]?[0-9]{4}(?![0-9])"),
    "pay_figure": re.compile(r"\$\s?[0-9]|(?<![A-Za-z0-9-])[0-9][0-9,]*(\.[0-9]+)?\s*(/\s?(hr|hour|h|yr|year)\b|(dollars|usd|per hour|an hour|hourly|per year|a year|k a year)\b)"
                             r"|\b(pay|rate|wage|wages|salary|earns?|paid)\b[^.\n0-9]{0,24}[0-9]", re.IGNORECASE),
    "email_address": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    "phone_number": re.compile(r"(?<![0-9])(\+?1[-. ]?)?(\([0-9]{3}\)\s?|[0-9]{3}[-. ])[0-9]{3}[-. ][0-9]{4}(?![0-9])|(?<![0-9-])[0-9]{3}-[0-9]{4}(?![0-9])"),
}


def validator(name):
    with open(os.path.join(SCHEMAS, name + ".schema.json")) as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def corrupt(record):
    """A copy of the record that breaks its schema: a required field removed (or, for a record
    with a `messages`/`prompt` array, a message role that is not allowed)."""
    bad = copy.deepcopy(record)
    if "messages" in bad:
        bad["messages"][0]["role"] = "narrator"
    elif "prompt" in bad:
        bad["prompt"] = "not a list"
    else:
        del bad[sorted(bad.keys())[0]]
    return bad


def texts(kind, record):
    if kind == "sft_sample":
        return [m["content"] for m in record["messages"]]
    if kind == "preference_pair":
        return [m["content"] for m in record["prompt"] + record["chosen"] + record["rejected"]] + [record["why"]]
    if kind == "rag_chunk":
        return [record["text"]]
    return []


def main():
    data = sys.argv[1]
    required = set()
    if "--require" in sys.argv:
        required = set(sys.argv[sys.argv.index("--require") + 1].split(","))
    report = {"files": {}, "corrupted_rejected": {}, "failures": []}
    for relative, schema in FILES:
        path = os.path.join(data, relative)
        if not os.path.exists(path):
            if schema in required:
                report["failures"].append("%s is missing" % relative)
            continue
        check = validator(schema)
        lines = [l for l in open(path, encoding="utf-8").read().split("\n") if l]
        records = [json.loads(l) for l in lines]
        errors = 0
        for number, record in enumerate(records, 1):
            for error in check.iter_errors(record):
                errors += 1
                if errors <= 3:
                    report["failures"].append("%s line %d: %s at %s" % (relative, number, error.message[:200], list(error.absolute_path)))
            for text in texts(schema, record):
                for name, pattern in PII.items():
                    match = pattern.search(text)
                    if match:
                        report["failures"].append("%s line %d: %s %r" % (relative, number, name, match.group(0)))
        report["files"][relative] = {"records": len(records), "invalid": errors}
        if records:
            rejected = not check.is_valid(corrupt(records[0]))
            report["corrupted_rejected"][relative] = rejected
            if not rejected:
                report["failures"].append("%s: a corrupted record was accepted" % relative)
        if schema in required and not records:
            report["failures"].append("%s has no records" % relative)
    scored_path = os.path.join(data, "scored/scored_runs.jsonl")
    meta_path = os.path.join(data, "exports/sft.meta.jsonl")
    if os.path.exists(scored_path) and os.path.exists(meta_path):
        category = {}
        for line in open(scored_path):
            if line.strip():
                record = json.loads(line)
                category[record["run_id"]] = record["category"]
        leaked = [m["run_id"] for m in map(json.loads, filter(str.strip, open(meta_path)))
                  if category.get(m["run_id"]) not in ("accepted", "corrected")]
        report["sft_never_leaks"] = len(leaked)
        if leaked:
            report["failures"].append("SftNever: %d SFT samples from runs that are not accepted/corrected, e.g. %s" % (len(leaked), leaked[:3]))
    print(json.dumps(report, sort_keys=True))
    sys.exit(1 if report["failures"] else 0)


if __name__ == "__main__":
    main()
